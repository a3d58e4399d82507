package selection_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// controlsBenchPool is benchPool(n) with availability data: a tenth of the experts declared
// leave over the activity and a tenth leave elsewhere, a tenth are booked the same day and a
// tenth another day, and a third have two past reviews (one of the applicant unit for every
// ninth expert).
func controlsBenchPool(n int, at time.Time) selection.Pool {
	p := benchPool(n)
	p.Bookings = map[string][]selection.Booking{}
	p.History = map[string][]selection.Participation{}
	for i := range p.Experts {
		e := &p.Experts[i]
		switch i % 10 {
		case 1:
			e.Unavailable = []admission.Period{{From: at.AddDate(0, 0, -2), To: at.AddDate(0, 0, 3)}}
		case 2:
			e.Unavailable = []admission.Period{{From: at.AddDate(0, 1, 0), To: at.AddDate(0, 1, 7)}}
		case 3:
			p.Bookings[e.ID] = []selection.Booking{{ActivityID: "R-OTHER", From: at.Add(-time.Hour), To: at.Add(3 * time.Hour)}}
		case 4:
			p.Bookings[e.ID] = []selection.Booking{{ActivityID: "R-OTHER", From: at.AddDate(0, 0, 5), To: at.AddDate(0, 0, 6)}}
		}
		if i%3 == 0 {
			unit := "其他单位"
			if i%9 == 0 {
				unit = "申报企业"
			}
			p.History[e.ID] = []selection.Participation{
				{ActivityID: "R-H1", ApplicantUnit: "往年单位", At: at.AddDate(-1, 0, 0)},
				{ActivityID: "R-H2", ApplicantUnit: unit, At: at.AddDate(0, -2, 0)},
			}
		}
	}
	return p
}

// controlsKept is the controls screening written by hand: it drops experts with a declared
// period or a booking of another activity overlapping the China day of the activity, and
// experts who reviewed the normalised applicant unit within six months.
func controlsKept(req selection.Request, p selection.Pool) []admission.Expert {
	c := req.At.In(time.FixedZone("CST", 8*3600))
	from := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, c.Location())
	to := from.AddDate(0, 0, 1)
	clash := func(f, t time.Time) bool { return f.Before(to) && (t.IsZero() || from.Before(t)) }
	applicant := conflict.NormalizeName(req.Project.Leader.Affiliation.Org)
	lo, hi := req.At.AddDate(0, -6, 0), req.At.AddDate(0, 6, 0)
	var kept []admission.Expert
	for _, x := range p.Experts {
		out := false
		for _, u := range x.Unavailable {
			out = out || clash(u.From, u.To)
		}
		for _, b := range p.Bookings[x.ID] {
			out = out || (b.ActivityID != req.ID && clash(b.From, b.To))
		}
		for _, h := range p.History[x.ID] {
			out = out || (conflict.NormalizeName(h.ApplicantUnit) == applicant && h.At.After(lo) && h.At.Before(hi))
		}
		if !out {
			kept = append(kept, x)
		}
	}
	return kept
}

// baselineControls is controlsKept followed by the hand-written draw pipeline of baseline.
func baselineControls(req selection.Request, p selection.Pool, e selection.Entropy) []string {
	return baseline(req, selection.Pool{Experts: controlsKept(req, p), Usage: p.Usage}, e)
}

// BenchmarkDrawControls compares a draw over 10k experts without controls, with availability
// data and the cooling-off rule, and the hand-written baseline doing the same screening.
func BenchmarkDrawControls(b *testing.B) {
	const n = 10_000
	req := benchRequest()
	e := selection.Entropy{Sources: [][]uint64{{n}}}
	plain := benchPool(n)
	withData := controlsBenchPool(n, req.At)
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	b.Run(fmt.Sprintf("n=%d/library-no-controls", n), func(b *testing.B) {
		for b.Loop() {
			if res, err := selection.Draw(req, plain, e, nil); err != nil || len(res.Panel) != req.Size {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("n=%d/library-controls", n), func(b *testing.B) {
		for b.Loop() {
			if res, err := selection.Draw(req, withData, e, r); err != nil || len(res.Panel) != req.Size {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("n=%d/baseline-controls", n), func(b *testing.B) {
		for b.Loop() {
			if got := baselineControls(req, withData, e); len(got) != req.Size {
				b.Fatal("baseline panel incomplete")
			}
		}
	})
}

// TestBaselineControlsExcludesLikeTheLibrary keeps the benchmark honest: the hand-written
// screening drops exactly the experts the library excludes for availability or cooling-off
// (among those the library does not exclude for another reason first).
func TestBaselineControlsExcludesLikeTheLibrary(t *testing.T) {
	req := benchRequest()
	pl := controlsBenchPool(2_000, req.At)
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	res, err := selection.Draw(req, pl, selection.Entropy{Sources: [][]uint64{{1}}}, r)
	require.NoError(t, err)
	lib, other := map[string]bool{}, map[string]bool{}
	for _, x := range res.Excluded {
		switch x.Code {
		case "unavailable", "booked", "cooling-off":
			lib[x.ExpertID] = true
		default:
			other[x.ExpertID] = true
		}
	}
	kept := map[string]bool{}
	for _, x := range controlsKept(req, pl) {
		kept[x.ID] = true
	}
	base := map[string]bool{}
	for _, x := range pl.Experts {
		if !kept[x.ID] && !other[x.ID] {
			base[x.ID] = true
		}
	}
	require.NotEmpty(t, lib)
	require.Equal(t, lib, base)
}
