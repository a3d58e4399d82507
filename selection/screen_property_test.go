package selection_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// Screening reuses one expression environment (and its view's lists) for the whole pool, so
// the exclusion recorded for an expert must depend on that expert alone, never on who was
// screened before.

// genScreened draws an expert that each screening step may exclude: status, cap, criteria,
// eligibility, conflict, unavailability, cooling-off, a failing quota filter, or none.
func genScreened(t *rapid.T, id string, pool *selection.Pool) admission.Expert {
	org := rapid.SampledFrom([]string{"U0", "U1", "U2", "申报企业"}).Draw(t, "org")
	cats := rapid.SliceOfN(rapid.SampledFrom([]admission.Category{admission.Technical, admission.Economic, admission.Management}), 0, 3).Draw(t, "cats")
	e := expert(id, org, cats...)
	if len(cats) == 0 {
		e.Categories = nil
	}
	if org == "申报企业" {
		e.Affiliation.Kind = admission.Enterprise
	}
	e.Status = rapid.SampledFrom([]admission.Status{admission.Active, admission.Active, admission.Active, admission.Pending, admission.Exited}).Draw(t, "status")
	if rapid.IntRange(0, 4).Draw(t, "biology") == 0 {
		e.Fields = []string{"biology"}
	}
	if rapid.IntRange(0, 4).Draw(t, "old") == 0 {
		e.BirthDate = e.BirthDate.AddDate(-30, 0, 0)
	}
	if rapid.Bool().Draw(t, "drop-credentials") {
		e.Credentials = e.Credentials[:rapid.IntRange(0, len(e.Credentials)).Draw(t, "keep")]
	}
	for range rapid.IntRange(0, 2).Draw(t, "past") {
		e.Past = append(e.Past, admission.Affiliation{Org: rapid.SampledFrom([]string{"U0", "P1"}).Draw(t, "past-org"), Kind: admission.University})
	}
	if rapid.IntRange(0, 4).Draw(t, "exit") == 0 {
		e.Exits = []admission.Exit{{Reason: admission.ExitOnRequest}}
	}
	if rapid.IntRange(0, 5).Draw(t, "unavailable") == 0 {
		e.Unavailable = []admission.Period{{From: activity.AddDate(0, 0, -1), To: activity.AddDate(0, 0, 1)}}
	}
	pool.Usage[id] = rapid.IntRange(0, 10).Draw(t, "usage")
	if rapid.IntRange(0, 3).Draw(t, "history") == 0 {
		pool.History[id] = []selection.Participation{{ActivityID: "A-" + id, ApplicantUnit: "申报企业",
			At: activity.AddDate(0, -rapid.IntRange(1, 12).Draw(t, "months-ago"), 0)}}
	}
	return e
}

func TestExclusionDependsOnlyOnTheExpert(t *testing.T) {
	r := selection.DefaultRules()
	r.Exclusions = append(r.Exclusions, selection.CoolingOffRule(6))
	req := request(1)
	req.Criteria = `"materials" in expert.Fields`
	req.Quotas = []selection.Quota{
		{Name: "former", Filter: `expert.Past[0].Org != "P1"`}, // fails on experts without a former unit
		{Name: "many-credentials", Filter: `len(expert.Credentials) >= 2`},
	}
	req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}
	// filler is a candidate in every pool, so that every draw succeeds.
	filler := expert("ZZZ", "U9")
	filler.Past = []admission.Affiliation{{Org: "U8", Kind: admission.University}}
	rapid.Check(t, func(t *rapid.T) {
		pool := selection.Pool{Usage: map[string]int{}, History: map[string][]selection.Participation{}}
		for i := range rapid.IntRange(1, 8).Draw(t, "experts") {
			pool.Experts = append(pool.Experts, genScreened(t, fmt.Sprintf("X%02d", i), &pool))
		}
		pool.Experts = append(pool.Experts, filler)
		whole, err := selection.Draw(req, pool, testEntropy, r)
		require.NoError(t, err)
		require.Nil(t, exclusionOf(whole, filler.ID))
		for _, e := range pool.Experts[:len(pool.Experts)-1] {
			alone := pool
			alone.Experts = []admission.Expert{e, filler}
			res, err := selection.Draw(req, alone, testEntropy, r)
			require.NoError(t, err)
			require.Equal(t, exclusionOf(res, e.ID), exclusionOf(whole, e.ID), "expert %s", e.ID)
		}
	})
}
