package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

func TestAuditStoreRaw(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		s := open(t).Audit()
		n, err := s.Len(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)

		require.NoError(t, s.AppendAt(ctx, 0, []byte("a"), []byte("b")))
		require.ErrorIs(t, s.AppendAt(ctx, 1, []byte("x")), audit.ErrConflict)
		require.ErrorIs(t, s.AppendAt(ctx, 5, []byte("x")), audit.ErrConflict)
		require.NoError(t, s.Append(ctx, []byte("c")))
		n, err = s.Len(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 3, n)

		recs, err := s.Read(ctx, 1, 2)
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte("b"), []byte("c")}, recs)
		_, err = s.Read(ctx, 2, 2)
		require.ErrorIs(t, err, audit.ErrNotFound)

		h := []tlog.Hash{tlog.RecordHash([]byte("a")), tlog.RecordHash([]byte("b"))}
		require.NoError(t, s.WriteHashes(ctx, []int64{0, 1}, h))
		require.NoError(t, s.WriteHashes(ctx, []int64{1}, h[1:])) // idempotent
		got, err := s.ReadHashes(ctx, []int64{1, 0, 1})
		require.NoError(t, err)
		assert.Equal(t, []tlog.Hash{h[1], h[0], h[1]}, got)
		_, err = s.ReadHashes(ctx, []int64{7})
		require.ErrorIs(t, err, audit.ErrNotFound)
	})
}

// TestAuditAppendAtRace: many goroutines over two pools race AppendAt at the same index;
// exactly one wins each index and the log has no gap.
func TestAuditAppendAtRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		pools := []*sqlstore.AuditStore{open(t).Audit(), open(t).Audit()}
		const workers, each = 8, 10
		errs := make(chan error, workers)
		for w := range workers {
			go func() {
				s := pools[w%2]
				for i := range each {
					if err := s.Append(ctx, []byte(fmt.Sprintf("w%d-%d", w, i))); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range workers {
			require.NoError(t, <-errs)
		}
		n, err := pools[0].Len(ctx)
		require.NoError(t, err)
		require.EqualValues(t, workers*each, n)
		recs, err := pools[1].Read(ctx, 0, n)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, r := range recs {
			assert.False(t, seen[string(r)], "duplicate %s", r)
			seen[string(r)] = true
		}
	})
}
