package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

var errBoom = errors.New("boom")

// writeAll makes one write through every store of db with ctx.
func writeAll(t *testing.T, ctx context.Context, db *sqlstore.DB, k int) {
	t.Helper()
	require.NoError(t, db.Experts().Put(ctx, benchExpert(k)))
	require.NoError(t, db.Events().AppendEvent(ctx, fmt.Sprintf("campaign/%d", k), 0, []byte("ev")))
	n, err := db.Audit().Len(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Audit().AppendAt(ctx, n, []byte(fmt.Sprintf("audit %d", k))))
	require.NoError(t, db.Ledger().Reserve(ctx, benchExpert(k).ID, 2026, "A", 10))
	require.NoError(t, db.Ratings().Add(ctx, evaluation.Rating{ExpertID: benchExpert(k).ID, ActivityID: "A", RaterUnit: "U",
		Grade: evaluation.Good, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}))
	require.NoError(t, db.Events().PutProfiles(ctx, expertdb.Profile{Digest: fmt.Sprintf("d%d", k), Data: []byte("p")}))
}

// stored reports which of k's writes are visible through db (another pool when so opened).
func stored(t *testing.T, db *sqlstore.DB, k int) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	if _, err := db.Experts().Get(ctx, benchExpert(k).ID); err == nil {
		out = append(out, "expert")
	}
	if evs, err := db.Events().Events(ctx, fmt.Sprintf("campaign/%d", k)); err == nil && len(evs) > 0 {
		out = append(out, "event")
	}
	if n, err := db.Audit().Len(ctx); err == nil && n > 0 {
		out = append(out, "audit")
	}
	if u, err := db.Ledger().Usage(ctx, 2026); err == nil && u[benchExpert(k).ID] > 0 {
		out = append(out, "ledger")
	}
	if r, err := db.Ratings().ByExpert(ctx, benchExpert(k).ID, 2026); err == nil && len(r) > 0 {
		out = append(out, "rating")
	}
	if _, err := db.Events().Profiles(ctx, []string{fmt.Sprintf("d%d", k)}); err == nil {
		out = append(out, "profile")
	}
	return out
}

var everyWrite = []string{"expert", "event", "audit", "ledger", "rating", "profile"}

// TestAtomically: a unit of work whose fn fails leaves none of its writes (expert, event,
// audit record, ledger seat, rating, profile), one that succeeds leaves all of them, visible
// from another pool; inside the unit its own writes are read back.
func TestAtomically(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		db, other := open(t), open(t)
		bg := context.Background()
		v0, err := db.Experts().PoolVersion(bg)
		require.NoError(t, err)
		err = db.Atomically(bg, func(ctx context.Context) error {
			writeAll(t, ctx, db, 1)
			_, err := db.Experts().Get(ctx, benchExpert(1).ID)
			require.NoError(t, err, "the unit reads its own writes")
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, stored(t, other, 1), "a failed unit leaves nothing")
		assert.Empty(t, stored(t, db, 1))
		v1, err := db.Experts().PoolVersion(bg)
		require.NoError(t, err)
		assert.Equal(t, v0, v1, "a rolled-back write does not change the pool version")

		require.NoError(t, db.Atomically(bg, func(ctx context.Context) error {
			writeAll(t, ctx, db, 2)
			return nil
		}))
		assert.Equal(t, everyWrite, stored(t, other, 2))
	})
}

