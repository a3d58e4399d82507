package expertdb

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/width"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/rules"
	rulex "github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// Limits of LoadPolicy.
const (
	// MaxPolicySize is the largest county profile LoadPolicy reads, in bytes.
	MaxPolicySize = 256 << 10
	// MaxPolicyErrors is the most problems LoadPolicy lists; beyond it one more error (code
	// "too-many") says how many were left out. A real profile never comes near it; the bound
	// keeps the report of a garbage file small.
	MaxPolicyErrors = 100
)

// ErrInvalidPolicy is the errors.Is target of every *PolicyError: the profile or the policy
// cannot be used.
var ErrInvalidPolicy = errors.New("expertdb: invalid policy")

// Codes of *PolicyError.
const (
	codeSyntax      = "syntax"       // not YAML, or more than one document
	codeTooLarge    = "too-large"    // larger than MaxPolicySize
	codeUnknownKey  = "unknown-key"  // a key the format does not have
	codeDuplicate   = "duplicate"    // a key, rule or entry given twice
	codeType        = "type"         // a value of the wrong YAML type
	codeValue       = "value"        // a value of the right type that is not allowed
	codeMissing     = "missing"      // a required key or field is missing or empty
	codeUnknownRule = "unknown-rule" // disabled: true (or an empty alias) names nothing the defaults have
	codeExpression  = "expression"   // an expression does not compile
	codeAlias       = "alias"        // YAML anchors, aliases or custom tags
	codeInvalid     = "invalid"      // a package refused the merged rules
	codeTooMany     = "too-many"     // more than MaxPolicyErrors problems
)

// PolicyError is one problem of a county profile or a policy. LoadPolicy reports every
// problem at once, as errors.Join of *PolicyError values in the order of the file; read them
// with errors.As, or range over the joined error's Unwrap() []error.
//
// Code is one of: "syntax", "too-large", "unknown-key", "duplicate", "type", "value",
// "missing", "unknown-rule", "expression", "alias", "invalid", "too-many" (the list was cut
// at MaxPolicyErrors).
//
// Line and Column locate the problem in the YAML file (1-based; Column counts characters).
// For an expression error they point at the offending character inside the expression: the
// line of the scalar plus the line within the expression (for a literal block scalar, |),
// and the column where the scalar's text can be matched to the expression (plain and
// quoted scalars without escapes, literal blocks); otherwise the start of the scalar. A YAML
// syntax error has a line but no column (the parser does not give one).
type PolicyError struct {
	Path    string // YAML path, e.g. "conflict.clause5[county-government-staff].expr"
	Rule    string // the rule concerned, when there is one
	Line    int    // 1-based line in the YAML file; 0 when unknown
	Column  int    // 1-based column (characters); 0 when unknown
	Code    string // stable code, see above
	Message string // Chinese message for the county clerk
	Snippet string // the YAML line with a caret under the column, when known
	Err     error  // the underlying error (e.g. *rulex.CompileError), or nil
}

// Error implements error.
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString("expertdb: policy")
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ", column %d", e.Column)
		}
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	b.WriteString(e.Snippet)
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidPolicy) hold.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalidPolicy }

// Unwrap returns the underlying error.
func (e *PolicyError) Unwrap() error { return e.Err }

// LoadPolicy reads a county profile (使用细则, Art. 13) written in YAML and returns the policy
// it describes: the city defaults (DefaultPolicy) with the county's overrides applied and
// everything compiled. It never panics and never ignores a key: unknown keys, values of the
// wrong type and every bad expression are reported together, each a *PolicyError with its
// YAML line and column and the rule's name (see PolicyError), in the order of the file and
// at most MaxPolicyErrors of them. The input may be at most MaxPolicySize bytes of UTF-8, one
// YAML document, without anchors, aliases or custom tags.
//
// # Format
//
// The format is declared once, in this package: LoadPolicy takes its keys, enumerated values
// and bounds from that declaration, and ProfileSchema returns it as a JSON Schema (committed as
// schema/county-profile.schema.json; every key is listed in docs/county-profile.md). A profile
// whose first line is
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/wzsti/expertdb/main/schema/county-profile.schema.json
//
// gets completion and checking in editors that use yaml-language-server.
//
// Only name and region are required; every other key overrides a default and may be left
// out. A profile without filing is a draft (Policy.Draft). The city's own profile (region
// 330300, CityRegion) may also carry
//
//	allow: [selection.annual_cap]        # city limits counties loading UnderCity may loosen
//
// An example of a county profile using every other key (it loads as written; the tests check
// that):
//
//	name: 瑞安市科技专家库使用细则       # required
//	region: "330381"                     # required: GB/T 2260 code in Wenzhou (3303xx)
//	filing: 瑞科〔2026〕5号              # filing or document reference
//	effective: 2026-01-01                # YYYY-MM-DD
//
//	admission:                           # Art. 5, 8(1), 10, 11, 14(3); over admission.Env
//	  basic:                             # a rule list, merged by name (see Rules below)
//	    - name: age                      # a default rule: change only its expression
//	      expr: age <= 63
//	      message: 年龄超过63周岁，不符合本市入库基本条件
//	    - name: time-commitment          # a new rule
//	      article: Art. 5(1)2
//	      expr: hasCredential("time-commitment")
//	      message: 未提交时间精力保证，请申请人签署后补充
//	  professional:                      # per category; a new key adds a category
//	    economic:
//	      any_of:
//	        - {name: finance-dept-head, disabled: true}
//	    strategy: {disabled: true}       # removes a category
//	    county-industry:
//	      article: Art. 13
//	      any_of:
//	        - {name: local-chief, expr: 'hasCredential("local-chief")', message: 本市规上企业技术负责人}
//	  drawable:                          # conditions for being drawn (Art. 14(3))
//	    - {name: trained, expr: 'hasRecentTraining("integrity", 730)', message: 两年内未参加廉政教育培训}
//	  integrity_bar: any-record          # Art. 5(1)3: any-record (default) or serious-only (loosens)
//	  reentry_bar: any-exit              # Art. 11: any-exit (default) or for-cause (loosens)
//	  sweep_exits: {time-commitment: unsuitable, age: ""}   # basic rule → exit reason; "" removes
//	  stale_after_days: 730              # Art. 8(1)
//
//	conflict:                            # Art. 15
//	  exclude_possible: true
//	  relations:                         # replaces the whole list
//	    - {kinds: [advisor, advisee], label: 师生关系, unlimited: true}
//	    - {kinds: [family], label: 亲属关系, unlimited: true}
//	    - {kinds: [collaborator, co-author], label: 合作或合著关系, months: 60}
//	  other_relations: relation.Ongoing || relation.MonthsSinceEnd < 24   # over conflict.RelationEnv
//	  former_unit_months: 24
//	  other_unit_clause: 5               # 0, 3 or 5
//	  max_avoidances: 5
//	  unit_aliases: {瑞安人医: 瑞安市人民医院, 温大: ""}   # merged by key; "" removes
//	  department_aliases: {机电学院: 机电工程学院}
//	  clause5:                           # over conflict.Env (expert, project, member)
//	    - name: county-government-staff
//	      expr: |
//	        expert.Affiliation.Kind == "government"
//	          && expert.Region == "330381" && project.Region == "330381"
//	      message: 专家为瑞安市机关事业单位工作人员，不参加本市项目评审
//
//	evaluation:                          # Art. 25, 9, 10(3)
//	  threshold: 30%                     # or 3/10
//	  inclusive: false
//	  min_ratings: 2
//	  require_aspects: true
//	  serious_violations: [solicitation, bribery, leak, fraudulent-qualification]   # replaces the list
//
//	selection:                           # Art. 14
//	  annual_cap: 8
//	  preferential_share: 1/4
//	  mode: v1                           # or rfc3797
//	  search_bound: 1000000
//	  reserve: 6
//	  seal_panels: true                  # panel names sealed until the activity (Policy.SealPanels)
//	  ignore_unavailable: false          # Art. 8(2): true stops excluding declared unavailable periods
//	  ignore_bookings: false             # Art. 8(2): true stops excluding clashing accepted activities
//	  draw_window: {max_lead: 72h, min_lead: 2h}   # Art. 14(2): draw 3 days to 2 hours before the start
//	  exclusions:                        # county exclusion rules over selection.Env, merged by name
//	    - name: cooling-off              # the expression starts with !, so it is quoted
//	      article: Art. 15(5)
//	      expr: '!reviewedUnitWithin(project.Unit, 6)'
//	      message: 专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避
//
//	permissions:                         # Art. 18–21, over audit.PermissionEnv
//	  roles: [city-admin, leader, division, county, discipline, maintainer, expert]   # replaces the list
//	  allow:
//	    - {name: leader, expr: 'actor.Role == "leader" && action in ["approve", "view", "export"]'}
//	  deny:
//	    - name: county-bulk-export
//	      expr: actor.Role == "county" && action == "export" && resource.Count > 100
//	      message: 县级用户一次导出不得超过100名专家
//
//	alerts:                              # Art. 17, 22; merged by name, over audit.AlertEnv
//	  - {name: profile-views, threshold: 30, message: 同一用户24小时内查看专家信息超过30人}
//	  - {name: bulk-export, disabled: true}
//	  - name: night-draw
//	    article: Art. 22(5)
//	    message: 非工作时间抽取专家，请核查
//	    match: event.Action == "draw" && event.At.Hour() < 7
//	    key: event.Actor.ID
//	    count: events                    # or subjects
//	    window: 720h
//	    threshold: 0
//
//	request_rules:                       # Art. 13, applied by Policy.Apply
//	  - name: key-project-outside-county
//	    article: Art. 13
//	    message: 重点项目专家组中县外专家不少于半数，每个单位至多一人
//	    when: '"key-project" in request.Labels'    # over RequestEnv
//	    criteria: expert.Title >= AssociateSenior  # optional, over selection.Env
//	    quotas:
//	      - {name: outside-county, filter: 'expert.Region != "330381"', min_share: 1/2}
//	      - {name: government, filter: 'expert.Affiliation.Kind == "government"', max_share: 1/4, max: 2}
//	    groups:
//	      - {name: per-unit, key: expert.Affiliation.Org, max: 1}
//
// # Rules
//
// A rule list (admission basic, required, any_of, drawable; conflict clause5; selection
// exclusions; permissions allow and deny) is merged with the default list by name:
//
//   - an entry whose name is a default rule changes the fields it gives (article, expr,
//     message); the others keep their default;
//   - an entry with a new name adds a rule; it needs expr and (except permission allow
//     rules) message; its article defaults to the site's article (e.g. "Art. 15(5)");
//   - {name: x, disabled: true} removes the default rule x; naming a rule that does not exist
//     is an error, so a typo never goes unnoticed.
//
// Alert rules merge the same way (fields article, message, match, key, count, window,
// threshold). Every override is recorded as a Change (Policy.Changes) and marked in
// Policy.Describe. Values: integers are YAML integers (not quoted), booleans true or false,
// fractions "n/d" or a percentage, durations Go durations ("24h").
//
// # City limits (Art. 13)
//
// A county adds rules and tightens limits; it does not loosen the Measures. The settings of
// LimitSettings are checked after the walk: annual_cap from 1 to 10 (0, "no cap", is always
// refused), preferential_share at most 1/3 (and below 1), an excellent threshold of at least
// 30% (exactly 30% only when not inclusive), serious_violations containing the city's, the
// readings any-record and any-exit, and every city basic rule kept. A county expression for a
// city basic rule (admission.basic[age].expr: age <= 63) is checked in addition to the city's
// (admission.Rules.Floor), so it can only tighten. A setting beyond a limit is a *PolicyError
// with code "city-limit", reported with every other problem, unless the city allows it
// (LoadPolicyWith, UnderCity; the profile's own allow list for the city's profile): then it is
// a Deviation, listed by Policy.Deviations and Describe with what allowed it.
//
// # Draw controls
//
// The selection section also configures the draw controls of package selection (see its
// documentation, "Draw controls"); each override is a Change with the article given here:
//
//   - ignore_unavailable, ignore_bookings (booleans, default false; Art. 8(2)): true stops
//     excluding experts whose declared unavailable periods, or whose accepted seats on other
//     activities, overlap the activity (selection.Rules.IgnoreUnavailable, IgnoreBookings).
//     The checks are on by default because an expert who accepts must attend (Art. 8(2)).
//   - draw_window (max_lead, min_lead: Go durations, 0 or absent = no bound; Art. 14(2) and
//     public-procurement practice): a request may be drawn only between max_lead and
//     min_lead before its activity starts (selection.Rules.DrawWindow), so that the list of
//     names exists for as short a time as possible. Both are non-negative and, when max_lead
//     is set, min_lead ≤ max_lead. A county that sets a window makes Request.DrawnAt
//     required (the Service sets it to the time of the draw). Each key is a Change of its
//     own (selection.draw_window.max_lead, selection.draw_window.min_lead).
//   - exclusions (a rule list over selection.Env: expert, usage, project,
//     reviewedUnitWithin; the city has none): an expert for whom a rule's expression is
//     false is excluded from the draw with the rule's article (default "Art. 13"), its name as
//     the code and its message, which is required. The rules are compiled at load time with
//     the options selection.Prepare uses, so a rule that loads also compiles in every draw.
//     A rule may not be named after a code the draw itself records ("annual-cap", "booked",
//     "criteria", "expression-error", "not-active", "not-eligible", "on-panel",
//     "unavailable"), so an exclusion's code always says which rule excluded the expert.
//     An expression that starts with "!" must be quoted: YAML reads an unquoted !word as a
//     tag. selection.CoolingOffRule(6) is, in YAML, the cooling-off rule of the example.
func LoadPolicy(src []byte) (*Policy, error) { return LoadPolicyWith(src) }

