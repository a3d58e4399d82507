package selection

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
)

// EventKind is what happened in a campaign.
type EventKind string

// Campaign events (Art. 14(2)).
const (
	EventNotified  EventKind = "notified"  // a notice with a deadline and a one-time reply code was sent
	EventAccepted  EventKind = "accepted"  // the expert accepted and signed the pledge (Art. 8(4))
	EventDeclined  EventKind = "declined"  // the expert declined, with a reason (Art. 7(4) for an unfamiliar field)
	EventNoAnswer  EventKind = "no-answer" // no reply by the deadline
	EventWithdrawn EventKind = "withdrawn" // withdrawal after acceptance, recorded as a no-show (Art. 8(2))
	// EventRefused: the ledger refused the acceptance because the expert reached the annual
	// cap meanwhile (Art. 14(1)); the seat becomes a vacancy.
	EventRefused EventKind = "cap-refused"
	// EventReissued: a pending notice was sent again with a fresh reply code; the old code
	// no longer answers it (the deadline is unchanged).
	EventReissued EventKind = "reissued"
)

// Event is one step of a campaign. The campaign state is a fold over its events (Replay).
// Reply codes never appear in events, only their SHA-256.
type Event struct {
	Kind            EventKind `json:"kind"`
	ExpertID        string    `json:"expert_id"`
	Round           int       `json:"round"`            // the pick's round (-1 preferential or invited)
	Refill          bool      `json:"refill,omitempty"` // notified to fill a vacancy
	At              time.Time `json:"at"`
	Deadline        time.Time `json:"deadline,omitzero"`
	CodeHash        string    `json:"code_hash,omitempty"` // hex SHA-256 of the reply code
	Reason          string    `json:"reason,omitempty"`
	UnfamiliarField bool      `json:"unfamiliar_field,omitempty"` // declined under Art. 7(4)
	Pledge          string    `json:"pledge,omitempty"`           // reference of the signed pledge (Art. 8(4))
}

// SeatStatus is the state of one notified expert.
type SeatStatus string

// Seat statuses.
const (
	SeatPending   SeatStatus = "pending"
	SeatAccepted  SeatStatus = "accepted"
	SeatDeclined  SeatStatus = "declined"
	SeatNoAnswer  SeatStatus = "no-answer"
	SeatWithdrawn SeatStatus = "withdrawn" // a no-show (Art. 8(2))
	SeatRefused   SeatStatus = "cap-refused"
)

// Seat is one notified expert and what became of the notice.
type Seat struct {
	Pick
	Status          SeatStatus `json:"status"`
	NotifiedAt      time.Time  `json:"notified_at"`
	Deadline        time.Time  `json:"deadline"`
	RespondedAt     time.Time  `json:"responded_at,omitzero"`
	Reason          string     `json:"reason,omitempty"`
	UnfamiliarField bool       `json:"unfamiliar_field,omitempty"`
	Pledge          string     `json:"pledge,omitempty"`
	codeHash        string
}

// Notice is a notification to send to one expert. Its Text names only the addressee (masked),
// the activity date, the deadline and the reply code: no project name or ID, no applicant,
// no other expert (Art. 14(2), 17).
type Notice struct {
	ExpertID string    `json:"expert_id"`
	Code     string    `json:"code"` // one-time reply code, only here; the campaign keeps its SHA-256
	Deadline time.Time `json:"deadline"`
	Text     string    `json:"text"`
}

// Campaign runs the notification of a drawn panel (Art. 14(2)): notices with a deadline and
// a one-time reply code, acceptances with the pledge, declines, missed deadlines and
// withdrawals; each vacancy is filled from the continuing sequence under the same structure
// (the first candidate in round order who was never notified and with whom the panel can still
// be completed), until Size experts have accepted. It is deterministic given its events:
// Replay rebuilds it exactly. A Campaign is not safe for concurrent use.
type Campaign struct {
	b       *base
	w       *walk
	res     *Result
	window  time.Duration
	experts map[string]*admission.Expert
	initial []Pick
	events  []Event
	seats   []Seat
	seatOf  map[string]int
}

// DefaultReplyWindow is the reply deadline after a notice when none is given.
const DefaultReplyWindow = 24 * time.Hour

