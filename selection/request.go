package selection

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
)

// Quota asks for at least Min and at most Max panel members matching Filter, a boolean
// expression over the draw environment (see Env), e.g. `"economic" in expert.Categories`.
// Max 0 means no upper bound. Art. 13: a request states the structure of the panel.
type Quota struct {
	Name   string `json:"name" yaml:"name"`
	Filter string `json:"filter" yaml:"filter"`
	Min    int    `json:"min" yaml:"min"`
	Max    int    `json:"max,omitempty" yaml:"max"`
}

// GroupCap allows at most Max panel members per value of Key, an expression over the draw
// environment, e.g. `expert.Affiliation.Org` for "at most one per unit". Experts whose key is
// empty ("" or nil) belong to no group and are not limited by the cap.
type GroupCap struct {
	Name string `json:"name" yaml:"name"`
	Key  string `json:"key" yaml:"key"`
	Max  int    `json:"max" yaml:"max"`
}

// Plan is the plan for preferential picks (选取方案, Art. 14(1)): the reasons, who approved
// it (the deputy leader, 分管领导), where it was filed (the discipline office, 局机关纪委) and
// when it was approved. The conditions, structure and number of the plan are those of the
// Request it belongs to.
type Plan struct {
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	FiledWith  string    `json:"filed_with"`
	At         time.Time `json:"at"`
}

// Role is a step of the approval chain for invited experts (Art. 28).
type Role string

// The approval chain of Art. 28, in order. The deputy leader and the main leader approve
// in either order, both after the division head and both before the bureau meeting.
const (
	DivisionHead  Role = "division-head"  // 处室负责人
	DeputyLeader  Role = "deputy-leader"  // 分管领导
	MainLeader    Role = "main-leader"    // 主要领导
	BureauMeeting Role = "bureau-meeting" // 局务会
)

