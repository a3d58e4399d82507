package expertdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// Streams of the EventStore kept by the admission and exit operations.
func applicationStream(expertID string) string { return "application/" + expertID }
func exitRequestStream(expertID string) string { return "exit-request/" + expertID }
func noticeStream(expertID string) string      { return "notices/" + expertID }

// pendingRecord is one step of an application (admission or exit) awaiting review: "submitted"
// opens it, "decided" closes it.
type pendingRecord struct {
	Step        string                 `json:"step"`
	By          string                 `json:"by"` // the acting user's ID (the submitter, or the reviewer)
	At          time.Time              `json:"at"`
	Application *admission.Application `json:"application,omitempty"`
	ExitRequest *admission.ExitRequest `json:"exit_request,omitempty"`
	Approved    bool                   `json:"approved,omitempty"`
}

// noticeRecord is one change of a decision notice's delivery state (stream notices/<expert>):
// a queued notice (no Seq), or a delivery of the queued notice at position Seq.
type noticeRecord struct {
	Notice admission.Notice `json:"notice"`
	Seq    *int64           `json:"seq,omitempty"`
	Status string           `json:"status"`
	At     time.Time        `json:"at"`
}

// personRecords returns the records the database holds for e's person (same normalised ID
// number) and the record stored under e's expert ID, through ExpertsByIDNumber when the
// store has it, else by reading every record.
func (s *Service) personRecords(ctx context.Context, e admission.Expert) ([]admission.Expert, error) {
	var out []admission.Expert
	if f, ok := s.experts.(ExpertsByIDNumber); ok {
		var err error
		if id, valid := admission.NormalizeIDNumber(e.IDNumber); valid {
			if out, err = f.FindByIDNumber(ctx, id); err != nil {
				return nil, err
			}
		}
		own, err := s.experts.Get(ctx, e.ID)
		switch {
		case err == nil:
			for _, x := range out {
				if x.ID == own.ID {
					return out, nil
				}
			}
			out = append(out, own)
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
		return out, nil
	}
	all, err := s.experts.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		if x.ID == e.ID || admission.SamePerson(e, x) {
			out = append(out, x)
		}
	}
	return out, nil
}

// lastPending reads stream and returns its last record and length.
func (s *Service) lastPending(ctx context.Context, stream string) (pendingRecord, int64, error) {
	raw, err := s.events.Events(ctx, stream)
	if err != nil || len(raw) == 0 {
		return pendingRecord{}, int64(len(raw)), err
	}
	var r pendingRecord
	if err := json.Unmarshal(raw[len(raw)-1], &r); err != nil {
		return pendingRecord{}, 0, fmt.Errorf("expertdb: %s: record %d: %w", stream, len(raw)-1, err)
	}
	return r, int64(len(raw)), nil
}

// appendJSON appends v as the next record of stream in the unit of work of ctx.
func (s *Service) appendJSON(ctx context.Context, stream string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	have, err := s.events.Events(ctx, stream)
	if err != nil {
		return err
	}
	return s.appendEvent(ctx, stream, int64(len(have)), raw)
}

// DecisionNotifier is the optional capability of a Notifier to send decision notices (Art.
// 6(1) 将结果及时告知专家; exits, Art. 11): the outcome of an application or an exit, with its
// reasons. Every decision notice is queued in the expert's notice outbox (stream
// "notices/<expert ID>", read through Service.Notices) in the decision's unit of work and
// sent after the unit commits, its delivery recorded (a notify event, the mobile masked). A
// failed send fails nothing: the notice stays pending (PendingNotices) and DeliverNotices
// sends it again. Without this capability notices stay queued, listed as pending, never
// dropped.
type DecisionNotifier interface {
	NotifyDecision(ctx context.Context, n DecisionNotification) error
}

// DecisionNotification is one decision notice to send. ID identifies the notice (the same on
// every attempt), so that a gateway can drop a repeat: delivery is at least once.
type DecisionNotification struct {
	ID         string
	ExpertID   string
	MaskedName string
	Mobile     string
	Subject    string
	Text       string
}

// RecordingDecisionNotifier is a Notifier that also records decision notices (for tests and
// examples); it sends nothing.
type RecordingDecisionNotifier struct {
	RecordingNotifier
	mu        sync.Mutex
	decisions []DecisionNotification
}

var _ DecisionNotifier = (*RecordingDecisionNotifier)(nil)

