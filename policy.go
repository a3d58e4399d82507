package expertdb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// WenzhouMeasures2024 is the rule set every Policy is based on: the Wenzhou Science and
// Technology Expert Database Management Measures (温州市科技专家库管理办法, 温科发〔2024〕2号,
// in force 2024-03-27). It is the value of Policy.Base.
const WenzhouMeasures2024 = "温州市科技专家库管理办法（温科发〔2024〕2号）"

// cst is China Standard Time (UTC+8), the zone of the dates of a policy.
var cst = time.FixedZone("CST", 8*3600)

// Policy is a whole rule set for using the expert database: the city's own (DefaultPolicy)
// or a county's usage rules (使用细则, Art. 13) filed with the city bureau (LoadPolicy).
//
// It bundles the rules of every package, so one value decides admission (Art. 5, 11),
// recusal (Art. 15), ratings and preferential eligibility (Art. 25), draws (Art. 13, 14),
// permissions (Art. 18–21) and audit alerts (Art. 17, 22), plus the county's own request
// rules (RequestRules, applied by Apply). Selection's Admission, Conflict and Evaluation point
// to the same values as the Policy's fields, so a county's change reaches the draw as well.
//
// A Policy returned by DefaultPolicy or LoadPolicy is compiled and safe for concurrent use as
// long as nobody changes it. A program that changes fields must call Compile before use
// again; Compile takes a snapshot of RequestRules, like admission.Rules.Compile does.
//
// # Interpretations
//
// Art. 13 says only that counties "参照本办法制定专家库使用细则，并报市科技局备案". This package
// reads it as follows:
//
//   - A county policy is the city rules with overrides, never a rule set of its own: what
//     the profile does not mention stays as the Measures have it, and Base is always
//     WenzhouMeasures2024. Everything a county changes is listed (Changes) and marked in the
//     filing text (Describe), so the city bureau sees exactly what differs.
//   - Region must be a Wenzhou code (3303xx): the Measures are Wenzhou's.
//   - Effective is a calendar date, midnight China Standard Time.
//   - Rule lists merge by name, field by field: a county that tightens the age limit writes
//     only the new expression and keeps the article; a default rule is removed only
//     explicitly (disabled: true), and removing a basic admission rule also removes the
//     exit Sweep proposed for it (Art. 10). Lists without names (conflict relations, serious
//     violations, roles) are replaced whole.
//   - Restating a default value is not a change.
//   - Request structure the county adds (RequestRules) is part of the request once applied
//     (its quotas carry the rule's name into the request digest of the draw), and a request
//     rule that cannot be evaluated refuses the request (fail closed).
//   - Shares of the panel round towards the stricter side for the county's intent: "at
//     least half" rounds up (⌈7/2⌉ = 4), "at most a quarter" rounds down (⌊7/4⌋ = 1).
//   - The draw controls of package selection are county settings like the others. The
//     availability checks (Art. 8(2)) stay on unless a county switches them off, which is a
//     change under Art. 8(2). The draw window is a county's reading of the confidentiality
//     of the draw and the notification (Art. 14(2)) after procurement practice; the city
//     has none. A county exclusion rule is filed under its own article (Art. 13 when it
//     names none; Art. 15(5) for a cooling-off period, another circumstance that may affect
//     a fair evaluation), and its name, which becomes the exclusion code in every draw
//     record, may not be one of the codes the draw records itself.
type Policy struct {
	// Name is the title of the rule set, e.g. 瑞安市科技专家库使用细则.
	Name string
	// Region is the GB/T 2260 code of the county (6 digits, in Wenzhou: 3303xx), e.g. 330381.
	Region string
	// Filing is the reference of the filing with the city bureau (备案, Art. 13) or of the
	// county's own document, e.g. 瑞科〔2026〕5号. Empty when not yet filed.
	Filing string
	// Effective is the date the rules take effect (midnight, China Standard Time); zero when
	// not stated.
	Effective time.Time
	// Base is the rule set this policy adapts: always WenzhouMeasures2024.
	Base string

	// Admission holds the admission conditions (Art. 5, 11) and drawability (Art. 14(3)).
	Admission *admission.Rules
	// Conflict holds the recusal rules (Art. 15).
	Conflict *conflict.Rules
	// Evaluation holds the rating and preferential-eligibility rules (Art. 25, 9, 10(3)).
	Evaluation *evaluation.Rules
	// Selection holds the draw rules (Art. 14: annual cap, preferential share). Its
	// Admission, Conflict and Evaluation are the Policy's own.
	Selection *selection.Rules
	// Permissions are the tiered permission rules (Art. 18–21), for audit.NewPermissions.
	Permissions audit.PermissionRules
	// Alerts are the audit alert rules (Art. 17, 21, 22), for audit.NewAlerter.
	Alerts []audit.AlertRule
	// RequestRules are the county's own structure requirements for draw requests (Art. 13),
	// applied by Apply. The Measures set none, so DefaultPolicy has none.
	RequestRules []RequestRule
	// SealPanels keeps the names on a drawn panel sealed until the activity starts: only the
	// operator who drew and the discipline office see them; others see placeholders, and
	// Service.Unseal opens a panel early with an approver (Art. 8(6), 9(7), 22(3)). On by default.
	SealPanels bool

	changes []Change
	c       *policyCompiled
	limits  *policyLimits // city limits in force when loaded (policy_limits.go)
}

