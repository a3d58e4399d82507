package expertdb_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// intSetting is an integer setting of the profile, its default and how Describe shows it.
type intSetting struct {
	section, key string
	def, lo, hi  int
	describe     func(v int) string
}

var intSettings = []intSetting{
	{"selection", "annual_cap", 10, 1, 10, func(v int) string { return fmt.Sprintf("不超过 %d 次", v) }},
	{"conflict", "former_unit_months", 12, 0, 60, func(v int) string { return fmt.Sprintf("离开原单位 %d 个月内", v) }},
	{"conflict", "max_avoidances", 10, 1, 20, func(v int) string { return fmt.Sprintf("回避清单最多 %d 项", v) }},
	{"admission", "stale_after_days", 365, 1, 2000, func(v int) string { return fmt.Sprintf("超过 %d 天未更新", v) }},
	{"evaluation", "min_ratings", 1, 1, 6, func(v int) string { return fmt.Sprintf("至少有 %d 次履职评价", v) }},
}

// profileOf writes the chosen settings as YAML, each section once.
func profileOf(values map[int]int) string {
	bySection := map[string][]string{}
	var order []string
	for i, s := range intSettings {
		v, ok := values[i]
		if !ok {
			continue
		}
		if _, seen := bySection[s.section]; !seen {
			order = append(order, s.section)
		}
		bySection[s.section] = append(bySection[s.section], fmt.Sprintf("  %s: %d\n", s.key, v))
	}
	var b strings.Builder
	b.WriteString(header)
	for _, sec := range order {
		b.WriteString(sec + ":\n")
		for _, l := range bySection[sec] {
			b.WriteString(l)
		}
	}
	return b.String()
}

// Invariant: restating a default is not a change, and Describe then marks nothing.
func TestPropertyRestatingDefaultsIsNotAChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		values := map[int]int{}
		for i, s := range intSettings {
			if rapid.Bool().Draw(t, "restate "+s.key) {
				values[i] = s.def
			}
		}
		p, err := expertdb.LoadPolicy([]byte(profileOf(values)))
		require.NoError(t, err)
		require.Empty(t, p.Changes())
		text := p.Describe()
		require.NotContains(t, text, expertdb.MarkChanged)
		require.NotContains(t, text, expertdb.MarkAdded)
	})
}

// Invariant: every override of a setting is exactly one Change (old → new) and its line in
// Describe carries the local mark; nothing else is reported.
func TestPropertyEveryOverrideIsOneMarkedChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		values := map[int]int{}
		for i, s := range intSettings {
			if rapid.Bool().Draw(t, "set "+s.key) {
				values[i] = rapid.IntRange(s.lo, s.hi).Draw(t, s.key)
			}
		}
		p, err := expertdb.LoadPolicy([]byte(profileOf(values)))
		require.NoError(t, err)
		text := p.Describe()
		want := map[string]expertdb.Change{}
		for i, v := range values {
			s := intSettings[i]
			l := lineOf(text, s.describe(v))
			require.NotEmpty(t, l, "Describe shows %s = %d", s.key, v)
			if v == s.def {
				require.NotContains(t, l, expertdb.MarkChanged)
				continue
			}
			require.Contains(t, l, expertdb.MarkChanged)
			want[s.section+"."+s.key] = expertdb.Change{Kind: expertdb.ChangeSet, Old: strconv.Itoa(s.def), New: strconv.Itoa(v)}
		}
		got := map[string]expertdb.Change{}
		for _, c := range p.Changes() {
			got[c.Path] = expertdb.Change{Kind: c.Kind, Old: c.Old, New: c.New}
		}
		require.Equal(t, want, got)
	})
}

func lineOf(text, fragment string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, fragment) {
			return l
		}
	}
	return ""
}

