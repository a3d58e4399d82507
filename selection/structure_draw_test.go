package selection_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// sixteenFieldDraw is issue 15's case: 16 "at least 1" quotas (one per field) on a panel of
// 8, no group caps; 60 experts with two fields each, 8 of whom cover all 16.
func sixteenFieldDraw() (selection.Request, selection.Pool) {
	x := uint64(0x9E3779B97F4A7C15)
	next := func(k int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(k))
	}
	perm := []int{3, 14, 7, 0, 11, 5, 9, 12, 1, 15, 6, 10, 2, 8, 13, 4}
	req := request(8)
	for i := range 16 {
		req.Quotas = append(req.Quotas, selection.Quota{Name: fmt.Sprintf("field-%02d", i), Filter: fmt.Sprintf(`"f%02d" in expert.Tags`, i), Min: 1})
	}
	p := selection.Pool{Usage: map[string]int{}}
	for j := range 60 {
		a, b := 0, 0
		if j < 8 {
			a, b = perm[2*j], perm[2*j+1]
		} else {
			a = next(16)
			b = (a + 1 + next(15)) % 16
		}
		e := expert(fmt.Sprintf("F%03d", j), fmt.Sprintf("U%02d", j))
		e.Tags = []string{fmt.Sprintf("f%02d", a), fmt.Sprintf("f%02d", b)}
		p.Experts = append(p.Experts, e)
	}
	return req, p
}

// Attack (issue 15, item 10): obviously feasible, yet refused with ErrSearchBound.
func TestSixteenFieldQuotasDraw(t *testing.T) {
	req, p := sixteenFieldDraw()
	res, err := selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	require.Len(t, res.Panel, 8)
	covered := map[string]bool{}
	for _, e := range panelExpertsOf(p, res) {
		for _, tag := range e.Tags {
			covered[tag] = true
		}
	}
	assert.Len(t, covered, 16)
}

func panelExpertsOf(p selection.Pool, res *selection.Result) []admission.Expert {
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

// When the bound is reached, the error says what to change, in Chinese: the overlapping
// quotas by name, crossing group caps, and the search_bound setting.
func TestSearchBoundErrorSaysWhatToChange(t *testing.T) {
	req, p := sixteenFieldDraw()
	req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}, {Name: "region", Key: "expert.Region", Max: 8}}
	for i := range p.Experts {
		p.Experts[i].Region = []string{"330302", "330303"}[i%2]
	}
	r := selection.DefaultRules()
	r.SearchBound = 50
	_, err := selection.Draw(req, p, testEntropy, r)
	require.ErrorIs(t, err, selection.ErrSearchBound)
	var se *selection.Error
	require.True(t, errors.As(err, &se))
	assert.Equal(t, "Art. 13", se.Article)
	assert.Equal(t, "search-bound", se.Code)
	assert.Contains(t, se.Message, "“field-00”")
	assert.Contains(t, se.Message, "分组上限")
	assert.Contains(t, se.Message, "search_bound")
}

// Disjoint quotas on the unit (U0, U1, U2 are disjoint) with one group cap on the region:
// the flow path. It agrees with brute force on every small case.
var disjointFilters = []int{len(filterDefs), len(filterDefs) + 1, len(filterDefs) + 2}

func init() {
	for _, u := range []string{"U1", "U2", "U3"} {
		filterDefs = append(filterDefs, filterDef{`expert.Affiliation.Org == "` + u + `"`,
			func(e admission.Expert) bool { return e.Affiliation.Org == u }})
	}
}

func TestFlowPathAgreesWithBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "experts")
		c := smallCase{pool: selection.Pool{Usage: map[string]int{}}}
		for i := range n {
			c.pool.Experts = append(c.pool.Experts, genExpert(t, fmt.Sprintf("X%02d", i)))
		}
		c.req = request(rapid.IntRange(1, 6).Draw(t, "size"))
		fs := append([]int{1}, disjointFilters...) // U0, U1, U2, U3: pairwise disjoint
		nq := rapid.IntRange(0, 4).Draw(t, "quotas")
		for i, f := range rapid.Permutation(fs).Draw(t, "filters")[:nq] {
			lo := rapid.IntRange(0, 3).Draw(t, "min")
			hi := 0
			if rapid.Bool().Draw(t, "bounded") {
				hi = rapid.IntRange(max(lo, 1), 4).Draw(t, "max")
			}
			c.quotas = append(c.quotas, f)
			c.req.Quotas = append(c.req.Quotas, selection.Quota{Name: fmt.Sprintf("q%d", i), Filter: filterDefs[f].expr, Min: lo, Max: hi})
		}
		if rapid.Bool().Draw(t, "group") {
			c.groups = []int{1} // region
			c.req.Groups = []selection.GroupCap{{Name: "region", Key: groupDefs[1].expr, Max: rapid.IntRange(1, 3).Draw(t, "cap")}}
		}
		c.entropy = selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		res, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		if c.bruteForce() {
			require.NoError(t, err)
			require.True(t, c.meets(panelExperts(c.pool, res)), "panel %v breaks the structure", res.Panel)
		} else {
			require.ErrorIs(t, err, selection.ErrInfeasible)
		}
	})
}
