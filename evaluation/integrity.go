package evaluation

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// Violation is one of the ten kinds of violation an expert must not commit in review or
// consultation activities (Art. 9). Its value is the clause number: Violation(3) is
// Art. 9(3). Violations are integrity records (Art. 26); the serious ones lead to exit
// (Art. 10(3)). Its text form is the stable code, e.g. "solicitation".
type Violation int

// The ten kinds of violation of Art. 9, in the order of its clauses.
const (
	FraudulentQualification Violation = iota + 1 // Art. 9(1) 弄虚作假获取资格
	RecusalBreach                                // Art. 9(2) 违反回避制度
	Solicitation                                 // Art. 9(3) 接受请托
	Lobbying                                     // Art. 9(4) 引导、游说
	Bribery                                      // Art. 9(5) 索取、收受财物
	ImproperOpinion                              // Art. 9(6) 明显不当意见
	Leak                                         // Art. 9(7) 泄漏保密信息
	Plagiarism                                   // Art. 9(8) 抄袭、剽窃
	SecrecyBreach                                // Art. 9(9) 违反保密规定
	OtherViolation                               // Art. 9(10) 其他违规行为
)

// info returns the code and the Chinese clause text of a valid v.
func (v Violation) info() (code, text string) {
	switch v {
	case FraudulentQualification:
		return "fraudulent-qualification", "采取弄虚作假等不正当手段获取咨询、评审、评估、评价、监督检查资格"
	case RecusalBreach:
		return "recusal-breach", "违反回避制度要求"
	case Solicitation:
		return "solicitation", "接受“打招呼”“走关系”等请托"
	case Lobbying:
		return "lobbying", "引导、游说其他专家或工作人员，影响咨询、评审、评估、评价、监督检查过程和结果"
	case Bribery:
		return "bribery", "索取、收受利益相关方财物或其他不正当利益"
	case ImproperOpinion:
		return "improper-opinion", "出具明显不当的咨询、评审、评估、评价、监督检查意见"
	case Leak:
		return "leak", "泄漏评审（咨询）过程中需保密的申请人、专家名单、专家意见、评审结论等相关信息"
	case Plagiarism:
		return "plagiarism", "抄袭、剽窃评审（咨询）对象的科学技术成果"
	case SecrecyBreach:
		return "secrecy-breach", "违反国家科学技术活动保密相关规定"
	case OtherViolation:
		return "other-violation", "法律、行政法规、部门规章或规范性文件规定的其他相关违规行为"
	}
	return "", ""
}

// Violations lists the ten kinds of Art. 9 in clause order.
func Violations() []Violation {
	out := make([]Violation, 0, OtherViolation)
	for v := FraudulentQualification; v <= OtherViolation; v++ {
		out = append(out, v)
	}
	return out
}

// Valid reports whether v is one of the ten kinds.
func (v Violation) Valid() bool { return v >= FraudulentQualification && v <= OtherViolation }

// Clause returns the clause number of v within Art. 9 (1 to 10), or 0 when v is not valid.
func (v Violation) Clause() int {
	if !v.Valid() {
		return 0
	}
	return int(v)
}

// Article returns the citation of v, e.g. "Art. 9(3)", or "" when v is not valid.
func (v Violation) Article() string {
	if !v.Valid() {
		return ""
	}
	return "Art. 9(" + strconv.Itoa(int(v)) + ")"
}

// Code returns the stable code of v, e.g. "solicitation", or "" when v is not valid. It is
// the Kind of the integrity record made by [Violation.Record].
func (v Violation) Code() string {
	code, _ := v.info()
	return code
}

// Text returns the Chinese text of v's clause of Art. 9, or "" when v is not valid.
func (v Violation) Text() string {
	_, text := v.info()
	return text
}

// String returns the code of v, or "Violation(n)" when v is not valid.
func (v Violation) String() string {
	if !v.Valid() {
		return "Violation(" + strconv.Itoa(int(v)) + ")"
	}
	return v.Code()
}

// errViolation is the parse error of ParseViolation; it does not echo the input.
var errViolation = errors.New("evaluation: 无法识别的违规行为，应为第九条所列行为的代码（如 solicitation）或条款（如 Art. 9(3)）")

// ParseViolation parses a violation from its code ("solicitation") or its citation
// ("Art. 9(3)"), ignoring surrounding white space. The error does not repeat the input.
func ParseViolation(s string) (Violation, error) {
	s = strings.TrimSpace(s)
	for v := FraudulentQualification; v <= OtherViolation; v++ {
		if s == v.Code() || s == v.Article() {
			return v, nil
		}
	}
	return 0, errViolation
}