// LoadPolicyWith is LoadPolicy with options: UnderCity (the county may loosen what the city
// profile's allow list names) and AllowDeviations. Without options no city limit may be
// loosened (see LimitSettings); a city profile (region CityRegion) may name, in its allow
// list, the settings it lets counties — and itself — loosen. Each loosening that is allowed
// is a Deviation (Policy.Deviations), shown by Describe with what allowed it; every other one
// is a *PolicyError with code "city-limit", reported with the other problems of the file.
func LoadPolicyWith(src []byte, opts ...LoadOption) (*Policy, error) {
	var o loadOptions
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.errs) > 0 {
		return nil, errors.Join(o.errs...)
	}
	if len(src) > MaxPolicySize {
		return nil, &PolicyError{Code: codeTooLarge,
			Message: fmt.Sprintf("使用细则文件为%d字节，超过上限%d字节", len(src), MaxPolicySize)}
	}
	if !utf8.Valid(src) {
		return nil, &PolicyError{Code: codeSyntax, Message: "使用细则文件须为 UTF-8 编码"}
	}
	l := &loader{lines: splitLines(string(src)), nodes: map[string]*yaml.Node{}, readings: map[string]string{}}
	root, perr := parseYAML(src)
	if perr != nil {
		l.at(perr, perr.Line, perr.Column)
		return nil, perr
	}
	p := defaultPolicy()
	p.Name, p.Region, p.Filing, p.Effective = "", "", "", time.Time{}
	l.top(root, p)
	l.limits(p, &o)
	if len(l.errs) > 0 {
		slices.SortStableFunc(l.errs, func(a, b error) int { return cmp.Compare(errLine(a), errLine(b)) })
		if n := len(l.errs); n > MaxPolicyErrors {
			l.errs = append(l.errs[:MaxPolicyErrors], &PolicyError{Code: codeTooMany,
				Message: fmt.Sprintf("另有 %d 处错误未列出，请先更正以上错误", n-MaxPolicyErrors)})
		}
		return nil, errors.Join(l.errs...)
	}
	if err := p.Compile(); err != nil {
		// A package refused the merged rules for a reason the loader does not check itself:
		// place each error at the nearest part of the file.
		var out []error
		for _, e := range flatten(err) {
			var pe *PolicyError
			if errors.As(e, &pe) {
				l.place(pe)
			}
			out = append(out, e)
		}
		return nil, errors.Join(out...)
	}
	slices.SortStableFunc(l.changes, func(a, b Change) int { return cmp.Compare(a.Line, b.Line) })
	p.changes = l.changes
	return p, nil
}

// errLine is the line of a *PolicyError, for sorting.
func errLine(err error) int {
	var pe *PolicyError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses exactly one YAML document into a node tree.
func parseYAML(src []byte) (root *yaml.Node, err *PolicyError) {
	defer func() {
		if r := recover(); r != nil { // the YAML parser is third-party code: never let it panic through
			root, err = nil, &PolicyError{Code: codeSyntax, Message: fmt.Sprintf("YAML 解析失败：%v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if e := dec.Decode(&doc); e != nil {
		if e == io.EOF {
			return nil, &PolicyError{Code: codeMissing, Message: "使用细则文件为空：至少须填写 name 和 region"}
		}
		return nil, syntaxError(e)
	}
	var extra yaml.Node
	switch e := dec.Decode(&extra); {
	case e == io.EOF:
	case e != nil:
		return nil, syntaxError(e)
	default:
		return nil, &PolicyError{Code: codeSyntax, Line: extra.Line, Column: extra.Column, Message: "使用细则文件只能包含一个 YAML 文档（不要使用 ---）"}
	}
	return &doc, nil
}

// parserProblems are the problems the YAML parser (as opposed to its scanner) reports. The
// parser gives their line 0-based: the line where the enclosing collection starts.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// syntaxError turns a parse error into a *PolicyError with the line the parser names (for an
// unclosed bracket or a broken block, where that collection starts). The parser gives no column.
func syntaxError(e error) *PolicyError {
	pe := &PolicyError{Code: codeSyntax, Message: "YAML 语法错误：" + e.Error(), Err: e}
	if m := syntaxLine.FindStringSubmatch(e.Error()); m != nil {
		pe.Line, _ = strconv.Atoi(m[1])
		if slices.Contains(parserProblems, m[2]) {
			pe.Line++
		}
		pe.Message = "YAML 语法错误：" + m[2]
	}
	return pe
}

// splitLines splits s into lines as YAML counts them: a line ends at LF, CR, CR LF, NEL
// (U+0085), LS (U+2028) or PS (U+2029).
func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\r':
			out = append(out, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				size = 2
			}
			start = i + size
		case '\n', '\u0085', '\u2028', '\u2029':
			out = append(out, s[start:i])
			start = i + size
		}
		i += size
	}
	return append(out, s[start:])
}

// loader walks the node tree of a profile, applying it to a Policy and collecting errors.
type loader struct {
	lines   []string
	errs    []error
	changes []Change
	nodes   map[string]*yaml.Node // path → node, to place errors found after the walk
	allow   []string              // the allow list of a city profile
	// readings maps a basic rule to the reading key that set it (admission.integrity_bar…).
	readings map[string]string
}

// fail records an error at node n.
func (l *loader) fail(n *yaml.Node, path, rule, code, msg string) {
	pe := &PolicyError{Path: path, Rule: rule, Code: code, Message: msg}
	if n != nil {
		l.at(pe, n.Line, n.Column)
	}
	l.errs = append(l.errs, pe)
}

// at sets the position and snippet of pe.
func (l *loader) at(pe *PolicyError, line, col int) {
	pe.Line, pe.Column = line, col
	pe.Snippet = l.snippet(line, col)
}

// place positions an error found after the walk at the node of the longest recorded path that
// is a prefix of its path.
func (l *loader) place(pe *PolicyError) {
	best := ""
	for path := range l.nodes {
		if (pe.Path == path || strings.HasPrefix(pe.Path, path+".") || strings.HasPrefix(pe.Path, path+"[")) && len(path) > len(best) {
			best = path
		}
	}
	if n := l.nodes[best]; n != nil {
		l.at(pe, n.Line, n.Column)
	}
}

// snippet returns the YAML line with a caret under the column, in the style of expr's
// snippets (wide characters take two columns).
func (l *loader) snippet(line, col int) string {
	if line < 1 || line > len(l.lines) {
		return ""
	}
	text := strings.TrimRight(l.lines[line-1], "\r")
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > 200 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n | ")
	b.WriteString(strings.ReplaceAll(text, "\t", " "))
	if col < 1 {
		return b.String()
	}
	b.WriteString("\n | ")
	i := 1
	for _, r := range text {
		if i >= col {
			break
		}
		b.WriteByte('.')
		if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
			b.WriteByte('.')
		}
		i++
	}
	b.WriteByte('^')
	return b.String()
}

