package rules_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/selection"
)

var (
	genStr = rapid.SampledFrom([]string{`"technical"`, `"economic"`, `"温州大学"`, `"university"`, `"温"`, `""`, `"x"`})
	genInt = rapid.SampledFrom([]string{"0", "1", "3", "4", "65", "-2", "AssociateSenior", "Senior", "1970"})
	genCmp = rapid.SampledFrom([]string{"==", "!=", "<", "<=", ">", ">="})
)

// genInt draws an integer expression over env.
func genIntExpr(t *rapid.T, depth int) string {
	switch rapid.IntRange(0, 8).Draw(t, "int") {
	case 0:
		return "age"
	case 1:
		return "expert.Title"
	case 2:
		return "expert.RetirementAge"
	case 3:
		return "len(expert.Categories)"
	case 4:
		return "max(" + genInt.Draw(t, "a") + ", expert.RetirementAge)"
	case 5:
		return "expert.Born.Year()"
	case 6:
		if depth > 0 {
			return "(" + genIntExpr(t, depth-1) + " " + rapid.SampledFrom([]string{"+", "-", "*", "%"}).Draw(t, "op") + " " + genIntExpr(t, depth-1) + ")"
		}
		return genInt.Draw(t, "lit")
	case 7:
		return "count(expert.Categories, # startsWith " + genStr.Draw(t, "s") + ")"
	default:
		return genInt.Draw(t, "lit")
	}
}

// genBool draws a boolean expression over env: mostly the closures' subset, sometimes not.
func genBool(t *rapid.T, depth int) string {
	n := 14
	if depth <= 0 {
		n = 11
	}
	switch rapid.IntRange(0, n).Draw(t, "bool") {
	case 0:
		return genIntExpr(t, 1) + " " + genCmp.Draw(t, "cmp") + " " + genIntExpr(t, 1)
	case 1:
		return genStr.Draw(t, "s") + " in expert.Categories"
	case 2:
		return "expert.Affiliation.Kind " + rapid.SampledFrom([]string{"==", "!=", "<", "startsWith", "contains", "endsWith"}).Draw(t, "op") + " " + genStr.Draw(t, "s")
	case 3:
		return "hasCredential(" + genStr.Draw(t, "s") + ")"
	case 4:
		return rapid.SampledFrom([]string{"any", "all", "none", "one"}).Draw(t, "pred") + "(expert.Categories, # " + rapid.SampledFrom([]string{"==", "!=", "startsWith"}).Draw(t, "op") + " " + genStr.Draw(t, "s") + ")"
	case 5:
		return "expert.Born.IsZero()"
	case 6:
		return genStr.Draw(t, "s") + " in [" + genStr.Draw(t, "a") + ", " + genStr.Draw(t, "b") + "]"
	case 7:
		return genStr.Draw(t, "s") + " not in expert.Categories"
	case 8:
		return rapid.SampledFrom([]string{"true", "false"}).Draw(t, "lit")
	case 9: // outside the subset: the VM answers
		return rapid.SampledFrom([]string{`upper(expert.Affiliation.Org) == "X"`, `expert.Affiliation.Org + "x" != ""`,
			`let v = age; v > 3`, `age / 2 > 1`, `expert.Born.Month() == 3`, `1 in [1, 2]`, `len(expert.Affiliation.Org) > 1`}).Draw(t, "vm")
	case 10:
		return "expert.Affiliation.Org == expert.Affiliation.Kind"
	case 11:
		return "expert.Title " + genCmp.Draw(t, "cmp") + " " + genInt.Draw(t, "n")
	case 12:
		return "!(" + genBool(t, depth-1) + ")"
	case 13:
		return "(" + genBool(t, depth-1) + " " + rapid.SampledFrom([]string{"&&", "||", "and", "or", "==", "!="}).Draw(t, "op") + " " + genBool(t, depth-1) + ")"
	default:
		return "(" + genBool(t, depth-1) + " ? " + genBool(t, depth-1) + " : " + genBool(t, depth-1) + ")"
	}
}

