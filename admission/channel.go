package admission

import (
	"fmt"
	"strings"
	"time"
)

// Entry records one admission of the expert into the database (Art. 6). Admit appends one.
type Entry struct {
	Channel    Channel   `json:"channel" validate:"required,oneof=application recommendation invitation exchange" label:"入库方式"`
	Date       time.Time `json:"date"`
	ReviewedBy string    `json:"reviewed_by" validate:"max=100" label:"审核人"`
	Source     string    `json:"source,omitempty" validate:"max=200" label:"来源"`      // recommending unit, inviting division or source database
	SourceID   string    `json:"source_id,omitempty" validate:"max=100" label:"来源编号"` // the expert's ID in the source database (exchange)
}

// Channel is an entry channel of Art. 6.
type Channel string

// The entry channels of Art. 6.
const (
	ChannelApplication    Channel = "application"    // 个人申请, Art. 6(1)
	ChannelRecommendation Channel = "recommendation" // 征集邀请：单位推荐, Art. 6(2)
	ChannelInvitation     Channel = "invitation"     // 征集邀请：业务处室邀请, Art. 6(2)
	ChannelExchange       Channel = "exchange"       // 交换共享, Art. 6(3)
)

// Article returns the clause of Art. 6 that governs the channel, or "Art. 6" when unknown.
func (c Channel) Article() string {
	switch c {
	case ChannelApplication:
		return "Art. 6(1)"
	case ChannelRecommendation, ChannelInvitation:
		return "Art. 6(2)"
	case ChannelExchange:
		return "Art. 6(3)"
	}
	return "Art. 6"
}

// Label returns the Chinese name of the channel.
func (c Channel) Label() string {
	switch c {
	case ChannelApplication:
		return "个人申请"
	case ChannelRecommendation:
		return "单位推荐"
	case ChannelInvitation:
		return "处室邀请"
	case ChannelExchange:
		return "交换共享"
	}
	return string(c)
}

// PersonalEvidence is what a personal application carries (Art. 6(1)): the personal
// information form stamped by the applicant's unit, the supporting proofs, and the signed
// research-integrity pledge.
type PersonalEvidence struct {
	// FormStampedBy is the unit whose stamp is on the personal information form. It must be
	// the applicant's current unit (Expert.Affiliation.Org).
	FormStampedBy string `json:"form_stamped_by"`
	// Proofs are references to the supporting documents (file IDs, say); at least one.
	Proofs []string `json:"proofs"`
	// PledgeSignedAt is when the applicant signed the research-integrity pledge (科研诚信承诺书).
	PledgeSignedAt time.Time `json:"pledge_signed_at"`
}

// Recommendation is a unit's recommendation in a public call for experts (Art. 6(2)).
type Recommendation struct {
	Unit     string `json:"unit"`                // the recommending university, institute, enterprise…
	UnitCode string `json:"unit_code,omitempty"` // its unified social credit code, when given
}

// DivisionInvitation is a business division's invitation of a high-level expert or an expert
// in a field in short supply (Art. 6(2)), approved by the division's leader.
type DivisionInvitation struct {
	Division   string    `json:"division"`         // the inviting business division (业务处室)
	ApprovedBy string    `json:"approved_by"`      // the division leader who approved (处室领导)
	ApprovedAt time.Time `json:"approved_at"`      // when they approved
	Reason     string    `json:"reason,omitempty"` // why the expert is invited
}

// ExchangeSource identifies an expert taken over from the provincial database or another
// city's database (Art. 6(3)).
type ExchangeSource struct {
	Database string `json:"database"`  // the source database, e.g. "浙江省科技专家库"
	SourceID string `json:"source_id"` // the expert's ID there
}

// Application is a request to admit an expert through one channel of Art. 6, with that
// channel's evidence. Only the evidence of Channel is examined; the others are ignored.
type Application struct {
	Channel        Channel             `json:"channel"`
	Expert         Expert              `json:"expert"`
	Personal       *PersonalEvidence   `json:"personal,omitempty"`
	Recommendation *Recommendation     `json:"recommendation,omitempty"`
	Invitation     *DivisionInvitation `json:"invitation,omitempty"`
	Exchange       *ExchangeSource     `json:"exchange,omitempty"`
}

