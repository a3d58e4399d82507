package rules

import (
	"github.com/wzsti/expertdb/rule"

	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// Builtins is the closed set of expr builtin functions a rule may call, at every site. The
// other builtins are refused when the rule is loaded, with their position: clock and
// time-zone readers (now, timezone, date with a time zone or a computed argument), encoders
// and decoders (toJSON, fromJSON, toBase64, fromBase64), and the functions whose output can
// grow faster than their input or that read fields by computed name (repeat, replace, join,
// concat, flatten, get, keys, values, toPairs, fromPairs, groupBy, sortBy, sort, …).
//
// date is allowed with one or two string literals (a fixed date, optionally with its layout),
// read in UTC.
var Builtins = []string{
	// predicates over a list
	"all", "any", "none", "one", "filter", "map", "count", "sum", "reduce",
	"find", "findIndex", "findLast", "findLastIndex",
	// numbers
	"len", "abs", "ceil", "floor", "round", "int", "float", "max", "min", "mean", "median",
	// strings
	"string", "trim", "trimPrefix", "trimSuffix", "upper", "lower", "split",
	"indexOf", "lastIndexOf", "hasPrefix", "hasSuffix",
	// lists
	"first", "last",
	// time
	"duration", "date",
}

// Methods is the closed set of methods a rule may call, by receiver type: the calendar
// readers and comparisons of time.Time and the unit readers of time.Duration. Methods that
// read the host's time zone (Local, Zone, In) or format text are not among them.
var Methods = map[reflect.Type][]string{
	reflect.TypeFor[time.Time](): {"Year", "Month", "Day", "YearDay", "Weekday", "Hour", "Minute", "Second",
		"IsZero", "Before", "After", "Equal", "Compare", "Unix", "AddDate", "Add", "Sub"},
	reflect.TypeFor[time.Duration](): {"Hours", "Minutes", "Seconds", "Milliseconds"},
}

// Static bounds checked when a rule is loaded.
const (
	// MaxLiteral is the longest string literal, in bytes.
	MaxLiteral = 1024
	// MaxListLiteral is the most elements of a list or map literal.
	MaxListLiteral = 256
	// MaxRange is the largest range a..b with constant bounds.
	MaxRange = 10_000
	// MaxNesting is the deepest nesting of predicates (map inside filter inside all …).
	MaxNesting = 3
	// MaxStaticSteps bounds the product of the sizes of nested predicates over constant
	// ranges, e.g. map(1..1000, map(1..1000, #)).
	MaxStaticSteps = 100_000
)

// Hidden is rule.Hidden: fields of a type an author may not read.
type Hidden = rule.Hidden

// checker walks a checked tree and refuses what the sandbox does not allow.
type checker struct {
	src    string
	hidden []Hidden
	err    *file.Error
	depth  int
}

func (c *checker) fail(n ast.Node, format string, args ...any) {
	if c.err != nil {
		return
	}
	c.err = (&file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)}).Bind(file.NewSource(c.src))
}

// check walks n; depth is the predicate nesting, mult the static product of enclosing
// predicate sizes (0 = unknown).
func (c *checker) check(n ast.Node, depth int, mult int64) {
	if n == nil || c.err != nil {
		return
	}
	switch x := n.(type) {
	case *ast.IdentifierNode:
		if hiddenName(x.Value) {
			c.fail(x, "identifier %s is reserved", x.Value)
		}
	case *ast.StringNode:
		if len(x.Value) > MaxLiteral {
			c.fail(x, "string literal longer than %d bytes", MaxLiteral)
		}
	case *ast.ArrayNode:
		if len(x.Nodes) > MaxListLiteral {
			c.fail(x, "list literal with more than %d elements", MaxListLiteral)
		}
	case *ast.MapNode:
		if len(x.Pairs) > MaxListLiteral {
			c.fail(x, "map literal with more than %d entries", MaxListLiteral)
		}
	case *ast.BinaryNode:
		switch x.Operator {
		case "..":
			if lo, ok := intConst(x.Left); ok {
				if hi, ok := intConst(x.Right); ok && int64(hi)-int64(lo)+1 > MaxRange {
					c.fail(x, "range %d..%d has more than %d elements", lo, hi, MaxRange)
				}
			}
		case "matches":
			if _, ok := x.Right.(*ast.StringNode); !ok {
				c.fail(x, "matches needs a string literal as its pattern")
			}
		}
	case *ast.MemberNode:
		c.member(x)
	case *ast.CallNode:
		if m, ok := x.Callee.(*ast.MemberNode); ok {
			c.method(m)
		}
	case *ast.BuiltinNode:
		c.builtin(x)
		if len(x.Arguments) > 1 {
			if _, ok := x.Arguments[1].(*ast.PredicateNode); ok {
				if depth+1 > MaxNesting {
					c.fail(x, "predicates nested more than %d deep", MaxNesting)
					return
				}
				size := int64(0)
				if r, ok := x.Arguments[0].(*ast.BinaryNode); ok && r.Operator == ".." {
					lo, ok1 := intConst(r.Left)
					hi, ok2 := intConst(r.Right)
					if ok1 && ok2 {
						size = max(int64(hi)-int64(lo)+1, 0)
					}
				}
				inner := int64(0)
				if size > 0 {
					inner = size * max(mult, 1)
					if inner > MaxStaticSteps {
						c.fail(x, "nested %s over ranges runs more than %d steps", x.Name, MaxStaticSteps)
						return
					}
				} else if mult > 0 {
					inner = mult
				}
				c.check(x.Arguments[0], depth, mult)
				c.check(x.Arguments[1], depth+1, inner)
				for _, a := range x.Arguments[2:] {
					c.check(a, depth, mult)
				}
				return
			}
		}
	}
	for _, ch := range children(n) {
		c.check(ch, depth, mult)
	}
}

