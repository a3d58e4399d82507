package rules

import (
	"slices"

	"github.com/expr-lang/expr/ast"
)

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

// Members returns the members the expression reads of the variable name (`expert.Title`
// gives "Title", `expert.Affiliation.Org` gives "Affiliation"), once each, and all true when
// it uses the variable in any other way (whole, bound by let, read through $env): a caller
// must then assume it reads every member. A caller that fills only the members its
// expressions read (admission's pooled view) uses it; it may over-approximate, never
// under-approximate.
func (p *Program[E, R]) Members(name string) (members []string, all bool) {
	root := p.prog.Node()
	if root == nil {
		return nil, true
	}
	f := &memberFinder{name: name, covered: map[*ast.IdentifierNode]bool{}}
	ast.Walk(&root, f)
	for _, id := range f.idents {
		if !f.covered[id] {
			return nil, true
		}
	}
	return f.members, f.all
}

type memberFinder struct {
	name    string
	members []string
	idents  []*ast.IdentifierNode // every use of the variable
	covered map[*ast.IdentifierNode]bool
	all     bool
}

func (f *memberFinder) Visit(node *ast.Node) {
	switch x := (*node).(type) {
	case *ast.IdentifierNode:
		if x.Value == f.name {
			f.idents = append(f.idents, x)
		}
		if x.Value == "$env" {
			f.all = true
		}
	case *ast.MemberNode:
		id, ok := x.Node.(*ast.IdentifierNode)
		if !ok || id.Value != f.name {
			return
		}
		p, ok := x.Property.(*ast.StringNode)
		if !ok {
			return // expert[k]: not covered, so every member counts
		}
		f.covered[id] = true
		if !slices.Contains(f.members, p.Value) {
			f.members = append(f.members, p.Value)
		}
	}
}
