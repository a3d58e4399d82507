package expertdb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// Options configure a Service. Every nil store is replaced by an in-memory one, so the zero
// Options give a working Service with no set-up (and nothing kept after the process ends).
type Options struct {
	Policy   *Policy          // the county's rules; nil = DefaultPolicy()
	Users    []audit.User     // registered real-name users (Art. 18)
	Experts  ExpertStore      // the expert database
	Ratings  evaluation.Store // ratings (Art. 25)
	Ledger   selection.Ledger // annual participation ledger (Art. 14(1))
	Events   EventStore       // draw records and campaign events
	Audit    audit.Store      // the audit log's records (Art. 17)
	Signer   note.Signer      // signs audit checkpoints; nil = a key generated from Random for this Service only
	Notifier Notifier         // sends notices (Art. 14(2)); nil = a RecordingNotifier
	Clock    func() time.Time // nil = time.Now
	Random   io.Reader        // entropy for draws and reply codes; nil = crypto/rand.Reader
	// Sources are the public sources a commitment may name (Commit refuses others); empty =
	// DefaultSources().
	Sources []AllowedSource
	// ValueVerifier confirms a published value before a committed draw uses it, after the
	// StructuralVerifier's checks; nil = the structural checks alone.
	ValueVerifier ValueVerifier
	// Atomic makes each operation one transaction over every store (see Atomic); nil = the
	// Experts store when it implements Atomic, else the Service's own journal, which gives
	// the guarantee for the in-memory stores.
	Atomic Atomic
}

// Service is the façade through which a government system uses the expert database. Every
// operation checks the actor's permission (deny by default; a refusal is itself recorded),
// runs the pure domain function, and then persists the outcome and appends its audit event
// as one unit of work. A failure at any step is an *OpError naming the step.
//
// Guarantees (DESIGN "Rules of the boundary"):
//
//   - One unit of work. A state change and its audit event commit together or neither does:
//     in one transaction of the Atomic back end when there is one, otherwise under the
//     Service's unit lock with every write journaled and undone, with a context of its own
//     (never the caller's, which may be cancelled), when a later write or the audit append
//     fails. The audit log's Merkle state moves only when the unit commits (audit.Log.Stage).
//     Every event is checked (canonical form, no personal data) before anything is written,
//     so a reason or an ID carrying a mobile number refuses the operation, not its record.
//   - Views by role. What an operation returns is what its actor may see: an actor whose role
//     may not read personal data (Resource.Personal) gets de-identified profiles (audit.Redact)
//     in a draw record's pool, invited experts and project members; a sealed panel is shown
//     sealed. The stored record keeps what replay needs.
//   - Uniform answers. An operation naming an expert of a panel sealed for the actor answers
//     the same for members and non-members (code "sealed-panel"), and every refusal is an
//     access-denied event; repeated probes raise the "sealed-panel-probes" alert.
//   - Durable notices. A notice is queued in the campaign's outbox in the same unit of work
//     as the campaign step, sent after it commits, and its delivery recorded; a failed send
//     never fails or blocks the campaign: Deliver retries it, and every resend issues a
//     fresh reply code that invalidates the old one.
//   - Lockout. Wrong reply codes are counted and checked under the campaign lock, per
//     channel: MaxWrongCodes lock only the channel that was abused (the clerk's recording of
//     a phone reply, or the expert's own), raise the "reply-lockout" alert, and are lifted by
//     UnlockReplies with a second person's approval.
//   - A verified log. NewService opens the audit log only after audit.NewLog verified every
//     record against its stored hashes and the last persisted signed checkpoint; permission
//     changes are replayed from that verified log only.
//
// A Service is safe for concurrent use. Operations on one campaign are serialised within
// the process and made safe across processes by conditional appends to the EventStore.
type Service struct {
	policy   *Policy
	perms    *audit.Permissions
	log      *audit.Log
	verifier note.Verifier
	experts  ExpertStore
	ratings  evaluation.Store
	ledger   selection.Ledger
	events   EventStore
	notifier Notifier
	clock    func() time.Time
	random   io.Reader

	sources       []AllowedSource // Options.Sources
	valueVerifier ValueVerifier   // Options.ValueVerifier

	atomic Atomic     // the storage back end's transactions, or nil
	unitMu sync.Mutex // serialises units of work without an Atomic back end

	mu        sync.Mutex // guards campaign operations within this process
	campaigns map[string]*sync.Mutex

	alertMu   sync.Mutex // guards alerter, alertNext and pending
	alerter   *audit.Alerter
	alertNext int64         // the next log index the alerter has not seen
	pending   []audit.Alert // fired alerts not yet written (retried with the next operation)

	manifests manifestCache // the profile manifest of the last pool snapshot drawn from
}

