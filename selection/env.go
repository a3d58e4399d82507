package selection

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Env is the environment of every draw expression: the criteria, quota filters and group
// keys of a Request, and the county exclusion rules (Rules.Exclusions).
//
//	expert   admission.ExpertView  the candidate (no ID number, no mobile; for a request
//	                               prepared Masked also no Name and no BirthDate)
//	age      int                   the candidate's age in full years on the activity date
//	                               (admission.Age of BirthDate and Request.At)
//	usage    int                   accepted participations in the request's calendar year
//	project  ProjectView           the reviewed project: ID, Unit (the applicant unit, i.e.
//	                               the leader's unit), UnitCode, UnitKind, Region, Units
//	reviewedUnitWithin(unit string, months int) bool
//	                               whether the expert reviewed a project of unit (compared
//	                               after conflict.NormalizeName) within months calendar
//	                               months of the activity, before or after (Pool.History,
//	                               WithinMonths)
//
// and the title constants TitleNone, Junior, Intermediate, AssociateSenior, Senior.
// Functions: the sandbox's closed set of builtins and methods (no
// clock, no time zones, no encoders, nothing whose output may outgrow its input), and
// reviewedUnitWithin. Every evaluation is metered (limits per evaluation) and the whole draw shares
// one rule.Meter: an expression that exhausts either stops the draw with an error wrapping
// rule.ErrBudget that names the rule and its article.
//
// Examples:
//
//	criteria:  expert.Title >= AssociateSenior && "new-materials" in expert.Fields
//	quota:     "economic" in expert.Categories
//	quota:     expert.Affiliation.Kind == "enterprise"
//	group key: expert.Affiliation.Org
//	group key: expert.Region
//	exclusion: !reviewedUnitWithin(project.Unit, 6)   (CoolingOffRule(6))
//	exclusion: !(expert.Affiliation.Org in project.Units)
type Env struct {
	Expert             admission.ExpertView   `expr:"expert"`
	Age                int                    `expr:"age"`
	Usage              int                    `expr:"usage"`
	Project            *ProjectView           `expr:"project"`
	ReviewedUnitWithin func(string, int) bool `expr:"reviewedUnitWithin"`

	meter   *rule.Meter    // the draw's meter; nil outside a draw
	scratch *rules.Scratch // the draw's evaluation context; nil: a pooled one
}

// MaskedFields are the fields of the expert view hidden from the expressions of a request
// prepared Masked (PrepareOptions): the name and the birth date. The view never carries ID
// numbers or mobiles; age (in full years on the activity date) stands for the birth date.
var MaskedFields = []rule.Hidden{{Type: reflect.TypeFor[admission.ExpertView](),
	Fields: []string{"Name", "BirthDate"}, Why: "个人信息：无权查看个人信息的用户不能在表达式中读取姓名、出生日期，请改用 age"}}

// PrepareOptions say what the author of a request may see.
type PrepareOptions struct {
	// Masked compiles the request's own expressions (Criteria, quota filters, group keys)
	// against the masked view (MaskedFields): for a user without the right to see personal
	// data, whose expressions may read only what they may see (Art. 20). The county's
	// conditions (Request.Conditions) and exclusion rules keep the full view. Give such a
	// user CountExclusions of the result, not the list.
	Masked bool
}

// Prepared is a request compiled once (criteria, quota filters, group keys) for one or many
// draws, e.g. Simulate or a benchmark. It is safe for concurrent use.
type Prepared struct {
	req        Request
	rules      *Rules
	digest     string
	criteria   *rules.Bool[Env]
	conditions []*rules.Bool[Env] // Request.Conditions, in order
	quotas     []*rules.Bool[Env]
	groups     []*rules.Value[Env]
	exclusions *rules.Set[Env] // nil when the rules have none
	project    *ProjectView    // shared by every Env of the prepared request
	span       Span
	// pureCriteria, pureQuotas and pureGroups say which request expressions read nothing
	// but the expert (no age, usage, project or reviewedUnitWithin): an indexed pool keeps
	// their results per expert.
	pureCriteria bool
	pureQuotas   []bool
	pureGroups   []bool
	// unread are the view fields no expression of the draw reads (viewFields), which the
	// screener does not fill; the zero value fills every field.
	unread admission.ViewFields
}