// NewCampaign draws the panel (as Draw) and returns a campaign over it, not yet started.
// window is the time an expert has to reply (0 = DefaultReplyWindow).
func NewCampaign(p *Prepared, pool Pool, e Entropy, window time.Duration) (*Campaign, error) {
	if e.empty() {
		return nil, ErrNoEntropy
	}
	if err := p.CheckWindow(); err != nil {
		return nil, err
	}
	b, err := p.newBase(pool)
	if err != nil {
		return nil, err
	}
	res, err := b.draw(e)
	if err != nil {
		return nil, err
	}
	if window <= 0 {
		window = DefaultReplyWindow
	}
	c := &Campaign{b: b, w: b.newWalk(res.Key), res: res, window: window, initial: res.Panel,
		experts: map[string]*admission.Expert{}, seatOf: map[string]int{}}
	if err := c.w.fill(); err != nil {
		return nil, err
	}
	for i, id := range b.ids {
		c.experts[id] = b.experts[i]
	}
	for _, m := range b.fixed {
		c.experts[m.pick.ExpertID] = m.expert
	}
	return c, nil
}

// Result returns the draw the campaign started from.
func (c *Campaign) Result() *Result { return c.res }

// Events returns the campaign's events so far.
func (c *Campaign) Events() []Event { return append([]Event(nil), c.events...) }

// Seats returns every notified expert in notification order.
func (c *Campaign) Seats() []Seat { return append([]Seat(nil), c.seats...) }

// Panel returns the experts currently holding a seat (accepted or awaiting a reply).
func (c *Campaign) Panel() []Seat {
	var out []Seat
	for _, s := range c.seats {
		if s.Status == SeatPending || s.Status == SeatAccepted {
			out = append(out, s)
		}
	}
	return out
}

// Complete reports whether Size experts have accepted.
func (c *Campaign) Complete() bool {
	n := 0
	for _, s := range c.seats {
		if s.Status == SeatAccepted {
			n++
		}
	}
	return n == c.b.st.size
}

// Start notifies the panel of the draw. Codes are read from rand (the caller passes
// crypto/rand.Reader).
func (c *Campaign) Start(at time.Time, rand io.Reader) ([]Notice, error) {
	if len(c.events) > 0 {
		return nil, refuse(ErrInvalidRequest, "", "Art. 14(2)", "started", "本次抽取已发出通知", "campaign already started")
	}
	var notices []Notice
	for _, pk := range c.initial {
		n, err := c.notify(pk, false, at, rand)
		if err != nil {
			return notices, err
		}
		notices = append(notices, n)
	}
	return notices, nil
}

// ReplyCodeDigits is the length of a reply code.
const ReplyCodeDigits = 8

func replyCode(rand io.Reader) (string, error) {
	const limit = 4_200_000_000 // a multiple of 10^8 below 2^32: uniform codes by rejection
	var buf [4]byte
	for {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return "", fmt.Errorf("selection: reading reply code: %w", err)
		}
		if v := binary.BigEndian.Uint32(buf[:]); v < limit {
			return fmt.Sprintf("%0*d", ReplyCodeDigits, v%100_000_000), nil
		}
	}
}

func hashCode(code string) string {
	s := sha256.Sum256([]byte(code))
	return hex.EncodeToString(s[:])
}

func (c *Campaign) notify(pk Pick, refill bool, at time.Time, rand io.Reader) (Notice, error) {
	code, err := replyCode(rand)
	if err != nil {
		return Notice{}, err
	}
	ev := Event{Kind: EventNotified, ExpertID: pk.ExpertID, Round: pk.Round, Refill: refill, At: at,
		Deadline: at.Add(c.window), CodeHash: hashCode(code)}
	c.record(ev)
	return Notice{ExpertID: pk.ExpertID, Code: code, Deadline: ev.Deadline, Text: c.noticeText(pk.ExpertID, code, ev.Deadline)}, nil
}

func (c *Campaign) noticeText(id, code string, deadline time.Time) string {
	name := "专家"
	if e := c.experts[id]; e != nil && e.Name != "" {
		name = maskName(e.Name) + "专家"
	}
	return fmt.Sprintf("【温州市科技专家库】%s：您好！您被抽取参加一项科技评审（咨询）活动，活动日期 %s。请于 %s 前回复是否参加，回复码 %s。接受邀请须签署承诺书；如不熟悉相关专业领域可拒绝。请对本通知内容保密。",
		name, c.b.p.req.At.In(cstZone).Format("2006-01-02"), deadline.In(cstZone).Format("2006-01-02 15:04"), code)
}

