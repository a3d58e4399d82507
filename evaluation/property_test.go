package evaluation_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
	"pgregory.net/rapid"
)

var experts = []string{"E1", "E2", "E3", "E4", "E5"}

// genInstant draws an instant in 2022–2026, with a bias towards the hours around New Year
// where UTC and Wenzhou disagree about the year.
func genInstant(t *rapid.T, label string) time.Time {
	year := rapid.IntRange(2022, 2026).Draw(t, label+"-year")
	if rapid.Bool().Draw(t, label+"-near-new-year") {
		newYear := time.Date(year, 1, 1, 0, 0, 0, 0, cst)
		return newYear.Add(time.Duration(rapid.IntRange(-24*3600, 24*3600).Draw(t, label+"-offset")) * time.Second).UTC()
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	return start.Add(time.Duration(rapid.IntRange(0, 365*24*3600-1).Draw(t, label+"-second")) * time.Second)
}

// genRating draws a rating of one of five experts; about one in ten has an invalid grade.
func genRating() *rapid.Generator[evaluation.Rating] {
	return rapid.Custom(func(t *rapid.T) evaluation.Rating {
		g := evaluation.Grade(1 + rapid.IntRange(0, 29).Draw(t, "grade")%3)
		if rapid.IntRange(0, 9).Draw(t, "invalid") == 0 {
			g = rapid.SampledFrom([]evaluation.Grade{0, -1, 4, 99}).Draw(t, "bad-grade")
		}
		return evaluation.Rating{
			ExpertID:   rapid.SampledFrom(experts).Draw(t, "expert"),
			ActivityID: fmt.Sprintf("A%d", rapid.IntRange(0, 199).Draw(t, "activity")),
			RaterUnit:  unit,
			Grade:      g,
			At:         genInstant(t, "at"),
		}
	})
}

func genParticipation() *rapid.Generator[evaluation.Participation] {
	return rapid.Custom(func(t *rapid.T) evaluation.Participation {
		return evaluation.Participation{
			ActivityID:    fmt.Sprintf("A%d", rapid.IntRange(0, 199).Draw(t, "activity")),
			OrganizerUnit: unit,
			ExpertID:      rapid.SampledFrom(experts).Draw(t, "expert"),
			Date:          genInstant(t, "date"),
			Attendance:    evaluation.Attendance(rapid.IntRange(0, 2).Draw(t, "attendance")),
		}
	})
}

// wenzhouYear is the test's own reading of the calendar year, independent of YearOf.
func wenzhouYear(t time.Time) int { return t.In(cst).Year() }

func TestSummaryIndependentOfInputOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ratings := rapid.SliceOf(genRating()).Draw(t, "ratings")
		parts := rapid.SliceOf(genParticipation()).Draw(t, "participations")
		year := rapid.IntRange(2021, 2027).Draw(t, "year")
		want := evaluation.SummarizeYear(ratings, parts, year)
		shuffledR := rapid.Permutation(ratings).Draw(t, "shuffled ratings")
		shuffledP := rapid.Permutation(parts).Draw(t, "shuffled participations")
		require.Equal(t, want, evaluation.SummarizeYear(shuffledR, shuffledP, year))
		require.Equal(t, evaluation.Summarize(ratings, year), evaluation.Summarize(shuffledR, year))
	})
}

func TestSummaryTotalsEqualSumOfGrades(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ratings := rapid.SliceOf(genRating()).Draw(t, "ratings")
		year := rapid.IntRange(2021, 2027).Draw(t, "year")
		got := evaluation.Summarize(ratings, year)

		// Independent count per expert and grade.
		want := map[string]*[4]int{} // excellent, good, poor, invalid
		inYear := 0
		for _, r := range ratings {
			if wenzhouYear(r.At) != year {
				continue
			}
			inYear++
			c := want[r.ExpertID]
			if c == nil {
				c = new([4]int)
				want[r.ExpertID] = c
			}
			switch r.Grade {
			case evaluation.Excellent:
				c[0]++
			case evaluation.Good:
				c[1]++
			case evaluation.Poor:
				c[2]++
			default:
				c[3]++
			}
		}
		require.Len(t, got, len(want))
		counted := 0
		for id, s := range got {
			require.Equal(t, id, s.ExpertID)
			require.Equal(t, year, s.Year)
			require.Equal(t, s.Excellent+s.Good+s.Poor, s.Total, "Total is the sum of the grades")
			c := want[id]
			require.NotNil(t, c, id)
			require.Equal(t, [4]int{s.Excellent, s.Good, s.Poor, s.Invalid}, *c, id)
			counted += s.Total + s.Invalid
		}
		require.Equal(t, inYear, counted, "every rating of the year is counted once, none dropped")
	})
}

func TestSummaryOtherYearsNeverCount(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		year := rapid.IntRange(2022, 2026).Draw(t, "year")
		ratings := rapid.SliceOf(genRating()).Draw(t, "ratings")
		others := rapid.SliceOf(rapid.Custom(func(t *rapid.T) evaluation.Rating {
			r := genRating().Draw(t, "other")
			// Move it into another Wenzhou year, keeping the wall-clock time of day.
			y := rapid.SampledFrom([]int{year - 2, year - 1, year + 1, year + 2}).Draw(t, "other-year")
			w := r.At.In(cst)
			r.At = time.Date(y, w.Month(), min(w.Day(), 28), w.Hour(), w.Minute(), w.Second(), 0, cst).UTC()
			return r
		})).Draw(t, "others")
		mixed := append(slices.Clone(ratings), others...)
		mixed = rapid.Permutation(mixed).Draw(t, "mixed")
		require.Equal(t, evaluation.Summarize(ratings, year), evaluation.Summarize(mixed, year))
		require.Empty(t, evaluation.Summarize(others, year))
	})
}

