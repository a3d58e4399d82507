package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// attendanceStream is the EventStore stream of the attendance records of one drawn request:
// one record per seat, and each later record a correction of the one before.
func attendanceStream(requestID string) string { return "attendance/" + requestID }

// AttendanceEntry is what the using unit records about one accepted seat after the activity
// (Art. 8(2) 接受邀请后，原则上不得无故缺席; Art. 25, 26): the expert, whether they attended
// (evaluation.Attended, evaluation.NoShow 无故缺席, evaluation.Excused 因故缺席), the
// reason of an absence (required when excused) and, when the seat already has a record, why
// it is corrected.
type AttendanceEntry struct {
	ExpertID   string                `json:"expert_id"`
	Attendance evaluation.Attendance `json:"attendance"`
	Reason     string                `json:"reason,omitempty"`
	Correction string                `json:"correction,omitempty"`
}

// attendanceRecord is one stored attendance record: the entry, who made it and when.
type attendanceRecord struct {
	AttendanceEntry
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// ErrAttendance is wrapped when attendance cannot be recorded: the seat was not accepted, the
// activity has not taken place, the request is voided or a practice draw, the seat already
// has a record and no correction reason was given, or the expert was already rated as having
// served (Art. 8(2), 25). The refusal is an *admission.RefusalError with its article, code
// and Chinese message.
var ErrAttendance = errors.New("expertdb: attendance not recordable")

// Codes of attendance refusals.
const (
	CodeAttendancePractice   = "practice-draw"             // a practice draw has no activity
	CodeAttendanceVoided     = "request-voided"            // the request was voided
	CodeAttendanceNoSeat     = "no-accepted-seat"          // the expert did not accept a seat on the request
	CodeAttendanceTooEarly   = "before-activity"           // the activity has not taken place yet
	CodeAttendanceRecorded   = "attendance-recorded"       // the seat has a record; a correction needs its reason
	CodeAttendanceRated      = "rated-as-served"           // the expert was rated for the activity: not absent
	CodeAttendanceOwnRecord  = "own-attendance"            // an expert recording their own attendance
	CodeAttendanceOtherUnit  = "other-unit"                // a user of another unit than the using unit
	CodeAttendanceCorrection = "correction-without-record" // a correction of a seat without a record
)

// RecordAttendance records whether an expert who accepted a seat on a drawn request attended
// the activity (Art. 8(2), 25, 26). Only a user of the using unit may record it (the unit that
// rates, Art. 25; the rating permission over the request's unit), never the expert, and only
// once the activity date has passed, for a seat the expert accepted (and did not withdraw)
// on a real, not voided draw. One record per seat: a second record is a correction and must
// say why (AttendanceEntry.Correction); the correction replaces the record, and both stay in
// the stream. An expert already rated for the activity was rated as having served
// (evaluation: a no-show cannot be rated) and cannot be recorded absent.
//
// A no-show (evaluation.NoShow) also enters the expert's integrity file
// (evaluation.Participation.Record, Art. 8(2), 26): a record pending the bureau's review,
// which suspends the expert from draws until the bureau retains them
// (ReviewIntegrityRecords) or decides an exit, like every pending record (Art. 26 says the
// conduct is recorded; the review decides what follows). A correction away from a no-show
// takes the no-show's record out of the file while it is still pending; once the bureau has
// reviewed it, the record and its review stay (the correction is in the audit log).
//
// The year of the record is the activity's year (evaluation.YearOf, as for ratings). The
// record, the integrity record and a rating event (kind "attendance", the attendance code,
// never the reason) are one unit of work; every refusal is recorded too.
func (s *Service) RecordAttendance(ctx context.Context, actor audit.Actor, requestID string, a AttendanceEntry) (evaluation.Participation, error) {
	const op = "record attendance"
	now := s.clock()
	rec, c, _, err := s.loadCampaign(ctx, requestID)
	if err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRating, ID: requestID, Owner: a.ExpertID, Unit: rec.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionRating, res); err != nil {
		return evaluation.Participation{}, err
	}
	switch {
	case actor.ID == a.ExpertID || isSelf(actor, a.ExpertID):
		return evaluation.Participation{}, s.deny(ctx, op, now, audit.Decision{Rule: "own-attendance", Article: "Art. 8(2), 25",
			Code: CodeAttendanceOwnRecord, Message: "专家不得登记本人的出席情况，应由使用单位登记",
			Actor: actor, Action: audit.ActionRating, Resource: res})
	case actor.Unit != rec.Unit:
		return evaluation.Participation{}, s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 25",
			Code: CodeAttendanceOtherUnit, Message: "只有使用单位（" + rec.Unit + "）的用户可以登记参加其活动的专家的出席情况",
			Actor: actor, Action: audit.ActionRating, Resource: res})
	}
	lock := s.campaignLock(attendanceStream(requestID))
	lock.Lock()
	defer lock.Unlock()
	refuse := func(article, code, msg string) (evaluation.Participation, error) {
		err := fmt.Errorf("%w: %w", ErrAttendance, &admission.RefusalError{Op: "attendance",
			Findings: []admission.Finding{{Article: article, Code: code, Message: msg}}})
		if _, aerr := s.record(ctx, now, actor, audit.ActionRating, map[string]any{"kind": "attendance", "outcome": "refused",
			"code": code}, requestID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return evaluation.Participation{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	st, err := s.loadRequest(ctx, requestID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	switch {
	case rec.Practice:
		return refuse("Art. 14", CodeAttendancePractice, "练习抽取不是正式抽取，没有可登记出席情况的活动")
	case st != nil && st.Status == RequestVoided:
		return refuse("Art. 13", CodeAttendanceVoided, "该抽取申请已作废，活动未按此抽取举行，不能登记出席情况")
	case now.Before(rec.Request.At):
		// Before the seat question: until the activity starts a sealed panel answers the same
		// for members and non-members (Art. 8(6), 22(3)).
		return refuse("Art. 8(2)", CodeAttendanceTooEarly, "活动尚未举行，须在活动日期之后登记出席情况")
	case seatStatus(c, a.ExpertID) != selection.SeatAccepted:
		return refuse("Art. 8(2)", CodeAttendanceNoSeat, "该专家没有在本次抽取中接受邀请（或已撤回），不能登记出席情况")
	}
	records, err := s.attendance(ctx, requestID)
	if err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	prev, had := latestAttendance(records, a.ExpertID)
	a.Correction = strings.TrimSpace(a.Correction)
	switch {
	case had && a.Correction == "":
		return refuse("Art. 17", CodeAttendanceRecorded, "该专家本次活动的出席情况已登记；如需更正，请填写更正理由")
	case !had && a.Correction != "":
		return refuse("Art. 17", CodeAttendanceCorrection, "该专家本次活动尚无出席登记，无需更正，请直接登记")
	}
	p := evaluation.Participation{ActivityID: requestID, OrganizerUnit: rec.Unit, ExpertID: a.ExpertID,
		Date: rec.Request.At, Attendance: a.Attendance, Reason: strings.TrimSpace(a.Reason)}
	if err := evaluation.ValidateParticipation(p); err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	if len(a.Correction) > 0 && len([]rune(a.Correction)) > evaluation.MaxTextRunes {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "attendance",
			Findings: []admission.Finding{{Article: "Art. 17", Code: "correction-too-long", Message: "更正理由过长：不能超过 2000 字"}}}}
	}
	if p.Attendance != evaluation.Attended {
		rated, err := s.ratings.ByExpert(ctx, a.ExpertID, evaluation.YearOf(rec.Request.At))
		if err != nil {
			return evaluation.Participation{}, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		if slices.ContainsFunc(rated, func(r evaluation.Rating) bool { return r.ActivityID == requestID }) {
			return refuse("Art. 25", CodeAttendanceRated, "该专家已就本次活动作出履职评价（评价以出席为前提），不能登记为缺席")
		}
	}
	// The integrity file: a no-show adds its record; a correction away from a no-show removes
	// the earlier no-show's record while it is pending.
	var expert *admission.Expert
	if had && prev.Attendance == evaluation.NoShow || p.Attendance == evaluation.NoShow {
		e, err := s.experts.Get(ctx, a.ExpertID)
		if err != nil {
			return evaluation.Participation{}, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		next := e
		next.Records = slices.Clone(e.Records)
		if had {
			old := evaluation.Participation{ActivityID: requestID, OrganizerUnit: rec.Unit, ExpertID: a.ExpertID,
				Date: rec.Request.At, Attendance: prev.Attendance, Reason: prev.Reason}
			if r, ok := old.Record(); ok {
				next.Records = slices.DeleteFunc(next.Records, func(x admission.Record) bool {
					return x.Pending() && x.Kind == r.Kind && x.Detail == r.Detail && x.Date.Equal(r.Date)
				})
			}
		}
		if r, ok := p.Record(); ok {
			next.Records = append(next.Records, r)
		}
		expert = &next
	}
	ev, err := s.event(now, actor, audit.ActionRating, map[string]any{"kind": "attendance", "activity": requestID,
		"attendance": p.Attendance.String(), "correction": had, "year": evaluation.YearOf(p.Date),
		"article": "Art. 8(2)", "integrity_record": p.Attendance == evaluation.NoShow}, a.ExpertID, requestID)
	if err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	raw, err := json.Marshal(attendanceRecord{AttendanceEntry: AttendanceEntry{ExpertID: a.ExpertID, Attendance: p.Attendance,
		Reason: p.Reason, Correction: a.Correction}, By: actor.ID, At: now})
	if err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if expert != nil {
			if err := s.putExpert(ctx, *expert); err != nil {
				return err
			}
		}
		// The sequence read above: a record made meanwhile by another process is a conflict.
		return s.appendEvent(ctx, attendanceStream(requestID), int64(len(records)), raw)
	})
	if err != nil {
		return evaluation.Participation{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return p, nil
}

// attendance reads the attendance records of a request, in order.
func (s *Service) attendance(ctx context.Context, requestID string) ([]attendanceRecord, error) {
	raw, err := s.events.Events(ctx, attendanceStream(requestID))
	if err != nil {
		return nil, err
	}
	out := make([]attendanceRecord, len(raw))
	for i, b := range raw {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("expertdb: attendance of %q, record %d: %w", requestID, i, err)
		}
	}
	return out, nil
}

// latestAttendance is the record in force for one expert: the last one.
func latestAttendance(records []attendanceRecord, expertID string) (attendanceRecord, bool) {
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].ExpertID == expertID {
			return records[i], true
		}
	}
	return attendanceRecord{}, false
}

// participations turns a request's attendance records into the participation records in
// force (one per expert, the latest), in the order the experts were first recorded. The
// absence reasons are left out: statistics do not need the free text.
func participations(rec *DrawRecord, records []attendanceRecord) []evaluation.Participation {
	var order []string
	last := map[string]attendanceRecord{}
	for _, r := range records {
		if _, ok := last[r.ExpertID]; !ok {
			order = append(order, r.ExpertID)
		}
		last[r.ExpertID] = r
	}
	out := make([]evaluation.Participation, 0, len(order))
	for _, id := range order {
		out = append(out, evaluation.Participation{ActivityID: rec.Request.ID, OrganizerUnit: rec.Unit, ExpertID: id,
			Date: rec.Request.At, Attendance: last[id].Attendance})
	}
	return out
}

// recordedAttendance is the attendance in force for one seat, and whether there is one: Rate
// reads it, so that a seat recorded as a no-show or an excused absence is not rated.
func (s *Service) recordedAttendance(ctx context.Context, requestID, expertID string) (evaluation.Attendance, bool, error) {
	records, err := s.attendance(ctx, requestID)
	if err != nil {
		return 0, false, err
	}
	r, ok := latestAttendance(records, expertID)
	return r.Attendance, ok, nil
}
