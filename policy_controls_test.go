package expertdb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// coolingOffYAML is selection.CoolingOffRule(6) written in a profile.
const coolingOffYAML = `selection:
  exclusions:
    - name: cooling-off
      article: Art. 15(5)
      expr: '!reviewedUnitWithin(project.Unit, 6)'
      message: 专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避
`

// drawWith draws testRequest(3) (with drawnAt, when not zero) from pool under p.
func drawWith(p *expertdb.Policy, pool selection.Pool, drawnAt time.Time) (*selection.Result, error) {
	req := testRequest(3)
	req.DrawnAt = drawnAt
	return selection.Draw(req, pool, entropy, p.Selection)
}

// exclusionOf returns the exclusion of id in res, if any.
func exclusionOf(res *selection.Result, id string) (selection.Exclusion, bool) {
	for _, x := range res.Excluded {
		if x.ExpertID == id {
			return x, true
		}
	}
	return selection.Exclusion{}, false
}

// selectionError returns the *selection.Error in err.
func selectionError(t *testing.T, err error) *selection.Error {
	t.Helper()
	var se *selection.Error
	require.True(t, errors.As(err, &se), "not a *selection.Error: %v", err)
	return se
}

func TestLoadPolicyDrawControls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  string
		want  []ch
		check func(t *testing.T, p *expertdb.Policy)
	}{
		{
			name: "availability checks switched off",
			body: "selection: {ignore_unavailable: true, ignore_bookings: true}\n",
			want: []ch{
				{"selection.ignore_unavailable", expertdb.ChangeSet, "false", "true"},
				{"selection.ignore_bookings", expertdb.ChangeSet, "false", "true"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.True(t, p.Selection.IgnoreUnavailable)
				assert.True(t, p.Selection.IgnoreBookings)
				pool := testPool(0, 5)
				pool.Experts[0].Unavailable = []admission.Period{{From: activity.Add(-time.Hour), To: activity.Add(time.Hour), Reason: "出差"}}
				pool.Bookings = map[string][]selection.Booking{"WZ01": {{ActivityID: "OTHER", From: activity, To: activity.Add(3 * time.Hour)}}}
				city, err := drawWith(expertdb.DefaultPolicy(), pool, time.Time{})
				require.NoError(t, err)
				x, ok := exclusionOf(city, "WZ00")
				require.True(t, ok, "the city rules exclude the unavailable expert")
				assert.Equal(t, selection.Exclusion{ExpertID: "WZ00", Article: "Art. 8(2)", Code: "unavailable", Reason: x.Reason}, x)
				x, ok = exclusionOf(city, "WZ01")
				require.True(t, ok, "the city rules exclude the booked expert")
				assert.Equal(t, "booked", x.Code)
				county, err := drawWith(p, pool, time.Time{})
				require.NoError(t, err)
				assert.Empty(t, county.Excluded, "the county checks neither")
			},
		},
		{
			name: "only bookings switched off",
			body: "selection:\n  ignore_bookings: true\n",
			want: []ch{{"selection.ignore_bookings", expertdb.ChangeSet, "false", "true"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.False(t, p.Selection.IgnoreUnavailable)
			},
		},
		{
			name: "availability restated is no change",
			body: "selection: {ignore_unavailable: false, ignore_bookings: false}\n",
		},
		{
			name: "draw window with both ends",
			body: "selection:\n  draw_window: {max_lead: 72h, min_lead: 2h}\n",
			want: []ch{
				{"selection.draw_window.max_lead", expertdb.ChangeSet, "0", "72h"},
				{"selection.draw_window.min_lead", expertdb.ChangeSet, "0", "2h"},
			},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, selection.DrawWindow{MaxLead: 72 * time.Hour, MinLead: 2 * time.Hour}, p.Selection.DrawWindow)
				pool := testPool(0, 5)
				for _, tc := range []struct {
					drawnAt time.Time
					code    string // "" = drawn
				}{
					{activity.Add(-72 * time.Hour), ""}, // both ends included
					{activity.Add(-24 * time.Hour), ""},
					{activity.Add(-2 * time.Hour), ""},
					{activity.Add(-72*time.Hour - time.Minute), "draw-too-early"},
					{activity.Add(-2*time.Hour + time.Minute), "draw-too-late"},
					{activity.Add(time.Hour), "draw-too-late"},
				} {
					res, err := drawWith(p, pool, tc.drawnAt)
					if tc.code == "" {
						require.NoError(t, err, tc.drawnAt)
						assert.Len(t, res.Panel, 3)
						continue
					}
					require.ErrorIs(t, err, selection.ErrDrawWindow, tc.drawnAt)
					se := selectionError(t, err)
					assert.Equal(t, tc.code, se.Code)
					assert.Equal(t, "Art. 14(2)", se.Article)
					// The city has no window: the same request draws.
					_, err = drawWith(expertdb.DefaultPolicy(), pool, tc.drawnAt)
					require.NoError(t, err)
				}
				// With a window the draw time is required.
				_, err := drawWith(p, pool, time.Time{})
				require.ErrorIs(t, err, selection.ErrInvalidRequest)
				assert.Equal(t, "drawn-at", selectionError(t, err).Code)
			},
		},
		{
			name: "draw window without an earliest time, in minutes",
			body: "selection:\n  draw_window:\n    min_lead: 90m\n",
			want: []ch{{"selection.draw_window.min_lead", expertdb.ChangeSet, "0", "1h30m"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, selection.DrawWindow{MinLead: 90 * time.Minute}, p.Selection.DrawWindow)
				_, err := drawWith(p, testPool(0, 5), activity.AddDate(-1, 0, 0))
				require.NoError(t, err, "no earliest time")
			},
		},
		{
			name: "draw window without a latest lead",
			body: "selection: {draw_window: {max_lead: 48h}}\n",
			want: []ch{{"selection.draw_window.max_lead", expertdb.ChangeSet, "0", "48h"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				_, err := drawWith(p, testPool(0, 5), activity)
				require.NoError(t, err, "up to the start itself")
			},
		},
		{
			name: "a zero window is no window",
			body: "selection: {draw_window: {max_lead: 0, min_lead: 0s}}\n",
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.False(t, p.Selection.DrawWindow.Enabled())
				_, err := drawWith(p, testPool(0, 5), time.Time{})
				require.NoError(t, err)
			},
		},
		{
			name: "an empty window is no window",
			body: "selection:\n  draw_window:\n",
		},
		{
			name: "exclusions: the cooling-off rule",
			body: coolingOffYAML,
			want: []ch{{"selection.exclusions[cooling-off]", expertdb.ChangeAdd, "", "!reviewedUnitWithin(project.Unit, 6)"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				assert.Equal(t, []rule.Rule{selection.CoolingOffRule(6)}, p.Selection.Exclusions)
				pool := testPool(0, 5)
				pool.History = map[string][]selection.Participation{
					"WZ00": {{ActivityID: "A-1", ApplicantUnit: "申报企业", At: activity.AddDate(0, -5, 0)}}, // within 6 months
					"WZ01": {{ActivityID: "A-2", ApplicantUnit: "申报企业", At: activity.AddDate(0, -7, 0)}}, // outside
					"WZ02": {{ActivityID: "A-3", ApplicantUnit: "别的企业", At: activity.AddDate(0, -1, 0)}}, // another unit
				}
				res, err := drawWith(p, pool, time.Time{})
				require.NoError(t, err)
				require.Len(t, res.Excluded, 1)
				assert.Equal(t, selection.Exclusion{ExpertID: "WZ00", Article: "Art. 15(5)", Code: "cooling-off",
					Reason: "专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避"}, res.Excluded[0])
				city, err := drawWith(expertdb.DefaultPolicy(), pool, time.Time{})
				require.NoError(t, err)
				assert.Empty(t, city.Excluded, "the city has no cooling-off period")
			},
		},
		{
			name: "exclusions: article defaults to Art. 13, title constants as in a draw",
			body: `selection:
  exclusions:
    - name: senior-only
      expr: expert.Title >= Senior && usage < 3
      message: 本县仅抽取正高级职称且本年度参与少于3次的专家
`,
			want: []ch{{"selection.exclusions[senior-only]", expertdb.ChangeAdd, "", "expert.Title >= Senior && usage < 3"}},
			check: func(t *testing.T, p *expertdb.Policy) {
				require.Len(t, p.Selection.Exclusions, 1)
				assert.Equal(t, "Art. 13", p.Selection.Exclusions[0].Article)
				pool := testPool(0, 5)
				pool.Experts[1].Title = admission.AssociateSenior
				pool.Usage["WZ02"] = 3
				res, err := drawWith(p, pool, time.Time{})
				require.NoError(t, err)
				codes := map[string]string{}
				for _, x := range res.Excluded {
					codes[x.ExpertID] = x.Code + " " + x.Article
				}
				assert.Equal(t, map[string]string{"WZ01": "senior-only Art. 13", "WZ02": "senior-only Art. 13"}, codes)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustLoad(t, tc.body)
			assert.Equal(t, tc.want, changesOf(p))
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

func TestLoadPolicyDrawControlChangesCiteTheirArticles(t *testing.T) {
	p := mustLoad(t, "selection:\n  ignore_unavailable: true\n  draw_window: {max_lead: 72h}\n"+strings.TrimPrefix(coolingOffYAML, "selection:\n")+
		"    - {name: not-member-unit, expr: '!(expert.Affiliation.Org in project.Units)', message: 专家单位为项目参与单位}\n")
	got := map[string]string{}
	for _, c := range p.Changes() {
		got[c.Path] = fmt.Sprintf("%s line %d", c.Article, c.Line)
	}
	assert.Equal(t, map[string]string{
		"selection.ignore_unavailable":          "Art. 8(2) line 4",
		"selection.draw_window.max_lead":        "Art. 14(2) line 5",
		"selection.exclusions[cooling-off]":     "Art. 15(5) line 7",
		"selection.exclusions[not-member-unit]": "Art. 13 line 11",
	}, got)
}

func TestLoadPolicyDrawControlErrors(t *testing.T) {
	const sel = header + "selection:\n"
	for _, tc := range []struct {
		name string
		src  string
		want []pos
		rule string // expected Rule of the first error
		msg  string // a fragment of the first error's message
	}{
		{"switch not a bool", sel + "  ignore_unavailable: yes\n", []pos{{4, 23, "type", "selection.ignore_unavailable"}}, "", "true 或 false"},
		{"switch quoted", sel + "  ignore_bookings: \"true\"\n", []pos{{4, 20, "type", "selection.ignore_bookings"}}, "", "true 或 false"},
		{"window not a mapping", sel + "  draw_window: 72h\n", []pos{{4, 16, "type", "selection.draw_window"}}, "", "映射"},
		{"window unknown key", sel + "  draw_window: {max_lag: 72h}\n", []pos{{4, 17, "unknown-key", "selection.draw_window.max_lag"}}, "", "max_lead、min_lead"},
		{"lead in days", sel + "  draw_window: {max_lead: 3d}\n", []pos{{4, 27, "value", "selection.draw_window.max_lead"}}, "", "时长"},
		{"lead without unit", sel + "  draw_window: {max_lead: 72}\n", []pos{{4, 27, "value", "selection.draw_window.max_lead"}}, "", "72h"},
		{"lead as a list", sel + "  draw_window: {min_lead: [2h]}\n", []pos{{4, 27, "type", "selection.draw_window.min_lead"}}, "", "文字"},
		{"negative lead", sel + "  draw_window:\n    max_lead: 72h\n    min_lead: -2h\n", []pos{{6, 15, "value", "selection.draw_window.min_lead"}}, "", "负数"},
		{"min above max", sel + "  draw_window:\n    max_lead: 1h\n    min_lead: 2h\n", []pos{{6, 15, "value", "selection.draw_window.min_lead"}}, "", "不能大于 max_lead（1h"},
		{"exclusions not a list", sel + "  exclusions: {name: x}\n", []pos{{4, 15, "type", "selection.exclusions"}}, "", "列表"},
		{"exclusion bad expression", sel + "  exclusions:\n    - {name: x, expr: 'expert.Regon == project.Region', message: m}\n",
			[]pos{{5, 31, "expression", "selection.exclusions[x].expr"}}, "x", "Regon"},
		{"exclusion sees no request", sel + "  exclusions:\n    - name: x\n      expr: request.Size > 3\n      message: m\n",
			[]pos{{6, 13, "expression", "selection.exclusions[x].expr"}}, "x", "request"},
		{"exclusion not a condition", sel + "  exclusions:\n    - {name: x, expr: expert.Region, message: m}\n",
			[]pos{{5, 23, "expression", "selection.exclusions[x].expr"}}, "x", ""},
		{"exclusion block expression", sel + "  exclusions:\n    - name: x\n      expr: |\n        usage < 5\n          && project.Unitt != \"\"\n      message: m\n",
			[]pos{{8, 22, "expression", "selection.exclusions[x].expr"}}, "x", "Unitt"},
		{"exclusion without message", sel + "  exclusions:\n    - {name: x, expr: 'usage < 5'}\n", []pos{{5, 7, "missing", "selection.exclusions[x]"}}, "x", "message"},
		{"exclusion without expr", sel + "  exclusions:\n    - {name: x, message: m}\n", []pos{{5, 7, "missing", "selection.exclusions[x]"}}, "x", "expr"},
		{"exclusion without name", sel + "  exclusions:\n    - {expr: 'usage < 5', message: m}\n", []pos{{5, 7, "missing", "selection.exclusions[#1]"}}, "", "name"},
		{"disable an exclusion the city lacks", sel + "  exclusions:\n    - {name: cooling-off, disabled: true}\n",
			[]pos{{5, 14, "unknown-rule", "selection.exclusions[cooling-off]"}}, "cooling-off", "cooling-off"},
		{"duplicate exclusion", sel + "  exclusions:\n    - {name: x, expr: 'usage < 5', message: m}\n    - {name: x, expr: 'usage < 6', message: m}\n",
			[]pos{{6, 14, "duplicate", "selection.exclusions[x]"}}, "x", "重复"},
		{"exclusion named after a draw code", sel + "  exclusions:\n    - {name: annual-cap, expr: 'usage < 5', message: m}\n",
			[]pos{{5, 14, "value", "selection.exclusions[annual-cap]"}}, "annual-cap", "排除原因代码"},
		{"unquoted negation", sel + "  exclusions:\n    - name: x\n      expr: !reviewedUnitWithin(project.Unit, 6)\n      message: m\n",
			[]pos{{6, 13, "alias", "selection.exclusions[x].expr"}}, "", "加引号"},
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
				if pe.Code == "expression" {
					var ce *rule.CompileError
					assert.ErrorAs(t, pe, &ce, "the compile error is wrapped")
				}
			}
		})
	}
}

func TestCompileChecksDrawControls(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s *selection.Rules)
		want []pos // Line and Column are 0: the policy is not from a file
	}{
		{"negative lead", func(s *selection.Rules) { s.DrawWindow.MinLead = -time.Hour },
			[]pos{{0, 0, "value", "selection.draw_window"}}},
		{"min above max", func(s *selection.Rules) {
			s.DrawWindow = selection.DrawWindow{MaxLead: time.Hour, MinLead: 2 * time.Hour}
		},
			[]pos{{0, 0, "value", "selection.draw_window.min_lead"}}},
		{"bad exclusion expression", func(s *selection.Rules) {
			s.Exclusions = []rule.Rule{{Name: "x", Expr: "expert.Nope", Message: "m"}}
		}, []pos{{0, 0, "expression", "selection.exclusions[x].expr"}}},
		{"exclusion problems together", func(s *selection.Rules) {
			s.Exclusions = []rule.Rule{
				{Expr: "true", Message: "m"},
				{Name: "booked", Expr: "true", Message: "m"},
				{Name: "y", Expr: "usage < 3"},
				{Name: "y", Expr: "usage < 4", Message: "m"},
			}
		}, []pos{
			{0, 0, "missing", "selection.exclusions[#1]"},
			{0, 0, "value", "selection.exclusions[booked]"},
			{0, 0, "missing", "selection.exclusions[y]"},
			{0, 0, "duplicate", "selection.exclusions[y]"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := expertdb.DefaultPolicy()
			tc.edit(p.Selection)
			err := p.Compile()
			require.ErrorIs(t, err, expertdb.ErrInvalidPolicy)
			assert.Equal(t, tc.want, positions(policyErrors(t, err)))
			_, err = p.Apply(testRequest(3))
			assert.Error(t, err, "a policy that does not compile refuses to apply")
		})
	}
	// The rules selection ships compile, and then draw.
	p := expertdb.DefaultPolicy()
	p.Selection.Exclusions = []rule.Rule{selection.CoolingOffRule(12)}
	p.Selection.DrawWindow = selection.DrawWindow{MaxLead: 48 * time.Hour}
	require.NoError(t, p.Compile())
	_, err := drawWith(p, testPool(0, 4), activity.Add(-time.Hour))
	require.NoError(t, err)
}

