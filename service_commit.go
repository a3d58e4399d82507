package expertdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// EntropySource names a public value that does not exist yet when a draw is committed
// (docs/draw-v1.md §13): the numbers of a named lottery draw on a later date, or a public
// randomness beacon's round published after the commit time. Nobody — operator, server or
// bureau — can know or choose it when the pool and the request are fixed in the log.
type EntropySource struct {
	Kind  string    `json:"kind"`  // "lottery" or "beacon"
	Name  string    `json:"name"`  // e.g. "中国福利彩票双色球", "drand quicknet"
	Round string    `json:"round"` // the draw number (期号) or beacon round
	At    time.Time `json:"at"`    // when the value is published; after the commit
	Count int       `json:"count"` // how many numbers the value has (all are used, in published order)
}

// Key is the canonical text of the source, as it is committed.
func (e EntropySource) Key() string {
	return "expertdb-entropy-source-v1\n" + e.Kind + "\n" + e.Name + "\n" + e.Round + "\n" +
		e.At.UTC().Format(time.RFC3339) + "\n" + strconv.Itoa(e.Count) + "\n"
}

func (e EntropySource) problem(now time.Time) string {
	switch {
	case e.Kind != "lottery" && e.Kind != "beacon":
		return "随机数来源须为公开彩票开奖号码（lottery）或公开随机信标（beacon）"
	case strings.TrimSpace(e.Name) == "" || strings.TrimSpace(e.Round) == "":
		return "随机数来源须写明名称和期号（轮次）"
	case strings.ContainsAny(e.Name+e.Round, "\n\r"):
		return "随机数来源的名称和期号不能含换行"
	case e.Count < 1 || e.Count > 64:
		return "随机数来源须写明号码个数（1–64）"
	case e.At.Nanosecond() != 0 || e.At.Year() < 1970 || e.At.Year() > 9999:
		return "随机数来源的公布时间须精确到秒（1970–9999 年）"
	case !e.At.After(now):
		return "随机数来源须为承诺之后才公布的数值（公布时间须晚于现在）"
	}
	return ""
}

// PublicValue is a published value of an EntropySource.
type PublicValue struct {
	Source EntropySource `json:"source"`
	Values []uint64      `json:"values"` // the published numbers, in published order
	// Proof is what the value derives from, when the source publishes it: for a drand
	// beacon, the round's signature in hex (the value is its SHA-256); empty for a lottery.
	Proof string `json:"proof,omitempty"`
}

// EnteredValue is the published value of a committed request's source as it was entered
// into the Service (two-person rule, PublishValue): the value, the registered user who
// entered it (never the one who committed), when, and the index of its audit event.
type EnteredValue struct {
	Value      PublicValue `json:"value"`
	By         audit.Actor `json:"by"`
	At         time.Time   `json:"at"`
	AuditIndex int64       `json:"audit_index"`
}

// Commitment fixes a draw before its chance exists: the request (after the county's rules
// and with its recorded approvals), the frozen candidate pool, the policy applied and the
// entropy source. Its digest is in an audit event covered by a signed checkpoint.
type Commitment struct {
	Version       string            `json:"version"` // "expertdb-draw-commit-v1"
	RequestID     string            `json:"request_id"`
	RequestDigest string            `json:"request_digest"`
	PoolDigest    string            `json:"pool_digest"`
	Policy        string            `json:"policy,omitempty"`
	Filing        string            `json:"filing,omitempty"`
	Source        EntropySource     `json:"source"`
	Request       selection.Request `json:"request"`
	Pool          selection.Pool    `json:"pool"` // the whole pool as loaded (loadPool), frozen; kept in the request stream only
	Masked        bool              `json:"masked"`
	Window        time.Duration     `json:"window"`
	CommittedAt   time.Time         `json:"committed_at"`
	CommittedBy   audit.Actor       `json:"committed_by"`
	AuditIndex    int64             `json:"audit_index"`
	// Checkpoint is the signed checkpoint of the audit log taken right after the commit
	// event (not stored in the record; returned by Commit).
	Checkpoint []byte `json:"-"`
}

