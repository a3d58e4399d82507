package admission_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
)

var defaults = admission.DefaultRules()

func TestCheckEligibleTechnicalExpert(t *testing.T) {
	d := admission.Check(technicalExpert(), asOf, defaults)
	assert.True(t, d.Eligible)
	assert.Equal(t, []admission.Category{admission.Technical}, d.Categories)
	assert.Empty(t, d.Findings)
}

func TestCheckBasicConditions(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*admission.Expert)
		article string
		codes   []string
	}{
		{"no political-quality declaration", func(e *admission.Expert) { e.Credentials = nil }, "Art. 5(1)1", []string{"political-quality"}},
		{"declaration dated after asOf", func(e *admission.Expert) { e.Credentials[0].Date = asOf.AddDate(0, 0, 1) }, "Art. 5(1)1", []string{"political-quality"}},
		{"66 years old", func(e *admission.Expert) { e.BirthDate = day(1960, 2, 1) }, "Art. 5(1)2", []string{"age"}},
		{"no birth date", func(e *admission.Expert) { e.BirthDate = time.Time{} }, "Art. 5(1)2", []string{"birth-date", "age"}},
		{"serious record", func(e *admission.Expert) {
			e.Records = []admission.Record{{Kind: "plagiarism", Serious: true}}
		}, "Art. 5(1)3", []string{"integrity-record"}},
		{"exited for misconduct", func(e *admission.Expert) {
			e.Exits = []admission.Exit{{Reason: admission.ExitMisconduct}}
		}, "Art. 11", []string{"re-entry-barred"}},
		{"everything wrong", func(e *admission.Expert) {
			e.Credentials = nil
			e.BirthDate = day(1950, 1, 1)
			e.Records = []admission.Record{{Kind: "fraud", Serious: true}}
			e.Exits = []admission.Exit{{Reason: admission.ExitLegal}}
		}, "Art. 5(1)1", []string{"political-quality", "age", "integrity-record", "re-entry-barred"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := technicalExpert()
			c.edit(&e)
			d := admission.Check(e, asOf, defaults)
			assert.False(t, d.Eligible)
			assert.Equal(t, c.codes, findingCodes(d.Findings))
			assert.Equal(t, c.article, d.Findings[0].Article)
			for _, f := range d.Findings {
				assert.NotEmpty(t, f.Message)
			}
			// The professional qualification is still reported.
			assert.Equal(t, []admission.Category{admission.Technical}, d.Categories)
		})
	}
}

func TestCheckAgeLimit(t *testing.T) {
	cases := []struct {
		name       string
		birth      time.Time
		retirement int
		asOf       time.Time
		eligible   bool
	}{
		{"65 on the day before the 66th birthday", day(1960, 6, 15), 0, day(2026, 6, 14), true},
		{"66 on the birthday", day(1960, 6, 15), 0, day(2026, 6, 15), false},
		{"statutory retirement age 67 admits 66", day(1960, 1, 1), 67, day(2026, 6, 1), true},
		{"statutory retirement age 67 admits 67", day(1959, 1, 1), 67, day(2026, 6, 1), true},
		{"statutory retirement age 67 refuses 68", day(1958, 1, 1), 67, day(2026, 6, 1), false},
		{"lower retirement age does not lower the limit", day(1962, 1, 1), 60, day(2026, 6, 1), true},
		{"leap-day birth turns 66 on 1 March", day(1960, 2, 29), 0, day(2026, 3, 1), false},
		{"leap-day birth is 65 on 28 February", day(1960, 2, 29), 0, day(2026, 2, 28), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := technicalExpert()
			e.BirthDate, e.RetirementAge = c.birth, c.retirement
			d := admission.Check(e, c.asOf, defaults)
			assert.Equal(t, c.eligible, d.Eligible, "%+v", d.Findings)
		})
	}
}

func TestCheckReentryByExitReason(t *testing.T) {
	for _, reason := range []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified,
		admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable} {
		t.Run(string(reason), func(t *testing.T) {
			e := technicalExpert()
			e.Status = admission.Exited
			e.Exits = []admission.Exit{{Reason: reason, Date: day(2024, 1, 1)}}
			d := admission.Check(e, asOf, defaults)
			assert.Equal(t, !reason.BarsReentry(), d.Eligible)
			assert.Equal(t, reason.BarsReentry(), slices.Contains(findingCodes(d.Findings), "re-entry-barred"))
			assert.Equal(t, reason.BarsReentry(), admission.ReentryBarred(e))
		})
	}
}

