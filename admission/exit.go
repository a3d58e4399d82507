package admission

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExitExpert takes e out of the database on asOf for the reason of x (Art. 10) and returns the
// updated profile (Status Exited, x appended to Exits); the input is not modified.
//
// It refuses, with a *RefusalError listing every reason:
//   - an expert who is not Active (code "not-active");
//   - an unknown reason ("unknown-exit-reason", Art. 10);
//   - an exit on request without the approving officer in x.ApprovedBy ("exit-approval-missing",
//     Art. 11: 由市科技部门审核同意后予以出库);
//   - an exit for other unsuitability (Art. 10(5)) without a note saying what it is
//     ("exit-note-missing"; interpretation: "other" must be stated);
//   - an exit dated after asOf ("exit-date-invalid").
//
// A zero x.Date means asOf. UpdatedAt is left alone: it tracks the expert's own updates
// (Art. 8(1)), not the bureau's decisions. Under the default reading of Art. 11 every exit
// bars re-entry for good (ReentryAnyExit; ReentryForCause: only Art. 10(3)–(5)): Check
// refuses the person from then on. DecideExitRequest and DecideExit are the reviewed forms
// the Service uses.
func ExitExpert(e Expert, x Exit, asOf time.Time) (Expert, error) {
	var fs []Finding
	if e.Status != Active {
		fs = append(fs, Finding{Article: "Art. 10", Code: "not-active", Message: "该专家不在库，无法办理出库"})
	}
	switch {
	case !x.Reason.Valid():
		fs = append(fs, Finding{Article: "Art. 10", Code: "unknown-exit-reason",
			Message: "出库原因须为第十条所列五种情形之一"})
	case x.Reason == ExitOnRequest && strings.TrimSpace(x.ApprovedBy) == "":
		fs = append(fs, Finding{Article: "Art. 11", Code: "exit-approval-missing",
			Message: "专家本人申请出库，须经市科技部门审核同意，请注明审核人"})
	case x.Reason == ExitUnsuitable && strings.TrimSpace(x.Note) == "":
		fs = append(fs, Finding{Article: "Art. 10(5)", Code: "exit-note-missing",
			Message: "以其他不适宜履行专家职责的情形出库，须说明具体情形"})
	}
	if x.Date.IsZero() {
		x.Date = asOf
	} else if civilDay(x.Date) > civilDay(asOf) {
		fs = append(fs, Finding{Article: "Art. 10", Code: "exit-date-invalid", Message: "出库日期晚于办理日期，请核对"})
	}
	if err := refuse("exit", fs); err != nil {
		return Expert{}, err
	}
	out := cloneExpert(e)
	out.Status = Exited
	out.Exits = append(out.Exits, x)
	return out, nil
}

// ProposalAction is what a Sweep proposal asks an operator to do.
type ProposalAction string

// Sweep proposal actions.
const (
	// ProposeExit proposes an exit for Reason (Art. 10).
	ProposeExit ProposalAction = "exit"
	// ProposeReview asks for a review of an expert who no longer meets the admission
	// conditions for a reason that has no automatic exit (Art. 10(2)).
	ProposeReview ProposalAction = "review"
	// ProposeUpdate asks the expert to bring a stale profile up to date (Art. 8(1)).
	ProposeUpdate ProposalAction = "update-profile"
)

// Proposal is one thing Sweep asks an operator to decide. It is a proposal only: nothing
// changes until the operator acts (ExitExpert, say).
type Proposal struct {
	ExpertID string         `json:"expert_id"`
	Action   ProposalAction `json:"action"`
	Reason   ExitReason     `json:"reason,omitempty"` // for ProposeExit
	Article  string         `json:"article"`          // e.g. "Art. 10(2)", "Art. 8(1)"
	Code     string         `json:"code"`             // "exit-no-longer-qualified", "exit-misconduct", "not-eligible", "stale-profile"
	Message  string         `json:"message"`          // Chinese
	Basis    []Finding      `json:"basis,omitempty"`  // the failed conditions behind the proposal
}

// ExitCase returns the exit case to decide (DecideExit) when people approve an exit proposal:
// the proposal's reason, its message as the grounds, and the evidence and decider the
// approver gives. ok is false for a proposal that is not an exit: a review is approved with
// ReviewRecords (suspensions) or a decision of its own, a profile update by the expert.
func (p Proposal) ExitCase(decidedBy string, evidence []string, date time.Time) (c ExitCase, ok bool) {
	if p.Action != ProposeExit {
		return ExitCase{}, false
	}
	return ExitCase{Reason: p.Reason, Grounds: p.Message, Evidence: evidence, DecidedBy: decidedBy, Date: date}, true
}

