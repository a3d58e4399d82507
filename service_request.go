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

// ApprovalStep names one approval or filing a request needs before it can be committed
// (Art. 13, 14(1), 28). Steps of an invitation chain name the invited expert:
// InvitationStep(id, role) and InvitationFiling(id).
type ApprovalStep string

// The approval steps of a request.
const (
	// ApproveRequest is the approval of the request itself (经报批同意, Art. 13), by a leader
	// (or the city bureau's administrator).
	ApproveRequest ApprovalStep = "request"
	// ApprovePlan is the deputy leader's approval of the preferential plan (Art. 14(1)).
	ApprovePlan ApprovalStep = "plan"
	// FilePlan is the filing of the plan with the discipline office (Art. 14(1)), recorded
	// by a user of the discipline office.
	FilePlan ApprovalStep = "plan-filing"
)

// InvitationStep is the step of the Art. 28 chain of role for the invited expert id.
func InvitationStep(id string, role selection.Role) ApprovalStep {
	return ApprovalStep("invitation/" + id + "/" + string(role))
}

// InvitationFiling is the filing of the invitation of id with the discipline office (Art. 28).
func InvitationFiling(id string) ApprovalStep { return ApprovalStep("invitation/" + id + "/filing") }

// ApprovalRoles are the roles that may take each kind of step (the last part of a step's
// name): the policy's reading of Art. 13, 14(1) and 28. A division-head step must
// moreover be taken by a leader of the request's own unit; a bureau-meeting step is the
// meeting's decision, recorded by the bureau's secretary (role city-admin).
var ApprovalRoles = map[string][]string{
	"request":                       {audit.RoleLeader, audit.RoleCityAdmin},
	"plan":                          {audit.RoleLeader},
	"plan-filing":                   {audit.RoleDiscipline},
	string(selection.DivisionHead):  {audit.RoleLeader},
	string(selection.DeputyLeader):  {audit.RoleLeader},
	string(selection.MainLeader):    {audit.RoleLeader},
	string(selection.BureauMeeting): {audit.RoleCityAdmin},
	"filing":                        {audit.RoleDiscipline},
}

// RequestStatus is where a request stands.
type RequestStatus string

// The statuses of a request.
const (
	RequestSubmitted RequestStatus = "submitted" // stored; may be amended; approvals pending
	RequestApproved  RequestStatus = "approved"  // every required step recorded; no more amendments
	RequestCommitted RequestStatus = "committed" // pool frozen and entropy source named
	RequestDrawn     RequestStatus = "drawn"     // drawn from the committed source's value
	RequestVoided    RequestStatus = "voided"    // voided with a reason and an approval
)

// RecordedApproval is one approval as the Service recorded it: the step, the registered
// user who took it and when, and the index of its audit event.
type RecordedApproval struct {
	Step       ApprovalStep `json:"step"`
	By         audit.Actor  `json:"by"`
	At         time.Time    `json:"at"`
	AuditIndex int64        `json:"audit_index"`
}

// RequestState is a request as the Service holds it (stream "request/<id>").
type RequestState struct {
	ID          string             `json:"id"`
	Request     DrawRequest        `json:"request"`
	SubmittedBy audit.Actor        `json:"submitted_by"`
	SubmittedAt time.Time          `json:"submitted_at"`
	Status      RequestStatus      `json:"status"`
	Approvals   []RecordedApproval `json:"approvals,omitempty"`
	Commitment  *Commitment        `json:"commitment,omitempty"`
	Value       *EnteredValue      `json:"value,omitempty"` // the committed source's value, as entered (PublishValue)
	VoidReason  string             `json:"void_reason,omitempty"`
	Amendments  int                `json:"amendments,omitempty"`
	version     int64              // events in the stream
}

// requestEntry is one event of a request stream.
type requestEntry struct {
	Kind       string            `json:"kind"` // submitted, amended, approved, committed, value-entered, drawn, voided
	At         time.Time         `json:"at"`
	By         audit.Actor       `json:"by"`
	Request    *DrawRequest      `json:"request,omitempty"`
	Approval   *RecordedApproval `json:"approval,omitempty"`
	Commitment *Commitment       `json:"commitment,omitempty"`
	Value      *EnteredValue     `json:"value,omitempty"`
	Reason     string            `json:"reason,omitempty"`
}