// TestEveryCredentialQualifiesItsCategory: every qualification Art. 5(2) lists qualifies its
// category on its own (plus fund-management for the economic category), and no other.
func TestEveryCredentialQualifiesItsCategory(t *testing.T) {
	for _, info := range admission.CredentialKinds() {
		if info.Category == "" || info.Kind == admission.CredFundManagement {
			continue
		}
		t.Run(info.Kind, func(t *testing.T) {
			e := technicalExpert()
			e.Title = admission.Intermediate
			e.Categories = admission.Categories()
			e.Credentials = creds(admission.CredPoliticalQuality, info.Kind)
			if info.Category == admission.Economic {
				e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredFundManagement})
			}
			d := admission.Check(e, asOf, defaults)
			assert.True(t, d.Eligible)
			assert.Equal(t, []admission.Category{info.Category}, d.Categories)
			for _, f := range d.Findings {
				assert.NotEqual(t, info.Article, f.Article, "findings concern only the other claimed categories")
			}
			assert.GreaterOrEqual(t, len(d.Findings), 3)
		})
	}
}

func TestCheckTechnicalTitle(t *testing.T) {
	for _, c := range []struct {
		title admission.TitleLevel
		want  bool
	}{
		{admission.TitleNone, false}, {admission.Junior, false}, {admission.Intermediate, false},
		{admission.AssociateSenior, true}, {admission.Senior, true},
	} {
		e := technicalExpert()
		e.Title = c.title
		d := admission.Check(e, asOf, defaults)
		assert.Equal(t, c.want, d.Eligible, "title %d", c.title)
		if !c.want {
			assert.Equal(t, []string{"technical-qualification"}, findingCodes(d.Findings))
			assert.Equal(t, "Art. 5(2)1", d.Findings[0].Article)
			assert.Contains(t, d.Findings[0].Message, "具有副高级及以上职称")
			assert.Contains(t, d.Findings[0].Message, "国际标准起草人")
		}
	}
}

