package conflict

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Conflict codes. Relation conflicts (Art. 15(2)) use "relation-" followed by the relation
// kind (e.g. "relation-co-author"); county rules (Art. 15(5)) use the rule name.
const (
	CodeProjectLeader  = "project-leader"  // Art. 15(1): the expert is the project leader
	CodeProjectMember  = "project-member"  // Art. 15(1): the expert is a project member
	CodeSameDepartment = "same-department" // Art. 15(3): same department of the same university
	CodeSameInstitute  = "same-institute"  // Art. 15(3): same research institute
	CodeSameEnterprise = "same-enterprise" // Art. 15(3): same enterprise
	CodeSameUnit       = "same-unit"       // same unit of another kind (Rules.OtherUnitClause)
	CodeAvoidanceList  = "avoidance-list"  // Art. 15(4): on the leader's avoidance list
	CodeCheckFailed    = "check-failed"    // the project or the rules are invalid: nobody may be used
	RelationCodePrefix = "relation-"       // Art. 15(2): followed by the relation kind
)

// Checker checks experts against one project as of one date. New precomputes indexes of the
// project's people, units, relations and avoidance list, so Check costs a few map look-ups
// per expert whatever the number of members (plus one evaluation per member for each county
// rule that mentions `member`). A Checker is immutable and safe for concurrent use. The zero
// Checker (and a nil *Checker) fails closed: every expert gets a "check-failed" conflict.
type Checker struct {
	built           bool // false for the zero Checker, which fails closed
	asOf            time.Time
	err             error
	failReason      string
	excludePossible bool
	otherUnitClause int
	formerMonths    int
	unitAliases     map[string]string
	deptAliases     map[string]string

	persons    []person
	byID       map[string][]int32
	byIDNum    map[string][]int32
	byUnitCode map[string][]int32
	byUnitName map[string][]int32

	rel map[string][]relHit // other party's ID → relations with project people

	avoid           []avoidEntry
	avoidByID       map[string][]int32
	avoidByUnitCode map[string][]int32
	avoidByUnitName map[string][]int32
	// mentioned holds every normalised unit name that is, or aliases to, a name of
	// byUnitName or avoidByUnitName: a name outside it cannot match, alias or not.
	mentioned map[string]bool
	keys      keySet // every key above, for MayConflict

	ruleDefs   []rule.Rule
	progs      []*rules.Bool[Env]
	memberRule []bool
	project    ProjectView

	dismissals map[dismissKey]*Dismissal
}

type person struct {
	leader   bool
	idnum    string // normalised
	name     string // normalised
	concerns string
	label    string // "项目负责人张*"
	unit     unit
	view     PersonView
}

type unit struct {
	code, name, dept string // comparison forms (aliases applied)
	kind             admission.OrgKind
	org, department  string // as written, trimmed, for reasons
}

type relHit struct {
	person int32
	code   string
	reason string
}

type avoidForm int

const (
	formNone     avoidForm = iota
	formExpert             // by expert ID
	formNameUnit           // by name and unit
	formUnitDept           // by unit and department
	formUnit               // by unit
)

type avoidEntry struct {
	form     avoidForm
	byName   bool   // match name and unit (formNameUnit, or formExpert with name and unit given)
	name     string // normalised
	unit     unit
	concerns string
	label    string
}

type dismissKey struct{ expertID, code, concerns string }

func avoidanceForm(a Avoidance) avoidForm {
	hasUnit := NormalizeName(a.Org) != "" || NormalizeCode(a.OrgCode) != ""
	switch {
	case strings.TrimSpace(a.ExpertID) != "":
		return formExpert
	case hasUnit && NormalizeName(a.Name) != "":
		return formNameUnit
	case hasUnit && NormalizeName(a.Department) != "":
		return formUnitDept
	case hasUnit:
		return formUnit
	}
	return formNone
}

// NewChecker returns a Checker for p as of asOf under r (nil means DefaultRules). relations
// may hold every known relation; only those touching the project's people are kept.
//
// NewChecker cannot return an error, so it fails closed: when the project is invalid (for
// example an avoidance list longer than Rules.MaxAvoidances) or the rules do not compile, the
// returned checker reports, for every expert, one excluding conflict with code
// "check-failed" whose reason says what to fix, and Err returns the error. Call New or
// ValidateProject first to refuse such a request up front.
func NewChecker(p Project, relations []Relation, asOf time.Time, r *Rules) *Checker {
	c, err := New(p, relations, asOf, r)
	if err != nil {
		return &Checker{built: true, asOf: asOf, err: err, failReason: failReason(err)}
	}
	return c
}