func genEnv(t *rapid.T) *env {
	cats := rapid.SliceOfDistinct(rapid.SampledFrom([]string{"technical", "economic", "strategy", "温州"}), rapid.ID[string]).Draw(t, "cats")
	if len(cats) == 0 && rapid.Bool().Draw(t, "nilcats") {
		cats = nil
	}
	creds := rapid.SliceOf(rapid.SampledFrom([]string{"technical", "economic", "x"})).Draw(t, "creds")
	e := &env{
		Expert: person{Categories: cats, Title: rapid.IntRange(0, 4).Draw(t, "title"), RetirementAge: rapid.IntRange(0, 70).Draw(t, "ret"),
			Affiliation: unit{Org: rapid.SampledFrom([]string{"温州大学", "", "x", "university"}).Draw(t, "org"),
				Kind: rapid.SampledFrom([]string{"university", "enterprise", "", "温"}).Draw(t, "kind")}},
		Age:           rapid.IntRange(-1, 90).Draw(t, "age"),
		HasCredential: func(k string) bool { return slices.Contains(creds, k) },
	}
	if rapid.Bool().Draw(t, "born") {
		e.Expert.Born = time.Date(rapid.IntRange(1940, 2000).Draw(t, "y"), 3, 4, 0, 0, 0, 0, time.UTC)
	}
	if rapid.IntRange(0, 9).Draw(t, "nilfn") == 0 {
		e.HasCredential = nil
	}
	return e
}

// Invariant: the closures and the VM give the same value, or both fail (with the same budget
// verdict), for every expression and environment.
func TestPropertyClosuresAgreeWithVM(t *testing.T) {
	fast := 0
	rapid.Check(t, func(t *rapid.T) {
		src := genBool(t, 3)
		p, err := rules.CompileBool[env]("gen", src, consts)
		if err != nil {
			return
		}
		e := genEnv(t)
		fr, ferr, ok, vr, verr := p.EvalBoth(e)
		if !ok {
			return
		}
		fast++
		if rules.Mismatch(fr, ferr, vr, verr) {
			t.Fatalf("%s: closure %v %v, VM %v %v", src, fr, ferr, vr, verr)
		}
	})
	assert.Positive(t, fast, "some expressions run as closures")
}

// FuzzClosuresAgreeWithVM: any text that compiles to closures agrees with the VM on a few
// environments.
func FuzzClosuresAgreeWithVM(f *testing.F) {
	for _, s := range []string{`"economic" in expert.Categories`, `age <= max(65, expert.RetirementAge)`,
		`hasCredential("technical") || expert.Title >= AssociateSenior`, `none(expert.Categories, # in ["a", "b"])`,
		`one(expert.Categories, # != "x") ? age % 3 == 1 : !expert.Born.IsZero()`, `count(expert.Categories, true) > 1`} {
		f.Add(s)
	}
	envs := []*env{newEnv(), {}, {Age: 3, Expert: person{Categories: []string{"a", "b"}, Title: 2}}}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := rules.CompileBool[env]("fuzz", src, consts)
		if err != nil {
			return
		}
		for _, e := range envs {
			fr, ferr, ok, vr, verr := p.EvalBoth(e)
			if ok && rules.Mismatch(fr, ferr, vr, verr) {
				t.Fatalf("%s: closure %v %v, VM %v %v", src, fr, ferr, vr, verr)
			}
		}
	})
}

// The default admission rules and the usual draw expressions run as closures.
func TestDefaultRulesRunAsClosures(t *testing.T) {
	r := admission.DefaultRules()
	var all []rules.Rule
	all = append(all, r.Basic...)
	for _, c := range r.Professional {
		all = append(all, c.Required...)
		all = append(all, c.AnyOf...)
	}
	for _, rl := range all {
		p, err := rules.CompileBool[admission.Env](rl.Name, rl.Expr, rules.Options{Constants: admission.TitleConstants()})
		require.NoError(t, err)
		assert.True(t, p.Fast(), "%s: %s", rl.Name, rl.Expr)
	}
	for _, src := range []string{`expert.Title >= AssociateSenior && "materials" in expert.Fields`, `"economic" in expert.Categories`,
		`expert.Affiliation.Kind == "enterprise"`, `!reviewedUnitWithin(project.Unit, 6)`, `age <= 60`} {
		p, err := rules.CompileBool[selection.Env]("d", src, rules.Options{Constants: admission.TitleConstants()})
		require.NoError(t, err)
		assert.True(t, p.Fast(), src)
	}
	g, err := rules.CompileValue[selection.Env]("g", `expert.Affiliation.Org`, rules.Options{})
	require.NoError(t, err)
	assert.True(t, g.Fast())
	_ = fmt.Sprint
	_ = strings.ToUpper
}

// Invariant: EvalString gives the string Eval gives, without boxing it.
func TestPropertyEvalStringIsEval(t *testing.T) {
	srcs := []string{`expert.Affiliation.Org`, `expert.Affiliation.Kind`, `age > 3 ? expert.Affiliation.Org : "y"`, `"k"`}
	rapid.Check(t, func(t *rapid.T) {
		src := rapid.SampledFrom(srcs).Draw(t, "src")
		p, err := rules.CompileValue[env]("g", src, consts)
		require.NoError(t, err)
		e := genEnv(t)
		s, ok, err := p.EvalString(e, nil)
		require.True(t, ok)
		require.NoError(t, err)
		v, err := p.Eval(e)
		require.NoError(t, err)
		require.Equal(t, v, s)
	})
	if rules.CrossCheck {
		return // the VM runs too, and allocates
	}
	e := newEnv()
	p, err := rules.CompileValue[env]("g", `expert.Affiliation.Org`, consts)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _, _ = p.EvalString(e, nil) }))
	q, err := rules.CompileBool[env]("b", `"economic" in expert.Categories && age > 3`, consts)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = q.Eval(e) }), "a closure evaluation allocates nothing")
}

