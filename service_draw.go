package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// DrawRequest is what a using unit submits to draw a panel (Art. 13, 14).
type DrawRequest struct {
	selection.Request
	// Unit is the using unit (使用单位) the panel is drawn for; it must be the actor's unit.
	Unit string
	// Labels mark the request for the county's request rules (Policy.RequestRules), e.g. "key".
	Labels []string
	// Relations are the known relations between experts and project members (Art. 15(2)).
	Relations []conflict.Relation
	// Entropy is the public randomness announced before the draw; nil = 256 bits from the
	// Service's random source, recorded as one source.
	Entropy *selection.Entropy
	// Window is how long a notified expert has to reply (0 = selection.DefaultReplyWindow).
	Window time.Duration
}

// DrawRecord is everything needed to replay a draw and rebuild its campaign, as the
// Service stores it (stream "draw/<request ID>" of the EventStore) and as its audit event
// summarises it. It is written once: a request is drawn at most once (no re-rolls).
type DrawRecord struct {
	Version    string            `json:"version"` // "expertdb-draw-record-v1"
	Request    selection.Request `json:"request"` // after the county's request rules were applied
	Unit       string            `json:"unit"`
	Labels     []string          `json:"labels,omitempty"`
	Policy     string            `json:"policy,omitempty"` // name of the county policy applied (replay needs the same rules)
	Filing     string            `json:"filing,omitempty"` // its filing reference
	Entropy    selection.Entropy `json:"entropy"`
	Window     time.Duration     `json:"window"`
	Pool       selection.Pool    `json:"pool"` // the candidates and preferential picks, with their usage, summaries and relations
	Result     *selection.Result `json:"result"`
	DrawnAt    time.Time         `json:"drawn_at"`
	DrawnBy    audit.Actor       `json:"drawn_by"`
	AuditIndex int64             `json:"audit_index"` // index of the draw event in the audit log

	// Profiles reference the profile versions of Pool's experts (stored once each, see
	// ProfileStore); the stored record keeps these instead of Pool.Experts (ResolveProfiles).
	Profiles []ProfileRef `json:"profiles,omitempty"`
}

const drawRecordVersion = "expertdb-draw-record-v1"

func drawStream(id string) string     { return "draw/" + id }
func campaignStream(id string) string { return "campaign/" + id }

// ErrAlreadyDrawn is wrapped when a request that was drawn before is drawn again. The
// Measures allow redraws only from the continuing sequence (Art. 14(2)), never a new roll.
var ErrAlreadyDrawn = errors.New("expertdb: request already drawn")

// UsageReader is the optional capability of a selection.Ledger that can report the
// participations of every expert in a year; the Service fills Pool.Usage from it.
type UsageReader interface {
	Usage(ctx context.Context, year int) (map[string]int, error)
}

var _ UsageReader = (*selection.MemoryLedger)(nil)

