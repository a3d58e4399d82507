package evaluation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
)

var cst = time.FixedZone("CST", 8*3600)

// day returns noon of a date in China Standard Time.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, cst) }

func rating(expert, activity string, g evaluation.Grade, at time.Time) evaluation.Rating {
	return evaluation.Rating{ExpertID: expert, ActivityID: activity, RaterUnit: "市科技局成果处", Grade: g, At: at}
}

func TestGradeNames(t *testing.T) {
	cases := []struct {
		g            evaluation.Grade
		code, label  string
		valid        bool
		parsedFromCN bool
	}{
		{evaluation.Excellent, "excellent", "优秀", true, true},
		{evaluation.Good, "good", "良好", true, true},
		{evaluation.Poor, "poor", "差", true, true},
		{0, "Grade(0)", "", false, false},
		{4, "Grade(4)", "", false, false},
		{-1, "Grade(-1)", "", false, false},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			assert.Equal(t, c.code, c.g.String())
			assert.Equal(t, c.label, c.g.Label())
			assert.Equal(t, c.valid, c.g.Valid())
			if !c.valid {
				return
			}
			g, err := evaluation.ParseGrade(c.label)
			require.NoError(t, err)
			assert.Equal(t, c.g, g)
			g, err = evaluation.ParseGrade("  " + c.code + "\n")
			require.NoError(t, err)
			assert.Equal(t, c.g, g)
		})
	}
	assert.Equal(t, []evaluation.Grade{evaluation.Excellent, evaluation.Good, evaluation.Poor}, evaluation.Grades())
}

func TestParseGradeRejects(t *testing.T) {
	for _, s := range []string{"", "3", "优等", "很差", "excellent!", "Grade(3)", "13800001234"} {
		_, err := evaluation.ParseGrade(s)
		require.Error(t, err, "%q", s)
		assert.Contains(t, err.Error(), "evaluation: ")
		if s != "" {
			assert.NotContains(t, err.Error(), s, "the error must not echo the input")
		}
	}
	g, err := evaluation.ParseGrade("EXCELLENT")
	require.NoError(t, err)
	assert.Equal(t, evaluation.Excellent, g)
}

func TestYearOfUsesChinaStandardTime(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		want int
	}{
		{"UTC evening of 31 Dec is New Year in Wenzhou", time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), 2025},
		{"one second earlier is still the old year", time.Date(2024, 12, 31, 15, 59, 59, 0, time.UTC), 2024},
		{"CST midnight", time.Date(2025, 1, 1, 0, 0, 0, 0, cst), 2025},
		{"CST last second", time.Date(2024, 12, 31, 23, 59, 59, 999999999, cst), 2024},
		{"a western zone", time.Date(2024, 12, 31, 9, 0, 0, 0, time.FixedZone("PST", -8*3600)), 2025},
		{"mid year", day(2023, time.July, 1), 2023},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, evaluation.YearOf(c.at)) })
	}
}

func TestSummarize(t *testing.T) {
	ratings := []evaluation.Rating{
		rating("E1", "A1", evaluation.Excellent, day(2024, time.March, 1)),
		rating("E1", "A2", evaluation.Good, day(2024, time.April, 1)),
		rating("E1", "A3", evaluation.Poor, day(2024, time.May, 1)),
		rating("E1", "A4", evaluation.Excellent, day(2024, time.June, 1)),
		rating("E1", "A5", evaluation.Excellent, day(2023, time.June, 1)), // other year
		rating("E2", "A1", evaluation.Good, day(2024, time.March, 1)),
		rating("E2", "A6", 0, day(2024, time.March, 2)), // invalid grade
		rating("E3", "A7", evaluation.Excellent, day(2025, time.January, 1)),
		rating("E4", "A8", evaluation.Excellent, time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC)), // 2025 in Wenzhou
	}
	got := evaluation.Summarize(ratings, 2024)
	want := map[string]evaluation.Summary{
		"E1": {ExpertID: "E1", Year: 2024, Total: 4, Excellent: 2, Good: 1, Poor: 1},
		"E2": {ExpertID: "E2", Year: 2024, Total: 1, Good: 1, Invalid: 1},
	}
	assert.Equal(t, want, got)

	got = evaluation.Summarize(ratings, 2025)
	assert.Equal(t, map[string]evaluation.Summary{
		"E3": {ExpertID: "E3", Year: 2025, Total: 1, Excellent: 1},
		"E4": {ExpertID: "E4", Year: 2025, Total: 1, Excellent: 1},
	}, got)

	assert.Empty(t, evaluation.Summarize(nil, 2024))
	assert.Empty(t, evaluation.Summarize(ratings, 2019))
	assert.Equal(t, evaluation.Ratio{Num: 2, Den: 4}, want["E1"].ExcellentRate())
}

func TestSummarizeYearCountsNoShows(t *testing.T) {
	ratings := []evaluation.Rating{rating("E1", "A1", evaluation.Excellent, day(2024, time.March, 1))}
	parts := []evaluation.Participation{
		{ActivityID: "A1", OrganizerUnit: "市科技局成果处", ExpertID: "E1", Date: day(2024, time.March, 1)},
		{ActivityID: "A2", OrganizerUnit: "市科技局成果处", ExpertID: "E1", Date: day(2024, time.April, 1), Attendance: evaluation.NoShow},
		{ActivityID: "A3", OrganizerUnit: "市科技局成果处", ExpertID: "E1", Date: day(2024, time.May, 1), Attendance: evaluation.Excused, Reason: "住院"},
		{ActivityID: "A4", OrganizerUnit: "市科技局成果处", ExpertID: "E2", Date: day(2024, time.May, 1), Attendance: evaluation.NoShow},
		{ActivityID: "A5", OrganizerUnit: "市科技局成果处", ExpertID: "E2", Date: day(2023, time.May, 1), Attendance: evaluation.NoShow},
		{ActivityID: "A6", OrganizerUnit: "市科技局成果处", ExpertID: "E3", Date: day(2024, time.May, 1), Attendance: 9},
	}
	got := evaluation.SummarizeYear(ratings, parts, 2024)
	assert.Equal(t, map[string]evaluation.Summary{
		"E1": {ExpertID: "E1", Year: 2024, Total: 1, Excellent: 1, NoShows: 1, Excused: 1},
		"E2": {ExpertID: "E2", Year: 2024, NoShows: 1},
	}, got)
	assert.False(t, evaluation.PreferentialEligible(got["E2"]), "no-shows alone are no ratings")
	assert.Equal(t, evaluation.Summarize(ratings, 2024)["E1"].Total, got["E1"].Total)
}