// compoundSurnames are two-character surnames kept when masking a name.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里"}

// maskName keeps the surname and masks the rest: 张三 → 张*, 欧阳娜娜 → 欧阳**.
func maskName(name string) string {
	keep := 1
	for _, s := range compoundSurnames {
		if strings.HasPrefix(name, s) && utf8.RuneCountInString(name) > 2 {
			keep = 2
		}
	}
	r := []rune(name)
	if len(r) <= keep {
		return string(r[:1]) + "*"
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-keep)
}

// record appends ev and updates the seats; the walk is already up to date.
func (c *Campaign) record(ev Event) {
	c.events = append(c.events, ev)
	switch ev.Kind {
	case EventNotified:
		pk := Pick{ExpertID: ev.ExpertID, Round: ev.Round}
		for _, ip := range c.initial {
			if ip.ExpertID == ev.ExpertID && !ev.Refill {
				pk = ip
			}
		}
		c.seatOf[ev.ExpertID] = len(c.seats)
		c.seats = append(c.seats, Seat{Pick: pk, Status: SeatPending, NotifiedAt: ev.At, Deadline: ev.Deadline, codeHash: ev.CodeHash})
	default:
		s := &c.seats[c.seatOf[ev.ExpertID]]
		s.RespondedAt = ev.At
		switch ev.Kind {
		case EventAccepted:
			s.Status, s.Pledge = SeatAccepted, ev.Pledge
		case EventDeclined:
			s.Status, s.Reason, s.UnfamiliarField = SeatDeclined, ev.Reason, ev.UnfamiliarField
		case EventNoAnswer:
			s.Status = SeatNoAnswer
		case EventWithdrawn:
			s.Status, s.Reason = SeatWithdrawn, ev.Reason
		case EventRefused:
			s.Status, s.Reason = SeatRefused, ev.Reason
		case EventReissued:
			s.codeHash, s.RespondedAt = ev.CodeHash, time.Time{}
		}
	}
}

// seat returns the expert's seat when it has the wanted status.
func (c *Campaign) seat(id string, want SeatStatus) (*Seat, error) {
	i, ok := c.seatOf[id]
	if !ok {
		return nil, refuse(ErrInvalidRequest, id, "Art. 14(2)", "not-notified", "该专家未收到本次抽取的通知", "expert was not notified in this campaign")
	}
	s := &c.seats[i]
	if s.Status != want {
		return nil, refuse(ErrInvalidRequest, id, "Art. 14(2)", "seat-status", fmt.Sprintf("该专家的状态为 %q，不能进行此操作", s.Status), "seat is "+string(s.Status))
	}
	return s, nil
}

// ErrReplyCode is returned when a reply code does not match the notice.
var ErrReplyCode = errors.New("selection: wrong reply code")

func (c *Campaign) checkReply(id, code string, at time.Time) (*Seat, error) {
	s, err := c.seat(id, SeatPending)
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256([]byte(code))
	want, _ := hex.DecodeString(s.codeHash)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return nil, fmt.Errorf("%w (expert %s)", ErrReplyCode, id)
	}
	if at.After(s.Deadline) {
		return nil, refuse(ErrInvalidRequest, id, "Art. 14(2)", "late", "已超过回复期限，视为未回复", "reply after the deadline")
	}
	return s, nil
}

// Reissue gives the pending notice of expert id a fresh reply code, for a notice that was
// not delivered or must be sent again; the old code stops answering it. The deadline is
// unchanged.
func (c *Campaign) Reissue(id string, at time.Time, rand io.Reader) (Notice, error) {
	s, err := c.seat(id, SeatPending)
	if err != nil {
		return Notice{}, err
	}
	code, err := replyCode(rand)
	if err != nil {
		return Notice{}, err
	}
	c.record(Event{Kind: EventReissued, ExpertID: id, Round: s.Round, At: at, CodeHash: hashCode(code)})
	return Notice{ExpertID: id, Code: code, Deadline: s.Deadline, Text: c.noticeText(id, code, s.Deadline)}, nil
}