// Draw draws a panel for req (Art. 13, 14): it checks the actor may draw for req.Unit (and
// invite, when req invites experts), applies the county's request rules, loads the pool
// (active experts, this year's usage, last year's rating summaries), draws, and records the
// draw in the audit log before anything is returned — also when the draw fails, so that a
// discarded draw is still visible. A request can be drawn only once.
func (s *Service) Draw(ctx context.Context, actor audit.Actor, req DrawRequest) (*DrawRecord, error) {
	const op = "draw"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindRequest, ID: req.ID, Unit: req.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionDraw, res); err != nil {
		return nil, err
	}
	if len(req.Invited) > 0 {
		if err := s.authorize(ctx, op, now, actor, audit.ActionInvite, res); err != nil {
			return nil, err
		}
	}
	if req.Unit != actor.Unit {
		// 谁使用、谁负责 (Art. 21): a panel is drawn by the using unit itself, even by a city
		// administrator, and the refusal is recorded like every other denial (Art. 18).
		return nil, s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 13, 21", Code: "other-unit",
			Message: "只能为本单位（" + actor.Unit + "）的活动抽取专家", Actor: actor, Action: audit.ActionDraw, Resource: res})
	}
	if prior, err := s.events.Events(ctx, drawStream(req.ID)); err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	} else if len(prior) > 0 {
		err := fmt.Errorf("%w: 抽取申请 %s 已经抽取，补抽只能从原抽取序列递补 (Art. 14(2))", ErrAlreadyDrawn, req.ID)
		if _, aerr := s.record(ctx, now, actor, audit.ActionDraw, map[string]any{"kind": "request", "outcome": "refused-redraw"}, req.ID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	req.DrawnAt = now
	applied, err := s.policy.Apply(req.Request, req.Labels...)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	pool, digests, err := s.loadPool(ctx, applied, req.Relations)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	entropy := req.Entropy
	if entropy == nil {
		e, err := selection.RandomEntropy(s.random)
		if err != nil {
			return nil, &OpError{Op: op, Step: StepValidate, Err: err}
		}
		entropy = &e
	}
	prepared, err := selection.Prepare(applied, s.policy.Selection)
	var result *selection.Result
	if err == nil {
		result, err = prepared.Draw(pool, *entropy)
	}
	rec := &DrawRecord{Version: drawRecordVersion, Request: applied, Unit: req.Unit, Labels: req.Labels,
		Policy: s.policy.Name, Filing: s.policy.Filing,
		Entropy: *entropy, Window: req.Window, Result: result, DrawnAt: now, DrawnBy: actor}
	// The draw is recorded first, whatever its outcome.
	idx, aerr := s.record(ctx, now, actor, audit.ActionDraw, drawSummary(rec, err), drawSubjects(req.ID, result)...)
	if aerr != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: errors.Join(aerr, err)}
	}
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	rec.AuditIndex = idx
	rec.Pool = snapshot(pool, result)
	if rec.Profiles, err = s.storeProfiles(ctx, rec.Pool, pool.Experts, digests); err != nil {
		return nil, &OpError{Op: op, Step: StepPersist, Err: err}
	}
	raw, err := json.Marshal(storedRecord(rec))
	if err != nil {
		return nil, &OpError{Op: op, Step: StepPersist, Err: err}
	}
	if err := s.events.AppendEvent(ctx, drawStream(req.ID), 0, raw); err != nil {
		if errors.Is(err, ErrConflict) {
			err = fmt.Errorf("%w: %w", ErrAlreadyDrawn, err)
		}
		return nil, &OpError{Op: op, Step: StepPersist, Err: err}
	}
	return rec, nil
}

// drawSummary is the audit data of a draw: what a third party needs to replay it.
func drawSummary(rec *DrawRecord, err error) map[string]any {
	d := map[string]any{
		"kind": "request", "unit": rec.Unit, "size": rec.Request.Size, "entropy": rec.Entropy.Key(),
		"algorithm": drawRecordVersion, "policy": rec.Policy, "filing": rec.Filing,
	}
	if len(rec.Labels) > 0 {
		d["labels"] = rec.Labels
	}
	if r := rec.Result; r != nil {
		d["outcome"] = "drawn"
		d["mode"] = r.Mode.String()
		d["request_digest"] = r.RequestDigest
		d["pool_digest"] = r.PoolDigest
		d["candidates"] = r.Candidates
		d["excluded"] = len(r.Excluded)
		d["key"] = r.Key
		d["reserve"] = pickIDs(r.Reserve)
	}
	if err != nil {
		d["outcome"] = "failed"
		var se *selection.Error
		if errors.As(err, &se) {
			d["error"] = map[string]any{"code": se.Code, "article": se.Article, "message": se.Message}
		} else {
			d["error"] = err.Error()
		}
	}
	return d
}

// drawSubjects lists the request ID first, then the panel (the audit convention).
func drawSubjects(id string, r *selection.Result) []string {
	out := []string{id}
	if r != nil {
		out = append(out, pickIDs(r.Panel)...)
	}
	return out
}

func pickIDs(ps []selection.Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ExpertID
	}
	return out
}

// loadPool reads the experts, this year's usage, last year's summaries and the accepted
// seats (bookings and history): from the experts store's snapshot when it has one (shared
// and read-only; digests are the stored profile versions), else store by store.
func (s *Service) loadPool(ctx context.Context, req selection.Request, relations []conflict.Relation) (selection.Pool, []string, error) {
	year := selection.CapYear(req.At)
	if pool, digests, ok, err := s.loadSnapshot(ctx, year); err != nil || ok {
		pool.Relations = relations
		return pool, digests, err
	}
	pool, err := s.loadPoolStores(ctx, year, relations)
	return pool, nil, err
}

