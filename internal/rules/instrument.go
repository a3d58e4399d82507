package rules

import (
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// The program that runs is the checked expression with the meter woven into its syntax tree
// (never into its text): the hidden variable __m is the evaluation's meter and the hidden
// functions below charge it. Users cannot name them: identifiers starting with "__" are
// refused when the expression is checked.
const meterVar = "__m"

// meterFunctions are the hidden functions of the instrumented tree, with their overloads (the
// first matching signature keeps the static type of the wrapped value).
func meterFunctions() []expr.Option {
	type m = *evalMeter
	return []expr.Option{
		expr.Function("__tick", func(a ...any) (any, error) {
			a[0].(m).step(int64(a[1].(int)))
			return true, nil
		}, new(func(m, int) bool)),
		expr.Function("__cat", func(a ...any) (any, error) {
			return cat(a[0].(m), a[1].(string), a[2].(string)), nil
		}, new(func(m, string, string) string)),
		expr.Function("__add", func(a ...any) (any, error) {
			mt := a[0].(m)
			if x, ok := a[1].(string); ok {
				if y, ok := a[2].(string); ok {
					return cat(mt, x, y), nil
				}
			}
			return runtime.Add(a[1], a[2]), nil
		}, new(func(m, any, any) any)),
		expr.Function("__str", func(a ...any) (any, error) {
			mt := a[0].(m)
			switch x := a[1].(type) {
			case string:
				mt.alloc(int64(len(x)))
			case []string:
				mt.alloc(int64(16 * len(x)))
			}
			return a[1], nil
		}, new(func(m, string) string), new(func(m, []string) []string), new(func(m, any) any)),
		expr.Function("__coll", func(a ...any) (any, error) {
			a[0].(m).step(int64(size(a[1])))
			return a[1], nil
		}, new(func(m, []string) []string), new(func(m, []int) []int), new(func(m, []float64) []float64),
			new(func(m, []any) []any), new(func(m, string) string), new(func(m, any) any)),
		expr.Function("__eq", func(a ...any) (any, error) {
			a[0].(m).step(int64(size(a[1]) + size(a[2])))
			return runtime.Equal(a[1], a[2]), nil
		}, new(func(m, any, any) bool)),
		expr.Function("__ne", func(a ...any) (any, error) {
			a[0].(m).step(int64(size(a[1]) + size(a[2])))
			return !runtime.Equal(a[1], a[2]), nil
		}, new(func(m, any, any) bool)),
	}
}

// cat concatenates x and y after checking the result is not longer than the limit and
// charging its length.
func cat(m *evalMeter, x, y string) string {
	n := len(x) + len(y)
	if n > m.maxString {
		m.fail("string length")
	}
	m.alloc(int64(n))
	return x + y
}

// size is the number of elements a list, map or string operation scans.
func size(v any) int {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return len(x)/64 + 1
	case []any:
		return len(x) + 1
	case []string:
		return len(x) + 1
	case []int:
		return len(x) + 1
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len() + 1
	}
	return 1
}

// meterPatcher weaves the meter into a checked tree.
type meterPatcher struct{}

func (meterPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		w := countNodes(n.Node)
		n.Node = &ast.SequenceNode{Nodes: []ast.Node{call("__tick", ident(meterVar), &ast.IntegerNode{Value: w}), n.Node}}
	case *ast.BinaryNode:
		switch n.Operator {
		case "+":
			lt, rt := n.Left.Type(), n.Right.Type()
			switch {
			case isString(lt) && isString(rt):
				patch(node, call("__cat", ident(meterVar), n.Left, n.Right))
			case maybeString(lt) && maybeString(rt):
				patch(node, call("__add", ident(meterVar), n.Left, n.Right))
			}
		case "in", "not in":
			if scans(n.Right) {
				n.Right = call("__coll", ident(meterVar), n.Right)
			}
		case "==", "!=":
			if (scans(n.Left) || scans(n.Right)) && !isString(n.Left.Type()) && !isString(n.Right.Type()) {
				if n.Operator == "!=" {
					patch(node, call("__ne", ident(meterVar), n.Left, n.Right))
				} else {
					patch(node, call("__eq", ident(meterVar), n.Left, n.Right))
				}
			}
		}
	case *ast.BuiltinNode:
		switch n.Name {
		case "upper", "lower", "trim", "trimPrefix", "trimSuffix", "split", "string":
			patch(node, call("__str", ident(meterVar), n))
		case "max", "min", "mean", "median", "sum":
			if len(n.Arguments) == 1 && scans(n.Arguments[0]) {
				n.Arguments[0] = call("__coll", ident(meterVar), n.Arguments[0])
			}
		}
	}
}

func patch(node *ast.Node, n ast.Node) {
	loc := (*node).Location()
	n.SetLocation(loc)
	*node = n
}

func ident(name string) *ast.IdentifierNode { return &ast.IdentifierNode{Value: name} }

func call(name string, args ...ast.Node) *ast.CallNode {
	return &ast.CallNode{Callee: ident(name), Arguments: args}
}

// scans reports whether an operand may be a list, map or string whose length depends on the
// data (a literal list or string does not).
func scans(n ast.Node) bool {
	switch n.(type) {
	case *ast.ArrayNode, *ast.StringNode, *ast.ConstantNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode:
		return false
	}
	t := n.Type()
	if t == nil {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

var timeType = reflect.TypeFor[time.Time]()

func isString(t reflect.Type) bool { return t != nil && t.Kind() == reflect.String }

// maybeString reports whether a value of static type t may be a string at run time.
func maybeString(t reflect.Type) bool {
	return t == nil || t.Kind() == reflect.String || t.Kind() == reflect.Interface
}

// countNodes returns the weight of one iteration of a predicate body: its number of syntax
// nodes, counting a node the instrumentation replaced as the node it replaced and the meter's
// own nodes as nothing, so that the weight is the same on the checked and on the
// instrumented tree (at least 1).
func countNodes(n ast.Node) int { return max(weight(n), 1) }

func weight(n ast.Node) int {
	switch x := n.(type) {
	case nil:
		return 0
	case *ast.IdentifierNode:
		if hiddenName(x.Value) {
			return 0
		}
	case *ast.SequenceNode:
		if len(x.Nodes) == 2 && isMeterCall(x.Nodes[0], "__tick") {
			return weight(x.Nodes[1])
		}
	case *ast.CallNode:
		if id, ok := x.Callee.(*ast.IdentifierNode); ok && hiddenName(id.Value) {
			switch id.Value {
			case "__tick":
				return 0
			case "__coll", "__str":
				return weight(x.Arguments[1])
			default: // __cat, __add, __eq, __ne replace a binary node
				return 1 + weight(x.Arguments[1]) + weight(x.Arguments[2])
			}
		}
	}
	w := 1
	for _, c := range children(n) {
		w += weight(c)
	}
	return w
}

func isMeterCall(n ast.Node, name string) bool {
	c, ok := n.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && id.Value == name
}

// hiddenName reports whether an identifier is reserved for the instrumentation.
func hiddenName(s string) bool { return strings.HasPrefix(s, "__") }