// alertActor is the actor of alert events: the system itself, on the policy's authority.
var alertActor = audit.Actor{ID: "system", Name: "专家库系统", Role: "system", Unit: "温州市科技信息研究院"}

// NewService wires a Service. It compiles the policy, opens the audit log (rebuilding its
// hashes from the store when needed) and registers the users.
func NewService(ctx context.Context, o Options) (*Service, error) {
	s := &Service{
		policy: o.Policy, experts: o.Experts, ratings: o.Ratings, ledger: o.Ledger, events: o.Events,
		notifier: o.Notifier, clock: o.Clock, random: o.Random, campaigns: map[string]*sync.Mutex{}, atomic: o.Atomic,
		sources: slices.Clone(o.Sources), valueVerifier: o.ValueVerifier,
	}
	if s.atomic == nil {
		s.atomic, _ = o.Experts.(Atomic)
	}
	if s.policy == nil {
		s.policy = DefaultPolicy()
	}
	if err := s.policy.Compile(); err != nil {
		return nil, fmt.Errorf("expertdb: new service: policy: %w", err)
	}
	// A county's rules stay within the city limits (Art. 13); a profile without a filing
	// number runs only as a draft, and every event and draw record says so (eventData).
	if err := s.policy.CheckLimits(); err != nil {
		return nil, fmt.Errorf("expertdb: new service: policy: %w", err)
	}
	if s.experts == nil {
		s.experts = NewMemoryExpertStore()
	}
	if s.ratings == nil {
		s.ratings = evaluation.NewMemoryStore()
	}
	if s.ledger == nil {
		s.ledger = selection.NewMemoryLedger()
	}
	if s.events == nil {
		s.events = NewMemoryEventStore()
	}
	if s.notifier == nil {
		s.notifier = &RecordingNotifier{}
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	signer := o.Signer
	if signer == nil {
		skey, vkey, err := note.GenerateKey(s.random, "expertdb.local")
		if err != nil {
			return nil, fmt.Errorf("expertdb: new service: generate signing key: %w", err)
		}
		if signer, err = note.NewSigner(skey); err != nil {
			return nil, fmt.Errorf("expertdb: new service: signing key: %w", err)
		}
		if s.verifier, err = note.NewVerifier(vkey); err != nil {
			return nil, fmt.Errorf("expertdb: new service: verifier key: %w", err)
		}
	}
	store := o.Audit
	if store == nil {
		store = audit.NewMemoryStore()
	}
	var err error
	if s.log, err = audit.NewLog(ctx, store, signer); err != nil {
		return nil, fmt.Errorf("expertdb: new service: audit log: %w", err)
	}
	if s.perms, err = audit.NewPermissions(s.policy.Permissions, o.Users...); err != nil {
		return nil, fmt.Errorf("expertdb: new service: permissions: %w", err)
	}
	if s.alerter, err = audit.NewAlerter(s.policy.Alerts); err != nil {
		return nil, fmt.Errorf("expertdb: new service: alerts: %w", err)
	}
	// Permission changes recorded by earlier runs take effect again.
	if err := s.replayPermissionChanges(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Users returns the registered users as they stand (bootstrap users and every permission
// change replayed from the verified log, Art. 18).
func (s *Service) Users() []audit.User { return s.perms.Users() }

// Policy returns the policy the Service applies.
func (s *Service) Policy() *Policy { return s.policy }

// Log returns the audit log, for queries, proofs and checkpoints.
func (s *Service) Log() *audit.Log { return s.log }

// Verifier returns the verifier of the Service's generated signing key, or nil when
// Options.Signer was given (its owner holds the verifier).
func (s *Service) Verifier() note.Verifier { return s.verifier }

// Checkpoint returns a signed checkpoint of the audit log.
func (s *Service) Checkpoint(ctx context.Context) ([]byte, error) { return s.log.Checkpoint(ctx) }

// ChangePermissions registers, changes or revokes a user (Art. 18, 20, 21); it needs an
// approver other than the requester and is recorded in the audit log.
func (s *Service) ChangePermissions(ctx context.Context, c audit.Change) error {
	if c.At.IsZero() {
		c.At = s.clock()
	}
	if _, err := s.perms.Change(ctx, s.log, c); err != nil {
		return &OpError{Op: "change permissions", Step: StepAuthorize, Err: err}
	}
	return nil
}

func (s *Service) replayPermissionChanges(ctx context.Context) error {
	res, err := s.log.Query(ctx, audit.Query{Action: audit.ActionPermissionChange})
	if err != nil {
		return fmt.Errorf("expertdb: new service: read permission changes: %w", err)
	}
	for _, m := range res.Matches {
		if err := s.perms.Replay(m.Event); err != nil {
			return fmt.Errorf("expertdb: new service: replay permission change %d: %w", m.Index, err)
		}
	}
	return nil
}

// Steps of an operation, as named in an OpError.
const (
	StepAuthorize = "authorize" // permission check (Art. 18)
	StepValidate  = "validate"  // input and the pure domain function
	StepLoad      = "load"      // reading stores
	StepPersist   = "persist"   // writing stores
	StepAudit     = "audit"     // appending the audit event (Art. 17)
	StepNotify    = "notify"    // sending notices (Art. 14(2))
)

// OpError reports which step of a Service operation failed. It unwraps to the cause, so
// errors.Is(err, audit.ErrDenied), errors.As(err, *admission.RefusalError) etc. still work.
type OpError struct {
	Op   string // the operation, e.g. "draw"
	Step string // one of the Step… constants
	Err  error
}

// Error implements error.
func (e *OpError) Error() string {
	return "expertdb: " + e.Op + ": " + e.Step + ": " + strings.TrimPrefix(e.Err.Error(), "expertdb: ")
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// authorize enforces the permission and records a denial in the log.
func (s *Service) authorize(ctx context.Context, op string, at time.Time, actor audit.Actor, action audit.Action, res audit.Resource) error {
	if _, err := s.perms.Enforce(ctx, s.log, at, actor, action, res); err != nil {
		s.raiseAlerts(ctx, at)
		return &OpError{Op: op, Step: StepAuthorize, Err: err}
	}
	return nil
}

// deny refuses an operation for a rule the Service itself enforces (beyond the policy's
// permission rules) and records the refusal like every other denial (Art. 18).
func (s *Service) deny(ctx context.Context, op string, at time.Time, d audit.Decision) error {
	d.Allowed = false
	err := d.Err()
	if ev, ok := d.Event(at); ok {
		if _, aerr := s.log.Append(ctx, ev); aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	return &OpError{Op: op, Step: StepAuthorize, Err: err}
}

// record appends one audit event whose Data is the JSON of data, then runs the alert rules.
func (s *Service) record(ctx context.Context, at time.Time, actor audit.Actor, action audit.Action, data any, subjects ...string) (int64, error) {
	raw, err := s.eventData(data)
	if err != nil {
		return 0, err
	}
	idx, err := s.log.Append(ctx, audit.Event{At: at, Actor: actor, Action: action, Subjects: subjects, Data: raw})
	if err != nil {
		return 0, err
	}
	s.raiseAlerts(ctx, at)
	return idx, nil
}

// raiseAlerts feeds the events appended since the last call (by this Service or any other
// writer of the log) to the policy's alert rules (Art. 17, 21, 22) and appends an alert
// event for each rule that fires, so the discipline office finds them with the action "alert".
// The operation that triggered it has already been recorded and is not failed by its alerts:
// an alert that cannot be read or written now stays pending and is retried with the next
// operation.
func (s *Service) raiseAlerts(ctx context.Context, at time.Time) {
	s.alertMu.Lock()
	defer s.alertMu.Unlock()
	if alerts, next, err := s.alerter.Scan(ctx, s.log, s.alertNext); err == nil {
		s.alertNext = next
		s.pending = append(s.pending, alerts...)
	}
	for len(s.pending) > 0 {
		if _, err := s.log.Append(ctx, s.pending[0].Event(at, alertActor)); err != nil {
			return
		}
		s.pending = s.pending[1:]
	}
}

// Admit admits an expert on an application the acting officer has reviewed (Art. 5, 6, 11):
// a thin wrapper of admission.DecideAdmission with the actor as the reviewer who approves.
// History is written by the Service, never taken from the client: the application's
// Entries, Exits, status and record reviews are dropped and the person's history is read
// from the database by the normalised ID number (one person, one record). A division's
// invitation needs the approve permission as well (Art. 6(2) 经处室领导审核同意): a clerk
// submits it (SubmitApplication) and the head decides (ReviewApplication). The actor may not
// admit themselves. The applicant is sent the decision's notice (Art. 6(1)). A refusal is an
// *admission.RefusalError (or *admission.ValidationError) wrapped in an *OpError, and is
// recorded in the log with its findings.
func (s *Service) Admit(ctx context.Context, actor audit.Actor, app admission.Application) (admission.Expert, error) {
	const op = "admit"
	now := s.clock()
	res := admissionResource(app)
	if err := s.authorize(ctx, op, now, actor, audit.ActionAdmission, res); err != nil {
		return admission.Expert{}, err
	}
	if app.Channel == admission.ChannelInvitation {
		if err := s.authorize(ctx, op, now, actor, audit.ActionApprove, res); err != nil {
			return admission.Expert{}, err
		}
	}
	if err := s.separate(ctx, op, now, actor, audit.ActionAdmission, res, app.Expert.ID, "", app.Channel.Article()); err != nil {
		return admission.Expert{}, err
	}
	app = untrusted(app)
	if app.Invitation != nil {
		app.Invitation.ApprovedBy, app.Invitation.ApprovedAt = actor.Name, now
	}
	dec, err := s.decideAdmission(ctx, op, actor, app, admission.Review{Reviewer: actor.Name, Approve: true}, now, false)
	if err != nil {
		return admission.Expert{}, err
	}
	return dec.Expert, nil
}

// expertView is e as actor may see it: in full for a role with personal-data rights over e
// (or the expert themselves), de-identified otherwise (Art. 19, 20).
func (s *Service) expertView(actor audit.Actor, e admission.Expert) admission.Expert {
	d, _ := s.perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert, ID: e.ID, Owner: e.ID, Personal: true})
	if d.Allowed {
		return e
	}
	return audit.Redact(e)
}

// commitExpert stores e and appends ev as one unit of work.
func (s *Service) commitExpert(ctx context.Context, e admission.Expert, ev audit.Event) error {
	return s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.putExpert(ctx, e)
	})
}

// refusalSummary keeps the codes and articles of a refusal, never the submitted values.
func refusalSummary(err error) any {
	var re *admission.RefusalError
	if errors.As(err, &re) {
		return re.Findings
	}
	var ve *admission.ValidationError
	if errors.As(err, &ve) {
		codes := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			codes[i] = f.Field + ":" + f.Code
		}
		return codes
	}
	return "refused"
}

// Exit takes an expert out of the database for a ground of Art. 10(2)–(5), decided by the
// city bureau with reason and evidence (Art. 11): a thin wrapper of admission.DecideExit with
// the actor as the decider, x.Note as the grounds and x.Evidence as the evidence. Only the
// bureau may (the exit permission over the expert, not as its owner): an expert leaves on
// their own request through RequestExit and ReviewExitRequest, and an exit on request given
// here is refused ("exit-on-request-is-an-application"). The expert is sent the decision's
// notice.
func (s *Service) Exit(ctx context.Context, actor audit.Actor, expertID string, x admission.Exit) (admission.Expert, error) {
	const op = "exit"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, ID: expertID}
	if err := s.authorize(ctx, op, now, actor, audit.ActionExit, res); err != nil {
		return admission.Expert{}, err
	}
	if err := s.separate(ctx, op, now, actor, audit.ActionExit, res, expertID, "", "Art. 11"); err != nil {
		return admission.Expert{}, err
	}
	prev, err := s.experts.Get(ctx, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	dec, err := admission.DecideExit(prev, admission.ExitCase{Reason: x.Reason, Grounds: x.Note, Evidence: x.Evidence,
		DecidedBy: actor.Name, Date: x.Date}, now)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	last := dec.Exit
	ev, err := s.event(now, actor, audit.ActionExit, map[string]any{"kind": "expert", "reason": last.Reason,
		"article": last.Reason.Article(), "approved_by": last.ApprovedBy, "evidence": len(last.Evidence)}, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	if err := s.commitDecision(ctx, ev, dec, "", actor, now); err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	s.sendNotice(ctx, actor, dec.Notice, prev.Mobile, prev.Name, now)
	return s.expertView(actor, dec.Expert), nil
}

// ViewExpert returns one expert's profile. Users whose role may see personal data get it in
// full; everyone else gets the de-identified profile (audit.Redact, Art. 20). Either way the
// viewing is recorded (信息查看, Art. 17).
func (s *Service) ViewExpert(ctx context.Context, actor audit.Actor, expertID string) (admission.Expert, error) {
	const op = "view expert"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, ID: expertID, Owner: expertID, Personal: true}
	full, _ := s.perms.Authorize(actor, audit.ActionView, res)
	if !full.Allowed {
		res.Personal = false
		if err := s.authorize(ctx, op, now, actor, audit.ActionView, res); err != nil {
			return admission.Expert{}, err
		}
	}
	e, err := s.experts.Get(ctx, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if !full.Allowed {
		e = audit.Redact(e)
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "expert", "personal": full.Allowed}, expertID); err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return e, nil
}

// Export provides de-identified profiles of the given experts (Art. 20, 22); the export and
// its size are recorded.
func (s *Service) Export(ctx context.Context, actor audit.Actor, ids []string) ([]admission.Expert, error) {
	const op = "export"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, Unit: actor.Unit, Count: len(ids)}
	if err := s.authorize(ctx, op, now, actor, audit.ActionExport, res); err != nil {
		return nil, err
	}
	out := make([]admission.Expert, 0, len(ids))
	for _, id := range ids {
		e, err := s.experts.Get(ctx, id)
		if err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		out = append(out, audit.Redact(e))
	}
	if _, err := s.record(ctx, now, actor, audit.ActionExport, map[string]any{"kind": "expert", "count": len(ids), "redacted": true}, ids...); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return out, nil
}

