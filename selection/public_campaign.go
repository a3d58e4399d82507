package selection

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// PublicCampaignVersion is the version tag of a PublicCampaign (docs/draw-v1.md §14).
const PublicCampaignVersion = "expertdb-public-campaign-v1"

// PublicCampaign is the public record of a campaign (docs/draw-v1.md §14, Art. 14(2)): its
// seat events in order — who was notified (the first picks, then each refill with its
// round), who accepted, declined, did not answer, withdrew or was refused by the annual cap —
// so that anyone can check, with the draw's public record alone, that every refill took the
// next valid candidate of the original sequence under the structure. It carries no reply
// codes or their hashes, no times, no reasons and no pledge references: only expert IDs,
// rounds and event kinds.
type PublicCampaign struct {
	Version   string            `json:"version"`
	RequestID string            `json:"request_id"`
	Events    []PublicSeatEvent `json:"events"`
}

// PublicSeatEvent is one seat event of a PublicCampaign: its kind (EventNotified,
// EventAccepted, EventDeclined, EventNoAnswer, EventWithdrawn or EventRefused), the expert,
// the round of the expert's pick (-1 for a preferential pick or an invited expert) and, for
// a notice, whether it fills a vacancy.
type PublicSeatEvent struct {
	Kind     EventKind `json:"kind"`
	ExpertID string    `json:"expert_id"`
	Round    int       `json:"round"`
	Refill   bool      `json:"refill,omitempty"`
}

// NewPublicCampaign returns the public record of the campaign of request requestID whose
// events are events (Campaign.Events, or the stored campaign events): each event's kind,
// expert, round and refill flag, in order. Reissued notices (a fresh reply code) change no
// seat and are left out, as are reply code hashes, times, reasons and pledges.
func NewPublicCampaign(requestID string, events []Event) *PublicCampaign {
	c := &PublicCampaign{Version: PublicCampaignVersion, RequestID: requestID, Events: []PublicSeatEvent{}}
	for _, ev := range events {
		if ev.Kind == EventReissued {
			continue
		}
		c.Events = append(c.Events, PublicSeatEvent{Kind: ev.Kind, ExpertID: ev.ExpertID, Round: ev.Round, Refill: ev.Refill})
	}
	return c
}

// Digest returns the campaign record's digest (lowercase hex SHA-256 of its canonical
// encoding, docs/draw-v1.md §14.2). The Service's export event carries it.
func (c *PublicCampaign) Digest() string {
	b := []byte("expertdb-public-campaign-v1\n")
	b = appendField(b, "request-id", c.RequestID)
	for _, ev := range c.Events {
		b = appendField(b, "event", string(ev.Kind))
		b = appendField(b, "event.expert", ev.ExpertID)
		b = appendField(b, "event.round", strconv.Itoa(ev.Round))
		b = appendField(b, "event.refill", strconv.FormatBool(ev.Refill))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// VerifyPublicCampaign checks a campaign against the public record of its draw
// (docs/draw-v1.md §14.3): the record must pass VerifyPublic (its error is returned
// otherwise); then the first notices are the panel in order, every refill notice is the
// candidate the walk of §8 gives — the first in round order, never notified before, with
// whom the panel still has a completion — and comes only when a seat is open, every reply
// concerns a seat in the state it needs, and no reply is recorded while a seat is open.
// A failure is a *PublicError with Check "campaign".
func VerifyPublicCampaign(r *PublicRecord, c *PublicCampaign) error {
	b, key, err := verifyPublic(r)
	if err != nil {
		return err
	}
	if c == nil {
		return publicErr("campaign", "no campaign record")
	}
	if c.Version != PublicCampaignVersion {
		return publicErr("campaign", "version %q, want %q", trimForError(c.Version), PublicCampaignVersion)
	}
	if c.RequestID != r.RequestID {
		return publicErr("campaign", "request_id %q is not the draw's %q", trimForError(c.RequestID), trimForError(r.RequestID))
	}
	// Each expert is notified at most once and has at most two answers after it (accepted,
	// then withdrawn): a longer list is refused before any replay.
	if max := 3 * (len(r.Candidates) + len(r.Fixed)); len(c.Events) > max {
		return publicErr("campaign", "%d events for %d candidates and fixed members (at most %d)", len(c.Events), len(r.Candidates)+len(r.Fixed), max)
	}
	w := b.newWalk(key)
	if err := w.fill(); err != nil {
		return publicErr("campaign", "%v", err)
	}
	initial := w.panel()
	type seat struct {
		status SeatStatus
		round  int
	}
	seats := map[string]*seat{}
	next := 0
	size := b.st.size
	full := func() bool { return next == len(initial) && w.s.members >= size }
	for i, ev := range c.Events {
		fail := func(format string, args ...any) error {
			return publicErr("campaign", "event %d (%s %s): "+format, append([]any{i + 1, trimForError(string(ev.Kind)), trimForError(ev.ExpertID)}, args...)...)
		}
		s := seats[ev.ExpertID]
		need := func(want SeatStatus) error {
			switch {
			case s == nil:
				return fail("the expert was not notified")
			case s.status != want:
				return fail("the seat is %s, not %s", s.status, want)
			case s.round != ev.Round:
				return fail("round %d, the seat's is %d", ev.Round, s.round)
			}
			return nil
		}
		vacate := func() {
			if s.round >= 0 {
				w.vacate(s.round)
			} else {
				w.vacateFixed(ev.ExpertID)
			}
		}
		switch ev.Kind {
		case EventNotified:
			if s != nil {
				return fail("the expert was notified before")
			}
			if !ev.Refill {
				if next >= len(initial) || initial[next].ExpertID != ev.ExpertID || initial[next].Round != ev.Round {
					return fail("not the next member of the drawn panel")
				}
				next++
			} else {
				if next < len(initial) {
					return fail("a refill before the whole panel was notified")
				}
				if w.s.members >= size {
					return fail("a refill without an open seat")
				}
				round, err := w.fillOne()
				if err != nil {
					return fail("%v", err)
				}
				if pk := w.pick(round); pk.ExpertID != ev.ExpertID || round != ev.Round {
					return fail("the sequence fills this seat with %s (round %d)", pk.ExpertID, round)
				}
			}
			seats[ev.ExpertID] = &seat{status: SeatPending, round: ev.Round}
		case EventAccepted:
			if err := need(SeatPending); err != nil {
				return err
			}
			if !full() {
				return fail("a reply recorded while a seat was open (not refilled)")
			}
			s.status = SeatAccepted
		case EventDeclined, EventRefused, EventNoAnswer:
			if err := need(SeatPending); err != nil {
				return err
			}
			batch := ev.Kind == EventNoAnswer && i > 0 && c.Events[i-1].Kind == EventNoAnswer
			if !full() && !batch {
				return fail("a reply recorded while a seat was open (not refilled)")
			}
			vacate()
			s.status = map[EventKind]SeatStatus{EventDeclined: SeatDeclined, EventRefused: SeatRefused, EventNoAnswer: SeatNoAnswer}[ev.Kind]
		case EventWithdrawn:
			if err := need(SeatAccepted); err != nil {
				return err
			}
			if !full() {
				return fail("a withdrawal recorded while a seat was open (not refilled)")
			}
			vacate()
			s.status = SeatWithdrawn
		default:
			return fail("unknown event kind")
		}
	}
	if len(c.Events) > 0 && !full() {
		return publicErr("campaign", "the events end with %d of %d seats taken and %d of %d first notices sent: the vacancies were not refilled", w.s.members, size, next, len(initial))
	}
	return nil
}
