package rules_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/internal/rules"
)

// TestSetNext checks that Set.Next gives, rule for rule, what EvalMeter gives: results,
// errors naming the rule and its article, budget verdicts, after rules that charged the
// meter, stopped on their budget, or bailed out to the VM (a helper that panics).
func TestSetNext(t *testing.T) {
	srcs := []rules.Rule{
		{Name: "true", Article: "Art. 1", Expr: `age > 60`},
		{Name: "false", Article: "Art. 2", Expr: `age < 60`},
		{Name: "bomb", Article: "Art. 3", Expr: `reduce(1..40, #acc + #acc, "x") != ""`},
		{Name: "loop", Article: "Art. 4", Expr: `all(1..(age * 100), # > 0)`},
		{Name: "panics", Article: "Art. 5", Expr: `hasCredential("boom")`},
		{Name: "cred", Article: "Art. 6", Expr: `hasCredential("national-project-lead")`},
		{Name: "cells", Article: "Art. 7", Expr: `len(map(1..(age * 10000), #)) > 0`},
	}
	e := newEnv()
	creds := []string{"national-project-lead"}
	e.HasCredential = func(k string) bool {
		if k == "boom" {
			panic("boom")
		}
		return slices.Contains(creds, k)
	}
	type outcome struct {
		i   int
		ok  bool
		err string
	}
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	// Every order of pairs and triples, and the whole list.
	var sets [][]rules.Rule
	for _, a := range srcs {
		for _, b := range srcs {
			if a.Name != b.Name {
				sets = append(sets, []rules.Rule{a, b})
				for _, c := range srcs {
					if c.Name != a.Name && c.Name != b.Name {
						sets = append(sets, []rules.Rule{a, b, c})
					}
				}
			}
		}
	}
	sets = append(sets, srcs)
	for _, rs := range sets {
		s, err := rules.CompileSet[env](rs, consts)
		require.NoError(t, err)
		for _, stop := range []bool{false, true} {
			var want, got []outcome
			for i, p := range s.Programs {
				ok, err := p.EvalMeter(e, nil)
				if (err == nil && ok) == stop {
					want = append(want, outcome{i, ok, errText(err)})
				}
			}
			for i := 0; ; i++ {
				var ok bool
				var err error
				if i, ok, err = s.Next(e, nil, i, stop); i >= len(s.Programs) {
					break
				}
				got = append(got, outcome{i, ok, errText(err)})
			}
			assert.Equal(t, want, got, "stop %v, rules %v", stop, rs)
		}
	}
}
