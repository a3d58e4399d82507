package rules

import (
	"reflect"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/expr-lang/expr/ast"
)

// Typed closures. A checked expression whose every node is in the supported subset is also
// compiled into Go closures that read the environment through field offsets computed once:
// no reflection, no interface boxing and no allocation per evaluation (they run in a
// heap context, Scratch, that a caller evaluating again and again keeps). The closures charge
// the meter exactly as the instrumented VM program does (the same weights per predicate
// iteration, the same charge for membership in a list), so both give the same values and the
// same budget errors. Anything outside the subset, and any situation the closures do not
// handle at run time (a nil pointer, a helper that panics), runs on the VM, which stays the
// reference: the property and fuzz tests and the rulescheck build tag compare the two.
//
// The subset: bool, int and string literals and constants; environment fields, struct fields
// (through pointers) and # in a predicate; ! && || with short circuit; == != < <= > >= on
// two ints, two strings (== != also on two bools); + - * % on ints; contains, startsWith,
// endsWith; in and not in of a string or int in a list field or a list literal; len of a list;
// max and min of two ints; all, any, none, one and count over a list with a predicate;
// c ? a : b; calls of the environment's helpers of types func(string) bool,
// func(string, int) bool and func(time.Time) int; and the methods IsZero, Year, YearDay and
// Day of time.Time.
//
// Pure and bounded programs. Most rules cannot charge the meter at all: a field compared with
// a constant, logic over such comparisons, the length of a field, a time's methods, and calls
// of the site's own helpers when it declares them safe (Options.SafeHelpers: they never
// panic). Such a program (cnode.pure) costs exactly one step whatever the data, so it runs
// without a recover and is charged that step directly; Set.Next runs a leading run of them in
// place, without even a meter reset, and charges their steps together. A program whose only charges are scans of string fields of the environment
// (cnode.scan: "economic" in expert.Categories) charges at most each field's length plus
// one: when that cannot reach its step limit it runs without a recover too, and is charged
// what it spent. In both cases a bail-out (a nil helper) falls back to the ordinary path,
// which charges nothing for the attempt. TestPropertyEvalWithScratchIsEvalMeter and
// TestPropertySetNextIsEvalMeter compare every path with EvalMeter, value and meter alike.

// cctx is the context of one evaluation by closures (in a Scratch, on the heap: the
// collector must see what it points to).
type cctx struct {
	env   unsafe.Pointer
	elem  [MaxNesting + 1]unsafe.Pointer // the current element of each enclosing predicate, by depth
	bail  bool
	cells uint // cells charged, as the VM counts them (a list literal per evaluation)
	limit uint
	meter evalMeter
}

// cell charges n cells the way the VM's memory budget does.
func (c *cctx) cell(n int) {
	c.cells += uint(n)
	if c.cells >= c.limit {
		c.meter.fail("cell")
	}
}

type (
	addrFn func(c *cctx) unsafe.Pointer // nil result: bail out to the VM
	boolFn func(c *cctx) bool
	intFn  func(c *cctx) int
	strFn  func(c *cctx) string
	timeFn func(c *cctx) time.Time
)

// cnode is a compiled node: its static type and either its address (a value stored in the
// environment) or a typed value closure.
type cnode struct {
	t    reflect.Type
	addr addrFn
	// rooted says that the value is stored at c.env + off, a field of the environment or of
	// a struct field of it (never nil): addr is then one step, and loads read it directly.
	rooted bool
	off    uintptr
	// pure says that computing the value can neither charge the meter nor panic: constants,
	// fields of the environment (rooted), comparisons, logic and plain arithmetic of such
	// values, and calls of helpers a site declares safe (Options.SafeHelpers). An evaluation
	// of a pure program costs the meter one step, whatever the data (Program.EvalWith runs
	// it without a recover); it may still bail out (a nil helper), which the caller checks.
	pure bool
	// scan, when not nil, says that the value is bounded: besides what a pure node does,
	// computing it charges steps only by scanning the []string fields of the environment at
	// these offsets, each at most its length plus one, so whether it can exceed a step limit
	// is known before it runs, from those lengths.
	scan []uintptr
	// konst says that the value is a constant: the string str or the int num.
	konst bool
	str   string
	num   int
	b     boolFn
	i     intFn
	s     strFn
	tm    timeFn
	lit   []string // a list literal of strings
	ilit  []int    // a list literal of ints
}

