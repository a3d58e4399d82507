package evaluation_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
)

const unit = "市科技局成果处"

func served(expert, activity string, date time.Time) evaluation.Participation {
	return evaluation.Participation{ActivityID: activity, OrganizerUnit: unit, ExpertID: expert, Date: date}
}

// goodRating is a valid rating of E1 for A1 (held on 1 March 2024), made the day after.
func goodRating() evaluation.Rating {
	return evaluation.Rating{
		ExpertID: "E1", ActivityID: "A1", RaterUnit: unit, Grade: evaluation.Good,
		Aspects: evaluation.Aspects{Expertise: evaluation.Excellent, Attitude: evaluation.Good, Quality: evaluation.Good},
		At:      day(2024, time.March, 2),
	}
}

func codes(t *testing.T, err error) []string {
	t.Helper()
	var ve *evaluation.ValidationError
	require.ErrorAs(t, err, &ve)
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.Code
		assert.NotEmpty(t, p.Field)
		assert.True(t, strings.HasPrefix(p.Article, "Art. "), p.Article)
		assert.NotEmpty(t, p.Message)
	}
	return out
}

func TestValidateRating(t *testing.T) {
	part := served("E1", "A1", day(2024, time.March, 1))
	cases := []struct {
		name   string
		rules  func(*evaluation.Rules)
		rating func(*evaluation.Rating)
		part   func(*evaluation.Participation)
		codes  []string
		field  string // field of the first problem
		words  string // in the error text
	}{
		{name: "valid"},
		{name: "poor with reason", rating: func(r *evaluation.Rating) {
			r.Grade, r.Comment = evaluation.Poor, "评审意见敷衍，未按时提交"
		}},
		{name: "poor without reason (Art. 21)", rating: func(r *evaluation.Rating) { r.Grade = evaluation.Poor },
			codes: []string{evaluation.CodePoorWithoutReason}, field: "Comment", words: "评为“差”须写明书面理由，不得对专家进行恶意评价（Art. 21，poor-without-reason）"},
		{name: "poor with a blank reason", rating: func(r *evaluation.Rating) { r.Grade, r.Comment = evaluation.Poor, " \t\n　" },
			codes: []string{evaluation.CodePoorWithoutReason}, field: "Comment"},
		{name: "poor aspect without reason", rating: func(r *evaluation.Rating) { r.Aspects.Attitude = evaluation.Poor },
			codes: []string{evaluation.CodePoorWithoutReason}, field: "Comment"},
		{name: "grade missing", rating: func(r *evaluation.Rating) { r.Grade = 0 },
			codes: []string{evaluation.CodeInvalidGrade}, field: "Grade", words: "总体评价等级须为 优秀、良好 或 差"},
		{name: "grade out of range", rating: func(r *evaluation.Rating) { r.Grade = 4 },
			codes: []string{evaluation.CodeInvalidGrade}, field: "Grade"},
		{name: "aspects missing", rating: func(r *evaluation.Rating) { r.Aspects = evaluation.Aspects{} },
			codes: []string{evaluation.CodeAspectRequired, evaluation.CodeAspectRequired, evaluation.CodeAspectRequired},
			field: "Aspects.Expertise", words: "业务水平未评价"},
		{name: "aspects optional in a county", rules: func(r *evaluation.Rules) { r.RequireAspects = false },
			rating: func(r *evaluation.Rating) { r.Aspects = evaluation.Aspects{} }},
		{name: "aspect out of range even when optional", rules: func(r *evaluation.Rules) { r.RequireAspects = false },
			rating: func(r *evaluation.Rating) { r.Aspects = evaluation.Aspects{Quality: 7} },
			codes:  []string{evaluation.CodeInvalidAspect}, field: "Aspects.Quality", words: "质量规范评价等级"},
		{name: "ids missing", rating: func(r *evaluation.Rating) { r.ExpertID, r.ActivityID, r.RaterUnit = "", "", "" },
			part:  func(p *evaluation.Participation) { p.ExpertID, p.ActivityID, p.OrganizerUnit = "", "", "" },
			codes: []string{evaluation.CodeExpertRequired, evaluation.CodeActivityRequired, evaluation.CodeRaterRequired},
			field: "ExpertID", words: "专家编号不能为空"},
		{name: "time missing", rating: func(r *evaluation.Rating) { r.At = time.Time{} },
			codes: []string{evaluation.CodeTimeRequired}, field: "At"},
		{name: "ids too long", rating: func(r *evaluation.Rating) {
			r.ExpertID, r.ActivityID, r.RaterUnit = strings.Repeat("专", 65), strings.Repeat("a", 65), strings.Repeat("处", 201)
		}, part: func(p *evaluation.Participation) {
			p.ExpertID, p.ActivityID, p.OrganizerUnit = strings.Repeat("专", 65), strings.Repeat("a", 65), strings.Repeat("处", 201)
		}, codes: []string{evaluation.CodeIDTooLong, evaluation.CodeIDTooLong, evaluation.CodeIDTooLong}, field: "ExpertID", words: "不能超过 64 个字符"},
		{name: "ids at the limit", rating: func(r *evaluation.Rating) {
			r.ExpertID, r.ActivityID, r.RaterUnit = strings.Repeat("专", 64), strings.Repeat("a", 64), strings.Repeat("处", 200)
		}, part: func(p *evaluation.Participation) {
			p.ExpertID, p.ActivityID, p.OrganizerUnit = strings.Repeat("专", 64), strings.Repeat("a", 64), strings.Repeat("处", 200)
		}},
		{name: "comment too long", rating: func(r *evaluation.Rating) { r.Comment = strings.Repeat("长", evaluation.MaxTextRunes+1) },
			codes: []string{evaluation.CodeTextTooLong}, field: "Comment"},
		{name: "comment at the limit", rating: func(r *evaluation.Rating) { r.Comment = strings.Repeat("长", evaluation.MaxTextRunes) }},
		{name: "comment not UTF-8", rating: func(r *evaluation.Rating) { r.Comment = "\xff" },
			codes: []string{evaluation.CodeTextNotUTF8}, field: "Comment"},
		{name: "rater did not organise", rating: func(r *evaluation.Rating) { r.RaterUnit = "市科技局高新处" },
			codes: []string{evaluation.CodeRaterNotOrganizer}, field: "RaterUnit", words: "不是该活动的组织单位"},
		{name: "another expert's participation", part: func(p *evaluation.Participation) { p.ExpertID = "E2" },
			codes: []string{evaluation.CodeNotOnPanel}, field: "ExpertID"},
		{name: "another activity's participation", part: func(p *evaluation.Participation) { p.ActivityID = "A9" },
			codes: []string{evaluation.CodeNotOnPanel}, field: "ExpertID"},
		{name: "no-show cannot be rated", part: func(p *evaluation.Participation) { p.Attendance = evaluation.NoShow },
			codes: []string{evaluation.CodeNotAttended}, field: "ExpertID", words: "Art. 8(2)"},
		{name: "excused absence cannot be rated", part: func(p *evaluation.Participation) { p.Attendance = evaluation.Excused },
			codes: []string{evaluation.CodeNotAttended}, field: "ExpertID"},
		{name: "rated before the activity", rating: func(r *evaluation.Rating) { r.At = day(2024, time.February, 28) },
			codes: []string{evaluation.CodeBeforeActivity}, field: "At"},
		{name: "rated at the activity time", rating: func(r *evaluation.Rating) { r.At = day(2024, time.March, 1) }},
		{name: "activity without date", part: func(p *evaluation.Participation) { p.Date = time.Time{} }},
		{name: "several problems at once",
			rating: func(r *evaluation.Rating) {
				r.Grade, r.RaterUnit, r.Aspects.Quality = evaluation.Poor, "别的处室", 0
			},
			codes: []string{evaluation.CodeAspectRequired, evaluation.CodePoorWithoutReason, evaluation.CodeRaterNotOrganizer}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, rt, p := evaluation.DefaultRules(), goodRating(), part
			if c.rules != nil {
				c.rules(r)
			}
			if c.rating != nil {
				c.rating(&rt)
			}
			if c.part != nil {
				c.part(&p)
			}
			err := r.ValidateRating(rt, p)
			if c.codes == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, evaluation.ErrInvalid)
			assert.Equal(t, c.codes, codes(t, err))
			var ve *evaluation.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, -1, ve.Index)
			if c.field != "" {
				assert.Equal(t, c.field, ve.Problems[0].Field)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "evaluation: 履职评价无效（"), err.Error())
			assert.Contains(t, err.Error(), c.words)
		})
	}
}

