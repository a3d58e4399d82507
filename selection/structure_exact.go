package selection

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Exact decisions of the structure question (Art. 13: a request states the structure of the
// panel; docs/draw-v1.md §5: a round only opens candidates whose addition leaves some
// completion). The answer to "is there a completion?" is a fact about the pool, so any exact
// method gives the same draw; these methods only decide more cases, faster, than the general
// search of structure.go, which stays for what they do not cover:
//
//   - Flow (tryFlow): when every available candidate matches at most one constraining quota
//     (quotas over disjoint sets) and at most one group cap applies (one key), the question is
//     a transportation problem with lower bounds: source → quota (at least its shortfall, at
//     most its room) → group value (the candidates of that quota and value) → sink (the
//     value's remaining cap), with exactly the open seats flowing. Max-flow (Dinic) decides it
//     in polynomial time, whatever the pool size.
//   - Cover search (tryCover): when no group cap applies but quotas overlap (a candidate
//     matches several), the question is a covering problem, NP-hard in general. The search
//     branches on the scarcest quota still short of its minimum (least supply over need,
//     then fewest options), tries the candidate kinds that cover most missing quotas first,
//     and prunes with counting bounds (open seats ≥ the largest shortfall; the sum of the
//     shortfalls ≤ open seats × the most shortfalls one candidate can cover; supply ≥
//     shortfall per quota; enough candidates left) and with memoised failed states. Once
//     every minimum is met, the remaining seats are filled from kinds under no maximum first.
//
// Both count their steps against Rules.SearchBound like the general search.

// constraining returns the quotas that constrain this question: a minimum above zero or a
// finite maximum.
func (sv *solver) constraining() uint32 {
	var m uint32
	for q := range sv.nq {
		if sv.qmin[q] > 0 || sv.qmax[q] != unbounded {
			m |= 1 << q
		}
	}
	return m
}

// exactShape reports which exact method applies: the relevant group (or -1 for none), and
// whether the relevant quota masks are disjoint. ok is false when more than one group cap
// applies to the available candidates.
func (sv *solver) exactShape(cons uint32) (group int, disjoint, ok bool) {
	s, st := sv.s, sv.s.st
	group, disjoint = -1, true
	for c, a := range s.avail {
		if a <= 0 {
			continue
		}
		cl := &st.class[c]
		if bits.OnesCount32(sv.effMask(int32(c))&cons) > 1 {
			disjoint = false
		}
		for g, v := range cl.vals {
			if v < 0 || !sv.groupActive(g) || g == group {
				continue
			}
			if group >= 0 {
				return 0, false, false
			}
			group = g
		}
	}
	return group, disjoint, true
}

// tryExact decides the question exactly when its shape allows; handled is false otherwise.
func (sv *solver) tryExact() (ok, handled bool) {
	cons := sv.constraining()
	group, disjoint, shaped := sv.exactShape(cons)
	switch {
	case !shaped:
		return false, false
	case disjoint:
		return sv.tryFlow(cons, group), true
	case group < 0:
		return sv.tryCover(cons), true
	}
	return false, false
}

// ---- flow ----

// flowNet is a max-flow network on dense slices (Dinic's algorithm).
type flowNet struct {
	head  []int32
	next  []int32
	to    []int32
	cap   []int
	level []int32
	iter  []int32
	queue []int32
}

func newFlowNet(n int) *flowNet {
	f := &flowNet{head: make([]int32, n), level: make([]int32, n), iter: make([]int32, n)}
	for i := range f.head {
		f.head[i] = -1
	}
	return f
}

// edge adds a→b with capacity c and returns its index (the reverse edge is index+1).
func (f *flowNet) edge(a, b, c int) int {
	e := len(f.to)
	f.to = append(f.to, int32(b), int32(a))
	f.cap = append(f.cap, c, 0)
	f.next = append(f.next, f.head[a], f.head[b])
	f.head[a], f.head[b] = int32(e), int32(e+1)
	return e
}

func (f *flowNet) bfs(s, t int) bool {
	for i := range f.level {
		f.level[i] = -1
	}
	f.queue = append(f.queue[:0], int32(s))
	f.level[s] = 0
	for k := 0; k < len(f.queue); k++ {
		u := f.queue[k]
		for e := f.head[u]; e >= 0; e = f.next[e] {
			if v := f.to[e]; f.cap[e] > 0 && f.level[v] < 0 {
				f.level[v] = f.level[u] + 1
				f.queue = append(f.queue, v)
			}
		}
	}
	return f.level[t] >= 0
}

func (f *flowNet) dfs(u, t int32, limit int) int {
	if u == t {
		return limit
	}
	for ; f.iter[u] >= 0; f.iter[u] = f.next[f.iter[u]] {
		e := f.iter[u]
		v := f.to[e]
		if f.cap[e] <= 0 || f.level[v] != f.level[u]+1 {
			continue
		}
		if d := f.dfs(v, t, min(limit, f.cap[e])); d > 0 {
			f.cap[e] -= d
			f.cap[e^1] += d
			return d
		}
	}
	return 0
}

// maxFlow pushes up to want units from s to t and returns how many went.
func (f *flowNet) maxFlow(s, t, want int, steps *int) int {
	total := 0
	for total < want && f.bfs(s, t) {
		copy(f.iter, f.head)
		for total < want {
			*steps++
			d := f.dfs(int32(s), int32(t), want-total)
			if d == 0 {
				break
			}
			total += d
		}
	}
	return total
}

// tryFlow decides a question whose relevant quotas are disjoint, with at most one group cap
// (group, or -1), by max-flow with lower bounds. On success it stores the witness.
func (sv *solver) tryFlow(cons uint32, group int) bool {
	s, st := sv.s, sv.s.st
	nq := sv.nq
	nv := 0
	if group >= 0 {
		nv = st.nvals[group]
	}
	// Nodes: S, T, quota nodes (nq of them, then one for candidates of no quota), value
	// nodes, SS, TT.
	const S, T = 0, 1
	qNode := func(q int) int { return 2 + q }
	vNode := func(v int32) int { return 2 + nq + 1 + int(v) }
	SS, TT := 2+nq+1+nv, 2+nq+1+nv+1
	f := newFlowNet(TT + 1)
	excess := make([]int, TT+1)
	bounded := func(a, b, lo, hi int) {
		if hi > lo {
			f.edge(a, b, hi-lo)
		}
		excess[b] += lo
		excess[a] -= lo
	}
	for q := 0; q <= nq; q++ {
		lo, hi := 0, sv.slots
		if q < nq && cons&(1<<q) != 0 {
			lo = max(0, sv.qmin[q]-sv.cnt[q])
			if sv.qmax[q] != unbounded {
				hi = min(hi, sv.qmax[q]-sv.cnt[q])
			}
		}
		if lo > hi {
			return false
		}
		bounded(S, qNode(q), lo, hi)
	}
	// Quota → value (or sink) edges: one per class, on a dense (quota, value) table.
	width := nv + 1 // value v at v, no value at nv
	bucket := make([]int, (nq+1)*width)
	edgeOf := make([]int, (nq+1)*width)
	cellOf := make([]int, len(st.class))
	for c, a := range s.avail {
		cellOf[c] = -1
		if a <= 0 {
			continue
		}
		q := nq
		if m := sv.effMask(int32(c)) & cons; m != 0 {
			q = bits.TrailingZeros32(m)
		}
		v := nv
		if group >= 0 && st.class[c].vals[group] >= 0 {
			v = int(st.class[c].vals[group])
		}
		cellOf[c] = q*width + v
		bucket[q*width+v] += min(a, sv.slots)
	}
	for cell, n := range bucket {
		if n == 0 {
			edgeOf[cell] = -1
			continue
		}
		q, v := cell/width, cell%width
		to := T
		if v < nv {
			to = vNode(int32(v))
		}
		edgeOf[cell] = f.edge(qNode(q), to, n)
	}
	for v := range nv {
		if room := st.gmax[group] - s.used[group][v]; room > 0 {
			f.edge(vNode(int32(v)), T, room)
		}
	}
	bounded(T, S, sv.slots, sv.slots)
	want := 0
	for n, e := range excess {
		switch {
		case e > 0:
			f.edge(SS, n, e)
			want += e
		case e < 0:
			f.edge(n, TT, -e)
		}
	}
	steps := 0 // polynomial: not counted against the search bound
	if f.maxFlow(SS, TT, want, &steps) != want {
		return false
	}
	// The flow on each (quota, value) edge is how many of that cell join; spread it over
	// the cell's classes.
	w := make([]int, len(st.class))
	taken := make([]int, len(bucket))
	for cell, e := range edgeOf {
		if e >= 0 {
			taken[cell] = f.cap[e^1]
		}
	}
	for c, cell := range cellOf {
		if cell < 0 {
			continue
		}
		k := min(taken[cell], s.avail[c])
		w[c] = k
		taken[cell] -= k
	}
	sv.exact = w
	return true
}

// ---- cover search ----

// cover is the state of the cover search: candidate kinds (classes merged by their relevant
// quota mask), how many of each are still available and taken, and the quota counts.
type cover struct {
	sv      *solver
	cons    uint32
	bounded uint32 // quotas with a finite maximum
	masks   []uint32
	avail   []int
	taken   []int
	members [][]int // classes of each kind
	cnt     []int
	memo    map[string]struct{}
	key     []byte
	opts    []int
}

// maxMemo bounds the memo of failed states of one question.
const maxMemo = 1 << 16

// tryCover decides a question without group caps by the cover search. On success it
// stores the witness.
func (sv *solver) tryCover(cons uint32) bool {
	s := sv.s
	cv := &cover{sv: sv, cons: cons, cnt: slices.Clone(sv.cnt), memo: map[string]struct{}{}}
	for q := range sv.nq {
		if cons&(1<<q) != 0 && sv.qmax[q] != unbounded {
			cv.bounded |= 1 << q
		}
	}
	kind := map[uint32]int{}
	for c, a := range s.avail {
		if a <= 0 {
			continue
		}
		m := sv.effMask(int32(c)) & cons
		k, ok := kind[m]
		if !ok {
			k = len(cv.masks)
			kind[m] = k
			cv.masks = append(cv.masks, m)
			cv.avail = append(cv.avail, 0)
			cv.members = append(cv.members, nil)
		}
		cv.avail[k] += a
		cv.members[k] = append(cv.members[k], c)
	}
	cv.taken = make([]int, len(cv.masks))
	if !cv.search(sv.slots) {
		return false
	}
	w := make([]int, len(s.st.class))
	for k, n := range cv.taken {
		for _, c := range cv.members[k] {
			t := min(n, s.avail[c])
			w[c] += t
			n -= t
		}
	}
	sv.exact = w
	return true
}

// fits reports whether one more of kind k keeps every maximum.
func (cv *cover) fits(k int) bool {
	m := cv.masks[k] & cv.bounded
	for m != 0 {
		q := bits.TrailingZeros32(m)
		m &= m - 1
		if cv.cnt[q] >= cv.sv.qmax[q] {
			return false
		}
	}
	return true
}

func (cv *cover) add(k, d int) {
	cv.avail[k] -= d
	cv.taken[k] += d
	m := cv.masks[k]
	for m != 0 {
		q := bits.TrailingZeros32(m)
		m &= m - 1
		cv.cnt[q] += d
	}
}

// search reports whether r more candidates complete the panel.
func (cv *cover) search(r int) bool {
	sv := cv.sv
	sv.nodes++
	if sv.nodes > sv.s.st.bound {
		return false
	}
	var need uint32
	sumNeed, maxNeed := 0, 0
	for q := range sv.nq {
		if n := sv.qmin[q] - cv.cnt[q]; n > 0 {
			need |= 1 << q
			sumNeed += n
			maxNeed = max(maxNeed, n)
		}
	}
	if r == 0 {
		return need == 0
	}
	if maxNeed > r {
		return false
	}
	supply, maxCov := 0, 0
	for k, a := range cv.avail {
		if a > 0 && cv.fits(k) {
			supply += a
			maxCov = max(maxCov, bits.OnesCount32(cv.masks[k]&need))
		}
	}
	if supply < r || sumNeed > r*maxCov {
		return false
	}
	if need == 0 {
		return cv.fill(r)
	}
	// The scarcest quota: least supply over need, then fewest kinds.
	best, bestSlack, bestOpts := -1, 0, 0
	for q := range sv.nq {
		if need&(1<<q) == 0 {
			continue
		}
		sup, opts := 0, 0
		for k, a := range cv.avail {
			if a > 0 && cv.masks[k]&(1<<q) != 0 && cv.fits(k) {
				sup += a
				opts++
			}
		}
		slack := sup - (sv.qmin[q] - cv.cnt[q])
		if slack < 0 {
			return false
		}
		if best < 0 || slack < bestSlack || slack == bestSlack && opts < bestOpts {
			best, bestSlack, bestOpts = q, slack, opts
		}
	}
	if cv.seen(r) {
		return false
	}
	// Kinds covering it, those covering most missing quotas first.
	start := len(cv.opts)
	for k, a := range cv.avail {
		if a > 0 && cv.masks[k]&(1<<best) != 0 && cv.fits(k) {
			cv.opts = append(cv.opts, k)
		}
	}
	opts := cv.opts[start:]
	slices.SortStableFunc(opts, func(a, b int) int {
		return bits.OnesCount32(cv.masks[b]&need) - bits.OnesCount32(cv.masks[a]&need)
	})
	saved := make([]int, len(opts))
	ok := false
	for i, k := range opts {
		cv.add(k, 1)
		ok = cv.search(r - 1)
		if ok {
			break
		}
		cv.add(k, -1)
		// Later branches take no more of kind k: those completions were just explored.
		saved[i] = cv.avail[k]
		cv.avail[k] = 0
		if sv.nodes > sv.s.st.bound {
			break
		}
	}
	for i, k := range opts {
		if saved[i] > 0 {
			cv.avail[k] = saved[i]
		}
	}
	cv.opts = cv.opts[:start]
	if !ok {
		cv.remember(r)
	}
	return ok
}

// fill completes the panel with r more candidates once every minimum is met: kinds under no
// maximum first, then a search over the others.
func (cv *cover) fill(r int) bool {
	free := 0
	for k, a := range cv.avail {
		if a > 0 && cv.masks[k]&cv.bounded == 0 {
			free += a
		}
	}
	if free >= r {
		cv.takeFree(r)
		return true
	}
	var ks []int
	for k, a := range cv.avail {
		if a > 0 && cv.masks[k]&cv.bounded != 0 {
			ks = append(ks, k)
		}
	}
	if cv.fillBounded(ks, r-free) {
		cv.takeFree(free)
		return true
	}
	return false
}

func (cv *cover) takeFree(r int) {
	for k, a := range cv.avail {
		if r == 0 {
			return
		}
		if a > 0 && cv.masks[k]&cv.bounded == 0 {
			t := min(a, r)
			cv.add(k, t)
			r -= t
		}
	}
}

// fillBounded takes r candidates from the kinds ks, keeping every maximum.
func (cv *cover) fillBounded(ks []int, r int) bool {
	sv := cv.sv
	sv.nodes++
	if r == 0 {
		return true
	}
	if len(ks) == 0 || sv.nodes > sv.s.st.bound {
		return false
	}
	rest := 0
	for _, k := range ks {
		rest += cv.avail[k]
	}
	if rest < r {
		return false
	}
	k := ks[0]
	hi := min(cv.avail[k], r)
	m := cv.masks[k] & cv.bounded
	for m != 0 {
		q := bits.TrailingZeros32(m)
		m &= m - 1
		hi = min(hi, sv.qmax[q]-cv.cnt[q])
	}
	for t := hi; t >= 0; t-- {
		cv.add(k, t)
		if cv.fillBounded(ks[1:], r-t) {
			return true
		}
		cv.add(k, -t)
	}
	return false
}

// stateKey encodes the residual question: open seats, the quota counts that still matter
// (capped at the minimum for quotas without maximum) and the availability of each kind
// (capped at the open seats).
func (cv *cover) stateKey(r int) []byte {
	sv := cv.sv
	b := binary.AppendUvarint(cv.key[:0], uint64(r)) // varints: self-delimiting, no collisions
	for q := range sv.nq {
		c := cv.cnt[q]
		if sv.qmax[q] == unbounded {
			c = min(c, sv.qmin[q])
		}
		b = binary.AppendUvarint(b, uint64(max(c, 0)))
	}
	for _, a := range cv.avail {
		b = binary.AppendUvarint(b, uint64(max(min(a, r), 0)))
	}
	cv.key = b
	return b
}

func (cv *cover) seen(r int) bool {
	_, ok := cv.memo[string(cv.stateKey(r))]
	return ok
}

func (cv *cover) remember(r int) {
	if len(cv.memo) < maxMemo && cv.sv.nodes <= cv.sv.s.st.bound {
		cv.memo[string(cv.stateKey(r))] = struct{}{}
	}
}

// ---- the error when the bound is reached ----

// boundErr is the error of a question the search could not decide within Rules.SearchBound:
// it names the quotas that overlap (candidates matching several), whether group caps cross,
// and what to change.
func (sv *solver) boundErr() error {
	s, st := sv.s, sv.s.st
	var overlap uint32
	groups := map[int]bool{}
	for c, a := range s.avail {
		if a <= 0 {
			continue
		}
		if m := sv.effMask(int32(c)); bits.OnesCount32(m) > 1 {
			overlap |= m
		}
		for g, v := range st.class[c].vals {
			if v >= 0 && sv.groupActive(g) {
				groups[g] = true
			}
		}
	}
	var names []string
	for q := range sv.nq {
		if overlap&(1<<q) != 0 {
			names = append(names, "“"+st.qname[q]+"”")
		}
	}
	var fix []string
	if len(names) > 0 {
		fix = append(fix, "结构配额"+strings.Join(names, "、")+"有共同的候选专家，请合并或减少相互重叠的配额，或降低其下限")
	}
	if len(groups) > 1 {
		fix = append(fix, fmt.Sprintf("%d 个分组上限相互交叉，请只保留一个分组上限或放宽上限", len(groups)))
	}
	if len(fix) == 0 {
		fix = append(fix, "请简化结构配额或分组上限")
	}
	return &Error{Kind: ErrSearchBound, Article: "Art. 13", Code: "search-bound",
		Message: fmt.Sprintf("结构条件过于复杂，在 %d 步搜索内无法判定能否组成专家组：%s；确需保留时，可在使用细则中调高搜索上限（search_bound）",
			st.bound, strings.Join(fix, "；")),
		Detail: fmt.Sprintf("structure search reached its bound of %d nodes (overlapping quotas: %d, crossing group caps: %d)",
			st.bound, len(names), max(0, len(groups)-1))}
}
