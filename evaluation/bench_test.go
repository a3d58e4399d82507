package evaluation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wzsti/expertdb/evaluation"
)

// benchRatings returns n ratings of 500 experts spread over 2023–2025.
func benchRatings(n int) []evaluation.Rating {
	out := make([]evaluation.Rating, n)
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = evaluation.Rating{
			ExpertID:   fmt.Sprintf("E%04d", i%500),
			ActivityID: fmt.Sprintf("A%06d", i),
			RaterUnit:  unit,
			Grade:      evaluation.Grade(1 + (i*7)%3),
			At:         start.Add(time.Duration(i%(3*365)) * 24 * time.Hour),
		}
	}
	return out
}

// baselineSummarize is the hand-written loop doing the same work as Summarize: filter by
// the Wenzhou year and count grades per expert.
func baselineSummarize(ratings []evaluation.Rating, year int) map[string]evaluation.Summary {
	counts := make(map[string]*evaluation.Summary)
	for i := range ratings {
		r := &ratings[i]
		if r.At.UTC().Add(8*time.Hour).Year() != year {
			continue
		}
		s := counts[r.ExpertID]
		if s == nil {
			s = &evaluation.Summary{ExpertID: r.ExpertID, Year: year}
			counts[r.ExpertID] = s
		}
		switch r.Grade {
		case evaluation.Excellent:
			s.Excellent++
		case evaluation.Good:
			s.Good++
		case evaluation.Poor:
			s.Poor++
		}
		s.Total++
	}
	out := make(map[string]evaluation.Summary, len(counts))
	for k, v := range counts {
		out[k] = *v
	}
	return out
}

func BenchmarkSummarize(b *testing.B) {
	ratings := benchRatings(30_000)
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(evaluation.Summarize(ratings, 2024)) != 500 {
				b.Fatal("wrong")
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(baselineSummarize(ratings, 2024)) != 500 {
				b.Fatal("wrong")
			}
		}
	})
}

func BenchmarkPreferentialEligible(b *testing.B) {
	sums := make([]evaluation.Summary, 1000)
	for i := range sums {
		sums[i] = evaluation.Summary{Total: 1 + i%20, Excellent: i % 21 % (1 + i%20)}
	}
	rules := evaluation.DefaultRules()
	b.Run("library", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for _, s := range sums {
				if rules.PreferentialEligible(s) {
					n++
				}
			}
		}
		_ = n
	})
	b.Run("baseline", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for _, s := range sums {
				if s.Total > 0 && s.Excellent*10 > s.Total*3 {
					n++
				}
			}
		}
		_ = n
	})
}

func BenchmarkStoreByYear(b *testing.B) {
	ctx := context.Background()
	ratings := benchRatings(30_000)
	s := evaluation.NewMemoryStore()
	if err := s.Add(ctx, ratings...); err != nil {
		b.Fatal(err)
	}
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got, err := s.ByYear(ctx, 2024)
			if err != nil || len(got) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		// A plain slice scanned under no lock, filtering by the Wenzhou year.
		b.ReportAllocs()
		for b.Loop() {
			var got []evaluation.Rating
			for i := range ratings {
				if ratings[i].At.UTC().Add(8*time.Hour).Year() == 2024 {
					got = append(got, ratings[i])
				}
			}
			if len(got) == 0 {
				b.Fatal("empty")
			}
		}
	})
}

func BenchmarkStoreAdd(b *testing.B) {
	ctx := context.Background()
	ratings := benchRatings(10_000)
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := evaluation.NewMemoryStore()
			for i := range ratings {
				if err := s.Add(ctx, ratings[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		// A map for uniqueness and a slice, without locking or indexes.
		type key struct{ a, e string }
		b.ReportAllocs()
		for b.Loop() {
			seen := map[key]bool{}
			var all []evaluation.Rating
			for i := range ratings {
				k := key{ratings[i].ActivityID, ratings[i].ExpertID}
				if seen[k] {
					b.Fatal("dup")
				}
				seen[k] = true
				all = append(all, ratings[i])
			}
		}
	})
}

func BenchmarkValidateRatings(b *testing.B) {
	ratings := benchRatings(1000)
	parts := make([]evaluation.Participation, len(ratings))
	for i, r := range ratings {
		ratings[i].Aspects = evaluation.Aspects{Expertise: r.Grade, Attitude: r.Grade, Quality: r.Grade}
		ratings[i].Comment = "评审意见具体，按时提交"
		parts[i] = evaluation.Participation{ActivityID: r.ActivityID, OrganizerUnit: unit, ExpertID: r.ExpertID, Date: r.At}
	}
	rules := evaluation.DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		if err := rules.ValidateRatings(ratings, parts); err != nil {
			b.Fatal(err)
		}
	}
}
