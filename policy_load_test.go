package expertdb_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// ch is a change without line and article, for comparison.
type ch struct {
	Path string
	Kind expertdb.ChangeKind
	Old  string
	New  string
}

func changesOf(p *expertdb.Policy) []ch {
	var out []ch
	for _, c := range p.Changes() {
		out = append(out, ch{c.Path, c.Kind, c.Old, c.New})
	}
	return out
}

func TestLoadPolicyOverrides(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	born := func(years int) time.Time { return asOf.AddDate(-years, -1, 0) }
	for _, tc := range []struct {
		name  string
		body  string
		allow []string // city limits the test lets the profile loosen (Art. 13)
		want  []ch
		check func(t *testing.T, p *expertdb.Policy)
	}{
		{
			name: "identity",
			body: "filing: 瑞科〔2026〕5号\neffective: 2026-01-01\n",
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, "测试县科技专家库使用细则", p.Name)
				assert.Equal(t, "330381", p.Region)
				assert.Equal(t, "瑞科〔2026〕5号", p.Filing)
				assert.Equal(t, "2026-01-01", p.Effective.Format(time.DateOnly))
				assert.Equal(t, expertdb.WenzhouMeasures2024, p.Base)
			},
		},
		{
			name: "admission basic: change an expression, keep article and message",
			body: "admission:\n  basic:\n    - name: age\n      expr: age <= 63\n",
			want: []ch{{"admission.basic[age].expr", expertdb.ChangeSet, "age <= max(65, expert.RetirementAge)", "age <= 63"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				i := ruleIndex(p.Admission.Basic, "age")
				require.Equal(t, 2, i, "a replaced rule keeps its place")
				assert.Equal(t, "Art. 5(1)2", p.Admission.Basic[i].Article)
				assert.Equal(t, admission.DefaultRules().Basic[i].Message, p.Admission.Basic[i].Message)
				e := testExpert("E1", "330381", admission.University)
				e.BirthDate = born(64)
				assert.False(t, admission.Check(e, asOf, p.Admission).Eligible)
				assert.True(t, admission.Check(e, asOf, expertdb.DefaultPolicy().Admission).Eligible)
			},
		},
		{
			name: "admission basic: add a rule (article defaults to Art. 5(1))",
			body: "admission:\n  basic:\n    - {name: time-commitment, expr: 'hasCredential(\"time-commitment\")', message: 未提交时间精力保证}\n",
			want: []ch{{"admission.basic[time-commitment]", expertdb.ChangeAdd, "", `hasCredential("time-commitment")`}},
			check: func(t *testing.T, p *expertdb.Policy) {
				require.Len(t, p.Admission.Basic, 6)
				last := p.Admission.Basic[5]
				assert.Equal(t, rule.Rule{Name: "time-commitment", Article: "Art. 5(1)", Expr: `hasCredential("time-commitment")`, Message: "未提交时间精力保证"}, last)
				d := admission.Check(testExpert("E1", "330381", admission.University), asOf, p.Admission)
				assert.False(t, d.Eligible)
				assert.Equal(t, "time-commitment", d.Findings[0].Code)
			},
		},
		{
			name:  "admission basic: disable a rule, and its sweep exit goes with it",
			body:  "admission:\n  basic:\n    - {name: age, disabled: true}\n",
			allow: []string{"admission.basic[age]"},
			want: []ch{
				{"admission.basic[age]", expertdb.ChangeRemove, "age <= max(65, expert.RetirementAge)", ""},
				{"admission.sweep_exits[age]", expertdb.ChangeRemove, "no-longer-qualified", ""},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, -1, ruleIndex(p.Admission.Basic, "age"))
				assert.NotContains(t, p.Admission.SweepExits, "age")
				e := testExpert("E1", "330381", admission.University)
				e.BirthDate = born(70)
				assert.True(t, admission.Check(e, asOf, p.Admission).Eligible)
			},
		},
		{
			name: "admission professional: disable an alternative, add a category, disable a category",
			body: `admission:
  professional:
    economic:
      any_of: [{name: finance-dept-head, disabled: true}]
    strategy: {disabled: true}
    county-industry:
      article: Art. 13
      any_of: [{name: local-chief, expr: 'hasCredential("local-chief")', message: 本市规上企业技术负责人}]
`,
			want: []ch{
				{"admission.professional[economic].any_of[finance-dept-head]", expertdb.ChangeRemove, `hasCredential("finance-dept-head")`, ""},
				{"admission.professional[strategy]", expertdb.ChangeRemove, "战略咨询专家", ""},
				{"admission.professional[county-industry]", expertdb.ChangeAdd, "", "county-industry"},
				{"admission.professional[county-industry].any_of[local-chief]", expertdb.ChangeAdd, "", `hasCredential("local-chief")`},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.NotContains(t, p.Admission.Professional, admission.Strategy)
				assert.Len(t, p.Admission.Professional[admission.Economic].AnyOf, 4)
				e := testExpert("E1", "330381", admission.Enterprise)
				e.Categories = []admission.Category{"county-industry"}
				e.Credentials = append(e.Credentials, admission.Credential{Kind: "local-chief"})
				d := admission.Check(e, asOf, p.Admission)
				assert.True(t, d.Eligible)
				assert.Equal(t, []admission.Category{"county-industry"}, d.Categories)
			},
		},
		{
			name: "admission drawable, sweep exits and stale days",
			body: `admission:
  drawable: [{name: trained, expr: 'hasRecentTraining("integrity", 730)', message: 两年内未参加廉政教育培训}]
  sweep_exits: {political-quality: unsuitable, age: unsuitable}
  stale_after_days: 730
`,
			want: []ch{
				{"admission.drawable[trained]", expertdb.ChangeAdd, "", `hasRecentTraining("integrity", 730)`},
				{"admission.sweep_exits[political-quality]", expertdb.ChangeAdd, "", "unsuitable"},
				{"admission.sweep_exits[age]", expertdb.ChangeSet, "no-longer-qualified", "unsuitable"},
				{"admission.stale_after_days", expertdb.ChangeSet, "365", "730"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, map[string]admission.ExitReason{"age": admission.ExitUnsuitable, "political-quality": admission.ExitUnsuitable}, p.Admission.SweepExits)
				assert.Equal(t, 730, p.Admission.StaleAfterDays)
				fs := admission.Drawable(testExpert("E1", "330381", admission.University), asOf, p.Admission)
				require.Len(t, fs, 1)
				assert.Equal(t, "trained", fs[0].Code)
				assert.Equal(t, "Art. 14(3)", fs[0].Article)
			},
		},
		{
			name: "conflict settings",
			body: `conflict:
  exclude_possible: false
  relations:
    - {kinds: [advisor, advisee], label: 师生关系, unlimited: true}
    - {kinds: [co-author], label: 合著关系, months: 60}
  other_relations: relation.Ongoing
  former_unit_months: 24
  other_unit_clause: 3
  max_avoidances: 5
  unit_aliases: {瑞安人医: 瑞安市人民医院, 温大: "", 温医大: 温州医科大学附属第一医院}
  department_aliases: {机电学院: 机电工程学院}
`,
			want: []ch{
				{"conflict.exclude_possible", expertdb.ChangeSet, "true", "false"},
				{"conflict.relations", expertdb.ChangeSet,
					"师生关系(advisor,advisee)不限期；亲属关系(family)不限期；合作或合著关系(collaborator,co-author)48个月；经济利益关系(business,financial)12个月",
					"师生关系(advisor,advisee)不限期；合著关系(co-author)60个月"},
				{"conflict.other_relations", expertdb.ChangeSet, "relation.Ongoing || relation.MonthsSinceEnd < 12", "relation.Ongoing"},
				{"conflict.former_unit_months", expertdb.ChangeSet, "12", "24"},
				{"conflict.other_unit_clause", expertdb.ChangeSet, "5", "3"},
				{"conflict.max_avoidances", expertdb.ChangeSet, "10", "5"},
				{"conflict.unit_aliases[瑞安人医]", expertdb.ChangeAdd, "", "瑞安市人民医院"},
				{"conflict.unit_aliases[温大]", expertdb.ChangeRemove, "温州大学", ""},
				{"conflict.unit_aliases[温医大]", expertdb.ChangeSet, "温州医科大学", "温州医科大学附属第一医院"},
				{"conflict.department_aliases[机电学院]", expertdb.ChangeAdd, "", "机电工程学院"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				c := p.Conflict
				assert.False(t, c.ExcludePossible)
				assert.Len(t, c.Relations, 2)
				assert.Equal(t, 24, c.FormerUnitMonths)
				assert.Equal(t, 3, c.OtherUnitClause)
				assert.Equal(t, 5, c.MaxAvoidances)
				assert.Equal(t, map[string]string{"瑞安人医": "瑞安市人民医院", "温医大": "温州医科大学附属第一医院", "温州医学院": "温州医科大学"}, c.UnitAliases)
				// A former unit left 18 months ago now conflicts (24-month window).
				e := testExpert("E1", "330302", admission.Enterprise)
				e.Affiliation.Org = "新单位"
				e.Past = []admission.Affiliation{{Org: "申报企业", Kind: admission.Enterprise, To: activity.AddDate(0, -18, 0)}}
				proj := testRequest(3).Project
				assert.NotEmpty(t, conflict.NewChecker(proj, nil, activity, c).Check(e))
				assert.Empty(t, conflict.NewChecker(proj, nil, activity, expertdb.DefaultPolicy().Conflict).Check(e))
			},
		},
		{
			name: "conflict clause 5: a county recusal rule",
			body: `conflict:
  clause5:
    - name: county-government-staff
      expr: expert.Affiliation.Kind == "government" && expert.Region == project.Region
      message: 本县机关事业单位工作人员不参加本县项目评审
`,
			want: []ch{{"conflict.clause5[county-government-staff]", expertdb.ChangeAdd, "",
				`expert.Affiliation.Kind == "government" && expert.Region == project.Region`}},
			check: func(t *testing.T, p *expertdb.Policy) {
				cs := conflict.NewChecker(testRequest(3).Project, nil, activity, p.Conflict).Check(testExpert("G1", "330381", admission.Government))
				require.Len(t, cs, 1)
				assert.Equal(t, "county-government-staff", cs[0].Code)
				assert.Equal(t, 5, cs[0].Clause)
				assert.Equal(t, "Art. 15(5)", cs[0].Article)
			},
		},
		{
			name: "evaluation settings",
			body: `evaluation:
  threshold: 25%
  inclusive: true
  min_ratings: 2
  require_aspects: false
  serious_violations: [solicitation, leak]
`,
			allow: []string{"evaluation.threshold", "evaluation.serious_violations"},
			want: []ch{
				{"evaluation.threshold", expertdb.ChangeSet, "3/10", "25/100"},
				{"evaluation.inclusive", expertdb.ChangeSet, "false", "true"},
				{"evaluation.min_ratings", expertdb.ChangeSet, "1", "2"},
				{"evaluation.require_aspects", expertdb.ChangeSet, "true", "false"},
				{"evaluation.serious_violations", expertdb.ChangeSet, "solicitation, bribery, leak", "solicitation, leak"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				e := p.Evaluation
				assert.True(t, e.PreferentialEligible(evaluation.Summary{Total: 4, Excellent: 1}), "1/4 reaches 25% inclusive")
				assert.False(t, e.PreferentialEligible(evaluation.Summary{Total: 1, Excellent: 1}), "one rating is fewer than 2")
				assert.False(t, e.IsSerious(evaluation.Bribery))
			},
		},
		{
			name: "evaluation threshold restated in another form is not a change",
			body: "evaluation: {threshold: 30%}\n",
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, evaluation.Ratio{Num: 3, Den: 10}, p.Evaluation.Threshold)
			},
		},
		{
			name: "selection settings",
			body: "selection: {annual_cap: 8, preferential_share: 1/4, mode: rfc3797, search_bound: 100000, reserve: 4, seal_panels: false}\n",
			want: []ch{
				{"selection.annual_cap", expertdb.ChangeSet, "10", "8"},
				{"selection.preferential_share", expertdb.ChangeSet, "1/3", "1/4"},
				{"selection.mode", expertdb.ChangeSet, "v1", "rfc3797"},
				{"selection.search_bound", expertdb.ChangeSet, "2000000", "100000"},
				{"selection.reserve", expertdb.ChangeSet, "0", "4"},
				{"selection.seal_panels", expertdb.ChangeSet, "true", "false"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				s := p.Selection
				assert.Equal(t, 8, s.AnnualCap)
				assert.Equal(t, selection.Fraction{Num: 1, Den: 4}, s.PreferentialShare)
				assert.Equal(t, selection.RFC3797, s.Mode)
				assert.Equal(t, 100000, s.SearchBound)
				assert.Equal(t, 4, s.Reserve)
				assert.False(t, p.SealPanels)
				assert.True(t, expertdb.DefaultPolicy().SealPanels)
				assert.Same(t, p.Admission, s.Admission)
			},
		},
		{
			name: "permissions: roles, an added allow rule, a disabled deny rule",
			body: `permissions:
  roles: [city-admin, leader, division, county, discipline, maintainer, expert, township]
  allow:
    - {name: township, expr: 'actor.Role == "township" && action == "view" && !resource.Personal'}
  deny:
    - {name: discipline-read-only, disabled: true}
`,
			want: []ch{
				{"permissions.roles", expertdb.ChangeSet, "city-admin, leader, division, county, discipline, maintainer, expert",
					"city-admin, leader, division, county, discipline, maintainer, expert, township"},
				{"permissions.allow[township]", expertdb.ChangeAdd, "", `actor.Role == "township" && action == "view" && !resource.Personal`},
				{"permissions.deny[discipline-read-only]", expertdb.ChangeRemove, `actor.Role == "discipline" && action != "view"`, ""},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				u := audit.User{ID: "u1", Name: "乡镇用户", Role: "township", Unit: "塘下镇"}
				perms, err := audit.NewPermissions(p.Permissions, u)
				require.NoError(t, err)
				actor := audit.Actor{ID: u.ID, Name: u.Name, Role: u.Role, Unit: u.Unit}
				d, err := perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert})
				require.NoError(t, err)
				assert.True(t, d.Allowed)
				d, err = perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert, Personal: true})
				require.NoError(t, err)
				assert.False(t, d.Allowed)
				assert.Equal(t, "Art. 18", p.Permissions.Allow[len(p.Permissions.Allow)-1].Article)
			},
		},
		{
			name: "alerts: tune, add, disable",
			body: `alerts:
  - {name: profile-views, threshold: 30, window: 12h}
  - {name: bulk-export, disabled: true}
  - name: night-draw
    article: Art. 22(5)
    message: 非工作时间抽取专家，请核查
    match: event.Action == "draw" && event.At.Hour() < 7
    key: event.Actor.ID
`,
			want: []ch{
				{"alerts[profile-views].window", expertdb.ChangeSet, "24h0m0s", "12h0m0s"},
				{"alerts[profile-views].threshold", expertdb.ChangeSet, "50", "30"},
				{"alerts[bulk-export]", expertdb.ChangeRemove, `event.Action == "export"`, ""},
				{"alerts[night-draw]", expertdb.ChangeAdd, "", `event.Action == "draw" && event.At.Hour() < 7`},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				last := len(audit.DefaultAlertRules()) - 1 // one disabled, one added
				require.Len(t, p.Alerts, last+1)
				assert.Equal(t, 30, p.Alerts[0].Threshold)
				assert.Equal(t, 12*time.Hour, p.Alerts[0].Window)
				assert.Equal(t, "night-draw", p.Alerts[last].Name)
				assert.Equal(t, audit.AlertRule{Name: "night-draw", Article: "Art. 22(5)", Message: "非工作时间抽取专家，请核查",
					Match: `event.Action == "draw" && event.At.Hour() < 7`, Key: "event.Actor.ID"}, p.Alerts[last])
				_, err := audit.NewAlerter(p.Alerts)
				require.NoError(t, err)
			},
		},
		{
			name: "request rules",
			body: `request_rules:
  - name: key-project
    message: 重点项目县外专家不少于半数，且每个单位至多一人
    when: '"key-project" in request.Labels'
    criteria: expert.Title >= AssociateSenior
    quotas: [{name: outside, filter: 'expert.Region != "330381"', min_share: 1/2, max: 5}]
    groups: [{name: per-unit, key: expert.Affiliation.Org, max: 1}]
`,
			want: []ch{{"request_rules[key-project]", expertdb.ChangeAdd, "",
				`when "key-project" in request.Labels; criteria expert.Title >= AssociateSenior; quota outside: expert.Region != "330381" (max 5, min_share 1/2); group per-unit: expert.Affiliation.Org ≤ 1`}},
			check: func(t *testing.T, p *expertdb.Policy) {
				require.Len(t, p.RequestRules, 1)
				assert.Equal(t, expertdb.RequestRule{Name: "key-project", Article: "Art. 13",
					Message: "重点项目县外专家不少于半数，且每个单位至多一人", When: `"key-project" in request.Labels`,
					Criteria: "expert.Title >= AssociateSenior",
					Quotas: []expertdb.RequestQuota{{Name: "outside", Filter: `expert.Region != "330381"`, Max: 5,
						MinShare: selection.Fraction{Num: 1, Den: 2}}},
					Groups: []selection.GroupCap{{Name: "per-unit", Key: "expert.Affiliation.Org", Max: 1}}}, p.RequestRules[0])
			},
		},
		{
			name: "restating defaults changes nothing",
			body: `admission:
  basic: [{name: age, expr: "age <= max(65, expert.RetirementAge)", article: Art. 5(1)2}]
  stale_after_days: 0
conflict: {former_unit_months: 12, unit_aliases: {温大: 温州大学}, exclude_possible: true}
evaluation: {threshold: 3/10, inclusive: false}
selection: {annual_cap: 10, preferential_share: 1/3, mode: v1, search_bound: 0}
alerts: [{name: redraw, threshold: 1}]
`,
			check: func(t *testing.T, p *expertdb.Policy) {
				def := expertdb.DefaultPolicy()
				assert.Equal(t, def.Admission.Basic, p.Admission.Basic)
				assert.Equal(t, def.Selection.AnnualCap, p.Selection.AnnualCap)
				assert.Equal(t, def.Alerts, p.Alerts)
			},
		},
		{
			name: "empty sections are no overrides",
			body: "admission:\nconflict: {}\nevaluation:\nselection:\npermissions:\nalerts: []\nrequest_rules:\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := expertdb.LoadPolicyWith([]byte(header+tc.body), expertdb.AllowDeviations(tc.allow...))
			require.NoError(t, err)
			assert.Equal(t, tc.want, changesOf(p))
			assert.Len(t, p.Deviations(), len(tc.allow), "each loosening is a deviation")
			for _, c := range p.Changes() {
				assert.Positive(t, c.Line, "change %s has a line", c.Path)
				assert.NotEmpty(t, c.Article, "change %s names its article", c.Path)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func ruleIndex(rs []rule.Rule, name string) int {
	for i, r := range rs {
		if r.Name == name {
			return i
		}
	}
	return -1
}

func TestLoadPolicyChangesCarryTheirLine(t *testing.T) {
	p := mustLoad(t, "selection:\n  annual_cap: 8\nconflict:\n  former_unit_months: 24\n")
	c, ok := change(p, "selection.annual_cap")
	require.True(t, ok)
	assert.Equal(t, 4, c.Line)
	assert.Equal(t, "Art. 14(1)", c.Article)
	c, ok = change(p, "conflict.former_unit_months")
	require.True(t, ok)
	assert.Equal(t, 6, c.Line)
}

func TestLoadPolicyChangesFollowTheFile(t *testing.T) {
	p := mustLoad(t, "selection: {annual_cap: 8}\nadmission:\n  stale_after_days: 30\nconflict: {max_avoidances: 3}\n")
	var paths []string
	for _, c := range p.Changes() {
		paths = append(paths, c.Path)
	}
	assert.Equal(t, []string{"selection.annual_cap", "admission.stale_after_days", "conflict.max_avoidances"}, paths)
}

// pos is the expected position and code of one error.
type pos struct {
	Line, Column int
	Code, Path   string
}

func positions(pes []*expertdb.PolicyError) []pos {
	out := make([]pos, len(pes))
	for i, pe := range pes {
		out[i] = pos{pe.Line, pe.Column, pe.Code, pe.Path}
	}
	return out
}

func TestLoadPolicyErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []pos
		rule string // expected Rule of the first error
		msg  string // a fragment of the first error's message
	}{
		{"empty file", "", []pos{{0, 0, "missing", ""}}, "", "name 和 region"},
		{"comment only", "# nothing\n", []pos{{0, 0, "missing", ""}}, "", ""},
		{"null document", "~\n", []pos{{1, 1, "missing", ""}}, "", ""},
		{"syntax", header + "selection: {annual_cap: 8\n", []pos{{3, 0, "syntax", ""}}, "", "YAML 语法错误"},
		{"two documents", header + "---\nname: x\n", []pos{{3, 1, "syntax", ""}}, "", "一个 YAML 文档"},
		{"not a mapping", "- a\n- b\n", []pos{{1, 1, "type", ""}}, "", "映射"},
		{"missing name and region", "filing: x\n", []pos{{1, 1, "missing", "name"}, {1, 1, "missing", "region"}}, "", "name"},
		{"unknown top-level key", header + "selction: {annual_cap: 8}\n", []pos{{3, 1, "unknown-key", "selction"}}, "", "selction"},
		{"unknown nested key", header + "selection:\n  annual_cpa: 8\n", []pos{{4, 3, "unknown-key", "selection.annual_cpa"}}, "", "annual_cap"},
		{"unknown rule field", header + "conflict:\n  clause5:\n    - {name: x, expr: 'true', messge: m}\n",
			// the misspelt key is not read, so the new rule also lacks its message
			[]pos{{5, 31, "unknown-key", "conflict.clause5[#1].messge"}, {5, 7, "missing", "conflict.clause5[x]"}}, "", "messge"},
		{"duplicate key", header + "selection:\n  annual_cap: 8\n  annual_cap: 9\n", []pos{{5, 3, "duplicate", "selection.annual_cap"}}, "", "重复"},
		{"quoted integer", header + "selection:\n  annual_cap: \"8\"\n", []pos{{4, 15, "type", "selection.annual_cap"}}, "", "整数"},
		{"float for integer", header + "selection: {annual_cap: 8.5}\n", []pos{{3, 25, "type", "selection.annual_cap"}}, "", "整数"},
		{"negative integer", header + "conflict: {former_unit_months: -1}\n", []pos{{3, 32, "value", "conflict.former_unit_months"}}, "", "不能小于 0"},
		{"integer overflow", header + "selection: {annual_cap: 99999999999999999999}\n", []pos{{3, 25, "type", "selection.annual_cap"}}, "", ""},
		{"string for bool", header + "conflict: {exclude_possible: yes}\n", []pos{{3, 30, "type", "conflict.exclude_possible"}}, "", "true 或 false"},
		{"list for mapping", header + "selection: [8]\n", []pos{{3, 12, "type", "selection"}}, "", "映射"},
		{"mapping for list", header + "conflict: {clause5: {name: x}}\n", []pos{{3, 21, "type", "conflict.clause5"}}, "", "列表"},
		{"mapping for string", header + "filing: {a: 1}\n", []pos{{3, 9, "type", "filing"}}, "", "文字"},
		{"null for string", header + "filing:\n", []pos{{3, 8, "type", "filing"}}, "", "空值"},
		{"bad region", "name: x\nregion: \"330106\"\n", []pos{{2, 9, "value", "region"}}, "", "3303"},
		{"bad date", header + "effective: 2026/01/01\n", []pos{{3, 12, "value", "effective"}}, "", "YYYY-MM-DD"},
		{"bad fraction", header + "selection: {preferential_share: 4/3}\n", []pos{{3, 33, "value", "selection.preferential_share"}}, "", "0 到 1"},
		{"bad mode", header + "selection: {mode: v2}\n", []pos{{3, 19, "value", "selection.mode"}}, "", "v1"},
		{"bad clause", header + "conflict: {other_unit_clause: 4}\n", []pos{{3, 31, "value", "conflict.other_unit_clause"}}, "", "0"},
		{"bad violation", header + "evaluation: {serious_violations: [solicitation, spam]}\n", []pos{{3, 49, "value", "evaluation.serious_violations"}}, "", "spam"},
		{"bad exit reason", header + "admission: {sweep_exits: {age: retired}}\n", []pos{{3, 32, "value", "admission.sweep_exits[age]"}}, "age", "出库原因"},
		{"sweep exit of no basic rule", header + "admission: {sweep_exits: {nope: unsuitable}}\n", []pos{{3, 27, "unknown-rule", "admission.sweep_exits[nope]"}}, "nope", "nope"},
		{"bad window", header + "alerts: [{name: redraw, window: 1 day}]\n", []pos{{3, 33, "value", "alerts[redraw].window"}}, "", "时长"},
		{"bad count", header + "alerts: [{name: redraw, count: users}]\n", []pos{{3, 32, "value", "alerts[redraw].count"}}, "redraw", "events"},
		{"rule without name", header + "admission:\n  basic:\n    - {expr: 'true', message: m}\n", []pos{{5, 7, "missing", "admission.basic[#1]"}}, "", "name"},
		{"new rule without expr", header + "admission:\n  basic:\n    - {name: x, message: m}\n", []pos{{5, 7, "missing", "admission.basic[x]"}}, "x", "expr"},
		{"new rule without message", header + "conflict:\n  clause5:\n    - {name: x, expr: 'true'}\n", []pos{{5, 7, "missing", "conflict.clause5[x]"}}, "x", "message"},
		{"empty expression", header + "admission:\n  basic:\n    - {name: age, expr: ''}\n", []pos{{5, 25, "missing", "admission.basic[age].expr"}}, "", "不能为空"},
		{"disable unknown rule", header + "admission:\n  basic:\n    - {name: agee, disabled: true}\n", []pos{{5, 14, "unknown-rule", "admission.basic[agee]"}}, "agee", "agee"},
		{"disable with fields", header + "admission:\n  basic:\n    - {name: age, disabled: true, expr: 'true'}\n", []pos{{5, 7, "value", "admission.basic[age]"}}, "age", "只需写"},
		{"duplicate rule", header + "conflict:\n  clause5:\n    - {name: x, expr: 'true', message: m}\n    - {name: x, expr: 'false', message: m}\n",
			[]pos{{6, 14, "duplicate", "conflict.clause5[x]"}}, "x", "重复"},
		{"remove unknown alias", header + "conflict: {unit_aliases: {瑞安: ''}}\n", []pos{{3, 27, "unknown-rule", "conflict.unit_aliases[瑞安]"}}, "", "瑞安"},
		{"disable unknown category", header + "admission: {professional: {art: {disabled: true}}}\n", []pos{{3, 28, "unknown-rule", "admission.professional[art]"}}, "", "art"},
		{"new category without rules", header + "admission: {professional: {art: {article: Art. 13}}}\n", []pos{{3, 28, "missing", "admission.professional[art]"}}, "", "art"},
		{"empty roles", header + "permissions: {roles: []}\n", []pos{{3, 22, "missing", "permissions.roles"}}, "", "roles"},
		{"anchor", header + "selection: &s {annual_cap: 8}\n", []pos{{3, 12, "alias", "selection"}}, "", "锚点"},
		{"alias", header + "filing: &f x\nname2: *f\n", []pos{{3, 9, "alias", "filing"}, {4, 1, "unknown-key", "name2"}}, "", "锚点"},
		{"custom tag", header + "filing: !secret x\n", []pos{{3, 9, "alias", "filing"}}, "", "标签"},
		{"request rule adds nothing", header + "request_rules: [{name: r, message: m}]\n", []pos{{3, 17, "missing", "request_rules[r]"}}, "r", "criteria"},
		{"request rule without message", header + "request_rules: [{name: r, criteria: 'true'}]\n", []pos{{3, 17, "missing", "request_rules[r]"}}, "r", "message"},
		{"request rule name with slash", header + "request_rules: [{name: a/b, message: m, criteria: 'true'}]\n", []pos{{3, 24, "value", "request_rules[a/b]"}}, "a/b", "/"},
		{"quota without bound", header + "request_rules: [{name: r, message: m, quotas: [{name: q, filter: 'true'}]}]\n",
			[]pos{{3, 48, "missing", "request_rules[r].quotas[q]"}}, "r", "min"},
		{"quota max below min", header + "request_rules: [{name: r, message: m, quotas: [{name: q, filter: 'true', min: 3, max: 2}]}]\n",
			[]pos{{3, 48, "value", "request_rules[r].quotas[q]"}}, "r", "小于"},
		{"group cap zero", header + "request_rules: [{name: r, message: m, groups: [{name: g, key: expert.Region, max: 0}]}]\n",
			[]pos{{3, 83, "value", "request_rules[r].groups[g].max"}}, "", "不能小于 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pes := loadErrors(t, tc.src)
			assert.Equal(t, tc.want, positions(pes))
			assert.Equal(t, tc.rule, pes[0].Rule)
			assert.Contains(t, pes[0].Message, tc.msg)
			for _, pe := range pes {
				assert.True(t, strings.HasPrefix(pe.Error(), "expertdb: policy"), pe.Error())
				if pe.Line > 0 && pe.Column > 0 {
					assert.Contains(t, pe.Snippet, "^", "a positioned error shows the line with a caret")
				}
			}
		})
	}
}