func requestStream(id string) string { return "request/" + id }

// activityKey is the activity a request draws for: the project and the activity's date
// (China Standard Time). One activity has one live request (Art. 14: no re-rolls).
func activityKey(q selection.Request) string {
	return "activity/" + q.Project.ID + "/" + q.At.UTC().Add(8*time.Hour).Format("2006-01-02")
}

// Errors of the request life cycle.
var (
	// ErrRequestState is wrapped when an operation does not fit the request's status
	// (amending an approved request, committing an unapproved one, drawing a voided one).
	ErrRequestState = errors.New("expertdb: request is not in a state that allows this")
	// ErrActivityTaken is wrapped when another live request exists for the same project
	// and activity date (Art. 14: one draw per activity until the first is voided).
	ErrActivityTaken = errors.New("expertdb: activity already has a request")
)

// loadRequest folds the request stream.
func (s *Service) loadRequest(ctx context.Context, id string) (*RequestState, error) {
	raw, err := s.events.Events(ctx, requestStream(id))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: request %q", ErrNotFound, id)
	}
	st := &RequestState{ID: id}
	for i, b := range raw {
		var e requestEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("expertdb: request %q event %d: %w", id, i, err)
		}
		st.apply(e)
	}
	return st, nil
}

// apply folds one event of the request stream into st.
func (st *RequestState) apply(e requestEntry) {
	st.version++
	switch e.Kind {
	case "submitted", "amended":
		st.Request = *e.Request
		if e.Kind == "submitted" {
			st.SubmittedBy, st.SubmittedAt = e.By, e.At
		} else {
			st.Amendments++
		}
		st.Status = RequestSubmitted
	case "approved":
		st.Approvals = append(st.Approvals, *e.Approval)
	case "committed":
		st.Commitment = e.Commitment
		st.Status = RequestCommitted
	case "value-entered":
		st.Value = e.Value
	case "drawn":
		st.Status = RequestDrawn
	case "voided":
		st.Status = RequestVoided
		st.VoidReason = e.Reason
	}
	if st.Status == RequestSubmitted && len(missingSteps(st)) == 0 {
		st.Status = RequestApproved
	}
}

// after is the state of st after e, as the actor's view (the frozen pool left out).
func (st *RequestState) after(e requestEntry) *RequestState {
	out := &RequestState{}
	if st != nil {
		*out = *st
		out.Approvals = slices.Clone(st.Approvals)
	}
	out.apply(e)
	if out.Commitment != nil {
		c := *out.Commitment
		c.Pool = selection.Pool{} // the frozen pool stays in the record (views by role)
		out.Commitment = &c
	}
	return out
}

// viewState is st as actor may see it: invitees de-identified for a role that may not read
// personal data (Art. 20), like the draw record's view.
func (s *Service) viewState(actor audit.Actor, st *RequestState) *RequestState {
	if st == nil || len(st.Request.Invited) == 0 || s.personalFor(actor) {
		return st
	}
	out := *st
	out.Request.Invited = slices.Clone(st.Request.Invited)
	for i := range out.Request.Invited {
		out.Request.Invited[i].Expert = audit.Redact(out.Request.Invited[i].Expert)
	}
	return &out
}

// requiredSteps lists the approvals a request needs (Art. 13, 14(1), 28).
func requiredSteps(q DrawRequest) []ApprovalStep {
	out := []ApprovalStep{ApproveRequest}
	if len(q.Preferred) > 0 {
		out = append(out, ApprovePlan, FilePlan)
	}
	for _, inv := range q.Invited {
		for _, r := range []selection.Role{selection.DivisionHead, selection.DeputyLeader, selection.MainLeader, selection.BureauMeeting} {
			out = append(out, InvitationStep(inv.Expert.ID, r))
		}
		out = append(out, InvitationFiling(inv.Expert.ID))
	}
	return out
}

