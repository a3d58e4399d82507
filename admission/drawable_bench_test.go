package admission_test

import (
	"slices"
	"testing"

	"github.com/wzsti/expertdb/admission"
)

// BenchmarkDrawable screens 64 active profiles (eligible, over age, economic, technical by
// credential) for a draw: "rules" is Drawable with DefaultRules; "baseline" is the
// hand-written Go twin of DefaultRules (baseline.check) behind the same status check.
func BenchmarkDrawable(b *testing.B) {
	experts := benchExperts(64)
	r := admission.DefaultRules()
	base := newBaseline()
	b.Run("rules", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = admission.Drawable(experts[i%len(experts)], asOf, r)
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			e := experts[i%len(experts)]
			var out []admission.Finding
			if e.Status != admission.Active {
				out = append(out, admission.Finding{Article: "Art. 12", Code: "not-active"})
			}
			if d := base.check(e, asOf); !d.Eligible {
				out = append(out, d.Findings...)
			}
			_ = out
		}
	})
}

// BenchmarkCheckInterleaved alternates, in every iteration, Check and Drawable with
// DefaultRules and their hand-written twins over the same 64 profiles (one batch each), and
// reports the median of the per-iteration ratios of process CPU time (cpuNow): a ratio that
// holds on a machine shared with other programs.
func BenchmarkCheckInterleaved(b *testing.B) {
	experts := benchExperts(64)
	r := admission.DefaultRules()
	base := newBaseline()
	cases := []string{"check-baseline", "check", "drawable-baseline", "drawable"}
	runs := []func(){
		func() {
			for _, e := range experts {
				_ = base.check(e, asOf)
			}
		},
		func() {
			for _, e := range experts {
				_ = admission.Check(e, asOf, r)
			}
		},
		func() {
			for _, e := range experts {
				var out []admission.Finding
				if e.Status != admission.Active {
					out = append(out, admission.Finding{Article: "Art. 12", Code: "not-active"})
				}
				if d := base.check(e, asOf); !d.Eligible {
					out = append(out, d.Findings...)
				}
				_ = out
			}
		},
		func() {
			for _, e := range experts {
				_ = admission.Drawable(e, asOf, r)
			}
		},
	}
	cpu := make([][]float64, len(cases))
	for b.Loop() {
		for c, run := range runs {
			c0 := cpuNow()
			run()
			cpu[c] = append(cpu[c], float64(cpuNow()-c0))
		}
	}
	median := func(xs []float64) float64 {
		xs = slices.Clone(xs)
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	for c, name := range cases {
		b.ReportMetric(median(cpu[c])/float64(len(experts)), name+"-cpu-ns/expert")
	}
	for _, p := range [][2]int{{1, 0}, {3, 2}} {
		ratio := make([]float64, len(cpu[0]))
		for i := range ratio {
			ratio[i] = cpu[p[0]][i] / max(cpu[p[1]][i], 1)
		}
		b.ReportMetric(median(ratio), cases[p[0]]+"/baseline-cpu")
	}
}
