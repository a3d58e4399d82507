package evaluation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/evaluation"
)

func ExampleSummarize() {
	at := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 15, 0, 0, 0, time.UTC) }
	ratings := []evaluation.Rating{
		{ExpertID: "E1", ActivityID: "A1", RaterUnit: "成果处", Grade: evaluation.Excellent, At: at(3, 1)},
		{ExpertID: "E1", ActivityID: "A2", RaterUnit: "成果处", Grade: evaluation.Good, At: at(4, 1)},
		{ExpertID: "E1", ActivityID: "A3", RaterUnit: "高新处", Grade: evaluation.Excellent, At: at(9, 1)},
		{ExpertID: "E2", ActivityID: "A1", RaterUnit: "成果处", Grade: evaluation.Poor, At: at(3, 1), Comment: "未按时提交评审意见"},
		// 31 Dec 2024 18:00 UTC is 1 Jan 2025 in Wenzhou: it counts in 2025.
		{ExpertID: "E2", ActivityID: "A4", RaterUnit: "成果处", Grade: evaluation.Excellent, At: at(12, 31).Add(3 * time.Hour)},
	}
	sums := evaluation.Summarize(ratings, 2024)
	for _, id := range []string{"E1", "E2"} {
		s := sums[id]
		fmt.Printf("%s %d: %d rated, %d excellent, %d good, %d poor, rate %v\n", id, s.Year, s.Total, s.Excellent, s.Good, s.Poor, s.ExcellentRate())
	}
	// Output:
	// E1 2024: 3 rated, 2 excellent, 1 good, 0 poor, rate 2/3
	// E2 2024: 1 rated, 0 excellent, 0 good, 1 poor, rate 0/1
}

func ExamplePreferentialEligible() {
	for _, s := range []evaluation.Summary{
		{Total: 10, Excellent: 3}, // exactly 30%: not more than 30%
		{Total: 10, Excellent: 4},
		{Total: 0}, // no ratings last year
	} {
		fmt.Printf("%d of %d: %v\n", s.Excellent, s.Total, evaluation.PreferentialEligible(s))
	}
	// Output:
	// 3 of 10: false
	// 4 of 10: true
	// 0 of 0: false
}

func ExampleRules_PreferentialEligible() {
	// A county requiring at least 5 ratings and an excellent rate of at least one half.
	county := evaluation.DefaultRules()
	county.Threshold = evaluation.Ratio{Num: 1, Den: 2}
	county.Inclusive = true
	county.MinRatings = 5

	fmt.Println(county.PreferentialEligible(evaluation.Summary{Total: 4, Excellent: 4}))
	fmt.Println(county.PreferentialEligible(evaluation.Summary{Total: 6, Excellent: 3}))
	// Output:
	// false
	// true
}

func ExampleRules_CheckPreferential() {
	f := evaluation.DefaultRules().CheckPreferential(evaluation.Summary{ExpertID: "E1", Year: 2024, Total: 10, Excellent: 3})
	fmt.Println(f.Article, f.Code)
	fmt.Println(f.Message)
	// Output:
	// Art. 25 excellent-rate
	// 上一年度（2024年）履职评价优秀率 3/10，未超过 30%，不能作为择优选取对象
}

func ExampleRules_ValidateRating() {
	activity := evaluation.Participation{ActivityID: "2024-KJ-017", OrganizerUnit: "成果处", ExpertID: "E1",
		Date: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)}
	rating := evaluation.Rating{
		ExpertID: "E1", ActivityID: "2024-KJ-017", RaterUnit: "高新处", Grade: evaluation.Poor,
		Aspects: evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Poor, Quality: evaluation.Good},
		At:      time.Date(2024, 3, 2, 9, 0, 0, 0, time.UTC),
	}
	err := evaluation.DefaultRules().ValidateRating(rating, activity)
	fmt.Println(err)
	// Output:
	// evaluation: 履职评价无效（活动 "2024-KJ-017"，专家 "E1"）：评价意见不能为空：评为“差”须写明书面理由，不得对专家进行恶意评价（Art. 21，poor-without-reason）；评价单位：不是该活动的组织单位，只有组织活动的使用单位（处室）可以评价（Art. 25，rater-not-organizer）
}