// New is NewChecker returning the error instead of a failing checker: *ProjectError values
// (wrapping ErrInvalidProject, see ValidateProject) and rule errors (wrapping
// ErrInvalidRules), joined.
func New(p Project, relations []Relation, asOf time.Time, r *Rules) (*Checker, error) {
	if r == nil {
		r = DefaultRules()
	}
	cr, rerr := r.current()
	if err := errors.Join(append([]error{rerr}, projectErrors(p, r)...)...); err != nil {
		return nil, err
	}
	unitAliases, _ := resolveAliases(r.UnitAliases)
	deptAliases, _ := resolveAliases(r.DepartmentAliases)
	c := &Checker{
		built:           true,
		asOf:            asOf,
		excludePossible: r.ExcludePossible,
		otherUnitClause: r.OtherUnitClause,
		formerMonths:    r.FormerUnitMonths,
		unitAliases:     unitAliases,
		deptAliases:     deptAliases,
		byID:            map[string][]int32{},
		byIDNum:         map[string][]int32{},
		byUnitCode:      map[string][]int32{},
		byUnitName:      map[string][]int32{},
		rel:             map[string][]relHit{},
		avoidByID:       map[string][]int32{},
		avoidByUnitCode: map[string][]int32{},
		avoidByUnitName: map[string][]int32{},
		ruleDefs:        cr.clause5,
		progs:           cr.progs,
		memberRule:      cr.member,
		dismissals:      map[dismissKey]*Dismissal{},
	}
	c.project = ProjectView{ID: p.ID, Region: p.Region}
	c.persons = make([]person, 0, 1+len(p.Members))
	if !emptyPerson(p.Leader) {
		c.addPerson(p.Leader, true)
		c.project.Leader = c.persons[0].view
	}
	for _, m := range p.Members {
		if emptyPerson(m) {
			continue
		}
		c.addPerson(m, false)
		c.project.Members = append(c.project.Members, c.persons[len(c.persons)-1].view)
	}
	c.addRelations(relations, r, cr)
	for _, a := range p.Avoid {
		c.addAvoidance(a)
	}
	c.mentioned = make(map[string]bool, len(c.byUnitName)+len(c.avoidByUnitName))
	for n := range c.byUnitName {
		c.mentioned[n] = true
	}
	for n := range c.avoidByUnitName {
		c.mentioned[n] = true
	}
	for k, v := range c.unitAliases {
		if c.mentioned[v] {
			c.mentioned[k] = true
		}
	}
	for _, d := range p.Dismissals {
		k := dismissKey{strings.TrimSpace(d.ExpertID), strings.TrimSpace(d.Code), strings.TrimSpace(d.Concerns)}
		if _, dup := c.dismissals[k]; !dup {
			c.dismissals[k] = &d
		}
	}
	c.buildKeys()
	return c, nil
}

// ErrNotBuilt is what Err returns for a Checker not made by New or NewChecker (the zero
// value or nil), which fails closed like an invalid one.
var ErrNotBuilt = errors.New("conflict: checker not built by New or NewChecker")

// Err returns why the checker fails closed (see NewChecker), or nil.
func (c *Checker) Err() error {
	if c == nil || !c.built {
		return ErrNotBuilt
	}
	return c.err
}

func emptyPerson(p Person) bool {
	return strings.TrimSpace(p.ID) == "" && strings.TrimSpace(p.Name) == "" && strings.TrimSpace(p.IDNumber) == "" &&
		strings.TrimSpace(p.Affiliation.Org) == "" && strings.TrimSpace(p.Affiliation.OrgCode) == ""
}

func (c *Checker) unitOf(a admission.Affiliation) unit {
	return c.completeUnit(a, NormalizeCode(a.OrgCode), c.unitName(a.Org))
}

// unitName returns the comparison form of a unit name, aliases applied.
func (c *Checker) unitName(org string) string {
	return c.aliased(NormalizeName(org))
}

// aliased applies the unit aliases to a normalised unit name.
func (c *Checker) aliased(name string) string {
	if len(c.unitAliases) == 0 {
		return name
	}
	if v, ok := c.unitAliases[name]; ok {
		return v
	}
	return name
}

// completeUnit returns the unit of a whose code and name comparison forms are code and name.
func (c *Checker) completeUnit(a admission.Affiliation, code, name string) unit {
	u := unit{
		code:       code,
		name:       name,
		dept:       NormalizeName(a.Department),
		kind:       admission.OrgKind(strings.ToLower(strings.TrimSpace(string(a.Kind)))),
		org:        strings.TrimSpace(a.Org),
		department: strings.TrimSpace(a.Department),
	}
	if v, ok := c.deptAliases[u.dept]; ok {
		u.dept = v
	}
	return u
}

// indexed reports whether a project person or an avoidance entry has the unit with these
// comparison forms (code or name).
func (c *Checker) indexed(code, name string) bool {
	return code != "" && (len(c.byUnitCode[code]) > 0 || len(c.avoidByUnitCode[code]) > 0) ||
		name != "" && (len(c.byUnitName[name]) > 0 || len(c.avoidByUnitName[name]) > 0)
}