// MarshalText implements encoding.TextMarshaler with the code of v.
func (v Violation) MarshalText() ([]byte, error) {
	if !v.Valid() {
		return nil, errViolation
	}
	return []byte(v.Code()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseViolation].
func (v *Violation) UnmarshalText(b []byte) error {
	x, err := ParseViolation(string(b))
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// Serious reports whether v is a serious integrity breach under [DefaultRules]: Solicitation,
// Bribery or Leak (Art. 10(3)).
func (v Violation) Serious() bool { return DefaultRules().IsSerious(v) }

// Record returns the integrity-file record of v under [DefaultRules]: see [Rules.Record].
func (v Violation) Record(date time.Time, detail string) admission.Record {
	return DefaultRules().Record(v, date, detail)
}

// Record returns the integrity-file record (科研诚信档案, Art. 26) of violation v committed
// on date: Kind is v's code, Detail starts with the article and the clause text followed by
// detail, Article is v's citation, and Serious is [Rules.IsSerious]. The record is pending
// review: under the default reading of Art. 5(1)3 any record bars admission and suspends
// the expert from draws until reviewed ([Rules.Consequence]); a serious one also yields an
// exit proposal ([ProposeExits]).
func (r *Rules) Record(v Violation, date time.Time, detail string) admission.Record {
	d := v.Article() + " " + v.Text()
	if detail = strings.TrimSpace(detail); detail != "" {
		d += "：" + detail
	}
	return admission.Record{Kind: v.Code(), Detail: d, Date: date, Serious: r.IsSerious(v), Article: v.Article()}
}

// ViolationOf returns the violation an integrity record was made for, from its Kind, and
// whether the record is one.
func ViolationOf(rec admission.Record) (Violation, bool) {
	v, err := ParseViolation(rec.Kind)
	if err != nil || rec.Kind != v.Code() {
		return 0, false
	}
	return v, true
}

// NoShowKind is the Kind of the integrity record of a no-show (Art. 8(2)).
const NoShowKind = "no-show"

// Record returns the integrity-file record of a no-show (Art. 8(2), 26), and false when p is
// not a no-show. A no-show is never serious on its own.
func (p Participation) Record() (admission.Record, bool) {
	if p.Attendance != NoShow {
		return admission.Record{}, false
	}
	d := "Art. 8(2) 接受邀请后无故缺席活动 " + quoteID(p.ActivityID) + "（组织单位 " + quoteID(p.OrganizerUnit) + "）"
	if reason := strings.TrimSpace(p.Reason); reason != "" {
		d += "：" + reason
	}
	return admission.Record{Kind: NoShowKind, Detail: d, Date: p.Date, Article: "Art. 8(2)"}, true
}

// ExitProposal proposes that an expert exit the database for a serious integrity breach
// (Art. 10(3)). It is a proposal: the bureau decides, and records the decision as an
// [admission.Exit] (see [ExitProposal.Exit]). An expert who exits for this cause may never
// re-enter (Art. 11).
type ExitProposal struct {
	ExpertID  string               `json:"expert_id"`
	Reason    admission.ExitReason `json:"reason"`    // always admission.ExitMisconduct
	Article   string               `json:"article"`   // "Art. 10(3)"
	Code      string               `json:"code"`      // "serious-misconduct"
	Violation Violation            `json:"violation"` // the violation of Art. 9
	Date      time.Time            `json:"date"`      // when the violation was committed
	Message   string               `json:"message"`   // Chinese, citing both articles
}

// CodeSeriousMisconduct is the code of every [ExitProposal].
const CodeSeriousMisconduct = "serious-misconduct"

// Exit returns the exit to record when the bureau accepts the proposal on date decided.
func (p ExitProposal) Exit(decided time.Time) admission.Exit {
	return admission.Exit{Reason: p.Reason, Date: decided, Note: p.Article + " " + p.Message}
}

// ExitProposal returns the exit proposal for an expert who committed v on date, and
// whether there is one: only serious violations under [DefaultRules] yield one.
func (v Violation) ExitProposal(expertID string, date time.Time) (ExitProposal, bool) {
	return DefaultRules().ProposeExit(expertID, v, date)
}

// ProposeExit returns the exit proposal for an expert who committed v on date, and whether
// there is one: only violations serious under r ([Rules.IsSerious]) yield one.
func (r *Rules) ProposeExit(expertID string, v Violation, date time.Time) (ExitProposal, bool) {
	if !r.IsSerious(v) {
		return ExitProposal{}, false
	}
	return proposal(expertID, v, date), true
}

func proposal(expertID string, v Violation, date time.Time) ExitProposal {
	return ExitProposal{
		ExpertID: expertID, Reason: admission.ExitMisconduct, Article: "Art. 10(3)", Code: CodeSeriousMisconduct,
		Violation: v, Date: date,
		Message: "专家存在" + v.Text() + "（" + v.Article() + "）的严重科研失信行为，应予出库（Art. 10(3)），出库后不得再次入库（Art. 11）",
	}
}

// ProposeExits reads an expert's integrity file and returns an exit proposal for every
// record of a violation of Art. 9 marked Serious, in file order. The Serious flag of the
// record decides, not the current rules, so a record a county marked serious by hand counts
// and the file is read as it was written. Records of other kinds (no-shows, admission
// findings) are not violations of Art. 9 and yield none.
func ProposeExits(expertID string, file []admission.Record) []ExitProposal {
	var out []ExitProposal
	for _, rec := range file {
		if !rec.Serious {
			continue
		}
		if v, ok := ViolationOf(rec); ok {
			out = append(out, proposal(expertID, v, rec.Date))
		}
	}
	return out
}
