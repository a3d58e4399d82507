package expertdb

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/selection"
)

// RequestRule is a county's own requirement on the structure of draw requests (Art. 13:
// a request states conditions, structure, number and recusal, under the county's usage
// rules). When the When expression holds for a request, Apply adds the rule's criteria, quotas
// and group caps to it, e.g. "at least half of a key project's panel from outside the
// county":
//
//	RequestRule{Name: "key-project-outside-county", Article: "Art. 13",
//		Message: "重点项目专家组中县外专家不少于半数",
//		When:    `"key-project" in request.Labels`,
//		Quotas:  []RequestQuota{{Name: "outside-county", Filter: `expert.Region != "330381"`,
//			MinShare: selection.Fraction{Num: 1, Den: 2}}}}
//
// When is an expression over RequestEnv ("" = every request). Criteria, the quota filters
// and the group keys are expressions over selection.Env (expert, usage), exactly as in a
// selection.Request.
type RequestRule struct {
	Name     string               // stable machine code; quotas and groups are named "<Name>/<their name>"
	Article  string               // e.g. "Art. 13"
	Message  string               // Chinese description of the requirement
	When     string               // expression over RequestEnv; "" = always
	Criteria string               // expression over selection.Env, added to the request as a selection.Condition
	Quotas   []RequestQuota       // quotas added to the request
	Groups   []selection.GroupCap // group caps added to the request
}

// RequestQuota is a quota whose bounds may depend on the panel size. Apply turns it into a
// selection.Quota with
//
//	Min = max(Min, ⌈Size × MinShare⌉)      when MinShare is set
//	Max = min(Max, ⌊Size × MaxShare⌋)      when MaxShare is set (Max 0 = no bound)
//
// A share is set when its Den is positive. "At least half" is MinShare 1/2: 3 of 6, 4 of 7.
// When the computed Max is 0 ("at most a quarter" of a panel of 3), no matching expert may
// serve, so Apply adds a negated selection.Condition (Negate: true) instead of a quota.
type RequestQuota struct {
	Name     string
	Filter   string
	Min, Max int
	MinShare selection.Fraction
	MaxShare selection.Fraction
}

// RequestEnv is the environment of RequestRule.When:
//
//	request.ID         string
//	request.Size       int        the panel size
//	request.At         time.Time  the activity date
//	request.Year       int        its calendar year (China Standard Time, selection.CapYear)
//	request.Criteria   string     the request's own criteria expression
//	request.Labels     []string   markers the caller passes to Apply, e.g. "key-project"
//	request.Preferred  int        number of preferential picks
//	request.Invited    int        number of invited experts
//	request.Quotas     []string   names of the request's own quotas
//	request.Project    conflict.ProjectView  ID, Region, Leader, Members
//	policy.Name, policy.Region  string      the policy's own name and county code
//
// Functions: the sandbox's closed set of builtins and methods, no
// clock and no time zone; every evaluation is metered (limits per evaluation).
//
// Examples:
//
//	"key-project" in request.Labels
//	request.Project.Region == policy.Region && request.Size >= 5
//	request.Year >= 2026
type RequestEnv struct {
	Request RequestView `expr:"request"`
	Policy  PolicyView  `expr:"policy"`
}

// RequestView is what RequestRule.When sees as `request`.
type RequestView struct {
	ID        string
	Size      int
	At        time.Time
	Year      int
	Criteria  string
	Labels    []string
	Preferred int
	Invited   int
	Quotas    []string
	Project   conflict.ProjectView
}

// PolicyView is what RequestRule.When sees as `policy`.
type PolicyView struct {
	Name   string
	Region string
}

type compiledRequestRule struct {
	rule RequestRule
	when *rules.Bool[RequestEnv]
}