func TestDescribeDrawControls(t *testing.T) {
	city := expertdb.DefaultPolicy().Describe()
	for _, f := range []string{"专家申报的不能参加时段（请假、出差等）与活动时间重叠的，不予抽取", "专家已接受其他评审（咨询）活动邀请且时间重叠的，不予抽取",
		"（八）抽取时段：不限定（市级规则未规定抽取时段）"} {
		assert.False(t, hasMark(lineWith(t, city, f)), f)
	}
	_, after, ok := strings.Cut(city, "（九）本地排除规则（第十三条）")
	require.True(t, ok)
	assert.Equal(t, "（无）", strings.TrimSpace(strings.Split(after, "\n")[1]))

	p := mustLoad(t, "selection:\n  ignore_bookings: true\n  draw_window: {max_lead: 72h, min_lead: 2h}\n"+strings.TrimPrefix(coolingOffYAML, "selection:\n"))
	text := p.Describe()
	for _, tc := range []struct {
		fragments []string
		mark      string // "" = not marked
	}{
		{[]string{"专家申报的不能参加时段"}, ""},
		{[]string{"不核查专家已接受的其他活动"}, expertdb.MarkChanged},
		{[]string{"（八）抽取时段（第十四条第（二）项", "须在活动开始前3天至前2小时之间抽取，抽取申请须写明抽取时间"}, expertdb.MarkChanged},
		{[]string{"1. cooling-off〔第十五条第（五）项〕"}, expertdb.MarkAdded},
		{[]string{"条件：!reviewedUnitWithin(project.Unit, 6)"}, ""},
		{[]string{"说明：专家在本次活动前后 6 个月内评审过同一申报单位的项目"}, ""},
		{[]string{"selection.draw_window.max_lead〔第十四条第（二）项〕市级规则 0 → 本地 72h"}, ""},
		{[]string{"selection.ignore_bookings〔第八条第（二）项〕市级规则 false → 本地 true"}, ""},
		{[]string{"selection.exclusions[cooling-off]〔第十五条第（五）项〕新增：!reviewedUnitWithin(project.Unit, 6)"}, ""},
	} {
		l := lineWith(t, text, tc.fragments...)
		if tc.mark == "" {
			assert.False(t, hasMark(l), l)
		} else {
			assert.Contains(t, l, tc.mark, l)
		}
	}
	assert.Contains(t, text, "本细则对市级规则作出本地调整 4 处")

	for body, want := range map[string]string{
		"selection: {ignore_unavailable: true}\n":     "不核查专家申报的不能参加时段" + expertdb.MarkChanged,
		"selection: {draw_window: {max_lead: 36h}}\n": "须在活动开始前36小时以内、活动开始之前抽取，抽取申请须写明抽取时间" + expertdb.MarkChanged,
		"selection: {draw_window: {min_lead: 30m}}\n": "须在活动开始前至少30分钟抽取，抽取申请须写明抽取时间" + expertdb.MarkChanged,
	} {
		assert.Contains(t, mustLoad(t, body).Describe(), want, body)
	}
}