func (s *Service) loadPoolStores(ctx context.Context, year int, relations []conflict.Relation) (selection.Pool, error) {
	experts, err := s.experts.List(ctx)
	if err != nil {
		return selection.Pool{}, err
	}
	pool := selection.Pool{Experts: experts, Relations: relations}
	if u, ok := s.ledger.(UsageReader); ok {
		if pool.Usage, err = u.Usage(ctx, year); err != nil {
			return selection.Pool{}, err
		}
	}
	last, err := s.ratings.ByYear(ctx, year-1)
	if err != nil {
		return selection.Pool{}, err
	}
	pool.Last = evaluation.Summarize(last, year-1)
	if pool.Bookings, pool.History, err = s.loadSeats(ctx); err != nil {
		return selection.Pool{}, err
	}
	return pool, nil
}

// snapshot keeps the part of the pool a campaign needs to rebuild the draw: every expert
// who was a candidate or sits on the panel, with their usage and summaries, and the
// relations. Screening is per expert, so drawing again from the snapshot gives the same
// candidates, pool digest, panel and sequence.
func snapshot(pool selection.Pool, r *selection.Result) selection.Pool {
	excluded := make(map[string]bool, len(r.Excluded))
	for _, x := range r.Excluded {
		if x.Code != "on-panel" {
			excluded[x.ExpertID] = true
		}
	}
	out := selection.Pool{Usage: map[string]int{}, Last: map[string]evaluation.Summary{}, Relations: pool.Relations,
		Bookings: map[string][]selection.Booking{}, History: map[string][]selection.Participation{}}
	for _, e := range pool.Experts {
		if excluded[e.ID] {
			continue
		}
		out.Experts = append(out.Experts, e)
		if n, ok := pool.Usage[e.ID]; ok {
			out.Usage[e.ID] = n
		}
		if sm, ok := pool.Last[e.ID]; ok {
			out.Last[e.ID] = sm
		}
		if b, ok := pool.Bookings[e.ID]; ok {
			out.Bookings[e.ID] = b
		}
		if h, ok := pool.History[e.ID]; ok {
			out.History[e.ID] = h
		}
	}
	return out
}

// viewRequest authorises actor to view the request of rec, records the viewing, and reports
// whether the panel is sealed for actor now.
func (s *Service) viewRequest(ctx context.Context, op string, actor audit.Actor, rec *DrawRecord) (bool, error) {
	now := s.clock()
	id := rec.Request.ID
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: audit.KindRequest, ID: id, Unit: rec.Unit}); err != nil {
		return false, err
	}
	sealed, err := s.sealedFor(ctx, rec, actor, now)
	if err != nil {
		return false, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "request", "sealed": sealed}, id); err != nil {
		return false, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return sealed, nil
}