// ChangeKind says what a county did to a default setting.
type ChangeKind string

// The kinds of Change.
const (
	ChangeSet    ChangeKind = "set"    // a setting or a field of a default rule was given another value
	ChangeAdd    ChangeKind = "add"    // a rule, category, alias or request rule the Measures do not have
	ChangeRemove ChangeKind = "remove" // a default rule, category or alias was removed (disabled: true)
)

// Change is one difference between a county policy and the city defaults, as LoadPolicy found
// it in the profile. Restating a default value is not a change, and the county's identity
// (name, region, filing, effective) is not one either.
type Change struct {
	// Path names the setting in the YAML form, e.g. "selection.annual_cap",
	// "admission.basic[age].expr", "conflict.clause5[county-government-staff]",
	// "conflict.unit_aliases[瑞安人医]".
	Path string
	// Article is the article the setting implements, e.g. "Art. 14(1)".
	Article string
	// Kind is what was done.
	Kind ChangeKind
	// Old is the city default in text form ("" for an addition).
	Old string
	// New is the county's value in text form ("" for a removal).
	New string
	// Line is the line of the profile that made the change (0 when not from a file).
	Line int
}

// String renders the change on one line, e.g.
// "selection.annual_cap (Art. 14(1)): 10 → 8 [line 7]".
func (c Change) String() string {
	var b strings.Builder
	b.WriteString(c.Path)
	if c.Article != "" {
		fmt.Fprintf(&b, " (%s)", c.Article)
	}
	switch c.Kind {
	case ChangeAdd:
		fmt.Fprintf(&b, ": added %s", oneLine(c.New))
	case ChangeRemove:
		fmt.Fprintf(&b, ": removed %s", oneLine(c.Old))
	default:
		fmt.Fprintf(&b, ": %s → %s", oneLine(c.Old), oneLine(c.New))
	}
	if c.Line > 0 {
		fmt.Fprintf(&b, " [line %d]", c.Line)
	}
	return b.String()
}

// Changes returns every override of the city defaults, in the order of the profile. A
// DefaultPolicy has none. The slice is a copy.
func (p *Policy) Changes() []Change { return slices.Clone(p.changes) }

// DefaultPolicy returns the compiled rules of the 2024 Wenzhou Measures (the city's own use
// of the database): the defaults of every package, with Region 330300 (温州市), Filing
// 温科发〔2024〕2号 and Effective 2024-03-27 (Art. 29). Each call returns a new value the
// caller may change (and Compile again).
func DefaultPolicy() *Policy {
	p := defaultPolicy()
	if err := p.Compile(); err != nil {
		panic("expertdb: default policy does not compile: " + err.Error()) // unreachable: tested
	}
	return p
}

// defaultPolicy returns the defaults without compiling the Policy as a whole (each package's
// DefaultRules compiles its own rules already); LoadPolicy compiles once, after the overrides.
func defaultPolicy() *Policy {
	a, c, e := admission.DefaultRules(), conflict.DefaultRules(), evaluation.DefaultRules()
	s := selection.DefaultRules()
	s.Admission, s.Conflict, s.Evaluation = a, c, e
	return &Policy{
		Name:        "温州市科技专家库管理办法（市级规则）",
		Region:      "330300",
		Filing:      "温科发〔2024〕2号",
		Effective:   time.Date(2024, 3, 27, 0, 0, 0, 0, cst),
		Base:        WenzhouMeasures2024,
		Admission:   a,
		Conflict:    c,
		Evaluation:  e,
		Selection:   s,
		Permissions: audit.DefaultPermissionRules(),
		Alerts:      audit.DefaultAlertRules(),
		SealPanels:  true,
	}
}

// policyCompiled is the snapshot Compile takes of what only the Policy compiles.
type policyCompiled struct {
	requests []compiledRequestRule
}