// exprPure reports whether an expression over Env names none of the fields that change from
// draw to draw for the same expert (the activity date through age, usage, the project,
// history through reviewedUnitWithin): its result depends on the expert's view alone.
func exprPure(names func(string) bool) bool {
	return !names("age") && !names("usage") && !names("project") && !names("reviewedUnitWithin")
}

// env returns the expression environment of e in pool (an expert who need not be in
// pool.Experts, e.g. an invitee).
func (p *Prepared) env(e *admission.Expert, pool Pool) *Env {
	env := new(Env)
	e.ViewInto(&env.Expert)
	env.Age = admission.Age(e.BirthDate, p.req.At)
	env.Usage = pool.Usage[e.ID]
	env.Project = p.project
	env.ReviewedUnitWithin = p.reviewedUnitWithin(pool.History[e.ID])
	return env
}

// Prepare validates req and r and compiles every expression of req. A bad expression is an
// error wrapping ErrInvalidRequest and the *rule.CompileError whose Rule names the site
// ("criteria", "quota:<name>", "group:<name>", or the name of a rule of r.Exclusions) with
// line, column and a caret snippet; all bad expressions are reported together. Prepare
// compiles r.Admission when it is not compiled.
func Prepare(req Request, r *Rules) (*Prepared, error) {
	return PrepareWith(req, r, PrepareOptions{})
}

// PrepareWith is Prepare for an author described by o: with o.Masked, an expression of the
// request that reads a masked field is refused like any other bad expression, with its
// position. A request prepared Masked draws exactly as Prepare would draw it.
func PrepareWith(req Request, r *Rules, o PrepareOptions) (*Prepared, error) {
	r = r.orDefault()
	if err := errors.Join(r.validate(), req.validate()); err != nil {
		return nil, err
	}
	if !r.Admission.Compiled() {
		if err := r.Admission.Compile(); err != nil {
			return nil, fmt.Errorf("%w: admission rules: %w", ErrInvalidRequest, err)
		}
	}
	p := &Prepared{req: req, rules: r, project: projectView(req.Project), span: req.Span()}
	county := rules.Options{Constants: admission.TitleConstants(), Article: "Art. 13"}
	opts := county
	if o.Masked {
		opts.Hidden = MaskedFields
	}
	var errs []error
	wrap := func(err error) { errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidRequest, err)) }
	if req.Criteria != "" {
		c, err := r.progs.bool("criteria", req.Criteria, opts, o.Masked)
		if err != nil {
			wrap(err)
		}
		p.criteria = c
	}
	for i, c := range req.Conditions {
		co := county
		co.Article = cmp.Or(c.Article, "Art. 13")
		name := c.Rule
		if name == "" {
			name = fmt.Sprintf("condition#%d", i+1)
		}
		prog, err := rules.CompileBool[Env]("condition:"+name, c.Expr, co)
		if err != nil {
			wrap(err)
		}
		p.conditions = append(p.conditions, prog)
	}
	for _, q := range req.Quotas {
		c, err := r.progs.bool("quota:"+q.Name, q.Filter, opts, o.Masked)
		if err != nil {
			wrap(err)
		}
		p.quotas = append(p.quotas, c)
	}
	for _, g := range req.Groups {
		c, err := r.progs.value("group:"+g.Name, g.Key, opts, o.Masked)
		if err != nil {
			wrap(err)
		}
		p.groups = append(p.groups, c)
	}
	if len(r.Exclusions) > 0 {
		set, err := rules.CompileSet[Env](r.Exclusions, county)
		if err != nil {
			wrap(fmt.Errorf("exclusion rules: %w", err))
		}
		p.exclusions = set
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.digest = requestDigest(&p.req, r)
	p.pureCriteria = p.criteria != nil && exprPure(p.criteria.Names)
	for _, q := range p.quotas {
		p.pureQuotas = append(p.pureQuotas, exprPure(q.Names))
	}
	for _, g := range p.groups {
		p.pureGroups = append(p.pureGroups, exprPure(g.Names))
	}
	p.unread = ^p.viewFields()
	return p, nil
}

