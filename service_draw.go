package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// DrawRequest is what a using unit submits to draw a panel (Art. 13, 14).
type DrawRequest struct {
	selection.Request
	// Unit is the using unit (使用单位) the panel is drawn for; it must be the actor's unit.
	Unit string `json:"unit"`
	// Labels mark the request for the county's request rules (Policy.RequestRules), e.g. "key".
	Labels []string `json:"labels,omitempty"`
	// Relations are the known relations between experts and project members (Art. 15(2)).
	Relations []conflict.Relation `json:"relations,omitempty"`
	// Entropy is the public randomness announced before the draw; nil = 256 bits from the
	// Service's random source, recorded as one source.
	Entropy *selection.Entropy `json:"entropy,omitempty"`
	// Window is how long a notified expert has to reply (0 = selection.DefaultReplyWindow).
	Window time.Duration `json:"window,omitempty"`
}

// DrawRecord is everything needed to replay a draw and rebuild its campaign, as the
// Service stores it (stream "draw/<request ID>" of the EventStore) and as its audit event
// summarises it. It is written once: a request is drawn at most once (no re-rolls).
type DrawRecord struct {
	Version    string            `json:"version"` // DrawRecordVersion (or "expertdb-draw-record-v1", the v0.1.0 format)
	Request    selection.Request `json:"request"` // after the county's request rules were applied
	Unit       string            `json:"unit"`
	Labels     []string          `json:"labels,omitempty"`
	Policy     string            `json:"policy,omitempty"` // name of the county policy applied (replay needs the same rules)
	Filing     string            `json:"filing,omitempty"` // its filing reference
	Draft      bool              `json:"draft,omitempty"`  // drawn under a profile not filed with the city (Policy.Draft, Art. 13)
	Entropy    selection.Entropy `json:"entropy"`
	Window     time.Duration     `json:"window"`
	Pool       selection.Pool    `json:"pool"` // the candidates and preferential picks, with their usage, summaries and relations
	Result     *selection.Result `json:"result"`
	DrawnAt    time.Time         `json:"drawn_at"`
	DrawnBy    audit.Actor       `json:"drawn_by"`
	AuditIndex int64             `json:"audit_index"` // index of the draw event in the audit log

	// ProfileManifest is the digest of the profile manifest of the draw's pool: the ID and
	// profile version of every expert the draw read (stored once per pool in the
	// ProfileStore, with the profile versions). The stored record keeps it instead of
	// Pool.Experts; ResolveProfiles rebuilds them (the experts listed that Result.Excluded
	// does not exclude before the draw).
	ProfileManifest string `json:"profile_manifest,omitempty"`
	// Profiles reference the profile versions of Pool's experts one by one, in records
	// written before profile manifests (still read, never written).
	Profiles []ProfileRef `json:"profiles,omitempty"`
	// Practice marks a practice draw (Service.Draw): its entropy was the caller's or the
	// server's, so it is never a real draw — its seats cannot be rated (Service.Rate) and it
	// raises no re-draw alert. A real draw (Service.DrawCommitted) names its Commit.
	Practice bool       `json:"practice,omitempty"`
	Commit   *CommitRef `json:"commit,omitempty"`
}

const drawRecordVersion = DrawRecordVersion

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