// Compile checks and compiles every part of the policy and reports every problem together,
// each a *PolicyError naming the part (Path) and wrapping the package's error:
//
//   - Name is not empty, Region is a 6-digit GB/T 2260 code of Wenzhou (3303xx), Base is
//     WenzhouMeasures2024 (an empty Base is set to it);
//   - admission.Rules.Compile, conflict.Rules.Compile, evaluation.Rules.Validate;
//   - the selection settings (annual cap ≥ 0, preferential share a fraction in [0, 1], mode,
//     search bound and reserve ≥ 0, a draw window with non-negative leads and MinLead ≤
//     MaxLead when MaxLead is set, exclusion rules that are named, not after a code the draw
//     records itself, have a message and compile over selection.Env); Selection's Admission,
//     Conflict and Evaluation are set to the Policy's when nil and must be the Policy's
//     otherwise;
//   - the permission rules (audit.NewPermissions) and alert rules (audit.NewAlerter);
//   - every request rule (see RequestRule).
//
// LoadPolicy calls it; call it again after changing a Policy in code.
func (p *Policy) Compile() error {
	var errs []error
	bad := func(path, code, msg string, err error) {
		errs = append(errs, &PolicyError{Path: path, Code: code, Message: msg, Err: err})
	}
	if strings.TrimSpace(p.Name) == "" {
		bad("name", codeMissing, "须填写使用细则名称（name）", nil)
	}
	if !validRegion(p.Region) {
		bad("region", codeValue, "行政区划代码（region）须为温州市的6位国家标准代码（GB/T 2260，3303开头），如 330381", nil)
	}
	switch p.Base {
	case "":
		p.Base = WenzhouMeasures2024
	case WenzhouMeasures2024:
	default:
		bad("base", codeValue, "使用细则只能依据"+WenzhouMeasures2024+"制定", nil)
	}
	if p.Admission == nil {
		bad("admission", codeMissing, "缺少入库规则", nil)
	} else if err := p.Admission.Compile(); err != nil {
		bad("admission", codeInvalid, "入库规则有误："+err.Error(), err)
	}
	if p.Conflict == nil {
		bad("conflict", codeMissing, "缺少回避规则", nil)
	} else if err := p.Conflict.Compile(); err != nil {
		bad(conflictPath(err), codeInvalid, "回避规则有误："+err.Error(), err)
	}
	if p.Evaluation == nil {
		bad("evaluation", codeMissing, "缺少履职评价规则", nil)
	} else if err := p.Evaluation.Validate(); err != nil {
		bad("evaluation", codeInvalid, "履职评价规则有误："+err.Error(), err)
	}
	errs = append(errs, p.compileSelection()...)
	if _, err := audit.NewPermissions(p.Permissions); err != nil {
		bad("permissions", codeInvalid, "权限规则有误："+err.Error(), err)
	}
	if _, err := audit.NewAlerter(p.Alerts); err != nil {
		bad("alerts", codeInvalid, "预警规则有误："+err.Error(), err)
	}
	c := &policyCompiled{}
	names := map[string]bool{}
	for i, rr := range p.RequestRules {
		path := fmt.Sprintf("request_rules[%s]", rr.Name)
		if rr.Name == "" {
			path = fmt.Sprintf("request_rules[#%d]", i+1)
		}
		if names[rr.Name] {
			bad(path, codeDuplicate, fmt.Sprintf("抽取申请规则“%s”重复定义", clip(rr.Name)), nil)
			continue
		}
		names[rr.Name] = true
		cr, err := compileRequestRule(rr)
		if err != nil {
			for _, e := range flatten(err) {
				pe := &PolicyError{Path: path, Rule: rr.Name, Code: codeInvalid, Message: e.Error(), Err: e}
				var ce *rule.CompileError
				if errors.As(e, &ce) {
					pe.Code, pe.Message = codeExpression, "表达式错误："+ce.Msg
				}
				errs = append(errs, pe)
			}
			continue
		}
		c.requests = append(c.requests, cr)
	}
	if len(errs) > 0 {
		p.c = nil // fail closed: Apply refuses until the policy compiles
		return errors.Join(errs...)
	}
	p.c = c
	return nil
}