// DrawRecord returns the stored record of a drawn request.
func (s *Service) DrawRecord(ctx context.Context, actor audit.Actor, requestID string) (*DrawRecord, error) {
	const op = "draw record"
	rec, err := s.loadDraw(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	sealed, err := s.viewRequest(ctx, op, actor, rec)
	if err != nil {
		return nil, err
	}
	if sealed {
		return sealDraw(rec), nil
	}
	return rec, nil
}

func (s *Service) loadDraw(ctx context.Context, requestID string) (*DrawRecord, error) {
	evs, err := s.events.Events(ctx, drawStream(requestID))
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%w: draw of request %q", ErrNotFound, requestID)
	}
	var rec DrawRecord
	if err := json.Unmarshal(evs[0], &rec); err != nil {
		return nil, fmt.Errorf("expertdb: decode draw record %q: %w", requestID, err)
	}
	if rec.Version != drawRecordVersion {
		return nil, fmt.Errorf("expertdb: draw record %q has version %q", requestID, rec.Version)
	}
	if err := ResolveProfiles(ctx, &rec, s.profiles()); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Response is an expert's reply to a notice (Art. 14(2)).
type Response struct {
	ExpertID        string
	Code            string // the one-time reply code from the notice
	Accept          bool
	Pledge          string // reference of the signed pledge, required to accept (Art. 8(4))
	Reason          string // why the expert declines
	UnfamiliarField bool   // declined because the field is unfamiliar (Art. 7(4))
}

// Notifier sends a notice to an expert by SMS, phone or platform message (Art. 14(2)).
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Notification is one notice to send. Text is the message (it contains the one-time reply
// code); Code and MaskedName are given separately for gateways with their own templates. A
// Notifier sends the code to the expert only and never logs it. Mobile is the expert's number;
// the audit event keeps it masked.
type Notification struct {
	RequestID  string
	ExpertID   string
	MaskedName string // the addressee's name, masked (张*), as the text uses it
	Mobile     string
	Deadline   time.Time
	Code       string // the one-time reply code
	Text       string
}

// RecordingNotifier keeps every notification in memory instead of sending it (tests,
// demonstrations). It is safe for concurrent use.
type RecordingNotifier struct {
	mu   sync.Mutex
	sent []Notification
}

var _ Notifier = (*RecordingNotifier)(nil)

// Notify records n.
func (r *RecordingNotifier) Notify(_ context.Context, n Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

// Sent returns the notifications recorded so far, in order.
func (r *RecordingNotifier) Sent() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// campaignLock serialises the operations on one campaign within this process.
func (s *Service) campaignLock(id string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.campaigns[id]
	if !ok {
		m = &sync.Mutex{}
		s.campaigns[id] = m
	}
	return m
}

// loadCampaign rebuilds a campaign from its draw record and stored events.
func (s *Service) loadCampaign(ctx context.Context, requestID string) (*DrawRecord, *selection.Campaign, int, error) {
	rec, err := s.loadDraw(ctx, requestID)
	if err != nil {
		return nil, nil, 0, err
	}
	prepared, err := selection.Prepare(rec.Request, s.policy.Selection)
	if err != nil {
		return nil, nil, 0, err
	}
	c, err := selection.NewCampaign(prepared, rec.Pool, rec.Entropy, rec.Window)
	if err != nil {
		return nil, nil, 0, err
	}
	if c.Result().PoolDigest != rec.Result.PoolDigest {
		return nil, nil, 0, fmt.Errorf("expertdb: campaign %q: pool digest %s differs from the draw's %s (policy changed?)",
			requestID, c.Result().PoolDigest, rec.Result.PoolDigest)
	}
	raw, err := s.events.Events(ctx, campaignStream(requestID))
	if err != nil {
		return nil, nil, 0, err
	}
	evs := make([]selection.Event, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &evs[i]); err != nil {
			return nil, nil, 0, fmt.Errorf("expertdb: campaign %q event %d: %w", requestID, i, err)
		}
	}
	if len(evs) > 0 {
		if err := c.Replay(evs); err != nil {
			return nil, nil, 0, err
		}
	}
	return rec, c, len(evs), nil
}

// campaignStep loads a campaign, applies step, stores the new events conditionally, sends
// the resulting notices and records the audit event. A conflicting writer in another process
// makes it reload and try again.
func (s *Service) campaignStep(ctx context.Context, op string, actor audit.Actor, requestID string, action audit.Action,
	res func(rec *DrawRecord) audit.Resource,
	step func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error),
	undo func(rec *DrawRecord)) (*CampaignView, error) {
	return s.campaignStepAfter(ctx, op, actor, requestID, action, res, step, undo, nil)
}

// campaignStepAfter is campaignStep with a hook run after the events are stored.
func (s *Service) campaignStepAfter(ctx context.Context, op string, actor audit.Actor, requestID string, action audit.Action,
	res func(rec *DrawRecord) audit.Resource,
	step func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error),
	undo func(rec *DrawRecord), after func(rec *DrawRecord, c *selection.Campaign) error) (*CampaignView, error) {
	lock := s.campaignLock(requestID)
	lock.Lock()
	defer lock.Unlock()
	for attempt := 0; ; attempt++ {
		now := s.clock()
		rec, c, have, err := s.loadCampaign(ctx, requestID)
		if err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		if err := s.authorize(ctx, op, now, actor, action, res(rec)); err != nil {
			return nil, err
		}
		notices, data, subjects, err := step(rec, c, now)
		if err == nil {
			notices, err = s.skipBooked(ctx, rec, c, notices, now)
		}
		if err != nil {
			return nil, &OpError{Op: op, Step: StepValidate, Err: err}
		}
		evs := c.Events()
		conflicted := false
		for i := have; i < len(evs); i++ {
			raw, err := json.Marshal(evs[i])
			if err != nil {
				return nil, &OpError{Op: op, Step: StepPersist, Err: err}
			}
			if err := s.events.AppendEvent(ctx, campaignStream(requestID), int64(i), raw); err != nil {
				if errors.Is(err, ErrConflict) && i == have && attempt < 3 {
					conflicted = true
					break
				}
				if undo != nil && i == have {
					undo(rec)
				}
				return nil, &OpError{Op: op, Step: StepPersist, Err: err}
			}
		}
		if conflicted {
			continue
		}
		if after != nil {
			if err := after(rec, c); err != nil {
				return nil, &OpError{Op: op, Step: StepPersist, Err: err}
			}
		}
		if _, err := s.record(ctx, now, actor, action, data, append([]string{requestID}, subjects...)...); err != nil {
			return nil, &OpError{Op: op, Step: StepAudit, Err: err}
		}
		if err := s.send(ctx, actor, rec, notices, now); err != nil {
			return nil, &OpError{Op: op, Step: StepNotify, Err: err}
		}
		return s.viewFor(ctx, rec, c, actor, now)
	}
}

