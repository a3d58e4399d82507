package rules_test

import (
	"errors"
	"fmt"
	"slices"

	"github.com/wzsti/expertdb/internal/rules"
)

// ExampleCompileBool compiles a clerk's rule once against a typed environment and evaluates
// it; a mistake is reported at load time with its position.
func ExampleCompileBool() {
	type expert struct {
		Categories []string
		Title      int
	}
	type env struct {
		Expert        expert            `expr:"expert"`
		HasCredential func(string) bool `expr:"hasCredential"`
	}
	opts := rules.Options{Constants: map[string]any{"AssociateSenior": 3}}

	p, err := rules.CompileBool[env]("economic-senior", `"economic" in expert.Categories && expert.Title >= AssociateSenior`, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	creds := []string{"fund-management"}
	ok, _ := p.Eval(&env{Expert: expert{Categories: []string{"economic"}, Title: 3},
		HasCredential: func(k string) bool { return slices.Contains(creds, k) }})
	fmt.Println(ok)

	_, err = rules.CompileBool[env]("typo", `hasCredential(expert.Titel)`, opts)
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Rule, ce.Line, ce.Column)
	}
	// Output:
	// true
	// typo 1 22
}