// Approval is one step of an approval chain: the role, who (real name or meeting minute
// reference) and when.
type Approval struct {
	Role Role      `json:"role"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Invitation brings an expert from outside the database onto the panel as an invited expert
// (特邀专家, Art. 12, 28). It needs a reason (the activity's special requirements that the
// database cannot meet), the whole approval chain in order and the filing with the discipline
// office after the bureau meeting. Invitees are conflict-checked like drawn experts and are
// marked Invited on the panel; they take a panel seat and count towards quotas and group caps.
type Invitation struct {
	Expert    admission.Expert `json:"expert"`
	Reason    string           `json:"reason"`
	Approvals []Approval       `json:"approvals"`
	FiledWith string           `json:"filed_with"`
	FiledAt   time.Time        `json:"filed_at"`
}

// Request is a draw request (Art. 13): conditions (Criteria), structure (Quotas, Groups),
// number (Size), recusal (Project) and method (random rounds, Preferred picks with a Plan,
// Invited experts).
type Request struct {
	ID        string           `json:"id"`
	Project   conflict.Project `json:"project"`
	Size      int              `json:"size"`
	At        time.Time        `json:"at"`                 // activity date; its calendar year (China Standard Time) is the cap year
	Criteria  string           `json:"criteria,omitempty"` // expression over Env; "" = every active expert
	Quotas    []Quota          `json:"quotas,omitempty"`
	Groups    []GroupCap       `json:"groups,omitempty"`
	Preferred []string         `json:"preferred,omitempty"` // expert IDs for preferential picks (择优选取)
	Plan      *Plan            `json:"plan,omitempty"`      // required when Preferred is not empty
	Invited   []Invitation     `json:"invited,omitempty"`
	// Until is the end of the activity; the activity occupies [At, Until) (see Span). Zero
	// means the activity occupies the calendar day of At in China Standard Time. Used for
	// availability and bookings (Art. 8(2)); when set it must be after At.
	Until time.Time `json:"until,omitzero"`
	// DrawnAt is when the draw is run, as data (the package has no clock). Zero = not
	// stated; it is then not checked, unless Rules.DrawWindow is configured, which makes it
	// required (see CheckWindow).
	DrawnAt time.Time `json:"drawn_at,omitzero"`
	// Conditions are the conditions on experts that a county's request rules add to the
	// request (expertdb.Policy.Apply). Each is compiled on its own, over the full Env, and
	// must hold besides Criteria: no text of the request can cancel one.
	Conditions []Condition `json:"conditions,omitempty"`
}

// Condition is a condition on the experts of a draw that a county's request rule adds
// (Art. 13): the expert must meet Expr, or, when Negate is set, must not (a quota of the
// county that allows no such expert on this panel). Conditions combine with the request's
// Criteria and with each other as separately compiled programs, never as text: an expert
// is a candidate only when the criteria and every condition hold. One that does not hold
// excludes the expert with code "criteria" and the condition's article; one that fails to
// evaluate, with "expression-error".
type Condition struct {
	Rule    string `json:"rule"`              // the request rule, "<rule>" or "<rule>/<quota>"
	Article string `json:"article,omitempty"` // default "Art. 13"
	Expr    string `json:"expr"`              // boolean expression over Env
	Negate  bool   `json:"negate,omitempty"`  // the expert must not meet Expr
}

// Pool is what a draw draws from: the experts, their accepted participations in the year of
// the request (Usage, by expert ID), their summaries of the previous year (Last, by expert
// ID, for preferential picks) and known relations for recusal. Bookings (by expert ID) are
// accepted seats on other activities; an expert booked at an overlapping time is excluded
// (Art. 8(2)). History (by expert ID) lists past reviews with the applicant unit, for county
// exclusion rules such as the cooling-off rule (CoolingOffRule). Both may be nil.
type Pool struct {
	Experts   []admission.Expert            `json:"experts"`
	Usage     map[string]int                `json:"usage"`
	Last      map[string]evaluation.Summary `json:"last"`
	Relations []conflict.Relation           `json:"relations"`
	Bookings  map[string][]Booking          `json:"bookings,omitempty"`
	History   map[string][]Participation    `json:"history,omitempty"`

	cache *poolCache // see Indexed
}

// Fraction is an exact fraction Num/Den.
type Fraction struct {
	Num int `json:"num" yaml:"num"`
	Den int `json:"den" yaml:"den"`
}

// Rules is what Draw applies besides the request: the annual cap (Art. 14(1)), the
// preferential share (Art. 14(1)), the admission, conflict and evaluation rules, the
// bounds of the structure search, and the draw controls a county configures (availability
// switches, DrawWindow, Exclusions; see the package documentation, "Draw controls"). A nil
// *Rules means DefaultRules().
type Rules struct {
	// AnnualCap is the most accepted participations per expert per calendar year
	// (Art. 14(1): 原则上专家每年参与科技评审（咨询）活动不超过10次). 0 means no cap.
	AnnualCap int
	// PreferentialShare is the largest share of preferential picks in the panel: picks ×
	// Den ≤ Size × Num (Art. 14(1): 不能超过专家组总人数的三分之一, default 1/3).
	PreferentialShare Fraction
	// Admission decides eligibility at the activity date (Art. 5). nil = admission defaults.
	Admission *admission.Rules
	// Conflict decides recusal (Art. 15). nil = conflict defaults.
	Conflict *conflict.Rules
	// Evaluation decides preferential eligibility (Art. 25). nil = evaluation defaults.
	Evaluation *evaluation.Rules
	// SearchBound is the most search nodes one feasibility question may visit (default
	// DefaultSearchBound). When it is reached the draw fails with ErrSearchBound; it never
	// returns a panel it could not prove completable.
	SearchBound int
	// Reserve is the number of alternates listed in Result.Reserve (0 = the panel size).
	Reserve int
	// Mode is the sequence mode (default V1).
	Mode Mode

	// IgnoreUnavailable turns off the exclusion of experts whose declared unavailable
	// periods (admission.Expert.Unavailable) overlap the activity (code "unavailable",
	// Art. 8(2)). The check is on by default: the Measures oblige an expert who accepts to
	// attend (Art. 8(2)), and without declared periods it changes nothing.
	IgnoreUnavailable bool `json:",omitempty" yaml:"ignore_unavailable"`
	// IgnoreBookings turns off the exclusion of experts with an accepted seat on another
	// activity at an overlapping time (Pool.Bookings, code "booked", Art. 8(2)). On by
	// default for the same reason; without bookings in the pool it changes nothing.
	IgnoreBookings bool `json:",omitempty" yaml:"ignore_bookings"`
	// DrawWindow limits when a request may be drawn before its activity starts. Off (zero)
	// by default: the Measures set no window. See DrawWindow.
	DrawWindow DrawWindow `json:",omitzero" yaml:"draw_window"`
	// ExprBudget is the total of steps (and list cells) all the expressions of one draw may
	// spend together, criteria, conditions, quota filters, group keys and exclusion rules
	// over the whole pool (rule.Meter); 0 = rule.DefaultMeterSteps. A draw that exhausts
	// it is refused (code "expression-budget"). It never changes a panel that is drawn, so it
	// is not part of the request digest.
	ExprBudget int64 `json:",omitempty" yaml:"-"`
	// Exclusions are county exclusion rules (使用细则, Art. 13) evaluated on every candidate,
	// preferential pick and invited expert after the built-in checks: a rule whose expression
	// is false (or fails) excludes the expert with the rule's Article (default "Art. 13"),
	// its Name as the code and its Message. Expressions see Env (expert, usage, project,
	// reviewedUnitWithin). Empty by default; CoolingOffRule is an example.
	Exclusions []rule.Rule `json:"exclusions,omitempty" yaml:"exclusions"`

	progs *progCache // compiled request expressions; only the shared defaults have one
}

// DefaultSearchBound is the default Rules.SearchBound.
const DefaultSearchBound = 2_000_000

// DefaultRules returns the rules of the 2024 Wenzhou Measures: cap 10 per calendar year,
// preferential share 1/3, and the admission, conflict and evaluation defaults.
func DefaultRules() *Rules {
	return &Rules{
		AnnualCap:         10,
		PreferentialShare: Fraction{Num: 1, Den: 3},
		Admission:         admission.DefaultRules(),
		Conflict:          conflict.DefaultRules(),
		Evaluation:        evaluation.DefaultRules(),
		SearchBound:       DefaultSearchBound,
	}
}

// sharedDefaults are the default rules compiled once and shared by every Prepare with a nil
// *Rules (or nil parts): nothing in this package changes rules it is given, so sharing them is
// safe, and a draw no longer compiles the admission and conflict defaults again.
//
// The shared defaults also keep the request expressions they compiled (progCache): a draw
// with nil rules (Draw(req, pool, e, nil), as tests, simulations and benchmarks run) compiles
// a criteria text, quota filter or group key once. A compiled program is immutable and a pure
// function of its text and options, so reusing it changes no result.
var sharedDefaults = sync.OnceValue(func() *Rules {
	r := DefaultRules()
	r.progs = &progCache{}
	return r
})

func (r *Rules) orDefault() *Rules {
	d := sharedDefaults()
	if r == nil {
		c := *d
		return &c
	}
	c := *r
	if c.Admission == nil {
		c.Admission = d.Admission
	}
	if c.Conflict == nil {
		c.Conflict = d.Conflict
	}
	if c.Evaluation == nil {
		c.Evaluation = d.Evaluation
	}
	if c.SearchBound <= 0 {
		c.SearchBound = DefaultSearchBound
	}
	return &c
}

func (r *Rules) validate() error {
	var errs []error
	if r.AnnualCap < 0 {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 14(1)", "annual-cap", "年度参与次数上限不能为负数", "annual cap is negative"))
	}
	if !r.Mode.valid() {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 14(1)", "mode", "抽取算法模式无效", "unknown sequence mode"))
	}
	if f := r.PreferentialShare; f.Den <= 0 || f.Num < 0 || f.Num > f.Den {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 14(1)", "preferential-share", "择优选取比例须为 0 到 1 之间的分数，分母大于 0", "preferential share is not a fraction in [0, 1]"))
	}
	if err := r.DrawWindow.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// cstZone is China Standard Time (UTC+8), the zone of the calendar year of the cap.
var cstZone = time.FixedZone("CST", 8*3600)

// CapYear returns the calendar year of t in China Standard Time, the year whose accepted
// participations count towards the annual cap of Art. 14(1).
func CapYear(t time.Time) int { return t.In(cstZone).Year() }

// Sentinel errors callers branch on with errors.Is. Every *Error wraps one of them.
var (
	// ErrInfeasible: no panel can satisfy the request's size, quotas and group caps with the
	// candidates available.
	ErrInfeasible = errors.New("selection: no panel can satisfy the request")
	// ErrInvalidRequest: the request or the rules are malformed (bad expression, missing
	// field, contradictory quota).
	ErrInvalidRequest = errors.New("selection: invalid request")
	// ErrPreferential: a preferential pick or its plan is refused (Art. 14(1), 25).
	ErrPreferential = errors.New("selection: preferential pick refused")
	// ErrInvitation: an invitation is refused (Art. 12, 28).
	ErrInvitation = errors.New("selection: invitation refused")
	// ErrSearchBound: the structure search reached Rules.SearchBound before it could decide.
	ErrSearchBound = errors.New("selection: structure search bound reached")
	// ErrExhausted: a campaign ran out of candidates before the panel was complete.
	ErrExhausted = errors.New("selection: candidates exhausted")
)

// Error is a refusal: which expert (if any), the article, a stable machine code and a
// Chinese message an operator can act on. It wraps one of the sentinel errors (Kind).
type Error struct {
	Kind        error    // ErrInfeasible, ErrInvalidRequest, ErrPreferential, ErrInvitation, ErrExhausted
	ExpertID    string   // the expert concerned, "" when none
	Article     string   // e.g. "Art. 14(1)"
	Code        string   // e.g. "annual-cap"
	Message     string   // Chinese, for the operator
	Detail      string   // English, for the log
	Constraints []string // for ErrInfeasible: the constraints that cannot be met together
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("selection: ")
	b.WriteString(e.Detail)
	if e.ExpertID != "" {
		b.WriteString(" (expert ")
		b.WriteString(e.ExpertID)
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " [%s %s] %s", e.Article, e.Code, e.Message)
	return b.String()
}

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

func refuse(kind error, expertID, article, code, message, detail string) *Error {
	return &Error{Kind: kind, ExpertID: expertID, Article: article, Code: code, Message: message, Detail: detail}
}

// validID reports whether an ID can be encoded in the digests: non-empty, valid UTF-8 (so
// that a JSON record and the audit log can carry it), no control characters U+0000–U+001F
// or U+007F (so no line breaks), at most 128 bytes.
func validID(id string) bool {
	if id == "" || len(id) > 128 || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// validate checks the request's own fields (not the pool).
func (q *Request) validate() error {
	var errs []error
	bad := func(code, msg, detail string) {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 13", code, msg, detail))
	}
	if !validID(q.ID) {
		bad("request-id", "抽取申请须有编号（不含控制字符，最长 128 字节）", "request ID is empty or malformed")
	}
	if q.Size < 1 {
		bad("size", "专家数量须至少为 1", "size must be at least 1")
	}
	if q.At.IsZero() {
		bad("date", "须填写活动日期", "activity date is missing")
	}
	if !q.Until.IsZero() && !q.Until.After(q.At) {
		bad("until", "活动结束时间须晚于开始时间", "activity end is not after its start")
	}
	names := map[string]bool{}
	for i, qu := range q.Quotas {
		switch {
		case qu.Name == "":
			bad("quota", fmt.Sprintf("第 %d 个结构配额没有名称", i+1), fmt.Sprintf("quota #%d has no name", i+1))
		case names["quota:"+qu.Name]:
			bad("quota", fmt.Sprintf("结构配额 %q 重复", qu.Name), fmt.Sprintf("quota %q is declared twice", qu.Name))
		}
		names["quota:"+qu.Name] = true
		if qu.Min < 0 || qu.Max < 0 {
			bad("quota", fmt.Sprintf("结构配额 %q 的人数不能为负数", qu.Name), fmt.Sprintf("quota %q has a negative bound", qu.Name))
		}
		if qu.Max > 0 && qu.Max < qu.Min {
			bad("quota", fmt.Sprintf("结构配额 %q 的上限 %d 小于下限 %d", qu.Name, qu.Max, qu.Min), fmt.Sprintf("quota %q has max %d below min %d", qu.Name, qu.Max, qu.Min))
		}
	}
	if len(q.Quotas) > maxQuotas {
		bad("quota", fmt.Sprintf("结构配额最多 %d 个", maxQuotas), fmt.Sprintf("more than %d quotas", maxQuotas))
	}
	for i, g := range q.Groups {
		switch {
		case g.Name == "":
			bad("group", fmt.Sprintf("第 %d 个分组上限没有名称", i+1), fmt.Sprintf("group cap #%d has no name", i+1))
		case names["group:"+g.Name]:
			bad("group", fmt.Sprintf("分组上限 %q 重复", g.Name), fmt.Sprintf("group cap %q is declared twice", g.Name))
		}
		names["group:"+g.Name] = true
		if g.Max < 1 {
			bad("group", fmt.Sprintf("分组上限 %q 须至少为 1", g.Name), fmt.Sprintf("group cap %q must allow at least 1", g.Name))
		}
	}
	if len(q.Groups) > maxGroups {
		bad("group", fmt.Sprintf("分组上限最多 %d 个", maxGroups), fmt.Sprintf("more than %d group caps", maxGroups))
	}
	return errors.Join(errs...)
}

// Limits on the structure of one request.
const (
	maxQuotas = 16
	maxGroups = 8
)

// digestWriter writes the canonical encoding of docs/draw-v1.md: one line per field,
// "<tag> <byte length>:<value>\n".
type digestWriter struct{ b []byte }

func (w *digestWriter) field(tag, value string) {
	w.b = append(w.b, tag...)
	w.b = append(w.b, ' ')
	w.b = strconv.AppendInt(w.b, int64(len(value)), 10)
	w.b = append(w.b, ':')
	w.b = append(w.b, value...)
	w.b = append(w.b, '\n')
}

func (w *digestWriter) int(tag string, v int) { w.field(tag, strconv.Itoa(v)) }

func (w *digestWriter) time(tag string, t time.Time) {
	if t.IsZero() {
		w.field(tag, "")
		return
	}
	w.field(tag, t.UTC().Format(time.RFC3339Nano))
}

func (w *digestWriter) sum() string {
	s := sha256.Sum256(w.b)
	return hex.EncodeToString(s[:])
}

// requestDigest is SHA-256 over the canonical encoding of the request and the rules that
// change the outcome, as specified in docs/draw-v1.md.
func requestDigest(q *Request, r *Rules) string {
	s := sha256.Sum256(requestEncoding(q, r))
	return hex.EncodeToString(s[:])
}

// requestEncoding is the canonical encoding whose SHA-256 is the request digest.
func requestEncoding(q *Request, r *Rules) []byte {
	w := &digestWriter{b: []byte("expertdb-request-v1\n")}
	w.field("id", q.ID)
	w.int("size", q.Size)
	w.time("at", q.At)
	w.field("criteria", q.Criteria)
	for _, qu := range q.Quotas {
		w.field("quota", qu.Name)
		w.field("quota.filter", qu.Filter)
		w.int("quota.min", qu.Min)
		w.int("quota.max", qu.Max)
	}
	for _, g := range q.Groups {
		w.field("group", g.Name)
		w.field("group.key", g.Key)
		w.int("group.max", g.Max)
	}
	w.field("project", q.Project.ID)
	w.field("project.leader", q.Project.Leader.ID)
	for _, m := range q.Project.Members {
		w.field("project.member", m.ID)
	}
	w.int("project.avoid", len(q.Project.Avoid))
	pref := slices.Clone(q.Preferred)
	slices.Sort(pref)
	for _, id := range pref {
		w.field("preferred", id)
	}
	if q.Plan != nil {
		w.field("plan.reason", q.Plan.Reason)
		w.field("plan.approved-by", q.Plan.ApprovedBy)
		w.field("plan.filed-with", q.Plan.FiledWith)
		w.time("plan.at", q.Plan.At)
	}
	for _, inv := range q.Invited {
		w.field("invited", inv.Expert.ID)
	}
	w.int("rules.cap", r.AnnualCap)
	w.int("rules.share.num", r.PreferentialShare.Num)
	w.int("rules.share.den", r.PreferentialShare.Den)
	// Draw controls: lines only when set, so that digests of requests without them are
	// those of the original encoding.
	if !q.Until.IsZero() {
		w.time("until", q.Until)
	}
	if !q.DrawnAt.IsZero() {
		w.time("drawn-at", q.DrawnAt)
	}
	if r.DrawWindow.MaxLead != 0 {
		w.field("rules.window.max-lead", strconv.FormatInt(int64(r.DrawWindow.MaxLead), 10))
	}
	if r.DrawWindow.MinLead != 0 {
		w.field("rules.window.min-lead", strconv.FormatInt(int64(r.DrawWindow.MinLead), 10))
	}
	if r.IgnoreUnavailable {
		w.field("rules.ignore-unavailable", "true")
	}
	if r.IgnoreBookings {
		w.field("rules.ignore-bookings", "true")
	}
	for _, x := range r.Exclusions {
		w.field("rules.exclusion", x.Name)
		w.field("rules.exclusion.article", x.Article)
		w.field("rules.exclusion.expr", x.Expr)
	}
	for _, c := range q.Conditions {
		w.field("condition", c.Rule)
		w.field("condition.article", c.Article)
		w.field("condition.expr", c.Expr)
		if c.Negate {
			w.field("condition.negate", "true")
		}
	}
	return w.b
}

// poolDigestHeader opens the hashed text of a pool digest (docs/draw-v1.md).
const poolDigestHeader = "expertdb-pool-v1\n"

// PoolDigest returns the pool digest of a candidate list already in canonical order: SHA-256
// over "expertdb-pool-v1\n" followed by each ID and "\n", in lowercase hex.
func PoolDigest(ids []string) string {
	h := sha256.New()
	// Hash in chunks of a few KiB: the same bytes as one write per ID, fewer calls.
	buf := make([]byte, 0, 8<<10)
	buf = append(buf, poolDigestHeader...)
	for _, id := range ids {
		if len(buf)+len(id)+1 > cap(buf) {
			h.Write(buf)
			buf = buf[:0]
		}
		buf = append(buf, id...)
		buf = append(buf, '\n')
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// poolDigester computes PoolDigest of candidates given, in canonical order, as positions
// in a pool index's ID order: consecutive positions are hashed as one run of idText.
type poolDigester struct {
	h          hash.Hash
	ix         *poolIndex
	start, end int // the pending run of positions, [start, end)
}

func newPoolDigester(ix *poolIndex) *poolDigester {
	d := &poolDigester{h: sha256.New(), ix: ix}
	d.h.Write([]byte(poolDigestHeader))
	return d
}

// add appends the candidate at position k of the ID order (k above the previous one).
func (d *poolDigester) add(k int) {
	if k != d.end || d.start == d.end {
		d.flush()
		d.start = k
	}
	d.end = k + 1
}

func (d *poolDigester) flush() {
	if d.start < d.end {
		d.h.Write(d.ix.idText[d.ix.idOff[d.start]:d.ix.idOff[d.end]])
	}
	d.start, d.end = 0, 0
}

// sum returns the digest, as PoolDigest does.
func (d *poolDigester) sum() string {
	d.flush()
	return hex.EncodeToString(d.h.Sum(nil))
}

// V1Key returns the key of the V1 mode: "expertdb-draw-v1/" + requestDigest + "/" +
// poolDigest + "/" + the RFC 3797 key string.
func V1Key(requestDigest, poolDigest string, e Entropy) string {
	return "expertdb-draw-v1/" + requestDigest + "/" + poolDigest + "/" + e.Key()
}
