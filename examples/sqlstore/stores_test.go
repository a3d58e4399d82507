package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/selection"
)

func TestExpertStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		s := open(t).Experts()
		_, err := s.Get(ctx, "E1")
		require.ErrorIs(t, err, expertdb.ErrNotFound)
		e := admission.Expert{ID: "E2", Name: "王晓东", Status: admission.Active,
			BirthDate:   time.Date(1970, 5, 1, 0, 0, 0, 0, time.UTC),
			Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: "机电工程学院"},
			Categories:  []admission.Category{admission.Technical}, Title: admission.Senior}
		require.NoError(t, s.Put(ctx, e))
		e.Name = "王晓冬"
		require.NoError(t, s.Put(ctx, e)) // replace
		require.NoError(t, s.PutMany(ctx, []admission.Expert{{ID: "E1", Name: "李娜", Status: admission.Pending}}))
		got, err := s.Get(ctx, "E2")
		require.NoError(t, err)
		assert.Equal(t, "王晓冬", got.Name)
		assert.True(t, got.BirthDate.Equal(e.BirthDate))
		all, err := s.List(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		assert.Equal(t, "E1", all[0].ID)
		require.Error(t, s.Put(ctx, admission.Expert{}))
	})
}

func TestRatingStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		s := open(t).Ratings()
		at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		r1 := evaluation.Rating{ExpertID: "E1", ActivityID: "A1", RaterUnit: "高新处", Grade: evaluation.Excellent, At: at}
		r2 := evaluation.Rating{ExpertID: "E1", ActivityID: "A2", RaterUnit: "高新处", Grade: evaluation.Good, At: at.AddDate(0, 1, 0)}
		r3 := evaluation.Rating{ExpertID: "E2", ActivityID: "A1", RaterUnit: "高新处", Grade: evaluation.Poor, At: at, Comment: "迟到且未提交意见"}
		require.NoError(t, s.Add(ctx, r1, r2))
		// all or none: r3 is new but r1 repeats, so neither is stored
		err := s.Add(ctx, r3, r1)
		require.ErrorIs(t, err, evaluation.ErrDuplicate)
		require.NoError(t, s.Add(ctx, r3))
		got, err := s.ByExpert(ctx, "E1", 2025)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "A1", got[0].ActivityID)
		year, err := s.ByYear(ctx, 2025)
		require.NoError(t, err)
		assert.Len(t, year, 3)
		none, err := s.ByYear(ctx, 2024)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

func TestEventStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		s := open(t).Events()
		require.NoError(t, s.AppendEvent(ctx, "c1", 0, []byte("a")))
		require.ErrorIs(t, s.AppendEvent(ctx, "c1", 0, []byte("x")), expertdb.ErrConflict)
		require.ErrorIs(t, s.AppendEvent(ctx, "c1", 2, []byte("x")), expertdb.ErrConflict)
		require.NoError(t, s.AppendEvent(ctx, "c1", 1, []byte("b")))
		require.NoError(t, s.AppendEvent(ctx, "c2", 0, []byte("z")))
		got, err := s.Events(ctx, "c1")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte("a"), []byte("b")}, got)
		none, err := s.Events(ctx, "nope")
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestLedgerNeverExceedsCap: 32 goroutines over two separate connection pools race to book
// the same experts for many activities; no expert may ever exceed the annual cap.
func TestLedgerNeverExceedsCap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		ledgers := []*sqlstore.Ledger{open(t).Ledger(), open(t).Ledger()}
		const experts, capacity, workers, activities = 3, 10, 32, 8
		var booked, refused atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				l := ledgers[w%2]
				for a := range activities {
					for e := range experts {
						act := fmt.Sprintf("A%d-%d", w, a)
						err := l.Reserve(ctx, fmt.Sprintf("E%d", e), 2025, act, capacity)
						switch {
						case err == nil:
							booked.Add(1)
						case selectionCap(err):
							refused.Add(1)
						default:
							errs <- err
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		usage, err := ledgers[0].Usage(ctx, 2025)
		require.NoError(t, err)
		violations := 0
		for e := range experts {
			n := usage[fmt.Sprintf("E%d", e)]
			if n > capacity {
				violations++
			}
			assert.Equal(t, capacity, n, "every expert fills exactly to the cap")
		}
		assert.Zero(t, violations)
		assert.EqualValues(t, experts*capacity, booked.Load())
		assert.EqualValues(t, workers*activities*experts-experts*capacity, refused.Load())

		// idempotent per activity, release frees a seat
		l := ledgers[1]
		require.NoError(t, l.Reserve(ctx, "X", 2025, "A", 1))
		require.NoError(t, l.Reserve(ctx, "X", 2025, "A", 1))
		require.ErrorIs(t, l.Reserve(ctx, "X", 2025, "B", 1), selection.ErrCapReached)
		require.NoError(t, l.Release(ctx, "X", 2025, "A"))
		require.NoError(t, l.Release(ctx, "X", 2025, "A"))
		require.NoError(t, l.Reserve(ctx, "X", 2025, "B", 1))
		require.NoError(t, l.Reserve(ctx, "X", 2026, "C", 1), "caps are per calendar year")
	})
}

func selectionCap(err error) bool { return errors.Is(err, selection.ErrCapReached) }
