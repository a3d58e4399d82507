package expertdb_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

func TestDefaultPolicyIsTheWenzhouMeasures(t *testing.T) {
	p := expertdb.DefaultPolicy()
	assert.Equal(t, expertdb.WenzhouMeasures2024, p.Base)
	assert.Equal(t, "330300", p.Region)
	assert.Equal(t, "温科发〔2024〕2号", p.Filing)
	y, m, d := p.Effective.Date()
	assert.Equal(t, []int{2024, 3, 27}, []int{y, int(m), d})
	assert.Empty(t, p.Changes())
	assert.Empty(t, p.RequestRules)

	// The defaults of every package.
	assert.Equal(t, 10, p.Selection.AnnualCap)
	assert.Equal(t, selection.Fraction{Num: 1, Den: 3}, p.Selection.PreferentialShare)
	assert.Equal(t, evaluation.Ratio{Num: 3, Den: 10}, p.Evaluation.Threshold)
	assert.Equal(t, 12, p.Conflict.FormerUnitMonths)
	assert.Equal(t, audit.DefaultPermissionRules(), p.Permissions)
	assert.Equal(t, audit.DefaultAlertRules(), p.Alerts)
	assert.True(t, p.Admission.Compiled())

	// Selection shares the Policy's rules, so an edit reaches the draw.
	assert.Same(t, p.Admission, p.Selection.Admission)
	assert.Same(t, p.Conflict, p.Selection.Conflict)
	assert.Same(t, p.Evaluation, p.Selection.Evaluation)
}

func TestDefaultPolicyReturnsAFreshValue(t *testing.T) {
	a, b := expertdb.DefaultPolicy(), expertdb.DefaultPolicy()
	a.Selection.AnnualCap = 3
	a.Admission.Basic = a.Admission.Basic[:1]
	a.Conflict.UnitAliases["x"] = "y"
	assert.Equal(t, 10, b.Selection.AnnualCap)
	assert.Len(t, b.Admission.Basic, 5)
	assert.NotContains(t, b.Conflict.UnitAliases, "x")
}

func TestCompileLinksSelectionToThePolicysRules(t *testing.T) {
	p := expertdb.DefaultPolicy()
	p.Selection = &selection.Rules{AnnualCap: 10, PreferentialShare: selection.Fraction{Num: 1, Den: 3}}
	require.NoError(t, p.Compile())
	assert.Same(t, p.Admission, p.Selection.Admission)
	assert.Same(t, p.Conflict, p.Selection.Conflict)
	assert.Same(t, p.Evaluation, p.Selection.Evaluation)

	p.Selection.Conflict = conflict.DefaultRules() // someone else's rules: refused
	err := p.Compile()
	require.Error(t, err)
	pes := policyErrors(t, err)
	require.Len(t, pes, 1)
	assert.Equal(t, "selection", pes[0].Path)
	assert.Equal(t, "value", pes[0].Code)
}

func TestCompileReportsEveryPart(t *testing.T) {
	p := expertdb.DefaultPolicy()
	p.Name = " "
	p.Region = "330106" // Hangzhou: not a Wenzhou county
	p.Base = "某省办法"
	p.Admission.Basic = append(p.Admission.Basic, admission.DefaultRules().Basic[0]) // duplicate name
	p.Conflict.MaxAvoidances = 0
	p.Evaluation.Threshold = evaluation.Ratio{Num: 3, Den: 0}
	p.Selection.AnnualCap = -1
	p.Selection.PreferentialShare = selection.Fraction{Num: 2, Den: 1}
	p.Permissions.Allow = append(p.Permissions.Allow, p.Permissions.Allow[0])
	p.Alerts = append(p.Alerts, audit.AlertRule{Name: "x", Match: "event.Nope"})
	p.RequestRules = []expertdb.RequestRule{{Name: "r", Message: "m", When: "request.Nope", Criteria: "true"}}
	err := p.Compile()
	require.Error(t, err)
	paths := map[string]string{}
	for _, pe := range policyErrors(t, err) {
		paths[pe.Path] = pe.Code
	}
	assert.Equal(t, map[string]string{
		"name": "missing", "region": "value", "base": "value", "admission": "invalid",
		"conflict.max_avoidances": "invalid", "evaluation": "invalid",
		"selection.annual_cap": "value", "selection.preferential_share": "value",
		"permissions": "invalid", "alerts": "invalid", "request_rules[r]": "expression",
	}, paths)
}

