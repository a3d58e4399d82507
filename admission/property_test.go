package admission_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"pgregory.net/rapid"
)

// genDay draws a calendar date between two years, in one of a few locations.
func genDay(t *rapid.T, label string, fromYear, toYear int) time.Time {
	start := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(toYear, 12, 31, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	d := start.AddDate(0, 0, rapid.IntRange(0, days).Draw(t, label))
	loc := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("W", -11*3600)}).Draw(t, label+"-loc")
	hour := rapid.IntRange(0, 23).Draw(t, label+"-hour")
	y, m, dd := d.Date()
	return time.Date(y, m, dd, hour, 0, 0, 0, loc)
}

func allKinds() []string {
	var out []string
	for _, c := range admission.CredentialKinds() {
		out = append(out, c.Kind)
	}
	return append(out, "county-own-kind")
}

// genExpert draws a profile biased towards eligibility, so that both outcomes are common.
func genExpert(t *rapid.T, asOf time.Time) admission.Expert {
	e := admission.Expert{
		ID:            rapid.StringMatching(`E[0-9]{3}`).Draw(t, "id"),
		Name:          rapid.SampledFrom([]string{"张三", "欧阳修", "李"}).Draw(t, "name"),
		RetirementAge: rapid.SampledFrom([]int{0, 0, 0, 60, 65, 67, 70}).Draw(t, "retirement"),
		Title:         rapid.SampledFrom([]admission.TitleLevel{admission.TitleNone, admission.Intermediate, admission.AssociateSenior, admission.AssociateSenior, admission.Senior}).Draw(t, "title"),
		Status:        rapid.SampledFrom([]admission.Status{admission.Pending, admission.Active, admission.Exited, ""}).Draw(t, "status"),
		Affiliation:   admission.Affiliation{Org: "某单位", Kind: rapid.SampledFrom([]admission.OrgKind{admission.University, admission.Enterprise, admission.Government}).Draw(t, "kind")},
	}
	if rapid.IntRange(0, 20).Draw(t, "no-birth") > 0 {
		// Young ages come first: rapid favours small draws.
		years := rapid.IntRange(25, 72).Draw(t, "age-years")
		b := asOf.AddDate(-years, 0, -rapid.IntRange(0, 365).Draw(t, "age-days"))
		y, m, d := b.Date()
		e.BirthDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	cats := append(admission.Categories(), admission.Technical, admission.Technical, "county-category")
	if rapid.IntRange(0, 10).Draw(t, "no-categories") > 0 {
		e.Categories = rapid.SliceOfN(rapid.SampledFrom(cats), 1, 3).Draw(t, "categories")
	}
	if rapid.IntRange(0, 5).Draw(t, "political") > 0 {
		e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredPoliticalQuality})
	}
	for _, k := range rapid.SliceOfN(rapid.SampledFrom(allKinds()), 0, 5).Draw(t, "creds") {
		c := admission.Credential{Kind: k}
		if rapid.Bool().Draw(t, "dated") {
			c.Date = genDay(t, "cred-date", asOf.Year()-30, asOf.Year()+1)
		}
		e.Credentials = append(e.Credentials, c)
	}
	for _, serious := range rapid.SliceOfN(rapid.IntRange(0, 9), 0, 2).Draw(t, "records") {
		e.Records = append(e.Records, admission.Record{Kind: "r", Serious: serious == 0})
	}
	reasons := []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified, admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable}
	for _, r := range rapid.SliceOfN(rapid.SampledFrom(reasons), 0, 2).Draw(t, "exits") {
		if rapid.IntRange(0, 3).Draw(t, "keep-exit") == 0 {
			e.Exits = append(e.Exits, admission.Exit{Reason: r})
		}
	}
	for range rapid.IntRange(0, 2).Draw(t, "trainings") {
		e.Trainings = append(e.Trainings, admission.Training{
			Kind: rapid.SampledFrom([]admission.TrainingKind{admission.TrainingIntegrity, admission.TrainingPolicyLaw, admission.TrainingReviewRules}).Draw(t, "tkind"),
			Date: genDay(t, "tdate", asOf.Year()-3, asOf.Year())})
	}
	if rapid.Bool().Draw(t, "updated") {
		e.UpdatedAt = genDay(t, "updated-at", asOf.Year()-3, asOf.Year())
	}
	e.Tags = rapid.SliceOfN(rapid.StringMatching(`[a-z]{1,5}`), 0, 3).Draw(t, "tags")
	return e
}