// skipBooked withdraws, before they are sent, the notices of experts who can no longer
// attend (Art. 8(2)): they have meanwhile accepted a seat on another activity at an
// overlapping time, or declared themselves unavailable for it. The draw checked both as they
// stood then; refills come later. Each such notice is declined on the expert's behalf with
// the reason recorded (a campaign event like any other, so replay is unchanged) and refilled
// from the continuing sequence.
func (s *Service) skipBooked(ctx context.Context, rec *DrawRecord, c *selection.Campaign, notices []selection.Notice, now time.Time) ([]selection.Notice, error) {
	rules := s.policy.Selection
	if len(notices) == 0 || rules.IgnoreBookings && rules.IgnoreUnavailable {
		return notices, nil
	}
	bookings, _, err := s.loadSeats(ctx)
	if err != nil {
		return nil, err
	}
	span := rec.Request.Span()
	reason := func(id string) (string, error) {
		if !rules.IgnoreBookings {
			for _, b := range bookings[id] {
				if b.ActivityID != rec.Request.ID && b.Span().Overlaps(span) {
					return bookedReason, nil
				}
			}
		}
		if !rules.IgnoreUnavailable {
			e, err := s.experts.Get(ctx, id)
			if errors.Is(err, ErrNotFound) {
				return "", nil // an invited expert from outside the database
			}
			if err != nil {
				return "", err
			}
			for _, u := range e.Unavailable {
				if (selection.Span{From: u.From, To: u.To}).Overlaps(span) {
					return unavailableReason, nil
				}
			}
		}
		return "", nil
	}
	var out []selection.Notice
	for len(notices) > 0 {
		n := notices[0]
		notices = notices[1:]
		why, err := reason(n.ExpertID)
		if err != nil {
			return nil, err
		}
		if why == "" {
			out = append(out, n)
			continue
		}
		more, err := c.Decline(n.ExpertID, n.Code, why, false, now, s.random)
		if err != nil {
			return nil, err
		}
		notices = append(notices, more...)
	}
	return out, nil
}

// Reasons recorded when a notice is withdrawn before it is sent (Art. 8(2)).
const (
	bookedReason      = "该时段已接受其他活动邀请，系统自动递补（第八条第二项）"
	unavailableReason = "专家已申报该时段不能参加活动，系统自动递补（第八条第二项）"
)

// send delivers notices and records each as a notify event with the mobile masked.
func (s *Service) send(ctx context.Context, actor audit.Actor, rec *DrawRecord, notices []selection.Notice, now time.Time) error {
	for _, n := range notices {
		mobile, name := s.contactOf(ctx, rec, n.ExpertID)
		if err := s.notifier.Notify(ctx, Notification{RequestID: rec.Request.ID, ExpertID: n.ExpertID, MaskedName: audit.MaskName(name),
			Mobile: mobile, Deadline: n.Deadline, Code: n.Code, Text: n.Text}); err != nil {
			return fmt.Errorf("notify %s: %w", n.ExpertID, err)
		}
		if _, err := s.record(ctx, now, actor, audit.ActionNotify, map[string]any{"kind": "request", "channel": "sms",
			"mobile": audit.MaskMobile(mobile), "deadline": n.Deadline.UTC().Format(time.RFC3339)}, rec.Request.ID, n.ExpertID); err != nil {
			return err
		}
	}
	return nil
}