// NotifyDecision records n.
func (r *RecordingDecisionNotifier) NotifyDecision(_ context.Context, n DecisionNotification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decisions = append(r.decisions, n)
	return nil
}

// Decisions returns the decision notices recorded so far, in order.
func (r *RecordingDecisionNotifier) Decisions() []DecisionNotification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.decisions)
}

// sendNotice delivers, after the unit of work that queued n has committed, the pending
// decision notices of n's expert (n and any earlier one still pending) through the outbox
// (deliverNoticesOf). The contact is read from the store at send time; mobile and name are
// not used (kept for the callers' signature).
func (s *Service) sendNotice(ctx context.Context, actor audit.Actor, n admission.Notice, _, _ string, now time.Time) {
	_, _, _ = s.deliverNoticesOf(ctx, actor, n.ExpertID, now) // what is not sent stays pending
}

// separate refuses a reviewer who is the person concerned or who submitted what is reviewed
// (Art. 6, 11: the review is the bureau's, by someone other than the applicant and the clerk
// who entered the application).
func (s *Service) separate(ctx context.Context, op string, now time.Time, actor audit.Actor, action audit.Action,
	res audit.Resource, expertID, submitter, article string) error {
	d := audit.Decision{Actor: actor, Action: action, Resource: res, Article: article}
	switch {
	case actor.ID == expertID:
		d.Code, d.Message = "reviewer-is-applicant", "申请人不得审核本人的申请，请由市科技局其他审核人办理"
	case submitter != "" && actor.ID == submitter:
		d.Code, d.Message = "reviewer-is-submitter", "提交申请的经办人不得审核同一申请，请由其他审核人办理"
	default:
		return nil
	}
	return s.deny(ctx, op, now, d)
}

// admissionResource is what an admission operation touches: the applicant's profile, and for
// a division's invitation the inviting division (Art. 6(2)).
func admissionResource(app admission.Application) audit.Resource {
	res := audit.Resource{Kind: audit.KindExpert, ID: subjectID(app.Expert.ID), Personal: true}
	if app.Channel == admission.ChannelInvitation && app.Invitation != nil {
		res.Unit = app.Invitation.Division
	}
	return res
}

// untrusted strips from an application what the client may not set: the admission history,
// exits and status (the Service writes history, Art. 6, 11), the bureau's reviews of
// integrity records, and a division head's approval (given through the Service, by the head).
func untrusted(app admission.Application) admission.Application {
	e := app.Expert
	e.Entries, e.Exits, e.Status = nil, nil, admission.Pending
	e.Records = append([]admission.Record(nil), e.Records...)
	for i := range e.Records {
		e.Records[i].Review = nil
	}
	if id, ok := admission.NormalizeIDNumber(e.IDNumber); ok {
		e.IDNumber = id
	}
	app.Expert = e
	if app.Invitation != nil {
		inv := *app.Invitation
		inv.ApprovedBy, inv.ApprovedAt = "", time.Time{}
		app.Invitation = &inv
	}
	return app
}

// SubmitApplication stores an application for admission (Art. 6) as pending review: the
// applicant's profile is stored with status Pending (not drawable) and the application with
// its channel's evidence kept for the reviewer. History, exits, record reviews and an
// invitation's approval sent by the client are dropped (the Service writes them). It refuses
// at once, with an *admission.RefusalError, a second record of the same person (一人一档,
// admission.OnePersonOneRecord), an expert already in the database, and a second pending
// application. The actor is the submitting clerk (city bureau; a division for its own
// invitations); ReviewApplication decides, by somebody else.
func (s *Service) SubmitApplication(ctx context.Context, actor audit.Actor, app admission.Application) (admission.Expert, error) {
	const op = "submit application"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionAdmission, admissionResource(app)); err != nil {
		return admission.Expert{}, err
	}
	app = untrusted(app)
	if err := admission.Validate(app.Expert); err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	existing, err := s.personRecords(ctx, app.Expert)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	last, _, err := s.lastPending(ctx, applicationStream(app.Expert.ID))
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	fs := admission.OnePersonOneRecord(app.Expert, existing)
	var stored *admission.Expert
	for i := range existing {
		if existing[i].ID == app.Expert.ID {
			stored = &existing[i]
		}
	}
	if stored != nil && stored.Status == admission.Active {
		fs = append(fs, admission.Finding{Article: "Art. 6", Code: "already-active", Message: "该专家已在库，无需重复入库"})
	}
	if last.Step == "submitted" {
		fs = append(fs, admission.Finding{Article: "Art. 6", Code: "application-pending", Message: "该专家已有待审核的入库申请，请等待审核结果"})
	}
	if len(fs) > 0 {
		err := &admission.RefusalError{Op: "application", Findings: fs}
		if _, aerr := s.record(ctx, now, actor, audit.ActionAdmission,
			map[string]any{"kind": "application", "outcome": "refused", "channel": app.Channel, "refusal": refusalSummary(err)},
			subjectID(app.Expert.ID)); aerr != nil {
			return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: errors.Join(err, aerr)}
		}
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	ev, err := s.event(now, actor, audit.ActionAdmission,
		map[string]any{"kind": "application", "outcome": "submitted", "channel": app.Channel}, app.Expert.ID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	e := app.Expert
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if stored == nil { // a returning person keeps their record (and its status) until decided
			e.UpdatedAt = now
			if err := s.putExpert(ctx, e); err != nil {
				return err
			}
		}
		return s.appendJSON(ctx, applicationStream(e.ID), pendingRecord{Step: "submitted", By: actor.ID, At: now, Application: &app})
	})
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	if stored != nil {
		e = *stored
	}
	return s.expertView(actor, e), nil
}

