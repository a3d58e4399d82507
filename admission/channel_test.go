package admission_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
)

func personalApplication() admission.Application {
	e := technicalExpert()
	return admission.Application{
		Channel: admission.ChannelApplication,
		Expert:  e,
		Personal: &admission.PersonalEvidence{
			FormStampedBy:  e.Affiliation.Org,
			Proofs:         []string{"doc-title-certificate"},
			PledgeSignedAt: asOf.AddDate(0, 0, -3),
		},
	}
}

func refusalCodes(t *testing.T, err error) []string {
	t.Helper()
	var re *admission.RefusalError
	require.ErrorAs(t, err, &re)
	require.NotEmpty(t, re.Findings)
	return findingCodes(re.Findings)
}

func TestValidateApplication(t *testing.T) {
	cases := []struct {
		name    string
		app     func() admission.Application
		article string
		codes   []string
	}{
		{"complete personal application", personalApplication, "", nil},
		{"personal application without evidence", func() admission.Application {
			a := personalApplication()
			a.Personal = nil
			return a
		}, "Art. 6(1)", []string{"form-unstamped", "proofs-missing", "pledge-unsigned"}},
		{"form stamped by another unit", func() admission.Application {
			a := personalApplication()
			a.Personal.FormStampedBy = "另一单位"
			return a
		}, "Art. 6(1)", []string{"form-unit-mismatch"}},
		{"blank proofs", func() admission.Application {
			a := personalApplication()
			a.Personal.Proofs = []string{" "}
			return a
		}, "Art. 6(1)", []string{"proofs-missing"}},
		{"pledge signed after asOf", func() admission.Application {
			a := personalApplication()
			a.Personal.PledgeSignedAt = asOf.AddDate(0, 0, 1)
			return a
		}, "Art. 6(1)", []string{"pledge-date-invalid"}},
		{"unit recommendation", func() admission.Application {
			return admission.Application{Channel: admission.ChannelRecommendation, Expert: technicalExpert(),
				Recommendation: &admission.Recommendation{Unit: "温州医科大学", UnitCode: uscc("12330000470053240")}}
		}, "", nil},
		{"recommendation without unit, bad code", func() admission.Application {
			return admission.Application{Channel: admission.ChannelRecommendation, Expert: technicalExpert(),
				Recommendation: &admission.Recommendation{UnitCode: "12330000470053240X"}}
		}, "Art. 6(2)", []string{"recommending-unit-missing", "recommending-unit-code-invalid"}},
		{"division invitation", func() admission.Application {
			return admission.Application{Channel: admission.ChannelInvitation, Expert: technicalExpert(),
				Invitation: &admission.DivisionInvitation{Division: "高新技术处", ApprovedBy: "王处长", ApprovedAt: asOf}}
		}, "", nil},
		{"invitation without approval", func() admission.Application {
			return admission.Application{Channel: admission.ChannelInvitation, Expert: technicalExpert(),
				Invitation: &admission.DivisionInvitation{Division: "高新技术处"}}
		}, "Art. 6(2)", []string{"division-approval-missing", "division-approval-date-missing"}},
		{"invitation approved after asOf", func() admission.Application {
			return admission.Application{Channel: admission.ChannelInvitation, Expert: technicalExpert(),
				Invitation: &admission.DivisionInvitation{Division: "高新技术处", ApprovedBy: "王处长", ApprovedAt: asOf.AddDate(0, 1, 0)}}
		}, "Art. 6(2)", []string{"division-approval-date-invalid"}},
		{"invitation with nothing", func() admission.Application {
			return admission.Application{Channel: admission.ChannelInvitation, Expert: technicalExpert()}
		}, "Art. 6(2)", []string{"inviting-division-missing", "division-approval-missing", "division-approval-date-missing"}},
		{"exchange", func() admission.Application {
			return admission.Application{Channel: admission.ChannelExchange, Expert: technicalExpert(),
				Exchange: &admission.ExchangeSource{Database: "浙江省科技专家库", SourceID: "ZJ-0001"}}
		}, "", nil},
		{"exchange without source", func() admission.Application {
			return admission.Application{Channel: admission.ChannelExchange, Expert: technicalExpert()}
		}, "Art. 6(3)", []string{"source-database-missing", "source-id-missing"}},
		{"unknown channel", func() admission.Application {
			return admission.Application{Channel: "walk-in", Expert: technicalExpert()}
		}, "Art. 6", []string{"unknown-channel"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := admission.ValidateApplication(c.app(), asOf)
			if c.codes == nil {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, c.codes, refusalCodes(t, err))
			var re *admission.RefusalError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "application", re.Op)
			for _, f := range re.Findings {
				assert.Equal(t, c.article, f.Article)
				assert.NotEmpty(t, f.Message)
			}
			assert.Contains(t, err.Error(), "admission: application refused: "+c.article)
		})
	}
}

