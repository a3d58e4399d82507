package rules

import "github.com/expr-lang/expr/ast"

// Uses reports whether the compiled expression refers to the identifier name (an
// environment variable such as `member`). Rule sites use it to skip work an expression
// cannot observe: a recusal rule that never mentions `member` is evaluated once per expert
// instead of once per project member. It may over-approximate (a `let` variable of the same
// name counts as a use), never under-approximate.
func (p *Program[E, R]) Uses(name string) bool {
	root := p.prog.Node()
	if root == nil {
		return true
	}
	f := &identFinder{name: name}
	ast.Walk(&root, f)
	return f.found
}

type identFinder struct {
	name  string
	found bool
}

func (f *identFinder) Visit(node *ast.Node) {
	if id, ok := (*node).(*ast.IdentifierNode); ok && id.Value == f.name {
		f.found = true
	}
}
