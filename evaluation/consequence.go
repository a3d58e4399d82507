package evaluation

import (
	"errors"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// Consequence is what a violation of Art. 9 leads to under a rule set (Art. 9, 10(3), 11,
// 26). Every violation has one:
//
//   - always an integrity-file record (Record, Art. 26), pending the bureau's review;
//   - for a serious violation ([Rules.IsSerious]) an exit proposal under Art. 10(3) (Exit),
//     after which the person may never re-enter (Art. 11);
//   - for every violation a suspension from draws until the bureau reviews the record
//     (Suspended): [admission.Drawable] refuses an expert with a pending record (code
//     [admission.CodeSuspended]) and [admission.Sweep] proposes the review. For a serious
//     violation the suspension lasts until the exit is decided; for the others until the bureau
//     retains the expert ([admission.RecordReview] with [admission.ReviewRetained]) or decides
//     an exit.
type Consequence struct {
	Violation Violation        `json:"violation"`
	Record    admission.Record `json:"record"`
	Exit      *ExitProposal    `json:"exit,omitempty"`
	Suspended bool             `json:"suspended"`
	Message   string           `json:"message"` // Chinese: what follows, citing the articles
}

// errUnknownViolation is returned for a value that is not one of the ten kinds.
var errUnknownViolation = errors.New("evaluation: 违规行为须为第九条所列十种之一")

// Consequence returns the consequence of violation v committed by expertID on date under r
// (nil r means [DefaultRules]); detail is the operator's description, kept in the record.
func (r *Rules) Consequence(expertID string, v Violation, date time.Time, detail string) (Consequence, error) {
	if !v.Valid() {
		return Consequence{}, errUnknownViolation
	}
	r = r.orDefault()
	c := Consequence{Violation: v, Record: r.Record(v, date, detail), Suspended: true}
	if p, ok := r.ProposeExit(expertID, v, date); ok {
		c.Exit = &p
		c.Message = "记入科研诚信档案（第二十六条）；属严重科研失信行为（" + v.Article() + "），提出出库建议（第十条第（三）项），出库后不得再次入库（第十一条）；出库决定作出前暂停抽取"
	} else {
		c.Message = "记入科研诚信档案（第二十六条）；" + v.Article() + "所列违规行为，暂停抽取，待市科技局审查后决定保留或出库（第十条）"
	}
	return c, nil
}

// RecordViolation applies the consequence of v to e's profile: it returns e with the record
// appended to the integrity file (the input is not modified) and the consequence, whose Exit,
// if any, the bureau decides on.
func (r *Rules) RecordViolation(e admission.Expert, v Violation, date time.Time, detail string) (admission.Expert, Consequence, error) {
	c, err := r.Consequence(e.ID, v, date, detail)
	if err != nil {
		return admission.Expert{}, Consequence{}, err
	}
	out := e
	out.Records = append(append(make([]admission.Record, 0, len(e.Records)+1), e.Records...), c.Record)
	return out, c, nil
}

// Suspended reports whether an expert whose integrity file is file is suspended from draws:
// some record is pending review ([admission.Suspended]). Preferential picks honour it as
// every draw does.
func Suspended(file []admission.Record) bool {
	return admission.Suspended(admission.Expert{Records: file})
}
