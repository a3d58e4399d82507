package rules_test

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/internal/rules"
)

// letChain doubles a string n times through let bindings.
func letChain(n int) string {
	var b strings.Builder
	b.WriteString(`let v0 = expert.Affiliation.Org + "0123456789abcdef"; `)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "let v%d = v%d + v%d; ", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "len(v%d) > 0", n)
	return b.String()
}

func intList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(i)
	}
	return "len([" + strings.Join(parts, ",") + "]) > 0"
}

// Bombs is the list of expressions an adversarial author tries. Each either is refused when it
// is loaded (Load) or stops with ErrBudget at its first evaluation.
var Bombs = []struct {
	Name, Src string
	Load      bool // refused at load time, with a position
}{
	{"string doubling", `reduce(1..40, #acc + #acc, "x") != ""`, false},
	{"string doubling 22", `reduce(1..22, #acc + #acc, "x") != ""`, false},
	{"string tripling from data", `len(reduce(1..30, #acc + #acc + #acc, expert.Affiliation.Org)) > 0`, false},
	{"upper of doubling", `upper(reduce(1..25, #acc + #acc, "x")) != ""`, false},
	{"split of doubling", `len(split(reduce(1..25, #acc + #acc, "xy"), "")) > 0`, false},
	{"let chain", letChain(30), false},
	{"nested map over constant ranges", `len(map(1..1000, map(1..1000, #))) > 0`, true},
	{"nested all over constant ranges", `all(1..9000, all(1..9000, true))`, true},
	{"nested map over computed ranges", `len(map(1..(age * 100), map(1..(age * 100), #))) > 0`, false},
	{"loop in loop over data and range", `all(expert.Categories, all(1..(age * 10000), all(1..(age*10000), true)))`, false},
	{"deep nesting", `all(1..2, all(1..2, all(1..2, all(1..2, true))))`, true},
	{"huge range", `len(1..100000000) > 0`, true},
	{"huge computed range", `len(1..(age * 100000000)) > 0`, false},
	{"membership scan", `all(1..9999, # in map(1..(age * 100), #))`, false},
	{"huge string literal", `"` + strings.Repeat("x", 2000) + `" != ""`, true},
	{"huge list literal", intList(300), true},
	{"repeat", `repeat("x", 1000000000) != ""`, true},
	{"join", `join(map(1..9000, "xxxxxxxx"), "") != ""`, true},
	{"replace", `replace(expert.Affiliation.Org, "", "xxxxxxxxxxxxxxxxxxxxxxxx") != ""`, true},
	{"toJSON", `len(toJSON(expert)) > 0`, true},
	{"sort", `sort(1..9000)[0] == 1`, true},
	{"concat doubling", `len(reduce(1..30, concat(#acc, #acc), [1])) > 0`, true},
	{"string of list", `len(string(map(1..9000, #))) > 0`, true},
	{"dynamic regex", `expert.Affiliation.Org matches expert.Affiliation.Kind`, true},
	{"reserved name", `__m != nil`, true},
}

func TestBombs(t *testing.T) {
	for _, b := range Bombs {
		t.Run(b.Name, func(t *testing.T) {
			p, err := rules.CompileBool[env](b.Name, b.Src, consts)
			if b.Load {
				var ce *rules.CompileError
				require.ErrorAs(t, err, &ce)
				assert.Positive(t, ce.Line)
				assert.Positive(t, ce.Column)
				return
			}
			require.NoError(t, err)
			e := newEnv()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = p.Eval(e)
			runtime.ReadMemStats(&after)
			require.ErrorIs(t, err, rules.ErrEval)
			require.ErrorIs(t, err, rules.ErrBudget)
			var ee *rules.EvalError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, b.Name, ee.Rule)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated")
		})
	}
}

