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
	"github.com/wzsti/expertdb/selection"
)

// Sealed panels (Art. 8(6), 9(7), 22(3): the list of experts is confidential until the
// review). When Policy.SealPanels is on, the names on a drawn panel — and the reserve, and
// every seat of its campaign — are visible before the activity starts (Request.At) only to
// the operator who ran the draw and to the discipline office. Everyone else with the right
// to view the request sees sealed placeholders. At the start time the panel opens by itself;
// earlier only through Unseal, with an approver, which is recorded in the audit log and in
// the draw's event stream.

// Sealed is the placeholder shown instead of an expert ID on a sealed panel.
const Sealed = "（已密封）"

// unsealRecord is an early unsealing, stored after the draw record in its stream.
type unsealRecord struct {
	Kind       string      `json:"kind"` // "unseal"
	At         time.Time   `json:"at"`
	By         audit.Actor `json:"by"`
	ApprovedBy audit.Actor `json:"approved_by"`
	Reason     string      `json:"reason"`
}

// sealedFor reports whether the panel of rec is sealed for actor at now.
func (s *Service) sealedFor(ctx context.Context, rec *DrawRecord, actor audit.Actor, now time.Time) (bool, error) {
	if !s.policy.SealPanels || !now.Before(rec.Request.At) {
		return false, nil
	}
	if actor.ID == rec.DrawnBy.ID || actor.Role == audit.RoleDiscipline {
		return false, nil
	}
	evs, err := s.events.Events(ctx, drawStream(rec.Request.ID))
	if err != nil {
		return true, err
	}
	return len(evs) < 2, nil // an unseal record follows the draw record
}

// Unseal opens a sealed panel before the activity starts. It needs an approver other than
// the requester whose role may approve (a leader), and is recorded (Art. 8(6), 9(7), 17).
func (s *Service) Unseal(ctx context.Context, actor, approver audit.Actor, requestID, reason string) error {
	const op = "unseal"
	now := s.clock()
	rec, err := s.loadDraw(ctx, requestID)
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: rec.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, res); err != nil {
		return err
	}
	if approver.ID == actor.ID {
		return s.deny(ctx, op, now, audit.Decision{Rule: "own-approval", Article: "Art. 21", Code: "self-approval",
			Message: "提前解封须由他人审批，不得自行审批", Actor: actor, Action: audit.ActionApprove, Resource: res})
	}
	if err := s.authorize(ctx, op, now, approver, audit.ActionApprove, res); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return &OpError{Op: op, Step: StepValidate, Err: errors.New("expertdb: 提前解封须说明理由")}
	}
	a := actor
	a.OnBehalfOf = approver.ID
	// The reason goes into the audit event: one carrying personal data (a mobile number, an
	// ID number) is refused here, before anything is written.
	ev, err := s.event(now, a, audit.ActionApprove, map[string]any{"kind": "request", "unseal": true,
		"approved_by": approver.ID, "reason": reason}, requestID)
	if err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: 解封理由不得包含个人敏感信息: %w", err)}
	}
	raw, err := json.Marshal(unsealRecord{Kind: "unseal", At: now, By: actor, ApprovedBy: approver, Reason: reason})
	if err != nil {
		return &OpError{Op: op, Step: StepPersist, Err: err}
	}
	evs, err := s.events.Events(ctx, drawStream(requestID))
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if len(evs) >= 2 {
		return nil // already open
	}
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.appendEvent(ctx, drawStream(requestID), 1, raw)
	})
	if errors.Is(err, ErrConflict) {
		return nil // opened meanwhile by another writer, with its own event
	}
	if err != nil {
		return &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return nil
}

// sealDraw returns a copy of rec with every expert ID of the panel and reserve replaced by
// the placeholder and the pool left out.
func sealDraw(rec *DrawRecord) *DrawRecord {
	out := *rec
	out.Pool = selection.Pool{}
	if rec.Result != nil {
		r := *rec.Result
		r.Panel = sealPicks(r.Panel)
		r.Reserve = sealPicks(r.Reserve)
		r.Excluded = nil
		out.Result = &r
	}
	return &out
}