// contactOf returns the mobile and name of a notified expert (invited or in the database).
func (s *Service) contactOf(ctx context.Context, rec *DrawRecord, id string) (mobile, name string) {
	for _, inv := range rec.Request.Invited {
		if inv.Expert.ID == id {
			return inv.Expert.Mobile, inv.Expert.Name
		}
	}
	if e, err := s.experts.Get(ctx, id); err == nil {
		return e.Mobile, e.Name
	}
	return "", ""
}

// StartCampaign notifies the drawn panel (Art. 14(2)): each expert gets a notice with the
// reply deadline and a one-time reply code.
func (s *Service) StartCampaign(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	return s.campaignStep(ctx, "start campaign", actor, requestID, audit.ActionNotify, requestResource(requestID),
		func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			if len(c.Events()) > 0 {
				return nil, nil, nil, fmt.Errorf("expertdb: campaign %q already started", requestID)
			}
			notices, err := c.Start(now, s.random)
			return notices, map[string]any{"kind": "request", "outcome": "started", "notices": len(notices)}, nil, err
		}, nil)
}

// Respond records an expert's reply (Art. 14(2)): acceptance (with the signed pledge,
// Art. 8(4); it reserves the annual cap atomically, and a refused reservation turns the
// acceptance into a vacancy) or a decline (with its reason; an unfamiliar field is recorded
// as such, Art. 7(4)). Vacancies are filled from the continuing sequence at once.
func (s *Service) Respond(ctx context.Context, actor audit.Actor, requestID string, r Response) (*CampaignView, error) {
	const op = "respond"
	wrong, err := s.wrongCodes(ctx, requestID, r.ExpertID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if wrong >= MaxWrongCodes {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 回复码已连续错误 %d 次，该通知已锁定，请由业务处室电话核实后处理 (Art. 14(2), 18)",
			ErrReplyLocked, wrong)}
	}
	view, err := s.respond(ctx, actor, requestID, r)
	if errors.Is(err, selection.ErrReplyCode) {
		// Every wrong code is recorded, so guessing is visible and bounded across processes.
		if _, aerr := s.record(ctx, s.clock(), actor, audit.ActionRespond,
			map[string]any{"kind": "request", "outcome": "wrong-code"}, requestID, r.ExpertID); aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	return view, err
}

// MaxWrongCodes is how many wrong reply codes lock a notice (guessing the 8-digit code is
// then hopeless: at most MaxWrongCodes tries out of 10^8).
const MaxWrongCodes = 5

// ErrReplyLocked is wrapped when a notice is locked after MaxWrongCodes wrong reply codes.
var ErrReplyLocked = errors.New("expertdb: reply locked after repeated wrong codes")

// wrongCodes counts the recorded wrong reply codes for expertID's notice in requestID.
func (s *Service) wrongCodes(ctx context.Context, requestID, expertID string) (int, error) {
	res, err := s.log.Query(ctx, audit.Query{Subject: requestID, Action: audit.ActionRespond})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range res.Matches {
		if !slices.Contains(m.Event.Subjects, expertID) {
			continue
		}
		var d struct {
			Outcome string `json:"outcome"`
		}
		if json.Unmarshal(m.Event.Data, &d) == nil && d.Outcome == "wrong-code" {
			n++
		}
	}
	return n, nil
}

func (s *Service) respond(ctx context.Context, actor audit.Actor, requestID string, r Response) (*CampaignView, error) {
	var year int
	return s.campaignStepAfter(ctx, "respond", actor, requestID, audit.ActionRespond,
		func(rec *DrawRecord) audit.Resource {
			return audit.Resource{Kind: audit.KindRequest, ID: requestID, Owner: r.ExpertID, Unit: rec.Unit}
		},
		func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			year = selection.CapYear(rec.Request.At)
			data := map[string]any{"kind": "request"}
			var notices []selection.Notice
			var err error
			if r.Accept {
				data["outcome"] = "accepted"
				notices, err = c.Accept(ctx, s.ledger, r.ExpertID, r.Code, r.Pledge, now, s.random)
				if err == nil && seatStatus(c, r.ExpertID) != selection.SeatAccepted {
					data["outcome"] = "cap-reached"
				}
			} else {
				data["outcome"] = "declined"
				data["unfamiliar_field"] = r.UnfamiliarField
				notices, err = c.Decline(r.ExpertID, r.Code, r.Reason, r.UnfamiliarField, now, s.random)
			}
			return notices, data, []string{r.ExpertID}, err
		},
		func(rec *DrawRecord) {
			if r.Accept {
				_ = s.ledger.Release(ctx, r.ExpertID, year, requestID)
			}
		},
		func(rec *DrawRecord, c *selection.Campaign) error {
			if r.Accept && seatStatus(c, r.ExpertID) == selection.SeatAccepted {
				return s.appendSeat(ctx, seatOf(rec, r.ExpertID, false))
			}
			return nil
		})
}

