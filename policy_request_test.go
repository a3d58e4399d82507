package expertdb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// keyProject is the rule of the issue: at least half of a key project's panel from outside
// the county.
const keyProject = `request_rules:
  - name: key-project-outside-county
    message: 重点项目评审专家组中县外专家不少于半数
    when: '"key-project" in request.Labels'
    quotas:
      - {name: outside-county, filter: 'expert.Region != "330381"', min_share: 1/2}
`

func TestApplyMinShareRoundsUp(t *testing.T) {
	p := mustLoad(t, keyProject)
	for size, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 5, 15: 8} {
		out, err := p.Apply(testRequest(size), "key-project")
		require.NoError(t, err)
		require.Len(t, out.Quotas, 1)
		assert.Equal(t, selection.Quota{Name: "key-project-outside-county/outside-county",
			Filter: `expert.Region != "330381"`, Min: want}, out.Quotas[0], "size %d", size)
	}
}

func TestApplyOnlyWhenTheRuleHolds(t *testing.T) {
	p := mustLoad(t, keyProject)
	req := testRequest(5)
	for _, labels := range [][]string{nil, {"ordinary"}, {"Key-Project"}} {
		out, err := p.Apply(req, labels...)
		require.NoError(t, err)
		assert.Equal(t, req, out, "labels %q", labels)
	}
}

func TestApplyRequestEnvironment(t *testing.T) {
	p := mustLoad(t, `request_rules:
  - name: local-large
    message: 本县项目5人以上专家组每单位至多一人
    when: request.Project.Region == policy.Region && request.Size >= 5 && request.Year == 2026 && policy.Name != "" && len(request.Quotas) == 0
    groups: [{name: per-unit, key: expert.Affiliation.Org, max: 1}]
`)
	out, err := p.Apply(testRequest(5))
	require.NoError(t, err)
	assert.Equal(t, []selection.GroupCap{{Name: "local-large/per-unit", Key: "expert.Affiliation.Org", Max: 1}}, out.Groups)

	for name, req := range map[string]selection.Request{
		"small panel": testRequest(4),
		"other region": func() selection.Request {
			r := testRequest(5)
			r.Project.Region = "330302"
			return r
		}(),
		"own quota": func() selection.Request {
			r := testRequest(5)
			r.Quotas = []selection.Quota{{Name: "econ", Filter: `"economic" in expert.Categories`, Min: 1}}
			return r
		}(),
	} {
		out, err := p.Apply(req)
		require.NoError(t, err)
		assert.Equal(t, req.Groups, out.Groups, name)
	}
}

func TestApplyJoinsCriteria(t *testing.T) {
	p := mustLoad(t, `request_rules:
  - {name: senior, message: 专家须具有副高级及以上职称, criteria: expert.Title >= AssociateSenior}
`)
	req := testRequest(3)
	out, err := p.Apply(req)
	require.NoError(t, err)
	senior := []selection.Condition{{Rule: "senior", Article: "Art. 13", Expr: "expert.Title >= AssociateSenior"}}
	assert.Empty(t, out.Criteria)
	assert.Equal(t, senior, out.Conditions)

	req.Criteria = `"materials" in expert.Fields`
	out, err = p.Apply(req)
	require.NoError(t, err)
	assert.Equal(t, `"materials" in expert.Fields`, out.Criteria, "the request's criteria are not rewritten")
	assert.Equal(t, senior, out.Conditions)
	_, err = selection.Prepare(out, p.Selection)
	require.NoError(t, err, "criteria and conditions compile")
}

