package evaluation

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Grade is a rating level of Art. 25: Poor (差), Good (良好) or Excellent (优秀). The zero
// value is not a grade; in [Aspects] it means "not rated".
type Grade int

// Grades of Art. 25.
const (
	Poor      Grade = 1 // 差
	Good      Grade = 2 // 良好
	Excellent Grade = 3 // 优秀
)

// Grades lists the three grades from best to worst.
func Grades() []Grade { return []Grade{Excellent, Good, Poor} }

// Valid reports whether g is one of the three grades.
func (g Grade) Valid() bool { return g >= Poor && g <= Excellent }

// String returns the stable code of g ("excellent", "good", "poor"), or "Grade(n)" when g is
// not a grade.
func (g Grade) String() string {
	switch g {
	case Excellent:
		return "excellent"
	case Good:
		return "good"
	case Poor:
		return "poor"
	}
	return "Grade(" + strconv.Itoa(int(g)) + ")"
}

// Label returns the Chinese name of g (优秀, 良好, 差), or "" when g is not a grade.
func (g Grade) Label() string {
	switch g {
	case Excellent:
		return "优秀"
	case Good:
		return "良好"
	case Poor:
		return "差"
	}
	return ""
}

// errGrade is the parse error of ParseGrade; it does not echo the input.
var errGrade = errors.New("evaluation: 无法识别的评价等级，应为 优秀、良好 或 差（excellent、good、poor）")

// ParseGrade parses a grade from its code ("excellent", "good", "poor", any case) or its
// Chinese name (优秀, 良好, 差), ignoring surrounding white space. The error does not repeat
// the input.
func ParseGrade(s string) (Grade, error) {
	s = strings.TrimSpace(s)
	for _, g := range Grades() {
		if s == g.Label() || strings.EqualFold(s, g.String()) {
			return g, nil
		}
	}
	return 0, errGrade
}

// Aspects are the three aspects of Art. 25 on which the using unit rates an expert. A zero
// field means the aspect was not rated.
type Aspects struct {
	Expertise Grade `json:"expertise,omitempty"` // 业务水平
	Attitude  Grade `json:"attitude,omitempty"`  // 工作态度
	Quality   Grade `json:"quality,omitempty"`   // 质量规范
}

// Rating is one rating of one expert for one activity (Art. 25), made by the unit that
// organised the activity. Grade is the overall grade; Aspects the per-aspect grades; Comment
// the written opinion, required as the reason when any grade is Poor (Art. 21).
type Rating struct {
	ExpertID   string    `json:"expert_id"`
	ActivityID string    `json:"activity_id"`
	RaterUnit  string    `json:"rater_unit"`
	Grade      Grade     `json:"grade"`
	Aspects    Aspects   `json:"aspects,omitzero"`
	At         time.Time `json:"at"`
	Comment    string    `json:"comment,omitempty"`
	// ActivityAt is the date of the activity rated. The rating counts in the activity's
	// year (Art. 25: the year's ratings are of the year's activities), like a no-show; zero
	// means the activity date is not known and At's year is used.
	ActivityAt time.Time `json:"activity_at,omitzero"`
}

// Year returns the year the rating counts in: the calendar year (China Standard Time) of
// the activity, or of At when ActivityAt is zero.
func (r *Rating) Year() int {
	if !r.ActivityAt.IsZero() {
		return YearOf(r.ActivityAt)
	}
	return YearOf(r.At)
}

// hasPoor reports whether the overall grade or any aspect is Poor.
func (r *Rating) hasPoor() bool {
	return r.Grade == Poor || r.Aspects.Expertise == Poor || r.Aspects.Attitude == Poor || r.Aspects.Quality == Poor
}