// RefusalError is a refused request (an application, an admission, an exit): every reason,
// each with its article, stable code and Chinese message. Read it with errors.As.
type RefusalError struct {
	Op       string    // what was refused: "application", "admission", "exit"
	Findings []Finding // every reason, never empty
}

// Error implements error: "admission: <op> refused: " and each reason as "Art. N(k) code: message".
func (e *RefusalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "admission: %s refused: ", e.Op)
	for i, f := range e.Findings {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s: %s", f.Article, f.Code, f.Message)
	}
	return b.String()
}

// Has reports whether the refusal gives the reason code.
func (e *RefusalError) Has(code string) bool {
	for _, f := range e.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func refuse(op string, fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	return &RefusalError{Op: op, Findings: fs}
}

// ValidateApplication checks the channel's evidence on asOf and returns nil or a
// *RefusalError listing every missing or inconsistent item:
//
//   - application (Art. 6(1)): an information form stamped by the applicant's current unit,
//     at least one proof, a research-integrity pledge signed on or before asOf;
//   - recommendation (Art. 6(2)): the recommending unit, and a valid unified social credit
//     code when one is given;
//   - invitation (Art. 6(2)): the inviting division and the division leader's approval, dated
//     on or before asOf;
//   - exchange (Art. 6(3)): the source database and the expert's ID there.
//
// It does not validate the profile (Validate) nor decide eligibility (Check); Admit does all
// three. Interpretation: the integrity pledge is required of personal applicants only, as
// Art. 6(1) says; the others sign the pledge of Art. 8(4) when they accept a review.
func ValidateApplication(app Application, asOf time.Time) error {
	var fs []Finding
	art := app.Channel.Article()
	add := func(code, msg string) { fs = append(fs, Finding{Article: art, Code: code, Message: msg}) }
	today := civilDay(asOf)
	switch app.Channel {
	case ChannelApplication:
		p := PersonalEvidence{}
		if app.Personal != nil {
			p = *app.Personal
		}
		switch stamp := strings.TrimSpace(p.FormStampedBy); {
		case stamp == "":
			add("form-unstamped", "个人信息表须由所在单位盖章，请上传盖章后的个人信息表")
		case stamp != strings.TrimSpace(app.Expert.Affiliation.Org):
			add("form-unit-mismatch", "个人信息表的盖章单位与申请人所在单位不一致，请由所在单位盖章")
		}
		hasProof := false
		for _, pr := range p.Proofs {
			if strings.TrimSpace(pr) != "" {
				hasProof = true
				break
			}
		}
		if !hasProof {
			add("proofs-missing", "未附相关证明材料，请上传职称、项目、奖励等证明材料")
		}
		switch {
		case p.PledgeSignedAt.IsZero():
			add("pledge-unsigned", "未签署科研诚信承诺书，请申请人签署后提交")
		case civilDay(p.PledgeSignedAt) > today:
			add("pledge-date-invalid", "科研诚信承诺书的签署日期晚于审核日期，请核对")
		}
	case ChannelRecommendation:
		rc := Recommendation{}
		if app.Recommendation != nil {
			rc = *app.Recommendation
		}
		if strings.TrimSpace(rc.Unit) == "" {
			add("recommending-unit-missing", "单位推荐须注明推荐单位")
		}
		if rc.UnitCode != "" && !ValidUSCC(rc.UnitCode) {
			add("recommending-unit-code-invalid", "推荐单位的统一社会信用代码格式不正确，请核对")
		}
	case ChannelInvitation:
		inv := DivisionInvitation{}
		if app.Invitation != nil {
			inv = *app.Invitation
		}
		if strings.TrimSpace(inv.Division) == "" {
			add("inviting-division-missing", "处室邀请须注明邀请的业务处室")
		}
		if strings.TrimSpace(inv.ApprovedBy) == "" {
			add("division-approval-missing", "处室邀请入库须经处室领导审核同意，请补充审核人")
		}
		switch {
		case inv.ApprovedAt.IsZero():
			add("division-approval-date-missing", "处室邀请入库须注明处室领导审核同意的日期")
		case civilDay(inv.ApprovedAt) > today:
			add("division-approval-date-invalid", "处室领导审核同意的日期晚于入库审核日期，请核对")
		}
	case ChannelExchange:
		x := ExchangeSource{}
		if app.Exchange != nil {
			x = *app.Exchange
		}
		if strings.TrimSpace(x.Database) == "" {
			add("source-database-missing", "交换共享入库须注明来源专家库（省级或其他地市专家库）")
		}
		if strings.TrimSpace(x.SourceID) == "" {
			add("source-id-missing", "交换共享入库须注明专家在来源专家库中的编号")
		}
	default:
		add("unknown-channel", "入库方式须为个人申请、单位推荐、处室邀请或交换共享之一")
	}
	return refuse("application", fs)
}

// Admit admits a reviewed application on asOf and returns the expert as Active.
//
// Admit keeps the history (Entries, Exits, Records) the application carries; it is kept for
// callers that merge the stored history themselves. DecideAdmission is the reviewed form
// issue 17 asks for: it never takes history from the client, applies one person, one record,
// judges the person's whole history, and produces the applicant's notice.
//
// reviewer is the bureau officer who reviewed the application (市科技局审核, Art. 6). The
// profile must pass Validate (a *ValidationError is returned otherwise), the channel's
// evidence must pass ValidateApplication, the expert must not already be Active, and Check
// must find them eligible under r (nil r means DefaultRules()); any refusal is a
// *RefusalError with every reason. An expert who left the database may be admitted again
// unless the exit bars re-entry (Art. 11), which Check refuses.
//
// Interpretation: the expert is admitted to the categories they claim and qualify for
// (Decision.Categories); claimed categories they do not qualify for are dropped from the
// returned profile. The returned profile has Status Active, UpdatedAt asOf (the review
// confirms the profile on that day) and one more Entry recording channel, date, reviewer and
// source. The input is not modified.
func Admit(app Application, reviewer string, asOf time.Time, r *Rules) (Expert, error) {
	if err := Validate(app.Expert); err != nil {
		return Expert{}, err // already "admission: invalid expert: …"
	}
	var fs []Finding
	if strings.TrimSpace(reviewer) == "" {
		fs = append(fs, Finding{Article: app.Channel.Article(), Code: "reviewer-missing",
			Message: "入库须经市科技局审核，请注明审核人"})
	}
	if err := ValidateApplication(app, asOf); err != nil {
		fs = append(fs, err.(*RefusalError).Findings...)
	}
	if app.Expert.Status == Active {
		fs = append(fs, Finding{Article: "Art. 6", Code: "already-active", Message: "该专家已在库，无需重复入库"})
	}
	if r == nil {
		r = DefaultRules()
	}
	d := Check(app.Expert, asOf, r)
	if !d.Eligible {
		fs = append(fs, d.Findings...)
	}
	if err := refuse("admission", fs); err != nil {
		return Expert{}, err
	}
	e := cloneExpert(app.Expert)
	e.Status = Active
	e.Categories = d.Categories
	e.UpdatedAt = asOf
	entry := Entry{Channel: app.Channel, Date: asOf, ReviewedBy: reviewer}
	switch app.Channel {
	case ChannelRecommendation:
		entry.Source = app.Recommendation.Unit
	case ChannelInvitation:
		entry.Source = app.Invitation.Division
	case ChannelExchange:
		entry.Source, entry.SourceID = app.Exchange.Database, app.Exchange.SourceID
	}
	e.Entries = append(e.Entries, entry)
	return e, nil
}

// cloneExpert copies the slices of e so that the result can be changed without touching the
// caller's profile.
func cloneExpert(e Expert) Expert {
	e.Past = cloneSlice(e.Past)
	e.Categories = cloneSlice(e.Categories)
	e.Fields = cloneSlice(e.Fields)
	e.Credentials = cloneSlice(e.Credentials)
	e.Records = cloneSlice(e.Records)
	e.Exits = cloneSlice(e.Exits)
	e.Tags = cloneSlice(e.Tags)
	e.Trainings = cloneSlice(e.Trainings)
	e.Entries = cloneSlice(e.Entries)
	return e
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