func TestApplyMaxShare(t *testing.T) {
	p := mustLoad(t, `request_rules:
  - name: government-share
    message: 机关事业单位专家不超过专家组人数的四分之一
    quotas: [{name: government, filter: expert.Affiliation.Kind == "government", max_share: 1/4}]
`)
	out, err := p.Apply(testRequest(8))
	require.NoError(t, err)
	assert.Equal(t, []selection.Quota{{Name: "government-share/government", Filter: `expert.Affiliation.Kind == "government"`, Max: 2}}, out.Quotas)

	// A quarter of 3 is 0: no government expert at all, which a quota cannot say (Max 0 is
	// "no bound"), so the criteria exclude them.
	out, err = p.Apply(testRequest(3))
	require.NoError(t, err)
	assert.Empty(t, out.Quotas)
	assert.Empty(t, out.Criteria)
	assert.Equal(t, []selection.Condition{{Rule: "government-share/government", Article: "Art. 13", Expr: `expert.Affiliation.Kind == "government"`, Negate: true}}, out.Conditions)
}

func TestApplyRefusesAContradiction(t *testing.T) {
	p := mustLoad(t, `request_rules:
  - name: r
    message: m
    quotas: [{name: q, filter: 'expert.Region == "330381"', min: 1, max_share: 1/4}]
`)
	_, err := p.Apply(testRequest(3))
	var ae *expertdb.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "request-rule-contradiction", ae.Code)
	assert.Equal(t, "Art. 13", ae.Article)
	assert.Contains(t, ae.Message, "3人")
	_, err = p.Apply(testRequest(4))
	require.NoError(t, err)
}

func TestApplyRefusesARequestAlreadyApplied(t *testing.T) {
	p := mustLoad(t, keyProject)
	once, err := p.Apply(testRequest(6), "key-project")
	require.NoError(t, err)
	_, err = p.Apply(once, "key-project")
	var ae *expertdb.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "already-applied", ae.Code)
	assert.ErrorIs(t, err, selection.ErrInvalidRequest)
}

func TestApplyFailsClosed(t *testing.T) {
	p := mustLoad(t, `request_rules:
  - {name: r, message: m, when: 'request.Labels[2] == "x"', criteria: 'true'}
`)
	_, err := p.Apply(testRequest(3), "only-one")
	var ae *expertdb.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "request-rule-error", ae.Code)
	assert.Equal(t, "r", ae.Rule)
	assert.ErrorIs(t, err, rule.ErrEval)
	assert.ErrorIs(t, err, selection.ErrInvalidRequest)
	assert.True(t, strings.HasPrefix(err.Error(), "expertdb: "))
}

func TestApplyDoesNotModifyItsInput(t *testing.T) {
	p := mustLoad(t, keyProject+`  - name: per-unit
    message: 每单位至多一人
    groups: [{name: unit, key: expert.Affiliation.Org, max: 1}]
`)
	req := testRequest(6)
	req.Quotas = make([]selection.Quota, 1, 4) // spare capacity an append could write into
	req.Quotas[0] = selection.Quota{Name: "econ", Filter: "true", Min: 1}
	req.Groups = make([]selection.GroupCap, 0, 4)
	before := req
	out, err := p.Apply(req, "key-project")
	require.NoError(t, err)
	assert.Len(t, out.Quotas, 2)
	assert.Len(t, out.Groups, 1)
	assert.Equal(t, before, req)
	assert.Equal(t, []selection.Quota{{Name: "econ", Filter: "true", Min: 1}}, req.Quotas[:1])
	assert.Equal(t, selection.Quota{}, req.Quotas[:2][1], "the caller's backing array is untouched")
}

func TestAppliedRequestDrawsHalfFromOutside(t *testing.T) {
	p := mustLoad(t, keyProject)
	pool := testPool(14, 4)
	for round := range 20 {
		e := selection.Entropy{Sources: [][]uint64{{uint64(round)}, {7, 11}}}
		req, err := p.Apply(testRequest(6), "key-project")
		require.NoError(t, err)
		res, err := selection.Draw(req, pool, e, p.Selection)
		require.NoError(t, err)
		outside := 0
		for _, pick := range res.Panel {
			if strings.HasPrefix(pick.ExpertID, "WZ") {
				outside++
			}
		}
		assert.GreaterOrEqual(t, outside, 3, "entropy %d", round)
	}
}