// leadYAML writes a lead of m minutes as a profile would: 0 as an integer, otherwise "<m>m".
func leadYAML(m int) string {
	if m == 0 {
		return "0"
	}
	return fmt.Sprintf("%dm", m)
}

// Invariant: LoadPolicy accepts a draw window exactly when selection accepts it, and a
// window that loads is the window the draw applies (one change per lead that is set).
func TestPropertyDrawWindowLoadsIffTheDrawAcceptsIt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lead := rapid.OneOf(rapid.Just(0), rapid.IntRange(-180, 6000))
		maxM, minM := lead.Draw(t, "max_lead minutes"), lead.Draw(t, "min_lead minutes")
		w := selection.DrawWindow{MaxLead: time.Duration(maxM) * time.Minute, MinLead: time.Duration(minM) * time.Minute}
		_, selErr := selection.Prepare(testRequest(3), &selection.Rules{AnnualCap: 10, PreferentialShare: selection.Fraction{Num: 1, Den: 3}, DrawWindow: w})
		p, err := expertdb.LoadPolicy([]byte(fmt.Sprintf("%sselection:\n  draw_window: {max_lead: %s, min_lead: %s}\n", header, leadYAML(maxM), leadYAML(minM))))
		if selErr != nil {
			require.ErrorIs(t, selErr, selection.ErrInvalidRequest)
			require.Error(t, err, "selection refuses %+v, the loader must too", w)
			for _, pe := range policyErrors(t, err) {
				require.Equal(t, "value", pe.Code)
				require.True(t, strings.HasPrefix(pe.Path, "selection.draw_window."), pe.Path)
				require.Equal(t, 4, pe.Line)
			}
			return
		}
		require.NoError(t, err, "selection accepts %+v, the loader must too", w)
		require.Equal(t, w, p.Selection.DrawWindow)
		n := 0
		for _, m := range []int{maxM, minM} {
			if m != 0 {
				n++
			}
		}
		require.Len(t, p.Changes(), n)
		_, err = selection.Prepare(testRequest(3), p.Selection)
		require.NoError(t, err)
	})
}