func missingSteps(st *RequestState) []ApprovalStep {
	var out []ApprovalStep
	for _, step := range requiredSteps(st.Request) {
		if st.approval(step) == nil {
			out = append(out, step)
		}
	}
	return out
}

func (st *RequestState) approval(step ApprovalStep) *RecordedApproval {
	for i := range st.Approvals {
		if st.Approvals[i].Step == step {
			return &st.Approvals[i]
		}
	}
	return nil
}

// withApprovals fills the display fields of q's plan and invitations (Plan.ApprovedBy,
// Invitation.Approvals, …) from the recorded approvals: the pure checks of selection then
// read what registered people did, never text a caller typed.
func (st *RequestState) withApprovals(q selection.Request) selection.Request {
	if q.Plan != nil {
		pl := *q.Plan
		pl.ApprovedBy, pl.FiledWith, pl.At = "", "", time.Time{}
		if a := st.approval(ApprovePlan); a != nil {
			pl.ApprovedBy, pl.At = a.By.Name+"（"+a.By.ID+"）", a.At
		}
		if a := st.approval(FilePlan); a != nil {
			pl.FiledWith = a.By.Unit + "（" + a.By.ID + "）"
		}
		q.Plan = &pl
	}
	if len(q.Invited) > 0 {
		q.Invited = slices.Clone(q.Invited)
		for i := range q.Invited {
			inv := &q.Invited[i]
			inv.Approvals, inv.FiledWith, inv.FiledAt = nil, "", time.Time{}
			for _, r := range []selection.Role{selection.DivisionHead, selection.DeputyLeader, selection.MainLeader, selection.BureauMeeting} {
				if a := st.approval(InvitationStep(inv.Expert.ID, r)); a != nil {
					inv.Approvals = append(inv.Approvals, selection.Approval{Role: r, By: a.By.Name + "（" + a.By.ID + "）", At: a.At})
				}
			}
			if a := st.approval(InvitationFiling(inv.Expert.ID)); a != nil {
				inv.FiledWith, inv.FiledAt = a.By.Unit+"（"+a.By.ID+"）", a.At
			}
		}
	}
	return q
}

// textApprovals reports approval fields a caller filled in by hand: approvals are acts of
// registered people (Approve), never text.
func textApprovals(q DrawRequest) []string {
	var out []string
	if pl := q.Plan; pl != nil && (strings.TrimSpace(pl.ApprovedBy) != "" || strings.TrimSpace(pl.FiledWith) != "" || !pl.At.IsZero()) {
		out = append(out, "plan")
	}
	for _, inv := range q.Invited {
		if len(inv.Approvals) > 0 || strings.TrimSpace(inv.FiledWith) != "" || !inv.FiledAt.IsZero() {
			out = append(out, "invitation/"+inv.Expert.ID)
		}
	}
	return out
}