var (
	strT  = reflect.TypeFor[string]()
	intT  = reflect.TypeFor[int]()
	boolT = reflect.TypeFor[bool]()
)

func (n cnode) boolFn() boolFn {
	if n.b != nil {
		return n.b
	}
	if n.rooted && n.t == boolT {
		off := n.off
		return func(c *cctx) bool { return *(*bool)(unsafe.Add(c.env, off)) }
	}
	if n.addr != nil && n.t == boolT {
		a := n.addr
		return func(c *cctx) bool {
			p := a(c)
			if p == nil {
				c.bail = true
				return false
			}
			return *(*bool)(p)
		}
	}
	return nil
}

func (n cnode) intFn() intFn {
	if n.i != nil {
		return n.i
	}
	if n.rooted && n.t == intT {
		off := n.off
		return func(c *cctx) int { return *(*int)(unsafe.Add(c.env, off)) }
	}
	if n.addr != nil && n.t == intT {
		a := n.addr
		return func(c *cctx) int {
			p := a(c)
			if p == nil {
				c.bail = true
				return 0
			}
			return *(*int)(p)
		}
	}
	return nil
}

func (n cnode) strFn() strFn {
	if n.s != nil {
		return n.s
	}
	if n.rooted && n.t == strT {
		off := n.off
		return func(c *cctx) string { return *(*string)(unsafe.Add(c.env, off)) }
	}
	if n.addr != nil && n.t == strT {
		a := n.addr
		return func(c *cctx) string {
			p := a(c)
			if p == nil {
				c.bail = true
				return ""
			}
			return *(*string)(p)
		}
	}
	return nil
}

func (n cnode) timeFn() timeFn {
	if n.tm != nil {
		return n.tm
	}
	if n.rooted && n.t == timeType {
		off := n.off
		return func(c *cctx) time.Time { return *(*time.Time)(unsafe.Add(c.env, off)) }
	}
	if n.addr != nil && n.t == timeType {
		a := n.addr
		return func(c *cctx) time.Time {
			p := a(c)
			if p == nil {
				c.bail = true
				return time.Time{}
			}
			return *(*time.Time)(p)
		}
	}
	return nil
}

// builder compiles a checked tree (constants substituted) into closures.
type builder struct {
	env         reflect.Type
	consts      map[string]any
	safeHelpers bool           // Options.SafeHelpers
	elems       []reflect.Type // element types of the enclosing predicates
}

