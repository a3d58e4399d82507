package selection_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// drawBombs are expressions that pass the load-time checks and must be stopped by the meter.
var drawBombs = map[string]string{
	"doubling":       `reduce(1..40, #acc + #acc, "x") != ""`,
	"nested-ranges":  `len(map(1..((len(expert.Affiliation.Org) + 1) * 1000), map(1..((len(expert.Affiliation.Org) + 1) * 1000), #))) > 0`,
	"let-chain":      `let a = expert.Affiliation.Org + "0123456789abcdef"; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; let h = g + g; let i = h + h; let j = i + i; let k = j + j; len(k + k + k + k) > 0`,
	"loop-over-data": `all(expert.Categories, all(1..((len(expert.Affiliation.Org)+1) * 10000), all(1..((len(expert.Affiliation.Org)+1) * 10000), true)))`,
}

// TestBombsAtEveryDrawSite: a bomb in the criteria, a quota filter, a group key, a county
// condition or a county exclusion rule refuses the whole draw, naming the rule, with an error
// wrapping rule.ErrBudget, allocating less than 16 MiB.
func TestBombsAtEveryDrawSite(t *testing.T) {
	sites := map[string]func(src string) (selection.Request, *selection.Rules, string){
		"criteria": func(src string) (selection.Request, *selection.Rules, string) {
			r := exampleRequest()
			r.Criteria = src
			return r, nil, "criteria"
		},
		"quota": func(src string) (selection.Request, *selection.Rules, string) {
			r := exampleRequest()
			r.Quotas = append(r.Quotas, selection.Quota{Name: "bomb", Filter: src, Max: 3})
			return r, nil, "quota:bomb"
		},
		"group": func(src string) (selection.Request, *selection.Rules, string) {
			r := exampleRequest()
			r.Groups = append(r.Groups, selection.GroupCap{Name: "bomb", Key: src, Max: 3})
			return r, nil, "group:bomb"
		},
		"condition": func(src string) (selection.Request, *selection.Rules, string) {
			r := exampleRequest()
			r.Conditions = []selection.Condition{{Rule: "county", Article: "Art. 13", Expr: src}}
			return r, nil, "condition:county"
		},
		"admission": func(src string) (selection.Request, *selection.Rules, string) {
			rs := selection.DefaultRules()
			rs.Admission.Drawable = append(rs.Admission.Drawable, rule.Rule{Name: "bomb", Article: "Art. 14(3)", Expr: src, Message: "x"})
			if err := rs.Admission.Compile(); err != nil {
				panic(err)
			}
			return exampleRequest(), rs, "bomb"
		},
		"exclusion": func(src string) (selection.Request, *selection.Rules, string) {
			rs := selection.DefaultRules()
			rs.Exclusions = append(rs.Exclusions, rule.Rule{Name: "bomb", Article: "Art. 15(5)", Expr: src, Message: "x"})
			return exampleRequest(), rs, "bomb"
		},
	}
	for site, mk := range sites {
		for name, src := range drawBombs {
			t.Run(site+"/"+name, func(t *testing.T) {
				req, rs, ruleName := mk(src)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				_, err := selection.Draw(req, examplePool(), testEntropy, rs)
				runtime.ReadMemStats(&after)
				require.ErrorIs(t, err, rule.ErrBudget)
				require.ErrorIs(t, err, rule.ErrEval)
				require.ErrorIs(t, err, selection.ErrInvalidRequest)
				var se *selection.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, "expression-budget", se.Code)
				var ee *rule.EvalError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, ruleName, ee.Rule)
				assert.NotEmpty(t, ee.Article)
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated")
			})
		}
	}
}

// TestDrawMeterTotal: expressions that each fit their own budget still share the draw's
// total (Rules.ExprBudget): about 4,000 steps and cells per expert exceed a total of 200,000
// over 60 experts, and the draw is refused; over 30 experts they do not.
func TestDrawMeterTotal(t *testing.T) {
	req := request(3)
	req.Criteria = `all(1..1000, # > 0)`
	rs := selection.DefaultRules()
	rs.ExprBudget = 200_000
	_, err := selection.Draw(req, pool(30, 10), testEntropy, rs)
	require.NoError(t, err)
	_, err = selection.Draw(req, pool(60, 10), testEntropy, rs)
	require.ErrorIs(t, err, rule.ErrBudget)
	var ee *rule.EvalError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "criteria", ee.Rule)
}
