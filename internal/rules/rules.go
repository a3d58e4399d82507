package rules

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Default limits for every compiled rule.
const (
	// DefaultMaxNodes bounds the size of an expression's syntax tree.
	DefaultMaxNodes = 400
	// DefaultMemoryBudget bounds the memory units one evaluation may allocate in the VM.
	DefaultMemoryBudget = 200_000
	// MaxSourceLen bounds the length of an expression's source text in bytes.
	MaxSourceLen = 4096
)

// Rule is one named rule: a boolean expression implementing an article, with the message
// an operator reads when the rule does not hold.
type Rule struct {
	Name    string `yaml:"name" json:"name"`       // stable machine code, e.g. "age"
	Article string `yaml:"article" json:"article"` // e.g. "Art. 5(1)2"
	Expr    string `yaml:"expr" json:"expr"`       // expression over the site's environment
	Message string `yaml:"message" json:"message"` // Chinese message shown when the rule fails
}

// CompileError reports an expression that does not compile, with its position.
type CompileError struct {
	Rule    string // rule name
	Expr    string // the expression source
	Line    int    // 1-based line within the expression (0 when unknown)
	Column  int    // 1-based column within the line (0 when unknown)
	Snippet string // the offending line with a caret under the column
	Msg     string // what is wrong
}

// Error implements error.
func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rules: rule %q: %s", e.Rule, e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d, column %d)", e.Line, e.Column)
	}
	if e.Snippet != "" {
		b.WriteString(e.Snippet)
	}
	return b.String()
}

// ErrEval is wrapped by every evaluation failure (run-time error or budget exceeded).
var ErrEval = errors.New("rules: evaluation failed")

// Options tune compilation. The zero value uses the defaults.
type Options struct {
	MaxNodes     uint           // 0 = DefaultMaxNodes
	MemoryBudget uint           // 0 = DefaultMemoryBudget
	Constants    map[string]any // identifiers replaced by constant values at compile time
}

// Program is a compiled expression over environment E. It is safe for concurrent use.
type Program[E any, R any] struct {
	name   string
	source string
	prog   *vm.Program
	budget uint
	pool   sync.Pool
}

// Name returns the rule name the program was compiled under.
func (p *Program[E, R]) Name() string { return p.name }

// Source returns the expression text.
func (p *Program[E, R]) Source() string { return p.source }

// Bool is a compiled boolean rule.
type Bool[E any] = Program[E, bool]

// Value is a compiled expression returning any comparable value (used for group keys).
type Value[E any] = Program[E, any]

// CompileBool compiles a boolean expression against environment type E.
func CompileBool[E any](name, source string, o Options) (*Bool[E], error) {
	return compile[E, bool](name, source, o, expr.AsBool())
}

// CompileValue compiles an expression of any type against environment type E.
func CompileValue[E any](name, source string, o Options) (*Value[E], error) {
	return compile[E, any](name, source, o, expr.AsAny())
}

func compile[E any, R any](name, source string, o Options, as expr.Option) (*Program[E, R], error) {
	if strings.TrimSpace(source) == "" {
		return nil, &CompileError{Rule: name, Expr: source, Msg: "empty expression"}
	}
	if len(source) > MaxSourceLen {
		return nil, &CompileError{Rule: name, Expr: source, Msg: fmt.Sprintf("expression longer than %d bytes", MaxSourceLen)}
	}
	nodes := o.MaxNodes
	if nodes == 0 {
		nodes = DefaultMaxNodes
	}
	var zero E
	opts := []expr.Option{expr.Env(zero), as, expr.MaxNodes(nodes)}
	if len(o.Constants) > 0 {
		// expr type-checks the tree before running patchers and does not re-check call
		// arguments afterwards, so a typo inside a call (hasCredential(expert.Orgg)) would slip
		// through. Check first against an environment that declares the constants as fields.
		if env, ok := withConstants(reflect.TypeFor[E](), o.Constants); ok {
			if _, err := expr.Compile(source, expr.Env(env), as, expr.MaxNodes(nodes)); err != nil {
				return nil, compileError(name, source, err)
			}
		}
		opts = append(opts, expr.Patch(constPatcher(o.Constants)))
	}
	prog, err := expr.Compile(source, opts...)
	if err != nil {
		return nil, compileError(name, source, err)
	}
	budget := o.MemoryBudget
	if budget == 0 {
		budget = DefaultMemoryBudget
	}
	return &Program[E, R]{name: name, source: source, prog: prog, budget: budget}, nil
}

