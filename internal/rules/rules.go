package rules

import (
	"github.com/wzsti/expertdb/rule"

	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Default limits for every compiled rule.
const (
	// DefaultMaxNodes bounds the size of an expression's syntax tree.
	DefaultMaxNodes = 400
	// DefaultMemoryBudget bounds the cells (range, list and map elements) one evaluation may
	// allocate in the VM; see Limits.
	DefaultMemoryBudget = 100_000
	// MaxSourceLen bounds the length of an expression's source text in bytes.
	MaxSourceLen = 4096
)

// Rule is rule.Rule: a named boolean expression with its article and Chinese message.
type Rule = rule.Rule

// CompileError is rule.CompileError: an expression that does not compile, with its position.
type CompileError = rule.CompileError

// ErrEval is rule.ErrEval, wrapped by every evaluation failure (run-time error or budget
// exceeded).
var ErrEval = rule.ErrEval

// Options tune compilation. The zero value uses the defaults.
type Options struct {
	MaxNodes     uint           // 0 = DefaultMaxNodes
	MemoryBudget uint           // cells per evaluation; 0 = Limits.Cells or DefaultMemoryBudget
	Constants    map[string]any // identifiers replaced by constant values at compile time
	// Article is the article the rule implements, named in evaluation errors (CompileSet sets
	// it from each Rule).
	Article string
	// Limits bound each evaluation (see Limits); the zero value means the defaults.
	Limits Limits
	// Hidden lists fields the author of the expression may not read (e.g. personal data).
	Hidden []Hidden
	// SafeHelpers declares that the environment's function fields are the site's own helpers
	// and never panic (they are set by the evaluating code, never by an author): a call of one
	// with pure arguments is then evaluated without a recover. A nil helper still makes the
	// VM decide.
	SafeHelpers bool
}

// Program is a compiled expression over environment E. It is safe for concurrent use.
//
// The program that runs is the checked expression with a meter woven into its syntax tree
// (see Limits); it reads the environment through a copy of *E placed in a pooled wrapper, so
// an evaluation keeps no reference to the caller's environment.
type Program[E any, R any] struct {
	name    string
	article string
	source  string
	prog    *vm.Program
	limits  Limits
	wrapper reflect.Type      // struct { E; Meter *evalMeter `expr:"__m"` }
	pool    sync.Pool         // of *slot[E]
	scratch sync.Pool         // of *Scratch, for the evaluations given none
	fastB   boolFn            // the closures of a Bool program, or nil
	pure    bool              // fastB, or fastS, is pure (cnode.pure): no meter or panic
	scan    []uintptr         // fastB is bounded by these scans of the environment (cnode.scan)
	fastV   func(c *cctx) any // the closures of a Value program, or nil
	fastS   strFn             // the closures of a Value program whose root is a string, or nil
	idents  map[string]bool   // the identifiers the expression names (Names)
}

// Fast reports whether the program runs as typed closures (see closure.go) rather than on
// the VM.
func (p *Program[E, R]) Fast() bool { return p.fastB != nil || p.fastV != nil }

// slot is one evaluation's VM, meter and environment copy.
type slot[E any] struct {
	vm  vm.VM
	m   evalMeter
	env *E  // the embedded E of the wrapper value
	w   any // *wrapper, as the VM's environment
}

// Name returns the rule name the program was compiled under.
func (p *Program[E, R]) Name() string { return p.name }

// Source returns the expression text.
func (p *Program[E, R]) Source() string { return p.source }

// Article returns the article the rule implements ("" when not stated).
func (p *Program[E, R]) Article() string { return p.article }

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

// compile checks source against E (with the constants as fields, so that a typo inside a
// call is reported), walks the checked tree to refuse what the sandbox does not allow (check),
// and compiles the instrumented tree against the wrapper of E.
func compile[E any, R any](name, source string, o Options, as expr.Option) (p *Program[E, R], err error) {
	if strings.TrimSpace(source) == "" {
		return nil, &CompileError{Rule: name, Expr: source, Msg: "empty expression"}
	}
	if len(source) > MaxSourceLen {
		return nil, &CompileError{Rule: name, Expr: source, Msg: fmt.Sprintf("expression longer than %d bytes", MaxSourceLen)}
	}
	defer func() {
		// expr's compiler panics on a few malformed trees; a rule is refused, never a panic.
		if r := recover(); r != nil {
			p, err = nil, &CompileError{Rule: name, Expr: source, Msg: fmt.Sprintf("expression cannot be compiled: %v", r)}
		}
	}()
	nodes := o.MaxNodes
	if nodes == 0 {
		nodes = DefaultMaxNodes
	}
	et := reflect.TypeFor[E]()
	var checkEnv any
	if env, ok := withConstants(et, o.Constants); ok {
		checkEnv = env
	} else {
		var zero E
		checkEnv = zero
	}
	checked, err := expr.Compile(source, expr.Env(checkEnv), as, expr.MaxNodes(nodes), expr.Optimize(false))
	if err != nil {
		return nil, compileError(name, source, err)
	}
	ck := &checker{src: source, hidden: o.Hidden}
	ck.check(checked.Node(), 0, 0)
	if ck.err != nil {
		return nil, compileError(name, source, ck.err)
	}
	wt := wrapperOf(et)
	// Without the optimizer the program runs the tree as checked: the closures below are
	// compared with it node for node, meter charges included.
	opts := []expr.Option{expr.Env(reflect.New(wt).Elem().Interface()), as, expr.Optimize(false)}
	if len(o.Constants) > 0 {
		opts = append(opts, expr.Patch(constPatcher(o.Constants)))
	}
	opts = append(opts, expr.Patch(meterPatcher{}))
	opts = append(opts, meterFunctions()...)
	prog, err := expr.Compile(source, opts...)
	if err != nil {
		return nil, compileError(name, source, err)
	}
	lim := o.Limits.orDefault()
	if o.MemoryBudget > 0 {
		lim.Cells = o.MemoryBudget
	}
	var scan []uintptr
	fb, fv, pure, _ := closureOf[R](et, o, checked.Node(), &scan)
	var fs strFn
	if fv != nil {
		fs, pure = strRootOf(et, o, checked.Node())
	}
	return &Program[E, R]{name: name, article: o.Article, source: source, prog: prog, limits: lim, wrapper: wt, fastB: fb, fastV: fv, fastS: fs, pure: pure, scan: scan,
		idents: identifiers(checked.Node())}, nil
}

// identifiers returns every identifier the checked tree names (environment fields, helper
// functions, constants and let variables alike; builtins are not identifiers).
func identifiers(n ast.Node) map[string]bool {
	v := identVisitor{}
	ast.Walk(&n, v)
	return v
}

type identVisitor map[string]bool

func (v identVisitor) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		v[id.Value] = true
	}
}