// isBirthday reports whether d is the birthday of someone born on birth (29 February
// birthdays fall on 1 March in common years).
func isBirthday(birth, d time.Time) bool {
	_, bm, bd := birth.Date()
	y, m, dd := d.Date()
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	if bm == time.February && bd == 29 && !leap {
		return m == time.March && dd == 1
	}
	return m == bm && dd == bd
}

func TestAgeRisesByExactlyOneOnEachBirthday(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		birth := genDay(t, "birth", 1800, 2100)
		d := genDay(t, "day", 1790, 2200)
		next := d.AddDate(0, 0, 1)
		diff := admission.Age(birth, next) - admission.Age(birth, d)
		want := 0
		if admission.DaysBetween(birth, next) > 0 && isBirthday(birth, next) {
			want = 1
		}
		if diff != want {
			t.Fatalf("born %v: Age(%v)=%d, Age(%v)=%d", birth, d, admission.Age(birth, d), next, admission.Age(birth, next))
		}
	})
}

func TestAgeNeverDecreases(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		birth := genDay(t, "birth", 1800, 2100)
		a := genDay(t, "a", 1790, 2200)
		b := a.AddDate(0, 0, rapid.IntRange(0, 40000).Draw(t, "later"))
		if admission.Age(birth, b) < admission.Age(birth, a) {
			t.Fatalf("born %v: Age(%v)=%d > Age(%v)=%d", birth, a, admission.Age(birth, a), b, admission.Age(birth, b))
		}
		if admission.Age(birth, a) < 0 {
			t.Fatalf("negative age")
		}
	})
}

func TestCheckNeverPanicsAndIsDeterministic(t *testing.T) {
	r := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		first := admission.Check(e, at, r)
		again := admission.Check(e, at, r)
		fresh := admission.Check(e, at, admission.DefaultRules())
		require.Equal(t, first, again)
		require.Equal(t, first, fresh)
		require.Equal(t, first.Eligible, len(first.Categories) > 0 && !hasBasicFinding(first.Findings))
		if !first.Eligible {
			require.NotEmpty(t, first.Findings, "a refusal always says why")
		}
		for _, f := range first.Findings {
			require.True(t, strings.HasPrefix(f.Article, "Art. "), f.Article)
			require.NotEmpty(t, f.Code)
			require.NotEmpty(t, f.Message)
		}
	})
}

func hasBasicFinding(fs []admission.Finding) bool {
	for _, f := range fs {
		if strings.HasPrefix(f.Article, "Art. 5(1)") || f.Article == "Art. 11" {
			return true
		}
	}
	return false
}

func TestCheckAgreesWithHandWrittenBaseline(t *testing.T) {
	r := admission.DefaultRules()
	b := newBaseline()
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		got := admission.Check(e, at, r)
		want := b.check(e, at)
		require.Equal(t, want.Eligible, got.Eligible)
		require.Equal(t, want.Categories, got.Categories)
		require.Equal(t, findingCodes(want.Findings), findingCodes(got.Findings))
	})
}

func TestChangingOnlyTagsOrUpdatedAtNeverChangesEligibility(t *testing.T) {
	r := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		other := e
		other.Tags = rapid.SliceOfN(rapid.String(), 0, 4).Draw(t, "other-tags")
		if rapid.Bool().Draw(t, "zero-updated") {
			other.UpdatedAt = time.Time{}
		} else {
			other.UpdatedAt = genDay(t, "other-updated", 1990, 2050)
		}
		require.Equal(t, admission.Check(e, at, r), admission.Check(other, at, r))
	})
}