// change records an override.
func (l *loader) change(n *yaml.Node, path, article string, kind ChangeKind, old, new string) {
	c := Change{Path: path, Article: article, Kind: kind, Old: old, New: new}
	if n != nil {
		c.Line = n.Line
	}
	l.changes = append(l.changes, c)
}

// clean rejects anchors, aliases and custom tags, which a policy file never needs.
func (l *loader) clean(n *yaml.Node, path string) bool {
	switch {
	case n.Kind == yaml.AliasNode || n.Anchor != "":
		l.fail(n, path, "", codeAlias, "使用细则不支持 YAML 锚点和别名（& 与 *），请直接写出内容")
		return false
	case n.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(n.Tag, "!!"):
		msg := fmt.Sprintf("使用细则不支持自定义标签 %s", clip(n.Tag))
		if d := profileAt(schemaPath(path)); n.Kind == yaml.ScalarNode && d != nil && d.Kind == kindExpr {
			// An unquoted expression that starts with ! reads as a tag.
			msg += "；以“!”开头的表达式须整体加引号，如 expr: '!reviewedUnitWithin(project.Unit, 6)'"
		}
		l.fail(n, path, "", codeAlias, msg)
		return false
	}
	return true
}

// fields is a YAML mapping, keys in document order.
type fields struct {
	keys []string
	key  map[string]*yaml.Node
	val  map[string]*yaml.Node
	// For a mapping read by declared: where it is, its declaration, and the value of each
	// scalar key read so far (nil: absent or failed), as its declared kind gives it: int,
	// bool, selection.Fraction, time.Duration or string. See loader.value.
	node   *yaml.Node
	path   string
	decl   *profileField
	parsed map[string]any
}

func (f fields) get(k string) *yaml.Node { return f.val[k] }

// isNull reports whether n is an empty value (`key:` with nothing, or null, ~).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// mapping reads a mapping. allowed lists the keys it may have (nil: any key). An empty value
// is an empty mapping. Unknown and duplicate keys are reported; their values are skipped.
func (l *loader) mapping(n *yaml.Node, path string, allowed []string) (fields, bool) {
	f := fields{key: map[string]*yaml.Node{}, val: map[string]*yaml.Node{}}
	if !l.clean(n, path) {
		return f, false
	}
	if isNull(n) {
		return f, true
	}
	if n.Kind != yaml.MappingNode {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为映射（键: 值），实际为%s", where(path), kindName(n)))
		return f, false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !l.clean(k, path) {
			ok = false
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			l.fail(k, path, "", codeType, fmt.Sprintf("%s 的键须为文字", where(path)))
			ok = false
			continue
		}
		name := k.Value
		if allowed != nil && !slices.Contains(allowed, name) {
			l.fail(k, join(path, name), "", codeUnknownKey,
				fmt.Sprintf("未知的配置项“%s”；%s 可用的配置项：%s", clip(name), where(path), strings.Join(allowed, "、")))
			ok = false
			continue
		}
		if _, dup := f.val[name]; dup {
			l.fail(k, join(path, name), "", codeDuplicate, fmt.Sprintf("配置项“%s”重复出现", clip(name)))
			ok = false
			continue
		}
		f.keys = append(f.keys, name)
		f.key[name], f.val[name] = k, v
	}
	return f, ok
}

// declared reads a mapping declared at path in profileSchema, with the keys declared there.
// Its scalar keys are then read with the reader of their declared kind by value, in the
// order the section reader asks for them (so errors keep their order), and finish reads
// those it did not ask for and reports the Required keys absent with their declared Missing
// message. Keys of other kinds (mappings, lists, dicts, expressions) are left to the reader.
func (l *loader) declared(n *yaml.Node, path string) (fields, bool) {
	f, ok := l.mapping(n, path, profileKeys(schemaPath(path)))
	f.node, f.path, f.decl, f.parsed = n, path, profileAt(schemaPath(path)), map[string]any{}
	return f, ok
}

// value is the value of the scalar key of a mapping read by declared, read with the reader
// of its declared kind (once): false when it is absent or failed (reported). An absent
// Required key is reported with its declared Missing message.
func (l *loader) value(f fields, key string) (any, bool) {
	if v, done := f.parsed[key]; done {
		return v, v != nil
	}
	f.parsed[key] = nil
	if f.node.Kind != yaml.MappingNode {
		return nil, false
	}
	i := slices.IndexFunc(f.decl.Fields, func(c *profileField) bool { return c.Key == key })
	if i < 0 {
		panic("expertdb: profile schema has no key " + strconv.Quote(join(f.path, key)))
	}
	c, n := f.decl.Fields[i], f.get(key)
	if n == nil {
		if c.Required && c.Missing != "" {
			l.fail(f.node, join(f.path, key), "", codeMissing, c.Missing)
		}
		return nil, false
	}
	switch c.Kind {
	case kindInt, kindBool, kindDuration, kindFraction, kindText, kindString, kindDate:
	default:
		return nil, false // read by the section reader
	}
	if !strings.Contains(f.path, "[") {
		l.nodes[join(f.path, key)] = n // a setting's node, for placing the errors of Compile
	}
	v, ok := l.scalar(n, join(f.path, key), c)
	if ok {
		f.parsed[key] = v
	}
	return v, ok
}

// finish reads the declared scalar keys of f its section reader did not ask for, so every
// key is checked against its declared kind and required flag.
func (l *loader) finish(f fields) {
	for _, c := range f.decl.Fields {
		l.value(f, c.Key)
	}
}

// scalar reads the value of a scalar key with the reader of its declared kind; it reports
// false for a value that failed (reported) and for a kind it does not read.
func (l *loader) scalar(n *yaml.Node, path string, d *profileField) (any, bool) {
	switch d.Kind {
	case kindInt:
		v, ok := l.integer(n, path)
		if ok && len(d.IntEnum) > 0 && !slices.Contains(d.IntEnum, v) {
			l.fail(n, path, "", codeValue, enumMessage(path, profileEnum(schemaPath(path))))
			return nil, false
		}
		return v, ok
	case kindBool:
		return l.boolean(n, path)
	case kindDuration:
		return l.duration(n, path)
	case kindFraction:
		return l.fraction(n, path)
	case kindText, kindString, kindDate:
		if len(d.Enum) > 0 {
			return l.enum(n, path, "")
		}
		return l.textAt(n, path)
	}
	return nil, false
}

// seq reads a sequence; an empty value is an empty sequence.
func (l *loader) seq(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	if !l.clean(n, path) {
		return nil, false
	}
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为列表，实际为%s", where(path), kindName(n)))
		return nil, false
	}
	return n.Content, true
}

// str reads a scalar as text. Numbers and dates are read as written (region: 330381).
func (l *loader) str(n *yaml.Node, path string) (string, bool) {
	if !l.clean(n, path) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为文字，实际为%s", where(path), kindName(n)))
		return "", false
	}
	return n.Value, true
}

// textAt reads a text as declared at path in profileSchema: a text (kindText, kindDate) or an
// expression may not be empty, a kindString or an expression declared Blank may.
func (l *loader) textAt(n *yaml.Node, path string) (string, bool) {
	if d := profileAt(schemaPath(path)); d != nil && (d.Kind == kindString || d.Kind == kindExpr && d.Blank) {
		return l.str(n, path)
	}
	return l.text(n, path)
}

// text reads a non-empty scalar.
func (l *loader) text(n *yaml.Node, path string) (string, bool) {
	s, ok := l.str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		l.fail(n, path, "", codeMissing, fmt.Sprintf("%s 不能为空", where(path)))
		return "", false
	}
	return s, ok
}

// enum reads a text whose values are declared in profileSchema (profileEnum).
func (l *loader) enum(n *yaml.Node, path, rule string) (string, bool) {
	s, ok := l.text(n, path)
	if !ok {
		return "", false
	}
	valid := profileEnum(schemaPath(path))
	if !slices.Contains(valid, s) {
		l.fail(n, path, rule, codeValue, enumMessage(path, valid))
		return "", false
	}
	return s, true
}

// enumMessage says which values the setting at path takes, with its declared title.
func enumMessage(path string, valid []string) string {
	var shown []string
	for _, v := range valid {
		if v != "" {
			shown = append(shown, v)
		}
	}
	title := ""
	if d := profileAt(schemaPath(path)); d != nil && d.ZH != "" {
		title = d.ZH + "（" + path + "）"
	} else {
		title = where(path)
	}
	return fmt.Sprintf("%s须为 %s 之一", title, strings.Join(shown, "、"))
}

// schemaPath turns a YAML path into the path of its declaration in profileSchema:
// "request_rules[r].quotas[#1].min" → "request_rules[].quotas[].min".
func schemaPath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				break
			}
			b.WriteString("[]")
			i += j
			continue
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