// ReviewApplication decides the pending application of expertID (Art. 6) through
// admission.DecideAdmission: the reviewer is the acting user (never a name the client sends),
// who may be neither the applicant nor the clerk who submitted it; a division's invitation is
// approved by a user with the approve permission over the division (its head, Art. 6(2):
// 经处室领导审核同意), every other channel by the city bureau. The person's history comes from
// the database. The decision and its notice (with every reason, Art. 6(1) 及时告知) are stored
// with the audit event in one unit of work; the notice is then sent to the applicant. An
// approval of an applicant who does not qualify is refused (an *admission.RefusalError) and
// leaves the application pending.
func (s *Service) ReviewApplication(ctx context.Context, actor audit.Actor, expertID string, rev admission.Review) (admission.AdmissionDecision, error) {
	const op = "review application"
	now := s.clock()
	last, _, err := s.lastPending(ctx, applicationStream(expertID))
	if err != nil {
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	var app admission.Application
	if last.Step == "submitted" && last.Application != nil {
		app = *last.Application
	} else {
		app = admission.Application{Expert: admission.Expert{ID: expertID}}
	}
	res := admissionResource(app)
	action := audit.ActionAdmission
	if app.Channel == admission.ChannelInvitation {
		action = audit.ActionApprove
	}
	if err := s.authorize(ctx, op, now, actor, action, res); err != nil {
		return admission.AdmissionDecision{}, err
	}
	submitter := ""
	if last.Step == "submitted" {
		submitter = last.By
	}
	if err := s.separate(ctx, op, now, actor, action, res, expertID, submitter, app.Channel.Article()); err != nil {
		return admission.AdmissionDecision{}, err
	}
	if last.Step != "submitted" {
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: StepLoad,
			Err: fmt.Errorf("%w: no application of %q awaiting review", ErrNotFound, expertID)}
	}
	if app.Invitation != nil {
		app.Invitation.ApprovedBy, app.Invitation.ApprovedAt = actor.Name, now
	}
	return s.decideAdmission(ctx, op, actor, app, admission.Review{Reviewer: actor.Name, Approve: rev.Approve, Reasons: rev.Reasons}, now, true)
}

