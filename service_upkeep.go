package expertdb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
)

// The upkeep of the database (动态管理, Art. 2, 8(1), 14(3), 17, 23, 26): profile updates,
// training, integrity records, appeals and reports, recusal declarations and the sweep.
// Each operation follows the Service's pattern: authorize, validate everything that could
// refuse, one unit of work writing the state and its audit event, the actor's view.

func updateStream(expertID string) string { return "profile-update/" + expertID }
func filingStream(expertID string) string { return "filings/" + expertID }

// qualifies lists what a profile update may not change without the bureau's review: the
// facts the Art. 5 conditions and the categories are decided on.
func qualificationChanged(a, b admission.Expert) bool {
	return a.Title != b.Title || !slices.Equal(a.Categories, b.Categories) || !reflect.DeepEqual(a.Credentials, b.Credentials) ||
		a.Affiliation != b.Affiliation || !a.BirthDate.Equal(b.BirthDate) || a.RetirementAge != b.RetirementAge
}

// UpdateProfile keeps an expert's profile current (Art. 8(1)): the expert (or the city
// bureau) sends the profile as it should read. What the Service writes is kept from the
// stored record whatever the client sends: the ID, ID number, status, history (entries,
// exits), integrity records and trainings. A change of qualifications (title, categories,
// credentials, affiliation, birth date, retirement age) goes to review: the expert is stored
// Pending, not drawable, until ReviewProfileUpdate approves it; other changes (mobile, fields,
// declared leave …) take effect at once. Recorded as an update event listing the changed
// parts, never their values.
func (s *Service) UpdateProfile(ctx context.Context, actor audit.Actor, e admission.Expert) (admission.Expert, error) {
	const op = "update profile"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionUpdate,
		audit.Resource{Kind: audit.KindExpert, ID: e.ID, Owner: e.ID, Personal: true}); err != nil {
		return admission.Expert{}, err
	}
	prev, err := s.experts.Get(ctx, e.ID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if prev.Status != admission.Active {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "update",
			Findings: []admission.Finding{{Article: "Art. 8(1)", Code: "not-active", Message: "仅在库专家可更新信息；待审核的更新请等待审核结果"}}}}
	}
	next := e
	next.ID, next.IDNumber, next.Status = prev.ID, prev.IDNumber, prev.Status
	next.Entries, next.Exits, next.Records, next.Trainings = prev.Entries, prev.Exits, prev.Records, prev.Trainings
	next.UpdatedAt = now
	if err := admission.Validate(next); err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	review := qualificationChanged(prev, next)
	if review {
		next.Status = admission.Pending
	}
	ev, err := s.event(now, actor, audit.ActionUpdate, map[string]any{"kind": "expert", "review": review}, e.ID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if review {
			if err := s.appendJSON(ctx, updateStream(e.ID), pendingRecord{Step: "submitted", By: actor.ID, At: now,
				Application: &admission.Application{Expert: prev}}); err != nil {
				return err
			}
		}
		return s.putExpert(ctx, next)
	})
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return s.expertView(actor, next), nil
}

