package selection_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// attribute filters with a Go twin, for brute force.
type filterDef struct {
	expr  string
	match func(admission.Expert) bool
}

var filterDefs = []filterDef{
	{`"economic" in expert.Categories`, func(e admission.Expert) bool { return slices.Contains(e.Categories, admission.Economic) }},
	{`expert.Affiliation.Org == "U0"`, func(e admission.Expert) bool { return e.Affiliation.Org == "U0" }},
	{`expert.Region == "330302"`, func(e admission.Expert) bool { return e.Region == "330302" }},
	{`expert.Title >= AssociateSenior`, func(e admission.Expert) bool { return e.Title >= admission.AssociateSenior }},
	{`expert.Affiliation.Kind == "enterprise"`, func(e admission.Expert) bool { return e.Affiliation.Kind == admission.Enterprise }},
}

var groupDefs = []filterKey{
	{`expert.Affiliation.Org`, func(e admission.Expert) string { return e.Affiliation.Org }},
	{`expert.Region`, func(e admission.Expert) string { return e.Region }},
}

type filterKey struct {
	expr string
	key  func(admission.Expert) string
}

type smallCase struct {
	req     selection.Request
	pool    selection.Pool
	quotas  []int // index into filterDefs per quota
	groups  []int // index into groupDefs per group
	entropy selection.Entropy
}

func genExpert(t *rapid.T, id string) admission.Expert {
	cats := []admission.Category{admission.Technical}
	if rapid.Bool().Draw(t, "econ") {
		cats = append(cats, admission.Economic)
	}
	e := expert(id, fmt.Sprintf("U%d", rapid.IntRange(0, 3).Draw(t, "unit")), cats...)
	e.Credentials = append(e.Credentials, admission.Credential{Kind: "senior-qualification"})
	e.Region = []string{"330302", "330303"}[rapid.IntRange(0, 1).Draw(t, "region")]
	e.Title = admission.TitleLevel(rapid.IntRange(2, 4).Draw(t, "title"))
	if rapid.Bool().Draw(t, "enterprise") {
		e.Affiliation.Kind = admission.Enterprise
	}
	return e
}

func genSmallCase(t *rapid.T, maxExperts int) smallCase {
	n := rapid.IntRange(0, maxExperts).Draw(t, "experts")
	c := smallCase{pool: selection.Pool{Usage: map[string]int{}}}
	for i := range n {
		c.pool.Experts = append(c.pool.Experts, genExpert(t, fmt.Sprintf("X%02d", i)))
	}
	c.req = request(rapid.IntRange(1, 6).Draw(t, "size"))
	nq := rapid.IntRange(0, 3).Draw(t, "quotas")
	for i := range nq {
		f := rapid.IntRange(0, len(filterDefs)-1).Draw(t, "filter")
		lo := rapid.IntRange(0, 3).Draw(t, "min")
		hi := 0
		if rapid.Bool().Draw(t, "bounded") {
			hi = rapid.IntRange(max(lo, 1), 4).Draw(t, "max")
		}
		c.quotas = append(c.quotas, f)
		c.req.Quotas = append(c.req.Quotas, selection.Quota{Name: fmt.Sprintf("q%d", i), Filter: filterDefs[f].expr, Min: lo, Max: hi})
	}
	ng := rapid.IntRange(0, 2).Draw(t, "groups")
	for i := range ng {
		c.groups = append(c.groups, i)
		c.req.Groups = append(c.req.Groups, selection.GroupCap{Name: fmt.Sprintf("g%d", i), Key: groupDefs[i].expr, Max: rapid.IntRange(1, 2).Draw(t, "cap")})
	}
	c.entropy = selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
	return c
}

