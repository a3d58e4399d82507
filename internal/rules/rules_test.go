package rules_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/internal/rules"
)

type unit struct {
	Org  string
	Kind string
}

type person struct {
	Categories    []string
	Title         int
	RetirementAge int
	Affiliation   unit
	Born          time.Time
}

type env struct {
	Expert        person            `expr:"expert"`
	Age           int               `expr:"age"`
	HasCredential func(string) bool `expr:"hasCredential"`
}

var consts = rules.Options{Constants: map[string]any{"AssociateSenior": 3, "Senior": 4}}

func newEnv() *env {
	creds := []string{"national-project-lead"}
	return &env{
		Expert: person{Categories: []string{"technical", "economic"}, Title: 3, RetirementAge: 0,
			Affiliation: unit{Org: "温州大学", Kind: "university"}},
		Age:           66,
		HasCredential: func(k string) bool { return slices.Contains(creds, k) },
	}
}

func TestNaturalForms(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{`"economic" in expert.Categories`, true},
		{`"strategy" in expert.Categories`, false},
		{`"strategy" not in expert.Categories`, true},
		{`expert.Title >= AssociateSenior`, true},
		{`expert.Title >= Senior`, false},
		{`age <= max(65, expert.RetirementAge)`, false},
		{`hasCredential("national-project-lead")`, true},
		{`hasCredential("x")`, false},
		{`expert.Affiliation.Kind == "university" && expert.Affiliation.Org startsWith "温州"`, true},
		{`any(expert.Categories, # == "technical")`, true},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			p, err := rules.CompileBool[env]("t", c.src, consts)
			require.NoError(t, err)
			got, err := p.Eval(newEnv())
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		src, msg  string
		line, col int
	}{
		{`expert.Titel >= 3`, "Titel", 1, 8},
		{"age > 1 &&\n  expert.Nope", "Nope", 2, 10},
		{`age + 1`, "bool", 0, 0},
		{`1 in expert.Categories`, "", 1, 3},
		{``, "empty", 0, 0},
		{strings.Repeat("age > 1 && ", 300) + "true", "", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.src[:min(20, len(c.src))], func(t *testing.T) {
			_, err := rules.CompileBool[env]("my-rule", c.src, consts)
			var ce *rules.CompileError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "my-rule", ce.Rule)
			assert.Contains(t, err.Error(), `rule "my-rule"`)
			assert.Contains(t, ce.Msg, c.msg)
			if c.line > 0 {
				assert.Equal(t, c.line, ce.Line)
				assert.Equal(t, c.col, ce.Column)
				assert.Contains(t, ce.Snippet, "^")
			}
		})
	}
}

func TestMemoryBudget(t *testing.T) {
	p, err := rules.CompileBool[env]("big", `len(map(1..(age * 1000), # * 2)) > 0`, rules.Options{MemoryBudget: 1000})
	require.NoError(t, err)
	_, err = p.Eval(newEnv())
	require.ErrorIs(t, err, rules.ErrEval)
}

func TestRuntimeErrorIsNotPanic(t *testing.T) {
	p, err := rules.CompileBool[env]("idx", `expert.Categories[5] == "x"`, rules.Options{})
	require.NoError(t, err)
	_, err = p.Eval(newEnv())
	require.ErrorIs(t, err, rules.ErrEval)
}

func TestCompileSetReportsAll(t *testing.T) {
	_, err := rules.CompileSet[env]([]rules.Rule{
		{Name: "a", Expr: "age >"},
		{Name: "b", Expr: "age > 1"},
		{Name: "c", Expr: "nope"},
		{Name: "b", Expr: "true"},
	}, rules.Options{})
	require.Error(t, err)
	var n int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *rules.CompileError
		if errors.As(e, &ce) {
			n++
		}
	}
	assert.Equal(t, 3, n)
}

func TestSetFailed(t *testing.T) {
	s, err := rules.CompileSet[env]([]rules.Rule{
		{Name: "age", Expr: "age <= 65"},
		{Name: "cat", Expr: `"technical" in expert.Categories`},
	}, rules.Options{})
	require.NoError(t, err)
	failed, errs := s.Failed(newEnv())
	assert.Empty(t, errs)
	require.Len(t, failed, 1)
	assert.Equal(t, "age", failed[0].Name)
}

// FuzzCompile: whatever the text, compiling never panics and returns a *CompileError or a
// program; evaluating the program never panics and fails only with an *EvalError.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`"economic" in expert.Categories`, `age <= max(65, expert.RetirementAge)`,
		`hasCredential("a")`, `expert.Title >= AssociateSenior`, `1..10 | map(#)`, `let x = 1; x > 0`,
		`reduce(1..40, #acc + #acc, "x") != ""`, `all(1..(age * 1000), all(1..(age*1000), true))`,
		`expert.Born.AddDate(1, 0, 0).Year() > 1`, `now() > expert.Born`, `upper(expert.Affiliation.Org) == "X"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := rules.CompileBool[env]("fuzz", src, consts)
		if err != nil {
			var ce *rules.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CompileError: %v", err)
			}
			return
		}
		if _, err := p.Eval(newEnv()); err != nil {
			var ee *rules.EvalError
			if !errors.As(err, &ee) || !errors.Is(err, rules.ErrEval) {
				t.Fatalf("not an EvalError: %v", err)
			}
		}
	})
}

// TestConstantsDoNotHideTyposInCallArguments: with constants (a patcher) present, an unknown
// field inside a function call's arguments is still a compile error, not a run-time failure.
func TestConstantsDoNotHideTyposInCallArguments(t *testing.T) {
	for _, src := range []string{
		`hasCredential(expert.Affiliation.Orgg)`,
		`!hasCredential(expert.Affiliation.Orgg) && expert.Title >= AssociateSenior`,
		`any(expert.Categories, hasCredential(#.Nope))`,
	} {
		_, err := rules.CompileBool[env]("typo", src, consts)
		var ce *rules.CompileError
		require.ErrorAs(t, err, &ce, src)
		assert.Positive(t, ce.Line, src)
	}
	_, err := rules.CompileBool[env]("ok", `hasCredential(expert.Affiliation.Org) || expert.Title >= Senior`, consts)
	require.NoError(t, err)
}

func TestNamesListsEveryIdentifier(t *testing.T) {
	type env struct {
		A int            `expr:"a"`
		B int            `expr:"b"`
		F func(int) bool `expr:"f"`
	}
	p, err := rules.CompileBool[env]("t", `let x = a + 1; all([x, 2], {# > 0}) && f(len("ab"))`, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"a": true, "b": false, "f": true, "x": true, "c": false} {
		if got := p.Names(id); got != want {
			t.Errorf("Names(%q) = %v, want %v", id, got, want)
		}
	}
}
