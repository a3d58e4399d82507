package selection

import (
	"fmt"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// genState builds a random structure question: quotas, up to two group caps, classes of
// candidates with availability, and a few members already on the panel.
func genState(t *rapid.T, disjoint bool, maxGroups int) *state {
	nq := rapid.IntRange(0, 5).Draw(t, "quotas")
	ng := rapid.IntRange(0, maxGroups).Draw(t, "groups")
	q := &Request{Size: rapid.IntRange(1, 8).Draw(t, "size")}
	for i := range nq {
		lo := rapid.IntRange(0, 3).Draw(t, "min")
		hi := 0
		if rapid.Bool().Draw(t, "bounded") {
			hi = rapid.IntRange(max(lo, 1), 5).Draw(t, "max")
		}
		q.Quotas = append(q.Quotas, Quota{Name: fmt.Sprintf("q%d", i), Min: lo, Max: hi})
	}
	for i := range ng {
		q.Groups = append(q.Groups, GroupCap{Name: fmt.Sprintf("g%d", i), Max: rapid.IntRange(1, 3).Draw(t, "cap")})
	}
	st := newStructure(q, 200_000)
	sig := func() (uint32, []string) {
		var mask uint32
		if disjoint {
			if k := rapid.IntRange(-1, nq-1).Draw(t, "quota"); k >= 0 {
				mask = 1 << k
			}
		} else if nq > 0 {
			mask = uint32(rapid.IntRange(0, 1<<nq-1).Draw(t, "mask"))
		}
		vals := make([]string, ng)
		for g := range vals {
			if v := rapid.IntRange(-1, 3).Draw(t, "value"); v >= 0 {
				vals[g] = fmt.Sprint(v)
			}
		}
		return mask, vals
	}
	nc := rapid.IntRange(0, 10).Draw(t, "classes")
	avail := make([]int, 0, nc)
	for range nc {
		m, v := sig()
		c := st.classOf(m, v)
		for len(avail) <= c {
			avail = append(avail, 0)
		}
		avail[c] += rapid.IntRange(0, 4).Draw(t, "avail")
	}
	nm := rapid.IntRange(0, 2).Draw(t, "members")
	var mem []int
	for range nm {
		m, v := sig()
		mem = append(mem, st.classOf(m, v))
	}
	for len(avail) < len(st.class) {
		avail = append(avail, 0)
	}
	s := newState(st)
	copy(s.avail, avail)
	for _, c := range mem {
		s.addMember(c, false)
	}
	return s
}

// validCompletion reports whether w (counts per class) completes the panel of s.
func validCompletion(s *state, w []int) bool {
	st := s.st
	n := 0
	cnt := append([]int(nil), s.cntQ...)
	used := make([][]int, len(s.used))
	for g := range used {
		used[g] = append([]int(nil), s.used[g]...)
	}
	for c, k := range w {
		if k < 0 || k > s.avail[c] {
			return false
		}
		n += k
		for q := range cnt {
			if st.class[c].mask&(1<<q) != 0 {
				cnt[q] += k
			}
		}
		for g, v := range st.class[c].vals {
			if v >= 0 {
				used[g][v] += k
			}
		}
	}
	if s.members+n != st.size {
		return false
	}
	for q, k := range cnt {
		if k < st.qmin[q] || k > st.qmax[q] {
			return false
		}
	}
	for g := range used {
		for _, k := range used[g] {
			if k > st.gmax[g] {
				return false
			}
		}
	}
	return true
}

// bruteCompletion decides the question by enumerating every count vector.
func bruteCompletion(s *state) bool {
	n := len(s.st.class)
	w := make([]int, n)
	var rec func(c, left int) bool
	rec = func(c, left int) bool {
		if c == n {
			return left == 0 && validCompletion(s, w)
		}
		for k := 0; k <= min(s.avail[c], left); k++ {
			w[c] = k
			if rec(c+1, left-k) {
				return true
			}
		}
		w[c] = 0
		return false
	}
	slots := s.st.size - s.members
	return slots >= 0 && rec(0, slots)
}

// The exact methods (flow and cover search) agree with brute force and with the general
// search, and every completion they return is valid: the draw's walk relies on it.
func TestExactMethodsAgreeWithBruteForceAndTheGeneralSearch(t *testing.T) {
	for _, tc := range []struct {
		name      string
		disjoint  bool
		maxGroups int
	}{{"flow", true, 1}, {"cover", false, 0}, {"any", false, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := genState(t, tc.disjoint, tc.maxGroups)
				want := bruteCompletion(s)
				got, err := s.clone().feasible()
				require.NoError(t, err)
				require.Equal(t, want, got)
				if got {
					sv := newSolver(s, nil, nil)
					ok, err := sv.solve()
					require.NoError(t, err)
					require.True(t, ok)
					require.True(t, validCompletion(s, sv.witness()), "witness %v", sv.witness())
				}
				// The general search, without the exact methods.
				if !s.overLimit() {
					g := newSolver(s, nil, nil)
					g.cnt = append([]int(nil), s.cntQ...)
					require.NoError(t, g.build())
					g.chosen = make([]int, len(g.items))
					require.Equal(t, want, g.dfsType(0, 0, typeMult(g.types, 0), g.slots))
				}
			})
		})
	}
}