// Sweep examines the Active experts on asOf and proposes, for each in input order:
//
//   - an exit when a basic rule named in Rules.SweepExits fails: by default over age → Art. 10(2)
//     (code "exit-no-longer-qualified");
//   - for each integrity record pending review (Art. 9, 26): an exit for a serious one →
//     Art. 10(3) ("exit-misconduct"), a review for the others (CodeSuspended, citing the
//     record's article), during which the expert is suspended from draws (Drawable);
//   - otherwise, when the expert is no longer eligible (Check) for a reason the records do not
//     explain, a review ("not-eligible", Art. 10(2));
//   - a profile update when the profile was not updated within Rules.StaleAfterDays calendar
//     days (default 365) or never ("stale-profile", Art. 8(1)).
//
// Experts who are not Active are skipped. Exits come only from failed basic rules and pending
// serious records (which fail the default integrity rule), and nothing changes until people
// approve a proposal. nil r means DefaultRules();
// uncompiled rules yield a single review proposal with code "rules-not-compiled" and no expert.
func Sweep(experts []Expert, asOf time.Time, r *Rules) []Proposal {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return []Proposal{{Action: ProposeReview, Article: "Art. 10", Code: "rules-not-compiled",
			Message: "准入规则尚未编译，无法巡检（请先调用 Rules.Compile）"}}
	}
	var out []Proposal
	for _, e := range experts {
		if e.Status != Active {
			continue
		}
		s := r.c.getEnv(&e, asOf)
		d := r.c.check(&s.env, e.Categories)
		r.c.putEnv(s)
		exits := 0
		for _, f := range d.Findings {
			reason, ok := r.c.sweepExits[f.Code]
			if !ok {
				continue
			}
			exits++
			out = append(out, Proposal{ExpertID: e.ID, Action: ProposeExit, Reason: reason,
				Article: reason.Article(), Code: "exit-" + string(reason),
				Message: fmt.Sprintf("建议依第十条（%s）出库：%s", reason.Label(), f.Message),
				Basis:   []Finding{f}})
		}
		recs := 0
		for _, rec := range e.Records {
			if !rec.Pending() {
				continue
			}
			recs++
			basis := []Finding{{Article: rec.ArticleOr(), Code: RuleIntegrity, Message: "科研诚信档案记录：" + truncate(rec.Kind, 32)}}
			if rec.Serious {
				out = append(out, Proposal{ExpertID: e.ID, Action: ProposeExit, Reason: ExitMisconduct,
					Article: ExitMisconduct.Article(), Code: "exit-" + string(ExitMisconduct),
					Message: fmt.Sprintf("建议依第十条第（三）项出库：专家存在严重科研失信记录（%s，%s），出库后依第十一条不得再次入库", truncate(rec.Kind, 32), rec.ArticleOr()),
					Basis:   basis})
				continue
			}
			out = append(out, Proposal{ExpertID: e.ID, Action: ProposeReview, Article: rec.ArticleOr(), Code: CodeSuspended,
				Message: fmt.Sprintf("专家科研诚信档案新增记录（%s，%s），已暂停抽取，请审查后决定保留或出库（第十条）", truncate(rec.Kind, 32), rec.ArticleOr()),
				Basis:   basis})
		}
		rest := d.Findings
		if recs > 0 {
			// The records have their own proposals; the integrity finding would repeat them.
			rest = slices.DeleteFunc(slices.Clone(rest), func(f Finding) bool { return f.Code == RuleIntegrity })
		}
		if !d.Eligible && exits == 0 && len(rest) > 0 {
			msgs := make([]string, len(rest))
			for i, f := range rest {
				msgs[i] = f.Message
			}
			out = append(out, Proposal{ExpertID: e.ID, Action: ProposeReview, Article: "Art. 10(2)", Code: "not-eligible",
				Message: "专家已不符合入库条件，请核实后决定是否出库：" + strings.Join(msgs, "；"),
				Basis:   rest})
		}
		if e.UpdatedAt.IsZero() {
			out = append(out, Proposal{ExpertID: e.ID, Action: ProposeUpdate, Article: "Art. 8(1)", Code: "stale-profile",
				Message: "专家信息从未更新，请提醒专家登录专家库更新信息"})
		} else if days := DaysBetween(e.UpdatedAt, asOf); days > r.c.staleDays {
			out = append(out, Proposal{ExpertID: e.ID, Action: ProposeUpdate, Article: "Art. 8(1)", Code: "stale-profile",
				Message: fmt.Sprintf("专家信息已%d天未更新（超过%d天），请提醒专家登录专家库及时更新信息", days, r.c.staleDays)})
		}
	}
	return out
}

// SweepDatabase is Sweep over the whole database: every Active expert of all is judged with
// the history of their person (WithHistory over all: the integrity records, exits, entries and
// trainings of every record with the same normalised ID number, Art. 5(1)3, 11), as the
// Service's sweep needs. It gives exactly Sweep(h, asOf, r) where h[i] = WithHistory(all[i],
// all), but indexes the records by normalised ID number once (one map), so its cost is
// linear in the n records (plus, per person, the square of their few records) instead of the
// O(n²) of calling WithHistory with every record for every expert. Records that are not Active are skipped, as by Sweep.
func SweepDatabase(all []Expert, asOf time.Time, r *Rules) []Proposal {
	persons := make(map[string][]Expert, len(all))
	norm := make([]string, len(all))
	for i := range all {
		if id, ok := NormalizeIDNumber(all[i].IDNumber); ok {
			norm[i] = id
			persons[id] = append(persons[id], all[i])
		}
	}
	active := make([]Expert, 0, len(all))
	for i := range all {
		if all[i].Status != Active {
			continue
		}
		// persons[""] is nil: a record without a valid ID number has no one's history.
		active = append(active, WithHistory(all[i], persons[norm[i]]))
	}
	return Sweep(active, asOf, r)
}
