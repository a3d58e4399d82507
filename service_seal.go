package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

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
	if err := s.events.AppendEvent(ctx, drawStream(requestID), 1, raw); err != nil && !errors.Is(err, ErrConflict) {
		return &OpError{Op: op, Step: StepPersist, Err: err}
	}
	a := actor
	a.OnBehalfOf = approver.ID
	if _, err := s.record(ctx, now, a, audit.ActionApprove, map[string]any{"kind": "request", "unseal": true,
		"approved_by": approver.ID, "reason": reason}, requestID); err != nil {
		return &OpError{Op: op, Step: StepAudit, Err: err}
	}
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