// Summary counts an expert's ratings, no-shows and excused absences in one calendar year
// (see [YearOf]). Total counts the ratings with a valid grade and always equals
// Excellent + Good + Poor in a summary made by [Summarize]; ratings with an invalid grade are
// counted in Invalid instead, so that nothing is silently dropped.
type Summary struct {
	ExpertID  string `json:"expert_id"`
	Year      int    `json:"year"`
	Total     int    `json:"total"`
	Excellent int    `json:"excellent"`
	Good      int    `json:"good"`
	Poor      int    `json:"poor"`
	Invalid   int    `json:"invalid,omitempty"`  // ratings whose Grade is not a grade
	NoShows   int    `json:"no_shows,omitempty"` // absences without accepted reason, Art. 8(2)
	Excused   int    `json:"excused,omitempty"`  // absences with a reason the organiser accepted
}

// ExcellentRate returns the excellent rate Excellent/Total as an exact fraction; its Den is
// 0 when the summary has no ratings.
func (s Summary) ExcellentRate() Ratio { return Ratio{Num: s.Excellent, Den: s.Total} }

// cstOffset is China Standard Time (UTC+8), the time of the Wenzhou calendar.
const cstOffset = 8 * time.Hour

// YearOf returns the calendar year of t in China Standard Time (UTC+8), whatever t's
// location: the year a clerk in Wenzhou sees on the wall calendar at that instant. Ratings,
// activities and no-shows are assigned to years with it. China has kept UTC+8 without daylight
// saving since 1991, so a fixed offset is exact for every date the database holds.
func YearOf(t time.Time) int { return t.UTC().Add(cstOffset).Year() }

// Summarize counts the ratings of each expert in the calendar year year (see [YearOf]):
// the result maps every expert with at least one rating in that year to their summary.
// Ratings of other years never count. The result does not depend on the order of ratings.
// An expert absent from the result has the zero Summary, which is never preferentially
// eligible.
func Summarize(ratings []Rating, year int) map[string]Summary {
	return SummarizeYear(ratings, nil, year)
}

// SummarizeYear is [Summarize] that also counts, from participation records, the no-shows
// (Art. 8(2)) and excused absences of the year, by the year of the activity's Date.
// Experts with only absences in the year get a summary with Total 0.
func SummarizeYear(ratings []Rating, participations []Participation, year int) map[string]Summary {
	// Count into a slice indexed through a map: one map lookup per record, one allocation
	// per growth of the slice, and the result map is built once at the end.
	index := make(map[string]int)
	var sums []Summary
	at := func(id string) *Summary {
		i, ok := index[id]
		if !ok {
			i = len(sums)
			index[id] = i
			sums = append(sums, Summary{ExpertID: id, Year: year})
		}
		return &sums[i]
	}
	for i := range ratings {
		r := &ratings[i]
		if r.Year() != year {
			continue
		}
		s := at(r.ExpertID)
		switch r.Grade {
		case Excellent:
			s.Excellent++
			s.Total++
		case Good:
			s.Good++
			s.Total++
		case Poor:
			s.Poor++
			s.Total++
		default:
			s.Invalid++
		}
	}
	for i := range participations {
		p := &participations[i]
		if (p.Attendance != NoShow && p.Attendance != Excused) || YearOf(p.Date) != year {
			continue // attended, or not an attendance value (reported by ValidateParticipation)
		}
		s := at(p.ExpertID)
		if p.Attendance == NoShow {
			s.NoShows++
		} else {
			s.Excused++
		}
	}
	out := make(map[string]Summary, len(sums))
	for _, s := range sums {
		out[s.ExpertID] = s
	}
	return out
}

// PreferentialEligible reports whether an expert with the previous year's summary s may be
// picked preferentially under the default rule of Art. 25: the excellent rate must exceed
// 30% (4 of 10 does, 3 of 10 does not), and an expert without ratings is not eligible.
// It is [DefaultRules]().PreferentialEligible(s).
func PreferentialEligible(s Summary) bool {
	r := Rules{Threshold: Ratio{Num: defaultThresholdNum, Den: defaultThresholdDen}, MinRatings: 1}
	return r.PreferentialEligible(s)
}