// integer reads a YAML integer of at least the declared minimum (profileSchema).
func (l *loader) integer(n *yaml.Node, path string) (int, bool) {
	min := math.MinInt
	if d := profileAt(schemaPath(path)); d != nil && d.Min != nil {
		min = *d.Min
	}
	if !l.clean(n, path) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为整数（不加引号），实际为%s", where(path), kindName(n)))
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		l.fail(n, path, "", codeValue, fmt.Sprintf("%s 的整数超出范围", where(path)))
		return 0, false
	}
	if v < min {
		l.fail(n, path, "", codeValue, fmt.Sprintf("%s 不能小于 %d", where(path), min))
		return 0, false
	}
	return v, true
}

// boolean reads true or false.
func (l *loader) boolean(n *yaml.Node, path string) (bool, bool) {
	if !l.clean(n, path) {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为 true 或 false，实际为%s", where(path), kindName(n)))
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		l.fail(n, path, "", codeType, fmt.Sprintf("%s 应为 true 或 false", where(path)))
		return false, false
	}
	return v, true
}

// fraction reads a fraction in [0, 1]: "n/d" or a percentage.
func (l *loader) fraction(n *yaml.Node, path string) (selection.Fraction, bool) {
	s, ok := l.str(n, path)
	if !ok {
		return selection.Fraction{}, false
	}
	r, err := evaluation.ParseRatio(s)
	if err != nil || r.Num > r.Den {
		l.fail(n, path, "", codeValue, fmt.Sprintf("%s 应为 0 到 1 之间的分数（如 1/2）或百分数（如 50%%）", where(path)))
		return selection.Fraction{}, false
	}
	return selection.Fraction{Num: r.Num, Den: r.Den}, true
}

// top reads the whole profile.
func (l *loader) top(doc *yaml.Node, p *Policy) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		l.fail(doc, "", "", codeMissing, "使用细则文件为空：至少须填写 name 和 region")
		return
	}
	root := doc.Content[0]
	if isNull(root) {
		l.fail(root, "", "", codeMissing, "使用细则文件为空：至少须填写 name 和 region")
		return
	}
	f, _ := l.declared(root, "")
	defer l.finish(f)
	if root.Kind != yaml.MappingNode {
		return
	}
	for _, k := range f.keys {
		l.nodes[k] = f.val[k]
	}
	p.Name, _ = valueOf[string](l, f, "name")
	if s, ok := valueOf[string](l, f, "region"); ok {
		if validRegion(s) {
			p.Region = s
		} else {
			l.fail(f.get("region"), "region", "", codeValue, "行政区划代码（region）须为温州市的6位国家标准代码（GB/T 2260，3303开头），如 \"330381\"")
		}
	}
	p.Filing, _ = valueOf[string](l, f, "filing")
	if s, ok := valueOf[string](l, f, "effective"); ok {
		t, err := time.ParseInLocation("2006-01-02", s, cst)
		if err != nil {
			l.fail(f.get("effective"), "effective", "", codeValue, "施行日期（effective）须写作 YYYY-MM-DD，如 2026-01-01")
		}
		p.Effective = t
	}
	if n := f.get("allow"); n != nil {
		l.allowList(n, p.Region)
	}
	// Sections are read in a fixed order (errors and changes are sorted by line afterwards).
	if n := f.get("admission"); n != nil {
		l.admission(n, p.Admission)
	}
	if n := f.get("conflict"); n != nil {
		l.conflict(n, p.Conflict)
	}
	if n := f.get("evaluation"); n != nil {
		l.evaluation(n, p.Evaluation)
	}
	if n := f.get("selection"); n != nil {
		l.selection(n, p)
	}
	if n := f.get("permissions"); n != nil {
		l.permissions(n, &p.Permissions)
	}
	if n := f.get("alerts"); n != nil {
		p.Alerts = l.alerts(n, p.Alerts)
	}
	if n := f.get("request_rules"); n != nil {
		p.RequestRules = l.requestRules(n)
	}
}

// allowList reads the allow list of a city profile: setting names from LimitSettings.
func (l *loader) allowList(n *yaml.Node, region string) {
	l.nodes["allow"] = n
	if region != "" && region != CityRegion {
		l.fail(n, "allow", "", codeCityLimit, "只有市级规则（region "+CityRegion+"）可以列出允许放宽的设置（allow）；县级使用细则只能收紧，不能自行放宽")
		return
	}
	items, ok := l.seq(n, "allow")
	if !ok {
		return
	}
	valid := profileEnum("allow[]") // LimitSettings
	for _, it := range items {
		s, ok := l.textAt(it, "allow")
		if !ok {
			continue
		}
		path := "allow[" + s + "]"
		switch {
		case !slices.Contains(valid, s):
			l.fail(it, path, "", codeValue, fmt.Sprintf("“%s”不是可放宽的市级限制；可用的名称：%s", clip(s), strings.Join(valid, "、")))
		case slices.Contains(l.allow, s):
			l.fail(it, path, "", codeDuplicate, fmt.Sprintf("“%s”重复出现", clip(s)))
		default:
			l.allow = append(l.allow, s)
		}
	}
}

// reading reads admission.integrity_bar or admission.reentry_bar: the reading of Art. 5(1)3
// or Art. 11 the basic rule implements.
func (l *loader) reading(f fields, path string, r *admission.Rules, rule func(string) rulex.Rule) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	v, ok := valueOf[string](l, f, key)
	if !ok {
		return
	}
	n := f.get(key)
	x := rule(v)
	i := slices.IndexFunc(r.Basic, func(b rulex.Rule) bool { return b.Name == x.Name })
	if i >= 0 && r.Basic[i].Expr == x.Expr {
		return // restating the default is not a change
	}
	old := ""
	if i >= 0 {
		old = r.Basic[i].Expr
		r.Basic[i] = x
	} else {
		r.Basic = append(r.Basic, x)
	}
	l.readings[x.Name] = path
	l.change(n, path, x.Article, ChangeSet, old, x.Expr)
}

// ruleSite describes a rule list: where it is, the article of a new rule, whether a message
// is required and how its expressions compile.
type ruleSite struct {
	path      string
	article   string
	compile   func(name, src string) error
	checkName func(name string) string // optional: a message when a new rule may not take the name
}

// needMessage reports whether a new rule of the site needs a message: whether the
// declaration makes its message a non-empty text.
func (s ruleSite) needMessage() bool {
	d := profileAt(schemaPath(s.path) + "[].message")
	return d != nil && d.Kind == kindText
}

func admissionSite(path, article string) ruleSite {
	return ruleSite{path: path, article: article, compile: func(name, src string) error {
		_, err := rules.CompileBool[admission.Env](name, src, rules.Options{Constants: admission.TitleConstants()})
		return err
	}}
}

// mergeRules applies a county rule list to the default list base, by name.
func (l *loader) mergeRules(n *yaml.Node, site ruleSite, base []rulex.Rule) []rulex.Rule {
	l.nodes[site.path] = n
	items, ok := l.seq(n, site.path)
	if !ok {
		return base
	}
	out := slices.Clone(base)
	seen := map[string]bool{}
	for i, item := range items {
		ipath := fmt.Sprintf("%s[#%d]", site.path, i+1)
		f, ok := l.mapping(item, ipath, profileKeys(schemaPath(site.path)+"[]"))
		if !ok && len(f.keys) == 0 {
			continue
		}
		nameNode := f.get("name")
		if nameNode == nil {
			l.fail(item, ipath, "", codeMissing, fmt.Sprintf("%s 第%d条规则缺少名称（name）", site.path, i+1))
			continue
		}
		name, ok := l.textAt(nameNode, ipath+".name")
		if !ok {
			continue
		}
		path := fmt.Sprintf("%s[%s]", site.path, name)
		l.nodes[path] = item
		if seen[name] {
			l.fail(nameNode, path, name, codeDuplicate, fmt.Sprintf("规则“%s”在 %s 中重复出现", clip(name), site.path))
			continue
		}
		seen[name] = true
		idx := slices.IndexFunc(out, func(r rulex.Rule) bool { return r.Name == name })
		disabled := false
		if d := f.get("disabled"); d != nil {
			disabled, _ = l.boolean(d, path+".disabled")
		}
		if disabled {
			if idx < 0 {
				l.fail(nameNode, path, name, codeUnknownRule, fmt.Sprintf("默认规则中没有“%s”，无法停用（请核对规则名称）", clip(name)))
				continue
			}
			if f.get("expr") != nil || f.get("message") != nil || f.get("article") != nil {
				l.fail(item, path, name, codeValue, fmt.Sprintf("停用规则“%s”时只需写 name 和 disabled", clip(name)))
				continue
			}
			l.change(item, path, out[idx].Article, ChangeRemove, out[idx].Expr, "")
			out = slices.Delete(out, idx, idx+1)
			continue
		}
		isNew := idx < 0
		if isNew && site.checkName != nil {
			if msg := site.checkName(name); msg != "" {
				l.fail(nameNode, path, name, codeValue, msg)
				continue
			}
		}
		r := rulex.Rule{Name: name}
		if !isNew {
			r = out[idx]
		}
		good := true
		set := func(field string, dst *string) {
			fn := f.get(field)
			if fn == nil {
				return
			}
			v, ok := l.textAt(fn, path+"."+field)
			if !ok {
				good = false
				return
			}
			if field == "expr" {
				if err := site.compile(name, v); err != nil {
					l.exprError(fn, path+".expr", name, v, err)
					good = false
				}
			}
			if !isNew && *dst != v {
				l.change(fn, path+"."+field, r.Article, ChangeSet, *dst, v)
			}
			*dst = v
		}
		set("article", &r.Article)
		set("expr", &r.Expr)
		set("message", &r.Message)
		if !isNew {
			out[idx] = r
			continue
		}
		if f.get("expr") == nil {
			l.fail(item, path, name, codeMissing, fmt.Sprintf("新增规则“%s”须写条件表达式（expr）", clip(name)))
			good = false
		}
		if site.needMessage() && f.get("message") == nil {
			l.fail(item, path, name, codeMissing, fmt.Sprintf("新增规则“%s”须写不满足时的中文说明（message）", clip(name)))
			good = false
		}
		if r.Article == "" {
			r.Article = site.article
		}
		if good {
			l.change(item, path, r.Article, ChangeAdd, "", r.Expr)
		}
		out = append(out, r)
	}
	return out
}

