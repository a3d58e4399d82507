package admission_test

import (
	"testing"

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
// meter's size, and leaves every view as it was.
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
			got := sc.DrawableView(&e, &v, mg)
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