func (c *Checker) addPerson(p Person, leader bool) {
	i := int32(len(c.persons))
	id := strings.TrimSpace(p.ID)
	ps := person{
		leader: leader,
		idnum:  NormalizeIDNumber(p.IDNumber),
		name:   NormalizeName(p.Name),
		unit:   c.unitOf(p.Affiliation),
	}
	role, masked := "member", maskName(p.Name)
	ps.label = "项目组成员"
	ps.concerns = "member:"
	if leader {
		role = "leader"
		ps.label = "项目负责人"
		ps.concerns = "leader"
	} else if id != "" && !looksLikeIDNumber(id) {
		ps.concerns += id
	} else {
		ps.concerns += masked + "@" + ps.unit.org
	}
	if masked != "" {
		ps.label += masked
	} else {
		ps.label += "（未具名）"
	}
	a := p.Affiliation
	ps.view = PersonView{ID: id, Name: p.Name, Role: role, Affiliation: admission.UnitView{
		Org: a.Org, OrgCode: a.OrgCode, Kind: string(a.Kind), Department: a.Department,
		Position: a.Position, From: a.From, To: a.To}}
	c.persons = append(c.persons, ps)
	if id != "" {
		c.byID[id] = append(c.byID[id], i)
	}
	if ps.idnum != "" {
		c.byIDNum[ps.idnum] = append(c.byIDNum[ps.idnum], i)
	}
	if ps.unit.code != "" {
		c.byUnitCode[ps.unit.code] = append(c.byUnitCode[ps.unit.code], i)
	}
	if ps.unit.name != "" {
		c.byUnitName[ps.unit.name] = append(c.byUnitName[ps.unit.name], i)
	}
}

func (c *Checker) addRelations(relations []Relation, r *Rules, cr *compiledRules) {
	if len(c.byID) == 0 {
		return
	}
	kinds := map[string]*RelationRule{}
	for i := range r.Relations {
		for _, k := range r.Relations[i].Kinds {
			kinds[relationKind(k)] = &r.Relations[i]
		}
	}
	for _, rel := range relations {
		a, b := strings.TrimSpace(rel.A), strings.TrimSpace(rel.B)
		if a == "" || b == "" || a == b {
			continue
		}
		pa, pb := c.byID[a], c.byID[b]
		if len(pa) == 0 && len(pb) == 0 {
			continue
		}
		code, what, ok := c.relationCounts(rel, kinds, cr)
		if !ok {
			continue
		}
		for _, i := range pa {
			c.rel[b] = append(c.rel[b], relHit{person: i, code: code,
				reason: "专家与" + c.persons[i].label + "存在" + what + "，属重大利益关系，应当回避"})
		}
		for _, i := range pb {
			c.rel[a] = append(c.rel[a], relHit{person: i, code: code,
				reason: "专家与" + c.persons[i].label + "存在" + what + "，属重大利益关系，应当回避"})
		}
	}
}

// relationCounts decides whether rel is a major interest relation on the check date, and
// returns its code and a Chinese description.
func (c *Checker) relationCounts(rel Relation, kinds map[string]*RelationRule, cr *compiledRules) (code, what string, ok bool) {
	kind := relationKind(rel.Kind)
	code = RelationCodePrefix + kind
	if kind == "" {
		code = RelationCodePrefix + "other"
	}
	ongoing := rel.Until.IsZero() || !dateBefore(rel.Until, c.asOf)
	months := 0
	if !ongoing {
		months = fullMonths(rel.Until, c.asOf)
	}
	when := "（持续中）"
	if !ongoing {
		when = fmt.Sprintf("（%d年%d月结束", rel.Until.Year(), int(rel.Until.Month()))
	}
	if rr, listed := kinds[kind]; listed {
		what = rr.Label
		switch {
		case ongoing:
			return code, what + when, true
		case rr.Unlimited:
			return code, what + when + "，不受时间限制）", true
		case months < rr.Months:
			return code, what + when + fmt.Sprintf("，未满%d个月）", rr.Months), true
		}
		return code, "", false
	}
	what = "“" + kind + "”关系"
	if kind == "" {
		what = "未注明类型的关系"
	}
	if !ongoing {
		when += "）"
	}
	if cr.other == nil {
		return code, what + when, true
	}
	env := &RelationEnv{AsOf: c.asOf, Relation: RelationView{Kind: kind, Since: rel.Since, Until: rel.Until,
		Ongoing: ongoing, MonthsSinceEnd: months}}
	counts, err := cr.other.Eval(env)
	if err != nil {
		// Fail closed: a rule that cannot decide counts the relation.
		return code, what + when + "，认定规则无法求值，按重大利益关系处理", true
	}
	return code, what + when, counts
}

