package selection

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
)

// structure is the panel structure of one draw: size, quotas, group caps, and the
// candidates' signatures grouped into classes. Two candidates with the same signature (the
// set of quotas they match and their value for every group cap) are interchangeable for
// feasibility, so the search works on counts per class.
type structure struct {
	size    int
	qname   []string
	qmin    []int
	qmax    []int // math.MaxInt32 when unbounded
	gname   []string
	gmax    []int
	nvals   []int // number of distinct values per group
	bound   int
	class   []class
	byKey   map[classKey]int
	values  []map[string]int32 // per group: value → id
	scratch solverScratch
}

// solverScratch holds the working arrays of solver.build, reused by the next build of the
// same draw (one walk at a time: a structure is never searched concurrently).
type solverScratch struct {
	parent, size, roots []int32
	first               [][]int32
	members             [][]int32
	key                 []byte // a type's key
}

// grown returns (*buf)[:n], growing *buf when it is shorter; the contents are not cleared.
func grown[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

type class struct {
	mask uint32
	vals []int32 // per group: value id, or -1 for no group
}

const unbounded = math.MaxInt32

func newStructure(q *Request, bound int) *structure {
	st := &structure{size: q.Size, bound: bound, byKey: map[classKey]int{}}
	for _, qu := range q.Quotas {
		st.qname = append(st.qname, qu.Name)
		st.qmin = append(st.qmin, qu.Min)
		mx := qu.Max
		if mx == 0 {
			mx = unbounded
		}
		st.qmax = append(st.qmax, mx)
	}
	for _, g := range q.Groups {
		st.gname = append(st.gname, g.Name)
		st.gmax = append(st.gmax, g.Max)
		st.values = append(st.values, map[string]int32{})
	}
	st.nvals = make([]int, len(q.Groups))
	return st
}

// classKey identifies a signature: the quota mask and the value id per group (-1 = no group).
type classKey struct {
	mask uint32
	ids  [maxGroups]int32
}

// classOf returns the class index for a signature, creating it when new. vals holds the
// group values ("" = no group); value ids are numbered in order of first appearance.
func (st *structure) classOf(mask uint32, vals []string) int {
	var ids [maxGroups]int32
	for g, v := range vals {
		id := int32(-1)
		if v != "" {
			var ok bool
			id, ok = st.values[g][v]
			if !ok {
				id = int32(st.nvals[g])
				st.values[g][v] = id
				st.nvals[g]++
			}
		}
		ids[g] = id
	}
	return st.classOfIDs(mask, ids, len(vals))
}

// classOfIDs returns the class index for a signature with value ids (ng groups), creating it
// when new. A structure numbers its values either through classOf or through its caller
// (newBase, from the group values' tokens), never both.
func (st *structure) classOfIDs(mask uint32, ids [maxGroups]int32, ng int) int {
	for g := ng; g < maxGroups; g++ {
		ids[g] = 0
	}
	k := classKey{mask, ids}
	if c, ok := st.byKey[k]; ok {
		return c
	}
	st.class = append(st.class, class{mask: mask, vals: slices.Clone(ids[:ng])})
	st.byKey[k] = len(st.class) - 1
	return len(st.class) - 1
}

// state is a partial panel: its members' counts and the classes' remaining availability.
type state struct {
	st      *structure
	members int
	cntQ    []int
	used    [][]int // per group, per value id
	avail   []int   // per class: candidates neither on the panel nor consumed
	version int     // changes whenever the panel or availability changes
	witness []int   // a completion of the current panel, as counts per class, or nil
}

func newState(st *structure) *state {
	s := &state{st: st, cntQ: make([]int, len(st.qmin)), avail: make([]int, len(st.class))}
	s.used = make([][]int, len(st.gmax))
	for g := range s.used {
		s.used[g] = make([]int, st.nvals[g])
	}
	return s
}

func (s *state) clone() *state {
	c := *s
	c.cntQ = slices.Clone(s.cntQ)
	c.avail = slices.Clone(s.avail)
	c.used = make([][]int, len(s.used))
	for g := range s.used {
		c.used[g] = slices.Clone(s.used[g])
	}
	c.witness = slices.Clone(s.witness)
	return &c
}

// addMember puts a candidate of class c on the panel; fromPool says whether it was counted
// in avail (drawn candidates are, preferential and invited members are not).
func (s *state) addMember(c int, fromPool bool) {
	cl := &s.st.class[c]
	for q := range s.cntQ {
		if cl.mask&(1<<q) != 0 {
			s.cntQ[q]++
		}
	}
	for g, v := range cl.vals {
		if v >= 0 {
			s.used[g][v]++
		}
	}
	if fromPool {
		s.avail[c]--
	}
	s.members++
	s.version++
	if s.witness != nil && s.witness[c] > 0 {
		s.witness[c]--
	} else {
		s.witness = nil
	}
}

// removeMember takes a member of class c off the panel (a vacancy); it does not return to
// the pool.
func (s *state) removeMember(c int) {
	cl := &s.st.class[c]
	for q := range s.cntQ {
		if cl.mask&(1<<q) != 0 {
			s.cntQ[q]--
		}
	}
	for g, v := range cl.vals {
		if v >= 0 {
			s.used[g][v]--
		}
	}
	s.members--
	s.version++
	s.witness = nil
}

// overLimit reports whether the panel already breaks a maximum.
func (s *state) overLimit() bool {
	if s.members > s.st.size {
		return true
	}
	for q, n := range s.cntQ {
		if n > s.st.qmax[q] {
			return true
		}
	}
	for g, u := range s.used {
		for _, n := range u {
			if n > s.st.gmax[g] {
				return true
			}
		}
	}
	return false
}

// canAdd reports whether a candidate of class c (counted in avail) can join the panel so that
// the panel still has a completion. It tries to swap c into the known completion first and
// runs the search only when that fails.
func (s *state) canAdd(c int) (bool, error) {
	if s.avail[c] <= 0 || s.members >= s.st.size {
		return false, nil
	}
	if s.witness == nil {
		ok, err := s.feasible()
		if err != nil || !ok {
			return false, err
		}
	}
	if s.witness[c] > 0 || s.swapIn(c) {
		return true, nil
	}
	// Ask about the panel with c in place, then take c off again (the solver only reads the
	// state): no copy of the state per question.
	saved := s.witness
	s.addMember(c, true)
	ok, err := s.feasible()
	w := s.witness
	s.removeMember(c)
	s.avail[c]++
	s.witness = saved
	if ok && err == nil {
		// The completion of the panel with c, plus c, completes the panel: keep it, so that
		// adding c next needs no search (the answers are facts; a witness only saves work).
		w[c]++
		s.witness = w
	}
	return ok, err
}

// swapIn checks whether the completion with one member replaced by a candidate of class c is
// still a completion.
func (s *state) swapIn(c int) bool {
	st := s.st
	x := &st.class[c]
	var final []int // quota counts of panel + witness
	final = slices.Clone(s.cntQ)
	for k, n := range s.witness {
		if n == 0 {
			continue
		}
		for q := range final {
			if st.class[k].mask&(1<<q) != 0 {
				final[q] += n
			}
		}
	}
	groupUse := func(g int, v int32) int {
		u := s.used[g][v]
		for k, n := range s.witness {
			if n > 0 && st.class[k].vals[g] == v {
				u += n
			}
		}
		return u
	}
	xUse := make([]int, len(x.vals))
	for g, v := range x.vals {
		if v >= 0 {
			xUse[g] = groupUse(g, v)
		}
	}
next:
	for y, n := range s.witness {
		if n == 0 {
			continue
		}
		yc := &st.class[y]
		for q := range final {
			f := final[q]
			if x.mask&(1<<q) != 0 {
				f++
			}
			if yc.mask&(1<<q) != 0 {
				f--
			}
			if f < st.qmin[q] || f > st.qmax[q] {
				continue next
			}
		}
		for g, v := range x.vals {
			if v < 0 {
				continue
			}
			u := xUse[g] + 1
			if yc.vals[g] == v {
				u--
			}
			if u > st.gmax[g] {
				continue next
			}
		}
		s.witness[y]--
		s.witness[c]++
		return true
	}
	return false
}

// feasible decides whether the panel has a completion: Size - members more candidates from
// avail such that every quota and group cap holds. On success it stores the completion as the
// witness.
func (s *state) feasible() (bool, error) {
	s.witness = nil
	if s.overLimit() {
		return false, nil
	}
	sv := newSolver(s, nil, nil)
	ok, err := sv.solve()
	if ok {
		s.witness = sv.witness()
	}
	return ok, err
}

// solver searches for a completion. Components of classes linked by a shared group value
// are the units of choice; components with the same profile (block components whose classes
// share every group value, with the same multiset of quota masks and capped availability)
// are merged into a type with a multiplicity, and each type offers patterns (how many of each
// of its classes to take), deduplicated by their effect (size and quota counts). The search
// then chooses, type by type, how many components take each pattern.
type solver struct {
	s       *state
	activeQ []bool
	activeG []bool
	nq      int
	slots   int
	qmin    []int
	qmax    []int

	comps  [][]int32 // component → classes in profile order
	types  []stype
	items  []sitem
	capSuf []int   // per type index: upper bound of what types ≥ t can add to the size
	qSuf   [][]int // per type index and quota
	cnt    []int
	chosen []int
	nodes  int
	exact  []int // the completion found by tryExact, as counts per class
}

type stype struct {
	mult, first, end, maxSize int
	maxQ                      []int
	comps                     []int
}

type sitem struct {
	size int
	q    []int
	x    []int // counts per class position of the type's components
}

// newSolver prepares a search; activeQ/activeG restrict the constraints (nil = all), for
// explaining infeasibility.
func newSolver(s *state, activeQ, activeG []bool) *solver {
	st := s.st
	sv := &solver{s: s, nq: len(st.qmin), slots: st.size - s.members, activeQ: activeQ, activeG: activeG}
	sv.qmin = make([]int, sv.nq)
	sv.qmax = make([]int, sv.nq)
	for q := range sv.nq {
		if activeQ == nil || activeQ[q] {
			sv.qmin[q], sv.qmax[q] = st.qmin[q], st.qmax[q]
		} else {
			sv.qmin[q], sv.qmax[q] = 0, unbounded
		}
	}
	return sv
}

func (sv *solver) groupActive(g int) bool { return sv.activeG == nil || sv.activeG[g] }

func (sv *solver) solve() (bool, error) {
	s, st := sv.s, sv.s.st
	if sv.slots < 0 {
		return false, nil
	}
	sv.cnt = slices.Clone(s.cntQ)
	for q := range sv.nq {
		if sv.cnt[q] > sv.qmax[q] {
			return false, nil
		}
	}
	for g := range s.used {
		if !sv.groupActive(g) {
			continue
		}
		for _, n := range s.used[g] {
			if n > st.gmax[g] {
				return false, nil
			}
		}
	}
	// A quota short of more members than there are seats left cannot be met: that is what
	// every search concludes at its first node, answered here without building one. Late in
	// a walk most candidates that cannot join are refused this way.
	for q := range sv.nq {
		if sv.qmin[q]-sv.cnt[q] > sv.slots {
			return false, nil
		}
	}
	if ok, handled := sv.tryExact(); handled {
		if sv.nodes > st.bound {
			return false, sv.boundErr()
		}
		return ok, nil
	}
	if err := sv.build(); err != nil {
		return false, err
	}
	sv.chosen = make([]int, len(sv.items))
	ok := sv.dfsType(0, 0, typeMult(sv.types, 0), sv.slots)
	if sv.nodes > st.bound {
		return false, sv.boundErr()
	}
	return ok, nil
}

func typeMult(ts []stype, t int) int {
	if t < len(ts) {
		return ts[t].mult
	}
	return 0
}

// build groups the available classes into components, types and patterns.
func (sv *solver) build() error {
	s, st := sv.s, sv.s.st
	n := len(st.class)
	sc := &st.scratch // reused by the next build of this draw: nothing below outlives the search but comps (flat)
	parent := grown(&sc.parent, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	if len(sc.first) < len(st.gmax) {
		sc.first = make([][]int32, len(st.gmax))
	}
	first := sc.first[:len(st.gmax)] // per group, per value: the first class with it, or -1
	for g := range first {
		first[g] = grown(&sc.first[g], st.nvals[g])
		for v := range first[g] {
			first[g][v] = -1
		}
	}
	for c := range n {
		if s.avail[c] <= 0 {
			continue
		}
		for g, v := range st.class[c].vals {
			if v < 0 || !sv.groupActive(g) {
				continue
			}
			if f := first[g][v]; f >= 0 {
				a, b := find(f), find(int32(c))
				if a != b {
					parent[b] = a
				}
			} else {
				first[g][v] = int32(c)
			}
		}
	}
	// Per root: its classes in increasing order, as windows of one flat slice.
	size := grown(&sc.size, n)
	clear(size)
	roots := sc.roots[:0]
	total := 0
	for c := range n {
		if s.avail[c] <= 0 {
			continue
		}
		r := find(int32(c))
		if size[r] == 0 {
			roots = append(roots, r)
		}
		size[r]++
		total++
	}
	sc.roots = roots
	flat := make([]int32, total) // kept: comps are windows of it
	if cap(sc.members) < n {
		sc.members = make([][]int32, n)
	}
	members := sc.members[:n] // only roots' entries are set below, and only they are read
	at := 0
	for _, r := range roots {
		members[r] = flat[at : at : at+int(size[r])]
		at += int(size[r])
	}
	for c := range n {
		if s.avail[c] > 0 {
			r := find(int32(c))
			members[r] = append(members[r], int32(c))
		}
	}
	typeIdx := map[string]int{}
	type ptype struct {
		key      string
		comps    []int
		block    bool
		limit    int
		patterns []sitem
	}
	var ptypes []*ptype
	for _, r := range roots {
		cls := members[r]
		block, limit := sv.blockLimit(cls)
		if limit <= 0 {
			continue
		}
		capAvail := func(c int32) int { return min(s.avail[c], limit) }
		if block {
			slices.SortFunc(cls, func(a, b int32) int {
				return cmp.Or(cmp.Compare(sv.effMask(a), sv.effMask(b)), cmp.Compare(capAvail(a), capAvail(b)), cmp.Compare(a, b))
			})
		}
		kb := sc.key[:0] // "b<limit>,<mask>:<avail>…" or "c<component>"
		if block {
			kb = strconv.AppendInt(append(kb, 'b'), int64(limit), 10)
			for _, c := range cls {
				kb = strconv.AppendUint(append(kb, ','), uint64(sv.effMask(c)), 10)
				kb = strconv.AppendInt(append(kb, ':'), int64(capAvail(c)), 10)
			}
		} else {
			kb = strconv.AppendInt(append(kb, 'c'), int64(len(sv.comps)), 10)
		}
		sc.key = kb
		ti, ok := typeIdx[string(kb)]
		if !ok {
			key := string(kb)
			ti = len(ptypes)
			typeIdx[key] = ti
			ptypes = append(ptypes, &ptype{key: key, block: block, limit: limit})
		}
		ptypes[ti].comps = append(ptypes[ti].comps, len(sv.comps))
		sv.comps = append(sv.comps, cls)
	}
	// Patterns per type.
	for _, pt := range ptypes {
		cls := sv.comps[pt.comps[0]]
		var pats []sitem
		var err error
		if pt.block {
			pats, err = sv.blockPatterns(cls, pt.limit)
		} else {
			pats, err = sv.complexPatterns(cls)
		}
		if err != nil {
			return err
		}
		pt.patterns = pats
	}
	ptypes = slices.DeleteFunc(ptypes, func(pt *ptype) bool { return len(pt.patterns) == 0 })
	// Order types: those that help quotas still short of their minimum first, larger first.
	need := make([]int, sv.nq)
	for q := range sv.nq {
		need[q] = max(0, sv.qmin[q]-sv.cnt[q])
	}
	score := func(p sitem) int {
		sc := 0
		for q, v := range p.q {
			if need[q] > 0 {
				sc += v
			}
		}
		return sc
	}
	for _, pt := range ptypes {
		slices.SortStableFunc(pt.patterns, func(a, b sitem) int {
			return cmp.Or(cmp.Compare(score(b), score(a)), cmp.Compare(b.size, a.size))
		})
	}
	slices.SortStableFunc(ptypes, func(a, b *ptype) int {
		return cmp.Or(cmp.Compare(score(b.patterns[0]), score(a.patterns[0])), cmp.Compare(len(b.comps), len(a.comps)))
	})
	for _, pt := range ptypes {
		t := stype{mult: len(pt.comps), first: len(sv.items), comps: pt.comps, maxQ: make([]int, sv.nq)}
		for _, p := range pt.patterns {
			t.maxSize = max(t.maxSize, p.size)
			for q, v := range p.q {
				t.maxQ[q] = max(t.maxQ[q], v)
			}
			sv.items = append(sv.items, p)
		}
		t.end = len(sv.items)
		sv.types = append(sv.types, t)
	}
	nt := len(sv.types)
	sv.capSuf = make([]int, nt+1)
	sv.qSuf = make([][]int, nt+1)
	sv.qSuf[nt] = make([]int, sv.nq)
	for t := nt - 1; t >= 0; t-- {
		tt := &sv.types[t]
		sv.capSuf[t] = min(unbounded, sv.capSuf[t+1]+tt.mult*tt.maxSize)
		sv.qSuf[t] = make([]int, sv.nq)
		for q := range sv.nq {
			sv.qSuf[t][q] = min(unbounded, sv.qSuf[t+1][q]+tt.mult*tt.maxQ[q])
		}
	}
	return nil
}

// effMask is a class's mask restricted to the active quotas.
func (sv *solver) effMask(c int32) uint32 {
	m := sv.s.st.class[c].mask
	if sv.activeQ != nil {
		for q, a := range sv.activeQ {
			if !a {
				m &^= 1 << q
			}
		}
	}
	return m
}

// blockLimit reports whether every class of a component has the same active group values
// (a block) and, for a block, how many of its candidates may still join.
func (sv *solver) blockLimit(cls []int32) (bool, int) {
	s, st := sv.s, sv.s.st
	v0 := st.class[cls[0]].vals
	for _, c := range cls[1:] {
		for g, v := range st.class[c].vals {
			if sv.groupActive(g) && v != v0[g] {
				return false, sv.slots
			}
		}
	}
	limit := sv.slots
	for g, v := range v0 {
		if v >= 0 && sv.groupActive(g) {
			limit = min(limit, st.gmax[g]-s.used[g][v])
		}
	}
	return true, limit
}

func patternKey(size int, q []int) string {
	b := make([]byte, 0, 4+4*len(q))
	b = binary.BigEndian.AppendUint32(b, uint32(size))
	for _, v := range q {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	return string(b)
}

// maxPatterns bounds the distinct patterns of one type.
const maxPatterns = 1 << 14

// blockPatterns lists the distinct effects of taking 1..limit candidates from a block.
func (sv *solver) blockPatterns(cls []int32, limit int) ([]sitem, error) {
	if limit == 1 {
		return sv.singlePatterns(cls), nil
	}
	return sv.generalBlockPatterns(cls, limit)
}

// generalBlockPatterns enumerates the patterns of any block.
func (sv *solver) generalBlockPatterns(cls []int32, limit int) ([]sitem, error) {
	s := sv.s
	cur := map[string]sitem{patternKey(0, make([]int, sv.nq)): {q: make([]int, sv.nq), x: make([]int, len(cls))}}
	for i, c := range cls {
		a := min(s.avail[c], limit)
		m := sv.effMask(c)
		next := make(map[string]sitem, len(cur))
		for k, p := range cur {
			next[k] = p
		}
		for _, p := range cur {
			for t := 1; t <= a && p.size+t <= limit; t++ {
				np := sitem{size: p.size + t, q: slices.Clone(p.q), x: slices.Clone(p.x)}
				for q := range np.q {
					if m&(1<<q) != 0 {
						np.q[q] += t
					}
				}
				np.x[i] = t
				k := patternKey(np.size, np.q)
				if _, ok := next[k]; !ok {
					next[k] = np
				}
			}
		}
		if len(next) > maxPatterns {
			return nil, sv.boundErr()
		}
		cur = next
	}
	return sortedPatterns(cur), nil
}

// singlePatterns is blockPatterns for a block of which one candidate at most may join (a
// group cap of one, the common case): one pattern per distinct quota mask, taken from the
// first class with it, in the order sortedPatterns gives (by quota counts).
func (sv *solver) singlePatterns(cls []int32) []sitem {
	var out []sitem
	var seen []uint32
	for i, c := range cls {
		if sv.s.avail[c] < 1 {
			continue
		}
		m := sv.effMask(c)
		if slices.Contains(seen, m) {
			continue
		}
		seen = append(seen, m)
		p := sitem{size: 1, q: make([]int, sv.nq), x: make([]int, len(cls))}
		for q := range p.q {
			if m&(1<<q) != 0 {
				p.q[q] = 1
			}
		}
		p.x[i] = 1
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b sitem) int { return slices.Compare(a.q, b.q) })
	return out
}

func sortedPatterns(m map[string]sitem) []sitem {
	keys := make([]string, 0, len(m))
	for k, p := range m {
		if p.size > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]sitem, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// complexPatterns lists the distinct effects of taking candidates from a component whose
// classes have different group values, respecting every group cap inside it.
func (sv *solver) complexPatterns(cls []int32) ([]sitem, error) {
	s, st := sv.s, sv.s.st
	out := map[string]sitem{}
	x := make([]int, len(cls))
	q := make([]int, sv.nq)
	extra := map[[2]int32]int{} // (group, value) → taken in this pattern
	var rec func(i, size int) bool
	rec = func(i, size int) bool {
		sv.nodes++
		if sv.nodes > st.bound || len(out) > maxPatterns {
			return false
		}
		if i == len(cls) {
			if size > 0 {
				k := patternKey(size, q)
				if _, ok := out[k]; !ok {
					out[k] = sitem{size: size, q: slices.Clone(q), x: slices.Clone(x)}
				}
			}
			return true
		}
		c := cls[i]
		m := sv.effMask(c)
		lim := min(s.avail[c], sv.slots-size)
		for g, v := range st.class[c].vals {
			if v >= 0 && sv.groupActive(g) {
				lim = min(lim, st.gmax[g]-s.used[g][v]-extra[[2]int32{int32(g), v}])
			}
		}
		for t := 0; t <= lim; t++ {
			x[i] = t
			for qq := range q {
				if m&(1<<qq) != 0 {
					q[qq] += t
				}
			}
			for g, v := range st.class[c].vals {
				if v >= 0 && sv.groupActive(g) {
					extra[[2]int32{int32(g), v}] += t
				}
			}
			ok := rec(i+1, size+t)
			for qq := range q {
				if m&(1<<qq) != 0 {
					q[qq] -= t
				}
			}
			for g, v := range st.class[c].vals {
				if v >= 0 && sv.groupActive(g) {
					extra[[2]int32{int32(g), v}] -= t
				}
			}
			if !ok {
				x[i] = 0
				return false
			}
		}
		x[i] = 0
		return true
	}
	if !rec(0, 0) {
		return nil, sv.boundErr()
	}
	return sortedPatterns(out), nil
}

// dfsType chooses how many components of type t take item it (and the items after it), with
// m components of the type left and slots seats to fill.
func (sv *solver) dfsType(t, it, m, slots int) bool {
	sv.nodes++
	if sv.nodes > sv.s.st.bound {
		return false
	}
	if slots == 0 {
		for q := range sv.nq {
			if sv.cnt[q] < sv.qmin[q] {
				return false
			}
		}
		return true
	}
	if t == len(sv.types) {
		return false
	}
	tt := &sv.types[t]
	if it == tt.end || m == 0 {
		return sv.dfsType(t+1, typeFirst(sv.types, t+1), typeMult(sv.types, t+1), slots)
	}
	if slots > m*tt.maxSize+sv.capSuf[t+1] {
		return false
	}
	for q := range sv.nq {
		need := sv.qmin[q] - sv.cnt[q]
		if need > 0 && (need > slots || need > m*tt.maxQ[q]+sv.qSuf[t+1][q]) {
			return false
		}
	}
	p := &sv.items[it]
	hi := min(m, slots/p.size)
	for q, v := range p.q {
		if v > 0 && sv.qmax[q] != unbounded {
			hi = min(hi, (sv.qmax[q]-sv.cnt[q])/v)
		}
	}
	for n := hi; n >= 0; n-- {
		for q, v := range p.q {
			sv.cnt[q] += n * v
		}
		sv.chosen[it] = n
		if sv.dfsType(t, it+1, m-n, slots-n*p.size) {
			return true
		}
		for q, v := range p.q {
			sv.cnt[q] -= n * v
		}
		sv.chosen[it] = 0
		if sv.nodes > sv.s.st.bound {
			return false
		}
	}
	return false
}

func typeFirst(ts []stype, t int) int {
	if t < len(ts) {
		return ts[t].first
	}
	return 0
}

// witness turns the chosen counts into counts per class.
func (sv *solver) witness() []int {
	if sv.exact != nil {
		return sv.exact
	}
	w := make([]int, len(sv.s.st.class))
	for _, t := range sv.types {
		k := 0
		for it := t.first; it < t.end; it++ {
			for range sv.chosen[it] {
				cls := sv.comps[t.comps[k]]
				k++
				for pos, n := range sv.items[it].x {
					w[cls[pos]] += n
				}
			}
		}
	}
	return w
}
