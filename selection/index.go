package selection

import (
	"cmp"
	"encoding/binary"
	"maps"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Indexed returns p carrying a cache for many draws from the same pool: what a draw derives
// from the pool alone (the experts in ID order, their usage, bookings, history, birth dates,
// status, unit names and recusal fingerprints, conflict.FingerprintOf) is computed by the
// first draw and reused by the next ones, and so are the admission findings of each expert
// (Art. 5), per set of admission rules and activity date, as the draws evaluate them. A draw
// from an indexed pool then evaluates only the request's own criteria, conditions, recusal,
// availability, county exclusion rules and structure over the kept views, and walks the
// sequence.
//
// A draw from the indexed pool returns exactly what it returns from p: the same result, the
// same exclusions in the same order, the same errors (the draw's expression meter is charged
// what the kept evaluations cost; where the meter is too low for that to be certain, the
// expression is evaluated again).
//
// The indexed pool, its Experts and its maps must not be modified afterwards (the cache is
// not told). The cache belongs to the Experts slice: a copy of the pool whose Experts is
// replaced by another slice draws without the cache; a copy whose Usage, Bookings or History
// is replaced by another map keeps what the cache holds about the experts alone (order, birth
// dates, unit names, admission findings, kept expression results) and derives the per-expert
// usage, bookings and history of the new maps once (the last maps' are kept). Last and
// Relations are read by every draw as they are. The cache is safe for concurrent draws. Rules
// passed to the draws must not be modified either (the admission findings are kept per
// *admission.Rules).
func (p Pool) Indexed() Pool {
	p.cache = &poolCache{experts: unsafe.SliceData(p.Experts), n: len(p.Experts)}
	return p
}

// IndexedFrom returns p indexed (Indexed), inheriting from prev, an indexed pool, what prev's
// cache holds about the experts p shares with it, so that a store's next snapshot after a
// few changes does not order, screen and evaluate every expert again: the ID order, birth
// dates, unit names, admission findings and kept expression results of the unchanged experts
// are taken over, and only the changed and new experts are computed (by the first draw, as
// Indexed does).
//
// same(i) reports the index j in prev.Experts of an expert equal to p.Experts[i] in every
// field (ok false for an expert that is new or changed); an unchanged expert may move to any
// index. The caller promises that equality; IndexedFrom checks only that j is in range, that
// the IDs are equal and that no j is named twice, and treats any other i as changed. same is
// called len(p.Experts) times, before IndexedFrom returns. A nil same says that p.Experts is
// prev.Experts itself (the same slice, unchanged; only the maps differ): p then shares prev's
// cache; with another slice a nil same indexes p from scratch. When prev is not indexed, or
// its cache has not been filled by a draw yet, p is indexed from scratch.
//
// A draw from the returned pool returns exactly what it returns from p, like Indexed. The
// returned pool holds prev's cache only until its first draw.
func (p Pool) IndexedFrom(prev Pool, same func(i int) (j int, ok bool)) Pool {
	from := prev.cache.of(prev)
	if same == nil {
		if from != nil && from.of(p) == from {
			p.cache = from // the same experts: share the cache
			return p
		}
		return p.Indexed()
	}
	p = p.Indexed()
	if from == nil {
		return p
	}
	src := make([]int32, len(p.Experts))
	taken := make([]bool, len(prev.Experts))
	for i := range p.Experts {
		src[i] = -1
		j, ok := same(i)
		if ok && j >= 0 && j < len(prev.Experts) && !taken[j] && prev.Experts[j].ID == p.Experts[i].ID {
			src[i], taken[j] = int32(j), true
		}
	}
	p.cache.from, p.cache.src = from, src
	return p
}

// IsIndexed reports whether p carries a cache (Indexed) that its draws use.
func (p Pool) IsIndexed() bool { return p.cache.of(p) != nil }

func mapID[M ~map[K]V, K comparable, V any](m M) unsafe.Pointer {
	if m == nil {
		return nil
	}
	return reflect.ValueOf(m).UnsafePointer()
}

// poolCache is the cache of an indexed pool.
type poolCache struct {
	experts *admission.Expert // the pool it was made for: Experts
	n       int
	from    *poolCache // IndexedFrom: the cache to inherit from, until the index is built
	src     []int32    // IndexedFrom: per pool index, the index of the same expert in from, or -1
	once    sync.Once
	ix      atomic.Pointer[poolIndex] // what the draw derives from the experts alone
	maps    atomic.Pointer[mapIndex]  // the last maps' derived index
	mu      sync.Mutex
	adm     map[admKey]*admCache
	exprs   map[exprKey]*exprMemo
}

// mapIndex is the index of one set of Usage, Bookings and History maps.
type mapIndex struct {
	usage, bookings, history unsafe.Pointer
	ix                       *poolIndex
}

// of returns c when it was made for pool's experts, else nil.
func (c *poolCache) of(pool Pool) *poolCache {
	if c == nil || c.experts != unsafe.SliceData(pool.Experts) || c.n != len(pool.Experts) {
		return nil
	}
	return c
}

// index returns the pool index of pool (whose experts c was made for): the experts' part,
// built once, with the usage, bookings and history of pool's maps.
func (c *poolCache) index(pool Pool) *poolIndex {
	c.once.Do(func() {
		var ix *poolIndex
		if c.from != nil {
			ix = c.inherit(pool)
		}
		if ix == nil {
			ix = newExpertIndex(pool.Experts)
			n := len(pool.Experts)
			ix.born = make([]civilDate, n)
			ix.org = make([]int32, n)
			ix.orgs = map[string]int32{}
			ix.fp, ix.flags = make([]conflict.Fingerprint, n), make([]uint8, n)
			var units []string
			for i := range pool.Experts {
				e := &pool.Experts[i]
				ix.born[i] = civilOf(e.BirthDate)
				ix.org[i] = ix.orgOf(e.Affiliation.Org)
				units = ix.setExpert(i, e, units)
			}
		}
		ix.setIDText()
		c.from, c.src = nil, nil
		c.ix.Store(ix)
	})
	u, b, h := mapID(pool.Usage), mapID(pool.Bookings), mapID(pool.History)
	if m := c.maps.Load(); m != nil && m.usage == u && m.bookings == b && m.history == h {
		return m.ix
	}
	ix := c.ix.Load().withMaps(pool)
	c.maps.Store(&mapIndex{usage: u, bookings: b, history: h, ix: ix})
	return ix
}

// orgOf returns the index in ix.names of unit name org, adding it.
func (ix *poolIndex) orgOf(org string) int32 {
	k, ok := ix.orgs[org]
	if !ok {
		k = int32(len(ix.names))
		ix.orgs[org] = k
		ix.names = append(ix.names, conflict.NormalizeName(org))
	}
	return k
}

// withMaps returns a copy of the experts' index ix with the usage, bookings and history of
// pool's maps, looked up by ID: per map entry in the ID order when the map is small, per
// expert otherwise.
func (ix *poolIndex) withMaps(pool Pool) *poolIndex {
	out := *ix
	out.setMaps(ix, pool, make([]int, len(pool.Experts)))
	return &out
}

// setMaps sets ix's usage (in the zeroed array usage), history and bookings from pool's
// maps, looked up through the experts' index from.
func (ix *poolIndex) setMaps(from *poolIndex, pool Pool, usage []int) {
	n := len(pool.Experts)
	ix.usage = usage
	fill(from, pool, pool.Usage, func(i int32, v int) { usage[i] = v })
	ix.hist, ix.books = nil, nil
	if len(pool.History) > 0 {
		hist := make([][]Participation, n)
		fill(from, pool, pool.History, func(i int32, v []Participation) { hist[i] = v })
		ix.hist = hist
	}
	if len(pool.Bookings) > 0 {
		books := make([][]Booking, n)
		fill(from, pool, pool.Bookings, func(i int32, v []Booking) { books[i] = v })
		ix.books = books
	}
}

// fill calls set(i, m[ID of expert i]) for every pool expert i whose ID is in m.
func fill[V any](ix *poolIndex, pool Pool, m map[string]V, set func(int32, V)) {
	if len(m) == 0 {
		return
	}
	if len(m)*8 > len(pool.Experts) {
		for i := range pool.Experts {
			if v, ok := m[pool.Experts[i].ID]; ok {
				set(int32(i), v)
			}
		}
		return
	}
	for id, v := range m {
		k, _ := slices.BinarySearch(ix.ids, id)
		for ; k < len(ix.ids) && ix.ids[k] == id; k++ {
			set(ix.order[k], v)
		}
	}
	for _, i := range ix.bad { // not in the ID order
		if v, ok := m[pool.Experts[i].ID]; ok {
			set(i, v)
		}
	}
}

// inherit builds the experts' index of pool from c.from's, computing only the experts that
// c.src does not map to one of c.from's; nil when c.from has no index yet.
func (c *poolCache) inherit(pool Pool) *poolIndex {
	prev := c.from.ix.Load()
	if prev == nil {
		return nil
	}
	n, src := len(pool.Experts), c.src
	inv := make([]int32, c.from.n) // per previous index: the pool index, or -1
	for j := range inv {
		inv[j] = -1
	}
	for i, j := range src {
		if j >= 0 {
			inv[j] = int32(i)
		}
	}
	prevBad := make(map[int32]bool, len(prev.bad))
	for _, j := range prev.bad {
		prevBad[j] = true
	}
	ix := &poolIndex{order: make([]int32, 0, n), ids: make([]string, 0, n), born: make([]civilDate, n), org: make([]int32, n),
		names: slices.Clone(prev.names), orgs: maps.Clone(prev.orgs), fp: make([]conflict.Fingerprint, n), flags: make([]uint8, n)}
	var units []string
	type entry struct {
		id string
		i  int32
	}
	var added []entry
	for i := range pool.Experts {
		e := &pool.Experts[i]
		if j := src[i]; j >= 0 {
			ix.born[i], ix.org[i], ix.fp[i], ix.flags[i] = prev.born[j], prev.org[j], prev.fp[j], prev.flags[j]
			if prevBad[j] {
				ix.bad = append(ix.bad, int32(i))
				ix.badIDs = append(ix.badIDs, badIDExclusion(e.ID))
			}
			continue
		}
		ix.born[i], ix.org[i] = civilOf(e.BirthDate), ix.orgOf(e.Affiliation.Org)
		units = ix.setExpert(i, e, units)
		if !admission.ValidExpertID(e.ID) {
			ix.bad = append(ix.bad, int32(i))
			ix.badIDs = append(ix.badIDs, badIDExclusion(e.ID))
		} else {
			added = append(added, entry{e.ID, int32(i)})
		}
	}
	slices.SortFunc(added, func(a, b entry) int { return strings.Compare(a.id, b.id) })
	// Merge the kept experts (in prev's ID order) with the added ones.
	a := 0
	push := func(id string, i int32) {
		if k := len(ix.ids); k > 0 && ix.ids[k-1] == id && ix.dup == "" {
			ix.dup = id
		}
		ix.order = append(ix.order, i)
		ix.ids = append(ix.ids, id)
	}
	for k, j := range prev.order {
		i := inv[j]
		if i < 0 {
			continue
		}
		id := prev.ids[k]
		for ; a < len(added) && added[a].id <= id; a++ {
			push(added[a].id, added[a].i)
		}
		push(id, i)
	}
	for ; a < len(added); a++ {
		push(added[a].id, added[a].i)
	}
	ix.badSorted = sortedBadIDs(slices.Clone(ix.badIDs))
	c.inheritResults(n, src)
	return ix
}

// inheritResults copies c.from's kept admission findings and expression results of the
// experts src maps to it.
func (c *poolCache) inheritResults(n int, src []int32) {
	from := c.from
	from.mu.Lock()
	defer from.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, pa := range from.adm {
		a := &admCache{state: make([]atomic.Uint32, n), fs: make([][]admission.Finding, n), cost: make([]admCost, n)}
		for i, j := range src {
			if j >= 0 && pa.state[j].Load() == admKnown {
				a.fs[i], a.cost[i] = pa.fs[j], pa.cost[j]
				a.state[i].Store(admKnown)
			}
		}
		if c.adm == nil {
			c.adm = map[admKey]*admCache{}
		}
		c.adm[k] = a
	}
	for k, pm := range from.exprs {
		m := &exprMemo{state: make([]atomic.Uint32, n), cost: make([]admCost, n)}
		if k.group {
			m.tok = make([]int32, n)
			pm.mu.Lock()
			m.strs, m.other, m.n = maps.Clone(pm.strs), maps.Clone(pm.other), pm.n
			pm.mu.Unlock()
		} else {
			m.ok = make([]bool, n)
		}
		for i, j := range src {
			if j >= 0 && pm.state[j].Load() == admKnown {
				if k.group {
					m.tok[i] = pm.tok[j]
				} else {
					m.ok[i] = pm.ok[j]
				}
				m.cost[i] = pm.cost[j]
				m.state[i].Store(admKnown)
			}
		}
		if c.exprs == nil {
			c.exprs = map[exprKey]*exprMemo{}
		}
		c.exprs[k] = m
	}
}

// admKey is what the admission findings of an expert depend on besides the expert.
type admKey struct {
	rules *admission.Rules
	at    time.Time
}

// admCache holds the admission findings (DrawableView) of the pool's experts for one admKey,
// with what their evaluation cost, as the draws evaluate them: each draw keeps what it
// evaluated under its own limits (see keep), and reads what another kept.
type admCache struct {
	state []atomic.Uint32       // per pool index: admEmpty, admFilling or admKnown
	fs    [][]admission.Finding // per pool index, read-only once admKnown
	cost  []admCost             // per pool index, likewise
}

const (
	admEmpty = iota
	admFilling
	admKnown
)

type admCost struct{ steps, bytes int64 }

func (c *poolCache) admission(n int, r *admission.Rules, at time.Time) *admCache {
	k := admKey{r, at}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.adm == nil {
		c.adm = map[admKey]*admCache{}
	}
	a := c.adm[k]
	if a == nil {
		if len(c.adm) >= maxAdmCaches {
			clear(c.adm) // a pool lives for a few request dates; never grow without bound
		}
		a = &admCache{state: make([]atomic.Uint32, n), fs: make([][]admission.Finding, n), cost: make([]admCost, n)}
		c.adm[k] = a
	}
	return a
}

// drawable returns the admission findings of pool expert i (DrawableView of e with view v;
// age is e's age on the activity date, admission.Screen.DrawableViewAged), charged to m
// exactly as an evaluation would charge it: kept findings when m holds enough for them
// (replay), otherwise evaluated, and kept for the next draws when they ran under their own
// limits only.
func (a *admCache) drawable(i int, e *admission.Expert, age int, view func() *admission.ExpertView, sc *admission.Screen, m *rule.Meter) []admission.Finding {
	if a.state[i].Load() == admKnown && replay(m, a.cost[i]) {
		return a.fs[i]
	}
	s0, b0 := m.Remaining()
	fresh := m.Exhausted() == ""
	fs := sc.DrawableViewAged(e, view(), age, m)
	if !fresh || m.Exhausted() != "" {
		return fs
	}
	s1, b1 := m.Remaining()
	c := admCost{s0 - s1, b0 - b1}
	// Every evaluation saw at least what is left now; with the margin, that is more than any
	// rule's own limits, so the findings are those of an unlimited meter.
	if s1 >= replayMargin.steps && b1 >= replayMargin.bytes && a.state[i].CompareAndSwap(admEmpty, admFilling) {
		a.fs[i], a.cost[i] = fs, c
		a.state[i].Store(admKnown)
	}
	return fs
}

// maxAdmCaches bounds the admission findings kept per pool (one per rules and date; about
// 44 bytes per expert each: 4.4 MB for 100,000 experts).
const maxAdmCaches = 8

// exprKey names a request expression whose result depends on the expert alone (pure): its
// text and whether it is a group key (a value) or a filter (a boolean).
type exprKey struct {
	src   string
	group bool
}

// exprMemo keeps the results of one pure request expression (see Prepared.pure) per pool
// expert, with their cost, as draws evaluate them (like admCache). A group key's values are
// numbered by pool-level tokens (token), so that every draw using the memo shares them.
type exprMemo struct {
	state []atomic.Uint32 // per pool index
	ok    []bool          // a filter's result
	tok   []int32         // a group key's value token, -1 = no group
	cost  []admCost
	mu    sync.Mutex // guards strs, others and n
	strs  map[string]int32
	other map[string]int32
	n     int32
}

// maxExprMemos bounds the expression results kept per pool (about 21–24 bytes per expert
// each). When a bound is reached the kept results are dropped and kept again as draws go.
const maxExprMemos = 16

func (c *poolCache) memo(k exprKey, n int) *exprMemo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.exprs == nil {
		c.exprs = map[exprKey]*exprMemo{}
	}
	m := c.exprs[k]
	if m == nil {
		if len(c.exprs) >= maxExprMemos {
			clear(c.exprs)
		}
		m = &exprMemo{state: make([]atomic.Uint32, n), cost: make([]admCost, n)}
		if k.group {
			m.tok = make([]int32, n)
			m.strs, m.other = map[string]int32{}, map[string]int32{}
		} else {
			m.ok = make([]bool, n)
		}
		c.exprs[k] = m
	}
	return m
}

