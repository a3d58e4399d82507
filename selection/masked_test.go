package selection_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// The de-identification oracle of issue 13: a user without personal-data rights reads the
// birth date through the criteria. Prepared Masked, every such expression is refused with its
// position; the same request prepared for a user with the right compiles.
func TestAttackBirthDateOracleRefusedWhenMasked(t *testing.T) {
	for _, crit := range []string{
		`int(expert.BirthDate.YearDay() / 7) % 2 == 1`,
		`int(expert.BirthDate.YearDay() / 1) % 2 == 1`,
		`expert.BirthDate.Year() < 1970`,
		`let b = expert.BirthDate; b.Day() == 3`,
		`any([expert], #.BirthDate.Day() == 1)`,
		`expert?.BirthDate?.IsZero()`,
		`expert["BirthDate"].Year() > 1960`,
		`expert.Name startsWith "张"`,
		`len(expert.Name) == 2`,
	} {
		req := exampleRequest()
		req.Criteria = crit
		_, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
		require.ErrorIs(t, err, selection.ErrInvalidRequest, crit)
		var ce *rule.CompileError
		require.ErrorAs(t, err, &ce, crit)
		assert.Positive(t, ce.Line, crit)
		assert.Positive(t, ce.Column, crit)
		_, err = selection.PrepareWith(req, nil, selection.PrepareOptions{})
		require.NoError(t, err, crit)
	}
	// Quota filters and group keys are the request's own expressions too.
	req := exampleRequest()
	req.Quotas = []selection.Quota{{Name: "q", Filter: `expert.BirthDate.Year() > 1970`, Min: 1}}
	_, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
	req = exampleRequest()
	req.Groups = []selection.GroupCap{{Name: "g", Key: `expert.Name`, Max: 1}}
	_, err = selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
}

// age stands for the birth date in the masked view, and a masked request draws exactly as the
// same request prepared with the full view (so replays of the record agree).
func TestMaskedRequestDrawsAsFull(t *testing.T) {
	req := exampleRequest()
	req.Criteria = `age <= 60 && expert.Title >= AssociateSenior`
	pm, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	require.NoError(t, err)
	pf, err := selection.Prepare(req, nil)
	require.NoError(t, err)
	e := selection.Entropy{Sources: [][]uint64{{1, 2, 3}}}
	rm, errm := pm.Draw(examplePool(), e)
	rf, errf := pf.Draw(examplePool(), e)
	require.Equal(t, errf == nil, errm == nil)
	assert.Equal(t, rf, rm)
	assert.Equal(t, pf.RequestDigest(), pm.RequestDigest())
}

// County conditions keep the full view even in a masked request.
func TestMaskedKeepsCountyConditionsFull(t *testing.T) {
	req := exampleRequest()
	req.Conditions = []selection.Condition{{Rule: "county", Expr: `!expert.BirthDate.IsZero()`}}
	_, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	require.NoError(t, err)
}

func TestCountExclusions(t *testing.T) {
	got := selection.CountExclusions([]selection.Exclusion{
		{ExpertID: "a", Article: "Art. 13", Code: "criteria"},
		{ExpertID: "b", Article: "Art. 14(1)", Code: "annual-cap"},
		{ExpertID: "c", Article: "Art. 13", Code: "criteria"},
		{ExpertID: "d", Article: "Art. 15(1)", Code: "criteria"},
	})
	assert.Equal(t, []selection.ExclusionCount{
		{Article: "Art. 14(1)", Code: "annual-cap", Count: 1},
		{Article: "Art. 13", Code: "criteria", Count: 2},
		{Article: "Art. 15(1)", Code: "criteria", Count: 1},
	}, got)
	assert.Empty(t, selection.CountExclusions(nil))
}

// Invariant: the counts sum to the number of exclusions and name no expert.
func TestPropertyCountExclusions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ex := rapid.SliceOf(rapid.Custom(func(t *rapid.T) selection.Exclusion {
			return selection.Exclusion{ExpertID: rapid.StringMatching(`E[0-9]{3}`).Draw(t, "id"),
				Article: rapid.SampledFrom([]string{"Art. 13", "Art. 5"}).Draw(t, "art"),
				Code:    rapid.SampledFrom([]string{"criteria", "not-eligible", "x"}).Draw(t, "code")}
		})).Draw(t, "ex")
		n := 0
		for _, c := range selection.CountExclusions(ex) {
			require.Positive(t, c.Count)
			n += c.Count
		}
		require.Equal(t, len(ex), n)
	})
}