// Draw is the practice draw, kept for compatibility: a real draw goes through Submit,
// Approve, Commit and DrawCommitted, from a public value that did not exist when the draw
// was committed. Draw takes the caller's entropy (or the server's) and marks the record and
// its audit event as practice (DrawRecord.Practice); a request that was submitted cannot
// be practice-drawn under its ID.
//
// It draws a panel for req (Art. 13, 14): it checks the actor may draw for req.Unit (and
// invite, when req invites experts), applies the county's request rules, loads the pool
// (active experts, this year's usage, last year's rating summaries), draws, and records the
// draw in the audit log before anything is returned — also when the draw fails, so that a
// discarded draw is still visible. A request can be drawn only once.
func (s *Service) Draw(ctx context.Context, actor audit.Actor, req DrawRequest) (*DrawRecord, error) {
	const op = "draw"
	now := s.clock()
	if err := s.authorizeOwnRequest(ctx, op, now, actor, audit.ActionDraw, req, "只能为本单位（"+actor.Unit+"）的活动抽取专家"); err != nil {
		return nil, err
	}
	if submitted, err := s.events.Events(ctx, requestStream(req.ID)); err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	} else if len(submitted) > 0 {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 已提交，须经审批并承诺随机数来源后由 DrawCommitted 抽取，不能练习抽取 (Art. 13, 14(1))", ErrRequestState, req.ID)}
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
	pool, snap, err := s.loadPool(ctx, applied, req.Relations)
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
	// An expression may read only what its author may see (Art. 20): without the right to
	// see personal data, the request's own expressions compile against the masked view.
	personal, _ := s.perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert, Personal: true})
	prepared, err := selection.PrepareWith(applied, s.policy.Selection, selection.PrepareOptions{Masked: !personal.Allowed})
	var result *selection.Result
	var public *selection.PublicRecord
	if err == nil {
		result, public, err = prepared.DrawPublic(pool, *entropy)
	}
	rec := &DrawRecord{Version: drawRecordVersion, Request: applied, Unit: req.Unit, Labels: req.Labels,
		Policy: s.policy.Name, Filing: s.policy.Filing, Draft: s.policy.Draft(),
		Entropy: *entropy, Window: req.Window, Result: result, DrawnAt: now, DrawnBy: actor, Practice: true}
	if err != nil {
		// A failed draw is recorded too, so that a discarded draw is still visible.
		if _, aerr := s.record(ctx, now, actor, audit.ActionDraw, drawSummary(rec, err), drawSubjects(req.ID, result)...); aerr != nil {
			return nil, &OpError{Op: op, Step: StepAudit, Err: errors.Join(aerr, err)}
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	summary := drawSummary(rec, nil)
	// The public record (docs/draw-v1.md §11) is hashed while the record's pool is copied:
	// both only read the draw's outcome, and each is O(pool) (~10 MB and ~50 MB at 100,000).
	digest := make(chan string, 1)
	go func() { digest <- public.Digest() }()
	keep, kept := keptOf(pool, result)
	rec.Pool = snapshotMaps(pool, keep)
	// The returned record's copy of the profiles kept (the stored record references them
	// through the manifest) is made while the unit of work runs.
	experts := make(chan []admission.Expert, 1)
	go func() { experts <- copyKept(pool.Experts, keep, kept) }()
	summary["public_digest"] = <-digest
	ev, err := s.event(now, actor, audit.ActionDraw, summary, drawSubjects(req.ID, result)...)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	manifest, err := s.drawManifest(snap, pool.Experts, func() []admission.Expert {
		e := <-experts
		experts <- e
		return e
	})
	if err != nil {
		return nil, &OpError{Op: op, Step: StepPersist, Err: err}
	}
	rec.ProfileManifest = manifest.digest
	// The draw event, the profile versions it references and the draw record are one unit of
	// work; the record names its event.
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := s.storeManifest(ctx, manifest); err != nil {
			return err
		}
		idx, err := u.recordNow(ctx, ev)
		if err != nil {
			return err
		}
		rec.AuditIndex = idx
		raw, err := storedRecord(rec).MarshalJSON()
		if err != nil {
			return err
		}
		return s.appendEvent(ctx, drawStream(req.ID), 0, raw)
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			// Another drawer was first: this attempt is a refused redraw, recorded as such.
			err = fmt.Errorf("%w: %w", ErrAlreadyDrawn, err)
			if _, aerr := s.record(ctx, now, actor, audit.ActionDraw, map[string]any{"kind": "request", "outcome": "refused-redraw"}, req.ID); aerr != nil {
				err = errors.Join(err, aerr)
			}
			s.raiseAlerts(ctx, now)
			return nil, &OpError{Op: op, Step: StepValidate, Err: err}
		}
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	rec.Pool.Experts = <-experts
	s.raiseAlerts(ctx, now)
	return s.drawView(ctx, actor, rec, now)
}