// token returns the pool-level token of a group value: x a string value, or (str false) the
// groupValue form of another value.
func (m *exprMemo) token(x string, str bool) int32 {
	if x == "" {
		return -1
	}
	mp := m.strs
	if !str {
		mp = m.other
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := mp[x]
	if !ok {
		t = m.n
		mp[x] = t
		m.n++
	}
	return t
}

// known returns whether expert i's result is kept, and charges m its cost if it is usable.
func (em *exprMemo) known(i int, m *rule.Meter) bool {
	return em != nil && em.state[i].Load() == admKnown && replay(m, em.cost[i])
}

// keep stores expert i's result (through set) when its evaluation, which started with s0 and
// b0 left on m and did not fail, ran under its own limits only.
func (em *exprMemo) keep(i int, m *rule.Meter, s0, b0 int64, set func()) {
	if em == nil || m.Exhausted() != "" {
		return
	}
	s1, b1 := m.Remaining()
	if s1 >= replayMargin.steps && b1 >= replayMargin.bytes && em.state[i].CompareAndSwap(admEmpty, admFilling) {
		set()
		em.cost[i] = admCost{s0 - s1, b0 - b1}
		em.state[i].Store(admKnown)
	}
}

// replayMargin is what a meter must still hold after a kept evaluation is charged for that
// evaluation to be certain to have run exactly as it did when it was kept: every evaluation
// of a rule compiled with the default limits is then bounded by its own limits, not by the
// meter.
var replayMargin = admCost{steps: max(rules.DefaultSteps, rules.DefaultMemoryBudget) + 1, bytes: rules.DefaultBytes + 1}

// replay charges m with c when m holds enough for it (see replayMargin); it reports whether it
// did.
func replay(m *rule.Meter, c admCost) bool {
	steps, bytes := m.Remaining()
	if m.Exhausted() != "" || steps-c.steps < replayMargin.steps || bytes-c.bytes < replayMargin.bytes {
		return false
	}
	m.Charge("", c.steps, c.bytes, false)
	return true
}

// poolIndex is what a draw derives from the pool alone.
type poolIndex struct {
	order     []int32     // pool indices of the experts with a valid ID, in ID order
	ids       []string    // their IDs, in the same order
	badIDs    []Exclusion // experts whose ID is not valid, in pool order
	badSorted []Exclusion // the same, sorted (sortedBadIDs)
	bad       []int32     // their pool indices
	dup       string      // an ID listed twice, or ""
	usage     []int       // per pool index: Pool.Usage
	hist      [][]Participation
	books     [][]Booking
	// kept by a cache only:
	born  []civilDate            // per pool index: the birth date's calendar date
	org   []int32                // per pool index: index in names of Affiliation.Org
	names []string               // conflict.NormalizeName of each distinct unit name
	orgs  map[string]int32       // index in names of each unit name
	fp    []conflict.Fingerprint // per pool index: the recusal fingerprint
	flags []uint8                // per pool index: flagInactive, flagUnavailable
	// idText is ids[k] + "\n" for every k, in order, in one array; idOff[k] is where ids[k]
	// starts in it (idOff[len(ids)] = len(idText)): the pool digest hashes runs of it.
	idText []byte
	idOff  []int32
}

// setIDText fills ix.idText and ix.idOff from ix.ids.
func (ix *poolIndex) setIDText() {
	size := len(ix.ids)
	for _, id := range ix.ids {
		size += len(id)
	}
	ix.idText, ix.idOff = make([]byte, 0, size), make([]int32, len(ix.ids)+1)
	for k, id := range ix.ids {
		ix.idOff[k] = int32(len(ix.idText))
		ix.idText = append(ix.idText, id...)
		ix.idText = append(ix.idText, '\n')
	}
	ix.idOff[len(ix.ids)] = int32(len(ix.idText))
}

// Bits of poolIndex.flags: what the screen would otherwise read from the expert itself.
const (
	flagInactive    = 1 << iota // Status is not admission.Active
	flagUnavailable             // Unavailable is not empty
)

// setExpert fills the per-expert fields of a cached index for pool expert i (e), its
// Affiliation.Org already in org[i]; units is scratch space, returned for reuse.
func (ix *poolIndex) setExpert(i int, e *admission.Expert, units []string) []string {
	units = append(units[:0], ix.names[ix.org[i]])
	for k := range e.Past {
		units = append(units, conflict.NormalizeName(e.Past[k].Org))
	}
	ix.fp[i] = conflict.FingerprintOf(e, units)
	var f uint8
	if e.Status != admission.Active {
		f |= flagInactive
	}
	if len(e.Unavailable) > 0 {
		f |= flagUnavailable
	}
	ix.flags[i] = f
	return units
}

// civilDate is a calendar date as time.Time.Date reads it.
type civilDate struct {
	y    int32
	m, d uint8
}

func civilOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{int32(y), uint8(m), uint8(d)}
}