func (c *checker) builtin(x *ast.BuiltinNode) {
	if !slices.Contains(Builtins, x.Name) {
		c.fail(x, "function %s is not allowed in rules (allowed: %s)", x.Name, strings.Join(Builtins, ", "))
		return
	}
	switch x.Name {
	case "date":
		if len(x.Arguments) > 2 {
			c.fail(x, "date takes a fixed date and an optional layout, no time zone")
			return
		}
		for _, a := range x.Arguments {
			if _, ok := a.(*ast.StringNode); !ok {
				c.fail(x, "date needs string literals (a fixed date); the clock and computed dates are not allowed")
				return
			}
		}
	case "string":
		if len(x.Arguments) == 1 && !scalar(x.Arguments[0].Type()) {
			c.fail(x, "string() takes a number, a bool or a string")
		}
	}
}

func (c *checker) member(x *ast.MemberNode) {
	t := deref(x.Node.Type())
	if len(c.hidden) > 0 && (t == nil || t.Kind() == reflect.Interface) {
		// The static type is lost (a list literal, first, ??): refuse a hidden field by name,
		// and any computed name.
		p, ok := x.Property.(*ast.StringNode)
		if !ok {
			c.fail(x, "fields must be named, not computed")
			return
		}
		for _, h := range c.hidden {
			if slices.Contains(h.Fields, p.Value) {
				c.fail(x.Property, "field %s is hidden from this rule (%s)", p.Value, cmpOr(h.Why, "not visible here"))
				return
			}
		}
		return
	}
	if t == nil || t.Kind() != reflect.Struct {
		return
	}
	p, ok := x.Property.(*ast.StringNode)
	if !ok {
		c.fail(x, "fields must be named, not computed")
		return
	}
	for _, h := range c.hidden {
		if h.Type == t && slices.Contains(h.Fields, p.Value) {
			why := h.Why
			if why == "" {
				why = "not visible here"
			}
			c.fail(x.Property, "field %s is hidden from this rule (%s)", p.Value, why)
			return
		}
	}
}

func (c *checker) method(m *ast.MemberNode) {
	p, ok := m.Property.(*ast.StringNode)
	if !ok {
		c.fail(m, "methods must be named")
		return
	}
	t := deref(m.Node.Type())
	if t != nil && t.Kind() == reflect.Struct {
		if f, ok := t.FieldByName(p.Value); ok && f.Type.Kind() == reflect.Func {
			return // a function field, e.g. a site's helper
		}
	}
	if allowed, ok := Methods[t]; ok && slices.Contains(allowed, p.Value) {
		return
	}
	c.fail(m.Property, "method %s is not allowed in rules", p.Value)
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func scalar(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func intConst(n ast.Node) (int, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		return x.Value, true
	case *ast.UnaryNode:
		if v, ok := intConst(x.Node); ok && x.Operator == "-" {
			return -v, true
		}
	case *ast.ConstantNode:
		v, ok := x.Value.(int)
		return v, ok
	}
	return 0, false
}

// children lists the direct children of n.
func children(n ast.Node) []ast.Node {
	switch x := n.(type) {
	case *ast.UnaryNode:
		return []ast.Node{x.Node}
	case *ast.BinaryNode:
		return []ast.Node{x.Left, x.Right}
	case *ast.ChainNode:
		return []ast.Node{x.Node}
	case *ast.MemberNode:
		return []ast.Node{x.Node, x.Property}
	case *ast.SliceNode:
		return []ast.Node{x.Node, x.From, x.To}
	case *ast.CallNode:
		return append([]ast.Node{x.Callee}, x.Arguments...)
	case *ast.BuiltinNode:
		return x.Arguments
	case *ast.PredicateNode:
		return []ast.Node{x.Node}
	case *ast.ConditionalNode:
		return []ast.Node{x.Cond, x.Exp1, x.Exp2}
	case *ast.VariableDeclaratorNode:
		return []ast.Node{x.Value, x.Expr}
	case *ast.SequenceNode:
		return x.Nodes
	case *ast.ArrayNode:
		return x.Nodes
	case *ast.MapNode:
		return x.Pairs
	case *ast.PairNode:
		return []ast.Node{x.Key, x.Value}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