func TestAdmit(t *testing.T) {
	app := personalApplication()
	app.Expert.Categories = []admission.Category{admission.Technical, admission.Economic}
	before := app.Expert
	e, err := admission.Admit(app, "李审核", asOf, defaults)
	require.NoError(t, err)
	assert.Equal(t, admission.Active, e.Status)
	assert.Equal(t, []admission.Category{admission.Technical}, e.Categories, "only qualifying categories are kept")
	assert.Equal(t, asOf, e.UpdatedAt)
	require.Len(t, e.Entries, 1)
	assert.Equal(t, admission.Entry{Channel: admission.ChannelApplication, Date: asOf, ReviewedBy: "李审核"}, e.Entries[0])
	assert.Equal(t, before, app.Expert, "the application is not modified")
	require.NoError(t, admission.Validate(e))
}

func TestAdmitRecordsSource(t *testing.T) {
	cases := []struct {
		app             admission.Application
		source, source2 string
	}{
		{admission.Application{Channel: admission.ChannelRecommendation, Expert: technicalExpert(),
			Recommendation: &admission.Recommendation{Unit: "温州医科大学"}}, "温州医科大学", ""},
		{admission.Application{Channel: admission.ChannelInvitation, Expert: technicalExpert(),
			Invitation: &admission.DivisionInvitation{Division: "高新技术处", ApprovedBy: "王处长", ApprovedAt: asOf}}, "高新技术处", ""},
		{admission.Application{Channel: admission.ChannelExchange, Expert: technicalExpert(),
			Exchange: &admission.ExchangeSource{Database: "浙江省科技专家库", SourceID: "ZJ-0001"}}, "浙江省科技专家库", "ZJ-0001"},
	}
	for _, c := range cases {
		t.Run(string(c.app.Channel), func(t *testing.T) {
			e, err := admission.Admit(c.app, "李审核", asOf, nil)
			require.NoError(t, err)
			require.Len(t, e.Entries, 1)
			assert.Equal(t, c.app.Channel, e.Entries[0].Channel)
			assert.Equal(t, c.source, e.Entries[0].Source)
			assert.Equal(t, c.source2, e.Entries[0].SourceID)
		})
	}
}

func TestAdmitRefusals(t *testing.T) {
	t.Run("every reason together", func(t *testing.T) {
		app := personalApplication()
		app.Personal.PledgeSignedAt = asOf.AddDate(1, 0, 0)
		app.Expert.Title = admission.Intermediate
		app.Expert.Status = admission.Active
		_, err := admission.Admit(app, " ", asOf, defaults)
		assert.Equal(t, []string{"reviewer-missing", "pledge-date-invalid", "already-active", "technical-qualification"}, refusalCodes(t, err))
		var re *admission.RefusalError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "admission", re.Op)
		assert.True(t, re.Has("already-active"))
		assert.False(t, re.Has("age"))
	})
	t.Run("invalid profile", func(t *testing.T) {
		app := personalApplication()
		app.Expert.Mobile = "123"
		_, err := admission.Admit(app, "李审核", asOf, defaults)
		var ve *admission.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("Mobile"))
		assert.True(t, strings.HasPrefix(err.Error(), "admission: invalid expert: "), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "admission: "), "no prefix twice (issue 18)")
	})
	t.Run("barred from re-entry", func(t *testing.T) {
		app := personalApplication()
		app.Expert.Status = admission.Exited
		app.Expert.Exits = []admission.Exit{{Reason: admission.ExitLegal, Date: day(2025, 1, 1)}}
		_, err := admission.Admit(app, "李审核", asOf, defaults)
		assert.Equal(t, []string{"re-entry-barred"}, refusalCodes(t, err))
		assert.Contains(t, err.Error(), "Art. 11")
	})
	t.Run("left on request is barred by default (Art. 11)", func(t *testing.T) {
		app := personalApplication()
		app.Expert.Status = admission.Exited
		app.Expert.Exits = []admission.Exit{{Reason: admission.ExitOnRequest, Date: day(2025, 1, 1), ApprovedBy: "处长"}}
		_, err := admission.Admit(app, "李审核", asOf, defaults)
		assert.Equal(t, []string{"re-entry-barred"}, refusalCodes(t, err))
	})
	t.Run("left on request may return under the narrow reading", func(t *testing.T) {
		narrow := admission.DefaultRules()
		require.NoError(t, narrow.SetReentryBar(admission.ReentryForCause))
		app := personalApplication()
		app.Expert.Status = admission.Exited
		app.Expert.Exits = []admission.Exit{{Reason: admission.ExitOnRequest, Date: day(2025, 1, 1), ApprovedBy: "处长"}}
		app.Expert.Entries = []admission.Entry{{Channel: admission.ChannelExchange, Date: day(2020, 1, 1)}}
		e, err := admission.Admit(app, "李审核", asOf, narrow)
		require.NoError(t, err)
		assert.Equal(t, admission.Active, e.Status)
		assert.Len(t, e.Entries, 2)
		assert.Len(t, app.Expert.Entries, 1, "the input's slices are not shared")
	})
}

func TestChannelLabels(t *testing.T) {
	for _, c := range []admission.Channel{admission.ChannelApplication, admission.ChannelRecommendation, admission.ChannelInvitation, admission.ChannelExchange} {
		assert.NotEqual(t, string(c), c.Label())
		assert.NotEqual(t, "Art. 6", c.Article())
	}
	assert.Equal(t, "walk-in", admission.Channel("walk-in").Label())
}