// exprError reports an expression that does not compile, at its position in the file.
func (l *loader) exprError(n *yaml.Node, path, rule, src string, err error) {
	pe := &PolicyError{Path: path, Rule: rule, Code: codeExpression, Err: err}
	var ce *rulex.CompileError
	if errors.As(err, &ce) {
		pe.Message = fmt.Sprintf("规则“%s”的表达式有误：%s", clip(rule), ce.Msg)
		line, col := exprPosition(l.lines, n, src, ce.Line, ce.Column)
		l.at(pe, line, col)
	} else {
		pe.Message = fmt.Sprintf("规则“%s”的表达式有误：%v", clip(rule), err)
		l.at(pe, n.Line, n.Column)
	}
	l.errs = append(l.errs, pe)
}

// exprPosition maps a position inside an expression (1-based line and column, 0 when
// unknown) to the YAML file.
func exprPosition(lines []string, n *yaml.Node, src string, line, col int) (int, int) {
	if line < 1 {
		return n.Line, n.Column
	}
	exprLines := strings.Split(src, "\n")
	if line > len(exprLines) {
		return n.Line, n.Column
	}
	el := []rune(exprLines[line-1])
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		// The text starts on the line after the indicator; lines map one to one.
		y := n.Line + line
		if y > len(lines) {
			return n.Line, n.Column
		}
		src := []rune(strings.TrimRight(lines[y-1], "\r"))
		indent := len(src) - len(el)
		if indent < 0 || string(src[indent:]) != string(el) {
			return y, 0
		}
		return y, indent + max(col, 1)
	case n.Style&yaml.FoldedStyle != 0:
		return n.Line + 1, 0
	}
	// Plain and quoted scalars: exact when the text before the column is written as is.
	if n.Line < 1 || n.Line > len(lines) || line != 1 {
		return n.Line, n.Column
	}
	quote := 0
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		quote = 1
	}
	raw := []rune(strings.TrimRight(lines[n.Line-1], "\r"))
	start := n.Column - 1 + quote
	c := max(col, 1)
	if start < 0 || start+c-1 > len(raw) || c-1 > len(el) || string(raw[start:start+c-1]) != string(el[:c-1]) {
		return n.Line, n.Column
	}
	return n.Line, n.Column + quote + c - 1
}

// admission reads the admission section.
func (l *loader) admission(n *yaml.Node, r *admission.Rules) {
	f, _ := l.declared(n, "admission")
	defer l.finish(f)
	if b := f.get("basic"); b != nil {
		r.Basic = l.mergeRules(b, admissionSite("admission.basic", "Art. 5(1)"), r.Basic)
	}
	l.reading(f, "admission.integrity_bar", r, func(s string) rulex.Rule { return admission.IntegrityBar(s).Rule() })
	l.reading(f, "admission.reentry_bar", r, func(s string) rulex.Rule { return admission.ReentryBar(s).Rule() })
	if pn := f.get("professional"); pn != nil {
		l.professional(pn, r)
	}
	if d := f.get("drawable"); d != nil {
		r.Drawable = l.mergeRules(d, admissionSite("admission.drawable", "Art. 14(3)"), r.Drawable)
	}
	explicit := map[string]bool{}
	if sn := f.get("sweep_exits"); sn != nil {
		l.nodes["admission.sweep_exits"] = sn
		sf, _ := l.mapping(sn, "admission.sweep_exits", nil)
		for _, name := range sf.keys {
			path := "admission.sweep_exits[" + name + "]"
			explicit[name] = true
			v, ok := l.textAt(sf.val[name], path)
			if !ok {
				continue
			}
			old, had := r.SweepExits[name]
			if v == "" {
				if !had {
					l.fail(sf.key[name], path, name, codeUnknownRule, fmt.Sprintf("默认清理规则中没有“%s”，无法删除", clip(name)))
					continue
				}
				delete(r.SweepExits, name)
				l.change(sf.val[name], path, "Art. 10", ChangeRemove, string(old), "")
				continue
			}
			reason := admission.ExitReason(v)
			if !slices.Contains(profileEnum("admission.sweep_exits[]"), v) {
				l.fail(sf.val[name], path, name, codeValue, enumMessage(path, profileEnum("admission.sweep_exits[]")))
				continue
			}
			if !slices.ContainsFunc(r.Basic, func(b rulex.Rule) bool { return b.Name == name }) {
				l.fail(sf.key[name], path, name, codeUnknownRule, fmt.Sprintf("“%s”不是入库基本条件规则，不能据此提出出库建议", clip(name)))
				continue
			}
			if r.SweepExits == nil {
				r.SweepExits = map[string]admission.ExitReason{}
			}
			if !had {
				l.change(sf.val[name], path, reason.Article(), ChangeAdd, "", v)
			} else if old != reason {
				l.change(sf.val[name], path, reason.Article(), ChangeSet, string(old), v)
			}
			r.SweepExits[name] = reason
		}
	}
	// A sweep exit whose basic rule the county removed goes with it.
	for _, name := range sortedKeys(r.SweepExits) {
		if !explicit[name] && !slices.ContainsFunc(r.Basic, func(b rulex.Rule) bool { return b.Name == name }) {
			l.change(f.get("basic"), "admission.sweep_exits["+name+"]", "Art. 10", ChangeRemove, string(r.SweepExits[name]), "")
			delete(r.SweepExits, name)
		}
	}
	l.setInt(f, "admission.stale_after_days", &r.StaleAfterDays, admission.DefaultStaleAfterDays)
}

// professional reads admission.professional: per category, merged by category.
func (l *loader) professional(n *yaml.Node, r *admission.Rules) {
	l.nodes["admission.professional"] = n
	f, _ := l.mapping(n, "admission.professional", nil)
	for _, key := range f.keys {
		cat := admission.Category(key)
		path := "admission.professional[" + key + "]"
		l.nodes[path] = f.val[key]
		cf, ok := l.declared(f.val[key], path)
		if !ok {
			continue
		}
		if strings.TrimSpace(key) == "" {
			l.fail(f.key[key], path, "", codeValue, "专家类别名称不能为空")
			continue
		}
		cr, had := r.Professional[cat]
		if disabled, _ := valueOf[bool](l, cf, "disabled"); disabled {
			if !had {
				l.fail(f.key[key], path, "", codeUnknownRule, fmt.Sprintf("默认专业条件中没有类别“%s”，无法停用", clip(key)))
				continue
			}
			if len(cf.keys) > 1 {
				l.fail(f.val[key], path, "", codeValue, fmt.Sprintf("停用类别“%s”时只需写 disabled", clip(key)))
				continue
			}
			delete(r.Professional, cat)
			l.change(f.val[key], path, cr.Article, ChangeRemove, cat.Label(), "")
			continue
		}
		article := cr.Article
		if article == "" {
			article = cat.Article()
		}
		for _, fld := range []struct {
			key string
			dst *string
		}{{"article", &cr.Article}, {"code", &cr.Code}, {"message", &cr.Message}} {
			if v, ok := valueOf[string](l, cf, fld.key); ok {
				if had && *fld.dst != v {
					l.change(cf.get(fld.key), path+"."+fld.key, article, ChangeSet, *fld.dst, v)
				}
				*fld.dst = v
			}
		}
		l.finish(cf)
		if cr.Article != "" {
			article = cr.Article
		}
		if rn := cf.get("required"); rn != nil {
			cr.Required = l.mergeRules(rn, admissionSite(path+".required", article), cr.Required)
		}
		if an := cf.get("any_of"); an != nil {
			cr.AnyOf = l.mergeRules(an, admissionSite(path+".any_of", article), cr.AnyOf)
		}
		if !had {
			if len(cr.Required) == 0 && len(cr.AnyOf) == 0 {
				l.fail(f.key[key], path, "", codeMissing, fmt.Sprintf("新增类别“%s”须至少有一条 required 或 any_of 规则", clip(key)))
				continue
			}
			l.change(f.val[key], path, article, ChangeAdd, "", key)
		}
		if r.Professional == nil {
			r.Professional = map[admission.Category]admission.CategoryRules{}
		}
		r.Professional[cat] = cr
	}
}

// valueOf is value with its type.
func valueOf[T any](l *loader, f fields, key string) (T, bool) {
	v, ok := l.value(f, key)
	t, isT := v.(T)
	return t, ok && isT
}

// setInt sets an integer setting from the value declared read (f.parsed; nothing when the
// key is absent or failed) and records a change with its declared article. def is the value
// that 0 stands for, when 0 means "the default" (0 when it does not).
func (l *loader) setInt(f fields, path string, dst *int, def int) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	v, ok := valueOf[int](l, f, key)
	if !ok {
		return
	}
	n, article := f.get(key), profileAt(path).Article
	old, nv := *dst, v
	if def != 0 {
		if old == 0 {
			old = def
		}
		if nv == 0 {
			nv = def
		}
	}
	if old != nv {
		l.change(n, path, article, ChangeSet, strconv.Itoa(old), strconv.Itoa(nv))
	}
	*dst = v
}

// setBool sets a boolean setting from the value declared read (f.parsed) and records a change
// with its declared article.
func (l *loader) setBool(f fields, path string, dst *bool) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	v, ok := valueOf[bool](l, f, key)
	if !ok {
		return
	}
	n, article := f.get(key), profileAt(path).Article
	if *dst != v {
		l.change(n, path, article, ChangeSet, strconv.FormatBool(*dst), strconv.FormatBool(v))
	}
	*dst = v
}

