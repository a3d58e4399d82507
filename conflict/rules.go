package conflict

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Rules configures the recusal checks of Art. 15. DefaultRules returns the Wenzhou defaults; a
// county (Art. 13) changes fields and calls Compile, which reports every mistake at load
// time. A Rules value is read-only once compiled: any number of checkers may share it, but
// Compile must not run concurrently with New or NewChecker on the same value.
type Rules struct {
	// ExcludePossible makes possible conflicts (Definite false: a match on name and unit only,
	// or the same university with a department missing) exclude the expert. Default true.
	ExcludePossible bool `yaml:"exclude_possible" json:"exclude_possible"`

	// Relations lists the relation kinds of Art. 15(2) and how long each counts after the
	// relation ended. Kinds are compared case-insensitively.
	Relations []RelationRule `yaml:"relations" json:"relations"`

	// OtherRelations decides, for a relation whose kind is not listed in Relations, whether it
	// is a major interest relation (Art. 15(2)). It is an expression over RelationEnv, e.g.
	//
	//	relation.Ongoing || relation.MonthsSinceEnd < 12
	//
	// The empty string means every unlisted relation counts, however old (fail closed).
	OtherRelations string `yaml:"other_relations" json:"other_relations"`

	// FormerUnitMonths is how many full months after leaving a unit the expert still counts as
	// belonging to it (Art. 15(3), 15(4)). Default 12; 0 means former units never count.
	FormerUnitMonths int `yaml:"former_unit_months" json:"former_unit_months"`

	// OtherUnitClause is the clause under which belonging to the same government body,
	// hospital, financial institution or other unit as a project member is reported: 5 (the
	// default: "other circumstances", Art. 15(5)), 3 (treat like an enterprise) or 0 (not a
	// conflict).
	OtherUnitClause int `yaml:"other_unit_clause" json:"other_unit_clause"`

	// UnitAliases maps another name of a unit to its canonical name, e.g. 温医大 → 温州医科大学.
	// Keys and values are compared in NormalizeName form; an alias applies to a whole name,
	// never to part of one. Chains are followed; cycles are an error.
	UnitAliases map[string]string `yaml:"unit_aliases" json:"unit_aliases"`

	// DepartmentAliases maps another name of a department (院系) to its canonical name.
	DepartmentAliases map[string]string `yaml:"department_aliases" json:"department_aliases"`

	// MaxAvoidances is the largest number of entries a project leader may declare on the
	// avoidance list (Art. 15(4)). A project over it is refused. Default 10; must be ≥ 1.
	MaxAvoidances int `yaml:"max_avoidances" json:"max_avoidances"`

	// Clause5 holds the county's own recusal rules (Art. 15(5)): boolean expressions over Env
	// (`expert`, `project`, `member`); a rule that evaluates to true is a conflict with code
	// Name and reason Message. Article defaults to "Art. 15(5)". Example:
	//
	//	{Name: "same-region-government", Article: "Art. 15(5)",
	//	 Expr: `expert.Affiliation.Kind == "government" && expert.Region == project.Region`,
	//	 Message: "专家为项目所在地政府部门工作人员"}
	Clause5 []rule.Rule `yaml:"clause5" json:"clause5"`

	compiled *compiledRules
}

// RelationRule says how long relations of the given kinds count as a major interest relation
// (Art. 15(2)) after they ended.
type RelationRule struct {
	Kinds     []string `yaml:"kinds" json:"kinds"`         // e.g. "collaborator", "co-author"
	Label     string   `yaml:"label" json:"label"`         // Chinese name used in reasons, e.g. "合作或合著关系"
	Months    int      `yaml:"months" json:"months"`       // full months after the end during which it counts
	Unlimited bool     `yaml:"unlimited" json:"unlimited"` // counts however long ago it ended
}

// Relation kinds of the default rules.
const (
	KindAdvisor      = "advisor"      // 导师
	KindAdvisee      = "advisee"      // 学生
	KindFamily       = "family"       // 亲属
	KindCollaborator = "collaborator" // 合作者
	KindCoAuthor     = "co-author"    // 合著者
	KindBusiness     = "business"     // 商业利益
	KindFinancial    = "financial"    // 经济往来
)

