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

// ExampleProgram_EvalMeter: an expression that doubles a string forty times is stopped by its
// meter at the first evaluation, with an error naming the rule and its article; a Meter adds
// a total over many evaluations.
func ExampleProgram_EvalMeter() {
	type env struct {
		Org string `expr:"org"`
	}
	p, err := rules.CompileBool[env]("criteria", `reduce(1..40, #acc + #acc, org) != ""`, rules.Options{Article: "Art. 13"})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := rules.NewMeter(0, 0)
	_, err = p.EvalMeter(&env{Org: "温州大学"}, m)
	fmt.Println(errors.Is(err, rules.ErrEval), errors.Is(err, rules.ErrBudget), m.Exhausted())
	var ee *rules.EvalError
	if errors.As(err, &ee) {
		fmt.Println(ee.Rule, ee.Article)
	}

	_, err = rules.CompileBool[env]("clock", `now().Year() > 2025`, rules.Options{})
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Line, ce.Column, ce.Msg[:30])
	}
	// Output:
	// true true criteria
	// criteria Art. 13
	// 1 1 function now is not allowed in
}