// decideAdmission runs DecideAdmission over the person's records and stores the decision, its
// audit event (action admission, the reviewer and the codes of every finding) and its notice
// as one unit of work, then sends the notice. closePending also closes the application.
func (s *Service) decideAdmission(ctx context.Context, op string, actor audit.Actor, app admission.Application,
	rev admission.Review, now time.Time, closePending bool) (admission.AdmissionDecision, error) {
	existing, err := s.personRecords(ctx, app.Expert)
	if err != nil {
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	dec, err := admission.DecideAdmission(app, existing, rev, now, s.policy.Admission)
	if err != nil {
		if _, aerr := s.record(ctx, now, actor, audit.ActionAdmission,
			map[string]any{"kind": "expert", "outcome": "refused", "channel": app.Channel, "refusal": refusalSummary(err)},
			subjectID(app.Expert.ID)); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	outcome := "refused"
	if dec.Admitted {
		outcome = "admitted"
	}
	codes := make([]string, len(dec.Findings))
	for i, f := range dec.Findings {
		codes[i] = f.Code + " (" + f.Article + ")"
	}
	ev, err := s.event(now, actor, audit.ActionAdmission, map[string]any{"kind": "expert", "outcome": outcome,
		"channel": app.Channel, "categories": dec.Expert.Categories, "reviewer": dec.Reviewer, "findings": codes}, dec.Expert.ID)
	if err != nil {
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if dec.Admitted || !existsIn(existing, dec.Expert.ID) {
			if err := s.putExpert(ctx, dec.Expert); err != nil {
				return err
			}
		}
		if closePending {
			if err := s.appendJSON(ctx, applicationStream(dec.Expert.ID),
				pendingRecord{Step: "decided", By: actor.ID, At: now, Approved: dec.Admitted}); err != nil {
				return err
			}
		}
		return s.queueNotice(ctx, dec.Notice, now)
	})
	if err != nil {
		return admission.AdmissionDecision{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	s.sendNotice(ctx, actor, dec.Notice, dec.Expert.Mobile, dec.Expert.Name, now)
	dec.Expert = s.expertView(actor, dec.Expert)
	return dec, nil
}

func existsIn(xs []admission.Expert, id string) bool {
	for _, x := range xs {
		if x.ID == id {
			return true
		}
	}
	return false
}

// RequestExit stores an expert's own application to leave the database (Art. 10(1), 11:
// 专家可通过专家库系统主动申请出库) as pending the city bureau's decision
// (ReviewExitRequest). The expert stays in the database until then. The actor is the expert
// (or a clerk entering a written request); the request's time is the Service's clock.
func (s *Service) RequestExit(ctx context.Context, actor audit.Actor, req admission.ExitRequest) error {
	const op = "request exit"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionExit,
		audit.Resource{Kind: audit.KindExpert, ID: req.ExpertID, Owner: req.ExpertID}); err != nil {
		return err
	}
	req.RequestedAt = now
	e, err := s.experts.Get(ctx, req.ExpertID)
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	last, _, err := s.lastPending(ctx, exitRequestStream(req.ExpertID))
	if err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	var fs []admission.Finding
	if e.Status != admission.Active {
		fs = append(fs, admission.Finding{Article: "Art. 10", Code: "not-active", Message: "该专家不在库，无法申请出库"})
	}
	if last.Step == "submitted" {
		fs = append(fs, admission.Finding{Article: "Art. 11", Code: "exit-request-pending", Message: "已有待审核的出库申请，请等待市科技部门审核"})
	}
	if len(fs) > 0 {
		return &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "exit", Findings: fs}}
	}
	ev, err := s.event(now, actor, audit.ActionExit, map[string]any{"kind": "exit-request", "outcome": "requested",
		"article": admission.ExitOnRequest.Article()}, req.ExpertID)
	if err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.appendJSON(ctx, exitRequestStream(req.ExpertID), pendingRecord{Step: "submitted", By: actor.ID, At: now, ExitRequest: &req})
	})
	if err != nil {
		return &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return nil
}