// drawSummary is the audit data of a draw: what a third party needs to replay it.
func drawSummary(rec *DrawRecord, err error) map[string]any {
	d := map[string]any{
		"kind": "request", "unit": rec.Unit, "size": rec.Request.Size, "entropy": rec.Entropy.Key(),
		// The algorithm is the draw's, unchanged by the v2 wire format of the record.
		"algorithm": drawRecordV1, "policy": rec.Policy, "filing": rec.Filing,
	}
	if rec.Practice {
		d["practice"] = true
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
// and read-only; returned too, for the manifest of its profile versions), else store by store.
func (s *Service) loadPool(ctx context.Context, req selection.Request, relations []conflict.Relation) (selection.Pool, *PoolSnapshot, error) {
	year := selection.CapYear(req.At)
	if pool, snap, err := s.loadSnapshot(ctx, year); err != nil || snap != nil {
		pool.Relations = relations
		return pool, snap, err
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
	keep, n := keptOf(pool, r)
	out := snapshotMaps(pool, keep)
	out.Experts = copyKept(pool.Experts, keep, n)
	return out
}

// keptOf marks the experts of pool the record keeps (those r does not exclude before the
// draw) and counts them.
func keptOf(pool selection.Pool, r *selection.Result) ([]bool, int) {
	excluded := outOfPool(r)
	keep := make([]bool, len(pool.Experts))
	n := 0
	for i := range pool.Experts {
		if !excluded[pool.Experts[i].ID] {
			keep[i] = true
			n++
		}
	}
	return keep, n
}

// snapshotMaps is the record's pool without its experts: the usage, summaries, bookings and
// history of the experts kept, and the relations.
func snapshotMaps(pool selection.Pool, keep []bool) selection.Pool {
	out := selection.Pool{Usage: map[string]int{}, Last: map[string]evaluation.Summary{}, Relations: pool.Relations,
		Bookings: map[string][]selection.Booking{}, History: map[string][]selection.Participation{}}
	if len(pool.Usage)+len(pool.Last)+len(pool.Bookings)+len(pool.History) == 0 {
		return out
	}
	for i := range pool.Experts {
		if !keep[i] {
			continue
		}
		id := pool.Experts[i].ID
		if n, ok := pool.Usage[id]; ok {
			out.Usage[id] = n
		}
		if sm, ok := pool.Last[id]; ok {
			out.Last[id] = sm
		}
		if b, ok := pool.Bookings[id]; ok {
			out.Bookings[id] = b
		}
		if h, ok := pool.History[id]; ok {
			out.History[id] = h
		}
	}
	return out
}

// copyKept copies the n experts kept into a slice allocated once, in runs (one bulk copy
// between two excluded experts): a pool of 100,000 profiles is ~50 MB.
func copyKept(experts []admission.Expert, keep []bool, n int) []admission.Expert {
	out := make([]admission.Expert, 0, n)
	for i := 0; i < len(experts); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(experts) && keep[j] {
			j++
		}
		out = append(out, experts[i:j]...)
		i = j
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
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "request", "sealed": sealed, "personal": !sealed && s.personalFor(actor)}, id); err != nil {
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
	return s.viewOf(actor, rec, sealed), nil
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
	if !knownRecordVersion(rec.Version) {
		return nil, fmt.Errorf("expertdb: draw record %q has version %q", requestID, rec.Version)
	}
	if err := ResolveProfiles(ctx, &rec, s.profiles()); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Response is an expert's reply to a notice (Art. 14(2)).
type Response struct {
	ExpertID        string `json:"expert_id"`
	Code            string `json:"code"` // the one-time reply code from the notice
	Accept          bool   `json:"accept"`
	Pledge          string `json:"pledge"`           // reference of the signed pledge, required to accept (Art. 8(4))
	Reason          string `json:"reason"`           // why the expert declines
	UnfamiliarField bool   `json:"unfamiliar_field"` // declined because the field is unfamiliar (Art. 7(4))
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
	RequestID  string    `json:"request_id"`
	ExpertID   string    `json:"expert_id"`
	MaskedName string    `json:"masked_name"` // the addressee's name, masked (张*), as the text uses it
	Mobile     string    `json:"mobile"`
	Deadline   time.Time `json:"deadline"`
	Code       string    `json:"code"` // the one-time reply code
	Text       string    `json:"text"`
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

// campaignOp is one operation on a campaign, run by runCampaign.
type campaignOp struct {
	op     string
	actor  audit.Actor
	id     string // the request ID
	action audit.Action
	res    func(rec *DrawRecord) audit.Resource
	// member is the expert the operation names, "" for none: on a panel sealed for the
	// actor, such an operation is refused the same way whether or not the expert is on it.
	member string
	// check runs under the campaign lock before the step (the reply lockout).
	check func(ctx context.Context, rec *DrawRecord, now time.Time) error
	// step changes the campaign; ledger is the unit of work's ledger.
	step func(ctx context.Context, ledger selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error)
	// after runs in the unit of work after the campaign events are stored.
	after func(ctx context.Context, rec *DrawRecord, c *selection.Campaign) error
	// refused records a refused step (its own unit of work) and returns the error to report;
	// nil = a "refused" event.
	refused func(ctx context.Context, rec *DrawRecord, now time.Time, err error) error
}

// refusal marks the step's own refusal inside a unit of work.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// isSelf reports whether actor is the expert expertID acting for themselves.
func isSelf(actor audit.Actor, expertID string) bool {
	return actor.Role == audit.RoleExpert && actor.ID == expertID
}

// ErrSealedPanel is wrapped when an operation names an expert of a panel that is sealed for
// the actor: the answer is the same whether or not the expert is on the panel.
var ErrSealedPanel = errors.New("expertdb: panel sealed")

// runCampaign loads a campaign, authorises the actor, applies the step and, as one unit of
// work, stores the new campaign events, queues the notices in the outbox and appends the
// audit event; then it sends the notices. A conflicting writer in another process makes it
// reload and try again. Every refusal is recorded.
func (s *Service) runCampaign(ctx context.Context, o campaignOp) (*CampaignView, error) {
	lock := s.campaignLock(o.id)
	lock.Lock()
	defer lock.Unlock()
	for attempt := 0; ; attempt++ {
		now := s.clock()
		rec, c, have, err := s.loadCampaign(ctx, o.id)
		if err != nil {
			return nil, &OpError{Op: o.op, Step: StepLoad, Err: err}
		}
		res := o.res(rec)
		if err := s.authorize(ctx, o.op, now, o.actor, o.action, res); err != nil {
			return nil, err
		}
		if err := s.refuseVoided(ctx, o.op, now, o.actor, o.action, o.id, o.member); err != nil {
			return nil, err
		}
		sealed, err := s.sealedFor(ctx, rec, o.actor, now)
		if err != nil {
			return nil, &OpError{Op: o.op, Step: StepLoad, Err: err}
		}
		state, _, err := s.deliveries(ctx, o.id)
		if err != nil {
			return nil, &OpError{Op: o.op, Step: StepLoad, Err: err}
		}
		if o.member != "" && !isSelf(o.actor, o.member) {
			if sealed {
				err := s.deny(ctx, o.op, now, audit.Decision{Rule: "sealed-panel", Article: "Art. 8(6), 9(7), 22(3)", Code: "sealed-panel",
					Message: "名单密封期间，只有抽取经办人可处理专家的答复、退出和通知", Actor: o.actor, Action: o.action, Resource: res})
				s.raiseAlerts(ctx, now)
				return nil, fmt.Errorf("%w: %w", ErrSealedPanel, err)
			}
		}
		if o.check != nil {
			if err := o.check(ctx, rec, now); err != nil {
				return nil, err
			}
		}
		var notices []selection.Notice
		err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
			ledger := s.ledgerIn(ctx)
			if rec.Practice {
				// A practice draw is never counted: its acceptances reserve nothing in the
				// annual ledger (Art. 14(1)) and book no seat.
				ledger = selection.NewMemoryLedger()
			}
			ns, data, subjects, err := o.step(ctx, ledger, rec, c, now)
			if err == nil {
				ns, err = s.skipBooked(ctx, rec, c, ns, now)
			}
			if err != nil {
				if isRefusal(err) {
					return refusal{err}
				}
				return err // a store failure, not a refusal: nothing is recorded
			}
			ev, err := s.event(now, o.actor, o.action, data, append([]string{o.id}, subjects...)...)
			if err != nil {
				return refusal{err}
			}
			if err := u.record(ctx, ev); err != nil {
				return err
			}
			evs := c.Events()
			for i := have; i < len(evs); i++ {
				raw, err := json.Marshal(evs[i])
				if err != nil {
					return err
				}
				if err := s.appendEvent(ctx, campaignStream(o.id), int64(i), raw); err != nil {
					return err
				}
			}
			if o.after != nil && !rec.Practice {
				if err := o.after(ctx, rec, c); err != nil {
					return err
				}
			}
			if err := s.queueNotices(ctx, o.id, ns, now); err != nil {
				return err
			}
			notices = ns
			return nil
		})
		var ref refusal
		if errors.As(err, &ref) {
			err = ref.err
			if o.refused != nil {
				err = o.refused(ctx, rec, now, err)
			} else if _, aerr := s.record(ctx, now, o.actor, o.action, refusalData(err), o.id, o.member); aerr != nil {
				err = errors.Join(err, aerr)
			}
			return nil, &OpError{Op: o.op, Step: StepValidate, Err: err}
		}
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, &OpError{Op: o.op, Step: stepOf(err), Err: err}
		}
		s.raiseAlerts(ctx, now)
		for _, n := range notices {
			state[n.ExpertID] = DeliveryQueued
		}
		maps.Copy(state, s.deliver(ctx, o.actor, rec, notices, now))
		// The operation is done: its view is built from what this call knows, without
		// reading the stores again.
		return viewOfCampaign(rec, c, sealed, state), nil
	}
}

// ErrCampaignStarted is wrapped when a campaign that has started is started again; its
// undelivered notices are sent again by Deliver.
var ErrCampaignStarted = errors.New("expertdb: campaign already started")

// isRefusal reports whether a campaign step failed by a rule (the step's own refusal,
// recorded as such) rather than by a store.
func isRefusal(err error) bool {
	var se *selection.Error
	return errors.As(err, &se) || errors.Is(err, selection.ErrReplyCode) || errors.Is(err, ErrCampaignStarted)
}

// refusalData is the audit data of a refused campaign operation: its code, never its text.
func refusalData(err error) map[string]any {
	d := map[string]any{"kind": "request", "outcome": "refused"}
	var se *selection.Error
	if errors.As(err, &se) {
		d["code"], d["article"] = se.Code, se.Article
	}
	return d
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

// contactOf returns the mobile and name of a notified expert (invited or in the database).
func (s *Service) contactOf(ctx context.Context, rec *DrawRecord, id string) (mobile, name string, err error) {
	for _, inv := range rec.Request.Invited {
		if inv.Expert.ID == id {
			return inv.Expert.Mobile, inv.Expert.Name, nil
		}
	}
	e, err := s.experts.Get(ctx, id)
	if err != nil {
		return "", "", err
	}
	return e.Mobile, e.Name, nil
}

// StartCampaign notifies the drawn panel (Art. 14(2)): each expert gets a notice with the
// reply deadline and a one-time reply code. The notices are queued in the campaign's outbox
// with the campaign events and sent after they are stored; a notice the gateway refuses
// stays undelivered (CampaignView.Undelivered) and is sent again, with a fresh code, by
// Deliver or Resend.
func (s *Service) StartCampaign(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	return s.runCampaign(ctx, campaignOp{op: "start campaign", actor: actor, id: requestID, action: audit.ActionNotify,
		res: requestResource(requestID),
		step: func(_ context.Context, _ selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			if len(c.Events()) > 0 {
				return nil, nil, nil, fmt.Errorf("%w: %q (undelivered notices: Deliver)", ErrCampaignStarted, requestID)
			}
			notices, err := c.Start(now, s.random)
			return notices, map[string]any{"kind": "request", "outcome": "started", "notices": len(notices)}, nil, err
		}})
}

// Respond records an expert's reply (Art. 14(2)): acceptance (with the signed pledge,
// Art. 8(4); it reserves the annual cap atomically, and a refused reservation turns the
// acceptance into a vacancy) or a decline (with its reason; an unfamiliar field is recorded
// as such, Art. 7(4)). Vacancies are filled from the continuing sequence at once.
//
// A reply comes through one of two channels: the expert's own (the actor is the expert) or
// a clerk recording a reply given by phone (any other actor). Wrong reply codes are counted
// and checked per notice and channel under the campaign lock; MaxWrongCodes of them lock
// that channel only, so a clerk who enters wrong codes on purpose cannot shut the expert
// out, and the lockout raises the "reply-lockout" alert. UnlockReplies lifts it.
func (s *Service) Respond(ctx context.Context, actor audit.Actor, requestID string, r Response) (*CampaignView, error) {
	const op = "respond"
	channel := replyChannel(actor, r.ExpertID)
	return s.runCampaign(ctx, campaignOp{op: op, actor: actor, id: requestID, action: audit.ActionRespond, member: r.ExpertID,
		res: func(rec *DrawRecord) audit.Resource {
			return audit.Resource{Kind: audit.KindRequest, ID: requestID, Owner: r.ExpertID, Unit: rec.Unit}
		},
		check: func(ctx context.Context, rec *DrawRecord, now time.Time) error {
			wrong, err := s.wrongCodes(ctx, requestID, r.ExpertID, channel)
			if err != nil {
				return &OpError{Op: op, Step: StepLoad, Err: err}
			}
			if wrong < MaxWrongCodes {
				return nil
			}
			err = fmt.Errorf("%w: 回复码已连续错误 %d 次，该渠道已锁定，请由专家本人回复，或经他人审批后解锁 (Art. 14(2), 18)", ErrReplyLocked, wrong)
			if _, aerr := s.record(ctx, now, actor, audit.ActionRespond,
				map[string]any{"kind": "request", "outcome": "locked", "channel": channel}, requestID, r.ExpertID); aerr != nil {
				err = errors.Join(err, aerr)
			}
			return &OpError{Op: op, Step: StepValidate, Err: err}
		},
		step: func(ctx context.Context, ledger selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			data := map[string]any{"kind": "request", "channel": channel}
			var notices []selection.Notice
			var err error
			if r.Accept {
				data["outcome"] = "accepted"
				notices, err = c.Accept(ctx, ledger, r.ExpertID, r.Code, r.Pledge, now, s.random)
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
		after: func(ctx context.Context, rec *DrawRecord, c *selection.Campaign) error {
			if r.Accept && seatStatus(c, r.ExpertID) == selection.SeatAccepted {
				return s.appendSeat(ctx, seatOf(rec, r.ExpertID, false))
			}
			return nil
		},
		refused: func(ctx context.Context, rec *DrawRecord, now time.Time, err error) error {
			if !errors.Is(err, selection.ErrReplyCode) {
				if _, aerr := s.record(ctx, now, actor, audit.ActionRespond, refusalData(err), requestID, r.ExpertID); aerr != nil {
					err = errors.Join(err, aerr)
				}
				return err
			}
			// Every wrong code is stored and recorded, in one unit of work, before the next
			// reply on this notice is evaluated.
			if rerr := s.recordWrongCode(ctx, actor, requestID, r.ExpertID, channel, now); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return err
		}})
}

// MaxWrongCodes is how many wrong reply codes lock a notice's channel (guessing the
// 8-digit code is then hopeless: at most MaxWrongCodes tries out of 10^8 per channel).
const MaxWrongCodes = 5

// ErrReplyLocked is wrapped when a notice's channel is locked after MaxWrongCodes wrong
// reply codes.
var ErrReplyLocked = errors.New("expertdb: reply locked after repeated wrong codes")

// Reply channels.
const (
	ChannelSelf  = "self"  // the expert replies through their own account
	ChannelProxy = "proxy" // a clerk records a reply the expert gave by phone
)

func replyChannel(actor audit.Actor, expertID string) string {
	if isSelf(actor, expertID) {
		return ChannelSelf
	}
	return ChannelProxy
}

func lockStream(requestID, expertID, channel string) string {
	return "replies/" + channel + "/" + requestID + "/" + expertID
}

// lockRecord is one wrong reply code, or an approved unlock, in a lock stream.
type lockRecord struct {
	Kind       string    `json:"kind"` // "wrong" or "unlock"
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	ApprovedBy string    `json:"approved_by,omitempty"`
}

// wrongCodes counts the wrong reply codes on a notice's channel since its last unlock.
func (s *Service) wrongCodes(ctx context.Context, requestID, expertID, channel string) (int, error) {
	raw, err := s.events.Events(ctx, lockStream(requestID, expertID, channel))
	if err != nil {
		return 0, err
	}
	n := 0
	for i, b := range raw {
		var r lockRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return 0, fmt.Errorf("expertdb: lock record %d: %w", i, err)
		}
		if r.Kind == "unlock" {
			n = 0
		} else {
			n++
		}
	}
	return n, nil
}

// recordWrongCode stores a wrong code in the channel's lock stream and records it; the one
// that reaches MaxWrongCodes is recorded as a lockout (and raises the reply-lockout alert).
func (s *Service) recordWrongCode(ctx context.Context, actor audit.Actor, requestID, expertID, channel string, now time.Time) error {
	stream := lockStream(requestID, expertID, channel)
	raw, err := json.Marshal(lockRecord{Kind: "wrong", At: now, By: actor.ID})
	if err != nil {
		return err
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		have, err := s.events.Events(ctx, stream)
		if err != nil {
			return err
		}
		wrong, err := s.wrongCodes(ctx, requestID, expertID, channel)
		if err != nil {
			return err
		}
		ev, err := s.event(now, actor, audit.ActionRespond, map[string]any{"kind": "request", "outcome": "wrong-code",
			"channel": channel, "wrong": wrong + 1, "locked": wrong+1 >= MaxWrongCodes}, requestID, expertID)
		if err != nil {
			return err
		}
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.appendEvent(ctx, stream, int64(len(have)), raw)
	})
	s.raiseAlerts(ctx, now)
	return err
}

// UnlockReplies lifts the lockout of a notice's reply channel (ChannelProxy or ChannelSelf)
// after repeated wrong codes. It needs an approver other than the actor whose role may
// approve (a leader), both registered, and is recorded (Art. 18, 21).
func (s *Service) UnlockReplies(ctx context.Context, actor, approver audit.Actor, requestID, expertID, channel string) error {
	const op = "unlock replies"
	if channel != ChannelProxy && channel != ChannelSelf {
		return &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: unknown reply channel %q", channel)}
	}
	lock := s.campaignLock(requestID)
	lock.Lock()
	defer lock.Unlock()
	now := s.clock()
	rec, err := s.loadDraw(ctx, requestID)
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Owner: expertID, Unit: rec.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionNotify, res); err != nil {
		return err
	}
	if approver.ID == actor.ID {
		return s.deny(ctx, op, now, audit.Decision{Rule: "own-approval", Article: "Art. 21", Code: "self-approval",
			Message: "解除回复锁定须由他人审批，不得自行审批", Actor: actor, Action: audit.ActionApprove, Resource: res})
	}
	if err := s.authorize(ctx, op, now, approver, audit.ActionApprove, res); err != nil {
		return err
	}
	if sealed, err := s.sealedFor(ctx, rec, actor, now); err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	} else if sealed {
		err := s.deny(ctx, op, now, audit.Decision{Rule: "sealed-panel", Article: "Art. 8(6), 9(7), 22(3)", Code: "sealed-panel",
			Message: "名单密封期间，只有抽取经办人可处理专家的答复、退出和通知", Actor: actor, Action: audit.ActionNotify, Resource: res})
		s.raiseAlerts(ctx, now)
		return fmt.Errorf("%w: %w", ErrSealedPanel, err)
	}
	a := actor
	a.OnBehalfOf = approver.ID
	ev, err := s.event(now, a, audit.ActionApprove, map[string]any{"kind": "request", "unlock": "replies", "channel": channel,
		"approved_by": approver.ID}, requestID, expertID)
	if err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	raw, err := json.Marshal(lockRecord{Kind: "unlock", At: now, By: actor.ID, ApprovedBy: approver.ID})
	if err != nil {
		return &OpError{Op: op, Step: StepPersist, Err: err}
	}
	stream := lockStream(requestID, expertID, channel)
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		have, err := s.events.Events(ctx, stream)
		if err != nil {
			return err
		}
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.appendEvent(ctx, stream, int64(len(have)), raw)
	})
	if err != nil {
		return &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return nil
}