// TestThresholdExactAtEveryBoundary: with k·10 ratings of which n·k are excellent, the
// default rule holds exactly when n ≥ 4 (30% is not "more than 30%"), and one excellent
// rating more or less moves the answer exactly as exact rational arithmetic says.
func TestThresholdExactAtEveryBoundary(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 1_000_000).Draw(t, "k")
		for n := 0; n <= 10; n++ {
			s := evaluation.Summary{Total: 10 * k, Excellent: n * k}
			require.Equal(t, n >= 4, evaluation.PreferentialEligible(s), "%d of %d", s.Excellent, s.Total)
			for _, d := range []int{-1, 1} {
				e := n*k + d
				if e < 0 || e > 10*k {
					continue
				}
				want := big.NewRat(int64(e), int64(10*k)).Cmp(big.NewRat(3, 10)) > 0
				require.Equal(t, want, evaluation.PreferentialEligible(evaluation.Summary{Total: 10 * k, Excellent: e}), "%d of %d", e, 10*k)
			}
		}
	})
}

// TestThresholdMatchesExactRationalArithmetic: for any threshold and any counts, including
// values near math.MaxInt, the rule agrees with math/big.
func TestThresholdMatchesExactRationalArithmetic(t *testing.T) {
	positive := rapid.OneOf(rapid.IntRange(1, 1000), rapid.IntRange(1, math.MaxInt), rapid.IntRange(math.MaxInt-1000, math.MaxInt))
	rapid.Check(t, func(t *rapid.T) {
		den := positive.Draw(t, "den")
		num := rapid.IntRange(0, den).Draw(t, "num")
		total := positive.Draw(t, "total")
		exc := rapid.IntRange(0, total).Draw(t, "excellent")
		if rapid.Bool().Draw(t, "on the threshold") {
			// exc/total == num/den exactly (and its neighbours below).
			m := rapid.IntRange(1, math.MaxInt/den).Draw(t, "multiple")
			total, exc = den*m, num*m-rapid.IntRange(0, min(1, num*m)).Draw(t, "minus")
		}
		inclusive := rapid.Bool().Draw(t, "inclusive")
		r := evaluation.DefaultRules()
		r.Threshold, r.Inclusive = evaluation.Ratio{Num: num, Den: den}, inclusive
		c := new(big.Rat).SetFrac(big.NewInt(int64(exc)), big.NewInt(int64(total))).Cmp(
			new(big.Rat).SetFrac(big.NewInt(int64(num)), big.NewInt(int64(den))))
		want := c > 0 || (inclusive && c == 0)
		s := evaluation.Summary{Total: total, Excellent: exc}
		require.Equal(t, want, r.PreferentialEligible(s))
		require.Equal(t, want, r.CheckPreferential(s) == nil)
		require.Equal(t, c, evaluation.Ratio{Num: exc, Den: total}.Cmp(r.Threshold))
	})
}

func TestRatioTextRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := evaluation.Ratio{Num: rapid.IntRange(0, math.MaxInt).Draw(t, "num"), Den: rapid.IntRange(1, math.MaxInt).Draw(t, "den")}
		b, err := r.MarshalText()
		require.NoError(t, err)
		var back evaluation.Ratio
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, r, back)
	})
}

// TestStoreKeepsOneRatingPerActivityAndExpert runs random batches against a MemoryStore and
// a plain model: a batch is stored whole exactly when it repeats no activity and expert, and
// the queries return what the model holds.
func TestStoreKeepsOneRatingPerActivityAndExpert(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		s := evaluation.NewMemoryStore()
		var model []evaluation.Rating
		has := func(r evaluation.Rating, in []evaluation.Rating) bool {
			return slices.ContainsFunc(in, func(o evaluation.Rating) bool {
				return o.ActivityID == r.ActivityID && o.ExpertID == r.ExpertID
			})
		}
		for range rapid.IntRange(1, 8).Draw(t, "batches") {
			batch := rapid.SliceOfN(genRating(), 0, 6).Draw(t, "batch")
			ok := true
			for i, r := range batch {
				if has(r, model) || has(r, batch[:i]) {
					ok = false
				}
			}
			err := s.Add(ctx, batch...)
			if ok {
				require.NoError(t, err)
				model = append(model, batch...)
			} else {
				require.ErrorIs(t, err, evaluation.ErrDuplicate)
			}
		}
		for year := 2021; year <= 2027; year++ {
			var want []evaluation.Rating
			for _, r := range model {
				if wenzhouYear(r.At) == year {
					want = append(want, r)
				}
			}
			got, err := s.ByYear(ctx, year)
			require.NoError(t, err)
			require.Equal(t, want, got)
			for _, e := range experts {
				var mine []evaluation.Rating
				for _, r := range want {
					if r.ExpertID == e {
						mine = append(mine, r)
					}
				}
				got, err := s.ByExpert(ctx, e, year)
				require.NoError(t, err)
				require.Equal(t, mine, got)
			}
		}
	})
}