// viewFields returns the fields of the expert view that a draw's expressions read: the
// request's, the county exclusion rules' and the admission rules' (every field when one of
// them uses the view otherwise). The screener fills only those.
func (p *Prepared) viewFields() admission.ViewFields {
	f := p.rules.Admission.ViewFields()
	add := func(members []string, all bool) {
		if all {
			f = admission.AllViewFields
			return
		}
		f |= admission.ViewFieldsOf(members...)
	}
	if p.criteria != nil {
		add(p.criteria.Members("expert"))
	}
	for _, c := range p.conditions {
		add(c.Members("expert"))
	}
	for _, q := range p.quotas {
		add(q.Members("expert"))
	}
	for _, g := range p.groups {
		add(g.Members("expert"))
	}
	if p.exclusions != nil {
		for _, x := range p.exclusions.Programs {
			add(x.Members("expert"))
		}
	}
	return f
}

// RequestDigest returns the request digest (lowercase hex) of docs/draw-v1.md.
func (p *Prepared) RequestDigest() string { return p.digest }

// Request returns the prepared request.
func (p *Prepared) Request() Request { return p.req }

// groupValue turns a group key result into a comparable string; "" means no group.
func groupValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		if x == "" {
			return "", nil
		}
		return "s:" + x, nil
	case int:
		return "i:" + strconv.Itoa(x), nil
	case int64:
		return "i:" + strconv.FormatInt(x, 10), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return "i:" + strconv.FormatInt(int64(x), 10), nil
		}
		return "f:" + strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return "b:" + strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("group key returned %T; want a string, number or bool", v)
}

// progCache keeps compiled request expressions (criteria, quota filters, group keys) by
// site name, text and masking, for the shared default rules; a nil *progCache compiles
// every time. It holds at most maxCachedProgs programs and is safe for concurrent use.
type progCache struct {
	mu    sync.Mutex
	bools map[progKey]*rules.Bool[Env]
	vals  map[progKey]*rules.Value[Env]
}

// progKey is everything a request expression's compilation depends on besides the constant
// options of PrepareWith (title constants, article "Art. 13").
type progKey struct {
	name, source string
	masked       bool
}

const maxCachedProgs = 256

func (c *progCache) bool(name, source string, o rules.Options, masked bool) (*rules.Bool[Env], error) {
	if c == nil {
		return rules.CompileBool[Env](name, source, o)
	}
	k := progKey{name, source, masked}
	c.mu.Lock()
	p := c.bools[k]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := rules.CompileBool[Env](name, source, o)
	if err == nil {
		c.mu.Lock()
		if c.bools == nil {
			c.bools = map[progKey]*rules.Bool[Env]{}
		}
		if len(c.bools)+len(c.vals) < maxCachedProgs {
			c.bools[k] = p
		}
		c.mu.Unlock()
	}
	return p, err
}

func (c *progCache) value(name, source string, o rules.Options, masked bool) (*rules.Value[Env], error) {
	if c == nil {
		return rules.CompileValue[Env](name, source, o)
	}
	k := progKey{name, source, masked}
	c.mu.Lock()
	p := c.vals[k]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := rules.CompileValue[Env](name, source, o)
	if err == nil {
		c.mu.Lock()
		if c.vals == nil {
			c.vals = map[progKey]*rules.Value[Env]{}
		}
		if len(c.bools)+len(c.vals) < maxCachedProgs {
			c.vals[k] = p
		}
		c.mu.Unlock()
	}
	return p, err
}