func TestLoadPolicyRejectsOversizedAndInvalidInput(t *testing.T) {
	big := header + "filing: " + strings.Repeat("x", expertdb.MaxPolicySize) + "\n"
	pes := loadErrors(t, big)
	assert.Equal(t, "too-large", pes[0].Code)

	pes = loadErrors(t, header+"filing: \xff\n")
	assert.Equal(t, "syntax", pes[0].Code)
	assert.Contains(t, pes[0].Message, "UTF-8")
}

func TestLoadPolicyExpressionErrorsPointIntoTheExpression(t *testing.T) {
	src := header + `conflict:
  clause5:
    - name: plain
      expr: expert.Regon == "330381"
      message: m
    - name: double
      expr: "expert.Region == projct.Region"
      message: m
    - name: single
      expr: 'expert.Title >= Senoir'
      message: m
    - name: block
      expr: |
        expert.Affiliation.Kind == "government"
          && expert.Region == project.Regio
      message: m
    - name: escaped
      expr: "\u0065xpert.Regon == 1"
      message: m
    - name: folded
      expr: >
        expert.Region ==
        nope
      message: m
admission:
  basic:
    - name: age
      expr: agee <= 63
`
	pes := loadErrors(t, src)
	type exprPos struct {
		Rule         string
		Line, Column int
	}
	var got []exprPos
	for _, pe := range pes {
		assert.Equal(t, "expression", pe.Code)
		var ce *rule.CompileError
		require.ErrorAs(t, pe, &ce, "the compile error is wrapped")
		got = append(got, exprPos{pe.Rule, pe.Line, pe.Column})
	}
	assert.Equal(t, []exprPos{
		{"plain", 6, 20},    // "Regon" in `      expr: expert.Regon …`
		{"double", 9, 31},   // "projct", after the opening quote
		{"single", 12, 30},  // "Senoir", after the opening quote
		{"block", 17, 39},   // second line of the block scalar: "Regio"
		{"escaped", 20, 13}, // an escape before the error: the scalar's start
		{"folded", 24, 0},   // folded text: the first line of the block, no column
		{"age", 30, 13},     // sorted by line across sections
	}, got)
	// Every bad expression in one error, in file order, each naming its rule and path.
	assert.Equal(t, "conflict.clause5[block].expr", pes[3].Path)
	assert.Equal(t, "admission.basic[age].expr", pes[6].Path)
	assert.Contains(t, pes[3].Snippet, "&& expert.Region == project.Regio")
}

