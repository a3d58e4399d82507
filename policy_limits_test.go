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
	"github.com/wzsti/expertdb/evaluation"
)

// Attack tests of issue 17: a county profile (使用细则, Art. 13) may add and tighten, not loosen
// the city limits, unless the city allows a named setting.

const countyHead = "name: 测试县科技专家库使用细则\nregion: \"330381\"\nfiling: 测科〔2026〕1号\n"

func limitRefusal(t *testing.T, body, path string) *expertdb.PolicyError {
	t.Helper()
	_, err := expertdb.LoadPolicy([]byte(countyHead + body))
	require.Error(t, err)
	pes := policyErrors(t, err)
	for _, pe := range pes {
		if pe.Path == path {
			assert.Equal(t, "city-limit", pe.Code, pe.Error())
			assert.Positive(t, pe.Line)
			assert.Positive(t, pe.Column)
			assert.Contains(t, pe.Snippet, "^", "caret under the value")
			return pe
		}
	}
	t.Fatalf("no error at %s in %v", path, err)
	return nil
}

// Art. 14(1) "原则上专家每年参与科技评审（咨询）活动不超过10次": a county cannot raise the cap.
func TestArt14_1CountyCannotRaiseAnnualCap(t *testing.T) {
	pe := limitRefusal(t, "selection:\n  annual_cap: 12\n", "selection.annual_cap")
	assert.Contains(t, pe.Message, "10")
	assert.Contains(t, pe.Message, "allow", "says how the city can allow it")
	p, err := expertdb.LoadPolicy([]byte(countyHead + "selection: {annual_cap: 10}\n"))
	require.NoError(t, err)
	assert.Equal(t, 10, p.Selection.AnnualCap)
}

// Art. 14(1): annual_cap 0 would mean "no cap"; it is refused even where raising is allowed.
func TestArt14_1AnnualCapZeroRefused(t *testing.T) {
	limitRefusal(t, "selection:\n  annual_cap: 0\n", "selection.annual_cap")
	_, err := expertdb.LoadPolicyWith([]byte(countyHead+"selection: {annual_cap: 0}\n"), expertdb.AllowDeviations("selection.annual_cap"))
	require.Error(t, err)
}

// Art. 14(1) "选取的专家比例不能超过专家组总人数的三分之一": compared as exact fractions.
func TestArt14_1CountyCannotRaisePreferentialShare(t *testing.T) {
	limitRefusal(t, "selection:\n  preferential_share: 1/2\n", "selection.preferential_share")
	limitRefusal(t, "selection:\n  preferential_share: 1/1\n", "selection.preferential_share")
	// Just above a third, with numbers whose cross products overflow 64 bits.
	limitRefusal(t, "selection:\n  preferential_share: 3074457345618258603/9223372036854775807\n", "selection.preferential_share")
	_, err := expertdb.LoadPolicy([]byte(countyHead + "selection: {preferential_share: 3074457345618258602/9223372036854775807}\n"))
	require.NoError(t, err, "just below a third")
	_, err = expertdb.LoadPolicy([]byte(countyHead + "selection: {preferential_share: 2/6}\n"))
	require.NoError(t, err, "exactly a third")
	// 1/1 leaves no random draw at all: refused even when the city allows more than a third.
	_, err = expertdb.LoadPolicyWith([]byte(countyHead+"selection: {preferential_share: 1/1}\n"), expertdb.AllowDeviations("selection.preferential_share"))
	require.Error(t, err)
	p, err := expertdb.LoadPolicyWith([]byte(countyHead+"selection: {preferential_share: 1/2}\n"), expertdb.AllowDeviations("selection.preferential_share"))
	require.NoError(t, err)
	require.Len(t, p.Deviations(), 1)
}