// compileRequestRule checks rr and compiles its expressions, reporting every problem.
func compileRequestRule(rr RequestRule) (compiledRequestRule, error) {
	rr.Quotas = slices.Clone(rr.Quotas)
	rr.Groups = slices.Clone(rr.Groups)
	c := compiledRequestRule{rule: rr}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("expertdb: request rule %q: "+format, append([]any{rr.Name}, args...)...))
	}
	if strings.TrimSpace(rr.Name) == "" {
		bad("no name")
	}
	if strings.Contains(rr.Name, "/") {
		bad("name contains '/'")
	}
	if strings.TrimSpace(rr.Message) == "" {
		bad("no Chinese message")
	}
	if rr.Criteria == "" && len(rr.Quotas) == 0 && len(rr.Groups) == 0 {
		bad("adds no criteria, quota or group cap")
	}
	var err error
	if strings.TrimSpace(rr.When) != "" {
		if c.when, err = rules.CompileBool[RequestEnv](rr.Name+".when", rr.When, rules.Options{}); err != nil {
			errs = append(errs, err)
		}
	}
	if rr.Criteria != "" {
		if _, err = rules.CompileBool[selection.Env](rr.Name+".criteria", rr.Criteria, drawOptions()); err != nil {
			errs = append(errs, err)
		}
	}
	names := map[string]bool{}
	for i, q := range rr.Quotas {
		if q.Name == "" || strings.Contains(q.Name, "/") || names["q:"+q.Name] {
			bad("quota #%d: missing, duplicate or malformed name", i+1)
		}
		names["q:"+q.Name] = true
		if q.Min < 0 || q.Max < 0 || (q.Max > 0 && q.Max < q.Min) {
			bad("quota %q: bounds must be non-negative with max ≥ min", q.Name)
		}
		if !shareOK(q.MinShare) || !shareOK(q.MaxShare) {
			bad("quota %q: a share must be a fraction in [0, 1]", q.Name)
		}
		if q.Min == 0 && q.Max == 0 && q.MinShare.Den == 0 && q.MaxShare.Den == 0 {
			bad("quota %q: sets no bound", q.Name)
		}
		if _, err = rules.CompileBool[selection.Env](rr.Name+"/"+q.Name, q.Filter, drawOptions()); err != nil {
			errs = append(errs, err)
		}
	}
	for i, g := range rr.Groups {
		if g.Name == "" || strings.Contains(g.Name, "/") || names["g:"+g.Name] {
			bad("group cap #%d: missing, duplicate or malformed name", i+1)
		}
		names["g:"+g.Name] = true
		if g.Max < 1 {
			bad("group cap %q: max must be at least 1", g.Name)
		}
		if _, err = rules.CompileValue[selection.Env](rr.Name+"/"+g.Name, g.Key, drawOptions()); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

// shareOK reports whether f is unset (Den 0 and Num 0) or a fraction in [0, 1].
func shareOK(f selection.Fraction) bool {
	if f.Den == 0 {
		return f.Num == 0
	}
	return f.Den > 0 && f.Num >= 0 && f.Num <= f.Den
}

// drawOptions are the compile options of the draw expressions (selection.Env).
func drawOptions() rules.Options { return rules.Options{Constants: admission.TitleConstants()} }

// ApplyError is a draw request Apply refuses: the request rule, its article, a stable code and
// a Chinese message. It wraps selection.ErrInvalidRequest.
//
// Codes: "policy-not-compiled", "request-rule-error" (the When expression failed on this
// request; fail closed), "already-applied" (the request already carries the rule's quotas or
// groups), "request-rule-contradiction" (a quota needs members and allows none),
// "conditions-reserved" (the submitted request carries selection.Conditions, which only
// Apply adds).
type ApplyError struct {
	Rule    string
	Article string
	Code    string
	Message string
	Err     error // the evaluation error, for "request-rule-error"
}

// Error implements error.
func (e *ApplyError) Error() string {
	s := fmt.Sprintf("expertdb: request rule %q: %s (%s): %s", e.Rule, e.Code, e.Article, e.Message)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns selection.ErrInvalidRequest and the evaluation error, if any.
func (e *ApplyError) Unwrap() []error {
	if e.Err != nil {
		return []error{selection.ErrInvalidRequest, e.Err}
	}
	return []error{selection.ErrInvalidRequest}
}

// Apply returns req with the county's request rules applied (Art. 13): for every RequestRule
// whose When holds, its Criteria becomes a selection.Condition of the request, and its quotas
// and group caps are appended, named "<rule>/<quota>" so that the draw record shows where each
// came from; a quota that allows no member on this panel becomes a negated Condition. labels
// are markers the caller sets on the request, visible as request.Labels (e.g. "key-project");
// they are not part of selection.Request, so record them with the request.
//
// The county's conditions and the request's own Criteria are compiled as separate programs and
// must all hold (composition by syntax tree, never by text): no criteria text, such as
// `true) || (true`, can cancel a county condition, so the applied rule set is never weaker than
// the county's. Conditions are the county's alone: a submitted request that carries any is
// refused ("conditions-reserved"), since they are compiled over the full expert view whatever
// the author may see.
//
// Call Apply once, on the request as submitted, then draw with p.Selection. The input is not
// modified. A When expression that fails on the request refuses it (fail closed), as does a
// request that already carries a rule's quotas; every refusal is an *ApplyError.
func (p *Policy) Apply(req selection.Request, labels ...string) (selection.Request, error) {
	if p.c == nil {
		return req, &ApplyError{Article: "Art. 13", Code: "policy-not-compiled",
			Message: "使用细则尚未编译，无法审核抽取申请（请先调用 Policy.Compile）"}
	}
	if len(req.Conditions) > 0 {
		return req, &ApplyError{Article: "Art. 13", Code: "conditions-reserved",
			Message: "抽取申请不能自带使用细则条件（Conditions），这些条件只能由使用细则添加；请把专家条件写在 Criteria 中"}
	}
	env := &RequestEnv{Request: requestView(req, labels), Policy: PolicyView{Name: p.Name, Region: p.Region}}
	out := req
	out.Quotas = slices.Clone(req.Quotas)
	out.Groups = slices.Clone(req.Groups)
	out.Conditions = nil
	for _, cr := range p.c.requests {
		rr := cr.rule
		if cr.when != nil {
			ok, err := cr.when.Eval(env)
			if err != nil {
				return req, &ApplyError{Rule: rr.Name, Article: rr.Article, Code: "request-rule-error",
					Message: fmt.Sprintf("使用细则的抽取申请规则“%s”无法对本申请求值，按不符合处理，请联系管理人员", rr.Name), Err: err}
			}
			if !ok {
				continue
			}
		}
		prefix := rr.Name + "/"
		if slices.ContainsFunc(out.Quotas, func(q selection.Quota) bool { return strings.HasPrefix(q.Name, prefix) }) ||
			slices.ContainsFunc(out.Groups, func(g selection.GroupCap) bool { return strings.HasPrefix(g.Name, prefix) }) {
			return req, &ApplyError{Rule: rr.Name, Article: rr.Article, Code: "already-applied",
				Message: fmt.Sprintf("抽取申请已包含使用细则规则“%s”的结构要求，不能重复适用", rr.Name)}
		}
		if rr.Criteria != "" {
			out.Conditions = append(out.Conditions, selection.Condition{Rule: rr.Name, Article: rr.Article, Expr: rr.Criteria})
		}
		for _, q := range rr.Quotas {
			lo, hi, bounded := quotaBounds(q, req.Size)
			if bounded && hi == 0 {
				if lo > 0 {
					return req, &ApplyError{Rule: rr.Name, Article: rr.Article, Code: "request-rule-contradiction",
						Message: fmt.Sprintf("规则“%s”的配额“%s”对%d人的专家组既要求至少%d人又不允许任何人，请调整专家数量或使用细则", rr.Name, q.Name, req.Size, lo)}
				}
				out.Conditions = append(out.Conditions, selection.Condition{Rule: prefix + q.Name, Article: rr.Article, Expr: q.Filter, Negate: true})
				continue
			}
			out.Quotas = append(out.Quotas, selection.Quota{Name: prefix + q.Name, Filter: q.Filter, Min: lo, Max: hi})
		}
		for _, g := range rr.Groups {
			g.Name = prefix + g.Name
			out.Groups = append(out.Groups, g)
		}
	}
	return out, nil
}

// quotaBounds computes the bounds of q for a panel of size: min, max (0 = none) and whether
// a maximum applies.
func quotaBounds(q RequestQuota, size int) (lo, hi int, bounded bool) {
	lo, hi = q.Min, q.Max
	bounded = hi > 0
	if size < 0 {
		size = 0
	}
	if f := q.MinShare; f.Den > 0 {
		if m := shareOf(size, f, true); m > lo {
			lo = m
		}
	}
	if f := q.MaxShare; f.Den > 0 {
		if m := shareOf(size, f, false); !bounded || m < hi {
			hi = m
		}
		bounded = true
	}
	return lo, hi, bounded
}

// shareOf returns size × f rounded up (ceil) or down, exactly; f is a fraction in [0, 1].
func shareOf(size int, f selection.Fraction, ceil bool) int {
	hi, lo := bits.Mul64(uint64(size), uint64(f.Num))
	q, r := bits.Div64(hi, lo, uint64(f.Den)) // hi < Den since Num ≤ Den
	if ceil && r > 0 {
		q++
	}
	return int(q)
}

// requestView builds the RequestEnv view of req.
func requestView(req selection.Request, labels []string) RequestView {
	v := RequestView{ID: req.ID, Size: req.Size, At: req.At, Criteria: req.Criteria,
		Labels: slices.Clone(labels), Preferred: len(req.Preferred), Invited: len(req.Invited)}
	if !req.At.IsZero() {
		v.Year = selection.CapYear(req.At)
	}
	for _, q := range req.Quotas {
		v.Quotas = append(v.Quotas, q.Name)
	}
	pr := req.Project
	v.Project = conflict.ProjectView{ID: pr.ID, Region: pr.Region, Leader: personView(pr.Leader, "leader")}
	for _, m := range pr.Members {
		v.Project.Members = append(v.Project.Members, personView(m, "member"))
	}
	return v
}

func personView(p conflict.Person, role string) conflict.PersonView {
	a := p.Affiliation
	return conflict.PersonView{ID: p.ID, Name: p.Name, Role: role, Affiliation: admission.UnitView{
		Org: a.Org, OrgCode: a.OrgCode, Kind: string(a.Kind), Department: a.Department,
		Position: a.Position, From: a.From, To: a.To}}
}