// exclusionAtoms are pieces of exclusion expressions, valid and not.
var exclusionAtoms = []string{
	"expert.Title >= AssociateSenior", "usage < 3", "!reviewedUnitWithin(project.Unit, 6)",
	"expert.Region == project.Region", `"technical" in expert.Categories`, "!(expert.Affiliation.Org in project.Units)",
	"len(project.Units) > 1", `project.UnitKind != "government"`,
	// not valid over selection.Env, or not a condition
	"request.Size > 3", "expert.Nope", "usage +", "expert.Region", "reviewedUnitWithin(6)", "Senoir > 1", "project.Leader",
}

// Invariant: an exclusion rule loads exactly when selection.Prepare compiles it, and a rule
// that loads prepares with the loaded Selection: the loader and the draw never disagree.
func TestPropertyExclusionLoadsIffItPrepares(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		parts := rapid.SliceOfN(rapid.SampledFrom(exclusionAtoms), 1, 3).Draw(t, "atoms")
		expr := parts[0]
		for _, p := range parts[1:] {
			expr += rapid.SampledFrom([]string{" && ", " || "}).Draw(t, "op") + p
		}
		r := rule.Rule{Name: "county-rule", Article: "Art. 13", Expr: expr, Message: "本县排除规则"}
		_, selErr := selection.Prepare(testRequest(3), &selection.Rules{AnnualCap: 10, PreferentialShare: selection.Fraction{Num: 1, Den: 3},
			Exclusions: []rule.Rule{r}})
		quoted := "'" + strings.ReplaceAll(expr, "'", "''") + "'"
		p, err := expertdb.LoadPolicy([]byte(fmt.Sprintf("%sselection:\n  exclusions:\n    - name: county-rule\n      expr: %s\n      message: 本县排除规则\n", header, quoted)))
		if selErr != nil {
			require.Error(t, err, "selection refuses %q, the loader must too", expr)
			pes := policyErrors(t, err)
			require.Len(t, pes, 1)
			require.Equal(t, "expression", pes[0].Code)
			require.Equal(t, "county-rule", pes[0].Rule)
			require.Equal(t, 6, pes[0].Line)
			return
		}
		require.NoError(t, err, "selection accepts %q, the loader must too", expr)
		require.Equal(t, []rule.Rule{r}, p.Selection.Exclusions)
		_, err = selection.Prepare(testRequest(3), p.Selection)
		require.NoError(t, err)
	})
}

func TestLoadPolicyHintsAtQuotingOnlyForExpressions(t *testing.T) {
	pes := loadErrors(t, header+"conflict:\n  other_relations: !relation.Ongoing\n")
	require.Len(t, pes, 1)
	assert.Contains(t, pes[0].Message, "加引号")
	pes = loadErrors(t, header+"filing: !secret x\n")
	require.Len(t, pes, 1)
	assert.NotContains(t, pes[0].Message, "加引号", "a tag on a value that is not an expression gets no hint")
}
