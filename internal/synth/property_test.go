package synth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/synth"
)

var cst = time.FixedZone("CST", 8*3600)

func drawOptions(t *rapid.T) synth.Options {
	return synth.Options{
		Seed: rapid.Uint64().Draw(t, "seed"),
		Size: rapid.IntRange(1, 60).Draw(t, "size"),
		AsOf: time.Date(rapid.IntRange(2020, 2040).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
			rapid.IntRange(1, 31).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), 0, 0, 0, cst),
	}
}

// TestEveryApplicationIsAdmitted: for any seed, size and review date, admission.Admit accepts
// every generated application on that date, to every category it claims.
func TestEveryApplicationIsAdmitted(t *testing.T) {
	rules := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		o := drawOptions(t)
		p := synth.Generate(o)
		require.Len(t, p.Applications, o.Size)
		for _, app := range p.Applications {
			e, err := admission.Admit(app, "审核员", o.AsOf, rules)
			require.NoError(t, err, "%s", app.Expert.ID)
			require.Equal(t, app.Expert.Categories, e.Categories)
		}
	})
}

// TestSameOptionsSamePool: generation is a function of its options.
func TestSameOptionsSamePool(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawOptions(t)
		require.Equal(t, synth.Generate(o), synth.Generate(o))
	})
}

// TestPrefixStable: the first k applications of a larger pool are the pool of size k.
func TestPrefixStable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawOptions(t)
		k := rapid.IntRange(1, o.Size).Draw(t, "k")
		small := o
		small.Size = k
		require.Equal(t, synth.Generate(small).Applications, synth.Generate(o).Applications[:k])
	})
}

// TestIdentitiesUnique: expert IDs, ID numbers and mobiles are unique within a pool.
func TestIdentitiesUnique(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawOptions(t)
		o.Size = rapid.IntRange(1, 400).Draw(t, "bigger")
		ids, numbers, mobiles := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for i, app := range synth.Generate(o).Applications {
			e := app.Expert
			require.Equal(t, synth.ExpertID(i), e.ID)
			require.False(t, ids[e.ID] || numbers[e.IDNumber] || mobiles[e.Mobile], "%s repeats an identity", e.ID)
			ids[e.ID], numbers[e.IDNumber], mobiles[e.Mobile] = true, true, true
		}
	})
}

// TestHistoryValidates: for any pool and year, the history's ratings validate against its
// participations and fall in that year.
func TestHistoryValidates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawOptions(t)
		year := rapid.IntRange(2000, 2040).Draw(t, "history-year")
		h := synth.Generate(o).History(year)
		require.NoError(t, evaluation.ValidateRatings(h.Ratings, h.Participations))
		for _, r := range h.Ratings {
			require.Equal(t, year, evaluation.YearOf(r.At))
		}
	})
}