// ReviewExitRequest decides an expert's pending exit request (Art. 11: 由市科技部门审核同意后
// 予以出库) through admission.DecideExitRequest. Only the city bureau decides (the exit
// permission over the expert, not as its owner): an expert cannot approve their own exit,
// nor the clerk who entered the request. The decision, its audit event and its notice are one
// unit of work; the notice is then sent to the expert.
func (s *Service) ReviewExitRequest(ctx context.Context, actor audit.Actor, expertID string, rev admission.Review) (admission.ExitDecision, error) {
	const op = "review exit request"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, ID: expertID}
	if err := s.authorize(ctx, op, now, actor, audit.ActionExit, res); err != nil {
		return admission.ExitDecision{}, err
	}
	last, _, err := s.lastPending(ctx, exitRequestStream(expertID))
	if err != nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	submitter := ""
	if last.Step == "submitted" {
		submitter = last.By
	}
	if err := s.separate(ctx, op, now, actor, audit.ActionExit, res, expertID, submitter, "Art. 11"); err != nil {
		return admission.ExitDecision{}, err
	}
	if last.Step != "submitted" || last.ExitRequest == nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: StepLoad,
			Err: fmt.Errorf("%w: no exit request of %q awaiting review", ErrNotFound, expertID)}
	}
	e, err := s.experts.Get(ctx, expertID)
	if err != nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	dec, err := admission.DecideExitRequest(e, *last.ExitRequest, admission.Review{Reviewer: actor.Name, Approve: rev.Approve, Reasons: rev.Reasons}, now)
	if err != nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	outcome := "refused"
	if dec.Approved {
		outcome = "approved"
	}
	ev, err := s.event(now, actor, audit.ActionExit, map[string]any{"kind": "exit-request", "outcome": outcome,
		"article": admission.ExitOnRequest.Article(), "approved_by": dec.Reviewer}, expertID)
	if err != nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	if err := s.commitDecision(ctx, ev, dec, exitRequestStream(expertID), actor, now); err != nil {
		return admission.ExitDecision{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	s.sendNotice(ctx, actor, dec.Notice, e.Mobile, e.Name, now)
	dec.Expert = s.expertView(actor, dec.Expert)
	return dec, nil
}

// commitDecision stores an exit decision (the expert when approved, the closing of a pending
// request when stream is not empty, the queued notice) with its event, as one unit of work.
func (s *Service) commitDecision(ctx context.Context, ev audit.Event, dec admission.ExitDecision, stream string, actor audit.Actor, now time.Time) error {
	return s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if dec.Approved {
			if err := s.putExpert(ctx, dec.Expert); err != nil {
				return err
			}
		}
		if stream != "" {
			if err := s.appendJSON(ctx, stream, pendingRecord{Step: "decided", By: actor.ID, At: now, Approved: dec.Approved}); err != nil {
				return err
			}
		}
		return s.queueNotice(ctx, dec.Notice, now)
	})
}

// Notices returns the decision notices queued for an expert, in order, each once however many
// delivery attempts it took (PendingNotices lists those not delivered yet). The expert and the
// city bureau may read them; reading is recorded.
func (s *Service) Notices(ctx context.Context, actor audit.Actor, expertID string) ([]admission.Notice, error) {
	const op = "notices"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionView,
		audit.Resource{Kind: audit.KindExpert, ID: expertID, Owner: expertID, Personal: true}); err != nil {
		return nil, err
	}
	raw, err := s.events.Events(ctx, noticeStream(expertID))
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	var out []admission.Notice
	for i, b := range raw {
		var r noticeRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: fmt.Errorf("expertdb: notice %d: %w", i, err)}
		}
		if r.Status == DeliveryQueued {
			out = append(out, r.Notice)
		}
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "notices", "count": len(out)}, expertID); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return out, nil
}

// CheckInvitee checks an expert the Service is about to seat as an invited (non-database)
// expert (Art. 12) against the Art. 5 basic conditions and the Art. 11 bar of their person,
// with the person's history from the database (admission.CheckInvitee). Draw calls it for
// every invited expert; it reads the store and is unexported so that it is not an operation.
func (s *Service) checkInvitee(ctx context.Context, e admission.Expert, now time.Time) ([]admission.Finding, error) {
	existing, err := s.personRecords(ctx, e)
	if err != nil {
		return nil, err
	}
	// The invitee's own expert ID is not in the database; a record under it is somebody's.
	return admission.CheckInvitee(e, existing, now, s.policy.Admission), nil
}

// eventData is the JSON of an audit event's data. Under a draft policy (no filing number,
// Policy.Draft) an object gets the field "draft": true, so that every event the Service
// writes under it says so (Art. 13: a county's rules apply once filed with the city).
func (s *Service) eventData(data any) (json.RawMessage, error) {
	raw, err := json.Marshal(data)
	if err != nil || !s.policy.Draft() || len(raw) < 2 || raw[0] != '{' {
		return raw, err
	}
	if string(raw) == "{}" {
		return json.RawMessage(`{"draft":true}`), nil
	}
	return append([]byte(`{"draft":true,`), raw[1:]...), nil
}

// subjectID is an applicant's expert ID as the audit log may name it: the ID itself when it is
// a valid expert ID (admission.ValidExpertID, which never looks like a mobile or an ID number),
// otherwise "invalid-id:" and the first 16 hex digits of its SHA-256, so that the refusal of
// an application whose ID is, say, a mobile number is still recorded (Art. 17), without the
// number (Art. 19, 20).
func subjectID(id string) string {
	if admission.ValidExpertID(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "invalid-id:" + hex.EncodeToString(sum[:8])
}