// Invariant: every bad expression is reported, once, with its rule name and the line of the
// mistake, whatever the mix of good and bad rules and of scalar styles.
func TestPropertyEveryBadExpressionIsReported(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "rules")
		var b strings.Builder
		b.WriteString(header + "conflict:\n  clause5:\n")
		line := 5
		wantLines := map[string]int{}
		for i := range n {
			name := fmt.Sprintf("rule-%d", i)
			bad := rapid.Bool().Draw(t, "bad "+name)
			cond := `expert.Region == project.Region`
			if bad {
				cond = fmt.Sprintf(`expert.Region == nope%d`, i)
			}
			fmt.Fprintf(&b, "    - name: %s\n", name)
			line++
			switch rapid.SampledFrom([]string{"plain", "quoted", "block"}).Draw(t, "style "+name) {
			case "plain":
				fmt.Fprintf(&b, "      expr: %s\n", cond)
				line++
			case "quoted":
				fmt.Fprintf(&b, "      expr: '%s'\n", cond)
				line++
			case "block":
				fmt.Fprintf(&b, "      expr: |\n        expert.Title >= Junior\n          && %s\n", cond)
				line += 3
			}
			if bad {
				wantLines[name] = line - 1
			}
			fmt.Fprintf(&b, "      message: 第%d条\n", i)
			line++
		}
		p, err := expertdb.LoadPolicy([]byte(b.String()))
		if len(wantLines) == 0 {
			require.NoError(t, err)
			require.Len(t, p.Conflict.Clause5, n)
			return
		}
		require.Error(t, err)
		got := map[string]int{}
		for _, pe := range policyErrors(t, err) {
			require.Equal(t, "expression", pe.Code)
			_, dup := got[pe.Rule]
			require.False(t, dup, "rule %s reported twice", pe.Rule)
			got[pe.Rule] = pe.Line
			require.Positive(t, pe.Column)
			require.Contains(t, pe.Snippet, "nope")
		}
		require.Equal(t, wantLines, got)
	})
}

// Invariant: a share quota's bounds are exactly ⌈size × share⌉ and ⌊size × share⌋.
func TestPropertyShareQuotaBoundsAreExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		den := rapid.IntRange(1, 12).Draw(t, "den")
		num := rapid.IntRange(0, den).Draw(t, "num")
		size := rapid.IntRange(1, 500).Draw(t, "size")
		useMax := rapid.Bool().Draw(t, "max")
		field := "min_share"
		if useMax {
			field = "max_share"
		}
		p := mustLoad(t, fmt.Sprintf("request_rules:\n  - {name: r, message: m, quotas: [{name: q, filter: 'expert.Region == \"1\"', %s: %d/%d}]}\n", field, num, den))
		out, err := p.Apply(testRequest(size))
		require.NoError(t, err)
		prod := size * num
		if !useMax {
			require.Len(t, out.Quotas, 1)
			m := out.Quotas[0].Min
			require.True(t, m*den >= prod && (m-1)*den < prod, "min %d of %d × %d/%d", m, size, num, den)
			return
		}
		if prod < den { // ⌊size × share⌋ = 0: excluded by a negated condition
			require.Empty(t, out.Quotas)
			require.Empty(t, out.Criteria)
			require.Equal(t, []selection.Condition{{Rule: "r/q", Article: "Art. 13", Expr: `expert.Region == "1"`, Negate: true}}, out.Conditions)
			return
		}
		require.Len(t, out.Quotas, 1)
		m := out.Quotas[0].Max
		require.True(t, m*den <= prod && (m+1)*den > prod, "max %d of %d × %d/%d", m, size, num, den)
	})
}

// Invariant: a draw of an applied request meets the county's share, whatever the pool,
// or fails up front as infeasible.
func TestPropertyAppliedDrawMeetsTheCountyShare(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inside := rapid.IntRange(0, 12).Draw(t, "inside")
		outside := rapid.IntRange(0, 8).Draw(t, "outside")
		size := rapid.IntRange(1, 7).Draw(t, "size")
		den := rapid.IntRange(1, 4).Draw(t, "den")
		num := rapid.IntRange(1, den).Draw(t, "num")
		seed := rapid.Uint64().Draw(t, "entropy")
		p := mustLoad(t, fmt.Sprintf("request_rules:\n  - {name: r, message: m, when: '\"key-project\" in request.Labels', quotas: [{name: q, filter: 'expert.Region != \"330381\"', min_share: %d/%d}]}\n", num, den))
		req, err := p.Apply(testRequest(size), "key-project")
		require.NoError(t, err)
		need := (size*num + den - 1) / den
		res, err := selection.Draw(req, testPool(inside, outside), selection.Entropy{Sources: [][]uint64{{seed}}}, p.Selection)
		if outside < need || inside+outside < size {
			require.ErrorIs(t, err, selection.ErrInfeasible)
			return
		}
		require.NoError(t, err)
		got := 0
		for _, pick := range res.Panel {
			if strings.HasPrefix(pick.ExpertID, "WZ") {
				got++
			}
		}
		require.Len(t, res.Panel, size)
		require.GreaterOrEqual(t, got, need)
	})
}