// ReviewProfileUpdate decides a profile update whose qualifications changed (Art. 6, 8(1)):
// the city bureau, not the expert nor the user who sent the update, approves (the expert is
// Active again with categories re-decided by admission.Check of the person, and must still
// qualify) or refuses with reasons (the profile before the update is restored). Recorded as
// an update event with the outcome.
func (s *Service) ReviewProfileUpdate(ctx context.Context, actor audit.Actor, expertID string, rev admission.Review) (admission.Expert, error) {
	const op = "review profile update"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, ID: expertID, Personal: true}
	if err := s.authorize(ctx, op, now, actor, audit.ActionAdmission, res); err != nil {
		return admission.Expert{}, err
	}
	last, _, err := s.lastPending(ctx, updateStream(expertID))
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	submitter := ""
	if last.Step == "submitted" {
		submitter = last.By
	}
	if err := s.separate(ctx, op, now, actor, audit.ActionAdmission, res, expertID, submitter, "Art. 8(1)"); err != nil {
		return admission.Expert{}, err
	}
	if last.Step != "submitted" || last.Application == nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: fmt.Errorf("%w: no profile update of %q awaiting review", ErrNotFound, expertID)}
	}
	cur, err := s.experts.Get(ctx, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	next := cur
	if rev.Approve {
		existing, err := s.personRecords(ctx, cur)
		if err != nil {
			return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		d := admission.Check(admission.WithHistory(cur, existing), now, s.policy.Admission)
		if !d.Eligible {
			return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "update", Findings: d.Findings}}
		}
		next.Status, next.Categories = admission.Active, d.Categories
	} else {
		if strings.TrimSpace(rev.Reasons) == "" {
			return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: "update",
				Findings: []admission.Finding{{Article: "Art. 8(1)", Code: "reasons-missing", Message: "不同意信息变更须说明理由，以便告知专家"}}}}
		}
		next = last.Application.Expert // the profile before the update
		next.Records, next.Trainings = cur.Records, cur.Trainings
	}
	next.UpdatedAt = now
	outcome := map[bool]string{true: "approved", false: "refused"}[rev.Approve]
	ev, err := s.event(now, actor, audit.ActionUpdate, map[string]any{"kind": "expert", "review": outcome, "reviewer": actor.Name}, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	notice := admission.Notice{ExpertID: expertID, Subject: "信息变更审核结果"}
	if rev.Approve {
		notice.Text = fmt.Sprintf("您提交的资质信息变更，经市科技局审核（审核人：%s，%s），予以通过。", actor.Name, now.Format("2006年1月2日"))
	} else {
		notice.Text = fmt.Sprintf("您提交的资质信息变更，经市科技局审核（审核人：%s，%s），不予通过，已恢复变更前信息。理由：%s。", actor.Name, now.Format("2006年1月2日"), strings.TrimSpace(rev.Reasons))
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		if err := s.putExpert(ctx, next); err != nil {
			return err
		}
		if err := s.appendJSON(ctx, updateStream(expertID), pendingRecord{Step: "decided", By: actor.ID, At: now, Approved: rev.Approve}); err != nil {
			return err
		}
		return s.queueNotice(ctx, notice, now)
	})
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	s.sendNotice(ctx, actor, notice, next.Mobile, next.Name, now)
	return s.expertView(actor, next), nil
}

// mutateExpert loads an expert, applies change (which may refuse), and stores the result with
// the event built from it as one unit of work.
func (s *Service) mutateExpert(ctx context.Context, op string, now time.Time, expertID string,
	change func(e admission.Expert) (admission.Expert, audit.Event, error)) (admission.Expert, error) {
	prev, err := s.experts.Get(ctx, expertID)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	next, ev, err := change(prev)
	if err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	next.UpdatedAt = now
	if err := s.commitExpert(ctx, next, ev); err != nil {
		return admission.Expert{}, &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return next, nil
}

// RecordTraining adds a training to an expert's file (Art. 14(3): 专家培训): by the bureau or
// a division that organised it (for its unit), or by the expert for their own record.
// Recorded as a training event (kind, hours; never the note).
func (s *Service) RecordTraining(ctx context.Context, actor audit.Actor, expertID string, tr admission.Training) (admission.Expert, error) {
	const op = "record training"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionTraining,
		audit.Resource{Kind: audit.KindExpert, ID: expertID, Owner: expertID, Unit: actor.Unit}); err != nil {
		return admission.Expert{}, err
	}
	if tr.Date.IsZero() {
		tr.Date = now
	}
	e, err := s.mutateExpert(ctx, op, now, expertID, func(e admission.Expert) (admission.Expert, audit.Event, error) {
		if tr.Date.After(now) {
			return e, audit.Event{}, &admission.RefusalError{Op: "training", Findings: []admission.Finding{{Article: "Art. 14(3)",
				Code: "training-in-future", Message: "培训日期不能晚于今天"}}}
		}
		e.Trainings = append(slices.Clone(e.Trainings), tr)
		if err := admission.Validate(e); err != nil {
			return e, audit.Event{}, err
		}
		ev, err := s.event(now, actor, audit.ActionTraining, map[string]any{"kind": "expert", "training": tr.Kind,
			"hours": tr.Hours, "online": tr.Online, "date": tr.Date.UTC().Format(time.RFC3339)}, expertID)
		return e, ev, err
	})
	if err != nil {
		return admission.Expert{}, err
	}
	return s.expertView(actor, e), nil
}