// Art. 25 "上一年度专家履职评价优秀率超过 30% 的专家，方可作为择优选取的对象": the threshold may
// rise, never fall, and "at least 30%" is a loosening of "more than 30%".
func TestArt25CountyCannotLowerExcellentThreshold(t *testing.T) {
	limitRefusal(t, "evaluation:\n  threshold: 0%\n", "evaluation.threshold")
	limitRefusal(t, "evaluation:\n  threshold: 29/100\n", "evaluation.threshold")
	limitRefusal(t, "evaluation:\n  inclusive: true\n", "evaluation.inclusive")
	for _, ok := range []string{"evaluation: {threshold: 30%}\n", "evaluation: {threshold: 40%, inclusive: true}\n", "evaluation: {threshold: 1/3}\n"} {
		_, err := expertdb.LoadPolicy([]byte(countyHead + ok))
		assert.NoError(t, err, ok)
	}
}

// Art. 10(3), 9: a county may call more violations serious, not fewer.
func TestArt10_3CountyCannotShrinkSeriousViolations(t *testing.T) {
	limitRefusal(t, "evaluation:\n  serious_violations: [solicitation, leak]\n", "evaluation.serious_violations")
	p, err := expertdb.LoadPolicy([]byte(countyHead + "evaluation: {serious_violations: [solicitation, bribery, leak, plagiarism]}\n"))
	require.NoError(t, err)
	assert.True(t, p.Evaluation.IsSerious(evaluation.Plagiarism))
}

// Art. 5(1), 11: the basic admission conditions and the re-entry bar cannot be removed.
func TestArt5Art11CountyCannotRemoveBasicRules(t *testing.T) {
	for _, name := range []string{"integrity-record", "re-entry-barred", "age", "political-quality", "birth-date"} {
		t.Run(name, func(t *testing.T) {
			pe := limitRefusal(t, "admission:\n  basic:\n    - {name: "+name+", disabled: true}\n", "admission.basic["+name+"]")
			assert.Contains(t, pe.Message, name)
		})
	}
}

// Art. 5(1)3, 11, 13: a county that rewrites a basic rule only tightens it — the city's
// condition keeps holding (an expression "true" does not admit an expert with a record), while a
// stricter age limit applies.
func TestArt13RewrittenBasicRuleOnlyTightens(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p, err := expertdb.LoadPolicy([]byte(countyHead + `admission:
  basic:
    - {name: integrity-record, expr: "true"}
    - {name: re-entry-barred, expr: "true"}
    - {name: age, expr: age <= 63}
`))
	require.NoError(t, err)
	e := testExpert("E1", "330381", admission.University)
	e.Records = []admission.Record{{Kind: "plagiarism"}}
	e.Exits = []admission.Exit{{Reason: admission.ExitMisconduct}}
	d := admission.Check(e, asOf, p.Admission)
	assert.False(t, d.Eligible)
	assert.Equal(t, []string{"integrity-record", "re-entry-barred"}, codes(d.Findings))

	e = testExpert("E2", "330381", admission.University)
	e.BirthDate = asOf.AddDate(-64, -1, 0)
	assert.Equal(t, []string{"age"}, codes(admission.Check(e, asOf, p.Admission).Findings), "64 > 63")
	assert.Contains(t, p.Describe(), "市级条件", "Describe shows the city condition kept")
}

// Art. 5(1)3, 11: the narrow readings are settings a county needs the city's permission for.
func TestArt11NarrowReadingNeedsPermission(t *testing.T) {
	limitRefusal(t, "admission:\n  reentry_bar: for-cause\n", "admission.reentry_bar")
	limitRefusal(t, "admission:\n  integrity_bar: serious-only\n", "admission.integrity_bar")
	p, err := expertdb.LoadPolicyWith([]byte(countyHead+"admission: {reentry_bar: for-cause}\n"), expertdb.AllowDeviations("admission.reentry_bar"))
	require.NoError(t, err)
	e := testExpert("E1", "330381", admission.University)
	e.Exits = []admission.Exit{{Reason: admission.ExitOnRequest}}
	assert.True(t, admission.Check(e, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), p.Admission).Eligible)
	// A reading that is not a loosening (restating the default) needs nothing.
	_, err = expertdb.LoadPolicy([]byte(countyHead + "admission: {reentry_bar: any-exit, integrity_bar: any-record}\n"))
	require.NoError(t, err)
	_, err = expertdb.LoadPolicy([]byte(countyHead + "admission:\n  reentry_bar: never\n"))
	require.Error(t, err)
	pe := policyErrors(t, err)[0]
	assert.Equal(t, "value", pe.Code)
	assert.Contains(t, pe.Message, "any-exit、for-cause", "lists the valid values")
}