// coverPairs returns n pairs of distinct fields out of 16: the first 8 pair up all 16 fields
// (so 8 experts can cover every field), the others are pseudo-random decoys (xorshift, fixed
// seed).
func coverPairs(n int) [][2]int {
	x := uint64(0x9E3779B97F4A7C15)
	next := func(k int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(k))
	}
	perm := []int{3, 14, 7, 0, 11, 5, 9, 12, 1, 15, 6, 10, 2, 8, 13, 4}
	out := make([][2]int, n)
	for j := range out {
		if j < 8 {
			out[j] = [2]int{perm[2*j], perm[2*j+1]}
			continue
		}
		a := next(16)
		out[j] = [2]int{a, (a + 1 + next(15)) % 16}
	}
	return out
}

// coverCase is the question of issue 15 (item 10): 16 "at least 1" quotas on a panel of 8,
// no group caps, each candidate matching two quotas; feasible, yet beyond the general
// search's bound.
func coverCase(n int) *state {
	q := &Request{Size: 8}
	for i := range 16 {
		q.Quotas = append(q.Quotas, Quota{Name: fmt.Sprintf("field-%02d", i), Min: 1})
	}
	st := newStructure(q, DefaultSearchBound)
	avail := map[int]int{}
	for _, p := range coverPairs(n) {
		avail[st.classOf(1<<p[0]|1<<p[1], nil)]++
	}
	s := newState(st)
	for c, k := range avail {
		s.avail[c] = k
	}
	return s
}

func TestSixteenQuotasOnAPanelOfEightDecide(t *testing.T) {
	// The attack: the general search gives up (ErrSearchBound in a draw).
	g := newSolver(coverCase(60), nil, nil)
	g.cnt = make([]int, 16)
	require.NoError(t, g.build())
	g.chosen = make([]int, len(g.items))
	g.dfsType(0, 0, typeMult(g.types, 0), g.slots)
	require.Greater(t, g.nodes, DefaultSearchBound, "the general search decides this case; pick a harder one")

	s := coverCase(60)
	ok, err := s.feasible()
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, validCompletion(s, s.witness))
	cov := uint32(0)
	for c, k := range s.witness {
		if k > 0 {
			cov |= s.st.class[c].mask
		}
	}
	require.Equal(t, 16, bits.OnesCount32(cov))
}

// An infeasible covering question is refused as infeasible, not as too hard: 16 fields in two
// groups of odd size (7 and 9), every candidate covering two fields of one group, so no 8
// candidates cover all 16 although every counting bound passes.
func TestOddComponentsAreInfeasibleNotTooHard(t *testing.T) {
	q := &Request{Size: 8}
	for i := range 16 {
		q.Quotas = append(q.Quotas, Quota{Name: fmt.Sprintf("field-%02d", i), Min: 1})
	}
	st := newStructure(q, DefaultSearchBound)
	s := newState(st)
	for _, part := range [][2]int{{0, 7}, {7, 16}} {
		for a := part[0]; a < part[1]; a++ {
			for b := a + 1; b < part[1]; b++ {
				c := st.classOf(1<<a|1<<b, nil)
				for len(s.avail) <= c {
					s.avail = append(s.avail, 0)
				}
				s.avail[c] = 2
			}
		}
	}
	ok, err := s.feasible()
	require.NoError(t, err)
	require.False(t, ok)
}