// Expire closes the notices whose deadline has passed without an answer and notifies
// replacements from the continuing sequence (Art. 14(2)).
func (s *Service) Expire(ctx context.Context, actor audit.Actor, requestID string) (*CampaignView, error) {
	return s.runCampaign(ctx, campaignOp{op: "expire", actor: actor, id: requestID, action: audit.ActionNotify,
		res: requestResource(requestID),
		step: func(_ context.Context, _ selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			before := len(c.Events())
			notices, err := c.Expire(now, s.random)
			var expired []string
			for _, ev := range c.Events()[before:] {
				if ev.Kind == selection.EventNoAnswer {
					expired = append(expired, ev.ExpertID)
				}
			}
			return notices, map[string]any{"kind": "request", "outcome": "expired", "no_answer": len(expired)}, expired, err
		}})
}

// Withdraw records that an accepted expert withdrew (Art. 8(2), counted as a no-show) and
// fills the seat from the continuing sequence. On a panel sealed for the actor it answers
// the same for every expert ID (ErrSealedPanel), and the probe is recorded.
func (s *Service) Withdraw(ctx context.Context, actor audit.Actor, requestID, expertID, reason string) (*CampaignView, error) {
	return s.runCampaign(ctx, campaignOp{op: "withdraw", actor: actor, id: requestID, action: audit.ActionRespond, member: expertID,
		res: func(rec *DrawRecord) audit.Resource {
			return audit.Resource{Kind: audit.KindRequest, ID: requestID, Owner: expertID, Unit: rec.Unit}
		},
		step: func(ctx context.Context, ledger selection.Ledger, rec *DrawRecord, c *selection.Campaign, now time.Time) ([]selection.Notice, map[string]any, []string, error) {
			notices, err := c.Withdraw(ctx, ledger, expertID, reason, now, s.random)
			return notices, map[string]any{"kind": "request", "outcome": "withdrawn"}, []string{expertID}, err
		},
		after: func(ctx context.Context, rec *DrawRecord, _ *selection.Campaign) error {
			return s.appendSeat(ctx, seatOf(rec, expertID, true))
		}})
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
	RequestID string           `json:"request_id"`
	Complete  bool             `json:"complete"` // Size experts have accepted
	Seats     []selection.Seat `json:"seats"`    // every notified expert, in notification order
	Panel     []selection.Seat `json:"panel"`    // the experts holding a seat: accepted or awaiting a reply
	Sealed    bool             `json:"sealed"`   // expert IDs are replaced by the Sealed placeholder (Policy.SealPanels)
	// Undelivered counts the notices awaiting a reply that were not delivered (the gateway
	// refused them, or they are still queued): Deliver sends them again with fresh codes.
	Undelivered int `json:"undelivered"`
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
	state, _, err := s.deliveries(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	sealed, err := s.viewRequest(ctx, op, actor, rec)
	if err != nil {
		return nil, err
	}
	return viewOfCampaign(rec, c, sealed, state), nil
}

// viewFor is the campaign view actor may see at now (sealed before the start, see Unseal).
func (s *Service) viewFor(ctx context.Context, rec *DrawRecord, c *selection.Campaign, actor audit.Actor, now time.Time) (*CampaignView, error) {
	sealed, err := s.sealedFor(ctx, rec, actor, now)
	if err != nil {
		return nil, &OpError{Op: "view campaign", Step: StepLoad, Err: err}
	}
	state, _, err := s.deliveries(ctx, rec.Request.ID)
	if err != nil {
		return nil, &OpError{Op: "view campaign", Step: StepLoad, Err: err}
	}
	return viewOfCampaign(rec, c, sealed, state), nil
}

// viewOfCampaign is the view of c with the delivery states of its notices, sealed or not.
func viewOfCampaign(rec *DrawRecord, c *selection.Campaign, sealed bool, state map[string]string) *CampaignView {
	v := campaignView(rec, c)
	for _, st := range v.Seats {
		if st.Status == selection.SeatPending && state[st.ExpertID] != DeliverySent {
			v.Undelivered++
		}
	}
	if sealed {
		v = sealView(v)
	}
	return v
}