// meets reports whether the panel (expert IDs) meets every quota and cap of c.
func (c smallCase) meets(panel []admission.Expert) bool {
	if len(panel) != c.req.Size {
		return false
	}
	for i, q := range c.req.Quotas {
		n := 0
		for _, e := range panel {
			if filterDefs[c.quotas[i]].match(e) {
				n++
			}
		}
		if n < q.Min || (q.Max > 0 && n > q.Max) {
			return false
		}
	}
	for i, g := range c.req.Groups {
		count := map[string]int{}
		for _, e := range panel {
			if k := groupDefs[c.groups[i]].key(e); k != "" {
				count[k]++
				if count[k] > g.Max {
					return false
				}
			}
		}
	}
	return true
}

// bruteForce reports whether some subset of the pool meets c.
func (c smallCase) bruteForce() bool {
	n := len(c.pool.Experts)
	for m := 0; m < 1<<n; m++ {
		if popcount(m) != c.req.Size {
			continue
		}
		var panel []admission.Expert
		for i := range n {
			if m&(1<<i) != 0 {
				panel = append(panel, c.pool.Experts[i])
			}
		}
		if c.meets(panel) {
			return true
		}
	}
	return false
}

func popcount(m int) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

func panelExperts(p selection.Pool, res *selection.Result) []admission.Expert {
	var out []admission.Expert
	for _, pk := range res.Panel {
		for _, e := range p.Experts {
			if e.ID == pk.ExpertID {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestDrawSucceedsExactlyWhenBruteForceFindsAPanel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSmallCase(t, 12)
		res, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		want := c.bruteForce()
		if want {
			require.NoError(t, err)
			require.True(t, c.meets(panelExperts(c.pool, res)), "panel %v breaks the structure", res.Panel)
		} else {
			require.ErrorIs(t, err, selection.ErrInfeasible)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			require.NotEmpty(t, se.Constraints)
		}
	})
}

// feasibleCase draws a small case and keeps it only when brute force finds a panel.
func feasibleCase(t *rapid.T, maxExperts int) smallCase {
	c := genSmallCase(t, maxExperts)
	if !c.bruteForce() {
		t.Skip("infeasible case")
	}
	return c
}

func TestDrawIsDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := feasibleCase(t, 12)
		a, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		require.NoError(t, err)
		b, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		require.NoError(t, err)
		require.Equal(t, a, b)
	})
}

func TestDrawIgnoresPoolOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := feasibleCase(t, 12)
		a, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		require.NoError(t, err)
		perm := rapid.Permutation(c.pool.Experts).Draw(t, "order")
		shuffled := c.pool
		shuffled.Experts = perm
		b, err := selection.Draw(c.req, shuffled, c.entropy, nil)
		require.NoError(t, err)
		require.Equal(t, a, b)
	})
}

func TestPanelHasNoDuplicates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := feasibleCase(t, 12)
		res, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, pk := range append(slices.Clone(res.Panel), res.Reserve...) {
			require.False(t, seen[pk.ExpertID], "%s twice", pk.ExpertID)
			seen[pk.ExpertID] = true
		}
		require.Len(t, res.Panel, c.req.Size)
	})
}

func TestQuotasAndCapsAlwaysMet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSmallCase(t, 40)
		res, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		if errors.Is(err, selection.ErrInfeasible) {
			t.Skip("infeasible")
		}
		require.NoError(t, err)
		require.True(t, c.meets(panelExperts(c.pool, res)))
	})
}

func TestPanelNeverHoldsConflictedOverCapInactiveOrIneligibleExperts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "experts")
		p := selection.Pool{Usage: map[string]int{}}
		for i := range n {
			e := genExpert(t, fmt.Sprintf("X%02d", i))
			e.Status = rapid.SampledFrom([]admission.Status{admission.Active, admission.Active, admission.Pending, admission.Exited}).Draw(t, "status")
			if rapid.IntRange(0, 4).Draw(t, "old") == 0 {
				e.BirthDate = time.Date(1955, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			p.Usage[e.ID] = rapid.IntRange(0, 12).Draw(t, "usage")
			p.Experts = append(p.Experts, e)
		}
		req := request(rapid.IntRange(1, 5).Draw(t, "size"))
		req.Project.Leader.ID = fmt.Sprintf("X%02d", rapid.IntRange(0, n-1).Draw(t, "leader"))
		res, err := selection.Draw(req, p, selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}, nil)
		if errors.Is(err, selection.ErrInfeasible) {
			t.Skip("too few candidates")
		}
		require.NoError(t, err)
		for _, e := range panelExperts(p, res) {
			require.Equal(t, admission.Active, e.Status)
			require.Less(t, p.Usage[e.ID], 10)
			require.LessOrEqual(t, admission.Age(e.BirthDate, activity), 65)
			require.NotEqual(t, req.Project.Leader.ID, e.ID)
		}
	})
}