// vacate frees the seat of a notified expert.
func (c *Campaign) vacate(s *Seat) {
	if s.Round >= 0 {
		c.w.vacate(s.Round)
	} else {
		c.w.vacateFixed(s.ExpertID)
	}
}

// refill notifies candidates from the continuing sequence until every seat is taken.
func (c *Campaign) refill(at time.Time, rand io.Reader) ([]Notice, error) {
	var out []Notice
	for c.w.s.members < c.b.st.size {
		r, err := c.w.fillOne()
		if err != nil {
			return out, err
		}
		n, err := c.notify(c.w.pick(r), true, at, rand)
		if err != nil {
			return out, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Accept records the acceptance of a notified expert with the reference of the signed pledge
// (Art. 8(4)), after reserving a participation in ledger for the activity's year. A refused
// reservation (the expert reached the cap meanwhile) turns the seat into a vacancy, which is
// refilled; the notices of the refill are returned.
func (c *Campaign) Accept(ctx context.Context, l Ledger, id, code, pledge string, at time.Time, rand io.Reader) ([]Notice, error) {
	s, err := c.checkReply(id, code, at)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(pledge) == "" {
		return nil, refuse(ErrInvalidRequest, id, "Art. 8(4)", "pledge", "接受邀请须签署承诺书", "acceptance without a signed pledge")
	}
	err = l.Reserve(ctx, id, CapYear(c.b.p.req.At), c.b.p.req.ID, c.b.p.rules.AnnualCap)
	if errors.Is(err, ErrCapReached) {
		c.vacate(s)
		c.record(Event{Kind: EventRefused, ExpertID: id, Round: s.Round, At: at, Reason: "本年度参与次数已达上限"})
		return c.refill(at, rand)
	}
	if err != nil {
		return nil, fmt.Errorf("selection: reserving capacity for %s: %w", id, err)
	}
	c.record(Event{Kind: EventAccepted, ExpertID: id, Round: s.Round, At: at, Pledge: pledge})
	return nil, nil
}

// Decline records a decline with its reason; unfamiliar marks the right of Art. 7(4) to refuse
// an unfamiliar field. The vacancy is refilled.
func (c *Campaign) Decline(id, code, reason string, unfamiliar bool, at time.Time, rand io.Reader) ([]Notice, error) {
	s, err := c.checkReply(id, code, at)
	if err != nil {
		return nil, err
	}
	c.vacate(s)
	c.record(Event{Kind: EventDeclined, ExpertID: id, Round: s.Round, At: at, Reason: reason, UnfamiliarField: unfamiliar})
	return c.refill(at, rand)
}

// Expire records no answer for every pending notice whose deadline is before at, and refills.
func (c *Campaign) Expire(at time.Time, rand io.Reader) ([]Notice, error) {
	var expired []string
	for _, s := range c.seats {
		if s.Status == SeatPending && s.Deadline.Before(at) {
			expired = append(expired, s.ExpertID)
		}
	}
	for _, id := range expired {
		s := &c.seats[c.seatOf[id]]
		c.vacate(s)
		c.record(Event{Kind: EventNoAnswer, ExpertID: id, Round: s.Round, At: at})
	}
	if len(expired) == 0 {
		return nil, nil
	}
	return c.refill(at, rand)
}

// Withdraw records the withdrawal of an expert who had accepted (a no-show, Art. 8(2)),
// releases the reservation in ledger and refills the seat.
func (c *Campaign) Withdraw(ctx context.Context, l Ledger, id, reason string, at time.Time, rand io.Reader) ([]Notice, error) {
	s, err := c.seat(id, SeatAccepted)
	if err != nil {
		return nil, err
	}
	if err := l.Release(ctx, id, CapYear(c.b.p.req.At), c.b.p.req.ID); err != nil {
		return nil, fmt.Errorf("selection: releasing capacity for %s: %w", id, err)
	}
	c.vacate(s)
	c.record(Event{Kind: EventWithdrawn, ExpertID: id, Round: s.Round, At: at, Reason: reason})
	return c.refill(at, rand)
}

// ErrReplay is returned when an event log does not fit the campaign (tampered, reordered or
// from another draw).
var ErrReplay = errors.New("selection: event log does not match the campaign")

// Replay applies events to a campaign that has none yet, rebuilding exactly the state that
// produced them. Every refill notice is checked against the sequence.
func (c *Campaign) Replay(events []Event) error {
	if len(c.events) > 0 {
		return fmt.Errorf("%w: campaign already has events", ErrReplay)
	}
	next := 0
	for i, ev := range events {
		fail := func(msg string) error {
			return fmt.Errorf("%w: event %d (%s %s): %s", ErrReplay, i, ev.Kind, ev.ExpertID, msg)
		}
		switch ev.Kind {
		case EventNotified:
			if !ev.Refill {
				if next >= len(c.initial) || c.initial[next].ExpertID != ev.ExpertID || c.initial[next].Round != ev.Round {
					return fail("not the next pick of the draw")
				}
				next++
				break
			}
			if next < len(c.initial) {
				return fail("refill before every pick was notified")
			}
			if c.w.s.members >= c.b.st.size {
				return fail("refill without a vacancy")
			}
			r, err := c.w.fillOne()
			if err != nil {
				return fail(err.Error())
			}
			if pk := c.w.pick(r); pk.ExpertID != ev.ExpertID || r != ev.Round {
				return fail("the sequence fills this vacancy with another candidate")
			}
		case EventAccepted, EventReissued:
			if _, err := c.seat(ev.ExpertID, SeatPending); err != nil {
				return fail(err.Error())
			}
		case EventDeclined, EventNoAnswer, EventRefused:
			s, err := c.seat(ev.ExpertID, SeatPending)
			if err != nil {
				return fail(err.Error())
			}
			c.vacate(s)
		case EventWithdrawn:
			s, err := c.seat(ev.ExpertID, SeatAccepted)
			if err != nil {
				return fail(err.Error())
			}
			c.vacate(s)
		default:
			return fail("unknown event kind")
		}
		c.record(ev)
	}
	return nil
}

// ErrCapReached is returned by a Ledger when a reservation would exceed the annual cap.
var ErrCapReached = errors.New("selection: annual cap reached")

// Ledger reserves participations per expert and calendar year (Art. 14(1)) atomically, so
// that concurrent campaigns never push an expert past the cap. Reserve is idempotent per
// activity; it returns an error wrapping ErrCapReached when the expert already has cap
// participations in year (cap 0 = no cap). Release undoes a reservation (withdrawal).
type Ledger interface {
	Reserve(ctx context.Context, expertID string, year int, activityID string, cap int) error
	Release(ctx context.Context, expertID string, year int, activityID string) error
}

var _ Ledger = (*MemoryLedger)(nil)

// MemoryLedger is an in-memory Ledger, safe for concurrent use.
type MemoryLedger struct {
	mu   sync.Mutex
	base map[ledgerKey]int
	acts map[ledgerKey]map[string]bool
}

type ledgerKey struct {
	id   string
	year int
}

// NewMemoryLedger returns an empty ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{base: map[ledgerKey]int{}, acts: map[ledgerKey]map[string]bool{}}
}

// Preload records participations of year not made through this ledger (e.g. Pool.Usage).
func (l *MemoryLedger) Preload(year int, usage map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, n := range usage {
		l.base[ledgerKey{id, year}] += n
	}
}

// Count returns the participations of the expert in year.
func (l *MemoryLedger) Count(expertID string, year int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := ledgerKey{expertID, year}
	return l.base[k] + len(l.acts[k])
}

// Reserve implements Ledger.
func (l *MemoryLedger) Reserve(ctx context.Context, expertID string, year int, activityID string, cap int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := ledgerKey{expertID, year}
	if l.acts[k][activityID] {
		return nil
	}
	if cap > 0 && l.base[k]+len(l.acts[k]) >= cap {
		return fmt.Errorf("%w: expert %s has %d participations in %d", ErrCapReached, expertID, l.base[k]+len(l.acts[k]), year)
	}
	if l.acts[k] == nil {
		l.acts[k] = map[string]bool{}
	}
	l.acts[k][activityID] = true
	return nil
}

// Release implements Ledger.
func (l *MemoryLedger) Release(ctx context.Context, expertID string, year int, activityID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.acts[ledgerKey{expertID, year}], activityID)
	return nil
}
