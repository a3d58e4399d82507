package selection

import (
	"fmt"
	"testing"
)

// general runs the general search of structure.go alone (the solver before issue 15).
func general(s *state) bool {
	g := newSolver(s, nil, nil)
	g.cnt = append([]int(nil), s.cntQ...)
	if g.build() != nil {
		return false
	}
	g.chosen = make([]int, len(g.items))
	return g.dfsType(0, 0, typeMult(g.types, 0), g.slots)
}

// flowCase: n candidates over 4 disjoint quotas (by category) and one group cap (two per
// unit, n/3 units), a panel of 9 needing at least 2 of each category.
func flowCase(n int) *state {
	q := &Request{Size: 9}
	for i := range 4 {
		q.Quotas = append(q.Quotas, Quota{Name: fmt.Sprintf("cat-%d", i), Min: 2})
	}
	q.Groups = []GroupCap{{Name: "unit", Max: 2}}
	st := newStructure(q, DefaultSearchBound)
	avail := map[int]int{}
	for j := range n {
		var mask uint32
		if k := j % 5; k < 4 {
			mask = 1 << k
		}
		avail[st.classOf(mask, []string{fmt.Sprintf("u%d", (j*7)%max(1, n/3))})]++
	}
	s := newState(st)
	for c, k := range avail {
		s.avail[c] = k
	}
	return s
}

// BenchmarkStructure compares the exact methods with the general search and, on a small
// case, with brute force over every count vector.
//
//	go test -run=NONE -bench=BenchmarkStructure -benchmem ./selection/
func BenchmarkStructure(b *testing.B) {
	cases := []struct {
		name  string
		state func() *state
		brute bool
	}{
		{"cover16-panel8-n60", func() *state { return coverCase(60) }, false},
		{"cover16-panel8-n12", func() *state { return coverCase(12) }, true},
		{"flow-4quotas-1cap-n300", func() *state { return flowCase(300) }, false},
		{"flow-4quotas-1cap-n3000", func() *state { return flowCase(3000) }, false},
	}
	for _, c := range cases {
		s0 := c.state()
		b.Run(c.name+"/exact", func(b *testing.B) {
			for b.Loop() {
				if ok, err := s0.clone().feasible(); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
		b.Run(c.name+"/general", func(b *testing.B) {
			for b.Loop() {
				general(s0.clone()) // may stop at the bound (2 000 000 nodes) without deciding
			}
		})
		if c.brute {
			b.Run(c.name+"/brute-force", func(b *testing.B) {
				for b.Loop() {
					if !bruteCompletion(s0.clone()) {
						b.Fatal("infeasible")
					}
				}
			})
		}
	}
}
