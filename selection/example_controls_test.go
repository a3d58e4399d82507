package selection_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

func ExampleSpan_Overlaps() {
	cn := time.FixedZone("CST", 8*3600)
	at := func(d, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, cn) }
	activity := selection.Request{At: at(10, 9), Until: at(10, 17)}.Span() // 09:00–17:00

	fmt.Println(selection.Span{From: at(10, 8), To: at(10, 10)}.Overlaps(activity))  // runs into the morning
	fmt.Println(selection.Span{From: at(9, 8), To: at(12, 17)}.Overlaps(activity))   // starts before, ends after
	fmt.Println(selection.Span{From: at(10, 17), To: at(10, 19)}.Overlaps(activity)) // starts when it ends

	day := selection.Request{At: at(10, 9)}.Span() // no Until: the whole China day
	fmt.Println(day.From.In(cn).Format("01-02 15:04"), "to", day.To.In(cn).Format("01-02 15:04"))
	// Output:
	// true
	// true
	// false
	// 06-10 00:00 to 06-11 00:00
}

// A county that draws between two days and two hours before the activity.
func ExamplePrepared_CheckWindow() {
	cn := time.FixedZone("CST", 8*3600)
	r := selection.DefaultRules()
	r.DrawWindow = selection.DrawWindow{MaxLead: 48 * time.Hour, MinLead: 2 * time.Hour}
	req := selection.Request{ID: "WZ-2025-0610", Size: 3, At: time.Date(2025, 6, 10, 9, 0, 0, 0, cn),
		Project: conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "L-1", Name: "项目负责人"}}}

	for _, drawn := range []time.Time{time.Date(2025, 6, 6, 15, 0, 0, 0, cn), time.Date(2025, 6, 9, 15, 0, 0, 0, cn)} {
		req.DrawnAt = drawn
		p, err := selection.Prepare(req, r)
		if err != nil {
			fmt.Println(err)
			return
		}
		var se *selection.Error
		if err := p.CheckWindow(); errors.As(err, &se) {
			fmt.Println(errors.Is(err, selection.ErrDrawWindow), se.Code)
			fmt.Println(se.Message)
		} else {
			fmt.Println("inside the window:", err == nil)
		}
	}
	// Output:
	// true draw-too-early
	// 抽取时间（北京时间 2025-06-06 15:00）早于允许的抽取时段：须在活动开始（北京时间 2025-06-10 09:00）前 2 天至前 2 小时之间抽取，即北京时间 2025-06-08 09:00 至 2025-06-10 07:00；请在时段内再抽取
	// inside the window: true
}

// Availability and the cooling-off rule in one draw: E1 declared leave, E2 accepted another
// activity the same afternoon, E3 reviewed the applicant unit four months ago.
func ExampleCoolingOffRule() {
	cn := time.FixedZone("CST", 8*3600)
	at := time.Date(2025, 6, 10, 9, 0, 0, 0, cn)
	pool := selection.Pool{Usage: map[string]int{}}
	for _, id := range []string{"E1", "E2", "E3", "E4", "E5"} {
		pool.Experts = append(pool.Experts, admission.Expert{
			ID: id, Name: "专家", Status: admission.Active, BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
			Affiliation: admission.Affiliation{Org: "单位" + id, Kind: admission.University},
			Title:       admission.Senior, Categories: []admission.Category{admission.Technical},
			Credentials: []admission.Credential{{Kind: "political-quality"}},
		})
	}
	pool.Experts[0].Unavailable = []admission.Period{{From: time.Date(2025, 6, 9, 0, 0, 0, 0, cn), To: time.Date(2025, 6, 12, 0, 0, 0, 0, cn), Reason: "出差"}}
	pool.Bookings = map[string][]selection.Booking{"E2": {{ActivityID: "WZ-2025-0598", From: at.Add(5 * time.Hour), To: at.Add(8 * time.Hour)}}}
	pool.History = map[string][]selection.Participation{"E3": {{ActivityID: "WZ-2025-0211", ApplicantUnit: "温州光学科技有限公司", At: at.AddDate(0, -4, 0)}}}

	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	req := selection.Request{ID: "WZ-2025-0610", Size: 2, At: at,
		Project: conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "L-1", Name: "项目负责人",
			Affiliation: admission.Affiliation{Org: "温州光学科技有限公司", Kind: admission.Enterprise}}}}
	res, err := selection.Draw(req, pool, selection.Entropy{Sources: [][]uint64{{7, 21, 33}}}, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range res.Excluded {
		fmt.Println(x.ExpertID, x.Article, x.Code)
	}
	fmt.Println("candidates", res.Candidates)
	// Output:
	// E1 Art. 8(2) unavailable
	// E2 Art. 8(2) booked
	// E3 Art. 15(5) cooling-off
	// candidates 2
}

func ExampleWithinMonths() {
	cn := time.FixedZone("CST", 8*3600)
	review := time.Date(2025, 8, 31, 10, 0, 0, 0, cn)
	fmt.Println(selection.WithinMonths(review, time.Date(2026, 2, 27, 9, 0, 0, 0, cn), 6))
	fmt.Println(selection.WithinMonths(review, time.Date(2026, 2, 28, 9, 0, 0, 0, cn), 6)) // 31 Aug + 6 months = 28 Feb
	// Output:
	// true
	// false
}
