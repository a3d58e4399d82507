package admission_test

import (
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