// Names reports whether the expression names the identifier id anywhere (an environment
// field such as "age", a helper function of the environment, a constant or a let variable). A caller
// that knows which fields an environment's other values come from can tell, by the fields an
// expression does not name, what its result cannot depend on.
func (p *Program[E, R]) Names(id string) bool { return p.idents[id] }

// wrapperOf returns struct { E (embedded); Meter *evalMeter `expr:"__m"` }: the environment
// of the instrumented program. E is its first field, at offset 0.
func wrapperOf(et reflect.Type) reflect.Type {
	return reflect.StructOf([]reflect.StructField{
		{Name: "Env", Type: et, Anonymous: et.Kind() == reflect.Struct},
		{Name: "Meter", Type: reflect.TypeFor[*evalMeter](), Tag: reflect.StructTag(`expr:"` + meterVar + `"`)},
	})
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

func (p *Program[E, R]) get() *slot[E] {
	if s, ok := p.pool.Get().(*slot[E]); ok {
		return s
	}
	s := &slot[E]{}
	w := reflect.New(p.wrapper)
	w.Elem().Field(1).Set(reflect.ValueOf(&s.m))
	s.env = (*E)(w.UnsafePointer())
	s.w = w.Interface()
	return s
}

// Eval runs the program on env under the limits of one evaluation. It never panics; failures
// are *EvalError values wrapping ErrEval (and ErrBudget when the meter stopped it).
func (p *Program[E, R]) Eval(env *E) (R, error) { return p.EvalMeter(env, nil) }

// Scratch is the context the closures of an evaluation run in (the environment, the
// evaluation's meter, the elements of the enclosing predicates). A caller that evaluates
// again and again on one goroutine (a draw's screener, a pooled environment) keeps one and
// passes it to EvalWith, EvalStringWith and NextWith, so that an evaluation allocates
// nothing; the other evaluations take one from a pool. The zero Scratch is ready. A Scratch
// is not safe for concurrent use, and holds the last environment it evaluated until the next
// evaluation.
//
// The context lives on the heap, where the collector sees what it points to: an earlier
// version kept it on the stack behind a pointer hidden from escape analysis (an invalid use
// of unsafe.Pointer), and evaluations under collection pressure then charged their meters
// wrongly or read a helper's panic as false (TestSetNext runs under GOGC=1).
type Scratch struct{ c cctx }

// ctx resets the scratch for one evaluation of env under lim and returns its context. The
// elements of enclosing predicates are left as they are: a predicate sets its element before
// its body reads it.
func (sc *Scratch) ctx(env unsafe.Pointer, lim Limits) *cctx {
	c := &sc.c
	if c.env != env { // the scratch is on the heap: no pointer written when none changes
		c.env = env
	}
	c.bail, c.cells, c.limit = false, 0, lim.Cells
	c.meter.reset(lim)
	return c
}

// scanned is the most steps a bounded program's scans of env can charge (cnode.scan):
// each scanned field's length plus one.
func (p *Program[E, R]) scanned(env unsafe.Pointer) int64 {
	var n int64
	for _, off := range p.scan {
		n += int64((*sliceHeader)(unsafe.Add(env, off)).len) + 1
	}
	return n
}

// roomy reports whether m (nil: no total) holds more than n steps and some bytes, so that n
// pure evaluations (one step each) can neither be refused nor exhaust it.
func roomy(m *Meter, n int) bool {
	if m == nil {
		return true
	}
	steps, bytes := m.Remaining()
	return steps > int64(n) && bytes > 0
}

// bind makes sc the context of a pure evaluation of env (cnode.pure), which reads only the
// environment.
func (sc *Scratch) bind(env unsafe.Pointer) *cctx {
	c := &sc.c
	if c.env != env {
		c.env = env
	}
	c.bail = false
	return c
}

// reset makes m the meter of an evaluation under lim.
func (m *evalMeter) reset(lim Limits) {
	m.steps, m.bytes, m.maxString = lim.Steps, lim.Bytes, lim.MaxString
	if m.over != "" {
		m.over = ""
	}
}

// Clear drops what sc refers to (the last environment and predicate elements), for a caller
// that keeps sc in a pool.
func (sc *Scratch) Clear() { sc.c = cctx{} }

// getScratch returns a Scratch of pool (putScratch gives it back).
func getScratch(pool *sync.Pool) *Scratch {
	if x, ok := pool.Get().(*Scratch); ok {
		return x
	}
	return new(Scratch)
}

// putScratch clears a pooled Scratch (it holds no environment in the pool) and returns it.
func putScratch(pool *sync.Pool, sc *Scratch) {
	sc.Clear()
	pool.Put(sc)
}

// EvalMeter is Eval charging the total m as well (nil m: no total). Once m is exhausted every
// evaluation fails with ErrBudget.
func (p *Program[E, R]) EvalMeter(env *E, m *Meter) (R, error) { return p.EvalWith(env, m, nil) }

// EvalWith is EvalMeter evaluating in sc (nil: a pooled one).
func (p *Program[E, R]) EvalWith(env *E, m *Meter, sc *Scratch) (R, error) {
	var zero R
	lim, ok := p.limitsUnder(m)
	if ok && p.fastB != nil && sc != nil && !crossCheck {
		if p.pure || p.scan != nil && p.scanned(unsafe.Pointer(env)) <= lim.Steps {
			// Nothing can panic or reach the step limit: nothing to recover. A pure program
			// spends nothing (one step charged), a bounded one what its scans took.
			c := sc.ctx(unsafe.Pointer(env), lim)
			if v := p.fastB(c); !c.bail {
				p.chargeStop(m, c.used(lim), false)
				return *(*R)(unsafe.Pointer(&v)), nil
			}
			// A nil helper: the closures bail out below too, and the VM decides.
		}
		if v, err, ok := p.evalBool(env, lim, m, sc); ok {
			return *(*R)(unsafe.Pointer(&v)), err // R is bool when fastB is set
		}
		r, u, err := p.evalVM(env, lim) // the closures bailed out, charging nothing
		p.charge(m, u, err)
		return r, err
	}
	if !ok {
		return zero, &EvalError{Rule: p.name, Article: p.article, Budget: true,
			Err: fmt.Errorf("draw budget exhausted (by rule %q)", m.Exhausted())}
	}
	if p.fastB != nil || p.fastV != nil {
		r, u, err, ok := p.evalFast(env, lim, sc)
		if ok {
			if crossCheck {
				p.crossCheck(env, lim, r, err)
			}
			p.charge(m, u, err)
			return r, err
		}
	}
	r, u, err := p.evalVM(env, lim)
	p.charge(m, u, err)
	return r, err
}

// EvalString is EvalMeter for a program whose value is a string computed by closures: it
// returns the string without boxing it (no allocation). ok is false when the program is not
// such a program, or its closures bailed out; call EvalMeter then. A group key reads this way.
func (p *Program[E, R]) EvalString(env *E, m *Meter) (s string, ok bool, err error) {
	return p.EvalStringWith(env, m, nil)
}

// EvalStringWith is EvalString evaluating in sc (nil: a pooled one).
func (p *Program[E, R]) EvalStringWith(env *E, m *Meter, sc *Scratch) (s string, ok bool, err error) {
	if p.fastS == nil {
		return "", false, nil
	}
	lim, ok := p.limitsUnder(m)
	if !ok {
		return "", false, nil
	}
	if p.pure && sc != nil && !crossCheck { // one step, as below
		c := sc.bind(unsafe.Pointer(env))
		if s = p.fastS(c); !c.bail {
			p.chargeStop(m, usage{}, false)
			return s, true, nil
		}
		s = ""
	}
	pooled := sc == nil
	if pooled {
		sc = getScratch(&p.scratch)
	}
	c := sc.ctx(unsafe.Pointer(env), lim)
	budget := runStr(p.fastS, c, &s)
	bail, u, over := c.bail, c.used(lim), c.meter.over
	if pooled {
		putScratch(&p.scratch, sc)
	}
	if bail && !budget {
		return "", false, nil
	}
	if budget {
		err = &EvalError{Rule: p.name, Article: p.article, Budget: true, Err: errBudget{over}}
		s = ""
	}
	if crossCheck {
		var r R
		if !budget {
			r, _ = any(s).(R)
		}
		p.crossCheck(env, lim, r, err)
	}
	p.charge(m, u, err)
	return s, true, err
}

func runStr(f strFn, c *cctx, s *string) (budget bool) {
	var caught panicked
	*s = callStr(f, c, &caught)
	if caught.other {
		c.bail = true
	}
	return caught.budget
}

// usage is what one evaluation spent.
type usage struct {
	steps, bytes, cells int64
}

// charge adds an evaluation's usage to m. A budget error in a metered run stops the whole
// run.
func (p *Program[E, R]) charge(m *Meter, u usage, err error) {
	ee, ok := err.(*EvalError)
	p.chargeStop(m, u, ok && ee.Budget)
}

// chargeStop adds an evaluation's usage to m; stop says that its own budget stopped it.
func (p *Program[E, R]) chargeStop(m *Meter, u usage, stop bool) {
	if m == nil {
		return
	}
	m.Charge(p.name, u.steps+u.cells+1, u.bytes, stop)
}

// limitsUnder returns the limits of one evaluation charged to m: the program's own, lowered
// to what m has left; ok is false when m is exhausted (the evaluation is refused).
func (p *Program[E, R]) limitsUnder(m *Meter) (lim Limits, ok bool) {
	lim = p.limits
	if m == nil {
		return lim, true
	}
	steps, bytes := m.Remaining()
	if steps <= 0 || bytes <= 0 {
		return lim, false
	}
	lim.Steps = min(lim.Steps, steps)
	lim.Bytes = min(lim.Bytes, bytes)
	lim.Cells = uint(min(int64(lim.Cells), steps))
	return lim, true
}

// evalBool is evalFast and charge for a program whose closures compute a bool, run in sc
// under lim (limitsUnder(m)), in one frame: the same result, error and charge to m. ok is
// false when the closures bailed out; nothing is charged then (the caller runs the VM).
func (p *Program[E, R]) evalBool(env *E, lim Limits, m *Meter, sc *Scratch) (v bool, err error, ok bool) {
	c := sc.ctx(unsafe.Pointer(env), lim)
	var caught panicked
	v = callBool(p.fastB, c, &caught)
	switch {
	case caught.budget:
		p.chargeStop(m, c.used(lim), true)
		return false, &EvalError{Rule: p.name, Article: p.article, Budget: true, Err: errBudget{c.meter.over}}, true
	case caught.other || c.bail:
		return false, nil, false // a helper's panic or an unsupported value: the VM decides
	}
	p.chargeStop(m, c.used(lim), false)
	return v, nil, true
}

// panicked records what a deferred catch recovered: the meter's panic (budget) or another
// (a helper of the environment). A run of closures defers its catch method, whose one
// argument costs less to defer than a closure over the run's variables.
type panicked struct{ budget, other bool }

func (x *panicked) catch() {
	if r := recover(); r != nil {
		_, x.budget = r.(errBudget)
		x.other = !x.budget
	}
}

// callBool returns f(c), or false with the panic recorded in x.
func callBool(f boolFn, c *cctx, x *panicked) bool {
	defer x.catch()
	return f(c)
}

// callStr returns f(c), or "" with the panic recorded in x.
func callStr(f strFn, c *cctx, x *panicked) string {
	defer x.catch()
	return f(c)
}

// callValue returns f(c), or nil with the panic recorded in x.
func callValue(f func(*cctx) any, c *cctx, x *panicked) any {
	defer x.catch()
	return f(c)
}

// evalFast runs the closures in sc (nil: a pooled Scratch); ok is false when they bailed
// out (the VM decides).
func (p *Program[E, R]) evalFast(env *E, lim Limits, sc *Scratch) (r R, u usage, err error, ok bool) {
	pooled := sc == nil
	if pooled {
		sc = getScratch(&p.scratch)
	}
	c := sc.ctx(unsafe.Pointer(env), lim)
	budget := p.runFast(c, &r)
	bail, over := c.bail, c.meter.over
	u = c.used(lim)
	if pooled {
		putScratch(&p.scratch, sc)
	}
	if bail && !budget {
		var zero R
		return zero, usage{}, nil, false
	}
	if budget {
		var zero R
		return zero, u, &EvalError{Rule: p.name, Article: p.article, Budget: true, Err: errBudget{over}}, true
	}
	return r, u, nil, true
}

// runFast calls the closures, turning the meter's panic into budget and any other panic (a
// helper of the environment) into a bail-out.
func (p *Program[E, R]) runFast(c *cctx, r *R) (budget bool) {
	var caught panicked
	if p.fastB != nil {
		v := callBool(p.fastB, c, &caught)
		*r = *(*R)(unsafe.Pointer(&v)) // R is bool when fastB is set
	} else {
		v := callValue(p.fastV, c, &caught)
		*r, _ = v.(R)
	}
	if caught.other {
		c.bail = true
	}
	return caught.budget
}

// evalVM runs the instrumented program on the VM.
func (p *Program[E, R]) evalVM(env *E, lim Limits) (R, usage, error) {
	var zero R
	s := p.get()
	s.m = evalMeter{steps: lim.Steps, bytes: lim.Bytes, maxString: lim.MaxString}
	s.vm.MemoryBudget = lim.Cells
	*s.env = *env
	out, err := s.vm.Run(p.prog, s.w)
	*s.env = zero2[E]()
	u := usage{steps: max(lim.Steps-s.m.steps, 0), bytes: max(lim.Bytes-s.m.bytes, 0), cells: int64(vmMemory(&s.vm))}
	over := s.m.over
	p.pool.Put(s)
	budget := over != ""
	if err != nil && !budget && strings.Contains(err.Error(), "memory budget exceeded") {
		budget = true
	}
	if err != nil {
		return zero, u, &EvalError{Rule: p.name, Article: p.article, Budget: budget, Err: err}
	}
	r, ok := out.(R)
	if !ok && out != nil {
		return zero, u, &EvalError{Rule: p.name, Article: p.article, Err: fmt.Errorf("returned %T", out)}
	}
	return r, u, nil
}

// crossCheck compares a closure result with the VM's (build tag rulescheck) and panics when
// they differ.
func (p *Program[E, R]) crossCheck(env *E, lim Limits, r R, err error) {
	vr, _, verr := p.evalVM(env, lim)
	if mismatch(r, err, vr, verr) {
		panic(fmt.Sprintf("rules: rule %q: closure and VM disagree on %q: closure %v, %v; VM %v, %v", p.name, p.source, r, err, vr, verr))
	}
}

// mismatch reports whether two outcomes differ: both fail (with the same budget verdict) or
// both give equal values.
func mismatch(a any, aerr error, b any, berr error) bool {
	if (aerr != nil) != (berr != nil) {
		return true
	}
	if aerr != nil {
		return errors.Is(aerr, ErrBudget) != errors.Is(berr, ErrBudget)
	}
	return !reflect.DeepEqual(a, b)
}

func zero2[E any]() (z E) { return z }

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
	scratch  sync.Pool // of *Scratch, for the runs given none
	// worst[i] is what the rules from index i could charge a meter in all, at most (each
	// its own limits' steps and cells, plus one, and bytes): CompileSet computes it, and
	// Programs must not be changed afterwards.
	worst []usage
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
		ro := o
		ro.Article = r.Article
		p, err := CompileBool[E](r.Name, r.Expr, ro)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Programs[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.worst = make([]usage, len(s.Programs)+1)
	for i := len(s.Programs) - 1; i >= 0; i-- {
		l := s.Programs[i].limits
		s.worst[i] = usage{steps: s.worst[i+1].steps + l.Steps + int64(l.Cells) + 1, bytes: s.worst[i+1].bytes + l.Bytes}
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

// Next evaluates the rules of s on env in order, from index from, charging m (nil: no
// total), and stops at the first rule whose outcome is stop, a rule's outcome being true when
// it evaluates to true without error. It returns that rule's index, result and error, exactly
// as Programs[i].EvalMeter(env, m) gives them, or len(s.Programs) when no rule stops it.
//
// Consecutive rules that run as closures share one recover and one evaluation context; each
// is limited and charged to m exactly as EvalMeter limits and charges it. A rule stopped by
// its budget is still reported under its own name and article, a rule whose closures bail
// out is answered by the VM, and a rule met with m already exhausted is refused, as EvalMeter
// does.
func (s *Set[E]) Next(env *E, m *Meter, from int, stop bool) (i int, ok bool, err error) {
	return s.NextWith(env, m, nil, from, stop)
}

// NextWith is Next running the closures in sc (nil: a pooled Scratch).
func (s *Set[E]) NextWith(env *E, m *Meter, sc *Scratch, from int, stop bool) (i int, ok bool, err error) {
	if sc == nil {
		sc = getScratch(&s.scratch)
		defer putScratch(&s.scratch, sc)
	}
	ps := s.Programs
	i = from
	if !crossCheck && i < len(ps) && ps[i].pure && roomy(m, len(ps)-i) {
		// A run of pure rules under a meter that holds a step for every rule left, which none
		// can exhaust: their steps, one each, are charged together.
		c := sc.bind(unsafe.Pointer(env))
		var owed int64
		for ; i < len(ps) && ps[i].pure; i++ {
			v := ps[i].fastB(c)
			if c.bail {
				break // a nil helper: the loop below takes this rule again
			}
			owed++
			if v == stop {
				if m != nil {
					m.Charge(ps[from].name, owed, 0, false)
				}
				return i, v, nil
			}
		}
		if m != nil && owed > 0 {
			m.Charge(ps[from].name, owed, 0, false)
		}
	}
	for ; i < len(ps); i++ {
		p := ps[i]
		if !crossCheck && p.fastB != nil {
			j, v, st, over := s.runFast(env, m, sc, i, stop)
			switch st {
			case fastStop:
				return j, v, nil
			case fastBudget:
				err = &EvalError{Rule: ps[j].name, Article: ps[j].article, Budget: true, Err: errBudget{over}}
				if !stop {
					return j, false, err
				}
				i = j
				continue
			case fastBail:
				i, p = j, ps[j]
				if m != nil {
					// EvalMeter runs the closures again (they bail out again, charging
					// nothing) and the VM, charging m exactly as for a rule evaluated alone.
					ok, err = p.EvalWith(env, m, sc)
				} else {
					ok, _, err = p.evalVM(env, p.limits)
				}
				if (err == nil && ok) == stop {
					return i, ok, err
				}
				continue
			default: // fastDone: j is the end or a rule the closures do not run
				if j >= len(ps) {
					return len(ps), false, nil
				}
				i, p = j, ps[j]
			}
		}
		ok, err = p.EvalWith(env, m, sc)
		if (err == nil && ok) == stop {
			return i, ok, err
		}
	}
	return len(ps), false, nil
}

// How runFast stopped.
const (
	fastDone   = iota // at the end, or at a rule without closures
	fastStop          // at a rule whose outcome is the one asked for
	fastBudget        // a rule's meter stopped it
	fastBail          // a rule's closures bailed out: the VM decides that rule
)

// runFast runs the closures of the rules from index from, one after the other, under one
// recover and one context (sc's), until one gives the outcome stop (closures never return
// an error: a failure is a budget stop or a bail-out). i is the rule it stopped at; the
// recover reads it to attribute a budget stop or a bail-out to its rule. Without a meter the
// per-evaluation meter is reset before a rule only when the previous rule charged it; with
// one, each rule runs under min(its limits, what m has left) and its usage is charged to m as
// EvalMeter charges it. A rule met with m exhausted stops the run (fastDone at that rule: the
// caller's EvalMeter refuses it).
func (s *Set[E]) runFast(env *E, m *Meter, sc *Scratch, from int, stop bool) (i int, v bool, st int, over string) {
	ps := s.Programs
	c := sc.ctx(unsafe.Pointer(env), Limits{})
	var lim Limits
	// plenty: m holds more than the rules from here could charge in all, so each runs under
	// its own limits and none can exhaust m; the steps of the rules that allocate nothing
	// are then summed (owed) and charged once, which leaves m exactly as charging them one
	// by one would (Charge adds bytes/16 per call, and they have no bytes).
	var owed int64
	plenty := false
	if m != nil && len(s.worst) == len(ps)+1 {
		steps, bytes := m.Remaining()
		plenty = steps > s.worst[from].steps && bytes > s.worst[from].bytes
	}
	defer func() {
		if owed > 0 {
			m.Charge(ps[from].name, owed, 0, false)
		}
		if x := recover(); x != nil {
			v = false
			if _, ok := x.(errBudget); ok {
				st, over = fastBudget, c.meter.over
				if m != nil {
					ps[i].chargeStop(m, c.used(lim), true)
				}
			} else {
				st = fastBail
			}
		}
	}()
	for i = from; i < len(ps); i++ {
		p := ps[i]
		if p.fastB == nil {
			return i, false, fastDone, ""
		}
		if plenty && p.pure { // one step, nothing to reset or measure
			v = p.fastB(c)
			if c.bail {
				return i, false, fastBail, ""
			}
			owed++
			if v == stop {
				return i, v, fastStop, ""
			}
			continue
		}
		switch {
		case plenty:
			lim = p.limits
			c.limit, c.cells = lim.Cells, 0
			c.meter.reset(lim)
		case m != nil:
			var ok bool
			if lim, ok = p.limitsUnder(m); !ok {
				return i, false, fastDone, ""
			}
			c.limit, c.cells = lim.Cells, 0
			c.meter.reset(lim)
		case i == from || p.limits != lim || c.cells != 0 || c.meter.steps != lim.Steps || c.meter.bytes != lim.Bytes:
			lim = p.limits
			c.limit, c.cells = lim.Cells, 0
			c.meter.reset(lim)
		}
		v = p.fastB(c)
		if c.bail {
			return i, false, fastBail, ""
		}
		switch u := c.used(lim); {
		case plenty && u.bytes == 0:
			owed += u.steps + u.cells + 1
		case m != nil:
			p.chargeStop(m, u, false)
		}
		if v == stop {
			return i, v, fastStop, ""
		}
	}
	return i, false, fastDone, ""
}

// used is what the evaluation in c spent under lim (as evalFast computes it).
func (c *cctx) used(lim Limits) usage {
	return usage{steps: lim.Steps - c.meter.steps, bytes: lim.Bytes - c.meter.bytes, cells: int64(c.cells)}
}