// ageOn is admission.Age(birth, at) for a birth date read as b and at read as a
// (TestAgeOnAgreesWithAdmission).
func ageOn(b, a civilDate) int {
	age := int(a.y) - int(b.y)
	bm, bd := b.m, b.d
	if bm == uint8(time.February) && bd == 29 && !leap(int(a.y)) {
		bm, bd = uint8(time.March), 1
	}
	if a.m < bm || (a.m == bm && a.d < bd) {
		age--
	}
	return max(age, 0)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// plainIndexes are the pool indexes of draws from pools without a cache (plainIndex),
// reused from draw to draw.
var plainIndexes = sync.Pool{New: func() any { return new(poolIndex) }}

// plainIndex returns the index of a pool without a cache (newExpertIndex and withMaps), in
// arrays reused from earlier draws; the caller gives it back with release once the draw no
// longer reads it.
func plainIndex(pool Pool) *poolIndex {
	ix := plainIndexes.Get().(*poolIndex)
	*ix = poolIndex{order: ix.order[:0], ids: ix.ids[:0], usage: ix.usage}
	fillExpertIndex(ix, pool.Experts)
	usage := grown(&ix.usage, len(pool.Experts))
	clear(usage)
	ix.setMaps(ix, pool, usage)
	return ix
}

// release gives a plainIndex back, keeping only its arrays without what they refer to.
func (ix *poolIndex) release() {
	clear(ix.ids)
	*ix = poolIndex{order: ix.order[:0], ids: ix.ids[:0], usage: ix.usage}
	plainIndexes.Put(ix)
}

// newExpertIndex returns the part of a pool index that depends on the experts alone: the
// valid IDs in order, the invalid ones, a duplicate.
func newExpertIndex(experts []admission.Expert) *poolIndex {
	n := len(experts)
	ix := &poolIndex{order: make([]int32, 0, n), ids: make([]string, 0, n)}
	fillExpertIndex(ix, experts)
	return ix
}

// fillExpertIndex is newExpertIndex appending to ix.order and ix.ids (empty).
func fillExpertIndex(ix *poolIndex, experts []admission.Expert) {
	n := len(experts)
	// Sort (prefix, index) pairs rather than indexes into the pool: the sort then reads
	// adjacent memory instead of one large Expert each. The first 8 bytes of an ID,
	// big-endian and zero-padded, order IDs as the strings do wherever they differ; equal
	// prefixes fall back to the strings, read from byPool (the IDs in pool order).
	srt := idSorters.Get().(*idSorter)
	defer srt.put()
	byPool := grown(&srt.byPool, n)
	es := srt.es[:0]
	for i := range experts {
		id := experts[i].ID
		byPool[i] = id
		if !admission.ValidExpertID(id) {
			ix.badIDs = append(ix.badIDs, badIDExclusion(id))
			ix.bad = append(ix.bad, int32(i))
		} else {
			es = append(es, idEntry{idPrefix(id), int32(i)})
		}
	}
	srt.es = es
	es = srt.sort(es, byPool)
	for k := range es {
		id := byPool[es[k].i]
		if k > 0 && es[k].key == es[k-1].key && id == byPool[es[k-1].i] && ix.dup == "" {
			ix.dup = id
		}
		ix.order = append(ix.order, es[k].i)
		ix.ids = append(ix.ids, id)
	}
	ix.badSorted = sortedBadIDs(slices.Clone(ix.badIDs))
}

// idEntry is an expert's ID prefix (idPrefix) and pool index, as the pool index sorts them.
// It holds no pointer: the sort's buffers are reused without being cleared.
type idEntry struct {
	key uint64
	i   int32
}

// idSorter holds the buffers of one sort of a pool's IDs, reused from draw to draw
// (idSorters): the entries, the radix sort's second array and count table, and the IDs in
// pool order (cleared after each sort, so that no pool's IDs are kept alive).
type idSorter struct {
	es, tmp []idEntry
	at      []int
	byPool  []string
}

var idSorters = sync.Pool{New: func() any { return new(idSorter) }}

func (s *idSorter) put() {
	clear(s.byPool)
	idSorters.Put(s)
}

// sort sorts es by ID (ids[e.i] is the ID of entry e) and returns the sorted slice (es or
// the sorter's other array): a least-significant-digit radix sort on the bits of the 8-byte
// prefixes that differ between entries, then by string within each run of equal prefixes.
// Pools of IDs that share a prefix and differ in a few characters sort in two or three
// linear passes instead of n log n comparisons.
func (s *idSorter) sort(es []idEntry, ids []string) []idEntry {
	byID := func(a, b idEntry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return strings.Compare(ids[a.i], ids[b.i])
	}
	if len(es) < 256 {
		slices.SortFunc(es, byID)
		return es
	}
	and, or := ^uint64(0), uint64(0)
	for k := range es {
		and &= es[k].key
		or |= es[k].key
	}
	diff := and ^ or
	// Digits of 8 bits, or 11 for a pool large enough to fill the wider count table: IDs of
	// one pattern (a letter, then digits) differ in 12 to 24 bits.
	width := 8
	if len(es) >= 512 {
		width = 11
	}
	tmp, at := grown(&s.tmp, len(es)), grown(&s.at, 1<<width)
	lo, hi := bits.TrailingZeros64(diff), 64-bits.LeadingZeros64(diff)
	for shift := lo; shift < hi; shift += width {
		clear(at)
		mask := uint64(len(at) - 1)
		for k := range es {
			at[(es[k].key>>shift)&mask]++
		}
		sum := 0
		for b, c := range at {
			at[b] = sum
			sum += c
		}
		for k := range es {
			b := (es[k].key >> shift) & mask
			tmp[at[b]] = es[k]
			at[b]++
		}
		es, tmp = tmp, es
	}
	// Keep both arrays for the next sort, whichever holds the result.
	s.es, s.tmp = es[:0], tmp[:0]
	for b := 0; b < len(es); {
		t := b + 1
		for t < len(es) && es[t].key == es[b].key {
			t++
		}
		if t-b > 1 {
			slices.SortFunc(es[b:t], byID)
		}
		b = t
	}
	return es
}

// idPrefix packs the first 8 bytes of id big-endian, zero-padded: idPrefix(a) < idPrefix(b)
// implies a < b, and a < b implies idPrefix(a) ≤ idPrefix(b).
func idPrefix(id string) uint64 {
	var b [8]byte
	copy(b[:], id)
	return binary.BigEndian.Uint64(b[:])
}

func (ix *poolIndex) historyAt(i int) []Participation {
	if ix.hist == nil {
		return nil
	}
	return ix.hist[i]
}

func (ix *poolIndex) bookingsAt(i int) []Booking {
	if ix.books == nil {
		return nil
	}
	return ix.books[i]
}