func TestCheckEconomicNeedsFundManagementAndOneItem(t *testing.T) {
	cases := []struct {
		name  string
		kinds []string
		codes []string
	}{
		{"both", []string{admission.CredFundManagement, admission.CredFinanceDeptHead}, nil},
		{"item only", []string{admission.CredFinanceDeptHead}, []string{admission.CredFundManagement}},
		{"fund management only", []string{admission.CredFundManagement}, []string{"economic-qualification"}},
		{"neither", nil, []string{admission.CredFundManagement, "economic-qualification"}},
		{"general senior title is not an accounting title", []string{admission.CredFundManagement}, []string{"economic-qualification"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := technicalExpert()
			e.Title = admission.Senior
			e.Categories = []admission.Category{admission.Economic}
			e.Credentials = creds(append([]string{admission.CredPoliticalQuality}, c.kinds...)...)
			d := admission.Check(e, asOf, defaults)
			assert.Equal(t, c.codes == nil, d.Eligible)
			assert.Equal(t, c.codes, nilIfEmpty(findingCodes(d.Findings)))
			for _, f := range d.Findings {
				assert.Equal(t, "Art. 5(2)4", f.Article)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestCheckCategoriesAreClaimedAndQualified(t *testing.T) {
	e := technicalExpert() // qualifies as technical by title
	e.Categories = []admission.Category{admission.Management}
	d := admission.Check(e, asOf, defaults)
	assert.False(t, d.Eligible, "a technical qualification does not admit a management claim")
	assert.Empty(t, d.Categories)
	assert.Equal(t, []string{"management-qualification"}, findingCodes(d.Findings))

	e.Categories = []admission.Category{admission.Economic, admission.Management, admission.Technical, admission.Technical}
	d = admission.Check(e, asOf, defaults)
	assert.True(t, d.Eligible, "eligible with one qualifying category")
	assert.Equal(t, []admission.Category{admission.Technical}, d.Categories)
	assert.Equal(t, []string{"management-qualification", admission.CredFundManagement, "economic-qualification"}, findingCodes(d.Findings))
}

func TestCheckCategoryClaims(t *testing.T) {
	e := technicalExpert()
	e.Categories = nil
	d := admission.Check(e, asOf, defaults)
	assert.False(t, d.Eligible)
	assert.Equal(t, []string{"no-category"}, findingCodes(d.Findings))
	assert.Equal(t, "Art. 5(2)", d.Findings[0].Article)

	e.Categories = []admission.Category{"astrology", admission.Technical, "astrology"}
	d = admission.Check(e, asOf, defaults)
	assert.True(t, d.Eligible)
	assert.Equal(t, []string{"unknown-category"}, findingCodes(d.Findings))
	assert.Contains(t, d.Findings[0].Message, "astrology")
}

func TestCheckCredentialDates(t *testing.T) {
	e := technicalExpert()
	e.Title = admission.Intermediate
	e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredNationalAward, Date: asOf})
	assert.True(t, admission.Check(e, asOf, defaults).Eligible, "a credential dated asOf is held")
	e.Credentials[1].Date = asOf.AddDate(0, 0, 1)
	assert.False(t, admission.Check(e, asOf, defaults).Eligible, "a credential dated after asOf is not yet held")
}

func TestCheckNilRulesMeansDefaults(t *testing.T) {
	assert.Equal(t, admission.Check(technicalExpert(), asOf, defaults), admission.Check(technicalExpert(), asOf, nil))
}

func TestCheckUncompiledRulesFailClosed(t *testing.T) {
	r := &admission.Rules{Basic: defaults.Basic, Professional: defaults.Professional}
	assert.False(t, r.Compiled())
	d := admission.Check(technicalExpert(), asOf, r)
	assert.False(t, d.Eligible)
	assert.Equal(t, []string{"rules-not-compiled"}, findingCodes(d.Findings))
	require.NoError(t, r.Compile())
	assert.True(t, admission.Check(technicalExpert(), asOf, r).Eligible)
}

func TestCheckEvaluationErrorFailsClosed(t *testing.T) {
	r := admission.DefaultRules()
	r.Basic = append(r.Basic, rule.Rule{Name: "third-credential", Article: "Art. 5(1)", Expr: `expert.Credentials[2] == "x"`, Message: "第三项资质"})
	require.NoError(t, r.Compile())
	d := admission.Check(technicalExpert(), asOf, r)
	assert.False(t, d.Eligible)
	require.Equal(t, []string{"third-credential"}, findingCodes(d.Findings))
	assert.Contains(t, d.Findings[0].Message, "按不满足处理")
}

func TestCountyOverrides(t *testing.T) {
	r := admission.DefaultRules()
	for i, b := range r.Basic {
		if b.Name == "age" {
			r.Basic[i].Expr = `age <= 70`
			r.Basic[i].Message = "年龄超过70周岁"
		}
	}
	// A county adds a category of its own, qualifying government officials.
	r.Professional["legal"] = admission.CategoryRules{Article: "Art. 13", AnyOf: []rule.Rule{
		{Name: "gov", Article: "Art. 13", Expr: `expert.Affiliation.Kind == "government" && expert.Title >= Intermediate`, Message: "政府机关中级及以上"},
	}}
	require.NoError(t, r.Compile())

	e := technicalExpert()
	e.BirthDate = day(1957, 1, 1) // 69
	assert.False(t, admission.Check(e, asOf, defaults).Eligible)
	assert.True(t, admission.Check(e, asOf, r).Eligible)

	e.Categories = []admission.Category{"legal", admission.Technical}
	e.Affiliation.Kind = admission.Government
	d := admission.Check(e, asOf, r)
	assert.Equal(t, []admission.Category{admission.Technical, "legal"}, d.Categories, "Art. 5(2) order, then county categories")

	// Edits after Compile have no effect until the next Compile.
	r.Basic = nil
	e.BirthDate = day(1940, 1, 1)
	assert.False(t, admission.Check(e, asOf, r).Eligible)
}

func TestCompileReportsEveryError(t *testing.T) {
	r := admission.DefaultRules()
	r.Basic = append(r.Basic,
		rule.Rule{Name: "typo", Article: "Art. 5", Expr: `expert.Titel >= 3`, Message: "x"},
		rule.Rule{Name: "not-bool", Article: "Art. 5", Expr: `age + 1`, Message: "x"})
	r.Drawable = []rule.Rule{{Name: "bad-call", Article: "Art. 14(3)", Expr: `hasRecentTraining("integrity")`, Message: "x"}}
	r.Professional[admission.Strategy] = admission.CategoryRules{}
	r.SweepExits["no-such-rule"] = admission.ExitLegal
	r.SweepExits["age"] = "retired"
	r.StaleAfterDays = -1
	err := r.Compile()
	require.Error(t, err)
	var names []string
	for _, e := range flatten(err) {
		var ce *rule.CompileError
		if errors.As(e, &ce) {
			names = append(names, ce.Rule)
		}
	}
	assert.ElementsMatch(t, []string{"typo", "not-bool", "bad-call"}, names)
	msg := err.Error()
	for _, want := range []string{`"strategy" has no rules`, `"no-such-rule"`, `"retired"`, "negative", "Titel"} {
		assert.Contains(t, msg, want)
	}
	assert.True(t, strings.HasPrefix(msg, "admission: "))
	var ce *rule.CompileError
	require.ErrorAs(t, err, &ce)
	assert.Positive(t, ce.Line)
}

// flatten unwraps joined and wrapped errors into their leaves.
func flatten(err error) []error {
	switch x := err.(type) {
	case interface{ Unwrap() []error }:
		var out []error
		for _, e := range x.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		return flatten(x.Unwrap())
	}
	return []error{err}
}

func TestCompileRefusesEmptyProfessional(t *testing.T) {
	r := &admission.Rules{Basic: admission.DefaultRules().Basic}
	assert.ErrorContains(t, r.Compile(), "no professional categories")
}

func TestDrawable(t *testing.T) {
	e := technicalExpert()
	e.Status = admission.Active
	assert.Empty(t, admission.Drawable(e, asOf, defaults), "no drawable rules by default")

	r := admission.DefaultRules()
	r.Drawable = []rule.Rule{{Name: "recent-integrity-training", Article: "Art. 14(3)",
		Expr: `hasRecentTraining("integrity", 365)`, Message: "近一年未参加廉政教育培训"}}
	require.NoError(t, r.Compile())
	assert.Equal(t, []string{"recent-integrity-training"}, findingCodes(admission.Drawable(e, asOf, r)))

	e.Trainings = []admission.Training{{Kind: admission.TrainingIntegrity, Online: true, Date: asOf.AddDate(-1, 0, 0)}}
	assert.Empty(t, admission.Drawable(e, asOf, r), "365 days ago is within 365 days")
	e.Trainings[0].Date = asOf.AddDate(-1, 0, -1)
	assert.NotEmpty(t, admission.Drawable(e, asOf, r), "366 days ago is not")
	e.Trainings[0].Date = asOf.AddDate(0, 0, 1)
	assert.NotEmpty(t, admission.Drawable(e, asOf, r), "a training after asOf does not count")
	e.Trainings[0] = admission.Training{Kind: admission.TrainingPolicyLaw, Date: asOf}
	assert.NotEmpty(t, admission.Drawable(e, asOf, r), "wrong kind")

	r.Drawable[0].Expr = `hasRecentTraining("", 30)`
	require.NoError(t, r.Compile())
	assert.Empty(t, admission.Drawable(e, asOf, r), "any kind")

	e.Status = admission.Exited
	e.BirthDate = day(1950, 1, 1)
	assert.Equal(t, []string{"not-active", "age"}, findingCodes(admission.Drawable(e, asOf, r)))
	assert.Equal(t, []string{"rules-not-compiled"}, findingCodes(admission.Drawable(e, asOf, &admission.Rules{})))
}

func TestEnvHelpers(t *testing.T) {
	e := technicalExpert()
	e.UpdatedAt = asOf.AddDate(0, 0, -10)
	env := admission.NewEnv(e, asOf)
	assert.Equal(t, 55, env.Age)
	assert.Equal(t, 10, env.DaysSince(e.UpdatedAt))
	assert.True(t, env.HasCredential(admission.CredPoliticalQuality))
	assert.False(t, env.HasCredential(admission.CredNationalAward))
	assert.False(t, env.HasRecentTraining("", 1000))

	r := admission.DefaultRules()
	r.Basic = append(r.Basic, rule.Rule{Name: "fresh", Article: "Art. 8(1)", Expr: `daysSince(expert.UpdatedAt) <= 365 && asOf.Year() == 2026`, Message: "信息过期"})
	require.NoError(t, r.Compile())
	assert.True(t, admission.Check(e, asOf, r).Eligible)
	e.UpdatedAt = asOf.AddDate(-2, 0, 0)
	assert.Equal(t, []string{"fresh"}, findingCodes(admission.Check(e, asOf, r).Findings))
}

func TestCredentialKindsAreCompleteAndUnique(t *testing.T) {
	seen := map[string]bool{}
	perCategory := map[admission.Category]int{}
	for _, c := range admission.CredentialKinds() {
		assert.False(t, seen[c.Kind], "duplicate kind %s", c.Kind)
		seen[c.Kind] = true
		assert.Regexp(t, `^[a-z]+(-[a-z]+)*$`, c.Kind)
		assert.NotEmpty(t, c.Label)
		label, ok := admission.CredentialLabel(c.Kind)
		assert.True(t, ok)
		assert.Equal(t, c.Label, label)
		if c.Category == "" {
			assert.Contains(t, c.Article, "Art. 5(1)")
		} else {
			assert.Equal(t, c.Category.Article(), c.Article)
			perCategory[c.Category]++
		}
	}
	// Art. 5(2): 7 technical credentials (plus the title), 4 management, 3 strategy,
	// 1 required + 5 optional economic.
	assert.Equal(t, map[admission.Category]int{admission.Technical: 8, admission.Management: 4, admission.Strategy: 3, admission.Economic: 6}, perCategory)
	_, ok := admission.CredentialLabel("county-own-kind")
	assert.False(t, ok)

	// Every credential of a category is one of the category's default rules.
	r := admission.DefaultRules()
	for _, c := range admission.CredentialKinds() {
		if c.Category == "" {
			continue
		}
		cr := r.Professional[c.Category]
		all := append(slices.Clone(cr.Required), cr.AnyOf...)
		assert.True(t, slices.ContainsFunc(all, func(x rule.Rule) bool {
			return x.Name == c.Kind && x.Expr == `hasCredential("`+c.Kind+`")`
		}), "no default rule for %s", c.Kind)
	}
}

func TestCategoryLabels(t *testing.T) {
	labels := map[admission.Category]string{admission.Technical: "科技专家", admission.Management: "管理专家", admission.Strategy: "战略咨询专家", admission.Economic: "经济专家"}
	for c, l := range labels {
		assert.Equal(t, l, c.Label())
	}
	assert.Equal(t, "legal", admission.Category("legal").Label())
	assert.Equal(t, "Art. 5(2)", admission.Category("legal").Article())
}

func TestDefaultRulesAreIndependent(t *testing.T) {
	a, b := admission.DefaultRules(), admission.DefaultRules()
	a.Basic[0].Expr = "false"
	a.Professional[admission.Technical] = admission.CategoryRules{}
	assert.Equal(t, `hasCredential("political-quality")`, b.Basic[0].Expr)
	assert.NotEmpty(t, b.Professional[admission.Technical].AnyOf)
	assert.True(t, admission.Check(technicalExpert(), asOf, b).Eligible)
}

func TestCheckIsSafeForConcurrentUse(t *testing.T) {
	r := admission.DefaultRules()
	experts := benchExperts(16)
	want := make([]admission.Decision, len(experts))
	for i, e := range experts {
		want[i] = admission.Check(e, asOf, r)
	}
	done := make(chan []admission.Decision)
	for range 4 {
		go func() {
			got := make([]admission.Decision, len(experts))
			for i, e := range experts {
				got[i] = admission.Check(e, asOf, r)
			}
			done <- got
		}()
	}
	for range 4 {
		assert.Equal(t, want, <-done)
	}
}

func TestDefaultReentryRuleMatchesBarsReentry(t *testing.T) {
	r := admission.DefaultRules()
	for _, reason := range []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified,
		admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable} {
		e := technicalExpert()
		e.Exits = []admission.Exit{{Reason: reason}}
		assert.Equal(t, reason.BarsReentry(), slices.Contains(findingCodes(admission.Check(e, asOf, r).Findings), "re-entry-barred"), reason)
	}
}