// DefaultRules returns the rules for Art. 15 as the Wenzhou Measures read by default:
//
//   - possible conflicts exclude;
//   - advisor/advisee and family relations count without time limit, collaborators and
//     co-authors for 48 months after the relation ended, business and financial interests
//     for 12 months; any other relation while ongoing or within 12 months;
//   - former units count for 12 months after leaving;
//   - the same government body, hospital, financial or other unit is reported under
//     clause (5);
//   - at most 10 avoidance entries; no county clause (5) expressions;
//   - a few well-known aliases: 温医大 and 温州医学院 (the name before 2013) → 温州医科大学,
//     温大 → 温州大学.
func DefaultRules() *Rules {
	r := &Rules{
		ExcludePossible: true,
		Relations: []RelationRule{
			{Kinds: []string{KindAdvisor, KindAdvisee}, Label: "师生关系", Unlimited: true},
			{Kinds: []string{KindFamily}, Label: "亲属关系", Unlimited: true},
			{Kinds: []string{KindCollaborator, KindCoAuthor}, Label: "合作或合著关系", Months: 48},
			{Kinds: []string{KindBusiness, KindFinancial}, Label: "经济利益关系", Months: 12},
		},
		OtherRelations:   "relation.Ongoing || relation.MonthsSinceEnd < 12",
		FormerUnitMonths: 12,
		OtherUnitClause:  5,
		UnitAliases: map[string]string{
			"温医大":   "温州医科大学",
			"温州医学院": "温州医科大学",
			"温大":    "温州大学",
		},
		MaxAvoidances: 10,
	}
	if err := r.Compile(); err != nil {
		panic("conflict: default rules do not compile: " + err.Error()) // unreachable: tested
	}
	return r
}

// Env is the environment of a clause (5) expression:
//
//	expert   admission.ExpertView  the expert being checked (no ID number, no mobile)
//	project  ProjectView           ID, Region, Leader, Members
//	member   PersonView            the leader or member being compared: ID, Name, Role
//	                               ("leader" or "member"), Affiliation (Org, OrgCode, Kind,
//	                               Department, Position, From, To)
//
// Named title constants (TitleNone … Senior) are available. A rule that mentions `member` is
// evaluated once for the leader and once for each member, and each hit names that person; a
// rule that does not is evaluated once per expert. Examples:
//
//	expert.Affiliation.Kind == "government" && expert.Region == project.Region
//	member.Affiliation.Kind == "hospital" && expert.Affiliation.Org == member.Affiliation.Org
//	"board-member" in expert.Tags && member.Role == "leader"
type Env struct {
	Expert  admission.ExpertView `expr:"expert"`
	Project ProjectView          `expr:"project"`
	Member  PersonView           `expr:"member"`
}

// ProjectView is what clause (5) expressions see as `project`.
type ProjectView struct {
	ID      string
	Region  string
	Leader  PersonView
	Members []PersonView
}

// PersonView is what clause (5) expressions see as `member` (and as project.Leader and the
// elements of project.Members). It carries no ID number.
type PersonView struct {
	ID          string
	Name        string
	Role        string // "leader" or "member"
	Affiliation admission.UnitView
}

// RelationEnv is the environment of Rules.OtherRelations:
//
//	relation.Kind            string     as recorded, trimmed and lower-cased
//	relation.Since           time.Time
//	relation.Until           time.Time  zero while ongoing
//	relation.Ongoing         bool       Until is zero or not before the check date
//	relation.MonthsSinceEnd  int        full months from Until to the check date (0 while ongoing)
//	asOf                     time.Time  the check date
type RelationEnv struct {
	Relation RelationView `expr:"relation"`
	AsOf     time.Time    `expr:"asOf"`
}

// RelationView is a Relation as expressions see it.
type RelationView struct {
	Kind           string
	Since, Until   time.Time
	Ongoing        bool
	MonthsSinceEnd int
}

// ConfigError reports an invalid value in Rules.
type ConfigError struct {
	Field string // e.g. "MaxAvoidances"
	Msg   string
}

// Error implements error.
func (e *ConfigError) Error() string { return "conflict: rules: " + e.Field + ": " + e.Msg }

// ErrInvalidRules is wrapped by every error Compile returns.
var ErrInvalidRules = errors.New("conflict: invalid rules")

type compiledRules struct {
	otherSrc string
	other    *rules.Bool[RelationEnv] // nil: every unlisted relation counts
	clause5  []rule.Rule
	progs    []*rules.Bool[Env]
	member   []bool // progs[i] mentions `member`
}

// Compile checks every field and compiles every expression, reporting all mistakes at once:
// *ConfigError values and *rule.CompileError values (rule name, line, column, caret snippet),
// joined, wrapping ErrInvalidRules. Call it after changing a Rules value; New compiles on its
// own when the expressions changed since the last Compile.
func (r *Rules) Compile() error {
	c, err := r.compile()
	if err != nil {
		return err
	}
	r.compiled = c
	return nil
}