func TestValidateRatingDefaultsAndNilRules(t *testing.T) {
	p := served("E1", "A1", day(2024, time.March, 1))
	rt := goodRating()
	rt.Aspects = evaluation.Aspects{}
	var nilRules *evaluation.Rules
	for _, err := range []error{evaluation.ValidateRating(rt, p), nilRules.ValidateRating(rt, p)} {
		assert.Equal(t, []string{evaluation.CodeAspectRequired, evaluation.CodeAspectRequired, evaluation.CodeAspectRequired}, codes(t, err))
	}
}

func TestValidateRatings(t *testing.T) {
	march := day(2024, time.March, 1)
	parts := []evaluation.Participation{
		served("E1", "A1", march), served("E2", "A1", march), served("E3", "A1", march),
		{ActivityID: "A1", OrganizerUnit: unit, ExpertID: "E4", Date: march, Attendance: evaluation.NoShow},
	}
	ok := func(expert string) evaluation.Rating { r := goodRating(); r.ExpertID = expert; return r }
	ratings := []evaluation.Rating{ok("E1"), ok("E2"), ok("E1"), ok("E9"), ok("E4"), ok("E3")}
	ratings[5].Grade = evaluation.Poor

	err := evaluation.ValidateRatings(ratings, parts)
	require.Error(t, err)
	assert.ErrorIs(t, err, evaluation.ErrInvalid)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined))
	var got []string
	for _, e := range joined.Unwrap() {
		var ve *evaluation.ValidationError
		require.ErrorAs(t, e, &ve)
		got = append(got, ve.ExpertID+":"+strings.Join(codes(t, ve), ","))
		assert.Contains(t, ve.Error(), "第 ")
	}
	assert.Equal(t, []string{
		"E1:" + evaluation.CodeDuplicate,
		"E9:" + evaluation.CodeNotOnPanel,
		"E4:" + evaluation.CodeNotAttended,
		"E3:" + evaluation.CodePoorWithoutReason,
	}, got)
	var first *evaluation.ValidationError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, 2, first.Index, "the duplicate is the third rating")
	assert.Contains(t, first.Error(), "第 3 条")

	require.NoError(t, evaluation.ValidateRatings(ratings[:2], parts))
	require.NoError(t, evaluation.ValidateRatings(nil, nil))
	// Repeated participation records: the first one decides.
	dupParts := []evaluation.Participation{served("E1", "A1", march), {ActivityID: "A1", OrganizerUnit: "别的处室", ExpertID: "E1"}}
	require.NoError(t, evaluation.ValidateRatings(ratings[:1], dupParts))
	// A rating with missing IDs reports the missing fields, not a missing participation.
	bad := goodRating()
	bad.ExpertID = ""
	assert.Equal(t, []string{evaluation.CodeExpertRequired}, codes(t, evaluation.ValidateRatings([]evaluation.Rating{bad}, parts)))
}