// RecordViolation records an Art. 9 violation in the expert's integrity file (Art. 26) with
// its consequence (evaluation.Rules.RecordViolation): always an integrity record pending the
// bureau's review, which suspends the expert from draws (admission.Drawable); for a serious
// violation an exit proposal the bureau decides with Exit. The actor is the city bureau or a
// division (for its own activities). Recorded as an integrity-record event with the
// violation's article and the consequence. The returned consequence carries the proposal.
func (s *Service) RecordViolation(ctx context.Context, actor audit.Actor, expertID string, v evaluation.Violation, date time.Time, detail string) (evaluation.Consequence, error) {
	const op = "record violation"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionIntegrity,
		audit.Resource{Kind: audit.KindExpert, ID: expertID, Unit: actor.Unit}); err != nil {
		return evaluation.Consequence{}, err
	}
	if date.IsZero() {
		date = now
	}
	var c evaluation.Consequence
	_, err := s.mutateExpert(ctx, op, now, expertID, func(e admission.Expert) (admission.Expert, audit.Event, error) {
		out, cons, err := s.policy.Evaluation.RecordViolation(e, v, date, detail)
		if err != nil {
			return e, audit.Event{}, err
		}
		c = cons
		ev, err := s.event(now, actor, audit.ActionIntegrity, map[string]any{"kind": "expert", "article": v.Article(),
			"suspended": cons.Suspended, "exit_proposed": cons.Exit != nil}, expertID)
		return out, ev, err
	})
	return c, err
}

// ReviewIntegrityRecords is the city bureau's review of an expert's pending integrity
// records (Art. 10, 26; admission.ReviewRecords): retained (the suspension ends) or exit (then
// decided with Exit, with evidence). The reviewer is the acting user. Recorded as a review
// event.
func (s *Service) ReviewIntegrityRecords(ctx context.Context, actor audit.Actor, expertID string, outcome admission.ReviewOutcome, reason string) (admission.Expert, error) {
	const op = "review integrity records"
	now := s.clock()
	res := audit.Resource{Kind: audit.KindExpert, ID: expertID}
	if err := s.authorize(ctx, op, now, actor, audit.ActionReview, res); err != nil {
		return admission.Expert{}, err
	}
	if err := s.separate(ctx, op, now, actor, audit.ActionReview, res, expertID, "", "Art. 26"); err != nil {
		return admission.Expert{}, err
	}
	e, err := s.mutateExpert(ctx, op, now, expertID, func(e admission.Expert) (admission.Expert, audit.Event, error) {
		out, err := admission.ReviewRecords(e, admission.RecordReview{Outcome: outcome, By: actor.Name, At: now, Reason: reason}, now)
		if err != nil {
			return e, audit.Event{}, err
		}
		ev, err := s.event(now, actor, audit.ActionReview, map[string]any{"kind": "integrity-record", "outcome": outcome}, expertID)
		return out, ev, err
	})
	if err != nil {
		return admission.Expert{}, err
	}
	return s.expertView(actor, e), nil
}

// Filing kinds (FileAppeal).
const (
	FilingAppeal       = "appeal"      // an expert's appeal against a decision about them (Art. 7(5), 17)
	FilingReport       = "report"      // a report (举报) of a violation, by anyone registered (Art. 7(5), 17)
	FilingRecusal      = "recusal"     // an expert's recusal declaration for an activity (Art. 8, 15)
	FilingUnitReport   = "unit-report" // an expert's unit reporting a major matter (Art. 23)
	maxFilingTextRunes = 2000
)

// Filing is something filed with the city bureau about an expert: an appeal, a report, a
// recusal declaration or a unit's report. Text is kept in the expert's filings stream, never
// in the audit log (it may hold personal data); the log records the kind and its subjects.
type Filing struct {
	Kind     string    `json:"kind"`
	ExpertID string    `json:"expert_id"`
	Activity string    `json:"activity,omitempty"` // the activity (request ID) concerned, for a recusal or an appeal
	Text     string    `json:"text"`
	By       string    `json:"by"` // the filing user's ID (set by the Service)
	At       time.Time `json:"at"` // set by the Service
}