func (r *Rules) compile() (*compiledRules, error) {
	errs := r.plainErrors()
	c := &compiledRules{otherSrc: r.OtherRelations, clause5: slices.Clone(r.Clause5)}
	opts := rules.Options{Constants: admission.TitleConstants()}
	if strings.TrimSpace(r.OtherRelations) != "" {
		p, err := rules.CompileBool[RelationEnv]("other-relations", r.OtherRelations, opts)
		if err != nil {
			errs = append(errs, err)
		}
		c.other = p
	}
	for i, rl := range r.Clause5 {
		if strings.TrimSpace(rl.Message) == "" {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("Clause5[%d]", i),
				Msg: fmt.Sprintf("rule %q has no Chinese message", rl.Name)})
		}
	}
	set, err := rules.CompileSet[Env](r.Clause5, opts)
	if err != nil {
		errs = append(errs, err)
	} else {
		c.progs = set.Programs
		c.member = make([]bool, len(set.Programs))
		for i, p := range set.Programs {
			c.member[i] = p.Uses("member")
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRules, errors.Join(errs...))
	}
	return c, nil
}

// plainErrors validates the fields that are not expressions.
func (r *Rules) plainErrors() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if r.FormerUnitMonths < 0 {
		bad("FormerUnitMonths", "must not be negative, got %d", r.FormerUnitMonths)
	}
	if r.OtherUnitClause != 0 && r.OtherUnitClause != 3 && r.OtherUnitClause != 5 {
		bad("OtherUnitClause", "must be 0, 3 or 5, got %d", r.OtherUnitClause)
	}
	if r.MaxAvoidances < 1 {
		bad("MaxAvoidances", "must be at least 1, got %d", r.MaxAvoidances)
	}
	seen := map[string]bool{}
	for i, rr := range r.Relations {
		f := fmt.Sprintf("Relations[%d]", i)
		if len(rr.Kinds) == 0 {
			bad(f, "no kinds")
		}
		if strings.TrimSpace(rr.Label) == "" {
			bad(f, "no Chinese label")
		}
		if rr.Months < 0 {
			bad(f, "Months must not be negative, got %d", rr.Months)
		}
		for _, k := range rr.Kinds {
			k = relationKind(k)
			if k == "" {
				bad(f, "empty kind")
				continue
			}
			if seen[k] {
				bad(f, "kind %q listed twice", k)
			}
			seen[k] = true
		}
	}
	if _, err := resolveAliases(r.UnitAliases); err != nil {
		bad("UnitAliases", "%v", err)
	}
	if _, err := resolveAliases(r.DepartmentAliases); err != nil {
		bad("DepartmentAliases", "%v", err)
	}
	return errs
}

// current returns the compiled expressions, compiling again when the expression fields
// changed since Compile (without storing the result: r stays read-only). The plain fields
// are validated every time, since they may have changed too.
func (r *Rules) current() (*compiledRules, error) {
	c := r.compiled
	if c == nil || c.otherSrc != r.OtherRelations || !slices.Equal(c.clause5, r.Clause5) {
		return r.compile()
	}
	if errs := r.plainErrors(); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRules, errors.Join(errs...))
	}
	return c, nil
}

// relationKind is the comparison form of a relation kind.
func relationKind(k string) string { return strings.ToLower(strings.TrimSpace(k)) }

// resolveAliases normalises an alias table and follows chains; a cycle is an error.
func resolveAliases(m map[string]string) (map[string]string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	n := make(map[string]string, len(m))
	for k, v := range m {
		nk, nv := NormalizeName(k), NormalizeName(v)
		if nk == "" || nv == "" {
			return nil, fmt.Errorf("alias %q → %q is empty after normalisation", k, v)
		}
		if old, ok := n[nk]; ok && old != nv {
			return nil, fmt.Errorf("alias %q maps to both %q and %q", k, old, nv)
		}
		if nk != nv {
			n[nk] = nv
		}
	}
	out := make(map[string]string, len(n))
	for k := range n {
		v, hops := k, 0
		for {
			next, ok := n[v]
			if !ok {
				break
			}
			v = next
			hops++
			if hops > len(n) {
				return nil, fmt.Errorf("aliases form a cycle through %q", k)
			}
		}
		out[k] = v
	}
	return out, nil
}
