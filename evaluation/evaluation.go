package evaluation

import "time"

// Grade is the overall rating of Art. 25.
type Grade int

// Grades of Art. 25.
const (
	Poor      Grade = 1 // 差
	Good      Grade = 2 // 良好
	Excellent Grade = 3 // 优秀
)

// Rating is one rating of one expert for one activity.
type Rating struct {
	ExpertID, ActivityID, RaterUnit string
	Grade                           Grade
	At                              time.Time
	Comment                         string
}

// Summary counts an expert's ratings in one calendar year.
type Summary struct {
	ExpertID                           string
	Year, Total, Excellent, Good, Poor int
}

// Summarize TODO(evaluation helper).
func Summarize(ratings []Rating, year int) map[string]Summary { return nil }

// PreferentialEligible reports whether the previous year's excellent rate exceeds 30% (Art. 25).
// TODO(evaluation helper): configurable Rules.
func PreferentialEligible(s Summary) bool { return s.Total > 0 && s.Excellent*10 > s.Total*3 }