// Submit stores a draw request of the actor's unit (Art. 13), validated completely: the
// county's request rules are applied and the request is prepared (its expressions compile,
// its structure is coherent), so that a request that could never be drawn is refused now,
// not at the draw. A request with the ID of a stored one amends it while it awaits
// approval; an approved request cannot be amended. A second live request for the same
// project and activity date is refused (ErrActivityTaken) until the first is voided.
// Approvals and the entropy are not part of a request: they come from Approve and Commit.
func (s *Service) Submit(ctx context.Context, actor audit.Actor, req DrawRequest) (*RequestState, error) {
	const op = "submit"
	now := s.clock()
	if err := s.authorizeOwnRequest(ctx, op, now, actor, audit.ActionRequest, req, "只能提交本单位（"+actor.Unit+"）的抽取申请"); err != nil {
		return nil, err
	}
	if err := s.validateSubmission(req); err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	if err := s.checkInvitees(ctx, req.Request.Invited, now); err != nil {
		return nil, err
	}
	req.Entropy = nil
	prev, err := s.loadRequest(ctx, req.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		prev = nil
	case err != nil:
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	kind := "submitted"
	if prev == nil {
		if drawn, err := s.events.Events(ctx, drawStream(req.ID)); err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		} else if len(drawn) > 0 {
			return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 编号 %s 已用于一次抽取（练习抽取），请使用新的申请编号 (Art. 13)", ErrRequestState, req.ID)}
		}
	}
	if prev != nil {
		kind = "amended"
		if prev.Status != RequestSubmitted || len(prev.Approvals) > 0 {
			return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 已审批（%s），不能修改；如需变更，请作废后重新提交 (Art. 13)", ErrRequestState, req.ID, prev.Status)}
		}
		if activityKey(prev.Request.Request) != activityKey(req.Request) || prev.Request.Unit != req.Unit {
			return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 修改不能改变项目、活动日期或使用单位，请作废后重新提交 (Art. 13)", ErrRequestState)}
		}
	}
	activity := activityKey(req.Request)
	claims, err := s.events.Events(ctx, activity)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	holder, err := activityHolder(claims)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if holder != "" && holder != req.ID {
		err := fmt.Errorf("%w: 项目 %s 该日期的活动已有抽取申请 %s，须经审批作废后方可重新申请 (Art. 14, 22(5))", ErrActivityTaken, req.Project.ID, holder)
		if _, aerr := s.record(ctx, now, actor, audit.ActionRequest, map[string]any{"kind": "request", "outcome": "refused-activity-taken",
			"project": req.Project.ID, "holder": holder}, req.ID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	ev, err := s.event(now, actor, audit.ActionRequest, map[string]any{"kind": "request", "outcome": kind, "unit": req.Unit,
		"project": req.Project.ID, "size": req.Size, "preferred": len(req.Preferred), "invited": len(req.Invited)}, req.ID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	stored := req
	entry := requestEntry{Kind: kind, At: now, By: actor, Request: &stored}
	raw, err := json.Marshal(entry)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	var seq int64
	if prev != nil {
		seq = prev.version
	}
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, requestStream(req.ID), seq, raw); err != nil {
			return err
		}
		if holder == "" {
			claim, _ := json.Marshal(activityClaim{Kind: "claim", RequestID: req.ID, At: now})
			return s.appendEvent(ctx, activity, int64(len(claims)), claim)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			err = fmt.Errorf("%w: %w", ErrActivityTaken, err)
		}
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	view := prev.after(entry)
	view.ID = req.ID
	return s.viewState(actor, view), nil
}

// authorizeOwnRequest checks that actor may take action on req (and invite, when req
// invites experts) and is a user of req's unit: 谁使用、谁负责 (Art. 21), a request is
// submitted and drawn by the using unit itself, even by a city administrator; the refusal
// (msg) is recorded like every other denial (Art. 18).
func (s *Service) authorizeOwnRequest(ctx context.Context, op string, now time.Time, actor audit.Actor, action audit.Action, req DrawRequest, msg string) error {
	res := audit.Resource{Kind: audit.KindRequest, ID: req.ID, Unit: req.Unit}
	if err := s.authorize(ctx, op, now, actor, action, res); err != nil {
		return err
	}
	if len(req.Invited) > 0 {
		if err := s.authorize(ctx, op, now, actor, audit.ActionInvite, res); err != nil {
			return err
		}
	}
	if req.Unit != actor.Unit {
		return s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 13, 21", Code: "other-unit",
			Message: msg, Actor: actor, Action: action, Resource: res})
	}
	return nil
}

func (s *Service) loadRequestView(ctx context.Context, id string) (*RequestState, error) {
	st, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, &OpError{Op: "request", Step: StepLoad, Err: err}
	}
	if st.Commitment != nil {
		c := *st.Commitment
		c.Pool = selection.Pool{} // the frozen pool stays in the record (views by role)
		st.Commitment = &c
	}
	return st, nil
}

// Request returns the stored state of a request to a user who may view it; the viewing is
// recorded.
func (s *Service) Request(ctx context.Context, actor audit.Actor, requestID string) (*RequestState, error) {
	const op = "view request"
	now := s.clock()
	st, err := s.loadRequestView(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: st.Request.Unit}); err != nil {
		return nil, err
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "request", "status": st.Status}, requestID); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return s.viewState(actor, st), nil
}