// conflict reads the conflict section.
func (l *loader) conflict(n *yaml.Node, r *conflict.Rules) {
	f, _ := l.declared(n, "conflict")
	defer l.finish(f)
	l.setBool(f, "conflict.exclude_possible", &r.ExcludePossible)
	if v := f.get("relations"); v != nil {
		l.relations(v, r)
	}
	if v := f.get("other_relations"); v != nil {
		l.nodes["conflict.other_relations"] = v
		if s, ok := l.textAt(v, "conflict.other_relations"); ok {
			good := true
			if strings.TrimSpace(s) != "" {
				if _, err := rules.CompileBool[conflict.RelationEnv]("other-relations", s, rules.Options{Constants: admission.TitleConstants()}); err != nil {
					l.exprError(v, "conflict.other_relations", "other-relations", s, err)
					good = false
				}
			}
			if good && s != r.OtherRelations {
				l.change(v, "conflict.other_relations", "Art. 15(2)", ChangeSet, r.OtherRelations, s)
			}
			r.OtherRelations = s
		}
	}
	l.setInt(f, "conflict.former_unit_months", &r.FormerUnitMonths, 0)
	l.setInt(f, "conflict.other_unit_clause", &r.OtherUnitClause, 0)
	l.setInt(f, "conflict.max_avoidances", &r.MaxAvoidances, 0)
	if v := f.get("unit_aliases"); v != nil {
		r.UnitAliases = l.aliases(v, "conflict.unit_aliases", r.UnitAliases)
	}
	if v := f.get("department_aliases"); v != nil {
		r.DepartmentAliases = l.aliases(v, "conflict.department_aliases", r.DepartmentAliases)
	}
	if v := f.get("clause5"); v != nil {
		r.Clause5 = l.mergeRules(v, ruleSite{path: "conflict.clause5", article: "Art. 15(5)",
			compile: func(name, src string) error {
				_, err := rules.CompileBool[conflict.Env](name, src, rules.Options{Constants: admission.TitleConstants()})
				return err
			}}, r.Clause5)
	}
}

// relations reads conflict.relations, which replaces the whole list.
func (l *loader) relations(n *yaml.Node, r *conflict.Rules) {
	const path = "conflict.relations"
	l.nodes[path] = n
	items, ok := l.seq(n, path)
	if !ok {
		return
	}
	var out []conflict.RelationRule
	seen := map[string]bool{}
	good := true
	for i, item := range items {
		ipath := fmt.Sprintf("%s[#%d]", path, i+1)
		f, ok := l.declared(item, ipath)
		if !ok {
			good = false
			continue
		}
		var rr conflict.RelationRule
		if kn := f.get("kinds"); kn != nil {
			ks, _ := l.seq(kn, ipath+".kinds")
			for _, k := range ks {
				s, ok := l.textAt(k, ipath+".kinds")
				if !ok {
					good = false
					continue
				}
				key := strings.ToLower(strings.TrimSpace(s))
				if seen[key] {
					l.fail(k, ipath+".kinds", "", codeDuplicate, fmt.Sprintf("关系类型“%s”重复出现", clip(s)))
					good = false
				}
				seen[key] = true
				rr.Kinds = append(rr.Kinds, s)
			}
		}
		if len(rr.Kinds) == 0 {
			l.fail(item, ipath+".kinds", "", codeMissing, "每类重大利益关系须列出关系类型（kinds）")
			good = false
		}
		rr.Label, _ = valueOf[string](l, f, "label") // required: declared Missing
		if f.get("label") == nil {
			good = false
		}
		if m, ok := valueOf[int](l, f, "months"); ok {
			rr.Months = m
		} else if f.get("months") != nil {
			good = false
		}
		rr.Unlimited, _ = valueOf[bool](l, f, "unlimited")
		l.finish(f)
		out = append(out, rr)
	}
	if !good {
		return
	}
	if old, nw := relationsText(r.Relations), relationsText(out); old != nw {
		l.change(n, path, "Art. 15(2)", ChangeSet, old, nw)
	}
	r.Relations = out
}

// relationsText renders relation rules on one line.
func relationsText(rs []conflict.RelationRule) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		d := fmt.Sprintf("%d个月", r.Months)
		if r.Unlimited {
			d = "不限期"
		}
		parts[i] = fmt.Sprintf("%s(%s)%s", r.Label, strings.Join(r.Kinds, ","), d)
	}
	return strings.Join(parts, "；")
}

// aliases merges an alias table by key; an empty value removes a default alias.
func (l *loader) aliases(n *yaml.Node, path string, base map[string]string) map[string]string {
	l.nodes[path] = n
	f, _ := l.mapping(n, path, nil)
	out := make(map[string]string, len(base)+len(f.keys))
	for k, v := range base {
		out[k] = v
	}
	for _, k := range f.keys {
		kpath := path + "[" + k + "]"
		if strings.TrimSpace(k) == "" {
			l.fail(f.key[k], kpath, "", codeValue, "别名不能为空")
			continue
		}
		v, ok := l.textAt(f.val[k], kpath)
		if !ok {
			continue
		}
		old, had := out[k]
		switch {
		case v == "" && !had:
			l.fail(f.key[k], kpath, "", codeUnknownRule, fmt.Sprintf("默认别名中没有“%s”，无法删除", clip(k)))
		case v == "":
			delete(out, k)
			l.change(f.val[k], kpath, "Art. 15(3)", ChangeRemove, old, "")
		case !had:
			out[k] = v
			l.change(f.val[k], kpath, "Art. 15(3)", ChangeAdd, "", v)
		case old != v:
			out[k] = v
			l.change(f.val[k], kpath, "Art. 15(3)", ChangeSet, old, v)
		}
	}
	return out
}

// evaluation reads the evaluation section.
func (l *loader) evaluation(n *yaml.Node, r *evaluation.Rules) {
	f, _ := l.declared(n, "evaluation")
	defer l.finish(f)
	if fr, ok := valueOf[selection.Fraction](l, f, "threshold"); ok {
		t := evaluation.Ratio{Num: fr.Num, Den: fr.Den}
		if t.Cmp(r.Threshold) != 0 {
			l.change(f.get("threshold"), "evaluation.threshold", "Art. 25", ChangeSet, r.Threshold.String(), t.String())
			r.Threshold = t
		}
	}
	l.setBool(f, "evaluation.inclusive", &r.Inclusive)
	l.setInt(f, "evaluation.min_ratings", &r.MinRatings, 0)
	l.setBool(f, "evaluation.require_aspects", &r.RequireAspects)
	if v := f.get("serious_violations"); v != nil {
		const path = "evaluation.serious_violations"
		l.nodes[path] = v
		items, ok := l.seq(v, path)
		if !ok {
			return
		}
		var out []evaluation.Violation
		good := true
		for _, it := range items {
			s, ok := l.textAt(it, path)
			if !ok {
				good = false
				continue
			}
			x, err := evaluation.ParseViolation(s)
			if err != nil {
				l.fail(it, path, "", codeValue, fmt.Sprintf("“%s”不是第九条所列的违规行为代码（如 solicitation、leak、bribery）", clip(s)))
				good = false
				continue
			}
			if slices.Contains(out, x) {
				l.fail(it, path, "", codeDuplicate, fmt.Sprintf("违规行为“%s”重复出现", x))
				good = false
				continue
			}
			out = append(out, x)
		}
		if !good {
			return
		}
		if old, nw := violationsText(r.Serious), violationsText(out); old != nw {
			l.change(v, path, "Art. 10(3)", ChangeSet, old, nw)
		}
		r.Serious = out
	}
}

func violationsText(vs []evaluation.Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, ", ")
}

// selection reads the selection section (and the Policy's own seal_panels).
func (l *loader) selection(n *yaml.Node, p *Policy) {
	r := p.Selection
	f, _ := l.declared(n, "selection")
	defer l.finish(f)
	l.setInt(f, "selection.annual_cap", &r.AnnualCap, 0)
	if fr, ok := valueOf[selection.Fraction](l, f, "preferential_share"); ok {
		old := evaluation.Ratio{Num: r.PreferentialShare.Num, Den: r.PreferentialShare.Den}
		if (evaluation.Ratio{Num: fr.Num, Den: fr.Den}).Cmp(old) != 0 {
			l.change(f.get("preferential_share"), "selection.preferential_share", "Art. 14(1)", ChangeSet, old.String(), fmt.Sprintf("%d/%d", fr.Num, fr.Den))
			r.PreferentialShare = fr
		}
	}
	if s, ok := valueOf[string](l, f, "mode"); ok {
		m := selection.V1
		if s == selection.RFC3797.String() {
			m = selection.RFC3797
		}
		if m != r.Mode {
			l.change(f.get("mode"), "selection.mode", "Art. 14(1)", ChangeSet, r.Mode.String(), m.String())
		}
		r.Mode = m
	}
	l.setInt(f, "selection.search_bound", &r.SearchBound, selection.DefaultSearchBound)
	l.setInt(f, "selection.reserve", &r.Reserve, 0)
	l.setBool(f, "selection.seal_panels", &p.SealPanels)
	l.setBool(f, "selection.ignore_unavailable", &r.IgnoreUnavailable)
	l.setBool(f, "selection.ignore_bookings", &r.IgnoreBookings)
	if v := f.get("draw_window"); v != nil {
		l.drawWindow(v, &r.DrawWindow)
	}
	if v := f.get("exclusions"); v != nil {
		r.Exclusions = l.mergeRules(v, exclusionSite(), r.Exclusions)
	}
}

