package rule_test

import (
	"errors"
	"fmt"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
)

// An importer adds a basic condition of admission in Go: the rule is compiled with the
// others when the rules are checked, and a mistake names its line and column.
func Example() {
	r := admission.DefaultRules()
	r.Basic = append(r.Basic, rule.Rule{
		Name:    "declares-a-category",
		Article: "Art. 5(1)",
		Expr:    `len(expert.Categories) > 0`,
		Message: "须至少申报一个专业类别",
	})
	fmt.Println(r.Compile() == nil)

	r.Basic = append(r.Basic, rule.Rule{Name: "typo", Article: "Art. 5(1)", Expr: "expert.Nmae == \"\"", Message: "?"})
	var ce *rule.CompileError
	if errors.As(r.Compile(), &ce) {
		fmt.Println(ce.Rule, ce.Line, ce.Column)
	}
	// Output:
	// true
	// typo 1 8
}