// field finds the field expr calls name in struct type t: the one tagged expr:"name", else
// the one of that Go name.
func field(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup("expr"); ok {
			if strings.Split(tag, ",")[0] == name {
				return f, f.IsExported()
			}
			continue
		}
		if f.Name == name && f.IsExported() && !f.Anonymous {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func (b *builder) build(n ast.Node) (cnode, bool) {
	switch x := n.(type) {
	case *ast.BoolNode:
		v := x.Value
		return cnode{t: boolT, b: func(*cctx) bool { return v }, pure: true}, true
	case *ast.IntegerNode:
		v := x.Value
		return cnode{t: intT, i: func(*cctx) int { return v }, konst: true, num: v, pure: true}, true
	case *ast.StringNode:
		v := x.Value
		return cnode{t: strT, s: func(*cctx) string { return v }, konst: true, str: v, pure: true}, true
	case *ast.IdentifierNode:
		if v, ok := b.consts[x.Value]; ok {
			switch v := v.(type) {
			case int:
				return cnode{t: intT, i: func(*cctx) int { return v }, konst: true, num: v, pure: true}, true
			case string:
				return cnode{t: strT, s: func(*cctx) string { return v }, konst: true, str: v, pure: true}, true
			case bool:
				return cnode{t: boolT, b: func(*cctx) bool { return v }, pure: true}, true
			}
			return cnode{}, false
		}
		f, ok := field(b.env, x.Value)
		if !ok {
			return cnode{}, false
		}
		off := f.Offset
		return cnode{t: f.Type, addr: func(c *cctx) unsafe.Pointer { return unsafe.Add(c.env, off) }, rooted: true, off: off, pure: true}, true
	case *ast.PointerNode:
		if x.Name != "" || len(b.elems) == 0 {
			return cnode{}, false
		}
		k := len(b.elems) - 1
		return cnode{t: b.elems[k], addr: func(c *cctx) unsafe.Pointer { return c.elem[k] }}, true
	case *ast.MemberNode:
		return b.member(x)
	case *ast.UnaryNode:
		in, ok := b.build(x.Node)
		if !ok {
			return cnode{}, false
		}
		switch x.Operator {
		case "!", "not":
			f := in.boolFn()
			if f == nil {
				return cnode{}, false
			}
			return cnode{t: boolT, b: func(c *cctx) bool { return !f(c) }, pure: in.pure, scan: in.scan}, true
		case "-":
			f := in.intFn()
			if f == nil {
				return cnode{}, false
			}
			return cnode{t: intT, i: func(c *cctx) int { return -f(c) }, pure: in.pure}, true
		}
	case *ast.BinaryNode:
		return b.binary(x)
	case *ast.ArrayNode:
		var ss []string
		var is []int
		for _, e := range x.Nodes {
			switch v := e.(type) {
			case *ast.StringNode:
				ss = append(ss, v.Value)
			case *ast.IntegerNode:
				is = append(is, v.Value)
			default:
				return cnode{}, false
			}
		}
		if len(ss) > 0 && len(is) > 0 {
			return cnode{}, false
		}
		return cnode{t: reflect.TypeFor[[]any](), lit: ss, ilit: is}, len(x.Nodes) > 0
	case *ast.ConditionalNode:
		cond, ok1 := b.build(x.Cond)
		a, ok2 := b.build(x.Exp1)
		e, ok3 := b.build(x.Exp2)
		cf := cond.boolFn()
		if !ok1 || !ok2 || !ok3 || cf == nil {
			return cnode{}, false
		}
		pure := cond.pure && a.pure && e.pure
		if af, ef := a.boolFn(), e.boolFn(); af != nil && ef != nil {
			return cnode{t: boolT, b: func(c *cctx) bool {
				if cf(c) {
					return af(c)
				}
				return ef(c)
			}, pure: pure}, true
		}
		if af, ef := a.intFn(), e.intFn(); af != nil && ef != nil {
			return cnode{t: intT, i: func(c *cctx) int {
				if cf(c) {
					return af(c)
				}
				return ef(c)
			}, pure: pure}, true
		}
		if af, ef := a.strFn(), e.strFn(); af != nil && ef != nil {
			return cnode{t: strT, s: func(c *cctx) string {
				if cf(c) {
					return af(c)
				}
				return ef(c)
			}, pure: pure}, true
		}
	case *ast.BuiltinNode:
		return b.builtin(x)
	case *ast.CallNode:
		return b.call(x)
	}
	return cnode{}, false
}

func (b *builder) member(x *ast.MemberNode) (cnode, bool) {
	if x.Method {
		return cnode{}, false
	}
	p, ok := x.Property.(*ast.StringNode)
	if !ok {
		return cnode{}, false
	}
	base, ok := b.build(x.Node)
	if !ok || base.addr == nil {
		return cnode{}, false
	}
	t := base.t
	a := base.addr
	if base.rooted && t.Kind() == reflect.Struct {
		// A field of a struct stored in the environment: one offset from the root.
		f, ok := field(t, p.Value)
		if !ok {
			return cnode{}, false
		}
		off := base.off + f.Offset
		return cnode{t: f.Type, addr: func(c *cctx) unsafe.Pointer { return unsafe.Add(c.env, off) }, rooted: true, off: off, pure: true}, true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		inner := a
		a = func(c *cctx) unsafe.Pointer {
			p := inner(c)
			if p == nil {
				return nil
			}
			return *(*unsafe.Pointer)(p)
		}
	}
	if t.Kind() != reflect.Struct {
		return cnode{}, false
	}
	f, ok := field(t, p.Value)
	if !ok {
		return cnode{}, false
	}
	off := f.Offset
	return cnode{t: f.Type, addr: func(c *cctx) unsafe.Pointer {
		p := a(c)
		if p == nil {
			return nil
		}
		return unsafe.Add(p, off)
	}}, true
}

func (b *builder) binary(x *ast.BinaryNode) (cnode, bool) {
	l, ok1 := b.build(x.Left)
	if !ok1 {
		return cnode{}, false
	}
	if x.Operator == "in" || x.Operator == "not in" {
		r, ok := b.build(x.Right)
		if !ok {
			return cnode{}, false
		}
		charge := scans(x.Right)
		f := b.in(l, r, charge)
		if f == nil {
			return cnode{}, false
		}
		// The natural form, "economic" in expert.Categories, charges the length of the field
		// plus one: bounded (and pure without the charge).
		var n cnode
		if l.konst && r.rooted && r.t.Elem() == strT {
			if n.pure = !charge; charge {
				n.scan = []uintptr{r.off}
			}
		}
		if x.Operator == "not in" {
			n.t, n.b = boolT, func(c *cctx) bool { return !f(c) }
			return n, true
		}
		n.t, n.b = boolT, f
		return n, true
	}
	r, ok2 := b.build(x.Right)
	if !ok2 {
		return cnode{}, false
	}
	pure := l.pure && r.pure
	switch x.Operator {
	case "&&", "and":
		lf, rf := l.boolFn(), r.boolFn()
		if lf == nil || rf == nil {
			return cnode{}, false
		}
		return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) && rf(c) }, pure: pure, scan: scansOf(pure, l, r)}, true
	case "||", "or":
		lf, rf := l.boolFn(), r.boolFn()
		if lf == nil || rf == nil {
			return cnode{}, false
		}
		return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) || rf(c) }, pure: pure, scan: scansOf(pure, l, r)}, true
	}
	if f := compareField(x.Operator, l, r); f != nil {
		return cnode{t: boolT, b: f, pure: true}, true
	}
	if lf, rf := l.intFn(), r.intFn(); lf != nil && rf != nil {
		switch x.Operator {
		case "==":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) == rf(c) }, pure: pure}, true
		case "!=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) != rf(c) }, pure: pure}, true
		case "<":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) < rf(c) }, pure: pure}, true
		case "<=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) <= rf(c) }, pure: pure}, true
		case ">":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) > rf(c) }, pure: pure}, true
		case ">=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) >= rf(c) }, pure: pure}, true
		case "+":
			return cnode{t: intT, i: func(c *cctx) int { return lf(c) + rf(c) }, pure: pure}, true
		case "-":
			return cnode{t: intT, i: func(c *cctx) int { return lf(c) - rf(c) }, pure: pure}, true
		case "*":
			return cnode{t: intT, i: func(c *cctx) int { return lf(c) * rf(c) }, pure: pure}, true
		case "%":
			return cnode{t: intT, i: func(c *cctx) int {
				a, d := lf(c), rf(c)
				if d == 0 {
					c.bail = true
					return 0
				}
				return a % d
			}}, true
		}
		return cnode{}, false
	}
	if lf, rf := l.strFn(), r.strFn(); lf != nil && rf != nil {
		switch x.Operator {
		case "==":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) == rf(c) }, pure: pure}, true
		case "!=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) != rf(c) }, pure: pure}, true
		case "<":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) < rf(c) }, pure: pure}, true
		case "<=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) <= rf(c) }, pure: pure}, true
		case ">":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) > rf(c) }, pure: pure}, true
		case ">=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) >= rf(c) }, pure: pure}, true
		case "contains":
			return cnode{t: boolT, b: func(c *cctx) bool { return strings.Contains(lf(c), rf(c)) }, pure: pure}, true
		case "startsWith":
			return cnode{t: boolT, b: func(c *cctx) bool { return strings.HasPrefix(lf(c), rf(c)) }, pure: pure}, true
		case "endsWith":
			return cnode{t: boolT, b: func(c *cctx) bool { return strings.HasSuffix(lf(c), rf(c)) }, pure: pure}, true
		}
		return cnode{}, false
	}
	if lf, rf := l.boolFn(), r.boolFn(); lf != nil && rf != nil {
		switch x.Operator {
		case "==":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) == rf(c) }, pure: pure}, true
		case "!=":
			return cnode{t: boolT, b: func(c *cctx) bool { return lf(c) != rf(c) }, pure: pure}, true
		}
	}
	return cnode{}, false
}