// TestAtomicallyNested: a nested unit joins the outer one as a savepoint; its failure undoes
// only its own writes, and the outer unit's failure undoes everything. A conflict inside a
// unit (a lost conditional append) leaves the unit usable, also on PostgreSQL.
func TestAtomicallyNested(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		db := open(t)
		bg := context.Background()
		require.NoError(t, db.Events().AppendEvent(bg, "taken", 0, []byte("x")))
		require.NoError(t, db.Atomically(bg, func(ctx context.Context) error {
			require.NoError(t, db.Experts().Put(ctx, benchExpert(1)))
			err := db.Atomically(ctx, func(ctx context.Context) error {
				require.NoError(t, db.Experts().Put(ctx, benchExpert(2)))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			require.ErrorIs(t, db.Events().AppendEvent(ctx, "taken", 0, []byte("y")), expertdb.ErrConflict)
			return db.Atomically(ctx, func(ctx context.Context) error {
				return db.Experts().Put(ctx, benchExpert(3))
			})
		}))
		all, err := db.Experts().List(bg)
		require.NoError(t, err)
		ids := make([]string, len(all))
		for i, e := range all {
			ids[i] = e.ID
		}
		assert.Equal(t, []string{benchExpert(1).ID, benchExpert(3).ID}, ids)

		err = db.Atomically(bg, func(ctx context.Context) error {
			require.NoError(t, db.Atomically(ctx, func(ctx context.Context) error { return db.Experts().Put(ctx, benchExpert(4)) }))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		_, err = db.Experts().Get(bg, benchExpert(4).ID)
		require.ErrorIs(t, err, expertdb.ErrNotFound, "the outer failure undoes the joined unit")
	})
}

// TestAtomicallyPanics: a panic inside fn rolls back and propagates.
func TestAtomicallyPanics(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		db := open(t)
		bg := context.Background()
		require.Panics(t, func() {
			_ = db.Atomically(bg, func(ctx context.Context) error {
				require.NoError(t, db.Experts().Put(ctx, benchExpert(1)))
				panic("boom")
			})
		})
		_, err := db.Experts().Get(bg, benchExpert(1).ID)
		require.ErrorIs(t, err, expertdb.ErrNotFound)
	})
}

// TestAtomicallyConcurrent: units in many goroutines over two pools (two processes), each
// writing an expert, the next event of one shared stream and an audit record — the shape of
// a Service operation — all complete (a lost race is retried as a whole unit), nothing is
// lost and nothing is written twice.
func TestAtomicallyConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		dbs := []*sqlstore.DB{open(t), open(t)}
		const workers, each = 6, 4
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				db := dbs[w%2]
				for i := range each {
					k := w*each + i
					var err error
					for attempt := 0; attempt < 100; attempt++ {
						err = db.Atomically(ctx, func(ctx context.Context) error {
							if err := db.Experts().Put(ctx, benchExpert(k)); err != nil {
								return err
							}
							evs, err := db.Events().Events(ctx, "shared")
							if err != nil {
								return err
							}
							if err := db.Events().AppendEvent(ctx, "shared", int64(len(evs)), []byte(fmt.Sprint(k))); err != nil {
								return err
							}
							return db.Audit().Append(ctx, []byte(fmt.Sprintf("unit %d", k)))
						})
						if !errors.Is(err, expertdb.ErrConflict) && !errors.Is(err, audit.ErrConflict) {
							break
						}
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		all, err := dbs[0].Experts().List(ctx)
		require.NoError(t, err)
		assert.Len(t, all, workers*each)
		evs, err := dbs[1].Events().Events(ctx, "shared")
		require.NoError(t, err)
		assert.Len(t, evs, workers*each)
		n, err := dbs[0].Audit().Len(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, workers*each, n)
		recs, err := dbs[1].Audit().Read(ctx, 0, n)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, r := range recs {
			assert.False(t, seen[string(r)], "written once")
			seen[string(r)] = true
		}
	})
}

// TestWithTx: the host system's own transaction carries expertdb's writes with its own.
func TestWithTx(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		bg := context.Background()
		db := open(t)
		for _, commit := range []bool{false, true} {
			tx, err := db.SQL().BeginTx(bg, nil)
			require.NoError(t, err)
			ctx := db.WithTx(bg, tx)
			k := 1
			if commit {
				k = 2
			}
			require.NoError(t, db.Experts().Put(ctx, benchExpert(k)))
			require.NoError(t, db.Audit().Append(ctx, []byte("host")))
			if commit {
				require.NoError(t, tx.Commit())
			} else {
				require.NoError(t, tx.Rollback())
			}
			_, err = db.Experts().Get(bg, benchExpert(k).ID)
			if commit {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, expertdb.ErrNotFound)
			}
		}
		n, err := db.Audit().Len(bg)
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
	})
}