func TestCompileAfterEditTakesEffect(t *testing.T) {
	p := expertdb.DefaultPolicy()
	p.RequestRules = []expertdb.RequestRule{{Name: "outside", Article: "Art. 13", Message: "县外专家不少于半数",
		Quotas: []expertdb.RequestQuota{{Name: "q", Filter: `expert.Region != "330381"`, MinShare: selection.Fraction{Num: 1, Den: 2}}}}}
	req := testRequest(5)
	out, err := p.Apply(req)
	require.NoError(t, err)
	assert.Empty(t, out.Quotas, "Apply uses the rules of the last Compile")
	require.NoError(t, p.Compile())
	out, err = p.Apply(req)
	require.NoError(t, err)
	require.Len(t, out.Quotas, 1)
	assert.Equal(t, selection.Quota{Name: "outside/q", Filter: `expert.Region != "330381"`, Min: 3}, out.Quotas[0])
}

func TestApplyWithoutCompileRefuses(t *testing.T) {
	var p expertdb.Policy
	_, err := p.Apply(testRequest(3))
	var ae *expertdb.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "policy-not-compiled", ae.Code)
	assert.ErrorIs(t, err, selection.ErrInvalidRequest)
}

func TestLoadedPolicyDrawsWithItsOwnRules(t *testing.T) {
	p := mustLoad(t, "selection: {annual_cap: 8}\n")
	pool := testPool(4, 4)
	pool.Usage["RA00"] = 8
	pool.Usage["WZ00"] = 9
	res, err := selection.Draw(testRequest(3), pool, entropy, p.Selection)
	require.NoError(t, err)
	codes := map[string]string{}
	for _, x := range res.Excluded {
		codes[x.ExpertID] = x.Code
	}
	assert.Equal(t, map[string]string{"RA00": "annual-cap", "WZ00": "annual-cap"}, codes)

	city, err := selection.Draw(testRequest(3), pool, entropy, expertdb.DefaultPolicy().Selection)
	require.NoError(t, err)
	assert.Empty(t, city.Excluded, "8 and 9 participations are under the city cap of 10")
}

func TestChangeString(t *testing.T) {
	for _, tc := range []struct {
		c    expertdb.Change
		want string
	}{
		{expertdb.Change{Path: "selection.annual_cap", Article: "Art. 14(1)", Kind: expertdb.ChangeSet, Old: "10", New: "8", Line: 7},
			"selection.annual_cap (Art. 14(1)): 10 → 8 [line 7]"},
		{expertdb.Change{Path: "conflict.clause5[x]", Kind: expertdb.ChangeAdd, New: "a\n  && b"},
			"conflict.clause5[x]: added a && b"},
		{expertdb.Change{Path: "admission.basic[age]", Article: "Art. 5(1)2", Kind: expertdb.ChangeRemove, Old: "age <= 65"},
			"admission.basic[age] (Art. 5(1)2): removed age <= 65"},
	} {
		assert.Equal(t, tc.want, tc.c.String())
	}
}

func TestPolicyErrorFormat(t *testing.T) {
	pe := &expertdb.PolicyError{Path: "selection.annual_cap", Line: 5, Column: 15, Code: "type", Message: "应为整数",
		Snippet: "\n | x\n | ^", Err: errors.New("inner")}
	assert.Equal(t, "expertdb: policy: line 5, column 15: selection.annual_cap: type: 应为整数\n | x\n | ^", pe.Error())
	assert.ErrorIs(t, pe, expertdb.ErrInvalidPolicy)
	assert.Equal(t, "inner", errors.Unwrap(pe).Error())
	assert.Equal(t, "expertdb: policy: too-large: x", (&expertdb.PolicyError{Code: "too-large", Message: "x"}).Error())
}

func TestEffectiveDateIsChinaStandardTime(t *testing.T) {
	p := mustLoad(t, "effective: 2026-01-01\n")
	assert.True(t, p.Effective.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)))
}

func TestFailedCompileMakesApplyRefuse(t *testing.T) {
	p := mustLoad(t, keyProject)
	_, err := p.Apply(testRequest(4), "key-project")
	require.NoError(t, err)
	p.Selection.AnnualCap = -1
	require.Error(t, p.Compile())
	_, err = p.Apply(testRequest(4), "key-project")
	var ae *expertdb.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "policy-not-compiled", ae.Code)
}
