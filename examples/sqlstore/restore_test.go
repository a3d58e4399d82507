package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

// Attack: a database restored from a backup older than a process's kept snapshot, then
// written past the kept version. The kept snapshot must not be brought up to date from the
// changes recorded after its version (they are another history's): the next snapshot equals
// a fresh handle's full read. The restore is played on the pool's bookkeeping: the version
// goes back one (with the backup's nonce, the later nonces gone), an expert is updated (the
// version reaches the kept one again, under a new nonce) and a booking moves it past.
func TestSnapshotAfterARestoreIsNeverStale(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seedExperts(t, a, 20)
		kept := snapshotOf(t, b, 2026)
		num, _, _ := strings.Cut(kept.Version, "-")
		v, err := strconv.ParseInt(num, 10, 64)
		require.NoError(t, err)
		r := strings.NewReplacer("{pool_state}", a.Table("pool_state"), "{pool_nonces}", a.Table("pool_nonces"))
		for _, q := range []string{
			`UPDATE {pool_state} SET version = $1, nonce = 'backup' WHERE id = 1`,
			`DELETE FROM {pool_nonces} WHERE version >= $1`,
		} {
			_, err := a.SQL().ExecContext(ctx, r.Replace(q), v-1)
			require.NoError(t, err)
		}
		_, err = a.SQL().ExecContext(ctx, r.Replace(`INSERT INTO {pool_nonces} (version, nonce) VALUES ($1, 'backup')`), v-1)
		require.NoError(t, err)
		x := benchExpert(3)
		x.Title = admission.Senior
		x.Region = "330399"
		require.NoError(t, a.Experts().Put(ctx, x))
		require.NoError(t, a.Ledger().Reserve(ctx, "E000005", 2026, "A-restore", 0))
		got := snapshotOf(t, b, 2026)
		want := snapshotOf(t, open(t), 2026)
		sameSnapshot(t, "after a restore", want, got)
	})
}
