package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// The outbox of a campaign (Art. 14(2) 通知): stream "outbox/<request ID>" of the EventStore.
// A notice is queued there in the same unit of work as the campaign step that produced it,
// sent after that unit commits, and its delivery ("sent" or "failed") stored with its notify
// event. The reply code itself is never stored (only its hash, in the campaign): a notice
// that was not delivered (failed, or queued when the process stopped) is sent again with a
// fresh code (selection.Campaign.Reissue), which invalidates the old one.

func outboxStream(id string) string { return "outbox/" + id }

// Delivery states of a notice in the outbox.
const (
	DeliveryQueued = "queued" // stored, not (yet) known to be sent
	DeliverySent   = "sent"   // the gateway took it
	DeliveryFailed = "failed" // the gateway refused it; Deliver sends it again
)

// outboxRecord is one change of a notice's delivery state.
type outboxRecord struct {
	ExpertID string    `json:"expert_id"`
	Status   string    `json:"status"`
	At       time.Time `json:"at"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// queueNotices stores the notices as queued, in the unit of work of ctx.
func (s *Service) queueNotices(ctx context.Context, requestID string, notices []selection.Notice, now time.Time) error {
	if len(notices) == 0 {
		return nil
	}
	have, err := s.events.Events(ctx, outboxStream(requestID))
	if err != nil {
		return err
	}
	for i, n := range notices {
		raw, err := json.Marshal(outboxRecord{ExpertID: n.ExpertID, Status: DeliveryQueued, At: now, Deadline: n.Deadline})
		if err != nil {
			return err
		}
		if err := s.appendEvent(ctx, outboxStream(requestID), int64(len(have)+i), raw); err != nil {
			return err
		}
	}
	return nil
}

// deliveries returns the latest delivery state of each notified expert.
func (s *Service) deliveries(ctx context.Context, requestID string) (map[string]string, int, error) {
	raw, err := s.events.Events(ctx, outboxStream(requestID))
	if err != nil {
		return nil, 0, err
	}
	out := map[string]string{}
	for i, b := range raw {
		var r outboxRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, 0, fmt.Errorf("expertdb: outbox record %d: %w", i, err)
		}
		out[r.ExpertID] = r.Status
	}
	return out, len(raw), nil
}

// deliver sends notices and records each delivery (its state in the outbox and a notify
// event with the mobile masked) as one unit of work. A failed send is recorded as failed and
// does not stop the others; a notice whose contact cannot be read is not sent and counts as
// failed. It returns the delivery state of each notice as recorded (queued when the record
// itself could not be written: Deliver sends it again with a fresh code).
func (s *Service) deliver(ctx context.Context, actor audit.Actor, rec *DrawRecord, notices []selection.Notice, now time.Time) map[string]string {
	out := map[string]string{}
	for _, n := range notices {
		out[n.ExpertID] = DeliveryQueued
		status := DeliverySent
		mobile, name, err := s.contactOf(ctx, rec, n.ExpertID)
		if err == nil {
			err = s.notifier.Notify(ctx, Notification{RequestID: rec.Request.ID, ExpertID: n.ExpertID, MaskedName: audit.MaskName(name),
				Mobile: mobile, Deadline: n.Deadline, Code: n.Code, Text: n.Text})
		}
		if err != nil {
			status = DeliveryFailed
		}
		ev, err := s.event(now, actor, audit.ActionNotify, map[string]any{"kind": "request", "channel": "sms",
			"mobile": audit.MaskMobile(mobile), "deadline": n.Deadline.UTC().Format(time.RFC3339), "delivery": status},
			rec.Request.ID, n.ExpertID)
		if err != nil {
			continue
		}
		raw, err := json.Marshal(outboxRecord{ExpertID: n.ExpertID, Status: status, At: now})
		if err != nil {
			continue
		}
		err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
			have, err := s.events.Events(ctx, outboxStream(rec.Request.ID))
			if err != nil {
				return err
			}
			if err := u.record(ctx, ev); err != nil {
				return err
			}
			return s.appendEvent(ctx, outboxStream(rec.Request.ID), int64(len(have)), raw)
		})
		if err == nil {
			out[n.ExpertID] = status
		}
	}
	s.raiseAlerts(ctx, now)
	return out
}

// Deliver sends again, each with a fresh reply code, every notice of the campaign that is
// still awaiting a reply but was not delivered: refused by the gateway, or queued when the
// process stopped before sending. The old codes stop working. It returns the campaign view;
// CampaignView.Undelivered counts the notices still not delivered.
func (s *Service) Deliver(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	return s.reissue(ctx, "deliver", actor, requestID, "")
}

// Resend sends the pending notice of one expert again with a fresh reply code (the expert
// lost the message, or the clerk suspects it reached someone else); the old code stops
// working. On a panel sealed for the actor it answers the same for every expert ID.
func (s *Service) Resend(ctx context.Context, actor audit.Actor, requestID, expertID string) (*CampaignView, error) {
	if expertID == "" {
		return nil, &OpError{Op: "resend", Step: StepValidate, Err: errors.New("expertdb: resend: no expert ID")}
	}
	return s.reissue(ctx, "resend", actor, requestID, expertID)
}

func (s *Service) reissue(ctx context.Context, op string, actor audit.Actor, requestID, expertID string) (*CampaignView, error) {
	var targets []string // read under the campaign lock, in the step
	return s.runCampaign(ctx, campaignOp{op: op, actor: actor, id: requestID, action: audit.ActionNotify, member: expertID,
		res: requestResource(requestID),
		step: func(ctx context.Context, _ selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			targets = targets[:0]
			if expertID != "" {
				targets = append(targets, expertID)
			} else {
				state, _, err := s.deliveries(ctx, requestID)
				if err != nil {
					return nil, nil, nil, err
				}
				for _, st := range c.Seats() {
					if st.Status == selection.SeatPending && state[st.ExpertID] != DeliverySent {
						targets = append(targets, st.ExpertID)
					}
				}
			}
			var notices []selection.Notice
			for _, id := range targets {
				n, err := c.Reissue(id, now, s.random)
				if err != nil {
					return nil, nil, nil, err
				}
				notices = append(notices, n)
			}
			return notices, map[string]any{"kind": "request", "outcome": "reissued", "notices": len(notices)}, targets, nil
		}})
}
