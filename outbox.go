package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
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

// The decision notices (Art. 6(1) 将结果及时告知专家; exits, Art. 11; profile updates, Art.
// 8(1)) have a durable outbox too: stream "notices/<expert ID>". A decision queues its notice
// there in the decision's own unit of work; after the unit commits the Service sends it
// through the Notifier's DecisionNotifier capability and records the delivery (a notify
// event with the mobile masked, and a record naming the queued notice by its position in
// the stream) as one more unit. A notice whose send failed, or that was queued when the
// process stopped, or that the Notifier cannot send (it does not implement DecisionNotifier)
// stays pending: PendingNotices lists it and DeliverNotices sends it again. Delivery is at
// least once: a send whose delivery record cannot be written is sent again by the next
// DeliverNotices (a gateway that must not repeat a message deduplicates on
// DecisionNotification.ID).

// PendingNotice is a decision notice not delivered yet: queued (never tried, or the
// Notifier cannot send decision notices) or failed (the gateway refused it). It carries no
// personal data and not the notice's text.
type PendingNotice struct {
	ExpertID    string    `json:"expert_id"`
	Seq         int64     `json:"seq"` // the notice's position in the expert's notice stream
	Subject     string    `json:"subject"`
	Status      string    `json:"status"` // DeliveryQueued or DeliveryFailed
	QueuedAt    time.Time `json:"queued_at"`
	Attempts    int       `json:"attempts"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
}

// NoticeDelivery is the outcome of DeliverNotices: how many notices were sent now, and every
// notice still pending. NoDecisionNotifier is true when the Notifier cannot send decision
// notices at all (it does not implement DecisionNotifier): every notice stays queued until
// the Service is given one.
type NoticeDelivery struct {
	Sent               int             `json:"sent"`
	Pending            []PendingNotice `json:"pending"`
	NoDecisionNotifier bool            `json:"no_decision_notifier,omitempty"`
}

// KindDecisionNotices is the resource kind of the decision-notice outbox as a whole
// (PendingNotices, DeliverNotices): the city bureau's, not a unit's.
const KindDecisionNotices = "decision-notices"

// noticeEntry is one queued notice folded with its deliveries.
type noticeEntry struct {
	pending PendingNotice
	notice  admission.Notice
}

// foldNotices folds an expert's notice stream into its notices, in queue order. A delivery
// record names its notice by Seq; one written before Seq existed names the latest queued
// notice with the same content.
func foldNotices(expertID string, raw [][]byte) ([]noticeEntry, error) {
	var out []noticeEntry
	at := map[int64]int{}
	for i, b := range raw {
		var r noticeRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("expertdb: notice %d of %q: %w", i, expertID, err)
		}
		if r.Status == DeliveryQueued && r.Seq == nil {
			at[int64(i)] = len(out)
			out = append(out, noticeEntry{notice: r.Notice, pending: PendingNotice{ExpertID: expertID, Seq: int64(i),
				Subject: r.Notice.Subject, Status: DeliveryQueued, QueuedAt: r.At}})
			continue
		}
		k := -1
		if r.Seq != nil {
			if j, ok := at[*r.Seq]; ok {
				k = j
			}
		} else {
			for j := len(out) - 1; j >= 0; j-- {
				if out[j].notice == r.Notice {
					k = j
					break
				}
			}
		}
		if k < 0 {
			continue // a delivery of nothing queued: ignored
		}
		p := &out[k].pending
		p.Status, p.LastAttempt = r.Status, r.At
		if r.Status != DeliveryQueued {
			p.Attempts++
		}
	}
	return out, nil
}

// pendingOf returns the notices of one expert not delivered yet.
func (s *Service) pendingOf(ctx context.Context, expertID string) ([]noticeEntry, error) {
	raw, err := s.events.Events(ctx, noticeStream(expertID))
	if err != nil {
		return nil, err
	}
	all, err := foldNotices(expertID, raw)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if e.pending.Status != DeliverySent {
			out = append(out, e)
		}
	}
	return out, nil
}

// queueNotice stores a decision notice as queued, in the unit of work of ctx.
func (s *Service) queueNotice(ctx context.Context, n admission.Notice, now time.Time) error {
	return s.appendJSON(ctx, noticeStream(n.ExpertID), noticeRecord{Notice: n, Status: DeliveryQueued, At: now})
}

// errNoDecisionNotifier: the Notifier cannot send decision notices; they stay queued.
var errNoDecisionNotifier = errors.New("expertdb: the notifier cannot send decision notices")

// deliverNoticesOf sends the pending decision notices of one expert (under a lock, so that
// two calls in this process never send the same notice twice) and records each delivery as
// its own unit of work. It returns how many were sent and the notices still pending. Send
// failures and records that cannot be written leave the notice pending; only reading the
// stream fails the call, and errNoDecisionNotifier when the Notifier cannot send them (then
// nothing is read).
func (s *Service) deliverNoticesOf(ctx context.Context, actor audit.Actor, expertID string, now time.Time) (int, []PendingNotice, error) {
	dn, ok := s.notifier.(DecisionNotifier)
	if !ok {
		return 0, nil, errNoDecisionNotifier // nothing to try: the notices stay queued
	}
	lock := s.campaignLock(noticeStream(expertID))
	lock.Lock()
	defer lock.Unlock()
	pending, err := s.pendingOf(ctx, expertID)
	if err != nil || len(pending) == 0 {
		return 0, nil, err
	}
	var left []PendingNotice
	sent := 0
	contact, cerr := s.experts.Get(ctx, expertID)
	for _, p := range pending {
		status := DeliverySent
		err := cerr
		if err == nil {
			err = dn.NotifyDecision(ctx, DecisionNotification{ID: fmt.Sprintf("%s/%d", noticeStream(expertID), p.pending.Seq),
				ExpertID: expertID, MaskedName: audit.MaskName(contact.Name), Mobile: contact.Mobile,
				Subject: p.notice.Subject, Text: p.notice.Text})
		}
		if err != nil {
			status = DeliveryFailed
		}
		seq := p.pending.Seq
		ev, err := s.event(now, actor, audit.ActionNotify, map[string]any{"kind": "expert", "channel": "sms",
			"mobile": audit.MaskMobile(contact.Mobile), "subject": p.notice.Subject, "notice": seq, "delivery": status}, expertID)
		if err == nil {
			err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
				if err := u.record(ctx, ev); err != nil {
					return err
				}
				return s.appendJSON(ctx, noticeStream(expertID), noticeRecord{Notice: p.notice, Seq: &seq, Status: status, At: now})
			})
		}
		np := p.pending
		switch {
		case err != nil: // not recorded: still as it was
		case status == DeliverySent:
			sent++
			continue
		default:
			np.Status, np.Attempts, np.LastAttempt = DeliveryFailed, np.Attempts+1, now
		}
		left = append(left, np)
	}
	s.raiseAlerts(ctx, now)
	return sent, left, nil
}

// PendingNotices lists every decision notice not delivered yet (queued or failed), by expert
// ID then queue order, so that none is silently lost (Art. 6(1) 及时告知). It reads every
// expert's notice stream. The city bureau, leaders, the discipline office and maintainers may
// view it (no personal data); the viewing is recorded.
func (s *Service) PendingNotices(ctx context.Context, actor audit.Actor) ([]PendingNotice, error) {
	const op = "pending notices"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: KindDecisionNotices}); err != nil {
		return nil, err
	}
	out, err := s.allPendingNotices(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": KindDecisionNotices, "pending": len(out)}); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return out, nil
}

func (s *Service) allPendingNotices(ctx context.Context) ([]PendingNotice, error) {
	experts, err := s.experts.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []PendingNotice
	for _, e := range experts {
		ps, err := s.pendingOf(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, p.pending)
		}
	}
	return out, nil
}

// DeliverNotices sends every pending decision notice (queued, or failed before) through the
// Notifier's DecisionNotifier capability, each delivery recorded as when the decision sent it,
// and returns what was sent and what is still pending. Run it after a gateway outage, after a
// restart (a notice queued by a decision whose process stopped before sending is sent now),
// or periodically. Only the city bureau may (the notify permission over the outbox). The run
// is recorded (a notify event with the number of notices pending before it) before anything
// is sent. When the Notifier cannot send decision notices, nothing is sent and the result says
// so (NoDecisionNotifier), listing every notice as pending.
func (s *Service) DeliverNotices(ctx context.Context, actor audit.Actor) (*NoticeDelivery, error) {
	const op = "deliver notices"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionNotify, audit.Resource{Kind: KindDecisionNotices}); err != nil {
		return nil, err
	}
	pending, err := s.allPendingNotices(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	_, can := s.notifier.(DecisionNotifier)
	if _, err := s.record(ctx, now, actor, audit.ActionNotify, map[string]any{"kind": KindDecisionNotices,
		"pending": len(pending), "sendable": can}); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	out := &NoticeDelivery{NoDecisionNotifier: !can, Pending: []PendingNotice{}}
	var experts []string
	for _, p := range pending {
		if len(experts) == 0 || experts[len(experts)-1] != p.ExpertID {
			experts = append(experts, p.ExpertID)
		}
	}
	for _, id := range experts {
		sent, left, err := s.deliverNoticesOf(ctx, actor, id, now)
		if err != nil {
			// Unsendable, or the stream could not be read again: the notices read a moment
			// ago are reported as pending.
			for _, p := range pending {
				if p.ExpertID == id {
					left = append(left, p)
				}
			}
		}
		out.Sent += sent
		out.Pending = append(out.Pending, left...)
	}
	return out, nil
}
