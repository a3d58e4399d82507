package admission_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
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