// drawWindowArticle is the article of the draw window: the confidentiality of the draw and
// the notification (Art. 14(2)); the window itself comes from procurement practice.
const drawWindowArticle = "Art. 14(2)"

// drawWindow reads selection.draw_window: max_lead and min_lead, non-negative Go durations
// with min_lead ≤ max_lead when max_lead is set. A key left out keeps its value.
func (l *loader) drawWindow(n *yaml.Node, w *selection.DrawWindow) {
	const path = "selection.draw_window"
	l.nodes[path] = n
	f, _ := l.declared(n, path)
	defer l.finish(f)
	next := *w
	good := true
	for _, k := range []struct {
		key string
		dst *time.Duration
	}{{"max_lead", &next.MaxLead}, {"min_lead", &next.MinLead}} {
		if f.get(k.key) == nil {
			continue
		}
		d, ok := valueOf[time.Duration](l, f, k.key)
		if !ok {
			good = false
			continue
		}
		*k.dst = d
	}
	if !good {
		return
	}
	if next.MaxLead > 0 && next.MinLead > next.MaxLead {
		at := f.get("min_lead")
		if at == nil {
			at = n
		}
		l.fail(at, path+".min_lead", "", codeValue, fmt.Sprintf(
			"抽取时段设置矛盾：min_lead（%s，最晚须在活动开始前多久抽取）不能大于 max_lead（%s，最早可在活动开始前多久抽取）",
			durationText(next.MinLead), durationText(next.MaxLead)))
		return
	}
	for _, k := range []struct {
		key      string
		old, new time.Duration
	}{{"max_lead", w.MaxLead, next.MaxLead}, {"min_lead", w.MinLead, next.MinLead}} {
		if k.old != k.new {
			l.change(f.get(k.key), path+"."+k.key, drawWindowArticle, ChangeSet, durationText(k.old), durationText(k.new))
		}
	}
	*w = next
}