type activityClaim struct {
	Kind      string    `json:"kind"` // claim or release
	RequestID string    `json:"request_id"`
	At        time.Time `json:"at"`
}

// activityHolder is the request holding an activity, "" when none.
func activityHolder(raw [][]byte) (string, error) {
	holder := ""
	for i, b := range raw {
		var c activityClaim
		if err := json.Unmarshal(b, &c); err != nil {
			return "", fmt.Errorf("expertdb: activity claim %d: %w", i, err)
		}
		if c.Kind == "claim" {
			holder = c.RequestID
		} else if c.RequestID == holder {
			holder = ""
		}
	}
	return holder, nil
}

// validateSubmission checks a request completely, as far as it can be without the pool.
func (s *Service) validateSubmission(req DrawRequest) error {
	if !validRequestID(req.ID) {
		return fmt.Errorf("expertdb: 抽取申请须有编号（不含“/”和控制字符） (Art. 13)")
	}
	if strings.TrimSpace(req.Project.ID) == "" {
		return fmt.Errorf("expertdb: 抽取申请须写明项目编号，用于回避审查和“一个活动一次抽取” (Art. 13, 15)")
	}
	if req.At.IsZero() {
		return fmt.Errorf("expertdb: 抽取申请须写明活动日期 (Art. 13)")
	}
	if req.Entropy != nil {
		return fmt.Errorf("expertdb: 抽取申请不能自带随机数；随机数来源在审批后由 Commit 指定为尚未产生的公开数值 (Art. 14(1), 22(5))")
	}
	if t := textApprovals(req); len(t) > 0 {
		return fmt.Errorf("expertdb: 审批和备案须由登记用户通过 Approve 办理，不能在申请中填写 (%s) (Art. 14(1), 28)", strings.Join(t, ", "))
	}
	if len(req.Preferred) > 0 && (req.Plan == nil || strings.TrimSpace(req.Plan.Reason) == "") {
		return fmt.Errorf("expertdb: 择优选取须附选取方案并写明选用理由 (Art. 14(1))")
	}
	applied, err := s.policy.Apply(req.Request, req.Labels...)
	if err != nil {
		return err
	}
	if _, err := selection.PrepareWith(applied, s.policy.Selection, selection.PrepareOptions{Masked: true}); err != nil {
		return err
	}
	return nil
}