func TestLoadPolicyReportsEveryErrorTogether(t *testing.T) {
	src := header + `selection:
  annual_cap: eight
  preferential_share: 1/2
  typo: 1
conflict:
  former_unit_months: -3
  clause5:
    - {name: a, expr: 'expert.Nope', message: m}
    - {name: b, expr: 'true'}
evaluation: {threshold: 2}
alerts: [{name: nothing-here, disabled: true}]
`
	pes := loadErrors(t, src)
	assert.Equal(t, []pos{
		{4, 15, "type", "selection.annual_cap"},
		{5, 23, "city-limit", "selection.preferential_share"}, // Art. 14(1): more than a third
		{6, 3, "unknown-key", "selection.typo"},
		{8, 23, "value", "conflict.former_unit_months"},
		{10, 31, "expression", "conflict.clause5[a].expr"},
		{11, 7, "missing", "conflict.clause5[b]"},
		{12, 25, "value", "evaluation.threshold"},
		{13, 17, "unknown-rule", "alerts[nothing-here]"},
	}, positions(pes))
}

func TestLoadPolicyPlacesPackageRefusalsAtTheirSection(t *testing.T) {
	// An alias cycle is found by conflict.Rules.Compile, after the walk.
	pes := loadErrors(t, header+"conflict:\n  unit_aliases:\n    甲: 乙\n    乙: 甲\n")
	require.Len(t, pes, 1)
	assert.Equal(t, pos{5, 5, "invalid", "conflict.unit_aliases"}, positions(pes)[0])
	assert.ErrorIs(t, pes[0], conflict.ErrInvalidRules)

	// Removing every category leaves admission without professional conditions.
	pes = loadErrors(t, header+"admission:\n  professional:\n    technical: {disabled: true}\n    management: {disabled: true}\n    strategy: {disabled: true}\n    economic: {disabled: true}\n")
	require.Len(t, pes, 1)
	assert.Equal(t, pos{4, 3, "invalid", "admission"}, positions(pes)[0])
}

