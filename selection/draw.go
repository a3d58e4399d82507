package selection

import (
	"fmt"
	"slices"
	"strings"
)

// Pick is one panel seat or alternate. Round is the round of the sequence that drew the
// expert (0-based), or -1 for a preferential pick or an invited expert, who are not drawn.
type Pick struct {
	ExpertID     string `json:"expert_id"`
	Preferential bool   `json:"preferential,omitempty"`
	Invited      bool   `json:"invited,omitempty"`
	Round        int    `json:"round"`
}

// Result is the outcome of a draw, with what a third party needs to verify it: the pool
// digest, the request digest, the exact key and the mode.
type Result struct {
	RequestID     string      `json:"request_id"`
	Mode          Mode        `json:"mode"`
	Panel         []Pick      `json:"panel"`   // preferential picks, invited experts, then drawn experts in round order
	Reserve       []Pick      `json:"reserve"` // alternates in round order: drawn but closed by the structure, then the rounds after the panel
	Excluded      []Exclusion `json:"excluded"`
	Candidates    int         `json:"candidates"` // number of candidates in the random rounds
	PoolDigest    string      `json:"pool_digest"`
	RequestDigest string      `json:"request_digest"`
	Key           string      `json:"key"` // the exact hash key used
}

// Draw draws the panel of req from pool with entropy under r (nil = DefaultRules):
//
//  0. When r.DrawWindow is configured, refuse a draw whose Request.DrawnAt lies outside it
//     (CheckWindow, ErrDrawWindow).
//  1. Screen the pool (Exclusion lists who is dropped and why, including declared
//     unavailability, clashing bookings and county exclusion rules) and sort the
//     candidates by ID.
//  2. Check the preferential picks with their plan (Art. 14(1), 25) and the invited experts
//     with their approval chain (Art. 12, 28); they take the first seats.
//  3. Check that some panel meets Size, every quota and every group cap; if none does,
//     return an error wrapping ErrInfeasible naming the constraints, before any pick.
//  4. Walk the sequence (Sequence over the candidates with the mode's key): each drawn
//     candidate joins the panel when the panel can still be completed with it, and is
//     otherwise closed and kept as an alternate; stop when the panel is full.
//  5. List Reserve: the closed candidates and the continuing sequence, in round order.
//
// The result depends only on the inputs, not on the order of pool.Experts. See
// docs/draw-v1.md for the exact algorithm.
func Draw(req Request, pool Pool, entropy Entropy, r *Rules) (*Result, error) {
	p, err := Prepare(req, r)
	if err != nil {
		return nil, err
	}
	return p.Draw(pool, entropy)
}

// Draw draws the prepared request; see Draw.
func (p *Prepared) Draw(pool Pool, entropy Entropy) (*Result, error) {
	if entropy.empty() {
		return nil, ErrNoEntropy
	}
	if err := p.CheckWindow(); err != nil {
		return nil, err
	}
	b, err := p.newBase(pool)
	if err != nil {
		return nil, err
	}
	return b.draw(entropy)
}

func (b *base) key(e Entropy) string {
	if b.p.rules.Mode == RFC3797 {
		return e.Key()
	}
	return V1Key(b.p.digest, b.poolDigest, e)
}

func (b *base) draw(e Entropy) (*Result, error) {
	key := b.key(e)
	w := b.newWalk(key)
	if err := w.fill(); err != nil {
		return nil, err
	}
	res := &Result{
		RequestID: b.p.req.ID, Mode: b.p.rules.Mode, Excluded: b.excluded, Candidates: len(b.ids),
		PoolDigest: b.poolDigest, RequestDigest: b.p.digest, Key: key,
	}
	res.Panel = w.panel()
	n := b.p.rules.Reserve
	if n <= 0 {
		n = b.p.req.Size
	}
	res.Reserve = w.reserve(n)
	return res, nil
}

// walk is the panel being filled from the sequence.
type walk struct {
	b       *base
	s       *state
	seq     *stream
	fixed   []member
	drawn   []int   // rounds on the panel, in order
	used    []bool  // per candidate position: ever on the panel
	closed  []bool  // per candidate position: cannot join the current panel
	closedN []int   // the positions set in closed, to clear them
	verdict []int8  // per class, within one fillOne: 0 unknown, 1 can join, -1 cannot
	seen    []int32 // the classes set in verdict
}

