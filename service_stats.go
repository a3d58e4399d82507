package expertdb

import (
	"context"
	"errors"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// KindStatistics is the resource kind of aggregated statistics (StatisticsInput).
const KindStatistics = "statistics"

// StatisticsInput is what the yearly statistics read from the Service's stores (report.Year
// turns it into the statistics: report.YearlyStatistics does both).
type StatisticsInput struct {
	Year int
	// Experts are every expert record, de-identified (audit.Redact): aggregated statistics
	// never need personal data (Art. 20); entries and exits are kept.
	Experts []admission.Expert
	Ratings []evaluation.Rating // the year's ratings (Art. 25)
	Draws   []DrawSeats         // every draw of the year with the outcome of each notice
	// Participations are the attendance records in force (RecordAttendance, Art. 8(2)) of the
	// seats of Draws, one per recorded seat, without the absence reasons. An accepted seat
	// without one is not recorded yet (report.Counts.Unrecorded), never counted as attended.
	Participations []evaluation.Participation
	Rules          *evaluation.Rules // the policy's evaluation rules (preferential eligibility)
}

// DrawSeats is one draw of the year: its using unit, the county's region, the activity date
// and every notified expert's seat (Art. 14(2)).
type DrawSeats struct {
	RequestID string
	Unit      string
	Region    string
	At        time.Time
	Seats     []selection.Seat
}

// StatisticsInput gathers a year's statistics input from the stores: the expert records
// (de-identified), the year's ratings, and the seats of every draw recorded in the audit log
// (Art. 14, 17, 23, 25). It is a view of aggregated data: permissioned as a view of resource
// kind "statistics" in the actor's unit (the city bureau, leaders, divisions and counties,
// the discipline office) and recorded as a view event with the year. The attendance of each
// draw's seats (RecordAttendance) comes with it; a draw belongs to the year of its activity
// (Art. 25, as for ratings).
func (s *Service) StatisticsInput(ctx context.Context, actor audit.Actor, year int) (*StatisticsInput, error) {
	const op = "statistics"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: KindStatistics, Unit: actor.Unit}); err != nil {
		return nil, err
	}
	experts, err := s.experts.List(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	for i := range experts {
		experts[i] = audit.Redact(experts[i])
	}
	ratings, err := s.ratings.ByYear(ctx, year)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	draws, err := s.log.Query(ctx, audit.Query{Action: audit.ActionDraw})
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	in := &StatisticsInput{Year: year, Experts: experts, Ratings: ratings, Rules: s.policy.Evaluation}
	seen := map[string]bool{}
	for _, m := range draws.Matches {
		if len(m.Event.Subjects) == 0 || seen[m.Event.Subjects[0]] {
			continue
		}
		id := m.Event.Subjects[0]
		seen[id] = true
		rec, c, _, err := s.loadCampaign(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // a draw event without a stored record (a refused or failed draw)
		}
		if err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		if evaluation.YearOf(rec.Request.At) != year {
			continue
		}
		in.Draws = append(in.Draws, DrawSeats{RequestID: id, Unit: rec.Unit, Region: s.policy.Region, At: rec.Request.At, Seats: c.Seats()})
		att, err := s.attendance(ctx, id)
		if err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		in.Participations = append(in.Participations, participations(rec, att)...)
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": KindStatistics, "year": year,
		"experts": len(experts), "draws": len(in.Draws), "participations": len(in.Participations)}); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return in, nil
}