func ExampleSummarizeYear() {
	d := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	parts := []evaluation.Participation{
		{ActivityID: "A1", OrganizerUnit: "成果处", ExpertID: "E1", Date: d, Attendance: evaluation.NoShow},
		{ActivityID: "A2", OrganizerUnit: "成果处", ExpertID: "E1", Date: d, Attendance: evaluation.Excused, Reason: "出差"},
		{ActivityID: "A3", OrganizerUnit: "成果处", ExpertID: "E1", Date: d},
	}
	ratings := []evaluation.Rating{{ExpertID: "E1", ActivityID: "A3", RaterUnit: "成果处", Grade: evaluation.Good, At: d}}
	s := evaluation.SummarizeYear(ratings, parts, 2024)["E1"]
	fmt.Printf("rated %d, no-shows %d, excused %d\n", s.Total, s.NoShows, s.Excused)
	// Output:
	// rated 1, no-shows 1, excused 1
}

func ExampleParticipation_Record() {
	p := evaluation.Participation{ActivityID: "A1", OrganizerUnit: "成果处", ExpertID: "E1",
		Date: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), Attendance: evaluation.NoShow, Reason: "未请假"}
	rec, ok := p.Record()
	fmt.Println(ok, rec.Kind, rec.Serious)
	fmt.Println(rec.Detail)
	// Output:
	// true no-show false
	// Art. 8(2) 接受邀请后无故缺席活动 "A1"（组织单位 "成果处"）：未请假
}

func ExampleViolation_Record() {
	rec := evaluation.Solicitation.Record(time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC), "评审前接受申报单位请托")
	fmt.Println(rec.Kind, rec.Serious)
	fmt.Println(rec.Detail)
	// Output:
	// solicitation true
	// Art. 9(3) 接受“打招呼”“走关系”等请托：评审前接受申报单位请托
}

func ExampleViolation_ExitProposal() {
	date := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	if _, ok := evaluation.RecusalBreach.ExitProposal("E1", date); !ok {
		fmt.Println("Art. 9(2) alone: recorded, no exit proposal")
	}
	p, _ := evaluation.Leak.ExitProposal("E1", date)
	fmt.Println(p.Article, p.Code, p.Reason)
	fmt.Println(p.Message)
	// Output:
	// Art. 9(2) alone: recorded, no exit proposal
	// Art. 10(3) serious-misconduct misconduct
	// 专家存在泄漏评审（咨询）过程中需保密的申请人、专家名单、专家意见、评审结论等相关信息（Art. 9(7)）的严重科研失信行为，应予出库（Art. 10(3)），出库后不得再次入库（Art. 11）
}

func ExampleMemoryStore() {
	ctx := context.Background()
	store := evaluation.NewMemoryStore()
	d := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	r := evaluation.Rating{ExpertID: "E1", ActivityID: "A1", RaterUnit: "成果处", Grade: evaluation.Excellent, At: d}
	fmt.Println(store.Add(ctx, r))
	r.Grade = evaluation.Poor
	fmt.Println(store.Add(ctx, r))
	got, _ := store.ByExpert(ctx, "E1", 2024)
	fmt.Println(len(got), got[0].Grade.Label())
	// Output:
	// <nil>
	// evaluation: 活动 "A1" 已对专家 "E1" 作出评价，同一活动对同一专家只能评价一次 (Art. 25, duplicate)
	// 1 优秀
}

func ExampleYearOf() {
	t := time.Date(2024, 12, 31, 20, 0, 0, 0, time.UTC)
	fmt.Println(t.Year(), evaluation.YearOf(t))
	// Output:
	// 2024 2025
}

// Every violation of Art. 9 has a consequence: an integrity record, an exit proposal when it
// is serious, and a suspension from draws until the bureau reviews the record.
func ExampleRules_Consequence() {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []evaluation.Violation{evaluation.Plagiarism, evaluation.Bribery} {
		c, _ := evaluation.DefaultRules().Consequence("E1", v, at, "")
		fmt.Println(c.Record.Article, c.Record.Kind, "exit proposal:", c.Exit != nil, "suspended:", c.Suspended)
	}
	// Output:
	// Art. 9(8) plagiarism exit proposal: false suspended: true
	// Art. 9(5) bribery exit proposal: true suspended: true
}