func (b *base) newWalk(key string) *walk {
	return &walk{b: b, s: b.s0.clone(), seq: newStream(len(b.ids), key, b.p.rules.Mode),
		fixed: slices.Clone(b.fixed), used: make([]bool, len(b.ids)), closed: make([]bool, len(b.ids)),
		verdict: make([]int8, len(b.st.class))}
}

// clearClosed reopens every closed candidate.
func (w *walk) clearClosed() {
	for _, pos := range w.closedN {
		w.closed[pos] = false
	}
	w.closedN = w.closedN[:0]
}

// fill adds drawn candidates until the panel is full: the first candidate in round order that
// is neither used nor closed joins, as long as the panel stays completable.
func (w *walk) fill() error {
	for w.s.members < w.b.st.size {
		if _, err := w.fillOne(); err != nil {
			return err
		}
	}
	return nil
}

// fillOne fills one seat: it scans the sequence from round 0 (so that an alternate closed
// earlier can take a seat that a vacancy reopened) and takes the first candidate that is not
// used and can join.
func (w *walk) fillOne() (int, error) {
	defer func() {
		for _, c := range w.seen {
			w.verdict[c] = 0
		}
		w.seen = w.seen[:0]
	}()
	for i := 0; ; i++ {
		pos, ok := w.seq.at(i)
		if !ok {
			return 0, &Error{Kind: ErrExhausted, Article: "Art. 14(2)", Code: "exhausted",
				Message: fmt.Sprintf("候选专家已用尽，专家组尚缺 %d 人；请调整抽取条件或结构后重新申请", w.b.st.size-w.s.members),
				Detail:  fmt.Sprintf("sequence exhausted with %d seats open", w.b.st.size-w.s.members)}
		}
		if w.used[pos] || w.closed[pos] {
			continue
		}
		c := w.b.cls[pos]
		v := w.verdict[c]
		if v == 0 {
			ok, err := w.s.canAdd(c)
			if err != nil {
				return 0, err
			}
			v = -1
			if ok {
				v = 1
			}
			w.verdict[c] = v
			w.seen = append(w.seen, int32(c))
		}
		if v > 0 {
			w.s.addMember(c, true)
			w.used[pos] = true
			w.drawn = append(w.drawn, i)
			return i, nil
		}
		// A candidate that cannot join stays closed until a vacancy: more members only
		// restrict the completions.
		w.closed[pos] = true
		w.closedN = append(w.closedN, pos)
	}
}

// vacate takes the drawn expert of round i off the panel.
func (w *walk) vacate(round int) {
	pos, _ := w.seq.at(round)
	w.s.removeMember(w.b.cls[pos])
	w.clearClosed()
	for k, r := range w.drawn {
		if r == round {
			w.drawn = append(w.drawn[:k], w.drawn[k+1:]...)
			break
		}
	}
}

// vacateFixed takes a preferential pick or invited expert off the panel.
func (w *walk) vacateFixed(id string) {
	for k, m := range w.fixed {
		if m.pick.ExpertID == id {
			w.s.removeMember(m.class)
			w.fixed = append(w.fixed[:k:k], w.fixed[k+1:]...)
			w.clearClosed()
			return
		}
	}
}

func (w *walk) pick(round int) Pick {
	pos, _ := w.seq.at(round)
	return Pick{ExpertID: w.b.ids[pos], Round: round}
}

func (w *walk) panel() []Pick {
	out := make([]Pick, 0, len(w.fixed)+len(w.drawn))
	for _, m := range w.fixed {
		out = append(out, m.pick)
	}
	for _, r := range w.drawn {
		out = append(out, w.pick(r))
	}
	return out
}

// reserve lists up to n alternates in round order: candidates never on the panel.
func (w *walk) reserve(n int) []Pick {
	var out []Pick
	for i := 0; len(out) < n; i++ {
		pos, ok := w.seq.at(i)
		if !ok {
			break
		}
		if !w.used[pos] {
			out = append(out, Pick{ExpertID: w.b.ids[pos], Round: i})
		}
	}
	return out
}