func compileError(name, source string, err error) *CompileError {
	ce := &CompileError{Rule: name, Expr: source, Msg: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		ce.Msg = fe.Message
		ce.Line = fe.Line
		ce.Column = fe.Column + 1
		ce.Snippet = fe.Snippet
	}
	return ce
}

// Eval runs the program on env. It never panics; failures wrap ErrEval.
func (p *Program[E, R]) Eval(env *E) (R, error) {
	var zero R
	m, _ := p.pool.Get().(*vm.VM)
	if m == nil {
		m = &vm.VM{}
	}
	m.MemoryBudget = p.budget
	out, err := m.Run(p.prog, env)
	p.pool.Put(m)
	if err != nil {
		return zero, fmt.Errorf("%w: rule %q: %v", ErrEval, p.name, err)
	}
	r, ok := out.(R)
	if !ok && out != nil {
		return zero, fmt.Errorf("%w: rule %q returned %T", ErrEval, p.name, out)
	}
	return r, nil
}

// withConstants returns a zero value of a struct type with the exported fields of t and one
// field per constant (tagged with the constant's name), for type-checking. ok is false when t
// is not a struct or the type cannot be built; the caller then relies on the single compile.
func withConstants(t reflect.Type, consts map[string]any) (env any, ok bool) {
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			env, ok = nil, false
		}
	}()
	var fields []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() {
			fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag, Anonymous: f.Anonymous})
		}
	}
	names := make([]string, 0, len(consts))
	for n := range consts {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("Const%d", i), Type: reflect.TypeOf(consts[n]),
			Tag: reflect.StructTag(`expr:"` + n + `"`)})
	}
	return reflect.New(reflect.StructOf(fields)).Elem().Interface(), true
}

// constPatcher replaces bare identifiers naming a constant with that constant.
type constPatcher map[string]any

func (c constPatcher) Visit(node *ast.Node) {
	id, ok := (*node).(*ast.IdentifierNode)
	if !ok {
		return
	}
	v, ok := c[id.Value]
	if !ok {
		return
	}
	switch x := v.(type) {
	case int:
		ast.Patch(node, &ast.IntegerNode{Value: x})
	case string:
		ast.Patch(node, &ast.StringNode{Value: x})
	case bool:
		ast.Patch(node, &ast.BoolNode{Value: x})
	default:
		rv := reflect.ValueOf(v)
		if rv.CanInt() {
			ast.Patch(node, &ast.IntegerNode{Value: int(rv.Int())})
		} else if rv.Kind() == reflect.String {
			ast.Patch(node, &ast.StringNode{Value: rv.String()})
		}
	}
}

// Set is a list of compiled boolean rules, evaluated in order.
type Set[E any] struct {
	Rules    []Rule
	Programs []*Bool[E]
}

// CompileSet compiles every rule and reports every failure together (errors.Join of
// *CompileError values), so a county sees all its mistakes at once.
func CompileSet[E any](rs []Rule, o Options) (*Set[E], error) {
	s := &Set[E]{Rules: rs, Programs: make([]*Bool[E], len(rs))}
	var errs []error
	seen := make(map[string]bool, len(rs))
	for i, r := range rs {
		if r.Name == "" {
			errs = append(errs, &CompileError{Rule: fmt.Sprintf("#%d", i+1), Expr: r.Expr, Msg: "rule has no name"})
			continue
		}
		if seen[r.Name] {
			errs = append(errs, &CompileError{Rule: r.Name, Expr: r.Expr, Msg: "duplicate rule name"})
			continue
		}
		seen[r.Name] = true
		p, err := CompileBool[E](r.Name, r.Expr, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Programs[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// Failed evaluates every rule on env and returns the rules that do not hold, in order.
// An evaluation error counts as a failure (fail closed) and is returned alongside.
func (s *Set[E]) Failed(env *E) (failed []Rule, errs []error) {
	for i, p := range s.Programs {
		ok, err := p.Eval(env)
		if err != nil {
			errs = append(errs, err)
			failed = append(failed, s.Rules[i])
			continue
		}
		if !ok {
			failed = append(failed, s.Rules[i])
		}
	}
	return failed, errs
}
