package main

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

func expertByID(t *testing.T, id string) admission.Expert {
	t.Helper()
	pool := Pool()
	i := slices.IndexFunc(pool.Experts, func(e admission.Expert) bool { return e.ID == id })
	require.GreaterOrEqual(t, i, 0, id)
	return pool.Experts[i]
}

func TestRuianProfileLoads(t *testing.T) {
	p, err := LoadRuian()
	require.NoError(t, err)
	assert.Equal(t, "330381", p.Region)
	assert.Equal(t, 8, p.Selection.AnnualCap)
	assert.Equal(t, selection.Fraction{Num: 1, Den: 4}, p.Selection.PreferentialShare)
	assert.Same(t, p.Conflict, p.Selection.Conflict)
	paths := map[string]bool{}
	for _, c := range p.Changes() {
		paths[c.Path] = true
	}
	for _, want := range []string{"selection.annual_cap", "conflict.clause5[county-government-staff]",
		"conflict.former_unit_months", "conflict.unit_aliases[瑞安人医]", "request_rules[key-project-outside-county]",
		"selection.draw_window.max_lead", "selection.draw_window.min_lead", "selection.exclusions[cooling-off]"} {
		assert.True(t, paths[want], want)
	}
	assert.Contains(t, p.Describe(), "每名专家每年参与科技评审（咨询）活动不超过 8 次")
	// The draw controls: selection's own cooling-off rule and a window of 3 days to 2 hours.
	assert.Equal(t, []rule.Rule{selection.CoolingOffRule(6)}, p.Selection.Exclusions)
	assert.Equal(t, selection.DrawWindow{MaxLead: 72 * time.Hour, MinLead: 2 * time.Hour}, p.Selection.DrawWindow)
	city := expertdb.DefaultPolicy().Selection
	assert.Empty(t, city.Exclusions)
	assert.False(t, city.DrawWindow.Enabled())
}

// TestRecusalsDiffer checks each recusal rule of the profile against the city defaults, on
// the experts built to show it.
func TestRecusalsDiffer(t *testing.T) {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	require.NoError(t, err)
	for _, tc := range []struct {
		id   string
		want []string // codes under Ruian's rules; the city finds none for these experts
	}{
		{"RA02", []string{"county-government-staff"}}, // Ruian government staff, Ruian project
		{"RA03", []string{"county-government-staff"}},
		{"RA04", []string{"same-unit"}},       // 瑞安人医 is the member's 瑞安市人民医院
		{"RA14", []string{"same-enterprise"}}, // left the leader's company 18 months ago
		{"WZ05", nil},                         // city government staff: not Ruian's
		{"RA01", nil},
	} {
		e := expertByID(t, tc.id)
		got, err := Recusal(ruian, e)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.id)
		got, err = Recusal(city, e)
		require.NoError(t, err)
		assert.Empty(t, got, tc.id)
	}
	// The county rule applies to the county's own projects only.
	p := Project()
	p.Region = "330302"
	c, err := conflict.New(p, nil, activity, ruian.Conflict)
	require.NoError(t, err)
	assert.Empty(t, c.Check(expertByID(t, "RA02")))
}

// TestDrawsDiffer draws the key project under both rule sets with the same entropy and checks
// that the differences are exactly those the profile makes.
func TestDrawsDiffer(t *testing.T) {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	require.NoError(t, err)
	co, err := Draw(city)
	require.NoError(t, err)
	ro, err := Draw(ruian)
	require.NoError(t, err)

	// The city request is the request as submitted; Ruian's carries its quota.
	assert.Equal(t, Request(), co.Request)
	require.Len(t, ro.Request.Quotas, 1)
	assert.Equal(t, selection.Quota{Name: "key-project-outside-county/outside-county", Filter: `expert.Region != "330381"`, Min: 4}, ro.Request.Quotas[0])

	// Every exclusion difference is one of the profile's rules, and nothing else differs.
	assert.Empty(t, co.Excluded(), "the city rules exclude nobody in this pool")
	assert.Equal(t, map[string]string{
		"RA02": "county-government-staff", "RA03": "county-government-staff", // Art. 15(5), county rule
		"RA04": "same-unit",                        // alias 瑞安人医
		"RA14": "same-enterprise",                  // 24-month window
		"RA05": "annual-cap", "RA07": "annual-cap", // 8 and 9 participations, cap 8
		"WZ03": "cooling-off", // reviewed the applicant unit 4 months ago
	}, ro.Excluded())
	pool := Pool()
	for id := range maps.Keys(ro.Excluded()) {
		assert.Less(t, pool.Usage[id], city.Selection.AnnualCap, "%s is under the city cap", id)
	}

	// Both panels are complete; Ruian's has at least half from outside the county.
	assert.Len(t, co.Result.Panel, 7)
	assert.Len(t, ro.Result.Panel, 7)
	assert.GreaterOrEqual(t, ro.Outside, 4)
	for _, pick := range ro.Result.Panel {
		_, excluded := ro.Excluded()[pick.ExpertID]
		assert.False(t, excluded)
	}
}