// File records a filing (Art. 7(5) 申诉、举报; Art. 8, 15 回避; Art. 23 单位报告). An appeal and
// a recusal declaration are the expert's own (the expert, or the bureau entering a written
// one; a division may enter a recusal for its own activity); a report is entered by the
// bureau or the expert; a unit report by the bureau or a division. Each is stored in the expert's filings
// stream and recorded: appeal and report as appeal events, a recusal as a recusal event, a
// unit report as an integrity-record event; the text never enters the log.
func (s *Service) File(ctx context.Context, actor audit.Actor, f Filing) error {
	const op = "file"
	now := s.clock()
	var action audit.Action
	res := audit.Resource{Kind: audit.KindExpert, ID: f.ExpertID, Owner: f.ExpertID}
	switch f.Kind {
	case FilingAppeal, FilingReport:
		action = audit.ActionAppeal
	case FilingRecusal:
		action = audit.ActionRecusal
		res.Kind, res.ID, res.Unit = audit.KindRequest, f.Activity, actor.Unit
	case FilingUnitReport:
		action = audit.ActionIntegrity
		res.Owner, res.Unit = "", actor.Unit
	default:
		return &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: file: unknown kind %q", truncateText(f.Kind, 40))}
	}
	if f.Kind == FilingRecusal && actor.Role == audit.RoleExpert {
		res.Kind, res.Owner = audit.KindExpert, f.ExpertID // the expert declares for themselves
	}
	if err := s.authorize(ctx, op, now, actor, action, res); err != nil {
		return err
	}
	var fs []admission.Finding
	if strings.TrimSpace(f.Text) == "" || len([]rune(f.Text)) > maxFilingTextRunes {
		fs = append(fs, admission.Finding{Article: "Art. 7(5)", Code: "filing-text", Message: "请填写事实和理由（不超过2000字）"})
	}
	if f.Kind == FilingRecusal && strings.TrimSpace(f.Activity) == "" {
		fs = append(fs, admission.Finding{Article: "Art. 15", Code: "activity-missing", Message: "回避声明须写明所涉活动"})
	}
	if len(fs) > 0 {
		return &OpError{Op: op, Step: StepValidate, Err: &admission.RefusalError{Op: f.Kind, Findings: fs}}
	}
	if _, err := s.experts.Get(ctx, f.ExpertID); err != nil {
		return &OpError{Op: op, Step: StepLoad, Err: err}
	}
	f.By, f.At = actor.ID, now
	subjects := []string{f.ExpertID}
	if f.Activity != "" {
		subjects = append(subjects, f.Activity)
	}
	ev, err := s.event(now, actor, action, map[string]any{"kind": f.Kind}, subjects...)
	if err != nil {
		return &OpError{Op: op, Step: StepValidate, Err: err}
	}
	err = s.retryConflict(ctx, func(ctx context.Context, u *unit) error {
		if err := u.record(ctx, ev); err != nil {
			return err
		}
		return s.appendJSON(ctx, filingStream(f.ExpertID), f)
	})
	if err != nil {
		return &OpError{Op: op, Step: stepOf(err), Err: err}
	}
	s.raiseAlerts(ctx, now)
	return nil
}

func truncateText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Sweep runs the periodic review of the database (动态管理, Art. 8(1), 10; admission.Sweep):
// stale profiles, experts over age or no longer meeting the conditions, integrity records
// pending review. It changes nothing: it returns proposals that people approve (an exit with
// Exit and evidence, a review with ReviewIntegrityRecords or a profile update). Only the city
// bureau sweeps; the sweep is recorded as a review event with the number of proposals of each
// code.
func (s *Service) Sweep(ctx context.Context, actor audit.Actor) ([]admission.Proposal, error) {
	const op = "sweep"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionReview, audit.Resource{Kind: audit.KindExpert}); err != nil {
		return nil, err
	}
	all, err := s.experts.List(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	// Each expert with their person's history, indexed by ID number once (linear, not O(n²)).
	props := admission.SweepDatabase(all, now, s.policy.Admission)
	codes := map[string]int{}
	for _, p := range props {
		codes[p.Code]++
	}
	if _, err := s.record(ctx, now, actor, audit.ActionReview, map[string]any{"kind": "sweep", "proposals": codes}); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: errors.Join(err)}
	}
	return props, nil
}