// Art. 13: the city profile names what counties may loosen; Describe shows each deviation and
// what allowed it.
func TestArt13CityProfileAllowsNamedSettings(t *testing.T) {
	city, err := expertdb.LoadPolicy([]byte(`name: 温州市科技专家库使用规则
region: "330300"
filing: 温科发〔2024〕2号
allow: [selection.annual_cap, admission.reentry_bar]
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"admission.reentry_bar", "selection.annual_cap"}, city.Allowed())

	p, err := expertdb.LoadPolicyWith([]byte(countyHead+"selection: {annual_cap: 12}\n"), expertdb.UnderCity(city))
	require.NoError(t, err)
	require.Len(t, p.Deviations(), 1)
	dv := p.Deviations()[0]
	assert.Equal(t, "selection.annual_cap", dv.Path)
	assert.Equal(t, "12", dv.Value)
	assert.Contains(t, dv.AllowedBy, "温州市科技专家库使用规则")
	desc := p.Describe()
	assert.Contains(t, desc, "突破市级限制")
	assert.Contains(t, desc, "selection.annual_cap")
	assert.Contains(t, desc, "温州市科技专家库使用规则")

	// The city allows the cap, not the share.
	_, err = expertdb.LoadPolicyWith([]byte(countyHead+"selection:\n  preferential_share: 1/2\n"), expertdb.UnderCity(city))
	require.Error(t, err)
}

// Art. 13: a county cannot allow itself anything; an unknown setting lists the valid ones.
func TestArt13CountyCannotAllowItself(t *testing.T) {
	_, err := expertdb.LoadPolicy([]byte(countyHead + "allow: [selection.annual_cap]\nselection: {annual_cap: 12}\n"))
	pes := policyErrors(t, err)
	var paths []string
	for _, pe := range pes {
		paths = append(paths, pe.Path)
	}
	assert.Contains(t, paths, "allow")
	assert.Contains(t, paths, "selection.annual_cap")

	_, err = expertdb.LoadPolicy([]byte("name: 市级\nregion: \"330300\"\nfiling: x\nallow: [selection.anual_cap]\n"))
	pe := policyErrors(t, err)[0]
	assert.Equal(t, "allow[selection.anual_cap]", pe.Path)
	assert.Contains(t, pe.Message, "selection.annual_cap", "lists the valid settings")
	assert.Equal(t, 4, pe.Line)
}

// Art. 13: every refusal at once, in file order, each with its line.
func TestArt13EveryLimitErrorAtOnce(t *testing.T) {
	_, err := expertdb.LoadPolicy([]byte(countyHead + `selection:
  annual_cap: 20
  preferential_share: 1/2
evaluation:
  threshold: 10%
admission:
  basic:
    - {name: re-entry-barred, disabled: true}
`))
	pes := policyErrors(t, err)
	var got []string
	for _, pe := range pes {
		got = append(got, pe.Path)
	}
	assert.Equal(t, []string{"selection.annual_cap", "selection.preferential_share", "evaluation.threshold", "admission.basic[re-entry-barred]"}, got)
	assert.True(t, errors.Is(err, expertdb.ErrInvalidPolicy))
}

// Art. 13 "报市科技局备案": a profile without a filing number is a draft, and says so.
func TestArt13UnfiledProfileIsDraft(t *testing.T) {
	p, err := expertdb.LoadPolicy([]byte("name: 测试县科技专家库使用细则\nregion: \"330381\"\n"))
	require.NoError(t, err)
	assert.True(t, p.Draft())
	assert.Contains(t, p.Describe(), "草案")
	filed, err := expertdb.LoadPolicy([]byte(countyHead))
	require.NoError(t, err)
	assert.False(t, filed.Draft())
	assert.False(t, expertdb.DefaultPolicy().Draft())
	assert.False(t, strings.Contains(filed.Describe(), "草案"))
}

// Art. 13: a Policy changed in code is checked against the same limits.
func TestArt13CheckLimitsOnAPolicyBuiltInCode(t *testing.T) {
	p := expertdb.DefaultPolicy()
	require.NoError(t, p.CheckLimits())
	p.Selection.AnnualCap = 0
	p.Evaluation.Inclusive = true
	pes := policyErrors(t, p.CheckLimits())
	require.Len(t, pes, 2)
	assert.Equal(t, "selection.annual_cap", pes[0].Path)
	assert.Equal(t, "evaluation.inclusive", pes[1].Path)
}

func codes(fs []admission.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

// Invariant (Art. 13, 14(1), 25): a profile loads without permission exactly when every limit
// holds; with every setting allowed it loads unless a value is refused outright, and each
// setting beyond a limit is then exactly one Deviation.
func TestPropertyCityLimits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		capV := rapid.IntRange(0, 30).Draw(t, "cap")
		num := rapid.IntRange(0, 12).Draw(t, "num")
		den := rapid.IntRange(1, 12).Draw(t, "den")
		if num > den {
			num = den
		}
		thr := rapid.IntRange(0, 100).Draw(t, "threshold%")
		inclusive := rapid.Bool().Draw(t, "inclusive")
		body := fmt.Sprintf("selection: {annual_cap: %d, preferential_share: %d/%d}\nevaluation: {threshold: %d%%, inclusive: %t}\n",
			capV, num, den, thr, inclusive)
		beyond := 0
		if capV > 10 {
			beyond++
		}
		if num*3 > den && num < den {
			beyond++
		}
		if thr < 30 || (thr == 30 && inclusive) {
			beyond++
		}
		refused := capV == 0 || num == den
		_, err := expertdb.LoadPolicy([]byte(countyHead + body))
		require.Equal(t, beyond == 0 && !refused, err == nil, "%s: %v", body, err)
		p, err := expertdb.LoadPolicyWith([]byte(countyHead+body), expertdb.AllowDeviations(expertdb.LimitSettings()...))
		require.Equal(t, !refused, err == nil, "%s: %v", body, err)
		if err == nil {
			require.Len(t, p.Deviations(), beyond)
		}
	})
}

// Art. 5(1)2, 13: a county that "tightens" the age rule with a looser expression still has the
// city's limit: a 68-year-old is refused with the city's message.
func TestArt5_1_2LooserAgeExpressionKeepsTheCityLimit(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p, err := expertdb.LoadPolicy([]byte(countyHead + "admission:\n  basic:\n    - {name: age, expr: age <= 70, message: 年龄超过70周岁}\n"))
	require.NoError(t, err)
	e := testExpert("E1", "330381", admission.University)
	e.BirthDate = asOf.AddDate(-68, -1, 0)
	d := admission.Check(e, asOf, p.Admission)
	require.Equal(t, []string{"age"}, codes(d.Findings))
	assert.Contains(t, d.Findings[0].Message, "65周岁", "the city's message")
	// Allowed by the city, the county's expression stands alone.
	p, err = expertdb.LoadPolicyWith([]byte(countyHead+"admission:\n  basic:\n    - {name: age, expr: age <= 70, message: 年龄超过70周岁}\n"),
		expertdb.AllowDeviations("admission.basic[age]"))
	require.NoError(t, err)
	assert.True(t, admission.Check(e, asOf, p.Admission).Eligible)
	require.Len(t, p.Deviations(), 1)
}

// Art. 13: only the city's profile can be the authority for a county's deviations, and only
// real settings can be allowed.
func TestArt13UnderCityNeedsTheCity(t *testing.T) {
	county, err := expertdb.LoadPolicy([]byte(countyHead))
	require.NoError(t, err)
	_, err = expertdb.LoadPolicyWith([]byte(countyHead), expertdb.UnderCity(county))
	require.Error(t, err)
	_, err = expertdb.LoadPolicyWith([]byte(countyHead), expertdb.UnderCity(nil))
	require.Error(t, err)
	_, err = expertdb.LoadPolicyWith([]byte(countyHead), expertdb.AllowDeviations("selection.everything"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "selection.annual_cap", "lists the valid settings")
}
