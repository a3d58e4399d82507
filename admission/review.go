package admission

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Review is a registered reviewer's decision (Art. 6, 11): who decided, whether they approve,
// and why. The Service fills Reviewer from the acting user, never from the applicant.
type Review struct {
	Reviewer string    `json:"reviewer"` // the reviewing officer (市科技局审核人)
	Approve  bool      `json:"approve"`
	Reasons  string    `json:"reasons,omitempty"` // required to refuse; a note when approving
	At       time.Time `json:"at,omitzero"`       // zero means asOf
}

// Notice is the notification of a decision to the person concerned (Art. 6(1): 将结果及时告知
// 专家): addressed by expert ID, with a subject and a Chinese text giving the decision, its
// date, the reviewer and every reason. It carries no ID number, mobile or unit code.
type Notice struct {
	ExpertID string `json:"expert_id"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
}

// AdmissionDecision is the outcome of a reviewed application (Art. 6).
type AdmissionDecision struct {
	Admitted bool      `json:"admitted"`
	Channel  Channel   `json:"channel"`
	Reviewer string    `json:"reviewer"`
	Date     time.Time `json:"date"`
	Reasons  string    `json:"reasons,omitempty"` // the reviewer's own reasons
	// Findings are the reasons the applicant did not qualify (empty when admitted).
	Findings []Finding `json:"findings,omitempty"`
	// Expert is the profile to store: when admitted, Active, with the person's history from
	// the database and one new Entry; when refused, the applicant's profile with the same
	// trusted history and its status as the database has it (Pending for a new applicant).
	Expert Expert `json:"expert"`
	Notice Notice `json:"notice"`
}

// DecideAdmission decides an application reviewed by rev on asOf (Art. 5, 6, 11), given the
// records the database already holds (existing: at least every record of the applicant's
// person, found by the normalised ID number; others are ignored).
//
// History is never taken from the client: the application's Entries, Exits and Status are
// dropped, reviews the client attached to integrity records are dropped (a record is pending
// until the bureau reviews it), and the person's history comes from existing (WithHistory).
// The decision then examines the channel's evidence (ValidateApplication), one person, one
// record (OnePersonOneRecord), that the person is not already Active, and eligibility (Check
// of the person under r; nil r means DefaultRules()).
//
// The ID number is stored in its canonical form (NormalizeIDNumber). An approval of an
// application that does not qualify is refused with a *RefusalError listing
// every reason (the reviewer cannot admit an ineligible person); a refusal needs the reviewer's
// reasons unless the findings give them. An invalid profile (Validate) or a missing reviewer
// is an error: no decision is made. Otherwise the decision carries the notice to the
// applicant.
func DecideAdmission(app Application, existing []Expert, rev Review, asOf time.Time, r *Rules) (AdmissionDecision, error) {
	if id, ok := NormalizeIDNumber(app.Expert.IDNumber); ok {
		app.Expert.IDNumber = id // stored in the canonical form (GB 11643, upper-case X)
	}
	if err := Validate(app.Expert); err != nil {
		return AdmissionDecision{}, err // a *ValidationError, already prefixed "admission: "
	}
	if strings.TrimSpace(rev.Reviewer) == "" {
		return AdmissionDecision{}, refuse("admission", []Finding{{Article: app.Channel.Article(), Code: "reviewer-missing",
			Message: "入库须经市科技局审核，请注明审核人"}})
	}
	if r == nil {
		r = DefaultRules()
	}
	date := rev.At
	if date.IsZero() {
		date = asOf
	}
	e := cloneExpert(app.Expert)
	e.Entries, e.Exits, e.Status = nil, nil, Pending
	for i := range e.Records {
		e.Records[i].Review = nil
	}
	for _, x := range existing {
		if x.ID == e.ID && SamePerson(e, x) {
			e.Status = x.Status
		}
	}
	e = WithHistory(e, existing)
	var fs []Finding
	if err := ValidateApplication(app, asOf); err != nil {
		fs = append(fs, err.(*RefusalError).Findings...)
	}
	fs = append(fs, OnePersonOneRecord(e, existing)...)
	if e.Status == Active {
		fs = append(fs, Finding{Article: "Art. 6", Code: "already-active", Message: "该专家已在库，无需重复入库"})
	}
	d := Check(e, asOf, r)
	if !d.Eligible {
		fs = append(fs, d.Findings...)
	}
	dec := AdmissionDecision{Channel: app.Channel, Reviewer: rev.Reviewer, Date: date, Reasons: strings.TrimSpace(rev.Reasons)}
	if rev.Approve {
		if err := refuse("admission", fs); err != nil {
			return AdmissionDecision{}, err
		}
		e.Status = Active
		e.Categories = d.Categories
		e.UpdatedAt = asOf
		entry := Entry{Channel: app.Channel, Date: date, ReviewedBy: rev.Reviewer}
		switch app.Channel {
		case ChannelRecommendation:
			entry.Source = app.Recommendation.Unit
		case ChannelInvitation:
			entry.Source = app.Invitation.Division
		case ChannelExchange:
			entry.Source, entry.SourceID = app.Exchange.Database, app.Exchange.SourceID
		}
		e.Entries = append(e.Entries, entry)
		dec.Admitted, dec.Expert = true, e
		dec.Notice = admissionNotice(dec, d.Categories)
		return dec, nil
	}
	if dec.Reasons == "" && len(fs) == 0 {
		return AdmissionDecision{}, refuse("admission", []Finding{{Article: "Art. 6(1)", Code: "reasons-missing",
			Message: "不予入库须说明理由，以便告知申请人"}})
	}
	dec.Findings, dec.Expert = fs, e
	dec.Notice = admissionNotice(dec, nil)
	return dec, nil
}

func admissionNotice(d AdmissionDecision, cats []Category) Notice {
	var b strings.Builder
	fmt.Fprintf(&b, "您通过“%s”方式提出的入库申请，经市科技局审核（审核人：%s，%s），", d.Channel.Label(), truncate(d.Reviewer, 50), d.Date.Format("2006年1月2日"))
	n := Notice{ExpertID: d.Expert.ID}
	if d.Admitted {
		n.Subject = "专家入库申请审核结果：准予入库"
		labels := make([]string, len(cats))
		for i, c := range cats {
			labels[i] = c.Label()
		}
		fmt.Fprintf(&b, "准予入库，入库类别：%s。请及时维护个人信息（第八条第（一）项）。", strings.Join(labels, "、"))
		if d.Reasons != "" {
			fmt.Fprintf(&b, "审核意见：%s。", truncate(d.Reasons, 200))
		}
		n.Text = b.String()
		return n
	}
	n.Subject = "专家入库申请审核结果：不予入库"
	b.WriteString("不予入库。理由：")
	i := 1
	if d.Reasons != "" {
		fmt.Fprintf(&b, "%d. %s；", i, truncate(d.Reasons, 200))
		i++
	}
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "%d. %s（%s）；", i, f.Message, f.Article)
		i++
	}
	n.Text = strings.TrimSuffix(b.String(), "；") + "。"
	return n
}

// ExitRequest is an expert's own application to leave the database (Art. 10(1), 11:
// 专家可通过专家库系统主动申请出库).
type ExitRequest struct {
	ExpertID    string    `json:"expert_id"`
	Reason      string    `json:"reason,omitempty"` // the expert's own words
	RequestedAt time.Time `json:"requested_at"`
}

// ExitDecision is the city bureau's decision on an exit (Art. 10, 11).
type ExitDecision struct {
	Approved bool      `json:"approved"`
	Reviewer string    `json:"reviewer"`
	Date     time.Time `json:"date"`
	Reasons  string    `json:"reasons,omitempty"`
	Exit     *Exit     `json:"exit,omitempty"` // the exit recorded, when approved
	Expert   Expert    `json:"expert"`         // the profile to store
	Notice   Notice    `json:"notice"`
}

// DecideExitRequest decides an exit on request (Art. 11: 由市科技部门审核同意后予以出库): the
// expert must be Active and the request theirs; an approval records the exit (ExitOnRequest,
// ApprovedBy the reviewer, Note the expert's reason); a refusal needs reasons. The notice tells
// the expert the outcome and, when approved, that under the default reading of Art. 11 the
// exit bars re-entry. Every refusal of the request itself is a *RefusalError.
func DecideExitRequest(e Expert, req ExitRequest, rev Review, asOf time.Time) (ExitDecision, error) {
	var fs []Finding
	if strings.TrimSpace(rev.Reviewer) == "" {
		fs = append(fs, Finding{Article: "Art. 11", Code: "exit-approval-missing", Message: "专家本人申请出库，须经市科技部门审核同意，请注明审核人"})
	}
	if req.ExpertID != e.ID {
		fs = append(fs, Finding{Article: "Art. 11", Code: "exit-request-mismatch", Message: "出库申请与专家档案不一致，请核对专家编号"})
	}
	if e.Status != Active {
		fs = append(fs, Finding{Article: "Art. 10", Code: "not-active", Message: "该专家不在库，无法办理出库"})
	}
	if !rev.Approve && strings.TrimSpace(rev.Reasons) == "" {
		fs = append(fs, Finding{Article: "Art. 11", Code: "reasons-missing", Message: "不同意出库申请须说明理由，以便告知专家"})
	}
	if err := refuse("exit", fs); err != nil {
		return ExitDecision{}, err
	}
	date := rev.At
	if date.IsZero() {
		date = asOf
	}
	dec := ExitDecision{Reviewer: rev.Reviewer, Date: date, Reasons: strings.TrimSpace(rev.Reasons), Expert: cloneExpert(e)}
	n := Notice{ExpertID: e.ID}
	if !rev.Approve {
		n.Subject = "出库申请审核结果：不同意出库"
		n.Text = fmt.Sprintf("您于%s提出的出库申请，经市科技部门审核（审核人：%s，%s），不同意出库。理由：%s。",
			dateText(req.RequestedAt), truncate(rev.Reviewer, 50), date.Format("2006年1月2日"), truncate(dec.Reasons, 200))
		dec.Notice = n
		return dec, nil
	}
	x := Exit{Reason: ExitOnRequest, Date: date, Note: truncate(strings.TrimSpace(req.Reason), 400), ApprovedBy: rev.Reviewer}
	out, err := ExitExpert(e, x, asOf)
	if err != nil {
		return ExitDecision{}, err
	}
	dec.Approved, dec.Expert, dec.Exit = true, out, &out.Exits[len(out.Exits)-1]
	n.Subject = "出库申请审核结果：同意出库"
	n.Text = fmt.Sprintf("您于%s提出的出库申请，经市科技部门审核（审核人：%s，%s），同意出库（第十条第（一）项）。依第十一条，出库后不得再次入库。",
		dateText(req.RequestedAt), truncate(rev.Reviewer, 50), date.Format("2006年1月2日"))
	dec.Notice = n
	return dec, nil
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return "此前"
	}
	return t.Format("2006年1月2日")
}

// ExitCase is the bureau's decision to take an expert out for a ground of Art. 10(2)–(5):
// the reason, the grounds in words, the evidence it rests on and who decided.
type ExitCase struct {
	Reason    ExitReason `json:"reason"`
	Grounds   string     `json:"grounds"`
	Evidence  []string   `json:"evidence"`
	DecidedBy string     `json:"decided_by"`
	Date      time.Time  `json:"date,omitzero"` // zero means asOf
}

// DecideExit records an exit for a ground of Art. 10(2)–(5) decided by the city bureau with
// reason and evidence. It refuses, with a *RefusalError listing every reason: an exit on
// request (which is an application, DecideExitRequest: "exit-on-request-is-an-application"),
// missing grounds ("exit-grounds-missing"), no evidence ("exit-evidence-missing"), no decider
// ("exit-decider-missing"), and whatever ExitExpert refuses. Integrity records pending review
// are closed with ReviewExit. The notice tells the expert the decision, its ground and that
// re-entry is barred (Art. 11).
func DecideExit(e Expert, c ExitCase, asOf time.Time) (ExitDecision, error) {
	var fs []Finding
	if c.Reason == ExitOnRequest {
		fs = append(fs, Finding{Article: "Art. 11", Code: "exit-on-request-is-an-application",
			Message: "本人申请出库须由专家提出申请，经市科技部门审核同意（DecideExitRequest）"})
	}
	if strings.TrimSpace(c.Grounds) == "" {
		fs = append(fs, Finding{Article: c.Reason.Article(), Code: "exit-grounds-missing", Message: "出库决定须写明事实和理由"})
	}
	if !slices.ContainsFunc(c.Evidence, func(s string) bool { return strings.TrimSpace(s) != "" }) {
		fs = append(fs, Finding{Article: c.Reason.Article(), Code: "exit-evidence-missing", Message: "出库决定须附依据材料（文件编号、核查结论等）"})
	}
	if strings.TrimSpace(c.DecidedBy) == "" {
		fs = append(fs, Finding{Article: "Art. 11", Code: "exit-decider-missing", Message: "出库须由市科技部门决定，请注明决定人"})
	}
	if _, err := ExitExpert(e, Exit{Reason: c.Reason, Date: c.Date, Note: c.Grounds, ApprovedBy: c.DecidedBy}, asOf); err != nil {
		for _, f := range err.(*RefusalError).Findings {
			if f.Code != "exit-note-missing" { // said by exit-grounds-missing
				fs = append(fs, f)
			}
		}
	}
	if err := refuse("exit", fs); err != nil {
		return ExitDecision{}, err
	}
	date := c.Date
	if date.IsZero() {
		date = asOf
	}
	x := Exit{Reason: c.Reason, Date: date, Note: truncate(strings.TrimSpace(c.Grounds), 400), ApprovedBy: c.DecidedBy,
		Evidence: slices.DeleteFunc(slices.Clone(c.Evidence), func(s string) bool { return strings.TrimSpace(s) == "" })}
	out, err := ExitExpert(e, x, asOf)
	if err != nil {
		return ExitDecision{}, err
	}
	for i := range out.Records {
		if out.Records[i].Pending() {
			out.Records[i].Review = &RecordReview{Outcome: ReviewExit, By: c.DecidedBy, At: date, Reason: truncate(c.Grounds, 400)}
		}
	}
	dec := ExitDecision{Approved: true, Reviewer: c.DecidedBy, Date: date, Reasons: x.Note, Expert: out, Exit: &out.Exits[len(out.Exits)-1]}
	dec.Notice = Notice{ExpertID: e.ID, Subject: "出库决定通知",
		Text: fmt.Sprintf("经市科技部门决定（决定人：%s，%s），您因“%s”（%s）予以出库。事实和理由：%s。依第十一条，出库后不得再次入库。",
			truncate(c.DecidedBy, 50), date.Format("2006年1月2日"), c.Reason.Label(), c.Reason.Article(), truncate(x.Note, 200))}
	return dec, nil
}

// ReviewRecords closes every integrity record of e pending review with rev (Art. 10, 26): the
// bureau retains the expert (ReviewRetained: the records stay in the file, no longer bar and
// no longer suspend) or decides an exit (ReviewExit, then DecideExit). rev needs By and
// Reason; a zero At means asOf. The input is not modified.
func ReviewRecords(e Expert, rev RecordReview, asOf time.Time) (Expert, error) {
	var fs []Finding
	if rev.Outcome != ReviewRetained && rev.Outcome != ReviewExit {
		fs = append(fs, Finding{Article: "Art. 26", Code: "review-outcome-invalid", Message: "审查结论须为保留（retained）或出库（exit）"})
	}
	if strings.TrimSpace(rev.By) == "" {
		fs = append(fs, Finding{Article: "Art. 26", Code: "reviewer-missing", Message: "诚信记录须经市科技局审查，请注明审查人"})
	}
	if strings.TrimSpace(rev.Reason) == "" {
		fs = append(fs, Finding{Article: "Art. 26", Code: "reasons-missing", Message: "审查结论须说明理由"})
	}
	if !Suspended(e) {
		fs = append(fs, Finding{Article: "Art. 26", Code: "nothing-pending", Message: "该专家没有待审查的诚信记录"})
	}
	if err := refuse("record review", fs); err != nil {
		return Expert{}, err
	}
	if rev.At.IsZero() {
		rev.At = asOf
	}
	out := cloneExpert(e)
	for i := range out.Records {
		if out.Records[i].Pending() {
			r := rev
			out.Records[i].Review = &r
		}
	}
	return out, nil
}

// CheckInvitee checks an invited expert from outside the database (特邀专家, Art. 12, 28)
// on asOf: the Art. 5 basic conditions and the Art. 11 bar of r (nil r means DefaultRules()),
// judged on the person's whole history (WithHistory over existing, found by the normalised ID
// number, which must be valid: "id-number-missing"), no integrity record pending review
// (Art. 9, 26), and that the person is not an
// Active expert of the database (who is drawn, not invited: "invitee-in-database", Art. 12).
// It returns every failed condition; nil means the invitation may proceed to its approval
// chain. Professional conditions are not examined: the invitation exists because the
// database's experts do not meet the activity's special requirements (Art. 28).
func CheckInvitee(e Expert, existing []Expert, asOf time.Time, r *Rules) []Finding {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return notCompiled().Findings
	}
	p := WithHistory(e, existing)
	var out []Finding
	if _, ok := NormalizeIDNumber(e.IDNumber); !ok {
		out = append(out, Finding{Article: "Art. 11", Code: "id-number-missing",
			Message: "特邀专家须提供有效的公民身份号码，以核实其是否曾出库（第十一条）"})
	}
	for _, x := range existing {
		if x.Status == Active && SamePerson(e, x) {
			out = append(out, Finding{Article: "Art. 12", Code: "invitee-in-database",
				Message: "该人员已是在库专家（编号 " + truncate(x.ID, 64) + "），应通过抽取产生，不作为特邀专家"})
			break
		}
	}
	s := r.c.getEnv(&p, asOf)
	defer r.c.putEnv(s)
	out = appendFailed(out, r.c.basic, &s.env)
	out = appendFloor(out, r.c.floor, &s.env)
	return appendSuspensions(out, p.Records)
}