// compileSelection checks the selection settings and links Selection to the Policy's rules.
func (p *Policy) compileSelection() []error {
	s := p.Selection
	if s == nil {
		return []error{&PolicyError{Path: "selection", Code: codeMissing, Message: "缺少抽取规则"}}
	}
	var errs []error
	bad := func(path, msg string) {
		errs = append(errs, &PolicyError{Path: path, Code: codeValue, Message: msg})
	}
	if s.AnnualCap < 0 {
		bad("selection.annual_cap", "年度参与次数上限（annual_cap）不能为负数")
	}
	if f := s.PreferentialShare; f.Den <= 0 || f.Num < 0 || f.Num > f.Den {
		bad("selection.preferential_share", "择优选取比例（preferential_share）须为 0 到 1 之间的分数，分母大于 0")
	}
	if s.Mode != selection.V1 && s.Mode != selection.RFC3797 {
		bad("selection.mode", "抽取算法（mode）须为 v1 或 rfc3797")
	}
	if s.SearchBound < 0 {
		bad("selection.search_bound", "结构搜索上限（search_bound）不能为负数")
	}
	if s.Reserve < 0 {
		bad("selection.reserve", "备选专家人数（reserve）不能为负数")
	}
	if w := s.DrawWindow; w.MaxLead < 0 || w.MinLead < 0 {
		bad("selection.draw_window", "抽取时段（draw_window）的 max_lead、min_lead 不能为负数")
	} else if w.MaxLead > 0 && w.MinLead > w.MaxLead {
		bad("selection.draw_window.min_lead", fmt.Sprintf("抽取时段设置矛盾：min_lead（%s）不能大于 max_lead（%s）",
			durationText(w.MinLead), durationText(w.MaxLead)))
	}
	errs = append(errs, compileExclusions(s.Exclusions)...)
	link := func(name string, have, want any, isNil bool, set func()) {
		if isNil {
			set()
			return
		}
		if have != want {
			bad("selection", "抽取规则的"+name+"须与使用细则的"+name+"为同一套规则")
		}
	}
	link("入库规则", s.Admission, p.Admission, s.Admission == nil, func() { s.Admission = p.Admission })
	link("回避规则", s.Conflict, p.Conflict, s.Conflict == nil, func() { s.Conflict = p.Conflict })
	link("履职评价规则", s.Evaluation, p.Evaluation, s.Evaluation == nil, func() { s.Evaluation = p.Evaluation })
	return errs
}

// compileExclusions checks the county exclusion rules of the draw (selection.Rules.Exclusions)
// the way LoadPolicy does: each has a name that is not a code the draw records itself, a
// Chinese message, and an expression that compiles over selection.Env with the options of
// selection.Prepare, so that a policy that compiles never fails to prepare a draw.
func compileExclusions(rs []rule.Rule) []error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range rs {
		path := fmt.Sprintf("selection.exclusions[%s]", r.Name)
		if strings.TrimSpace(r.Name) == "" {
			path = fmt.Sprintf("selection.exclusions[#%d]", i+1)
			errs = append(errs, &PolicyError{Path: path, Code: codeMissing, Message: fmt.Sprintf("第%d条排除规则缺少名称（name）", i+1)})
			continue
		}
		switch {
		case seen[r.Name]:
			errs = append(errs, &PolicyError{Path: path, Rule: r.Name, Code: codeDuplicate, Message: fmt.Sprintf("排除规则“%s”重复定义", clip(r.Name))})
			continue
		case slices.Contains(reservedExclusionCodes, r.Name):
			errs = append(errs, &PolicyError{Path: path, Rule: r.Name, Code: codeValue,
				Message: fmt.Sprintf("排除规则不能命名为“%s”：这是抽取程序自身的排除原因代码", clip(r.Name))})
		}
		seen[r.Name] = true
		if strings.TrimSpace(r.Message) == "" {
			errs = append(errs, &PolicyError{Path: path, Rule: r.Name, Code: codeMissing,
				Message: fmt.Sprintf("排除规则“%s”须写排除时的中文说明（message）", clip(r.Name))})
		}
		if _, err := rules.CompileBool[selection.Env](r.Name, r.Expr, drawOptions()); err != nil {
			pe := &PolicyError{Path: path + ".expr", Rule: r.Name, Code: codeInvalid, Message: "排除规则有误：" + err.Error(), Err: err}
			var ce *rule.CompileError
			if errors.As(err, &ce) {
				pe.Code, pe.Message = codeExpression, fmt.Sprintf("排除规则“%s”的表达式有误：%s", clip(r.Name), ce.Msg)
			}
			errs = append(errs, pe)
		}
	}
	return errs
}

// conflictPath maps a conflict.ConfigError to the YAML path of its field.
func conflictPath(err error) string {
	var ce *conflict.ConfigError
	if !errors.As(err, &ce) {
		return "conflict"
	}
	field, _, _ := strings.Cut(ce.Field, "[")
	switch field {
	case "FormerUnitMonths":
		return "conflict.former_unit_months"
	case "OtherUnitClause":
		return "conflict.other_unit_clause"
	case "MaxAvoidances":
		return "conflict.max_avoidances"
	case "Relations":
		return "conflict.relations"
	case "UnitAliases":
		return "conflict.unit_aliases"
	case "DepartmentAliases":
		return "conflict.department_aliases"
	case "Clause5":
		return "conflict.clause5"
	}
	return "conflict"
}

// validRegion reports whether s is a 6-digit GB/T 2260 code in Wenzhou (3303xx).
func validRegion(s string) bool {
	if len(s) != 6 || !strings.HasPrefix(s, "3303") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flatten returns the leaves of a tree of errors joined with errors.Join.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}

// oneLine collapses white space so that a multi-line expression reads on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most 40 characters, for echoing a county's text in a message.
func clip(s string) string {
	const n = 40
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