func TestSweepNeverProposesExitingAnEligibleExpertForAge(t *testing.T) {
	r := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		e.Status = admission.Active
		d := admission.Check(e, at, r)
		overAge := admission.Age(e.BirthDate, at) > max(65, e.RetirementAge)
		ageExit := false
		for _, p := range admission.Sweep([]admission.Expert{e}, at, r) {
			require.Equal(t, e.ID, p.ExpertID)
			if p.Action == admission.ProposeExit {
				require.False(t, d.Eligible, "exit proposed for an eligible expert: %+v", p)
			}
			if p.Action == admission.ProposeExit && p.Reason == admission.ExitNoLongerQualified {
				ageExit = true
			}
		}
		require.Equal(t, overAge, ageExit, "an age exit is proposed exactly when the expert is over age")
	})
}

func TestIDNumberChecksumDetectsEverySingleCharacterChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		birth := genDay(t, "birth", 1900, 2020).Format("20060102")
		id := idNumber(rapid.StringMatching(`[1-8][0-9]{5}`).Draw(t, "region"), birth, rapid.StringMatching(`[0-9]{3}`).Draw(t, "seq"))
		require.True(t, admission.ValidIDNumber(id))
		pos := rapid.IntRange(0, 17).Draw(t, "pos")
		c := rapid.SampledFrom([]byte("0123456789X")).Draw(t, "char")
		if c == id[pos] {
			return
		}
		changed := id[:pos] + string(c) + id[pos+1:]
		require.False(t, admission.ValidIDNumber(changed), "%s → %s", id, changed)
	})
}

func TestUSCCChecksumDetectsEverySingleCharacterChange(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	rapid.Check(t, func(t *rapid.T) {
		code := uscc(rapid.StringMatching(`[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{9}`).Draw(t, "first17"))
		require.True(t, admission.ValidUSCC(code))
		pos := rapid.IntRange(0, 17).Draw(t, "pos")
		c := alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(t, "char")]
		if c == code[pos] {
			return
		}
		changed := code[:pos] + string(c) + code[pos+1:]
		require.False(t, admission.ValidUSCC(changed), "%s → %s", code, changed)
	})
}

func TestValidateNeverEchoesIDNumberOrMobile(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := technicalExpert()
		e.IDNumber = rapid.StringMatching(`[0-9]{15,19}[0-9Xx]?`).Draw(t, "id")
		e.Mobile = rapid.StringMatching(`[0-9]{8,13}`).Draw(t, "mobile")
		if rapid.Bool().Draw(t, "other-birth") {
			e.BirthDate = genDay(t, "birth", 1900, 2020)
		}
		err := admission.Validate(e)
		if err == nil {
			return
		}
		msg := err.Error()
		require.NotContains(t, msg, e.IDNumber)
		require.NotContains(t, msg, e.Mobile)
		require.NotContains(t, msg, e.Mobile[len(e.Mobile)-8:])
	})
}

func TestAdmittedExpertsAreActiveValidAndEligible(t *testing.T) {
	r := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		app := admission.Application{Channel: admission.ChannelExchange, Expert: e,
			Exchange: &admission.ExchangeSource{Database: "浙江省科技专家库", SourceID: "ZJ1"}}
		got, err := admission.Admit(app, "审核人", at, r)
		if err != nil {
			assert.NotEqual(t, admission.Active, got.Status)
			return
		}
		require.Equal(t, admission.Active, got.Status)
		require.NoError(t, admission.Validate(got))
		d := admission.Check(got, at, r)
		require.True(t, d.Eligible)
		require.Equal(t, d.Categories, got.Categories)
		require.Empty(t, d.Findings, "only qualifying categories are kept")
	})
}