// Invariant: an evaluation in a caller's Scratch (where a pure program runs without a
// recover, charging one step) gives what the pooled path gives: the value, the error, and
// the draw meter left alike, for any expression, environment and meter.
func TestPropertyEvalWithScratchIsEvalMeter(t *testing.T) {
	pure, strs := 0, []string{`expert.Affiliation.Org`, `expert.Affiliation.Kind`, `age > 3 ? expert.Affiliation.Org : "y"`, `"k"`,
		`expert.Title >= 2 ? expert.Affiliation.Kind : expert.Affiliation.Org`, `upper(expert.Affiliation.Org)`}
	var sc rules.Scratch
	rapid.Check(t, func(t *rapid.T) {
		e := genEnv(t)
		total := rapid.SampledFrom([]int64{0, 1, 2, 3, 40, 1 << 40}).Draw(t, "meter")
		var mw, mg *rules.Meter
		if total > 0 {
			mw, mg = rules.NewMeter(total, 1<<30), rules.NewMeter(total, 1<<30)
		}
		sameMeter := func(what string) {
			if mw != nil {
				ws, wb := mw.Remaining()
				gs, gb := mg.Remaining()
				require.Equal(t, []any{ws, wb, mw.Used(), mw.Exhausted()}, []any{gs, gb, mg.Used(), mg.Exhausted()}, what)
			}
		}
		// The helpers of genEnv never panic (or are nil): a site may declare them safe.
		o := consts
		o.SafeHelpers = rapid.Bool().Draw(t, "safe helpers")
		for range rapid.IntRange(1, 4).Draw(t, "evaluations") {
			if rapid.Bool().Draw(t, "string") {
				src := rapid.SampledFrom(strs).Draw(t, "src")
				p, err := rules.CompileValue[env]("g", src, o)
				require.NoError(t, err)
				ws, wok, werr := p.EvalString(e, mw)
				gs, gok, gerr := p.EvalStringWith(e, mg, &sc)
				require.Equal(t, []any{ws, wok, errorText(werr)}, []any{gs, gok, errorText(gerr)}, src)
				sameMeter(src)
				continue
			}
			src := genBool(t, 2)
			p, err := rules.CompileBool[env]("gen", src, o)
			if err != nil {
				continue
			}
			if rules.IsPure(p) {
				pure++
			}
			wv, werr := p.EvalMeter(e, mw)
			gv, gerr := p.EvalWith(e, mg, &sc)
			require.Equal(t, []any{wv, errorText(werr)}, []any{gv, errorText(gerr)}, src)
			sameMeter(src)
		}
	})
	assert.Positive(t, pure, "some generated expressions are pure")
}

// Invariant: Set.Next over generated rules, pure or not, under safe helpers or not, gives
// rule for rule what EvalMeter gives, and leaves the draw meter alike.
func TestPropertySetNextIsEvalMeter(t *testing.T) {
	var sc rules.Scratch
	rapid.Check(t, func(t *rapid.T) {
		o := consts
		o.SafeHelpers = rapid.Bool().Draw(t, "safe helpers")
		var rs []rules.Rule
		for k := range rapid.IntRange(1, 4).Draw(t, "rules") {
			rs = append(rs, rules.Rule{Name: fmt.Sprintf("r%d", k), Article: "Art. 1", Expr: genBool(t, 1)})
		}
		s, err := rules.CompileSet[env](rs, o)
		if err != nil {
			return
		}
		e := genEnv(t)
		stop := rapid.Bool().Draw(t, "stop")
		total := rapid.SampledFrom([]int64{0, 1, 2, 3, 40, 1 << 40}).Draw(t, "meter")
		var mw, mg *rules.Meter
		if total > 0 {
			mw, mg = rules.NewMeter(total, 1<<30), rules.NewMeter(total, 1<<30)
		}
		want, got := nextOutcomes(s, e, mw, mg, &sc, stop)
		require.Equal(t, want, got)
		if mw != nil {
			ws, wb := mw.Remaining()
			gs, gb := mg.Remaining()
			require.Equal(t, []any{ws, wb, mw.Used(), mw.Exhausted()}, []any{gs, gb, mg.Used(), mg.Exhausted()})
		}
	})
}