func TestLoadPolicyNeverEchoesLongValues(t *testing.T) {
	long := strings.Repeat("很长的键", 50)
	pes := loadErrors(t, header+long+": 1\n")
	assert.Less(t, len([]rune(pes[0].Message)), 200)
	assert.Contains(t, pes[0].Message, "…")
}

func TestLoadPolicyErrorsAreJoined(t *testing.T) {
	_, err := expertdb.LoadPolicy([]byte(header + "selection: {annual_cap: x, mode: y}\n"))
	var pe *expertdb.PolicyError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "selection.annual_cap", pe.Path)
	assert.Len(t, policyErrors(t, err), 2)
}

// TestLoadPolicyDocumentedExampleLoads reads the example profile of LoadPolicy's
// documentation from the source and loads it, so the documentation cannot drift.
func TestLoadPolicyDocumentedExampleLoads(t *testing.T) {
	src, err := os.ReadFile("policy_load.go")
	require.NoError(t, err)
	var yaml []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(l, "//\tname: 瑞安市"):
			in = true
		case in && l == "// # Rules":
			in = false
		}
		if in {
			yaml = append(yaml, strings.TrimPrefix(strings.TrimPrefix(l, "//"), "\t"))
		}
	}
	require.Greater(t, len(yaml), 80, "the example was found")
	p, err := expertdb.LoadPolicy([]byte(strings.Join(yaml, "\n")))
	require.NoError(t, err)
	// Every section changed something.
	sections := map[string]bool{}
	for _, c := range p.Changes() {
		sec, _, _ := strings.Cut(c.Path, ".")
		sec, _, _ = strings.Cut(sec, "[")
		sections[sec] = true
	}
	for _, s := range []string{"admission", "conflict", "evaluation", "selection", "permissions", "alerts", "request_rules"} {
		assert.True(t, sections[s], s)
	}
	assert.Equal(t, "瑞科〔2026〕5号", p.Filing)
	// The draw controls of the example reach the selection rules.
	assert.Equal(t, selection.DrawWindow{MaxLead: 72 * time.Hour, MinLead: 2 * time.Hour}, p.Selection.DrawWindow)
	assert.Equal(t, []rule.Rule{selection.CoolingOffRule(6)}, p.Selection.Exclusions)
	assert.False(t, p.Selection.IgnoreUnavailable)
	assert.False(t, p.Selection.IgnoreBookings)
	text := p.Describe()
	assert.Contains(t, text, "× 战略咨询专家（strategy）"+expertdb.MarkDisabled)
	assert.Contains(t, text, "county-industry〔第十三条〕"+expertdb.MarkAdded)
	assert.Contains(t, text, "× age"+expertdb.MarkDisabled)
}

func TestLoadPolicyBoundsTheErrorList(t *testing.T) {
	pes := loadErrors(t, header+strings.Repeat("zz: 1\n", 500))
	require.Len(t, pes, expertdb.MaxPolicyErrors+1)
	assert.Equal(t, pos{3, 1, "unknown-key", "zz"}, positions(pes)[0])
	last := pes[expertdb.MaxPolicyErrors]
	assert.Equal(t, "too-many", last.Code)
	assert.Contains(t, last.Message, "另有 400 处错误未列出")
}

func TestLoadPolicyCountsLinesAsYAMLDoes(t *testing.T) {
	for name, nl := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r", "LS": "\u2028"} {
		t.Run(name, func(t *testing.T) {
			src := strings.Join([]string{"name: x", `region: "330381"`, "selection: {annual_cap: x}", ""}, nl)
			pes := loadErrors(t, src)
			require.Len(t, pes, 1)
			assert.Equal(t, pos{3, 25, "type", "selection.annual_cap"}, positions(pes)[0])
			assert.Equal(t, "\n | selection: {annual_cap: x}\n | ........................^", pes[0].Snippet)
		})
	}
}
