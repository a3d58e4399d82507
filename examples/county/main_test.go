package main

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
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
		"conflict.former_unit_months", "conflict.unit_aliases[瑞安人医]", "request_rules[key-project-outside-county]"} {
		assert.True(t, paths[want], want)
	}
	assert.Contains(t, p.Describe(), "每名专家每年参与科技评审（咨询）活动不超过 8 次")
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
	for _, want := range []string{"【市级规则】", "【瑞安细则】", "差异：", "county-government-staff", "annual-cap"} {
		assert.Contains(t, out, want)
	}
	// Names are masked in the output.
	for _, e := range Pool().Experts {
		assert.NotContains(t, out, e.Name, fmt.Sprintf("%s's name is masked", e.ID))
	}
	assert.False(t, strings.Contains(out, "panic"))
}