// Invariant: LoadPolicy never panics, and either returns a compiled policy or only
// *PolicyError values with a code, on any combination of known and unknown keys and values.
func TestPropertyLoadPolicyAnswersEveryProfile(t *testing.T) {
	keys := map[string][]string{
		"":           {"name", "region", "filing", "effective", "selection", "conflict", "evaluation", "admission", "alerts", "request_rules", "bogus"},
		"selection":  {"annual_cap", "preferential_share", "mode", "reserve", "nope", "ignore_unavailable", "ignore_bookings", "draw_window", "exclusions"},
		"conflict":   {"former_unit_months", "max_avoidances", "exclude_possible", "unit_aliases", "clause5", "other_relations"},
		"evaluation": {"threshold", "inclusive", "serious_violations"},
		"admission":  {"basic", "sweep_exits", "stale_after_days"},
	}
	scalars := []string{"8", "-1", "0", "1/2", "30%", "true", "no", "\"330381\"", "2026-01-01", "v1", "x", "''", "[]", "{}", "~",
		"[solicitation]", "'expert.Nope'", "'true'", "{a: b}", "[{name: age, disabled: true}]", "[{name: x, expr: 'true', message: m}]",
		"[{name: redraw, threshold: 3}]", "[{name: r, message: m, criteria: 'true'}]", "\"3303\"", "&a 1", "*a",
		"72h", "-2h", "{max_lead: 72h, min_lead: 2h}", "{max_lead: 1h, min_lead: 2h}", "{min_lead: 3d}",
		"[{name: cooling-off, expr: '!reviewedUnitWithin(project.Unit, 6)', message: m}]", "[{name: x, expr: 'request.Size > 1', message: m}]"}
	rapid.Check(t, func(t *rapid.T) {
		var b strings.Builder
		for _, k := range rapid.SliceOfN(rapid.SampledFrom(keys[""]), 0, 6).Draw(t, "top") {
			sub := keys[k]
			if len(sub) > 0 && rapid.Bool().Draw(t, "nested "+k) {
				fmt.Fprintf(&b, "%s:\n", k)
				for _, s := range rapid.SliceOfN(rapid.SampledFrom(sub), 1, 3).Draw(t, "keys "+k) {
					fmt.Fprintf(&b, "  %s: %s\n", s, rapid.SampledFrom(scalars).Draw(t, "value "+s))
				}
				continue
			}
			fmt.Fprintf(&b, "%s: %s\n", k, rapid.SampledFrom(scalars).Draw(t, "value "+k))
		}
		p, err := expertdb.LoadPolicy([]byte(b.String()))
		if err == nil {
			require.NotNil(t, p)
			require.NoError(t, p.Compile())
			require.NotEmpty(t, p.Describe())
			return
		}
		require.Nil(t, p)
		require.True(t, errors.Is(err, expertdb.ErrInvalidPolicy))
		for _, pe := range policyErrors(t, err) {
			require.NotEmpty(t, pe.Code)
			require.NotEmpty(t, pe.Message)
			require.GreaterOrEqual(t, pe.Line, 0)
		}
	})
}

// Invariant: a county rule reaches the draw through the Policy's shared rules: an expert the
// county's clause (5) rule excludes is never on a panel drawn with the county's Selection.
func TestPropertyCountyRecusalReachesTheDraw(t *testing.T) {
	p := mustLoad(t, `conflict:
  clause5:
    - {name: county-government-staff, expr: 'expert.Affiliation.Kind == "government" && expert.Region == project.Region', message: 本县机关事业单位工作人员回避}
`)
	rapid.Check(t, func(t *rapid.T) {
		pool := testPool(0, 0)
		n := rapid.IntRange(3, 15).Draw(t, "experts")
		gov := map[string]bool{}
		for i := range n {
			kind := rapid.SampledFrom([]admission.OrgKind{admission.Government, admission.University, admission.Enterprise}).Draw(t, "kind")
			region := rapid.SampledFrom([]string{"330381", "330302"}).Draw(t, "region")
			e := testExpert(fmt.Sprintf("X%02d", i), region, kind)
			pool.Experts = append(pool.Experts, e)
			gov[e.ID] = kind == admission.Government && region == "330381"
		}
		size := rapid.IntRange(1, 3).Draw(t, "size")
		res, err := selection.Draw(testRequest(size), pool, selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "seed")}}}, p.Selection)
		if err != nil {
			require.ErrorIs(t, err, selection.ErrInfeasible)
			return
		}
		for _, pick := range res.Panel {
			require.False(t, gov[pick.ExpertID], "county government staff %s drawn", pick.ExpertID)
		}
		for _, x := range res.Excluded {
			if gov[x.ExpertID] {
				require.Equal(t, "county-government-staff", x.Code)
			}
		}
	})
}
