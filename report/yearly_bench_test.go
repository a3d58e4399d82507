package report_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

// yearBench is a year of a 2,000-expert database: 20,000 notices, 12,000 participations and
// 12,000 ratings over 200 units and 12 counties.
func yearBench() report.YearInput {
	in := report.YearInput{Year: 2025}
	for i := range 2000 {
		in.Experts = append(in.Experts, admission.Expert{ID: fmt.Sprintf("E%04d", i), Name: "专家",
			Affiliation: admission.Affiliation{Org: fmt.Sprintf("单位%03d", i%200)}})
	}
	statuses := []selection.SeatStatus{selection.SeatAccepted, selection.SeatDeclined, selection.SeatNoAnswer, selection.SeatAccepted, selection.SeatAccepted}
	for i := range 20000 {
		at := d(2025, time.Month(1+i%12), 1+i%28)
		id := fmt.Sprintf("E%04d", (i*7919)%2000)
		in.Outcomes = append(in.Outcomes, report.Outcome{RequestID: fmt.Sprintf("R%d", i/10), Region: fmt.Sprintf("3303%02d", i%12),
			ExpertID: id, At: at, Status: statuses[i%len(statuses)]})
		if i%5 < 3 {
			in.Participations = append(in.Participations, evaluation.Participation{ActivityID: fmt.Sprint(i), ExpertID: id, Date: at,
				Attendance: evaluation.Attendance(i % 3)})
			in.Ratings = append(in.Ratings, evaluation.Rating{ExpertID: id, ActivityID: fmt.Sprint(i), At: at, Grade: evaluation.Grade(1 + i%3)})
		}
	}
	return in
}

// BenchmarkYear: the yearly statistics against a hand-written single pass that counts only the
// totals (a lower bound: no per-expert, unit or county tables, no sorting).
func BenchmarkYear(b *testing.B) {
	in := yearBench()
	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = report.Year(in)
		}
	})
	b.Run("baseline-totals", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var c report.Counts
			for _, o := range in.Outcomes {
				if evaluation.YearOf(o.At) == in.Year {
					c.Notified++
					if o.Status == selection.SeatAccepted {
						c.Accepted++
					}
				}
			}
			for _, r := range in.Ratings {
				if evaluation.YearOf(r.At) == in.Year && r.Grade == evaluation.Excellent {
					c.Excellent++
				}
			}
			_ = c
		}
	})
}