func validRequestID(id string) bool {
	if strings.TrimSpace(id) == "" || len(id) > 128 || strings.Contains(id, "/") {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Approve records one approval step of a request by a registered user (Art. 13, 14(1),
// 28). The approver's role must be one ApprovalRoles names for the step, and the policy's
// permission rules must allow it to approve (the discipline office files: it may only view);
// no one approves a request they submitted, and no one takes two steps of one invitation chain.
// Steps of the invitation chain are taken in order (division head; deputy and main leaders
// in either order; the bureau meeting; the filing). Every approval and every refusal is
// audited.
func (s *Service) Approve(ctx context.Context, approver audit.Actor, requestID string, step ApprovalStep) (*RequestState, error) {
	const op = "approve"
	now := s.clock()
	st, err := s.loadRequest(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: st.Request.Unit}
	kind := string(step)
	if i := strings.LastIndexByte(kind, '/'); i >= 0 {
		kind = kind[i+1:]
	}
	roles, known := ApprovalRoles[kind]
	if !known || !slices.Contains(requiredSteps(st.Request), step) {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: 抽取申请 %s 没有审批环节 %q", requestID, step)}
	}
	action := audit.ActionApprove
	if kind == "plan-filing" || kind == "filing" {
		// The discipline office receives the filing: reading it is what its role may do.
		action = audit.ActionView
	}
	if err := s.authorize(ctx, op, now, approver, action, res); err != nil {
		return nil, err
	}
	denyf := func(code, art, msg string) error {
		return s.deny(ctx, op, now, audit.Decision{Rule: "approval-" + code, Article: art, Code: code, Message: msg,
			Actor: approver, Action: audit.ActionApprove, Resource: res})
	}
	if !slices.Contains(roles, approver.Role) {
		return nil, denyf("approval-role", "Art. 13, 14(1), 28", fmt.Sprintf("审批环节 %s 须由 %s 办理", step, strings.Join(roleLabels(roles), "或")))
	}
	if kind == string(selection.DivisionHead) && approver.Unit != st.Request.Unit {
		return nil, denyf("approval-unit", "Art. 28", "处室负责人审批须由申请处室（"+st.Request.Unit+"）的负责人办理")
	}
	if approver.ID == st.SubmittedBy.ID {
		return nil, denyf("self-approval", "Art. 13, 21", "不得审批本人提交的抽取申请")
	}
	if chain, ok := strings.CutPrefix(string(step), "invitation/"); ok {
		// The steps of one invitation chain are taken by different people (Art. 28).
		prefix := "invitation/" + chain[:strings.LastIndexByte(chain, '/')+1]
		for _, a := range st.Approvals {
			if a.By.ID == approver.ID && strings.HasPrefix(string(a.Step), prefix) {
				return nil, denyf("same-approver", "Art. 21, 28", "特邀专家的审批链各环节须由不同的人办理")
			}
		}
	}
	switch {
	case st.Status != RequestSubmitted && st.Status != RequestApproved:
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 为 %s，不能再审批", ErrRequestState, requestID, st.Status)}
	case st.approval(step) != nil:
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 审批环节 %s 已办理", ErrRequestState, step)}
	}
	if msg := stepOrderProblem(st, step); msg != "" {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: %s (Art. 14(1), 28)", msg)}
	}
	a := RecordedApproval{Step: step, By: approver, At: now}
	ev, err := s.event(now, approver, audit.ActionApprove, map[string]any{"kind": "request", "step": string(step), "role": approver.Role}, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	var entry requestEntry
	err = s.recordRequestEntry(ctx, requestID, st.version, ev, func(idx int64) requestEntry {
		a.AuditIndex = idx
		entry = requestEntry{Kind: "approved", At: now, By: approver, Approval: &a}
		return entry
	})
	if err != nil {
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return s.viewState(approver, st.after(entry)), nil
}

func roleLabels(roles []string) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = audit.RoleLabel(r)
	}
	return out
}

// stepOrderProblem checks that the steps before step are recorded.
func stepOrderProblem(st *RequestState, step ApprovalStep) string {
	need := func(prev ...ApprovalStep) string {
		for _, p := range prev {
			if st.approval(p) == nil {
				return fmt.Sprintf("审批环节 %s 须在 %s 之后办理", step, p)
			}
		}
		return ""
	}
	if step == FilePlan {
		return need(ApprovePlan)
	}
	for _, inv := range st.Request.Invited {
		id := inv.Expert.ID
		switch step {
		case InvitationStep(id, selection.DeputyLeader), InvitationStep(id, selection.MainLeader):
			return need(InvitationStep(id, selection.DivisionHead))
		case InvitationStep(id, selection.BureauMeeting):
			return need(InvitationStep(id, selection.DeputyLeader), InvitationStep(id, selection.MainLeader))
		case InvitationFiling(id):
			return need(InvitationStep(id, selection.BureauMeeting))
		}
	}
	return ""
}

// Void withdraws a request that will not be drawn (or whose draw is annulled), with a
// reason and the approval of another registered user whose role may approve (Art. 21); the
// activity may then be requested again, and a new draw for the project raises the re-draw
// alert for the discipline office (Art. 22(5)).
func (s *Service) Void(ctx context.Context, actor, approver audit.Actor, requestID, reason string) (*RequestState, error) {
	const op = "void"
	now := s.clock()
	st, err := s.loadRequest(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: st.Request.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionRequest, res); err != nil {
		return nil, err
	}
	if approver.ID == actor.ID {
		return nil, s.deny(ctx, op, now, audit.Decision{Rule: "own-approval", Article: "Art. 21", Code: "self-approval",
			Message: "作废抽取申请须由他人审批，不得自行审批", Actor: actor, Action: audit.ActionApprove, Resource: res})
	}
	if err := s.authorize(ctx, op, now, approver, audit.ActionApprove, res); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, &OpError{Op: op, Step: StepValidate, Err: errors.New("expertdb: 作废抽取申请须写明理由 (Art. 21)")}
	}
	if st.Status == RequestVoided {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 已作废", ErrRequestState, requestID)}
	}
	a := actor
	a.OnBehalfOf = approver.ID
	ev, err := s.event(now, a, audit.ActionRequest, map[string]any{"kind": "request", "outcome": "voided", "reason": reason,
		"approved_by": approver.ID, "project": st.Request.Project.ID, "was": st.Status}, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	activity := activityKey(st.Request.Request)
	claims, err := s.events.Events(ctx, activity)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	entry := requestEntry{Kind: "voided", At: now, By: a, Reason: reason}
	raw, _ := json.Marshal(entry)
	release, _ := json.Marshal(activityClaim{Kind: "release", RequestID: requestID, At: now})
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, requestStream(requestID), st.version, raw); err != nil {
			return err
		}
		return s.appendEvent(ctx, activity, int64(len(claims)), release)
	})
	if err != nil {
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return s.viewState(actor, st.after(entry)), nil
}

// checkInvitees refuses a request whose invited experts (Art. 12, 28) do not meet the basic
// conditions of Art. 5 or are barred by Art. 11 on their person's whole history in the
// database (admission.CheckInvitee): an invitation brings in someone from outside the
// database, never someone the database keeps out.
func (s *Service) checkInvitees(ctx context.Context, invs []selection.Invitation, now time.Time) error {
	const op = "submit"
	var findings []admission.Finding
	for _, inv := range invs {
		fs, err := s.checkInvitee(ctx, inv.Expert, now)
		if err != nil {
			return &OpError{Op: op, Step: StepLoad, Err: err}
		}
		findings = append(findings, fs...)
	}
	if len(findings) > 0 {
		return &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "invitation", Findings: findings}}
	}
	return nil
}

