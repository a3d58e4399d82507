package evaluation_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
)

// FuzzParseRatio: a county profile's threshold text either parses to a valid fraction that
// prints and parses back to itself, or fails with the one fixed message (never echoing input).
func FuzzParseRatio(f *testing.F) {
	for _, s := range []string{"3/10", "30%", "33.5%", " 1 / 3 ", "0/1", "3/0", "-1/2", ".5%", "%", "1e3/10", "99999999999999999999/1", "0.0000000001%"} {
		f.Add(s)
	}
	_, fixed := evaluation.ParseRatio("")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := evaluation.ParseRatio(s)
		if err != nil {
			require.Equal(t, fixed.Error(), err.Error())
			return
		}
		require.True(t, r.Valid())
		back, err := evaluation.ParseRatio(r.String())
		require.NoError(t, err)
		require.Equal(t, r, back)
	})
}

// FuzzParseGrade: a grade typed into a form parses only from its code or Chinese name.
func FuzzParseGrade(f *testing.F) {
	for _, s := range []string{"优秀", "良好", "差", "excellent", " GOOD ", "poor", "3", "", "优"} {
		f.Add(s)
	}
	_, fixed := evaluation.ParseGrade("")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := evaluation.ParseGrade(s)
		if err != nil {
			require.Equal(t, fixed.Error(), err.Error())
			return
		}
		require.True(t, g.Valid())
		trimmed := strings.TrimSpace(s)
		require.True(t, trimmed == g.Label() || strings.EqualFold(trimmed, g.String()), "%q parsed as %v", s, g)
	})
}

// FuzzParseViolation: a violation parses only from its code or its citation.
func FuzzParseViolation(f *testing.F) {
	for _, s := range []string{"solicitation", "Art. 9(3)", "Art. 9(10)", "leak ", "Art. 9(11)", "bribe", ""} {
		f.Add(s)
	}
	_, fixed := evaluation.ParseViolation("")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := evaluation.ParseViolation(s)
		if err != nil {
			require.Equal(t, fixed.Error(), err.Error())
			return
		}
		require.True(t, v.Valid())
		trimmed := strings.TrimSpace(s)
		require.True(t, trimmed == v.Code() || trimmed == v.Article())
	})
}

// commentLike returns a fixed comment of the same class as c for validation: invalid UTF-8,
// too long, blank, or ordinary text.
func commentLike(c string) string {
	switch {
	case !utf8.ValidString(c):
		return "\xff"
	case utf8.RuneCountInString(c) > evaluation.MaxTextRunes:
		return strings.Repeat("x", evaluation.MaxTextRunes+1)
	case strings.TrimSpace(c) == "":
		return ""
	}
	return "x"
}

// FuzzValidateRating: validation of untrusted form input never panics, and its error does not
// depend on the text of the comment (which may hold personal data), only on its class.
func FuzzValidateRating(f *testing.F) {
	f.Add("E1", "A1", unit, "评审认真", 2, 3, 2, 2, int64(1709280000), true, true)
	f.Add("E1", "A1", unit, "", 1, 1, 0, 9, int64(0), false, true)
	f.Add("", "", "", "13812345678", 0, 0, 0, 0, int64(-1), true, false)
	f.Add("E1", "A1", "别的处室", "\xff\xfe", -5, 4, 1, 1, int64(1<<40), true, true)
	f.Fuzz(func(t *testing.T, expert, activity, rater, comment string, grade, expertise, attitude, quality int, at int64, sameExpert, requireAspects bool) {
		rt := evaluation.Rating{
			ExpertID: expert, ActivityID: activity, RaterUnit: rater, Grade: evaluation.Grade(grade),
			Aspects: evaluation.Aspects{Expertise: evaluation.Grade(expertise), Attitude: evaluation.Grade(attitude), Quality: evaluation.Grade(quality)},
			At:      time.Unix(at, 0), Comment: comment,
		}
		p := evaluation.Participation{ActivityID: activity, OrganizerUnit: unit, ExpertID: expert, Date: time.Unix(1709251200, 0)}
		if !sameExpert {
			p.ExpertID += "x"
		}
		r := evaluation.DefaultRules()
		r.RequireAspects = requireAspects
		err := r.ValidateRating(rt, p)
		plain := rt
		plain.Comment = commentLike(comment)
		errPlain := r.ValidateRating(plain, p)
		if err == nil {
			require.NoError(t, errPlain)
			return
		}
		require.ErrorIs(t, err, evaluation.ErrInvalid)
		require.Error(t, errPlain)
		require.Equal(t, errPlain.Error(), err.Error())
		require.True(t, strings.HasPrefix(err.Error(), "evaluation: "))
	})
}