func (c *Checker) addAvoidance(a Avoidance) {
	form := avoidanceForm(a)
	if form == formNone {
		return // refused by ValidateProject
	}
	i := int32(len(c.avoid))
	e := avoidEntry{form: form, name: NormalizeName(a.Name), unit: c.unitOf(admission.Affiliation{
		Org: a.Org, OrgCode: a.OrgCode, Department: a.Department})}
	hasUnit := e.unit.code != "" || e.unit.name != ""
	id := strings.TrimSpace(a.ExpertID)
	unitText := e.unit.org
	if unitText == "" {
		unitText = NormalizeCode(a.OrgCode)
	}
	switch form {
	case formExpert:
		e.byName = e.name != "" && hasUnit
		e.concerns = "avoid:expert:" + id
		e.label = "项目负责人声明回避的专家（编号" + id + "）"
		c.avoidByID[id] = append(c.avoidByID[id], i)
	case formNameUnit:
		e.byName = true
		e.concerns = "avoid:name:" + maskName(a.Name) + "@" + unitText
		e.label = "项目负责人声明回避的" + unitText + maskName(a.Name)
	case formUnitDept:
		e.concerns = "avoid:unit:" + unitText + "/" + e.unit.department
		e.label = "项目负责人声明回避的单位院系" + unitText + e.unit.department
	case formUnit:
		e.concerns = "avoid:unit:" + unitText
		e.label = "项目负责人声明回避的单位" + unitText
	}
	c.avoid = append(c.avoid, e)
	if form != formExpert || e.byName {
		if e.unit.code != "" {
			c.avoidByUnitCode[e.unit.code] = append(c.avoidByUnitCode[e.unit.code], i)
		}
		if e.unit.name != "" {
			c.avoidByUnitName[e.unit.name] = append(c.avoidByUnitName[e.unit.name], i)
		}
	}
}

// probe is one expert being checked.
type probe struct {
	rawName  string
	idnum    string
	name     string
	nameDone bool
	out      []Conflict
	meter    *rule.Meter // Known.Meter, for the county rules
}

// nameIs reports whether the expert's normalised name is name (a normal form).
func (pr *probe) nameIs(name string) bool {
	if !pr.nameDone {
		if eq, ok := equalSimple(pr.rawName, name); ok {
			return eq
		}
	}
	return pr.normName() == name
}

func (pr *probe) normName() string {
	if !pr.nameDone {
		pr.name = NormalizeName(pr.rawName)
		pr.nameDone = true
	}
	return pr.name
}

// Check returns the conflicts that exclude e from the project, sorted by clause, code and
// Concerns; nil when e may serve. Dismissed conflicts, and possible ones when
// Rules.ExcludePossible is false, are left out; Report returns them too.
func (c *Checker) Check(e admission.Expert) []Conflict {
	return c.CheckWith(&e, Known{})
}

// Known is what a caller that checks the same experts again and again (a draw over a kept
// pool, see selection) computed once, for CheckWith and ReportWith. Every field is optional.
type Known struct {
	// Units are UnitNames of the expert (NormalizeName of Affiliation.Org, then of each
	// Past[k].Org); nil means compute them. They are only read.
	Units []string
	// View is the expert's expression view (e.View()) for the county rules (clause 5); nil
	// means build it. It is only read.
	View *admission.ExpertView
	// Meter is charged with every evaluation of the county rules, e.g. the meter of a whole
	// draw (a rule stopped by it fails closed, like any rule that cannot be evaluated, and the
	// meter says so: Exhausted); nil means each evaluation has only its own limits.
	Meter *rule.Meter
	// Memo, when not nil, keeps what the unit checks derive from a unit as written, for the
	// next experts of the same unit checked with the same Memo (see Memo).
	Memo *Memo
}

// Memo keeps, for one caller checking many experts one after the other (a draw), the
// comparison form of each unit an expert shares with the project (department and kind
// normalised, aliases applied), so that the experts of one unit share that work. It changes
// no result. A Memo is not safe for concurrent use; the zero Memo is ready; a Memo used with
// another Checker starts again.
type Memo struct {
	c       *Checker
	units   map[string][]memoUnit // by the name's comparison form
	reasons [][reasonKinds]string // per project person: the unit reasons built so far
	buf     []Conflict            // Excluding's list
}

// Kinds of unit reasons a Memo keeps per person (for a current unit, without a former-unit
// remark).
const (
	reasonInstitute = iota
	reasonEnterprise
	reasonDepartment
	reasonNoDepartment
	reasonKinds
)

// reason returns p.unitReason(kind, former), kept per person (p is person i) and kind when m
// is not nil and the unit is current (former is empty).
func (m *Memo) reason(p *person, i int32, kind int, former string) string {
	if m == nil || former != "" {
		return p.unitReason(kind, former)
	}
	if m.reasons == nil {
		m.reasons = make([][reasonKinds]string, len(m.c.persons))
	}
	r := &m.reasons[i][kind]
	if *r == "" {
		*r = p.unitReason(kind, former)
	}
	return *r
}

