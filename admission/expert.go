package admission

import (
	"time"
)

// Category is one of the four professional categories of Art. 5(2).
type Category string

// The four categories of Art. 5(2).
const (
	Technical  Category = "technical"  // 科技专家, Art. 5(2)1
	Management Category = "management" // 管理专家, Art. 5(2)2
	Strategy   Category = "strategy"   // 战略咨询专家, Art. 5(2)3
	Economic   Category = "economic"   // 经济专家, Art. 5(2)4
)

// Categories lists the four categories in the order of Art. 5(2).
func Categories() []Category { return []Category{Technical, Management, Strategy, Economic} }

// TitleLevel is a professional title (职称) level, ordered from none to senior.
type TitleLevel int

// Title levels, in ascending order.
const (
	TitleNone       TitleLevel = iota // no title
	Junior                            // 初级
	Intermediate                      // 中级
	AssociateSenior                   // 副高级
	Senior                            // 正高级
)

// OrgKind is the kind of an expert's unit; it matters for recusal (Art. 15(3)).
type OrgKind string

// Unit kinds.
const (
	University OrgKind = "university" // 高校
	Institute  OrgKind = "institute"  // 科研院所
	Enterprise OrgKind = "enterprise" // 企业
	Government OrgKind = "government" // 政府机关、事业单位
	Hospital   OrgKind = "hospital"   // 医院
	Financial  OrgKind = "financial"  // 金融、创投机构
	OtherOrg   OrgKind = "other"      // 其他
)

// Affiliation is a unit an expert works or worked for. To is zero for the current unit.
type Affiliation struct {
	Org        string    `json:"org" validate:"required,max=200" label:"单位名称"`
	OrgCode    string    `json:"org_code,omitempty" validate:"omitempty,uscc" label:"统一社会信用代码"` // unified social credit code (GB 32100-2015)
	Kind       OrgKind   `json:"kind" validate:"omitempty,oneof=university institute enterprise government hospital financial other" label:"单位类型"`
	Department string    `json:"department,omitempty" validate:"max=200" label:"院系（部门）"`
	Position   string    `json:"position,omitempty" validate:"max=200" label:"职务"`
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
}

// Credential is a qualification the expert holds (see the Cred… kinds), with details and
// the date it was obtained.
type Credential struct {
	Kind   string    `json:"kind" validate:"required,max=64" label:"资质类型"`
	Detail string    `json:"detail,omitempty" validate:"max=500" label:"资质说明"`
	Date   time.Time `json:"date,omitzero"`
}

// Record is an entry in the expert's integrity file (科研诚信档案, Art. 5(1)3, 9, 26).
//
// Every record is a 不良记录 within the meaning of Art. 5(1)3 until the bureau reviews it:
// under DefaultRules any record without a retaining Review bars admission, and an Active
// expert with a pending record is suspended from draws (Drawable, code CodeSuspended) until
// the review. A Serious record (Art. 10(3)) yields an exit proposal (Sweep).
type Record struct {
	Kind    string    `json:"kind" validate:"required,max=64" label:"记录类型"`
	Detail  string    `json:"detail,omitempty" validate:"max=1000" label:"记录说明"`
	Date    time.Time `json:"date,omitzero"`
	Serious bool      `json:"serious,omitempty"`
	// Article is the article the recorded conduct breaches, e.g. "Art. 9(8)" or "Art. 8(2)";
	// "" when not stated (findings then cite Art. 26).
	Article string `json:"article,omitempty" validate:"max=32" label:"违反条款"`
	// Review is the bureau's decision on the record; nil while it is pending.
	Review *RecordReview `json:"review,omitempty" label:"审查结论"`
}

// ReviewOutcome is what the bureau decided about an integrity record.
type ReviewOutcome string

// Outcomes of the review of an integrity record.
const (
	// ReviewRetained: the expert stays in the database; the record stays in the file but no
	// longer bars admission nor suspends the expert.
	ReviewRetained ReviewOutcome = "retained"
	// ReviewExit: the bureau decided an exit (Art. 10), recorded separately with DecideExit or
	// ExitExpert; the record keeps barring.
	ReviewExit ReviewOutcome = "exit"
)

// RecordReview is the bureau's decision on an integrity record (Art. 10, 11, 26): who
// decided, when, with what outcome and why.
type RecordReview struct {
	Outcome ReviewOutcome `json:"outcome" validate:"required,oneof=retained exit" label:"审查结论"`
	By      string        `json:"by" validate:"required,max=100" label:"审查人"`
	At      time.Time     `json:"at"`
	Reason  string        `json:"reason" validate:"required,max=500" label:"审查理由"`
}

// Pending reports whether the bureau has not yet reviewed the record.
func (r Record) Pending() bool { return r.Review == nil }

// Adverse reports whether the record counts as a 不良记录 of Art. 5(1)3: every record except
// one the bureau reviewed and retained the expert for.
func (r Record) Adverse() bool { return r.Review == nil || r.Review.Outcome != ReviewRetained }

// ArticleOr returns the record's Article, or "Art. 26" (the integrity file) when not stated.
func (r Record) ArticleOr() string {
	if r.Article != "" {
		return r.Article
	}
	return "Art. 26"
}

// Status is an expert's state in the database.
type Status string

// Expert statuses.
const (
	Pending Status = "pending" // applied, not yet admitted
	Active  Status = "active"  // in the database and drawable
	Exited  Status = "exited"  // left the database (Art. 10)
)

