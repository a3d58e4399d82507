package admission_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
)

// Invariant: DrawableView with the expert's own view gives exactly Drawable's findings, and
// leaves the view as it was.
func TestPropertyDrawableViewIsDrawable(t *testing.T) {
	experts := benchExperts(16)
	r := admission.DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		e := experts[rapid.IntRange(0, len(experts)-1).Draw(t, "i")]
		if rapid.Bool().Draw(t, "inactive") {
			e.Status = admission.Pending
		}
		var v admission.ExpertView
		e.ViewInto(&v)
		want := admission.Drawable(e, asOf, r)
		got := admission.DrawableView(&e, &v, asOf, r, nil)
		require.Equal(t, want, got)
		require.Equal(t, e.View(), v)
	})
}

// Invariant: a Screen gives, expert after expert, exactly what DrawableView gives on its
// date, charging a draw's meter the same, whatever the order of the experts, the date and the
// meter's size, also when given the expert's age (DrawableViewAged), and leaves every view as
// it was.
func TestPropertyScreenIsDrawableView(t *testing.T) {
	experts := benchExperts(24)
	training := admission.DefaultRules()
	training.Drawable = append(training.Drawable, rule.Rule{Name: "training", Article: "Art. 14(3)",
		Expr: `hasRecentTraining("", 730) || age < 50`, Message: "两年内未参加培训"})
	require.NoError(t, training.Compile())
	rapid.Check(t, func(t *rapid.T) {
		r := rapid.SampledFrom([]*admission.Rules{nil, admission.DefaultRules(), training}).Draw(t, "rules")
		at := asOf.AddDate(rapid.IntRange(-30, 30).Draw(t, "years"), 0, rapid.IntRange(-400, 400).Draw(t, "days"))
		steps := rapid.SampledFrom([]int64{0, 5, 60, 1 << 40}).Draw(t, "meter")
		var mw, mg *rule.Meter
		if steps > 0 {
			mw, mg = rule.NewMeter(steps, 1<<30), rule.NewMeter(steps, 1<<30)
		}
		sc := admission.NewScreen(r, at)
		defer sc.Close()
		for k := range rapid.IntRange(1, 12).Draw(t, "n") {
			e := experts[rapid.IntRange(0, len(experts)-1).Draw(t, "i")]
			if rapid.Bool().Draw(t, "inactive") {
				e.Status = admission.Pending
			}
			var v admission.ExpertView
			e.ViewInto(&v)
			want := admission.DrawableView(&e, &v, at, r, mw)
			var got []admission.Finding
			switch rapid.IntRange(0, 2).Draw(t, "entry") {
			case 0:
				got = sc.DrawableView(&e, &v, mg)
			case 1: // the age given, as a draw's screener gives it
				got = sc.DrawableViewAged(&e, &v, admission.Age(e.BirthDate, at), mg)
			default: // a negative age: computed
				got = sc.DrawableViewAged(&e, &v, -1, mg)
			}
			require.Equal(t, want, got, "expert %d", k)
			require.Equal(t, e.View(), v)
			if mw != nil {
				ws, wb := mw.Remaining()
				gs, gb := mg.Remaining()
				require.Equal(t, []any{ws, wb, mw.Exhausted()}, []any{gs, gb, mg.Exhausted()})
			}
		}
	})
}

// Invariant: the pooled environments remember the calendar date they were last set for;
// checks that alternate between dates (including one instant read in two time zones, which
// falls on two calendar days) answer exactly as rules used for one date only.
func TestPropertyPooledDateNeverStale(t *testing.T) {
	experts := benchExperts(24)
	cst := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 3, 1, 1, 30, 0, 0, cst) // 2026-02-28 17:30 UTC
	dates := []time.Time{at, at.UTC(), at.AddDate(0, 0, 1), at.AddDate(-1, 0, 0), asOf}
	// Experts whose decision turns on the calendar day: 65 on one of the dates and 66 the
	// next day, or with the political-quality declaration signed on one of the dates.
	for _, d := range dates {
		y, m, dd := d.Date()
		for _, shift := range []int{-1, 0, 1} {
			e := experts[0]
			e.BirthDate = time.Date(y-65, m, dd+shift, 0, 0, 0, 0, time.UTC)
			experts = append(experts, e)
			e = experts[0]
			e.Credentials = slices.Clone(e.Credentials)
			for k := range e.Credentials {
				e.Credentials[k].Date = time.Date(y, m, dd+shift, 0, 0, 0, 0, time.UTC)
			}
			experts = append(experts, e)
		}
	}
	shared := admission.DefaultRules()
	own := make([]*admission.Rules, len(dates)) // each used with its own date only
	for i := range own {
		own[i] = admission.DefaultRules()
	}
	rapid.Check(t, func(t *rapid.T) {
		for range rapid.IntRange(1, 20).Draw(t, "calls") {
			d := rapid.IntRange(0, len(dates)-1).Draw(t, "date")
			e := experts[rapid.IntRange(0, len(experts)-1).Draw(t, "expert")]
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				require.Equal(t, admission.Check(e, dates[d], own[d]), admission.Check(e, dates[d], shared))
			case 1:
				require.Equal(t, admission.Drawable(e, dates[d], own[d]), admission.Drawable(e, dates[d], shared))
			default:
				v := e.View()
				require.Equal(t, admission.DrawableView(&e, &v, dates[d], own[d], nil), admission.DrawableView(&e, &v, dates[d], shared, nil))
			}
		}
	})
}
