package expertdb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/selection"
)

// countyOutside is a county that admits only experts from outside the county (region
// 330302 in testPool) and allows no enterprise expert on panels of fewer than 4.
const countyOutside = `request_rules:
  - name: outside
    article: Art. 13
    message: 只抽县外专家
    criteria: expert.Region != "330381"
  - name: no-enterprise
    message: 小专家组不要企业专家
    quotas: [{name: enterprise, filter: 'expert.Affiliation.Kind == "enterprise"', max_share: 1/4}]
`

// checkCountyHolds draws req under p and checks that no expert the county rules exclude is
// a candidate: every inside (330381, enterprise) expert is excluded.
func checkCountyHolds(t require.TestingT, applied selection.Request, sel *selection.Rules) {
	res, err := selection.Draw(applied, testPool(6, 6), entropy, sel)
	if err != nil {
		return // refused: nothing drawn
	}
	for _, pk := range res.Panel {
		require.True(t, strings.HasPrefix(pk.ExpertID, "WZ"), "inside expert %s on the panel", pk.ExpertID)
	}
	for _, pk := range res.Reserve {
		require.True(t, strings.HasPrefix(pk.ExpertID, "WZ"), "inside expert %s in the reserve", pk.ExpertID)
	}
}

// The injection of issue 13: request criteria that close the county's parenthesis.
func TestAttackCriteriaInjectionCannotCancelCountyRules(t *testing.T) {
	p := mustLoad(t, countyOutside)
	for _, crit := range []string{
		`true) || (true`,
		`true ) || ( true`,
		"true) ||\n(true",
		`true || true`,
		`!false`,
		`true) || (true) || (true`,
		`expert.Region == "330381") || (true`,
	} {
		req := testRequest(3)
		req.Criteria = crit
		applied, err := p.Apply(req)
		require.NoError(t, err, crit)
		assert.Equal(t, crit, applied.Criteria, "criteria are never rewritten")
		require.Len(t, applied.Conditions, 2)
		checkCountyHolds(t, applied, p.Selection)
		if res, err := selection.Draw(applied, testPool(6, 6), entropy, p.Selection); err == nil {
			for _, ex := range res.Excluded {
				if strings.HasPrefix(ex.ExpertID, "RA") {
					assert.Equal(t, "criteria", ex.Code, crit)
				}
			}
		}
	}
}

// A submitted request may not bring its own conditions: they would be compiled over the full
// view, whatever its author may see.
func TestApplyRefusesSubmittedConditions(t *testing.T) {
	p := mustLoad(t, countyOutside)
	req := testRequest(3)
	req.Conditions = []selection.Condition{{Rule: "x", Expr: "true"}}
	_, err := p.Apply(req)
	var ae interface{ Error() string }
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, err.Error(), "conditions-reserved")
}

var criteriaTokens = []string{"true", "false", "(", ")", "||", "&&", "!", " ", "\n", `expert.Region == "330381"`,
	`expert.Region != "330302"`, `"enterprise" in [expert.Affiliation.Kind]`, "//", "/*", "*/", `"`, "#", "1", "==", "?", ":", ";", "let x = true;", "x"}

// Invariant: for any request criteria text, the applied rule set is never weaker than the
// county's: whatever the draw does, no expert a county rule excludes is a candidate.
func TestPropertyAppliedRulesNeverWeakerThanCounty(t *testing.T) {
	p := mustLoad(t, countyOutside)
	rapid.Check(t, func(t *rapid.T) {
		var b strings.Builder
		for _, tok := range rapid.SliceOfN(rapid.SampledFrom(criteriaTokens), 0, 12).Draw(t, "tokens") {
			b.WriteString(tok)
		}
		req := testRequest(3)
		req.Criteria = b.String()
		applied, err := p.Apply(req)
		require.NoError(t, err)
		require.Equal(t, req.Criteria, applied.Criteria)
		require.Len(t, applied.Conditions, 2)
		checkCountyHolds(t, applied, p.Selection)
	})
}

// Non-determinism of issue 13: a county rule reading the clock (now()) would make replays of
// the same record disagree. Every rule site of a profile refuses it at load time, at the line
// and column of the call.
func TestAttackClockRefusedInCountyRules(t *testing.T) {
	for _, c := range []struct {
		body string
		line int
	}{
		{"selection:\n  exclusions:\n    - name: weekday\n      message: 周末不抽\n      expr: 'now().Weekday() != 0'\n", 5},
		{"admission:\n  basic:\n    - name: age\n      expr: 'age <= 65 && now().Year() > 2000'\n", 4},
		{"request_rules:\n  - name: r\n    message: m\n    criteria: 'date(expert.Region).Year() > 0'\n", 4},
		{"request_rules:\n  - name: r\n    message: m\n    when: 'len(toJSON(request)) > 0'\n    criteria: 'true'\n", 4},
		{"selection:\n  exclusions:\n    - name: big\n      message: m\n      expr: 'len(map(1..1000, map(1..1000, #))) > 0'\n", 5},
	} {
		errs := loadErrors(t, "name: 测试细则\nregion: \"330381\"\n"+c.body)
		require.NotEmpty(t, errs, c.body)
		assert.Equal(t, "expression", errs[0].Code, c.body)
		assert.Equal(t, c.line+2, errs[0].Line, c.body)
		assert.Positive(t, errs[0].Column, c.body)
	}
}