// durationText writes a duration the way a profile does: "72h", "1h30m", "90s", "0".
func durationText(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// reservedExclusionCodes are the exclusion codes selection records itself; a county
// exclusion rule, whose name is its code, may not take one of them.
var reservedExclusionCodes = []string{"annual-cap", "booked", "criteria", "expression-error", "not-active", "not-eligible", "on-panel", "unavailable"}

// exclusionSite is the rule list selection.exclusions: over selection.Env, compiled with the
// options selection.Prepare uses (drawOptions), a message required, article Art. 13 by default.
func exclusionSite() ruleSite {
	return ruleSite{path: "selection.exclusions", article: "Art. 13",
		compile: func(name, src string) error {
			_, err := rules.CompileBool[selection.Env](name, src, drawOptions())
			return err
		},
		checkName: func(name string) string {
			if slices.Contains(reservedExclusionCodes, name) {
				return fmt.Sprintf("排除规则不能命名为“%s”：这是抽取程序自身的排除原因代码，请另取名称，如 cooling-off", name)
			}
			return ""
		}}
}

// permissions reads the permissions section.
func (l *loader) permissions(n *yaml.Node, r *audit.PermissionRules) {
	f, _ := l.mapping(n, "permissions", profileKeys("permissions"))
	compile := func(name, src string) error {
		_, err := rules.CompileBool[audit.PermissionEnv](name, src, rules.Options{})
		return err
	}
	if v := f.get("roles"); v != nil {
		const path = "permissions.roles"
		l.nodes[path] = v
		items, ok := l.seq(v, path)
		var roles []string
		for _, it := range items {
			s, ok2 := l.textAt(it, path)
			if !ok2 {
				ok = false
				continue
			}
			if slices.Contains(roles, s) {
				l.fail(it, path, "", codeDuplicate, fmt.Sprintf("角色“%s”重复出现", clip(s)))
				ok = false
				continue
			}
			roles = append(roles, s)
		}
		if ok && len(roles) == 0 {
			l.fail(v, path, "", codeMissing, "角色列表（roles）不能为空")
			ok = false
		}
		if ok {
			if old, nw := strings.Join(r.Roles, ", "), strings.Join(roles, ", "); old != nw {
				l.change(v, path, "Art. 18", ChangeSet, old, nw)
			}
			r.Roles = roles
		}
	}
	if v := f.get("allow"); v != nil {
		r.Allow = l.mergeRules(v, ruleSite{path: "permissions.allow", article: "Art. 18", compile: compile}, r.Allow)
	}
	if v := f.get("deny"); v != nil {
		r.Deny = l.mergeRules(v, ruleSite{path: "permissions.deny", article: "Art. 18", compile: compile}, r.Deny)
	}
}

// alerts merges the alert rules by name.
func (l *loader) alerts(n *yaml.Node, base []audit.AlertRule) []audit.AlertRule {
	const site = "alerts"
	items, ok := l.seq(n, site)
	if !ok {
		return base
	}
	out := slices.Clone(base)
	seen := map[string]bool{}
	for i, item := range items {
		ipath := fmt.Sprintf("alerts[#%d]", i+1)
		f, ok := l.mapping(item, ipath, profileKeys("alerts[]"))
		if !ok && len(f.keys) == 0 {
			continue
		}
		nameNode := f.get("name")
		if nameNode == nil {
			l.fail(item, ipath, "", codeMissing, fmt.Sprintf("第%d条预警规则缺少名称（name）", i+1))
			continue
		}
		name, ok := l.textAt(nameNode, ipath+".name")
		if !ok {
			continue
		}
		path := "alerts[" + name + "]"
		l.nodes[path] = item
		if seen[name] {
			l.fail(nameNode, path, name, codeDuplicate, fmt.Sprintf("预警规则“%s”重复出现", clip(name)))
			continue
		}
		seen[name] = true
		idx := slices.IndexFunc(out, func(a audit.AlertRule) bool { return a.Name == name })
		disabled := false
		if d := f.get("disabled"); d != nil {
			disabled, _ = l.boolean(d, path+".disabled")
		}
		if disabled {
			if idx < 0 {
				l.fail(nameNode, path, name, codeUnknownRule, fmt.Sprintf("默认预警规则中没有“%s”，无法停用", clip(name)))
				continue
			}
			if len(f.keys) > 2 {
				l.fail(item, path, name, codeValue, fmt.Sprintf("停用预警规则“%s”时只需写 name 和 disabled", clip(name)))
				continue
			}
			l.change(item, path, out[idx].Article, ChangeRemove, out[idx].Match, "")
			out = slices.Delete(out, idx, idx+1)
			continue
		}
		isNew := idx < 0
		a := audit.AlertRule{Name: name}
		if !isNew {
			a = out[idx]
		}
		good := true
		note := func(fn *yaml.Node, field, old, nw string) {
			if !isNew && old != nw {
				l.change(fn, path+"."+field, a.Article, ChangeSet, old, nw)
			}
		}
		for _, fld := range []struct {
			key     string
			dst     *string
			compile func(string) error
		}{
			{"article", &a.Article, nil},
			{"message", &a.Message, nil},
			{"match", &a.Match, func(s string) error {
				_, err := rules.CompileBool[audit.AlertEnv](name, s, rules.Options{})
				return err
			}},
			{"key", &a.Key, func(s string) error {
				if s == "" {
					return nil
				}
				_, err := rules.CompileValue[audit.AlertEnv](name+".key", s, rules.Options{})
				return err
			}},
		} {
			fn := f.get(fld.key)
			if fn == nil {
				continue
			}
			v, ok := l.textAt(fn, path+"."+fld.key)
			if !ok {
				good = false
				continue
			}
			if fld.compile != nil {
				if err := fld.compile(v); err != nil {
					l.exprError(fn, path+"."+fld.key, name, v, err)
					good = false
					continue
				}
			}
			note(fn, fld.key, *fld.dst, v)
			*fld.dst = v
		}
		if fn := f.get("count"); fn != nil {
			if v, ok := l.enum(fn, path+".count", name); ok {
				note(fn, "count", a.Count, v)
				a.Count = v
			} else {
				good = false
			}
		}
		if fn := f.get("window"); fn != nil {
			if d, ok := l.duration(fn, path+".window"); ok {
				note(fn, "window", a.Window.String(), d.String())
				a.Window = d
			} else {
				good = false
			}
		}
		if fn := f.get("threshold"); fn != nil {
			if t, ok := l.integer(fn, path+".threshold"); ok {
				note(fn, "threshold", strconv.Itoa(a.Threshold), strconv.Itoa(t))
				a.Threshold = t
			} else {
				good = false
			}
		}
		if !isNew {
			out[idx] = a
			continue
		}
		if f.get("match") == nil || f.get("message") == nil {
			l.fail(item, path, name, codeMissing, fmt.Sprintf("新增预警规则“%s”须写 match 和 message", clip(name)))
			good = false
		}
		if a.Article == "" {
			a.Article = "Art. 17"
		}
		if good {
			l.change(item, path, a.Article, ChangeAdd, "", a.Match)
		}
		out = append(out, a)
	}
	return out
}

// duration reads a non-negative Go duration ("24h", "90m") or the integer 0, with the
// messages declared at path (BadValue, Negative).
func (l *loader) duration(n *yaml.Node, path string) (time.Duration, bool) {
	d := profileAt(schemaPath(path))
	s, ok := l.str(n, path)
	if !ok {
		return 0, false
	}
	if n.Tag == "!!int" && s == "0" {
		return 0, true
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil || n.Tag != "!!str" || v < 0 && d.Negative == "":
		l.fail(n, path, "", codeValue, fmt.Sprintf("%s %s", where(path), d.BadValue))
		return 0, false
	case v < 0:
		l.fail(n, path, "", codeValue, fmt.Sprintf("%s %s", where(path), d.Negative))
		return 0, false
	}
	return v, true
}

// requestRules reads the county's request rules; the defaults have none.
func (l *loader) requestRules(n *yaml.Node) []RequestRule {
	const site = "request_rules"
	items, ok := l.seq(n, site)
	if !ok {
		return nil
	}
	drawBool := func(name, src string) error {
		_, err := rules.CompileBool[selection.Env](name, src, drawOptions())
		return err
	}
	var out []RequestRule
	seen := map[string]bool{}
	for i, item := range items {
		ipath := fmt.Sprintf("request_rules[#%d]", i+1)
		f, ok := l.mapping(item, ipath, profileKeys("request_rules[]"))
		if !ok && len(f.keys) == 0 {
			continue
		}
		nameNode := f.get("name")
		if nameNode == nil {
			l.fail(item, ipath, "", codeMissing, fmt.Sprintf("第%d条抽取申请规则缺少名称（name）", i+1))
			continue
		}
		name, ok := l.textAt(nameNode, ipath+".name")
		if !ok {
			continue
		}
		path := "request_rules[" + name + "]"
		l.nodes[path] = item
		if strings.Contains(name, "/") {
			l.fail(nameNode, path, name, codeValue, "抽取申请规则名称不能包含“/”")
			continue
		}
		if seen[name] {
			l.fail(nameNode, path, name, codeDuplicate, fmt.Sprintf("抽取申请规则“%s”重复出现", clip(name)))
			continue
		}
		seen[name] = true
		rr := RequestRule{Name: name, Article: "Art. 13"}
		good := true
		if fn := f.get("article"); fn != nil {
			rr.Article, ok = l.textAt(fn, path+".article")
			good = good && ok
		}
		if fn := f.get("message"); fn != nil {
			rr.Message, ok = l.textAt(fn, path+".message")
			good = good && ok
		} else {
			l.fail(item, path, name, codeMissing, fmt.Sprintf("抽取申请规则“%s”须写中文说明（message）", clip(name)))
			good = false
		}
		expr := func(field string, dst *string, compile func(name, src string) error) {
			fn := f.get(field)
			if fn == nil {
				return
			}
			v, ok := l.textAt(fn, path+"."+field)
			if !ok {
				good = false
				return
			}
			if err := compile(name, v); err != nil {
				l.exprError(fn, path+"."+field, name, v, err)
				good = false
			}
			*dst = v
		}
		expr("when", &rr.When, func(name, src string) error {
			_, err := rules.CompileBool[RequestEnv](name+".when", src, rules.Options{})
			return err
		})
		expr("criteria", &rr.Criteria, drawBool)
		if qn := f.get("quotas"); qn != nil {
			rr.Quotas, ok = l.requestQuotas(qn, path+".quotas", name, drawBool)
			good = good && ok
		}
		if gn := f.get("groups"); gn != nil {
			rr.Groups, ok = l.requestGroups(gn, path+".groups", name)
			good = good && ok
		}
		if good && rr.Criteria == "" && len(rr.Quotas) == 0 && len(rr.Groups) == 0 {
			l.fail(item, path, name, codeMissing, fmt.Sprintf("抽取申请规则“%s”须至少包含 criteria、quotas 或 groups 之一", clip(name)))
			good = false
		}
		if good {
			l.change(item, path, rr.Article, ChangeAdd, "", requestRuleText(rr))
		}
		out = append(out, rr)
	}
	return out
}

// partName reads the name of a quota or group cap of a request rule: required, unique within
// the rule, without "/" (added parts are named "<rule>/<part>"). It returns the name, the
// item's path by name (or ipath when there is none) and whether the name is good.
func (l *loader) partName(f fields, item *yaml.Node, path, ipath, rule string, names map[string]bool, what string) (string, string, bool) {
	fn := f.get("name")
	if fn == nil {
		l.fail(item, ipath, rule, codeMissing, what+"须有名称（name）")
		return "", ipath, false
	}
	name, ok := l.textAt(fn, ipath+".name")
	if !ok {
		return "", ipath, false
	}
	ipath = path + "[" + name + "]"
	if strings.Contains(name, "/") || names[name] {
		l.fail(fn, ipath, rule, codeDuplicate, fmt.Sprintf("%s名称“%s”重复或含有“/”", what, clip(name)))
		ok = false
	}
	names[name] = true
	return name, ipath, ok
}

func (l *loader) requestQuotas(n *yaml.Node, path, rule string, compile func(name, src string) error) ([]RequestQuota, bool) {
	items, ok := l.seq(n, path)
	if !ok {
		return nil, false
	}
	var out []RequestQuota
	good := true
	names := map[string]bool{}
	for i, item := range items {
		ipath := fmt.Sprintf("%s[#%d]", path, i+1)
		f, ok := l.mapping(item, ipath, profileKeys("request_rules[].quotas[]"))
		if !ok {
			good = false
			continue
		}
		var q RequestQuota
		if q.Name, ipath, ok = l.partName(f, item, path, ipath, rule, names, "配额"); !ok {
			good = false
		}
		if fn := f.get("filter"); fn != nil {
			if q.Filter, ok = l.textAt(fn, ipath+".filter"); ok {
				if err := compile(rule+"/"+q.Name, q.Filter); err != nil {
					l.exprError(fn, ipath+".filter", rule, q.Filter, err)
					good = false
				}
			} else {
				good = false
			}
		} else {
			l.fail(item, ipath, rule, codeMissing, "配额须有专家条件表达式（filter）")
			good = false
		}
		for _, b := range []struct {
			key string
			dst *int
		}{{"min", &q.Min}, {"max", &q.Max}} {
			if fn := f.get(b.key); fn != nil {
				if *b.dst, ok = l.integer(fn, ipath+"."+b.key); !ok {
					good = false
				}
			}
		}
		for _, b := range []struct {
			key string
			dst *selection.Fraction
		}{{"min_share", &q.MinShare}, {"max_share", &q.MaxShare}} {
			if fn := f.get(b.key); fn != nil {
				if *b.dst, ok = l.fraction(fn, ipath+"."+b.key); !ok {
					good = false
				}
			}
		}
		if f.get("min") == nil && f.get("max") == nil && f.get("min_share") == nil && f.get("max_share") == nil {
			l.fail(item, ipath, rule, codeMissing, "配额须至少写 min、max、min_share、max_share 之一")
			good = false
		}
		if q.Max > 0 && q.Max < q.Min {
			l.fail(item, ipath, rule, codeValue, fmt.Sprintf("配额上限 %d 小于下限 %d", q.Max, q.Min))
			good = false
		}
		out = append(out, q)
	}
	return out, good
}

func (l *loader) requestGroups(n *yaml.Node, path, rule string) ([]selection.GroupCap, bool) {
	items, ok := l.seq(n, path)
	if !ok {
		return nil, false
	}
	var out []selection.GroupCap
	good := true
	names := map[string]bool{}
	for i, item := range items {
		ipath := fmt.Sprintf("%s[#%d]", path, i+1)
		f, ok := l.mapping(item, ipath, profileKeys("request_rules[].groups[]"))
		if !ok {
			good = false
			continue
		}
		var g selection.GroupCap
		if g.Name, ipath, ok = l.partName(f, item, path, ipath, rule, names, "分组上限"); !ok {
			good = false
		}
		if fn := f.get("key"); fn != nil {
			if g.Key, ok = l.textAt(fn, ipath+".key"); ok {
				if _, err := rules.CompileValue[selection.Env](rule+"/"+g.Name, g.Key, drawOptions()); err != nil {
					l.exprError(fn, ipath+".key", rule, g.Key, err)
					good = false
				}
			} else {
				good = false
			}
		} else {
			l.fail(item, ipath, rule, codeMissing, "分组上限须有分组表达式（key）")
			good = false
		}
		if fn := f.get("max"); fn != nil {
			if g.Max, ok = l.integer(fn, ipath+".max"); !ok {
				good = false
			}
		} else {
			l.fail(item, ipath, rule, codeMissing, "分组上限须写每组最多人数（max）")
			good = false
		}
		out = append(out, g)
	}
	return out, good
}

// requestRuleText renders a request rule on one line, for Change.New.
func requestRuleText(rr RequestRule) string {
	var parts []string
	if rr.When != "" {
		parts = append(parts, "when "+oneLine(rr.When))
	}
	if rr.Criteria != "" {
		parts = append(parts, "criteria "+oneLine(rr.Criteria))
	}
	for _, q := range rr.Quotas {
		parts = append(parts, "quota "+q.Name+": "+quotaText(q))
	}
	for _, g := range rr.Groups {
		parts = append(parts, fmt.Sprintf("group %s: %s ≤ %d", g.Name, oneLine(g.Key), g.Max))
	}
	return strings.Join(parts, "; ")
}

// quotaText renders a quota's filter and bounds.
func quotaText(q RequestQuota) string {
	var b []string
	if q.Min > 0 {
		b = append(b, fmt.Sprintf("min %d", q.Min))
	}
	if q.Max > 0 {
		b = append(b, fmt.Sprintf("max %d", q.Max))
	}
	if q.MinShare.Den > 0 {
		b = append(b, fmt.Sprintf("min_share %d/%d", q.MinShare.Num, q.MinShare.Den))
	}
	if q.MaxShare.Den > 0 {
		b = append(b, fmt.Sprintf("max_share %d/%d", q.MaxShare.Num, q.MaxShare.Den))
	}
	return oneLine(q.Filter) + " (" + strings.Join(b, ", ") + ")"
}

// join appends a key to a YAML path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// where names a path for a message ("文件顶层" for the root).
func where(path string) string {
	if path == "" {
		return "文件顶层"
	}
	return path
}

// kindName names the YAML type of a node in Chinese.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "映射"
	case yaml.SequenceNode:
		return "列表"
	case yaml.AliasNode:
		return "别名"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "空值"
		case "!!int":
			return "整数"
		case "!!float":
			return "小数"
		case "!!bool":
			return "布尔值"
		case "!!timestamp":
			return "日期"
		}
		return "文字"
	}
	return "空"
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
