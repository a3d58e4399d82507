package rules_test

import (
	"runtime/debug"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/internal/rules"
)

// TestSetNext checks that Set.Next gives, rule for rule, what EvalMeter gives: results,
// errors naming the rule and its article, budget verdicts, after rules that charged the
// meter, stopped on their budget, or bailed out to the VM (a helper that panics), without a
// draw meter and under draw meters of every size, each left exactly as EvalMeter leaves it.
//
// It runs under heavy collection pressure (GOGC=1): an evaluation context the collector
// cannot see made about one run in four fail that way.
func TestSetNext(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	srcs := nextRules()
	for _, r := range srcs[len(srcs)-2:] {
		p, err := rules.CompileBool[env](r.Name, r.Expr, consts)
		require.NoError(t, err)
		require.True(t, p.Fast(), "%s must run as closures", r.Name)
	}
	e := newEnv()
	creds := []string{"national-project-lead"}
	e.HasCredential = func(k string) bool {
		if k == "boom" {
			panic("boom")
		}
		return slices.Contains(creds, k)
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
	// The rules under the default limits, and under limits of their own so small that they,
	// not the draw meter, stop the closures that spend steps.
	tight := consts
	tight.Limits = rules.Limits{Steps: 4, Bytes: 1 << 20, Cells: 1 << 20, MaxString: 1 << 16}
	for k, rs := range append(sets, sets...) {
		o := consts
		if k >= len(sets) {
			o = tight
		}
		s, err := rules.CompileSet[env](rs, o)
		require.NoError(t, err)
		for _, stop := range []bool{false, true} {
			// No meter, then draw meters from one that runs out at once to one that never
			// does: Next must charge each the way EvalMeter does, rule for rule.
			for _, total := range [][2]int64{{0, 0}, {1, 1 << 20}, {3, 1 << 20}, {40, 1 << 20}, {5000, 64}, {200_000, 1 << 20}, {1 << 40, 1 << 40}} {
				var mw, mg *rules.Meter
				if total[0] > 0 {
					mw, mg = rules.NewMeter(total[0], total[1]), rules.NewMeter(total[0], total[1])
				}
				want, got := nextOutcomes(s, e, mw, mg, nil, stop)
				assert.Equal(t, want, got, "stop %v, meter %v, rules %v", stop, total, rs)
				if mw != nil {
					ws, wb := mw.Remaining()
					gs, gb := mg.Remaining()
					assert.Equal(t, []any{ws, wb, mw.Used(), mw.Exhausted()}, []any{gs, gb, mg.Used(), mg.Exhausted()},
						"meter after the run: stop %v, meter %v, rules %v", stop, total, rs)
				}
			}
		}
	}
}

// nextRules are rules of every kind of outcome: true, false, a string bomb, a long loop, a
// helper that panics, a credential, a cell bomb, and closures that spend steps.
func nextRules() []rules.Rule {
	return []rules.Rule{
		{Name: "true", Article: "Art. 1", Expr: `age > 60`},
		{Name: "false", Article: "Art. 2", Expr: `age < 60`},
		{Name: "bomb", Article: "Art. 3", Expr: `reduce(1..40, #acc + #acc, "x") != ""`},
		{Name: "loop", Article: "Art. 4", Expr: `all(1..(age * 100), # > 0)`},
		{Name: "panics", Article: "Art. 5", Expr: `hasCredential("boom")`},
		{Name: "cred", Article: "Art. 6", Expr: `hasCredential("national-project-lead")`},
		{Name: "cells", Article: "Art. 7", Expr: `len(map(1..(age * 10000), #)) > 0`},
		// Closures that spend steps (closures allocate nothing), so that a small draw meter stops them inside
		// the shared run.
		{Name: "none", Article: "Art. 8", Expr: `none(expert.Categories, # == "x") && age * 2 > 100`},
		{Name: "scan", Article: "Art. 9", Expr: `all(expert.Categories, # != "x") && any(expert.Categories, # == "economic")`},
	}
}

// TestEvalWithIsEvalMeter checks that an evaluation in a caller's Scratch (a draw's screener)
// gives what EvalMeter gives, with a pooled one: the result, the error, and the draw meter
// left alike (steps, bytes, what was used, and the rule that exhausted it), rule after rule
// on one meter, for meters of every size.
func TestEvalWithIsEvalMeter(t *testing.T) {
	srcs := nextRules()
	e := newEnv()
	e.HasCredential = func(k string) bool {
		if k == "boom" {
			panic("boom")
		}
		return k == "national-project-lead"
	}
	var progs []*rules.Bool[env]
	for _, r := range srcs {
		p, err := rules.CompileBool[env](r.Name, r.Expr, consts)
		require.NoError(t, err)
		progs = append(progs, p)
		// The same rule under limits of its own so small that they, not the draw meter,
		// stop the closures that spend steps.
		tight := consts
		tight.Limits = rules.Limits{Steps: 4, Bytes: 1 << 20, Cells: 1 << 20, MaxString: 1 << 16}
		p, err = rules.CompileBool[env](r.Name+"-tight", r.Expr, tight)
		require.NoError(t, err)
		progs = append(progs, p)
	}
	var sc rules.Scratch
	for _, total := range [][2]int64{{0, 0}, {1, 1 << 20}, {3, 1 << 20}, {40, 1 << 20}, {5000, 64}, {200_000, 1 << 20}, {1 << 40, 1 << 40}} {
		n := len(progs)
		reversed, shuffled := make([]int, n), make([]int, n)
		for i := range n {
			reversed[i], shuffled[i] = n-1-i, (i*7)%n
		}
		for _, order := range [][]int{slices.Sorted(slices.Values(reversed)), reversed, shuffled} {
			var mw, mg *rules.Meter
			if total[0] > 0 {
				mw, mg = rules.NewMeter(total[0], total[1]), rules.NewMeter(total[0], total[1])
			}
			for _, i := range order {
				p := progs[i]
				wok, werr := p.EvalMeter(e, mw)
				gok, gerr := p.EvalWith(e, mg, &sc)
				require.Equal(t, []any{wok, errorText(werr)}, []any{gok, errorText(gerr)}, "rule %s, meter %v", p.Name(), total)
				if mw != nil {
					ws, wb := mw.Remaining()
					gs, gb := mg.Remaining()
					require.Equal(t, []any{ws, wb, mw.Used(), mw.Exhausted()}, []any{gs, gb, mg.Used(), mg.Exhausted()},
						"meter after rule %s, meter %v", p.Name(), total)
				}
			}
		}
	}
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// nextOutcome is what Set.Next returns for one rule.
type nextOutcome struct {
	i   int
	ok  bool
	err string
}

// nextOutcomes returns, for the rules of s on e, what EvalMeter under mw gives rule by rule
// where the outcome is stop (want), and what Set.NextWith under mg, in sc, stops at (got).
func nextOutcomes(s *rules.Set[env], e *env, mw, mg *rules.Meter, sc *rules.Scratch, stop bool) (want, got []nextOutcome) {
	for i, p := range s.Programs {
		ok, err := p.EvalMeter(e, mw)
		if (err == nil && ok) == stop {
			want = append(want, nextOutcome{i, ok, errorText(err)})
		}
	}
	for i := 0; ; i++ {
		var ok bool
		var err error
		if i, ok, err = s.NextWith(e, mg, sc, i, stop); i >= len(s.Programs) {
			break
		}
		got = append(got, nextOutcome{i, ok, errorText(err)})
	}
	return want, got
}
