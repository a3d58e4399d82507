package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

func testKeys(t testing.TB) (note.Signer, note.Verifier) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "audit.test.wzsti")
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return s, v
}

func testEvent(proc, i int) audit.Event {
	return audit.Event{
		At:       time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Actor:    audit.Actor{ID: fmt.Sprintf("u-%d", proc), Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"},
		Action:   audit.ActionView,
		Subjects: []string{fmt.Sprintf("E%04d", i)},
	}
}

// TestAuditLogsInTwoProcesses: two audit.Logs over two connection pools (as two processes
// would have) append to one database at once. The log never forks, skips an index or loses an
// event; each one's checkpoints are consistent with the other's; the whole log verifies.
func TestAuditLogsInTwoProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		signer, verifier := testKeys(t)
		stores := []*sqlstore.AuditStore{open(t).Audit(), open(t).Audit()}
		logs := make([]*audit.Log, 2)
		for i, s := range stores {
			l, err := audit.NewLog(ctx, s, signer)
			require.NoError(t, err)
			logs[i] = l
		}
		const each = 60
		var wg sync.WaitGroup
		var mu sync.Mutex
		checkpoints := [][]byte{}
		indexes := map[int64]bool{}
		errs := make(chan error, 4)
		for p := range 2 {
			for g := range 2 { // two goroutines per process
				wg.Go(func() {
					for i := range each / 2 {
						idx, err := logs[p].Append(ctx, testEvent(p, g*1000+i))
						if err != nil {
							errs <- err
							return
						}
						mu.Lock()
						if indexes[idx] {
							errs <- fmt.Errorf("index %d handed out twice", idx)
						}
						indexes[idx] = true
						mu.Unlock()
						if i%10 == 0 {
							cp, err := logs[p].Checkpoint(ctx)
							if err != nil {
								errs <- err
								return
							}
							mu.Lock()
							checkpoints = append(checkpoints, cp)
							mu.Unlock()
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Len(t, indexes, 2*each)
		for i := range int64(2 * each) {
			require.True(t, indexes[i], "index %d never handed out", i)
		}
		n, err := stores[0].Len(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2*each, n)

		// Catch both logs up and check every checkpoint against the final tree of each.
		for _, l := range logs {
			require.NoError(t, l.Sync(ctx))
		}
		final := make([]audit.Checkpoint, 2)
		for i, l := range logs {
			cp, err := l.Checkpoint(ctx)
			require.NoError(t, err)
			final[i], err = audit.OpenCheckpoint(cp, verifier)
			require.NoError(t, err)
			require.NoError(t, audit.Verify(ctx, stores[i], cp, verifier))
		}
		assert.Equal(t, final[0], final[1], "both processes see the same tree")
		for _, raw := range checkpoints {
			older, err := audit.OpenCheckpoint(raw, verifier)
			require.NoError(t, err)
			for i, l := range logs {
				proof, err := l.ProveConsistency(older.Size, final[i].Size)
				require.NoError(t, err)
				require.NoError(t, audit.CheckConsistency(older, final[i], proof))
			}
		}

		// A third process opening the log later (hashes come from the store) agrees too.
		late, err := audit.NewLog(ctx, open(t).Audit(), signer)
		require.NoError(t, err)
		cp, err := late.Checkpoint(ctx)
		require.NoError(t, err)
		c, err := audit.OpenCheckpoint(cp, verifier)
		require.NoError(t, err)
		assert.Equal(t, final[0].Hash, c.Hash)
	})
}

// TestAuditTamperDetected: a record changed behind the log's back in the database is caught.
func TestAuditTamperDetected(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		signer, verifier := testKeys(t)
		db := open(t)
		l, err := audit.NewLog(ctx, db.Audit(), signer)
		require.NoError(t, err)
		for i := range 5 {
			_, err := l.Append(ctx, testEvent(0, i))
			require.NoError(t, err)
		}
		cp, err := l.Checkpoint(ctx)
		require.NoError(t, err)
		require.NoError(t, audit.Verify(ctx, db.Audit(), cp, verifier))
		rec, err := db.Audit().Read(ctx, 2, 1)
		require.NoError(t, err)
		forged := bytes.Replace(rec[0], []byte("E0002"), []byte("E0009"), 1)
		_, err = db.SQL().ExecContext(ctx, `UPDATE `+db.Table("audit_records")+` SET data = $1 WHERE idx = 2`, forged)
		require.NoError(t, err)
		require.Error(t, audit.Verify(ctx, db.Audit(), cp, verifier))
	})
}

type auditEvent = audit.Event

func newLog(ctx context.Context, db *sqlstore.DB, s note.Signer) (*audit.Log, error) {
	return audit.NewLog(ctx, db.Audit(), s)
}

// TestAuditAppendAllOrNothing: a batch append whose connection goes away mid-way (the context
// is cancelled while rows are being inserted) leaves either the whole batch or none of it; the
// log stays gap-free, and a log reopened over the store verifies.
func TestAuditAppendAllOrNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		signer, verifier := testKeys(t)
		s := open(t).Audit()
		bg := context.Background()
		l, err := audit.NewLog(bg, s, signer)
		require.NoError(t, err)
		landed, failed := 0, 0
		for k, after := range []time.Duration{0, 50 * time.Microsecond, 500 * time.Microsecond, 5 * time.Millisecond, time.Minute} {
			batch := make([]audit.Event, 500)
			for i := range batch {
				batch[i] = testEvent(k, i)
			}
			n0, err := s.Len(bg)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(bg, after)
			_, err = l.AppendBatch(ctx, batch...)
			cancel()
			n1, lerr := s.Len(bg)
			require.NoError(t, lerr)
			if err != nil {
				failed++
				assert.Equal(t, n0, n1, "a failed batch leaves nothing (cancel after %v)", after)
			} else {
				landed++
				assert.Equal(t, n0+int64(len(batch)), n1)
			}
		}
		assert.Positive(t, landed)
		assert.Positive(t, failed, "at least the immediate cancellation fails")
		reopened, err := audit.NewLog(bg, s, signer)
		require.NoError(t, err)
		cp, err := reopened.Checkpoint(bg)
		require.NoError(t, err)
		require.NoError(t, audit.Verify(bg, s, cp, verifier))
		assert.EqualValues(t, landed*500, reopened.Size())
	})
}