// unitReason is the reason of a clause (3) conflict of the given kind with p; former is the
// former-unit remark or "".
func (p *person) unitReason(kind int, former string) string {
	switch kind {
	case reasonInstitute:
		return "专家与" + p.label + "同属科研院所" + p.unit.org + former + "，应当回避"
	case reasonEnterprise:
		return "专家与" + p.label + "同属企业" + p.unit.org + former + "，应当回避"
	case reasonDepartment:
		return "专家与" + p.label + "同属高校" + p.unit.org + "的同一院系" + p.unit.department + former + "，应当回避"
	default: // reasonNoDepartment
		return "专家与" + p.label + "同属高校" + p.unit.org + former + "，院系信息不全，无法排除同一院系，请核实"
	}
}

// maxMemoVariants bounds the units a Memo keeps under one name's comparison form.
const maxMemoVariants = 8

// memoUnit is a unit kept by a Memo, with what it was derived from besides its name's
// comparison form (the key of Memo.units).
type memoUnit struct {
	code               string // comparison form
	org, dept, rawKind string // as written
	u                  unit
}

// unit returns c.completeUnit(a, code, name), kept in m when m is not nil.
func (m *Memo) unit(c *Checker, a admission.Affiliation, code, name string) unit {
	if m == nil {
		return c.completeUnit(a, code, name)
	}
	if m.c != c {
		m.c, m.units, m.reasons = c, nil, nil
	}
	kept := m.units[name]
	for i := range kept {
		if k := &kept[i]; k.code == code && k.org == a.Org && k.dept == a.Department && k.rawKind == string(a.Kind) {
			return k.u
		}
	}
	u := c.completeUnit(a, code, name)
	if len(kept) >= maxMemoVariants {
		return u // many spellings of one name: look-ups stay short, the rest are computed
	}
	if m.units == nil {
		m.units = map[string][]memoUnit{}
	}
	m.units[name] = append(kept, memoUnit{code, a.Org, a.Department, string(a.Kind), u})
	return u
}

// UnitNames returns the comparison forms (NormalizeName) of e's unit names: Affiliation.Org,
// then each Past[k].Org, in order. They do not depend on a project or on rules (aliases are
// applied after them), so a caller may compute them once per expert (Known.Units).
func UnitNames(e *admission.Expert) []string {
	out := make([]string, 1+len(e.Past))
	out[0] = NormalizeName(e.Affiliation.Org)
	for k := range e.Past {
		out[1+k] = NormalizeName(e.Past[k].Org)
	}
	return out
}

