package admission

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Finding is one failed condition: the article it implements (e.g. "Art. 5(1)2"), a stable
// machine code (e.g. "age") and a Chinese message an operator can act on.
type Finding struct {
	Article string `json:"article"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Decision is the outcome of Check.
//
// Eligible is true when every basic condition holds and the expert qualifies for at least one
// category they claim. Categories lists, in the order of Art. 5(2) (then a county's own
// categories by name), the claimed categories whose professional conditions hold; it is filled
// even when a basic condition fails, so an operator sees the whole picture. Findings has one
// entry per failed condition: basic conditions first, then the claimed categories that do not
// qualify. An eligible expert may still have findings for a category they claimed but do not
// qualify for.
type Decision struct {
	Eligible   bool       `json:"eligible"`
	Categories []Category `json:"categories,omitempty"`
	Findings   []Finding  `json:"findings,omitempty"`
}

// Env is the environment every admission expression is evaluated in. Fields are visible under
// their expr names:
//
//	expert      ExpertView  the profile (no ID number or mobile), e.g. expert.Title >= AssociateSenior
//	age         int         full years on asOf (Age), e.g. age <= max(65, expert.RetirementAge)
//	asOf        time.Time   the reference date
//	hasCredential(kind string) bool
//	            a credential of that kind dated on or before asOf (or undated),
//	            e.g. hasCredential("national-project-lead")
//	hasRecentTraining(kind string, days int) bool
//	            a training of that kind ("" = any kind) dated within the last days calendar days
//	            up to asOf, e.g. hasRecentTraining("integrity", 365)
//	daysSince(t time.Time) int
//	            calendar days from t to asOf, e.g. daysSince(expert.UpdatedAt) <= 365
//
// The title constants TitleNone, Junior, Intermediate, AssociateSenior and Senior are
// substituted at compile time (TitleConstants). Besides the three helpers, expressions call
// only the sandbox's closed set of builtins and methods (no clock),
// and every evaluation is metered (limits per evaluation).
type Env struct {
	Expert            ExpertView             `expr:"expert"`
	Age               int                    `expr:"age"`
	AsOf              time.Time              `expr:"asOf"`
	HasCredential     func(kind string) bool `expr:"hasCredential"`
	HasRecentTraining func(string, int) bool `expr:"hasRecentTraining"`
	DaysSince         func(t time.Time) int  `expr:"daysSince"`

	meter   *rule.Meter    // a draw's meter (DrawableView); nil otherwise
	scratch *rules.Scratch // the evaluation context of the pooled environment
}

// NewEnv builds the expression environment of e on asOf.
func NewEnv(e Expert, asOf time.Time) *Env {
	s := newEnvSlot()
	s.reset(&e, asOf, AllViewFields)
	return &s.env
}

// CategoryRules are the professional conditions of one category (Art. 5(2)). The category
// qualifies when every Required rule holds and, if AnyOf is not empty, at least one AnyOf
// rule holds.
//
// A failed Required rule gives a Finding with the rule's name as code and its message. When
// no AnyOf rule holds, one Finding is given with Code (default "<category>-qualification") and
// Message (default: a sentence listing the messages of the AnyOf rules, which therefore
// describe each qualification, e.g. "具有副高级及以上职称").
type CategoryRules struct {
	Article  string      `yaml:"article" json:"article"`                       // e.g. "Art. 5(2)4"
	Required []rule.Rule `yaml:"required,omitempty" json:"required,omitempty"` // all must hold
	AnyOf    []rule.Rule `yaml:"any_of,omitempty" json:"any_of,omitempty"`     // at least one must hold
	Code     string      `yaml:"code,omitempty" json:"code,omitempty"`         // finding code when no AnyOf rule holds
	Message  string      `yaml:"message,omitempty" json:"message,omitempty"`   // finding message when no AnyOf rule holds
}

// Rules is an admission rule set: the conditions of Art. 5 (and the re-entry ban of Art. 11),
// the extra conditions for being drawn (Art. 14(3)) and the settings of Sweep (Art. 8(1),
// Art. 10). Every condition is an expression over Env, so a county can replace any of them.
//
// Rules must be compiled before use: DefaultRules returns compiled rules; after changing any
// field call Compile again. Compile takes a snapshot, so later edits have no effect until the
// next Compile. Check, Drawable and Sweep fail closed on rules that were never compiled, with
// the finding code "rules-not-compiled". A compiled Rules is safe for concurrent use by Check,
// Drawable and Sweep; Compile itself must not run concurrently with them.
type Rules struct {
	// Basic are the basic conditions of Art. 5(1) and the ban of Art. 11; every one must hold.
	Basic []rule.Rule `yaml:"basic" json:"basic"`
	// Professional are the professional conditions of Art. 5(2) per category. A county may
	// add its own categories.
	Professional map[Category]CategoryRules `yaml:"professional" json:"professional"`
	// Drawable are extra conditions for being drawn for an activity, e.g. recent training
	// (Art. 14(3)): hasRecentTraining("review-rules", 730). Empty by default.
	Drawable []rule.Rule `yaml:"drawable,omitempty" json:"drawable,omitempty"`
	// SweepExits maps the name of a Basic rule to the exit Sweep proposes when the rule fails
	// for an active expert. Default: "age" → ExitNoLongerQualified (Art. 10(2)). Integrity
	// records are proposed on from the records themselves (Sweep): an exit for a serious
	// record (Art. 10(3)), a review for the others.
	SweepExits map[string]ExitReason `yaml:"sweep_exits,omitempty" json:"sweep_exits,omitempty"`
	// StaleAfterDays is the period after which Sweep flags a profile that was not updated
	// (Art. 8(1)). 0 means DefaultStaleAfterDays.
	StaleAfterDays int `yaml:"stale_after_days,omitempty" json:"stale_after_days,omitempty"`
	// Floor are conditions a county cannot loosen (Art. 13): the city's version of a Basic
	// rule whose expression a county changed. Each must hold as well as the Basic rule of the
	// same name; a failure is reported once, under that name, with the Floor rule's article
	// and message. LoadPolicy fills it; empty for the city's own rules.
	Floor []rule.Rule `yaml:"-" json:"floor,omitempty"`

	c *compiled
}

// DefaultStaleAfterDays is the default period after which a profile not updated is flagged
// (Art. 8(1)).
const DefaultStaleAfterDays = 365

type compiledCategory struct {
	cat      Category
	article  string
	required *rules.Set[Env]
	anyOf    *rules.Set[Env]
	code     string
	message  string
}

type compiled struct {
	basic      *rules.Set[Env]
	floor      *rules.Set[Env]
	cats       []compiledCategory // Art. 5(2) order, then county categories by name
	drawable   *rules.Set[Env]
	sweepExits map[string]ExitReason
	staleDays  int
	envs       sync.Pool  // of *envSlot, reused across Check, Drawable and Sweep
	view       ViewFields // the view fields the rules read: the only ones a pooled view fills
}

// Compile checks and compiles every rule, reporting all compile errors together (each a
// *rule.CompileError, reachable with errors.As) along with configuration mistakes.
func (r *Rules) Compile() error {
	// The helpers (hasCredential, hasRecentTraining, daysSince) are the environment slot's own
	// methods, which never panic.
	opts := rules.Options{Constants: TitleConstants(), SafeHelpers: true}
	var errs []error
	c := &compiled{staleDays: r.StaleAfterDays, sweepExits: map[string]ExitReason{}}
	if c.staleDays == 0 {
		c.staleDays = DefaultStaleAfterDays
	}
	if c.staleDays < 0 {
		errs = append(errs, fmt.Errorf("admission: stale_after_days %d is negative", r.StaleAfterDays))
	}
	var err error
	if c.basic, err = rules.CompileSet[Env](slices.Clone(r.Basic), opts); err != nil {
		errs = append(errs, fmt.Errorf("admission: basic rules: %w", err))
	}
	if c.floor, err = rules.CompileSet[Env](slices.Clone(r.Floor), opts); err != nil {
		errs = append(errs, fmt.Errorf("admission: floor rules: %w", err))
	}
	if c.drawable, err = rules.CompileSet[Env](slices.Clone(r.Drawable), opts); err != nil {
		errs = append(errs, fmt.Errorf("admission: drawable rules: %w", err))
	}
	if len(r.Professional) == 0 {
		errs = append(errs, errors.New("admission: no professional categories"))
	}
	for _, cat := range orderedCategories(r.Professional) {
		cr := r.Professional[cat]
		if cat == "" {
			errs = append(errs, errors.New("admission: professional rules for an empty category"))
			continue
		}
		if len(cr.Required) == 0 && len(cr.AnyOf) == 0 {
			errs = append(errs, fmt.Errorf("admission: category %q has no rules", cat))
			continue
		}
		cc := compiledCategory{cat: cat, article: cmp.Or(cr.Article, cat.Article()),
			code: cmp.Or(cr.Code, string(cat)+"-qualification"), message: cr.Message}
		if cc.required, err = rules.CompileSet[Env](slices.Clone(cr.Required), opts); err != nil {
			errs = append(errs, fmt.Errorf("admission: category %q required rules: %w", cat, err))
		}
		if cc.anyOf, err = rules.CompileSet[Env](slices.Clone(cr.AnyOf), opts); err != nil {
			errs = append(errs, fmt.Errorf("admission: category %q any_of rules: %w", cat, err))
		}
		if cc.message == "" && len(cr.AnyOf) > 0 {
			msgs := make([]string, len(cr.AnyOf))
			for i, q := range cr.AnyOf {
				msgs[i] = q.Message
			}
			cc.message = fmt.Sprintf("不符合%s专业条件，须具备下列条件之一：%s", cat.Label(), strings.Join(msgs, "；"))
		}
		c.cats = append(c.cats, cc)
	}
	for name, reason := range r.SweepExits {
		if !slices.ContainsFunc(r.Basic, func(b rule.Rule) bool { return b.Name == name }) {
			errs = append(errs, fmt.Errorf("admission: sweep_exits names %q, which is not a basic rule", name))
		}
		if !reason.Valid() {
			errs = append(errs, fmt.Errorf("admission: sweep_exits %q: unknown exit reason %q", name, reason))
		}
		c.sweepExits[name] = reason
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	c.view = c.readFields()
	r.c = c
	return nil
}

// ViewFields returns the fields of the expert view that the compiled rules read
// (AllViewFields when a rule uses the view otherwise, or the rules are not compiled).
func (r *Rules) ViewFields() ViewFields {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return AllViewFields
	}
	return r.c.view
}

// readFields returns the fields of the expert view that the compiled rules read
// (rules.Program.Members; every field when a rule uses the view otherwise).
func (c *compiled) readFields() ViewFields {
	var f ViewFields
	add := func(s *rules.Set[Env]) {
		if s == nil {
			return
		}
		for _, p := range s.Programs {
			members, all := p.Members("expert")
			if all {
				f = AllViewFields
				return
			}
			for _, m := range members {
				f |= viewField(m)
			}
		}
	}
	add(c.basic)
	add(c.floor)
	add(c.drawable)
	for i := range c.cats {
		add(c.cats[i].required)
		add(c.cats[i].anyOf)
	}
	return f
}

// orderedCategories lists the categories of m: those of Art. 5(2) in the article's order,
// then any others sorted by name.
func orderedCategories(m map[Category]CategoryRules) []Category {
	var out, extra []Category
	for _, c := range Categories() {
		if _, ok := m[c]; ok {
			out = append(out, c)
		}
	}
	for c := range m {
		if !slices.Contains(Categories(), c) {
			extra = append(extra, c)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// Compiled reports whether r has been compiled.
func (r *Rules) Compiled() bool { return r != nil && r.c != nil }

// DefaultRules returns the compiled rules of the 2024 Wenzhou Measures. Each call returns a
// fresh value that the caller may change (and Compile again).
//
// Basic conditions (all must hold):
//
//	political-quality  Art. 5(1)1  hasCredential("political-quality")
//	birth-date         Art. 5(1)2  !expert.BirthDate.IsZero()
//	age                Art. 5(1)2  age <= max(65, expert.RetirementAge)
//	integrity-record   Art. 5(1)3  expert.AdverseRecords == 0     (IntegrityAnyRecord)
//	re-entry-barred    Art. 11     len(expert.ExitReasons) == 0   (ReentryAnyExit)
//
// The narrower readings of Art. 5(1)3 (only serious records bar) and Art. 11 (only exits for
// Art. 10(3)–(5) bar) are options: SetIntegrityBar(IntegritySeriousOnly),
// SetReentryBar(ReentryForCause).
//
// Professional conditions: for each category one AnyOf rule per qualification Art. 5(2) lists
// (technical: expert.Title >= AssociateSenior or one of the technical credentials; management,
// strategy: one of their credentials); the economic category also requires
// hasCredential("fund-management"). See CredentialKinds.
//
// It panics only if the built-in rules do not compile, which the package tests rule out.
func DefaultRules() *Rules {
	r := &Rules{
		Basic: DefaultBasicRules(),
		Professional: map[Category]CategoryRules{
			Technical: {Article: "Art. 5(2)1", AnyOf: append([]rule.Rule{
				{Name: "title", Article: "Art. 5(2)1", Expr: `expert.Title >= AssociateSenior`, Message: "具有副高级及以上职称"},
			}, credentialRules(Technical)...)},
			Management: {Article: "Art. 5(2)2", AnyOf: credentialRules(Management)},
			Strategy:   {Article: "Art. 5(2)3", AnyOf: credentialRules(Strategy)},
			Economic: {Article: "Art. 5(2)4",
				Required: []rule.Rule{{Name: CredFundManagement, Article: "Art. 5(2)4", Expr: `hasCredential("fund-management")`,
					Message: "经济专家须熟悉科技经费管理制度，未提交相应证明（第五条第（二）项第4目）"}},
				AnyOf: credentialRules(Economic)},
		},
		SweepExits: map[string]ExitReason{"age": ExitNoLongerQualified},
	}
	if err := r.Compile(); err != nil {
		panic(err)
	}
	return r
}

// DefaultBasicRules returns the basic rules of DefaultRules (Art. 5(1), 11), uncompiled: the
// city's conditions a county may not loosen (Art. 13). Each call returns a new slice; it
// compiles nothing, so it is cheap.
func DefaultBasicRules() []rule.Rule {
	return []rule.Rule{
		{Name: "political-quality", Article: "Art. 5(1)1", Expr: `hasCredential("political-quality")`,
			Message: "未提交良好政治品质声明，请申请人签署后补充（第五条第（一）项第1目）"},
		{Name: "birth-date", Article: "Art. 5(1)2", Expr: `!expert.BirthDate.IsZero()`,
			Message: "缺少出生日期，无法核定年龄，请补充出生日期"},
		{Name: "age", Article: "Art. 5(1)2", Expr: `age <= max(65, expert.RetirementAge)`,
			Message: "年龄超过65周岁（法定退休年龄大于65周岁的，以法定退休年龄为限），不符合入库基本条件"},
		IntegrityAnyRecord.Rule(),
		ReentryAnyExit.Rule(),
	}
}

// credentialRules returns one rule hasCredential(kind) per credential kind of the category,
// except the economic category's required fund-management credential.
func credentialRules(cat Category) []rule.Rule {
	var out []rule.Rule
	for _, c := range CredentialKinds() {
		if c.Category != cat || c.Kind == CredFundManagement {
			continue
		}
		out = append(out, rule.Rule{Name: c.Kind, Article: c.Article,
			Expr: fmt.Sprintf("hasCredential(%q)", c.Kind), Message: c.Label})
	}
	return out
}

// Check decides whether e meets the admission conditions on asOf (Art. 5, and the re-entry
// ban of Art. 11) under r; nil r means DefaultRules() (compiled on every call: keep a *Rules
// for repeated use). It ignores e.Status, so an expert who left on request can be checked
// again. The expert qualifies for the categories they claim (e.Categories) whose professional
// conditions hold; categories they do not claim are not examined. A rule that fails to
// evaluate counts as not holding (fail closed). Check never panics.
func Check(e Expert, asOf time.Time, r *Rules) Decision {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return notCompiled()
	}
	s := r.c.getEnv(&e, asOf)
	defer r.c.putEnv(s)
	return r.c.check(&s.env, e.Categories)
}

func notCompiled() Decision {
	return Decision{Findings: []Finding{{Article: "Art. 5", Code: "rules-not-compiled",
		Message: "准入规则尚未编译，无法审核（请先调用 Rules.Compile）"}}}
}

func (c *compiled) check(env *Env, claimed []Category) Decision {
	var d Decision
	d.Findings = appendFailed(d.Findings, c.basic, env)
	d.Findings = appendFloor(d.Findings, c.floor, env)
	basicOK := len(d.Findings) == 0
	if len(claimed) == 0 {
		d.Findings = append(d.Findings, Finding{Article: "Art. 5(2)", Code: "no-category",
			Message: "未申报专家类别，请至少选择科技专家、管理专家、战略咨询专家、经济专家中的一类"})
	}
	for i := range c.cats {
		cc := &c.cats[i]
		if !slices.Contains(claimed, cc.cat) {
			continue
		}
		before := len(d.Findings)
		d.Findings = appendFailed(d.Findings, cc.required, env)
		if len(cc.anyOf.Programs) > 0 && !anyHolds(cc.anyOf, env) {
			d.Findings = append(d.Findings, Finding{Article: cc.article, Code: cc.code, Message: cc.message})
		}
		if len(d.Findings) == before {
			d.Categories = append(d.Categories, cc.cat)
		}
	}
	for i, cat := range claimed {
		if slices.Contains(claimed[:i], cat) || slices.ContainsFunc(c.cats, func(cc compiledCategory) bool { return cc.cat == cat }) {
			continue
		}
		d.Findings = append(d.Findings, Finding{Article: "Art. 5(2)", Code: "unknown-category",
			Message: fmt.Sprintf("专家类别“%s”不在本库类别之中，请从科技专家、管理专家、战略咨询专家、经济专家中选择", truncate(string(cat), 32))})
	}
	d.Eligible = basicOK && len(d.Categories) > 0
	return d
}

// appendFailed evaluates every rule of s and appends a Finding for each that does not hold.
func appendFailed(out []Finding, s *rules.Set[Env], env *Env) []Finding {
	if len(s.Programs) == 0 {
		return out
	}
	for i := 0; ; i++ {
		var err error
		if i, _, err = s.NextWith(env, env.meter, env.scratch, i, false); i >= len(s.Programs) {
			return out
		}
		rule := s.Rules[i]
		msg := rule.Message
		if err != nil {
			msg += "（规则无法求值，按不满足处理）"
		}
		out = append(out, Finding{Article: rule.Article, Code: rule.Name, Message: msg})
	}
}

// appendFloor evaluates the floor rules and appends a Finding for each that does not hold,
// unless a finding of the same name is already there (the county's own version failed too).
func appendFloor(out []Finding, s *rules.Set[Env], env *Env) []Finding {
	if s == nil || len(s.Programs) == 0 {
		return out
	}
	n := len(out)
	for _, f := range appendFailed(nil, s, env) {
		if !slices.ContainsFunc(out[:n], func(g Finding) bool { return g.Code == f.Code }) {
			out = append(out, f)
		}
	}
	return out
}

// eligible reports check(env, claimed).Eligible: every basic rule holds and some claimed
// category qualifies. It stops at the first failed basic rule and at the first qualifying
// category, and builds no findings.
func (c *compiled) eligible(env *Env, claimed []Category) bool {
	if !allHold(c.basic, env) || (c.floor != nil && !allHold(c.floor, env)) {
		return false
	}
	for i := range c.cats {
		cc := &c.cats[i]
		if slices.Contains(claimed, cc.cat) && allHold(cc.required, env) &&
			(len(cc.anyOf.Programs) == 0 || anyHolds(cc.anyOf, env)) {
			return true
		}
	}
	return false
}

// allHold reports whether every rule of s holds on env (an evaluation error does not hold).
func allHold(s *rules.Set[Env], env *Env) bool {
	if len(s.Programs) == 0 {
		return true // most categories require nothing beyond one qualification
	}
	i, _, _ := s.NextWith(env, env.meter, env.scratch, 0, false)
	return i >= len(s.Programs)
}

func anyHolds(s *rules.Set[Env], env *Env) bool {
	if len(s.Programs) == 0 {
		return false
	}
	i, _, _ := s.NextWith(env, env.meter, env.scratch, 0, true)
	return i < len(s.Programs)
}

// Drawable reports why e may not be drawn for an activity on asOf, or nil when it may: the
// expert must be Active (Art. 6), not suspended (no integrity record pending review, Art. 9,
// 26: one Finding with code CodeSuspended per pending record, citing the record's article),
// eligible (Check; its findings are returned when not) and meet every Rules.Drawable rule,
// such as recent training (Art. 14(3)). The suspension holds whatever the rules say, so a
// county that admits experts with minor records (IntegritySeriousOnly) still keeps an
// expert with a fresh record out of draws until the bureau reviews it. nil r means
// DefaultRules().
func Drawable(e Expert, asOf time.Time, r *Rules) []Finding {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return notCompiled().Findings
	}
	var out []Finding
	if e.Status != Active {
		out = append(out, Finding{Article: "Art. 12", Code: "not-active",
			Message: "专家不在库（未入库或已出库），不能抽取"})
	}
	out = appendSuspensions(out, e.Records)
	s := r.c.getEnv(&e, asOf)
	defer r.c.putEnv(s)
	env := &s.env
	// eligible decides Decision.Eligible without collecting findings; only an ineligible
	// expert needs the full check, whose findings are returned.
	if !r.c.eligible(env, e.Categories) {
		if d := r.c.check(env, e.Categories); !d.Eligible {
			out = append(out, d.Findings...)
		}
	}
	return appendFailed(out, r.c.drawable, env)
}

// truncate shortens s to at most n runes, for echoing free text in messages.
func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