// Expire closes the notices whose deadline has passed without an answer and notifies
// replacements from the continuing sequence (Art. 14(2)).
func (s *Service) Expire(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	return s.campaignStep(ctx, "expire", actor, requestID, audit.ActionNotify, requestResource(requestID),
		func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			before := len(c.Events())
			notices, err := c.Expire(now, s.random)
			var expired []string
			for _, ev := range c.Events()[before:] {
				if ev.Kind == selection.EventNoAnswer {
					expired = append(expired, ev.ExpertID)
				}
			}
			return notices, map[string]any{"kind": "request", "outcome": "expired", "no_answer": len(expired)}, expired, err
		}, nil)
}

// Withdraw records that an accepted expert withdrew (Art. 8(2), counted as a no-show) and
// fills the seat from the continuing sequence.
func (s *Service) Withdraw(ctx context.Context, actor audit.Actor, requestID, expertID, reason string) (*CampaignView, error) {
	return s.campaignStepAfter(ctx, "withdraw", actor, requestID, audit.ActionRespond,
		func(rec *DrawRecord) audit.Resource {
			return audit.Resource{Kind: audit.KindRequest, ID: requestID, Owner: expertID, Unit: rec.Unit}
		},
		func(rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			notices, err := c.Withdraw(ctx, s.ledger, expertID, reason, now, s.random)
			return notices, map[string]any{"kind": "request", "outcome": "withdrawn"}, []string{expertID}, err
		}, nil,
		func(rec *DrawRecord, _ *selection.Campaign) error {
			return s.appendSeat(ctx, seatOf(rec, expertID, true))
		})
}

func requestResource(id string) func(*DrawRecord) audit.Resource {
	return func(rec *DrawRecord) audit.Resource {
		return audit.Resource{Kind: audit.KindRequest, ID: id, Unit: rec.Unit}
	}
}

func seatStatus(c *selection.Campaign, id string) selection.SeatStatus {
	for _, st := range c.Seats() {
		if st.ExpertID == id {
			return st.Status
		}
	}
	return ""
}

// CampaignView is the state of a campaign as the Service reports it.
type CampaignView struct {
	RequestID string
	Complete  bool             // Size experts have accepted
	Seats     []selection.Seat // every notified expert, in notification order
	Panel     []selection.Seat // the experts holding a seat: accepted or awaiting a reply
	Sealed    bool             // expert IDs are replaced by the Sealed placeholder (Policy.SealPanels)
}

func campaignView(rec *DrawRecord, c *selection.Campaign) *CampaignView {
	return &CampaignView{RequestID: rec.Request.ID, Complete: c.Complete(), Seats: c.Seats(), Panel: c.Panel()}
}

// Campaign returns the current state of a campaign, rebuilt from its stored events.
func (s *Service) Campaign(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	const op = "view campaign"
	rec, c, _, err := s.loadCampaign(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	sealed, err := s.viewRequest(ctx, op, actor, rec)
	if err != nil {
		return nil, err
	}
	v := campaignView(rec, c)
	if sealed {
		v = sealView(v)
	}
	return v, nil
}

// viewFor is the campaign view actor may see at now (sealed before the start, see Unseal).
func (s *Service) viewFor(ctx context.Context, rec *DrawRecord, c *selection.Campaign, actor audit.Actor, now time.Time) (*CampaignView, error) {
	v := campaignView(rec, c)
	sealed, err := s.sealedFor(ctx, rec, actor, now)
	if err != nil {
		return nil, &OpError{Op: "view campaign", Step: StepLoad, Err: err}
	}
	if sealed {
		v = sealView(v)
	}
	return v, nil
}