const commitVersion = "expertdb-draw-commit-v1"

// Digest is the commitment digest (docs/draw-v1.md §13): SHA-256 over
// "expertdb-draw-commit-v1\n" + request ID + "\n" + request digest + "\n" + pool digest +
// "\n" + policy + "\n" + filing + "\n" + Source.Key(), in lowercase hex.
func (c *Commitment) Digest() string {
	h := sha256.New()
	h.Write([]byte(commitVersion + "\n" + c.RequestID + "\n" + c.RequestDigest + "\n" + c.PoolDigest + "\n" +
		c.Policy + "\n" + c.Filing + "\n" + c.Source.Key()))
	return hex.EncodeToString(h.Sum(nil))
}

// screeningEntropy is used to screen the pool at the commit (who is a candidate does not
// depend on the entropy; the panel found with it is discarded and never recorded).
var screeningEntropy = selection.Entropy{Sources: [][]uint64{{0}}}

// ErrTooEarly is wrapped when a committed draw is run before its source's value exists.
var ErrTooEarly = errors.New("expertdb: the committed public value is not published yet")

// Commit fixes an approved request's draw before its chance exists (Art. 14(1), 22(5)):
// it freezes the candidate pool, and appends one audit event with the request digest, the
// frozen pool digest, the policy and the entropy source, a public value published after
// now. It returns the commitment with a signed checkpoint of the log covering the event.
// Only the using unit commits; the request must be approved and not committed before.
func (s *Service) Commit(ctx context.Context, actor audit.Actor, requestID string, source EntropySource) (*Commitment, error) {
	const op = "commit"
	now := s.clock()
	st, err := s.loadRequest(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	req := st.Request
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: req.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionDraw, res); err != nil {
		return nil, err
	}
	if req.Unit != actor.Unit {
		return nil, s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 13, 21", Code: "other-unit",
			Message: "只能为本单位（" + actor.Unit + "）的活动抽取专家", Actor: actor, Action: audit.ActionDraw, Resource: res})
	}
	if st.Status != RequestApproved {
		msg := fmt.Sprintf("抽取申请 %s 为 %s", requestID, st.Status)
		if m := missingSteps(st); len(m) > 0 && st.Status == RequestSubmitted {
			msg += fmt.Sprintf("，尚缺审批：%v", m)
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: %s；只有经审批的申请才能承诺抽取 (Art. 13)", ErrRequestState, msg)}
	}
	if p := source.problem(now); p != "" {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: %s (Art. 14(1), 22(5))", p)}
	}
	if serr := s.checkSource(source, now); serr != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: serr}
	}
	applied, err := s.policy.Apply(req.Request, req.Labels...)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	applied.DrawnAt = now
	applied = st.withApprovals(applied)
	pool, _, err := s.loadPool(ctx, applied, req.Relations)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	personal, _ := s.perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindExpert, Personal: true})
	prepared, err := selection.PrepareWith(applied, s.policy.Selection, selection.PrepareOptions{Masked: !personal.Allowed})
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	screen, err := prepared.Draw(pool, screeningEntropy)
	if err != nil {
		// The pool cannot serve the request now: nothing is committed, the request stays
		// approved, and a later commit (after the pool changed) raises no alert.
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	c := &Commitment{Version: commitVersion, RequestID: requestID, RequestDigest: screen.RequestDigest, PoolDigest: screen.PoolDigest,
		Policy: s.policy.Name, Filing: s.policy.Filing, Source: source, Request: applied, Pool: pool,
		Masked: !personal.Allowed, Window: req.Window, CommittedAt: now, CommittedBy: actor}
	ev, err := s.event(now, actor, audit.ActionDraw, map[string]any{"kind": "request", "outcome": "committed", "project": req.Project.ID,
		"commit_digest": c.Digest(), "request_digest": c.RequestDigest, "pool_digest": c.PoolDigest, "candidates": screen.Candidates,
		"policy": c.Policy, "filing": c.Filing, "source": source, "algorithm": commitVersion}, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.recordRequestEntry(ctx, requestID, st.version, ev, func(idx int64) requestEntry {
		c.AuditIndex = idx
		return requestEntry{Kind: "committed", At: now, By: actor, Commitment: c}
	})
	if err != nil {
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	out := *c
	out.Pool = selection.Pool{}
	// The commit is done; a checkpoint that cannot be signed now is left empty (the caller
	// takes one with Service.Checkpoint) rather than failing a committed operation.
	out.Checkpoint, _ = s.log.Checkpoint(ctx)
	return &out, nil
}

func publicValueStream(src EntropySource) string {
	return "public-value/" + src.Kind + "/" + src.Name + "/" + src.Round
}

// DrawCommitted runs the real draw of a committed request (Art. 14(1)): it accepts only the
// committed source's value, only once its publication time has passed, and draws from the
// frozen pool and the committed request alone, so the record replays offline. A source's
// value is recorded once: every later draw on the same source must give the same numbers
// (a third party checks them against the public source). The draw record is stored like
// every draw (DrawRecord, stream "draw/<id>") and names the commitment.
func (s *Service) DrawCommitted(ctx context.Context, actor audit.Actor, requestID string, v PublicValue) (*DrawRecord, error) {
	const op = "draw"
	now := s.clock()
	st, err := s.loadRequest(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: st.Request.Unit}
	if err := s.authorize(ctx, op, now, actor, audit.ActionDraw, res); err != nil {
		return nil, err
	}
	if st.Request.Unit != actor.Unit {
		return nil, s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 13, 21", Code: "other-unit",
			Message: "只能为本单位（" + actor.Unit + "）的活动抽取专家", Actor: actor, Action: audit.ActionDraw, Resource: res})
	}
	if st.Status == RequestDrawn {
		err := fmt.Errorf("%w: 抽取申请 %s 已经抽取，补抽只能从原抽取序列递补 (Art. 14(2))", ErrAlreadyDrawn, requestID)
		if _, aerr := s.record(ctx, now, actor, audit.ActionDraw, map[string]any{"kind": "request", "outcome": "refused-redraw",
			"project": st.Request.Project.ID}, requestID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	c := st.Commitment
	if st.Status != RequestCommitted || c == nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 为 %s；须先经审批并承诺随机数来源 (Art. 13, 14(1))", ErrRequestState, requestID, st.Status)}
	}
	known, err := s.checkValue(ctx, op, now, actor, requestID, c, v)
	if err != nil {
		return nil, err
	}
	// Two-person rule: the committer never enters the value alone.
	entrant := actor
	if e := st.Value; e != nil {
		if !slices.Equal(e.Value.Values, v.Values) {
			return nil, s.refuseValue(ctx, op, now, actor, requestID, sourceErr("value-mismatch",
				fmt.Sprintf("%s 第 %s 期的公开数值已由 %s 录入，抽取须使用录入的数值", c.Source.Name, c.Source.Round, e.By.Name)))
		}
		entrant = e.By
	} else if actor.ID == c.CommittedBy.ID {
		return nil, s.denyCommitterValue(ctx, op, now, actor, requestID, st.Request.Unit)
	}
	stream := publicValueStream(c.Source)
	entropy := selection.Entropy{Sources: [][]uint64{slices.Clone(v.Values)}}
	prepared, err := selection.PrepareWith(c.Request, s.policy.Selection, selection.PrepareOptions{Masked: c.Masked})
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	result, public, err := prepared.DrawPublic(c.Pool, entropy)
	if err == nil && (result.RequestDigest != c.RequestDigest || result.PoolDigest != c.PoolDigest) {
		err = fmt.Errorf("expertdb: the frozen pool or request gives digests %s/%s, the commitment has %s/%s (policy changed?)",
			result.RequestDigest, result.PoolDigest, c.RequestDigest, c.PoolDigest)
	}
	rec := &DrawRecord{Version: drawRecordVersion, Request: c.Request, Unit: st.Request.Unit, Labels: st.Request.Labels,
		Policy: c.Policy, Filing: c.Filing, Entropy: entropy, Window: c.Window, Result: result, DrawnAt: now, DrawnBy: actor,
		Commit: &CommitRef{AuditIndex: c.AuditIndex, Digest: c.Digest(), Source: c.Source}}
	summary := drawSummary(rec, err)
	summary["project"] = st.Request.Project.ID
	summary["commit_index"] = c.AuditIndex
	summary["commit_digest"] = c.Digest()
	summary["value_entered_by"] = entrant.ID
	if err != nil {
		// Deterministic: the same committed value fails the same way; nothing else is kept.
		if _, aerr := s.record(ctx, now, actor, audit.ActionDraw, summary, drawSubjects(requestID, nil)...); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	summary["public_digest"] = public.Digest()
	ev, err := s.event(now, actor, audit.ActionDraw, summary, drawSubjects(requestID, result)...)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	rec.Pool = snapshot(c.Pool, result)
	manifest, err := s.drawManifest(nil, nil, func() []admission.Expert { return rec.Pool.Experts })
	if err != nil {
		return nil, &OpError{Op: op, Step: StepPersist, Err: err}
	}
	rec.ProfileManifest = manifest.digest
	value, _ := json.Marshal(v)
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		// The record references the profile versions it drew from (stored once each)
		// through their manifest.
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
		if err := s.appendEvent(ctx, drawStream(requestID), 0, raw); err != nil {
			return err
		}
		done, _ := json.Marshal(requestEntry{Kind: "drawn", At: now, By: actor})
		if err := s.appendEvent(ctx, requestStream(requestID), st.version, done); err != nil {
			return err
		}
		if len(known) == 0 {
			return s.appendEvent(ctx, stream, 0, value)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			err = fmt.Errorf("%w: %w", ErrAlreadyDrawn, err)
		}
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return s.drawView(ctx, actor, rec, now)
}

// checkValue checks a value entered for the commitment c: the committed source, published
// by now, the structural and plug-in verifications, and the first value recorded for the
// source (every value entered for one source is the same). It returns the recorded values
// of the source's stream. Refusals of the value itself are audited.
func (s *Service) checkValue(ctx context.Context, op string, now time.Time, actor audit.Actor, requestID string, c *Commitment, v PublicValue) ([][]byte, error) {
	if v.Source.Key() != c.Source.Key() {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: 随机数须来自承诺的来源 %s %s，不能另选 (Art. 14(1), 22(5))", c.Source.Name, c.Source.Round)}
	}
	if now.Before(c.Source.At) {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: %s %s 于 %s 公布", ErrTooEarly, c.Source.Name, c.Source.Round, c.Source.At.UTC().Format(time.RFC3339))}
	}
	if err := s.verifyValue(ctx, v); err != nil {
		return nil, s.refuseValue(ctx, op, now, actor, requestID, err)
	}
	known, err := s.events.Events(ctx, publicValueStream(c.Source))
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if len(known) > 0 {
		var first PublicValue
		if err := json.Unmarshal(known[0], &first); err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		if !slices.Equal(first.Values, v.Values) {
			return nil, s.refuseValue(ctx, op, now, actor, requestID, sourceErr("value-mismatch",
				fmt.Sprintf("%s 第 %s 期的公开号码已记录为另一组数值，同一公开数值只有一个", c.Source.Name, c.Source.Round)))
		}
	}
	return known, nil
}

// refuseValue records a refused value (its code, never the numbers) and returns the error.
func (s *Service) refuseValue(ctx context.Context, op string, now time.Time, actor audit.Actor, requestID string, err error) error {
	data := map[string]any{"kind": "request", "step": "public-value", "outcome": "refused"}
	var serr *SourceError
	if errors.As(err, &serr) {
		data["code"], data["article"] = serr.Code, serr.Article
	}
	if _, aerr := s.record(ctx, now, actor, audit.ActionApprove, data, requestID); aerr != nil {
		err = errors.Join(err, aerr)
	}
	return &OpError{Op: op, Step: StepValidate, Err: err}
}

// denyCommitterValue refuses the committer entering the committed source's value alone.
func (s *Service) denyCommitterValue(ctx context.Context, op string, now time.Time, actor audit.Actor, requestID, unit string) error {
	return s.deny(ctx, op, now, audit.Decision{Rule: "two-person", Article: "Art. 14(1), 21, 22(5)", Code: "committer-value",
		Message: "承诺抽取的人不能独自录入公开随机数：须由使用单位的另一登记用户或局机关纪委录入（PublishValue）",
		Actor:   actor, Action: audit.ActionApprove, Resource: audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: unit}})
}

// PublishValue enters the published value of a committed request's source (Art. 14(1),
// 21, 22(5)), under a two-person rule: it is entered by a registered user other than the
// one who committed the draw — a user of the using unit who may draw for it, or the
// discipline office (局机关纪委), which confirms the public value it supervises. The value
// must be the committed source's, published by now, pass the StructuralVerifier and the
// Service's ValueVerifier, and agree with any value already recorded for the source. The
// entry is audited (action approve, step "public-value") and kept in the request's record;
// DrawCommitted then draws only with that value, by anyone of the using unit, the
// committer included. A value may be entered once.
//
// Without PublishValue, DrawCommitted enters the value itself, and then its actor must not
// be the committer.
func (s *Service) PublishValue(ctx context.Context, actor audit.Actor, requestID string, v PublicValue) (*RequestState, error) {
	const op = "publish value"
	now := s.clock()
	st, err := s.loadRequest(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: st.Request.Unit}
	action := audit.ActionDraw
	if actor.Role == audit.RoleDiscipline {
		action = audit.ActionView // the discipline office supervises: reading is what its role may do
	}
	if err := s.authorize(ctx, op, now, actor, action, res); err != nil {
		return nil, err
	}
	if action == audit.ActionDraw && actor.Unit != st.Request.Unit {
		return nil, s.deny(ctx, op, now, audit.Decision{Rule: "own-unit", Article: "Art. 13, 21", Code: "other-unit",
			Message: "只有使用单位（" + st.Request.Unit + "）的用户或局机关纪委可以录入公开随机数", Actor: actor, Action: action, Resource: res})
	}
	c := st.Commitment
	switch {
	case st.Status != RequestCommitted || c == nil:
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("%w: 抽取申请 %s 为 %s；只能为已承诺、尚未抽取的申请录入公开随机数 (Art. 14(1))", ErrRequestState, requestID, st.Status)}
	case st.Value != nil:
		return nil, &OpError{Op: op, Step: StepValidate, Err: sourceErr("value-entered", fmt.Sprintf("抽取申请 %s 的公开随机数已由 %s 录入", requestID, st.Value.By.Name))}
	case actor.ID == c.CommittedBy.ID:
		return nil, s.denyCommitterValue(ctx, op, now, actor, requestID, st.Request.Unit)
	}
	known, err := s.checkValue(ctx, op, now, actor, requestID, c, v)
	if err != nil {
		return nil, err
	}
	ev, err := s.event(now, actor, audit.ActionApprove, map[string]any{"kind": "request", "step": "public-value", "outcome": "entered",
		"source": c.Source, "values": v.Values, "committed_by": c.CommittedBy.ID, "role": actor.Role}, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	value, _ := json.Marshal(v)
	entered := &EnteredValue{Value: v, By: actor, At: now}
	var entry requestEntry
	err = s.atomically(ctx, func(ctx context.Context, u *unit) error {
		idx, err := u.recordNow(ctx, ev)
		if err != nil {
			return err
		}
		entered.AuditIndex = idx
		entry = requestEntry{Kind: "value-entered", At: now, By: actor, Value: entered}
		raw, err := json.Marshal(entry)
		if err != nil {
			return err
		}
		if err := s.appendEvent(ctx, requestStream(requestID), st.version, raw); err != nil {
			return err
		}
		if len(known) == 0 {
			return s.appendEvent(ctx, publicValueStream(c.Source), 0, value)
		}
		return nil
	})
	if err != nil {
		return nil, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return s.viewState(actor, st.after(entry)), nil
}

// CommitRef names, in a draw record, the commitment the draw was made from.
type CommitRef struct {
	AuditIndex int64         `json:"audit_index"` // the commit event
	Digest     string        `json:"digest"`      // Commitment.Digest
	Source     EntropySource `json:"source"`
}