func TestValidateParticipation(t *testing.T) {
	base := served("E1", "A1", day(2024, time.March, 1))
	cases := []struct {
		name  string
		edit  func(*evaluation.Participation)
		codes []string
	}{
		{"attended", func(*evaluation.Participation) {}, nil},
		{"no-show without reason", func(p *evaluation.Participation) { p.Attendance = evaluation.NoShow }, nil},
		{"excused with reason", func(p *evaluation.Participation) { p.Attendance, p.Reason = evaluation.Excused, "突发疾病住院" }, nil},
		{"excused without reason", func(p *evaluation.Participation) { p.Attendance = evaluation.Excused },
			[]string{evaluation.CodeExcuseRequired}},
		{"bad attendance", func(p *evaluation.Participation) { p.Attendance = 3 }, []string{evaluation.CodeInvalidAttendance}},
		{"reason too long", func(p *evaluation.Participation) { p.Reason = strings.Repeat("因", evaluation.MaxTextRunes+1) },
			[]string{evaluation.CodeTextTooLong}},
		{"reason not UTF-8", func(p *evaluation.Participation) { p.Reason = "\xc3" }, []string{evaluation.CodeTextNotUTF8}},
		{"ids too long", func(p *evaluation.Participation) {
			p.ExpertID, p.ActivityID, p.OrganizerUnit = strings.Repeat("e", 65), strings.Repeat("a", 65), strings.Repeat("u", 201)
		}, []string{evaluation.CodeIDTooLong, evaluation.CodeIDTooLong, evaluation.CodeIDTooLong}},
		{"everything missing", func(p *evaluation.Participation) { *p = evaluation.Participation{} },
			[]string{evaluation.CodeActivityRequired, evaluation.CodeOrganizerRequired, evaluation.CodeExpertRequired, evaluation.CodeTimeRequired}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base
			c.edit(&p)
			err := evaluation.ValidateParticipation(p)
			if c.codes == nil {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, c.codes, codes(t, err))
			assert.ErrorIs(t, err, evaluation.ErrInvalid)
			assert.True(t, strings.HasPrefix(err.Error(), "evaluation: 参加记录无效（活动 "), err.Error())
		})
	}
}

func TestAttendanceNames(t *testing.T) {
	assert.Equal(t, "attended", evaluation.Attended.String())
	assert.Equal(t, "no-show", evaluation.NoShow.String())
	assert.Equal(t, "excused", evaluation.Excused.String())
	assert.Equal(t, "Attendance(7)", evaluation.Attendance(7).String())
	assert.False(t, evaluation.Attendance(-1).Valid())
}

func TestValidationErrorKeepsCommentOut(t *testing.T) {
	secret := "联系人手机13812345678，身份证330302199001011234"
	rt := goodRating()
	rt.Grade, rt.RaterUnit, rt.Comment = 9, "别的处室", secret
	err := evaluation.ValidateRating(rt, served("E1", "A1", day(2024, time.March, 1)))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "13812345678")
	assert.NotContains(t, err.Error(), "330302199001011234")

	p := served("E1", "A1", day(2024, time.March, 1))
	p.Attendance, p.Reason = 7, secret
	err = evaluation.ValidateParticipation(p)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "13812345678")

	long := goodRating()
	long.ExpertID = strings.Repeat("x", 200)
	err = evaluation.ValidateRating(long, served(long.ExpertID, "A1", day(2024, time.March, 1)))
	assert.Equal(t, []string{evaluation.CodeIDTooLong}, codes(t, err))
	assert.Contains(t, err.Error(), strings.Repeat("x", 64)+"…", "long identifiers are shortened")
	assert.NotContains(t, err.Error(), strings.Repeat("x", 65))
}
