package synth_test

import (
	"testing"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/synth"
)

// BenchmarkGenerate: the default pool of 2,000 applications.
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if p := synth.Generate(synth.Options{Seed: 1}); len(p.Applications) != synth.DefaultSize {
			b.Fatal(len(p.Applications))
		}
	}
}

// BenchmarkHistory: a year of activities and ratings for the default pool.
func BenchmarkHistory(b *testing.B) {
	p := synth.Generate(synth.Options{Seed: 1})
	for b.Loop() {
		if h := p.History(2025); len(h.Ratings) == 0 {
			b.Fatal("no ratings")
		}
	}
}

// BenchmarkAdmitPool: admission.Admit of the 2,000 applications (the pure part of what the
// quickstart does per applicant; the rest is storage and the audit log).
func BenchmarkAdmitPool(b *testing.B) {
	p := synth.Generate(synth.Options{Seed: 1})
	rules := admission.DefaultRules()
	for b.Loop() {
		for _, app := range p.Applications {
			if _, err := admission.Admit(app, "审核员", p.AsOf, rules); err != nil {
				b.Fatal(err)
			}
		}
	}
}