// recordRequestEntry appends ev to the audit log and, in the same unit of work, the entry of
// the request's stream that names the event's index (entry is called with it) as event
// version of the stream.
func (s *Service) recordRequestEntry(ctx context.Context, requestID string, version int64, ev audit.Event, entry func(idx int64) requestEntry) error {
	return s.atomically(ctx, func(ctx context.Context, u *unit) error {
		idx, err := u.recordNow(ctx, ev)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(entry(idx))
		if err != nil {
			return err
		}
		return s.appendEvent(ctx, requestStream(requestID), version, raw)
	})
}

// refuseVoided refuses a campaign step (start, deliver, resend, reply, withdraw, expire and
// the refills they make) on a voided request (Art. 13, 14): the draw was annulled, so
// nobody more is notified, accepts a seat or is drawn as a replacement. The refusal is
// recorded like every refused campaign step. A practice draw has no request to void.
func (s *Service) refuseVoided(ctx context.Context, op string, now time.Time, actor audit.Actor, action audit.Action, requestID, member string) error {
	st, err := s.loadRequest(ctx, requestID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return &OpError{Op: op, Step: StepLoad, Err: err}
	case st.Status != RequestVoided:
		return nil
	}
	err = fmt.Errorf("%w: 抽取申请 %s 已作废，不再通知、答复或递补专家；如需专家，请重新提交申请 (Art. 13, 14)", ErrRequestState, requestID)
	subjects := []string{requestID}
	if member != "" {
		subjects = append(subjects, member)
	}
	if _, aerr := s.record(ctx, now, actor, action, map[string]any{"kind": "request", "outcome": "refused", "code": "request-voided",
		"article": "Art. 13, 14"}, subjects...); aerr != nil {
		err = errors.Join(err, aerr)
	}
	return &OpError{Op: op, Step: StepValidate, Err: err}
}