// Rate records the using unit's rating of an expert who served on a panel (Art. 25). The
// Service checks it against its own record: requestID must name a real draw (not a
// practice draw, DrawRecord.Practice, nor a voided request), the expert must have accepted a
// seat on its campaign, the activity date must have passed, and the actor must be a user of
// the using unit. The
// rating's activity, unit, activity date and time are set by the Service from the record
// (whatever r says); r gives the expert, the grades and the comment (Art. 21: a poor grade
// needs its reason). The rating counts in the activity's year. A seat recorded as a no-show
// or an excused absence (RecordAttendance) is not rated (evaluation code not-attended).
func (s *Service) Rate(ctx context.Context, actor audit.Actor, requestID string, r evaluation.Rating) error {
	const op = "rate"
	now := s.clock()
	rec, c, _, err := s.loadCampaign(ctx, requestID)
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRating, ID: requestID, Owner: r.ExpertID, Unit: rec.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionRating, res); err != nil {
		return err
	}
	if actor.Unit != rec.Unit {
		return s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 25", Code: "other-unit",
			Message: "只有使用单位（" + rec.Unit + "）的用户可以评价参加其活动的专家", Actor: actor, Action: audit.ActionRating, Resource: res})
	}
	refuse := func(msg string) error {
		err := fmt.Errorf("%w: %s (Art. 25)", ErrNotRateable, msg)
		if _, aerr := s.record(ctx, now, actor, audit.ActionRating, map[string]any{"kind": "rating", "outcome": "refused"}, requestID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	st, err := s.loadRequest(ctx, requestID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	switch {
	case rec.Practice:
		return refuse("练习抽取不是正式抽取，不能据此评价专家")
	case st != nil && st.Status == RequestVoided:
		return refuse("该抽取申请已作废，活动未按此抽取举行，不能评价")
	case now.Before(rec.Request.At):
		// Answered before the seat question: before the activity a sealed panel (Art. 8(6),
		// 22(3)) gives members and non-members the same answer.
		return refuse("活动尚未举行，不能评价")
	case seatStatus(c, r.ExpertID) != selection.SeatAccepted:
		return refuse("该专家没有在本次抽取中接受邀请参加活动，不能评价")
	}
	r.ActivityID, r.RaterUnit, r.ActivityAt, r.At = requestID, rec.Unit, rec.Request.At, now
	p := evaluation.Participation{ActivityID: requestID, OrganizerUnit: rec.Unit, ExpertID: r.ExpertID,
		Date: rec.Request.At, Attendance: evaluation.Attended}
	if att, ok, err := s.recordedAttendance(ctx, requestID, r.ExpertID); err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	} else if ok {
		p.Attendance = att // a no-show or an excused absence is not rated (Art. 8(2), 25)
	}
	if err := s.policy.Evaluation.ValidateRating(r, p); err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	ev, err := s.event(now, actor, audit.ActionRating, map[string]any{"kind": "rating", "activity": r.ActivityID,
		"grade": r.Grade.String(), "year": r.Year()}, r.ExpertID, r.ActivityID)
	if err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	// The rating is the unit's only write and comes after the staged event: a store without
	// undo needs none.
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.ratings.Add(ctx, r)
	})
	if err != nil {
		return &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return nil
}

// ErrNotRateable is wrapped when a rating does not rest on a seat of a real draw: a
// practice draw, an expert who did not accept, or an activity not held yet (Art. 25).
var ErrNotRateable = errors.New("expertdb: no served seat to rate")