// TestCoolingOffDiffers checks Ruian's cooling-off rule against the city defaults: an
// expert who reviewed the same applicant unit within 6 months is excluded under Ruian's
// rules only, and only because of that review.
func TestCoolingOffDiffers(t *testing.T) {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	require.NoError(t, err)
	co, err := Draw(city)
	require.NoError(t, err)
	ro, err := Draw(ruian)
	require.NoError(t, err)

	pool := Pool()
	require.Len(t, pool.History["WZ03"], 1)
	require.Len(t, pool.History["ZJ02"], 1)
	var x selection.Exclusion
	for _, e := range ro.Result.Excluded {
		if e.ExpertID == "WZ03" {
			x = e
		}
	}
	assert.Equal(t, selection.Exclusion{ExpertID: "WZ03", Article: "Art. 15(5)", Code: "cooling-off",
		Reason: "专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避"}, x)
	assert.NotContains(t, co.Excluded(), "WZ03", "the city has no cooling-off period")
	assert.NotContains(t, ro.Excluded(), "ZJ02", "a review 8 months ago is outside the 6 months")

	draw := func(p *expertdb.Policy, req selection.Request, pool selection.Pool) map[string]string {
		t.Helper()
		req, err := p.Apply(req, "key-project")
		require.NoError(t, err)
		res, err := selection.Draw(req, pool, entropy, p.Selection)
		require.NoError(t, err)
		return (&Outcome{Result: res}).Excluded()
	}
	// Without the review, WZ03 is drawable under Ruian's rules too.
	clean := Pool()
	delete(clean.History, "WZ03")
	assert.NotContains(t, draw(ruian, Request(), clean), "WZ03")
	// The period is per applicant unit: another unit's project does not exclude WZ03.
	other := Request()
	other.Project.Leader.Affiliation.Org = "瑞安某新材料有限公司"
	assert.NotContains(t, draw(ruian, other, Pool()), "WZ03")
	// A review of the same unit after the activity counts as well (before or after).
	later := Pool()
	later.History["WZ03"][0].At = activity.AddDate(0, 3, 0)
	assert.Equal(t, "cooling-off", draw(ruian, Request(), later)["WZ03"])
}

// TestDrawWindowDiffers draws the key project at several times: the city draws at any time,
// Ruian only between 72 and 2 hours before the review, and requires the draw time.
func TestDrawWindowDiffers(t *testing.T) {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	require.NoError(t, err)
	for _, tc := range []struct {
		lead time.Duration // before the activity
		code string        // Ruian's refusal; "" = drawn
	}{
		{96 * time.Hour, "draw-too-early"},
		{72*time.Hour + time.Second, "draw-too-early"},
		{72 * time.Hour, ""},
		{24 * time.Hour, ""},
		{2 * time.Hour, ""},
		{2*time.Hour - time.Second, "draw-too-late"},
		{time.Hour, "draw-too-late"},
		{-time.Hour, "draw-too-late"}, // after the start
	} {
		at := activity.Add(-tc.lead)
		_, err := DrawAt(city, at)
		require.NoError(t, err, "the city has no window (%s)", tc.lead)
		ro, err := DrawAt(ruian, at)
		if tc.code == "" {
			require.NoError(t, err, tc.lead)
			assert.Len(t, ro.Result.Panel, 7)
			continue
		}
		require.ErrorIs(t, err, selection.ErrDrawWindow, tc.lead)
		var se *selection.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, tc.code, se.Code, tc.lead)
		assert.Equal(t, "Art. 14(2)", se.Article)
		assert.Contains(t, se.Message, "2026-05-17 09:00 至 2026-05-20 07:00", "the message states the window")
	}
	// Ruian's window makes the draw time required; the city does not need it.
	_, err = DrawAt(ruian, time.Time{})
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
	assert.NotErrorIs(t, err, selection.ErrDrawWindow)
	_, err = DrawAt(city, time.Time{})
	require.NoError(t, err)
}

// TestRuianShareHoldsForAnyEntropy checks the key-project rule over many public entropies,
// and that the city rules, which have no such rule, do fall below half for some of them.
func TestRuianShareHoldsForAnyEntropy(t *testing.T) {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	require.NoError(t, err)
	saved := entropy
	defer func() { entropy = saved }()
	cityBelow := 0
	for i := range 60 {
		entropy = selection.Entropy{Sources: [][]uint64{{uint64(20260000 + i)}, {5, 9, 14}}}
		ro, err := Draw(ruian)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, ro.Outside, 4, "entropy %d", i)
		co, err := Draw(city)
		require.NoError(t, err)
		if co.Outside < 4 {
			cityBelow++
		}
	}
	assert.Positive(t, cityBelow, "without the county rule, some panels have fewer than half from outside")
}

func TestRunIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, Run(&a))
	require.NoError(t, Run(&b))
	assert.Equal(t, a.String(), b.String())
	out := a.String()
	for _, want := range []string{"【市级规则】", "【瑞安细则】", "差异：", "county-government-staff", "annual-cap",
		"WZ03 刘*：市级 可抽取，瑞安 cooling-off", "瑞安 拒绝 draw-too-early（Art. 14(2)）", "瑞安 拒绝 draw-too-late（Art. 14(2)）"} {
		assert.Contains(t, out, want)
	}
	// Names are masked in the output.
	for _, e := range Pool().Experts {
		assert.NotContains(t, out, e.Name, fmt.Sprintf("%s's name is masked", e.ID))
	}
	assert.False(t, strings.Contains(out, "panic"))
}