func BenchmarkBombs(b *testing.B) {
	for _, bomb := range Bombs {
		if bomb.Load {
			continue
		}
		p, err := rules.CompileBool[env](bomb.Name, bomb.Src, consts)
		require.NoError(b, err)
		b.Run(strings.ReplaceAll(bomb.Name, " ", "-"), func(b *testing.B) {
			b.ReportAllocs()
			e := newEnv()
			for b.Loop() {
				if _, err := p.Eval(e); !errors.Is(err, rules.ErrBudget) {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMeterTotal: a Meter bounds many evaluations together, and names the rule that
// exhausted it.
func TestMeterTotal(t *testing.T) {
	p, err := rules.CompileBool[env]("loop", `all(1..(age * 100), # > 0)`, rules.Options{Article: "Art. 13"})
	require.NoError(t, err)
	m := rules.NewMeter(100_000, 0)
	var n int
	for ; n < 1000; n++ {
		if _, err = p.EvalMeter(newEnv(), m); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, rules.ErrBudget)
	assert.Less(t, n, 100)
	assert.Equal(t, "loop", m.Exhausted())
	assert.Contains(t, err.Error(), "Art. 13")
	// A program that fits alone also fails once the meter is exhausted.
	q, err := rules.CompileBool[env]("small", `age > 1`, rules.Options{})
	require.NoError(t, err)
	_, err = q.EvalMeter(newEnv(), m)
	require.ErrorIs(t, err, rules.ErrBudget)
}

// TestClosedFunctions: the clock, time zones, host-dependent and text-producing methods are
// refused when the rule is loaded, with the position of the call.
func TestClosedFunctions(t *testing.T) {
	for _, src := range []string{
		`now().Year() > 2000`,
		`now() > expert.Born`,
		`date(expert.Affiliation.Org) > expert.Born`,
		`date("2024-01-01", "2006-01-02", "Asia/Shanghai") > expert.Born`,
		`timezone("Asia/Shanghai") != nil`,
		`expert.Born.Local().Year() > 2000`,
		`expert.Born.Format("2006") != ""`,
		`expert.Born.In(nil).Year() > 0`,
		`len(keys({"a": 1})) > 0`,
		`get(expert, "Title") > 0`,
		`fromJSON("{}") != nil`,
	} {
		_, err := rules.CompileBool[env]("f", src, consts)
		var ce *rules.CompileError
		require.ErrorAs(t, err, &ce, src)
		assert.Positive(t, ce.Line, src)
	}
	for _, src := range []string{
		`date("2024-01-01") < expert.Born || true`,
		`expert.Born.Year() > 1900 || expert.Born.IsZero()`,
		`expert.Born.AddDate(65, 0, 0).Before(date("2030-01-01")) || true`,
		`upper(expert.Affiliation.Kind) == "UNIVERSITY"`,
		`expert.Affiliation.Org + "x" != ""`,
	} {
		p, err := rules.CompileBool[env]("ok", src, consts)
		require.NoError(t, err, src)
		_, err = p.Eval(newEnv())
		require.NoError(t, err, src)
	}
}

// TestHidden: a field hidden from the author is refused on every path to it.
func TestHidden(t *testing.T) {
	o := consts
	o.Hidden = []rules.Hidden{{Type: reflect.TypeFor[person](), Fields: []string{"Born"}, Why: "personal data"}}
	for _, src := range []string{
		`expert.Born.Year() > 1960`,
		`int(expert.Born.YearDay() / 7) % 2 == 1`,
		`let e = expert; e.Born.IsZero()`,
		`any([expert], #.Born.Year() > 1960)`,
		`expert?.Born?.Year() > 1960`,
		`expert["Born"].Year() > 1960`,
	} {
		_, err := rules.CompileBool[env]("h", src, o)
		var ce *rules.CompileError
		require.ErrorAs(t, err, &ce, src)
		assert.Positive(t, ce.Line, src)
	}
	_, err := rules.CompileBool[env]("h", `expert.Title >= Senior && age < 60`, o)
	require.NoError(t, err)
	_ = time.Now
}

// TestHiddenThroughUntypedValues: a hidden field is refused also where the value's static type
// is lost (a list literal, map, first, ??), by name, and computed names are refused there too.
func TestHiddenThroughUntypedValues(t *testing.T) {
	o := consts
	o.Hidden = []rules.Hidden{{Type: reflect.TypeFor[person](), Fields: []string{"Born"}, Why: "personal data"}}
	for _, src := range []string{
		`map([expert], #)[0].Born > date("1960-01-01")`,
		`first([expert]).Born > date("1960-01-01")`,
		`let x = [expert, 1]; x[0].Born > date("1960-01-01")`,
		`reduce([expert], #acc, expert).Born > date("1960-01-01")`,
		`let k = "Bo" + "rn"; let x = [expert, 1]; x[0][k] > date("1960-01-01")`,
		`(nil ?? expert).Born > date("1960-01-01")`,
		`let x = [expert, 1]; x[0]?.Born > date("1960-01-01")`,
	} {
		_, err := rules.CompileBool[env]("h", src, o)
		var ce *rules.CompileError
		require.ErrorAs(t, err, &ce, src)
		assert.True(t, strings.Contains(ce.Msg, "hidden") || strings.Contains(ce.Msg, "computed"), "%s: %s", src, ce.Msg)
	}
	_, err := rules.CompileBool[env]("h", `let x = [expert, 1]; x[0].Title > 1`, o)
	require.NoError(t, err)
}