// in compiles membership of l in r, charging len(r)+1 steps when r is not a literal (as
// __coll does).
func (b *builder) in(l, r cnode, charge bool) boolFn {
	if r.lit != nil || r.ilit != nil {
		if lf := l.strFn(); lf != nil && r.lit != nil {
			set := r.lit
			return func(c *cctx) bool {
				v := lf(c)
				c.cell(len(set))
				for _, s := range set {
					if s == v {
						return true
					}
				}
				return false
			}
		}
		if lf := l.intFn(); lf != nil && r.ilit != nil {
			set := r.ilit
			return func(c *cctx) bool {
				v := lf(c)
				c.cell(len(set))
				for _, s := range set {
					if s == v {
						return true
					}
				}
				return false
			}
		}
		return nil
	}
	if r.addr == nil || r.t.Kind() != reflect.Slice {
		return nil
	}
	ra := r.addr
	switch {
	case r.t.Elem() == strT && l.konst && r.rooted:
		// The natural form: "economic" in expert.Categories.
		v, off := l.str, r.off
		return func(c *cctx) bool { return scanStrings(c, *(*[]string)(unsafe.Add(c.env, off)), v, charge) }
	case r.t.Elem() == strT && l.strFn() != nil:
		lf := l.strFn()
		return func(c *cctx) bool {
			v := lf(c)
			p := ra(c)
			if p == nil {
				c.bail = true
				return false
			}
			return scanStrings(c, *(*[]string)(p), v, charge)
		}
	case r.t.Elem() == intT && l.intFn() != nil:
		lf := l.intFn()
		return func(c *cctx) bool {
			v := lf(c)
			p := ra(c)
			if p == nil {
				c.bail = true
				return false
			}
			xs := *(*[]int)(p)
			if charge {
				c.meter.step(int64(len(xs) + 1))
			}
			for _, s := range xs {
				if s == v {
					return true
				}
			}
			return false
		}
	}
	return nil
}