// explain names the constraints that no panel can meet, trying each constraint alone, then
// each pair, then all of them.
func (b *base) explain() error {
	st, s := b.st, b.s0
	nq, ng := len(st.qmin), len(st.gmax)
	try := func(qs, gs []int) (bool, error) {
		aq, ag := make([]bool, nq), make([]bool, ng)
		for _, q := range qs {
			aq[q] = true
		}
		for _, g := range gs {
			ag[g] = true
		}
		return newSolver(s, aq, ag).solve()
	}
	type cons = constraintRef
	var all []cons
	for q := range nq {
		all = append(all, cons{q, -1})
	}
	for g := range ng {
		all = append(all, cons{-1, g})
	}
	split := func(cs ...cons) (qs, gs []int) {
		for _, c := range cs {
			if c.q >= 0 {
				qs = append(qs, c.q)
			} else {
				gs = append(gs, c.g)
			}
		}
		return
	}
	fixed := len(b.fixed)
	available := len(b.ids)
	if ok, err := try(nil, nil); err != nil {
		return err
	} else if !ok {
		return &Error{Kind: ErrInfeasible, Article: "Art. 13", Code: "size", Constraints: []string{"size"},
			Message: fmt.Sprintf("符合条件的候选专家 %d 名（另有择优选取和特邀专家 %d 名），不足所需的 %d 名", available, fixed, st.size),
			Detail:  fmt.Sprintf("%d candidates and %d fixed members cannot fill %d seats", available, fixed, st.size)}
	}
	for _, c := range all {
		qs, gs := split(c)
		ok, err := try(qs, gs)
		if err != nil {
			return err
		}
		if !ok {
			return b.infeasible([]cons{c}, func(c cons) string { return b.describe(c.q, c.g) })
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			qs, gs := split(all[i], all[j])
			ok, err := try(qs, gs)
			if err != nil {
				return err
			}
			if !ok {
				return b.infeasible([]cons{all[i], all[j]}, func(c cons) string { return b.describe(c.q, c.g) })
			}
		}
	}
	return b.infeasible(all, func(c cons) string { return b.describe(c.q, c.g) })
}

// constraintRef names a quota (q ≥ 0) or a group cap (g ≥ 0).
type constraintRef struct{ q, g int }

func (b *base) infeasible(cs []constraintRef, describe func(constraintRef) string) error {
	var names, descs []string
	for _, c := range cs {
		if c.q >= 0 {
			names = append(names, "quota:"+b.st.qname[c.q])
		} else {
			names = append(names, "group:"+b.st.gname[c.g])
		}
		descs = append(descs, describe(c))
	}
	msg := "在专家组 " + fmt.Sprint(b.st.size) + " 人的前提下，" + strings.Join(descs, "与") + "无法满足"
	if len(cs) > 1 {
		msg = "在专家组 " + fmt.Sprint(b.st.size) + " 人的前提下，" + strings.Join(descs, "、") + "无法同时满足"
	}
	code := "structure"
	if len(cs) == 1 {
		code = strings.SplitN(names[0], ":", 2)[0]
	}
	return &Error{Kind: ErrInfeasible, Article: "Art. 13", Code: code, Constraints: names,
		Message: msg + "；请调整抽取条件或结构",
		Detail:  "no panel meets " + strings.Join(names, " and ")}
}

// describe writes a constraint in Chinese with the number of matching candidates.
func (b *base) describe(q, g int) string {
	st := b.st
	if q >= 0 {
		match := 0
		for _, c := range b.cls {
			if st.class[c].mask&(1<<q) != 0 {
				match++
			}
		}
		bounds := fmt.Sprintf("至少 %d 名", st.qmin[q])
		if st.qmax[q] != unbounded {
			bounds += fmt.Sprintf("、至多 %d 名", st.qmax[q])
		}
		return fmt.Sprintf("结构配额 %q（%s，候选专家中符合的有 %d 名，已定专家中有 %d 名）", st.qname[q], bounds, match, b.s0.cntQ[q])
	}
	return fmt.Sprintf("分组上限 %q（每组至多 %d 名，候选专家共 %d 组）", st.gname[g], st.gmax[g], st.nvals[g])
}