// ExitReason is one of the exit grounds of Art. 10.
type ExitReason string

// Exit reasons of Art. 10.
const (
	ExitOnRequest         ExitReason = "on-request"          // Art. 10(1) 本人申请
	ExitNoLongerQualified ExitReason = "no-longer-qualified" // Art. 10(2) 超龄等个人原因
	ExitMisconduct        ExitReason = "misconduct"          // Art. 10(3) 严重科研失信
	ExitLegal             ExitReason = "legal"               // Art. 10(4) 被追究法律责任
	ExitUnsuitable        ExitReason = "unsuitable"          // Art. 10(5) 其他不适宜
)

// Exit records one exit from the database.
type Exit struct {
	Reason     ExitReason `json:"reason" validate:"required,oneof=on-request no-longer-qualified misconduct legal unsuitable" label:"出库原因"`
	Date       time.Time  `json:"date"`
	Note       string     `json:"note,omitempty" validate:"max=500" label:"出库说明"`
	ApprovedBy string     `json:"approved_by,omitempty" validate:"max=100" label:"审核人"` // Art. 11: exit on request needs approval
	// Evidence lists references to the documents an exit under Art. 10(2)–(5) rests on (file
	// IDs, decision numbers); DecideExit requires at least one.
	Evidence []string `json:"evidence,omitempty" validate:"max=20,dive,max=200" label:"出库依据材料"`
}

// Expert is an expert's profile in the database.
type Expert struct {
	ID            string        `json:"id" validate:"required,expertid" label:"专家编号"`
	Name          string        `json:"name" validate:"required,max=50" label:"姓名"`
	IDNumber      string        `json:"id_number,omitempty" validate:"omitempty,idnumber" label:"身份证号码"` // resident ID number (GB 11643-1999)
	Mobile        string        `json:"mobile,omitempty" validate:"omitempty,mobile" label:"手机号码"`       // mainland mobile number
	BirthDate     time.Time     `json:"birth_date" label:"出生日期"`
	RetirementAge int           `json:"retirement_age,omitempty" validate:"min=0,max=80" label:"法定退休年龄"` // statutory retirement age in years when known; 0 = not stated
	Affiliation   Affiliation   `json:"affiliation" label:"工作单位"`                                        // current unit
	Past          []Affiliation `json:"past,omitempty" validate:"dive" label:"曾任职单位"`                    // former units
	Title         TitleLevel    `json:"title" validate:"min=0,max=4" label:"职称等级"`
	Categories    []Category    `json:"categories,omitempty"`
	Fields        []string      `json:"fields,omitempty"`
	Region        string        `json:"region,omitempty" validate:"omitempty,len=6,number" label:"行政区划代码"` // GB/T 2260 division code
	Credentials   []Credential  `json:"credentials,omitempty" validate:"dive" label:"资质"`
	Records       []Record      `json:"records,omitempty" validate:"dive" label:"诚信记录"`
	Status        Status        `json:"status" validate:"omitempty,oneof=pending active exited" label:"入库状态"`
	Exits         []Exit        `json:"exits,omitempty" validate:"dive" label:"出库记录"`
	UpdatedAt     time.Time     `json:"updated_at,omitzero"`
	Tags          []string      `json:"tags,omitempty"`
	Trainings     []Training    `json:"trainings,omitempty" validate:"dive" label:"培训记录"` // Art. 14(3)
	Entries       []Entry       `json:"entries,omitempty" validate:"dive" label:"入库记录"`   // Art. 6: how and when the expert was admitted
	// Unavailable lists declared leave or travel (Art. 8(2)); see Period.
	Unavailable []Period `json:"unavailable,omitempty" validate:"dive" label:"不可参加时段"`
}

// Period is a span of time an expert declared they cannot attend activities (leave, travel),
// so that a draw does not pick them for an activity they could not attend (Art. 8(2): once
// invited, an expert attends). The span is half-open, [From, To): it includes the instant
// From and excludes the instant To. Leave "from 10 June to 12 June inclusive" is therefore
// entered as From = 10 June 00:00 and To = 13 June 00:00 China Standard Time. A zero To means
// "until further notice" (open-ended); a zero From, which Validate refuses, is read as
// "since ever". Reason is the expert's own explanation; it is personal information (Art.
// 7(2)) and package selection never copies it into an exclusion.
type Period struct {
	From   time.Time `json:"from" validate:"required" label:"开始时间"`
	To     time.Time `json:"to,omitzero" validate:"omitempty,gtfield=From" label:"结束时间"`
	Reason string    `json:"reason,omitempty" validate:"max=200" label:"原因"`
}

// TrainingKind is the content of a training (Art. 14(3)).
type TrainingKind string

// Training contents named by Art. 14(3).
const (
	TrainingReviewRules TrainingKind = "review-rules" // 评审规则、评审实务
	TrainingPolicyLaw   TrainingKind = "policy-law"   // 政策法规
	TrainingIntegrity   TrainingKind = "integrity"    // 廉政教育
)

// Training is one training an expert attended (Art. 14(3)), online or on site.
type Training struct {
	Kind   TrainingKind `json:"kind" validate:"required,oneof=review-rules policy-law integrity" label:"培训内容"`
	Online bool         `json:"online,omitempty"`
	Date   time.Time    `json:"date"`
	Hours  int          `json:"hours,omitempty" validate:"min=0,max=1000" label:"培训学时"`
	Note   string       `json:"note,omitempty" validate:"max=500" label:"培训说明"`
}