// CheckWith is Check(*e) reusing what k holds; it returns exactly what Check returns (with
// k.Meter, a county rule stopped by the meter counts as failed). e is only read.
func (c *Checker) CheckWith(e *admission.Expert, k Known) []Conflict {
	all := c.ReportWith(e, k)
	out := all[:0]
	for _, x := range all {
		if x.Excludes {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Report returns every conflict found for e, sorted by clause, code and Concerns: those that
// exclude e, those set aside by an approved Dismissal (Dismissal set, Excludes false) and
// possible ones that do not exclude under the rules. Conflicts with the same clause, code and
// Concerns are reported once (a definite one in preference to a possible one).
func (c *Checker) Report(e admission.Expert) []Conflict {
	return c.ReportWith(&e, Known{})
}

// ReportWith is Report(*e) reusing what k holds (see CheckWith).
func (c *Checker) ReportWith(e *admission.Expert, k Known) []Conflict {
	return c.report(e, k, nil)
}

// Excluding returns the first conflict CheckWith(e, k) returns, and whether there is one:
// what a caller that only needs whether and why e is excluded reads, without the list.
func (c *Checker) Excluding(e *admission.Expert, k Known) (Conflict, bool) {
	var buf []Conflict
	if k.Memo != nil {
		buf = k.Memo.buf[:0] // the list is not returned: reuse its array
	}
	out := c.report(e, k, buf)
	if k.Memo != nil && cap(out) > cap(k.Memo.buf) {
		k.Memo.buf = out[:0]
	}
	for _, x := range out {
		if x.Excludes {
			return x, true
		}
	}
	return Conflict{}, false
}

// report is ReportWith appending to out (an empty slice, whose array it may use).
func (c *Checker) report(e *admission.Expert, k Known, out []Conflict) []Conflict {
	if c == nil || !c.built {
		return []Conflict{{ExpertID: e.ID, Clause: 0, Article: "Art. 15", Code: CodeCheckFailed,
			Reason: "回避审查未初始化（须由 conflict.New 或 NewChecker 创建），任何专家均不得选用", Definite: true, Excludes: true}}
	}
	if c.err != nil {
		return []Conflict{{ExpertID: e.ID, Clause: 0, Article: "Art. 15", Code: CodeCheckFailed,
			Reason: c.failReason, Definite: true, Excludes: true}}
	}
	pr := &probe{rawName: e.Name, out: out}
	id := trimID(e.ID)
	if id != "" {
		for _, i := range c.byID[id] {
			c.identity(pr, i, true, "专家编号一致")
		}
		for _, h := range c.rel[id] {
			c.add(pr, Conflict{Clause: 2, Code: h.code, Concerns: c.persons[h.person].concerns,
				Reason: h.reason, Definite: true})
		}
		for _, i := range c.avoidByID[id] {
			a := &c.avoid[i]
			c.add(pr, Conflict{Clause: 4, Code: CodeAvoidanceList, Concerns: a.concerns,
				Reason: "专家为" + a.label + "，应当回避", Definite: true})
		}
	}
	if e.IDNumber != "" {
		pr.idnum = NormalizeIDNumber(e.IDNumber)
		if pr.idnum != "" {
			for _, i := range c.byIDNum[pr.idnum] {
				c.identity(pr, i, true, "身份证号码一致")
			}
		}
	}
	if len(c.byUnitCode)+len(c.byUnitName)+len(c.avoidByUnitCode)+len(c.avoidByUnitName) > 0 {
		units := k.Units
		if len(units) != 1+len(e.Past) {
			units = nil
		}
		c.checkUnit(pr, e.Affiliation, units, 0, k.Memo)
		for i, a := range e.Past {
			c.checkUnit(pr, a, units, 1+i, k.Memo)
		}
	}
	if len(c.progs) > 0 {
		c.checkRules(pr, e, k)
	}
	return c.finish(e.ID, pr.out)
}

func (c *Checker) add(pr *probe, x Conflict) {
	x.Excludes = x.Excludes || x.Definite || c.excludePossible
	pr.out = append(pr.out, x)
}

// identity reports clause (1): the expert is person i.
func (c *Checker) identity(pr *probe, i int32, definite bool, how string) {
	p := &c.persons[i]
	code := CodeProjectMember
	if p.leader {
		code = CodeProjectLeader
	}
	reason := "专家即" + p.label + "（" + how + "），应当回避"
	if !definite {
		reason = "专家与" + p.label + how + "，可能为同一人，请核实"
	}
	c.add(pr, Conflict{Clause: 1, Code: code, Concerns: p.concerns, Reason: reason, Definite: definite})
}

// counts reports whether affiliation a still counts on the check date: current, or left
// less than FormerUnitMonths full months ago.
func (c *Checker) counts(a admission.Affiliation) bool {
	return a.To.IsZero() || !dateBefore(a.To, c.asOf) || fullMonths(a.To, c.asOf) < c.formerMonths
}

// checkUnit checks the expert's unit a; units[k], when units is not nil, is NormalizeName
// of a.Org.
func (c *Checker) checkUnit(pr *probe, a admission.Affiliation, units []string, k int, memo *Memo) {
	if !c.counts(a) {
		return
	}
	// Most experts share no unit with the project: look the unit up before normalising the
	// department and building the rest.
	var raw string
	if units != nil {
		raw = units[k]
	} else {
		raw = NormalizeName(a.Org)
	}
	code := ""
	if a.OrgCode != "" {
		code = NormalizeCode(a.OrgCode)
	}
	if (code == "" || len(c.byUnitCode[code])+len(c.avoidByUnitCode[code]) == 0) && !c.mentioned[raw] {
		return // neither the code nor the name (aliased or not) is a project's or listed unit
	}
	name := c.aliased(raw)
	if !c.indexed(code, name) {
		return
	}
	u := memo.unit(c, a, code, name)
	former := !a.To.IsZero() && dateBefore(a.To, c.asOf)
	if u.code != "" {
		for _, i := range c.byUnitCode[u.code] {
			c.unitHit(pr, u, former, false, i, memo)
		}
		for _, i := range c.avoidByUnitCode[u.code] {
			c.avoidHit(pr, u, former, false, i)
		}
	}
	if u.name != "" {
		// With a credit code on one side only, the names decide. With codes on both sides,
		// equal codes were found above; different codes under the same name make the unit a
		// possible one (a relabelled code, a typo, a branch): Definite false, to be checked.
		for _, i := range c.byUnitName[u.name] {
			if pc := c.persons[i].unit.code; u.code == "" || pc == "" || pc != u.code {
				c.unitHit(pr, u, former, u.code != "" && pc != "", i, memo)
			}
		}
		for _, i := range c.avoidByUnitName[u.name] {
			if ac := c.avoid[i].unit.code; u.code == "" || ac == "" || ac != u.code {
				c.avoidHit(pr, u, former, u.code != "" && ac != "", i)
			}
		}
	}
}

// codeMismatchReason is the reason of a possible conflict on a unit whose name matches and
// whose credit code does not.
func codeMismatchReason(who, org, former string) string {
	return "专家单位名称与" + who + "的单位" + org + "相同，但统一社会信用代码不同" + former + "，可能为同一单位，请核实"
}

// formerNote is the reason's remark on a former unit.
func (c *Checker) formerNote(former bool) string {
	if !former {
		return ""
	}
	return "（专家曾任职该单位，离开未满" + strconv.Itoa(c.formerMonths) + "个月）"
}

// unitHit handles an expert unit u that is person i's unit: a possible clause (1) identity
// and clause (3) or the other-unit clause. codeMismatch says the names match and the credit
// codes differ: every conflict found is then only possible.
func (c *Checker) unitHit(pr *probe, u unit, wasFormer, codeMismatch bool, i int32, memo *Memo) {
	p := &c.persons[i]
	former := c.formerNote(wasFormer)
	if codeMismatch {
		n := len(pr.out)
		defer func() {
			for k := n; k < len(pr.out); k++ {
				if x := &pr.out[k]; x.Clause != 1 {
					x.Definite, x.Excludes = false, c.excludePossible
					x.Reason = codeMismatchReason(p.label, p.unit.org, former)
				}
			}
		}()
	}
	if p.name != "" && pr.nameIs(p.name) && (p.idnum == "" || pr.idnum == "" || p.idnum == pr.idnum) {
		c.identity(pr, i, false, "姓名相同且同在"+p.unit.org)
	}
	base := Conflict{Concerns: p.concerns, Definite: true}
	switch classify(u.kind, p.unit.kind) {
	case admission.Institute:
		base.Clause, base.Code = 3, CodeSameInstitute
		base.Reason = memo.reason(p, i, reasonInstitute, former)
	case admission.Enterprise:
		base.Clause, base.Code = 3, CodeSameEnterprise
		base.Reason = memo.reason(p, i, reasonEnterprise, former)
	case admission.University:
		base.Clause, base.Code = 3, CodeSameDepartment
		switch {
		case u.dept != "" && p.unit.dept != "" && u.dept == p.unit.dept:
			base.Reason = memo.reason(p, i, reasonDepartment, former)
		case u.dept != "" && p.unit.dept != "":
			return // same university, different departments: no conflict under Art. 15(3)
		default:
			base.Definite = false
			base.Reason = memo.reason(p, i, reasonNoDepartment, former)
		}
	default:
		if c.otherUnitClause == 0 {
			return
		}
		base.Clause, base.Code = c.otherUnitClause, CodeSameUnit
		base.Reason = "专家与" + p.label + "同在" + kindName(classifyDisplay(u.kind, p.unit.kind)) + p.unit.org + former +
			"，可能影响公正评价，应当回避"
	}
	c.add(pr, base)
}

// avoidHit handles an expert unit u that is the unit of avoidance entry i; codeMismatch as
// for unitHit.
func (c *Checker) avoidHit(pr *probe, u unit, wasFormer, codeMismatch bool, i int32) {
	a := &c.avoid[i]
	former := c.formerNote(wasFormer)
	x := Conflict{Clause: 4, Code: CodeAvoidanceList, Concerns: a.concerns, Definite: true}
	if codeMismatch {
		n := len(pr.out)
		defer func() {
			for k := n; k < len(pr.out); k++ {
				y := &pr.out[k]
				y.Definite, y.Excludes = false, c.excludePossible
				y.Reason = codeMismatchReason(a.label, a.unit.org, former)
			}
		}()
	}
	switch {
	case a.byName:
		if !pr.nameIs(a.name) {
			return
		}
		x.Reason = "专家姓名、单位与" + a.label + "相符" + former + "，应当回避"
	case a.form == formUnitDept:
		switch {
		case u.dept == a.unit.dept:
			x.Reason = "专家属于" + a.label + former + "，应当回避"
		case u.dept != "":
			return
		default:
			x.Definite = false
			x.Reason = "专家属于" + a.label + "所在单位" + former + "，院系信息不全，请核实"
		}
	case a.form == formUnit:
		x.Reason = "专家属于" + a.label + former + "，应当回避"
	default:
		return
	}
	c.add(pr, x)
}

// classify decides which sentence of Art. 15(3) applies when both sides belong to one unit but
// record different kinds: the broader rule wins (institute and enterprise conflict on the
// unit alone, a university only on the same department).
func classify(a, b admission.OrgKind) admission.OrgKind {
	switch {
	case a == admission.Institute || b == admission.Institute:
		return admission.Institute
	case a == admission.Enterprise || b == admission.Enterprise:
		return admission.Enterprise
	case a == admission.University || b == admission.University:
		return admission.University
	}
	return admission.OtherOrg
}

func classifyDisplay(a, b admission.OrgKind) admission.OrgKind {
	if b != "" {
		return b
	}
	return a
}

func kindName(k admission.OrgKind) string {
	switch k {
	case admission.Government:
		return "政府机关或事业单位"
	case admission.Hospital:
		return "医院"
	case admission.Financial:
		return "金融机构"
	}
	return "单位"
}

func (c *Checker) checkRules(pr *probe, e *admission.Expert, k Known) {
	env := &Env{Project: c.project}
	if k.View != nil {
		env.Expert = *k.View
	} else {
		e.ViewInto(&env.Expert)
	}
	pr.meter = k.Meter
	for i, prog := range c.progs {
		rl := c.ruleDefs[i]
		clause, article := ruleClause(rl.Article)
		if !c.memberRule[i] {
			env.Member = PersonView{}
			c.ruleHit(pr, prog, env, rl, clause, article, "", "")
			continue
		}
		for j := range c.persons {
			p := &c.persons[j]
			env.Member = p.view
			c.ruleHit(pr, prog, env, rl, clause, article, p.concerns, "（涉及"+p.label+"）")
		}
	}
}

func (c *Checker) ruleHit(pr *probe, prog *rules.Bool[Env], env *Env, rl rule.Rule, clause int, article, concerns, who string) {
	ok, err := prog.EvalMeter(env, pr.meter)
	switch {
	case err != nil:
		pr.out = append(pr.out, Conflict{Clause: clause, Article: article, Code: rl.Name, Concerns: concerns,
			Reason: "回避规则“" + rl.Name + "”无法求值" + who + "，按回避处理，请核查使用细则", Excludes: true})
	case ok:
		c.add(pr, Conflict{Clause: clause, Article: article, Code: rl.Name, Concerns: concerns,
			Reason: rl.Message + who, Definite: true})
	}
}

// ruleClause reads the clause from a rule's article ("Art. 15(5)" → 5); anything else is
// clause 5.
func ruleClause(article string) (int, string) {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(article), "Art. 15("); ok {
		if n, ok := strings.CutSuffix(rest, ")"); ok {
			if k, err := strconv.Atoi(n); err == nil && k >= 1 && k <= 5 {
				return k, strings.TrimSpace(article)
			}
		}
	}
	if strings.TrimSpace(article) == "" {
		return 5, "Art. 15(5)"
	}
	return 5, strings.TrimSpace(article)
}

// finish fills in the common fields, removes duplicates, applies dismissals and sorts.
func (c *Checker) finish(expertID string, out []Conflict) []Conflict {
	if len(out) == 0 {
		return nil
	}
	for i := range out {
		out[i].ExpertID = expertID
		if out[i].Article == "" {
			out[i].Article = clauseArticle(out[i].Clause)
		}
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b Conflict) int {
			return cmp.Or(cmp.Compare(a.Clause, b.Clause), strings.Compare(a.Code, b.Code),
				strings.Compare(a.Concerns, b.Concerns), boolFirst(a.Definite, b.Definite),
				boolFirst(a.Excludes, b.Excludes), strings.Compare(a.Reason, b.Reason))
		})
		out = slices.CompactFunc(out, func(a, b Conflict) bool {
			return a.Clause == b.Clause && a.Code == b.Code && a.Concerns == b.Concerns
		})
	}
	if len(c.dismissals) > 0 {
		id := strings.TrimSpace(expertID)
		for i := range out {
			x := &out[i]
			if x.Clause == 1 && x.Definite {
				continue // facts cannot be dismissed
			}
			if d := c.dismissals[dismissKey{id, x.Code, x.Concerns}]; d != nil {
				x.Dismissal = d
				x.Excludes = false
			}
		}
	}
	return out
}

// clauseArticles are the articles of clauses 0 to 5 of Art. 15.
var clauseArticles = [...]string{"Art. 15(0)", "Art. 15(1)", "Art. 15(2)", "Art. 15(3)", "Art. 15(4)", "Art. 15(5)"}

// clauseArticle returns "Art. 15(clause)".
func clauseArticle(clause int) string {
	if clause >= 0 && clause < len(clauseArticles) {
		return clauseArticles[clause]
	}
	return "Art. 15(" + strconv.Itoa(clause) + ")"
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// failReason turns New's error into the reason of a "check-failed" conflict.
func failReason(err error) string {
	var msgs []string
	if errors.Is(err, ErrInvalidRules) {
		msgs = append(msgs, "回避规则配置有误，请检查使用细则")
	}
	var walk func(error)
	walk = func(err error) {
		if pe, ok := err.(*ProjectError); ok {
			msgs = append(msgs, pe.Message)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	if len(msgs) == 0 {
		msgs = append(msgs, "回避审查数据有误")
	}
	return "回避审查无法进行：" + strings.Join(msgs, "；") + "。修正前任何专家均不得选用"
}