// sliceHeader reads a slice of any element type: data pointer and length.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

func (b *builder) builtin(x *ast.BuiltinNode) (cnode, bool) {
	switch x.Name {
	case "len":
		if len(x.Arguments) != 1 {
			return cnode{}, false
		}
		a, ok := b.build(x.Arguments[0])
		if !ok || a.addr == nil || a.t.Kind() != reflect.Slice {
			return cnode{}, false
		}
		if a.rooted { // a slice in the environment: its length, in place
			off := a.off
			return cnode{t: intT, i: func(c *cctx) int { return (*sliceHeader)(unsafe.Add(c.env, off)).len }, pure: true}, true
		}
		af := a.addr
		return cnode{t: intT, i: func(c *cctx) int {
			p := af(c)
			if p == nil {
				c.bail = true
				return 0
			}
			return (*sliceHeader)(p).len
		}}, true
	case "max", "min":
		if len(x.Arguments) != 2 {
			return cnode{}, false
		}
		a, ok1 := b.build(x.Arguments[0])
		d, ok2 := b.build(x.Arguments[1])
		if !ok1 || !ok2 {
			return cnode{}, false
		}
		af, df := a.intFn(), d.intFn()
		if af == nil || df == nil {
			return cnode{}, false
		}
		pure := a.pure && d.pure
		if x.Name == "max" {
			return cnode{t: intT, i: func(c *cctx) int { return max(af(c), df(c)) }, pure: pure}, true
		}
		return cnode{t: intT, i: func(c *cctx) int { return min(af(c), df(c)) }, pure: pure}, true
	case "all", "any", "none", "one", "count":
		if len(x.Arguments) != 2 {
			return cnode{}, false
		}
		pred, ok := x.Arguments[1].(*ast.PredicateNode)
		if !ok {
			return cnode{}, false
		}
		coll, ok := b.build(x.Arguments[0])
		if !ok || coll.addr == nil || coll.t.Kind() != reflect.Slice {
			return cnode{}, false
		}
		et := coll.t.Elem()
		k := len(b.elems)
		if k >= len(cctx{}.elem) {
			return cnode{}, false
		}
		b.elems = append(b.elems, et)
		body, ok := b.build(pred.Node)
		b.elems = b.elems[:len(b.elems)-1]
		bf := body.boolFn()
		if !ok || bf == nil {
			return cnode{}, false
		}
		w := int64(countNodes(pred.Node))
		ca, size, name := coll.addr, et.Size(), x.Name
		loop := func(c *cctx, each func(bool) bool) {
			p := ca(c)
			if p == nil {
				c.bail = true
				return
			}
			h := *(*sliceHeader)(p)
			for i := 0; i < h.len && !c.bail; i++ {
				c.meter.step(w)
				c.elem[k] = unsafe.Add(h.data, uintptr(i)*size)
				if !each(bf(c)) {
					break
				}
			}
			c.elem[k] = nil
		}
		switch name {
		case "all":
			return cnode{t: boolT, b: func(c *cctx) bool {
				r := true
				loop(c, func(v bool) bool { r = v; return v })
				return r
			}}, true
		case "any":
			return cnode{t: boolT, b: func(c *cctx) bool {
				r := false
				loop(c, func(v bool) bool { r = v; return !v })
				return r
			}}, true
		case "none":
			return cnode{t: boolT, b: func(c *cctx) bool {
				r := true
				loop(c, func(v bool) bool { r = !v; return !v })
				return r
			}}, true
		case "one":
			return cnode{t: boolT, b: func(c *cctx) bool {
				n := 0
				loop(c, func(v bool) bool { // the VM counts every element
					if v {
						n++
					}
					return true
				})
				return n == 1
			}}, true
		default: // count
			return cnode{t: intT, i: func(c *cctx) int {
				n := 0
				loop(c, func(v bool) bool {
					if v {
						n++
					}
					return true
				})
				return n
			}}, true
		}
	}
	return cnode{}, false
}