func sealPicks(ps []selection.Pick) []selection.Pick {
	out := make([]selection.Pick, len(ps))
	for i, p := range ps {
		out[i] = selection.Pick{ExpertID: Sealed, Preferential: p.Preferential, Round: p.Round, Invited: p.Invited}
	}
	return out
}

// sealView replaces the expert IDs of a campaign view with the placeholder.
func sealView(v *CampaignView) *CampaignView {
	out := *v
	out.Sealed = true
	out.Seats = sealSeats(v.Seats)
	out.Panel = sealSeats(v.Panel)
	return &out
}

func sealSeats(ss []selection.Seat) []selection.Seat {
	out := make([]selection.Seat, len(ss))
	for i, st := range ss {
		st.ExpertID = Sealed
		st.Pledge = ""
		st.Reason = ""
		out[i] = st
	}
	return out
}

// personalFor reports whether actor may read the personal data of experts (ID numbers,
// mobiles, full names and birth dates): the same right ViewExpert checks for an expert's
// profile (Resource.Personal, Art. 19, 20). The unit of the request does not widen it: a
// county may draw for its own unit and still read only de-identified profiles.
func (s *Service) personalFor(actor audit.Actor) bool {
	d, _ := s.perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert, Personal: true})
	return d.Allowed
}

// ageBirth replaces a birth date by the date on which a person of the same age in full
// years on asOf (the activity date the draw screened ages at) was born that many years
// before: the age the draw decided on stays exact, the birth date is not given out.
func ageBirth(birth, asOf time.Time) time.Time {
	if birth.IsZero() || asOf.IsZero() {
		return birth
	}
	age := admission.Age(birth, asOf)
	y, m, d := asOf.Date()
	out := time.Date(y-age, m, d, 0, 0, 0, 0, asOf.Location())
	for admission.Age(out, asOf) < age {
		out = out.AddDate(0, 0, -1) // 29 February
	}
	return out
}

// drawView is the draw record as actor may see it at now: sealed (see sealedFor), and with
// the candidates de-identified (audit.Redact) for a role without personal-data rights. The
// stored record is never changed. A de-identified view still carries every ID, digest and
// key, so it can be checked against the audit log, and it replays: each birth date is
// replaced by one giving the same age in full years on the activity date (ageBirth), and a
// masked ID number never matches a project member's. A county rule that reads names, ID
// numbers or exact birth dates replays only from the stored record, which the roles with
// personal-data rights and the discipline office can read.
func (s *Service) drawView(ctx context.Context, actor audit.Actor, rec *DrawRecord, now time.Time) (*DrawRecord, error) {
	sealed, err := s.sealedFor(ctx, rec, actor, now)
	if err != nil {
		return nil, &OpError{Op: "draw record", Step: StepLoad, Err: err}
	}
	return s.viewOf(actor, rec, sealed), nil
}

func (s *Service) viewOf(actor audit.Actor, rec *DrawRecord, sealed bool) *DrawRecord {
	if sealed {
		return sealDraw(rec)
	}
	if s.personalFor(actor) {
		return rec
	}
	out := *rec
	out.Pool.Experts = make([]admission.Expert, len(rec.Pool.Experts))
	for i, e := range rec.Pool.Experts {
		out.Pool.Experts[i] = audit.Redact(e)
		out.Pool.Experts[i].BirthDate = ageBirth(e.BirthDate, rec.Request.At)
	}
	if len(rec.Request.Invited) > 0 {
		out.Request.Invited = slices.Clone(rec.Request.Invited)
		for i := range out.Request.Invited {
			out.Request.Invited[i].Expert = audit.Redact(out.Request.Invited[i].Expert)
		}
	}
	return &out
}
