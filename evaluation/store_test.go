package evaluation_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
)

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*evaluation.MemoryStore{"new": evaluation.NewMemoryStore(), "zero": {}} {
		t.Run(name, func(t *testing.T) {
			r1 := rating("E1", "A1", evaluation.Excellent, day(2024, time.March, 1))
			r2 := rating("E1", "A2", evaluation.Good, day(2024, time.April, 1))
			r3 := rating("E2", "A1", evaluation.Poor, day(2024, time.March, 1))
			r4 := rating("E1", "A3", evaluation.Good, time.Date(2024, 12, 31, 18, 0, 0, 0, time.UTC)) // 2025 in Wenzhou
			require.NoError(t, s.Add(ctx, r1, r2))
			require.NoError(t, s.Add(ctx, r3, r4))
			require.NoError(t, s.Add(ctx))

			got, err := s.ByExpert(ctx, "E1", 2024)
			require.NoError(t, err)
			assert.Equal(t, []evaluation.Rating{r1, r2}, got)
			got, err = s.ByExpert(ctx, "E1", 2025)
			require.NoError(t, err)
			assert.Equal(t, []evaluation.Rating{r4}, got)
			got, err = s.ByExpert(ctx, "E9", 2024)
			require.NoError(t, err)
			assert.Empty(t, got)
			got, err = s.ByYear(ctx, 2024)
			require.NoError(t, err)
			assert.Equal(t, []evaluation.Rating{r1, r2, r3}, got)
			got, err = s.ByYear(ctx, 2023)
			require.NoError(t, err)
			assert.Empty(t, got)

			// Results are copies.
			got, _ = s.ByYear(ctx, 2024)
			got[0].Grade = evaluation.Poor
			again, _ := s.ByYear(ctx, 2024)
			assert.Equal(t, evaluation.Excellent, again[0].Grade)
		})
	}
}

func TestMemoryStoreRefusesDuplicatesAtomically(t *testing.T) {
	ctx := context.Background()
	s := evaluation.NewMemoryStore()
	r1 := rating("E1", "A1", evaluation.Excellent, day(2024, time.March, 1))
	require.NoError(t, s.Add(ctx, r1))

	again := r1
	again.Grade = evaluation.Poor // a second opinion on the same activity
	fresh := rating("E2", "A1", evaluation.Good, day(2024, time.March, 1))
	err := s.Add(ctx, fresh, again)
	require.ErrorIs(t, err, evaluation.ErrDuplicate)
	var de *evaluation.DuplicateError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, evaluation.DuplicateError{ActivityID: "A1", ExpertID: "E1"}, *de)
	assert.Contains(t, err.Error(), `evaluation: 活动 "A1" 已对专家 "E1" 作出评价`)
	assert.Contains(t, err.Error(), "Art. 25")

	got, err := s.ByYear(ctx, 2024)
	require.NoError(t, err)
	assert.Equal(t, []evaluation.Rating{r1}, got, "nothing of the failed batch is stored")

	err = s.Add(ctx, fresh, fresh)
	require.ErrorIs(t, err, evaluation.ErrDuplicate, "a repeat inside one batch")
	got, _ = s.ByYear(ctx, 2024)
	assert.Len(t, got, 1)
	require.NoError(t, s.Add(ctx, fresh))
}

func TestMemoryStoreHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := evaluation.NewMemoryStore()
	assert.ErrorIs(t, s.Add(ctx, rating("E1", "A1", evaluation.Good, day(2024, time.March, 1))), context.Canceled)
	_, err := s.ByExpert(ctx, "E1", 2024)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.ByYear(ctx, 2024)
	assert.ErrorIs(t, err, context.Canceled)
	got, err := s.ByYear(context.Background(), 2024)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestMemoryStoreConcurrentAddsKeepOneRatingPerActivity: many units racing to rate the same
// experts for the same activities store exactly one rating each (run with -race).
func TestMemoryStoreConcurrentAddsKeepOneRatingPerActivity(t *testing.T) {
	ctx := context.Background()
	s := evaluation.NewMemoryStore()
	const workers, activities = 8, 50
	var wins atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for a := range activities {
				r := rating(fmt.Sprintf("E%d", a%5), fmt.Sprintf("A%d", a), evaluation.Grade(1+w%3), day(2024, time.March, 1+a%28))
				switch err := s.Add(ctx, r); {
				case err == nil:
					wins.Add(1)
				default:
					assert.ErrorIs(t, err, evaluation.ErrDuplicate)
				}
				_, err := s.ByExpert(ctx, r.ExpertID, 2024)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, activities, wins.Load())
	got, err := s.ByYear(ctx, 2024)
	require.NoError(t, err)
	assert.Len(t, got, activities)
	total := 0
	for _, sum := range evaluation.Summarize(got, 2024) {
		total += sum.Total
	}
	assert.Equal(t, activities, total)
}
