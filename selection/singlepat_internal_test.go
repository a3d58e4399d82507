package selection

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Invariant: the patterns of a block of limit one are those the general enumeration gives,
// in the same order.
func TestSinglePatternsAgreeWithTheGeneralEnumeration(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nq := rapid.IntRange(0, 4).Draw(t, "quotas")
		n := rapid.IntRange(1, 12).Draw(t, "classes")
		st := &structure{qmin: make([]int, nq), qmax: make([]int, nq), size: 5}
		s := &state{st: st, avail: make([]int, n)}
		cls := make([]int32, n)
		for c := range n {
			st.class = append(st.class, class{mask: uint32(rapid.IntRange(0, 1<<nq-1).Draw(t, "mask"))})
			s.avail[c] = rapid.IntRange(0, 3).Draw(t, "avail")
			cls[c] = int32(c)
		}
		sv := &solver{s: s, nq: nq, slots: 5}
		got := sv.singlePatterns(cls)
		want, err := sv.generalBlockPatterns(cls, 1)
		require.NoError(t, err)
		if len(want) == 0 {
			require.Empty(t, got)
			return
		}
		require.Equal(t, want, got)
	})
}