func (b *builder) call(x *ast.CallNode) (cnode, bool) {
	if m, ok := x.Callee.(*ast.MemberNode); ok {
		p, ok := m.Property.(*ast.StringNode)
		if !ok || len(x.Arguments) != 0 {
			return cnode{}, false
		}
		recv, ok := b.build(m.Node)
		if !ok {
			return cnode{}, false
		}
		tf := recv.timeFn()
		if tf == nil {
			return cnode{}, false
		}
		pure := recv.pure // the methods of a time read it and never fail
		switch p.Value {
		case "IsZero":
			return cnode{t: boolT, b: func(c *cctx) bool { return tf(c).IsZero() }, pure: pure}, true
		case "Year":
			return cnode{t: intT, i: func(c *cctx) int { return tf(c).Year() }, pure: pure}, true
		case "YearDay":
			return cnode{t: intT, i: func(c *cctx) int { return tf(c).YearDay() }, pure: pure}, true
		case "Day":
			return cnode{t: intT, i: func(c *cctx) int { return tf(c).Day() }, pure: pure}, true
		}
		return cnode{}, false
	}
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return cnode{}, false
	}
	f, ok := field(b.env, id.Value)
	if !ok || f.Type.Kind() != reflect.Func {
		return cnode{}, false
	}
	off := f.Offset
	args := make([]cnode, len(x.Arguments))
	pure := b.safeHelpers // a nil helper bails out; a safe one never panics
	for i, a := range x.Arguments {
		if args[i], ok = b.build(a); !ok {
			return cnode{}, false
		}
		pure = pure && args[i].pure
	}
	switch f.Type {
	case reflect.TypeFor[func(string) bool]():
		a0 := args[0].strFn()
		if a0 == nil {
			return cnode{}, false
		}
		return cnode{t: boolT, b: func(c *cctx) bool {
			fn := *(*func(string) bool)(unsafe.Add(c.env, off))
			if fn == nil {
				c.bail = true
				return false
			}
			return fn(a0(c))
		}, pure: pure}, true
	case reflect.TypeFor[func(string, int) bool]():
		a0, a1 := args[0].strFn(), args[1].intFn()
		if a0 == nil || a1 == nil {
			return cnode{}, false
		}
		return cnode{t: boolT, b: func(c *cctx) bool {
			fn := *(*func(string, int) bool)(unsafe.Add(c.env, off))
			if fn == nil {
				c.bail = true
				return false
			}
			return fn(a0(c), a1(c))
		}, pure: pure}, true
	case reflect.TypeFor[func(time.Time) int]():
		a0 := args[0].timeFn()
		if a0 == nil {
			return cnode{}, false
		}
		return cnode{t: intT, i: func(c *cctx) int {
			fn := *(*func(time.Time) int)(unsafe.Add(c.env, off))
			if fn == nil {
				c.bail = true
				return 0
			}
			return fn(a0(c))
		}, pure: pure}, true
	}
	return cnode{}, false
}

