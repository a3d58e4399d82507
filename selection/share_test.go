package selection_test

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// Attack (issue 15, item 10): a share whose denominator times the number of picks overflows
// int64 let 4 of 5 seats go to preferential picks under a share of about one third.
func TestPreferentialShareDoesNotOverflow(t *testing.T) {
	share := selection.Fraction{Num: 1537228672809129301, Den: 4611686018427387904} // ≈ 1/3
	req := request(5)
	req.Preferred = []string{"E001", "E002", "E004", "E005"}
	req.Plan = plan()
	p := pool(12, 12)
	p.Last = map[string]evaluation.Summary{}
	for _, id := range req.Preferred {
		p.Last[id] = excellent(id)
	}
	r := selection.DefaultRules()
	r.PreferentialShare = share
	_, err := selection.Draw(req, p, testEntropy, r)
	var se *selection.Error
	require.True(t, errors.As(err, &se), "4 of 5 preferential picks under a share of about 1/3 must be refused, got %v", err)
	assert.Equal(t, "preferential-share", se.Code)
	assert.Equal(t, "Art. 14(1)", se.Article)

	// One pick of five is within the share: 5 × 1537228672809129301 ≥ 4611686018427387904.
	req.Preferred = req.Preferred[:1]
	_, err = selection.Draw(req, p, testEntropy, r)
	require.NoError(t, err)
}

// Fraction.Allows agrees with exact rational arithmetic (math/big) for every input,
// including values near the int limits.
func TestFractionAllowsAgreesWithBig(t *testing.T) {
	edge := rapid.OneOf(rapid.IntRange(0, 20), rapid.IntRange(0, math.MaxInt),
		rapid.IntRange(math.MaxInt-20, math.MaxInt), rapid.IntRange(1<<61, 1<<63-1))
	rapid.Check(t, func(t *rapid.T) {
		den := edge.Filter(func(n int) bool { return n > 0 }).Draw(t, "den")
		num := rapid.IntRange(0, den).Draw(t, "num")
		if rapid.Bool().Draw(t, "edgeNum") {
			num = edge.Filter(func(n int) bool { return n <= den }).Draw(t, "num2")
		}
		part, whole := edge.Draw(t, "part"), edge.Draw(t, "whole")
		f := selection.Fraction{Num: num, Den: den}
		l := new(big.Int).Mul(big.NewInt(int64(part)), big.NewInt(int64(den)))
		r := new(big.Int).Mul(big.NewInt(int64(whole)), big.NewInt(int64(num)))
		want := l.Cmp(r) <= 0
		if got := f.Allows(part, whole); got != want {
			t.Fatalf("%d/%d allows %d of %d: got %v, want %v", num, den, part, whole, got, want)
		}
	})
	// Negative counts are never allowed and an invalid fraction allows nothing but zero parts.
	assert.False(t, selection.Fraction{Num: 1, Den: 3}.Allows(-1, 3))
	assert.False(t, selection.Fraction{Num: 1, Den: 0}.Allows(1, 3))
	assert.True(t, selection.Fraction{Num: 1, Den: 3}.Allows(1, 3))
	assert.False(t, selection.Fraction{Num: 1, Den: 3}.Allows(2, 5))

}
