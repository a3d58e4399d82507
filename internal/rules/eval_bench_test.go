package rules_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
)

// BenchmarkEval evaluates the default basic admission rules (Art. 5(1), 11) on one expert:
// as typed closures, on the instrumented VM, and written by hand in Go.
func BenchmarkEval(b *testing.B) {
	r := admission.DefaultRules()
	var progs []*rules.Bool[admission.Env]
	for _, rl := range r.Basic {
		p, err := rules.CompileBool[admission.Env](rl.Name, rl.Expr, rules.Options{Constants: admission.TitleConstants()})
		if err != nil {
			b.Fatal(err)
		}
		progs = append(progs, p)
	}
	e := testExpert()
	env := admission.NewEnv(e, asOf)
	b.Run("closures", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range progs {
				if ok, err := p.Eval(env); err != nil || !ok {
					b.Fatal(p.Name(), err)
				}
			}
		}
	})
	b.Run("vm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range progs {
				if ok, err := p.EvalVM(env); err != nil || !ok {
					b.Fatal(p.Name(), err)
				}
			}
		}
	})
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v := &env.Expert
			ok := env.HasCredential("political-quality") && !v.BirthDate.IsZero() &&
				env.Age <= max(65, v.RetirementAge) && v.SeriousRecords == 0 &&
				!slices.ContainsFunc(v.ExitReasons, func(s string) bool { return s == "misconduct" || s == "legal" || s == "unsuitable" })
			if !ok {
				b.Fatal("go")
			}
		}
	})
	_ = time.Now
}