// closureOf compiles the root of a checked tree: a bool for Bool programs (fb), a bool, int
// or string boxed for Value programs (fv). ok is false when the tree is outside the subset.
// pure reports a pure fb (cnode.pure); a bounded fb sets *scan to its scans (cnode.scan).
func closureOf[R any](env reflect.Type, o Options, root ast.Node, scan *[]uintptr) (fb boolFn, fv func(c *cctx) any, pure, ok bool) {
	if env.Kind() != reflect.Struct {
		return nil, nil, false, false
	}
	b := &builder{env: env, consts: o.Constants, safeHelpers: o.SafeHelpers}
	n, ok := b.build(root)
	if !ok {
		return nil, nil, false, false
	}
	var zero R
	if _, isBool := any(zero).(bool); isBool {
		f := n.boolFn()
		if f != nil {
			*scan = n.scan
		}
		return f, nil, n.pure && f != nil, f != nil
	}
	if reflect.TypeFor[R]().Kind() != reflect.Interface {
		return nil, nil, false, false
	}
	if f := n.strFn(); f != nil {
		return nil, func(c *cctx) any { return f(c) }, false, true
	}
	if f := n.intFn(); f != nil {
		return nil, func(c *cctx) any { return f(c) }, false, true
	}
	if f := n.boolFn(); f != nil {
		return nil, func(c *cctx) any { return f(c) }, false, true
	}
	return nil, nil, false, false
}

// strRootOf returns the string closure of a Value program whose root is a string, or nil,
// and whether it is pure (cnode.pure).
func strRootOf(env reflect.Type, o Options, root ast.Node) (strFn, bool) {
	if env.Kind() != reflect.Struct {
		return nil, false
	}
	b := &builder{env: env, consts: o.Constants, safeHelpers: o.SafeHelpers}
	n, ok := b.build(root)
	if !ok {
		return nil, false
	}
	f := n.strFn()
	return f, n.pure && f != nil
}

// compareField compiles the comparison of a field of the environment (l rooted) with a
// constant (r), the form most rules take (expert.Title >= AssociateSenior,
// expert.Affiliation.Kind == "enterprise"), into one closure that reads the field in place;
// nil for any other comparison.
func compareField(op string, l, r cnode) boolFn {
	if !l.rooted || !r.konst {
		return nil
	}
	off := l.off
	switch {
	case l.t == intT && r.t == intT:
		k := r.num
		switch op {
		case "==":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) == k }
		case "!=":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) != k }
		case "<":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) < k }
		case "<=":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) <= k }
		case ">":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) > k }
		case ">=":
			return func(c *cctx) bool { return *(*int)(unsafe.Add(c.env, off)) >= k }
		}
	case l.t == strT && r.t == strT:
		k := r.str
		switch op {
		case "==":
			return func(c *cctx) bool { return *(*string)(unsafe.Add(c.env, off)) == k }
		case "!=":
			return func(c *cctx) bool { return *(*string)(unsafe.Add(c.env, off)) != k }
		}
	}
	return nil
}

// scansOf returns the scans of a node made of a and b (cnode.scan): theirs together when
// each is pure or bounded and the node is not pure, else nil.
func scansOf(pure bool, a, b cnode) []uintptr {
	if pure || !(a.pure || a.scan != nil) || !(b.pure || b.scan != nil) {
		return nil
	}
	return append(slices.Clip(a.scan), b.scan...)
}

// scanStrings reports whether v is in xs, charging the scan (its length plus one step) when
// charge is set, as the VM's membership test is charged.
func scanStrings(c *cctx, xs []string, v string, charge bool) bool {
	if charge {
		c.meter.step(int64(len(xs) + 1))
	}
	return slices.Contains(xs, v)
}