func TestPreferentialShareNeverAboveOneThird(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(3, 20).Draw(t, "experts")
		p := pool(n, n)
		p.Last = map[string]evaluation.Summary{}
		for _, e := range p.Experts {
			p.Last[e.ID] = excellent(e.ID)
		}
		req := request(rapid.IntRange(1, n).Draw(t, "size"))
		k := rapid.IntRange(0, min(n, req.Size)).Draw(t, "preferred")
		for _, e := range rapid.Permutation(p.Experts).Draw(t, "order")[:k] {
			req.Preferred = append(req.Preferred, e.ID)
		}
		req.Plan = plan()
		res, err := selection.Draw(req, p, testEntropy, nil)
		if k*3 > req.Size {
			require.ErrorIs(t, err, selection.ErrPreferential)
			return
		}
		require.NoError(t, err)
		pref := 0
		for _, pk := range res.Panel {
			if pk.Preferential {
				pref++
			}
		}
		require.Equal(t, k, pref)
		require.LessOrEqual(t, pref*3, len(res.Panel))
	})
}

func TestDifferentEntropyGivesADifferentPanel(t *testing.T) {
	p := pool(200, 200)
	seen := map[string]bool{}
	for i := range uint64(20) {
		res, err := selection.Draw(request(10), p, selection.Entropy{Sources: [][]uint64{{i}}}, nil)
		require.NoError(t, err)
		k := fmt.Sprint(ids(res.Panel))
		require.False(t, seen[k], "entropy %d repeats a panel", i)
		seen[k] = true
	}
}

// TestWithoutStructureEveryCandidateIsEquallyLikely runs a chi-square goodness-of-fit test
// on the selection counts of 12 candidates over 6000 seeded draws of 4: with 11 degrees of
// freedom the statistic stays below 31.26 (p = 0.001) for a uniform draw.
func TestWithoutStructureEveryCandidateIsEquallyLikely(t *testing.T) {
	const trials, n, size = 6000, 12, 4
	f, err := selection.Simulate(request(size), pool(n, n), nil, trials, 20250610)
	require.NoError(t, err)
	require.Len(t, f.Candidates, n)
	expected := float64(trials*size) / n
	chi2 := 0.0
	total := 0
	for _, c := range f.Candidates {
		d := float64(c.Count) - expected
		chi2 += d * d / expected
		total += c.Count
	}
	require.Equal(t, trials*size, total)
	require.Less(t, chi2, 31.26, "chi-square %.2f", chi2)
	require.InDelta(t, float64(size)/n, f.Mean, 1e-9)
	require.Less(t, f.Gini, 0.05)
}

func TestSimulateShowsInequalityFromQuotas(t *testing.T) {
	req := request(3)
	req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}}
	p := pool(12, 12)
	for i := range p.Experts { // only E000 stays economic
		if i > 0 {
			p.Experts[i].Categories = []admission.Category{admission.Technical}
		}
	}
	f, err := selection.Simulate(req, p, nil, 300, 7)
	require.NoError(t, err)
	assert.Equal(t, 1.0, f.Max)
	assert.Equal(t, "E000", f.Candidates[0].ExpertID)
	assert.Equal(t, 1.0, f.Candidates[0].Probability)
	assert.Greater(t, f.Gini, 0.1)
	assert.Len(t, f.Quantiles, len(selection.QuantilePoints))
	assert.Equal(t, f.Min, f.Quantiles[0])
	assert.Equal(t, f.Max, f.Quantiles[len(f.Quantiles)-1])
}
