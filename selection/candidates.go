package selection

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Exclusion records why an expert of the pool is not a candidate of the random rounds: the
// article, a stable code and a Chinese reason.
//
// Codes: "expert-id" (Art. 17, the record's ID is not an admission.ValidExpertID; it is
// left out of the draw, which goes on), "not-active" (Art. 6 pending or Art. 10 exited), "annual-cap" (Art. 14(1)),
// "criteria" (Art. 13), "expression-error" (Art. 13, an expression failed on this expert),
// "not-eligible" (Art. 5, with the admission finding), the conflict codes of package conflict
// (Art. 15), "unavailable" (Art. 8(2), a declared unavailable period overlaps the activity),
// "booked" (Art. 8(2), an accepted seat on another activity overlaps it), the name of a
// county exclusion rule (its own article, default Art. 13; e.g. "cooling-off", Art. 15(5)),
// and "on-panel" (already on the panel as a preferential pick, Art. 14(1)). Each expert gets
// one exclusion, the first that applies in this order: on-panel, not-active, annual-cap,
// criteria, not-eligible, conflict, unavailable, booked, county exclusion rules in order.
type Exclusion struct {
	ExpertID string `json:"expert_id"`
	Article  string `json:"article"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
}

// member is a fixed panel member: a preferential pick or an invited expert.
type member struct {
	pick   Pick
	expert *admission.Expert
	class  int
}

// base is everything of a draw that does not depend on the entropy: the candidates in
// canonical order with their classes, the exclusions, the fixed members and the structure.
type base struct {
	p          *Prepared
	ids        []string
	experts    []*admission.Expert // candidate experts, canonical order
	cls        []int
	excluded   []Exclusion
	fixed      []member
	st         *structure
	s0         *state
	poolDigest string
}

// screener screens the experts of one pool for one draw, expert after expert. It reuses one
// Env (and, without a pool cache, one view) for every expert.
type screener struct {
	p       *Prepared
	pool    Pool
	ix      *poolIndex
	adm     *admCache // kept admission findings, or nil
	checker *conflict.Checker
	meter   *rule.Meter
	env     *Env
	names   map[string]string // NormalizeName of unit names, without a pool cache
	units   []string          // the current expert's unit names (conflict.Known.Units)
	at      civilDate         // the activity date (Request.At) as a calendar date
	viewOf  int               // the pool index whose view env holds, or -1
	crit    *exprMemo         // kept criteria results, or nil
	quotas  []*exprMemo       // kept quota filter results, per quota (nil entries)
	groups  []*exprMemo       // kept group values, per group (nil entries)
	gt      *groupTokens
	memo    conflict.Memo // the recusal checks' units, for this draw
	adms    *admission.Screen
	reasons map[string]string // notEligible's reasons by finding message
}

// notEligible returns the reason of an exclusion for the admission findings fs, built once
// per draw for the experts with a single finding of the same message.
func (sc *screener) notEligible(fs []admission.Finding) string {
	const head = "在活动日期不符合入库或抽取条件："
	if len(fs) == 1 {
		if m, ok := sc.reasons[fs[0].Message]; ok {
			return m
		}
		if sc.reasons == nil {
			sc.reasons = map[string]string{}
		}
		m := head + fs[0].Message
		sc.reasons[fs[0].Message] = m
		return m
	}
	msg := head + fs[0].Message
	for _, f := range fs[1:] {
		msg += "；" + f.Message
	}
	return msg
}

// admission returns the draw's admission screen (Art. 5), made on first use.
func (sc *screener) admission() *admission.Screen {
	if sc.adms == nil {
		sc.adms = admission.NewScreen(sc.p.rules.Admission, sc.p.req.At)
	}
	return sc.adms
}

// evalBool evaluates a request filter on pool expert i (sc.env set), from mm when kept.
func (sc *screener) evalBool(prog *rules.Bool[Env], mm *exprMemo, i int) (bool, error) {
	if mm == nil { // nothing kept (a pool without a cache, or an impure expression)
		sc.ensureView(i)
		return prog.EvalWith(sc.env, sc.meter, sc.env.scratch)
	}
	if mm.known(i, sc.meter) {
		return mm.ok[i], nil
	}
	sc.ensureView(i)
	s0, b0 := sc.meter.Remaining()
	fresh := sc.meter.Exhausted() == ""
	ok, err := prog.EvalWith(sc.env, sc.meter, sc.env.scratch)
	if err == nil && fresh {
		mm.keep(i, sc.meter, s0, b0, func() { mm.ok[i] = ok })
	}
	return ok, err
}

// setEnv makes sc.env the environment of pool expert i, except its view (ensureView).
func (sc *screener) setEnv(i int) {
	e, env := &sc.pool.Experts[i], sc.env
	sc.viewOf = -1
	if sc.ix.born != nil {
		env.Age = ageOn(sc.ix.born[i], sc.at)
	} else {
		env.Age = ageOn(civilOf(e.BirthDate), sc.at)
	}
	env.Usage = sc.ix.usage[i]
	env.Project = sc.p.project
	env.ReviewedUnitWithin = sc.p.reviewedUnitWithin(sc.ix.historyAt(i))
	env.meter = sc.meter
}

// ensureView fills the view of sc.env for pool expert i, once: only an expression that is
// evaluated (not kept) reads it.
func (sc *screener) ensureView(i int) {
	if sc.viewOf != i {
		sc.pool.Experts[i].ViewIntoFields(&sc.env.Expert, ^sc.p.unread)
		sc.viewOf = i
	}
}

// view returns sc.env's view when it is expert i's and complete (the county recusal rules
// may read any field), or nil.
func (sc *screener) view(i int) *admission.ExpertView {
	if sc.viewOf == i && sc.p.unread == 0 {
		return &sc.env.Expert
	}
	return nil
}

// unitNames returns conflict.UnitNames of pool expert i.
func (sc *screener) unitNames(i int) []string {
	e := &sc.pool.Experts[i]
	if sc.ix.org != nil {
		sc.units = append(sc.units[:0], sc.ix.names[sc.ix.org[i]])
	} else {
		sc.units = append(sc.units[:0], sc.normName(e.Affiliation.Org))
	}
	for k := range e.Past {
		sc.units = append(sc.units, sc.normName(e.Past[k].Org))
	}
	return sc.units
}

func (sc *screener) normName(org string) string {
	if n, ok := sc.names[org]; ok {
		return n
	}
	n := conflict.NormalizeName(org)
	if sc.names == nil {
		sc.names = map[string]string{}
	}
	sc.names[org] = n
	return n
}

// inactive reports whether pool expert i is not Active: from the cache's flags when it keeps
// them (the expert's record is then not read), else from the record.
func (sc *screener) inactive(i int) bool {
	if f := sc.ix.flags; f != nil {
		return f[i]&flagInactive != 0
	}
	return sc.pool.Experts[i].Status != admission.Active
}

// mayBeUnavailable reports whether pool expert i declared unavailable periods (always true
// without the cache's flags).
func (sc *screener) mayBeUnavailable(i int) bool {
	return sc.ix.flags == nil || sc.ix.flags[i]&flagUnavailable != 0
}

// screen decides whether pool expert i may be drawn for the request. It returns the
// exclusion (excluded true) or not; sc.env is the expert's environment when the cheap checks
// (status, cap) passed.
func (sc *screener) screen(i int) (ex Exclusion, excluded bool, err error) {
	p, e := sc.p, &sc.pool.Experts[i]
	usage := sc.ix.usage[i]
	r, q := p.rules, &p.req
	if sc.inactive(i) {
		art := "Art. 6"
		if e.Status == admission.Exited {
			art = "Art. 10"
		}
		return Exclusion{e.ID, art, "not-active", "专家状态为 " + strconv.Quote(string(e.Status)) + "，不是在库专家，不能抽取"}, true, nil
	}
	if r.AnnualCap > 0 && usage >= r.AnnualCap {
		return Exclusion{e.ID, "Art. 14(1)", "annual-cap",
			"本年度已参加 " + strconv.Itoa(usage) + " 次评审（咨询）活动，达到每年 " + strconv.Itoa(r.AnnualCap) + " 次的上限"}, true, nil
	}
	sc.setEnv(i)
	env := sc.env
	if p.criteria != nil {
		ok, err := sc.evalBool(p.criteria, sc.crit, i)
		if err != nil {
			if errors.Is(err, rule.ErrBudget) {
				return ex, false, budgetError(err)
			}
			return Exclusion{e.ID, "Art. 13", "expression-error", "专家条件表达式无法对该专家求值，按不符合处理：" + err.Error()}, true, nil
		}
		if !ok {
			return Exclusion{e.ID, "Art. 13", "criteria", "不符合本次抽取申请的专家条件"}, true, nil
		}
	}
	for k, prog := range p.conditions {
		c := &q.Conditions[k]
		art := cmp.Or(c.Article, "Art. 13")
		sc.ensureView(i)
		ok, err := prog.EvalWith(env, env.meter, env.scratch)
		if err != nil {
			if errors.Is(err, rule.ErrBudget) {
				return ex, false, budgetError(err)
			}
			return Exclusion{e.ID, art, "expression-error", fmt.Sprintf("使用细则规则“%s”的专家条件无法对该专家求值，按不符合处理：%v", c.Rule, err)}, true, nil
		}
		if ok == c.Negate {
			return Exclusion{e.ID, art, "criteria", "不符合使用细则规则“" + c.Rule + "”的专家条件"}, true, nil
		}
	}
	var fs []admission.Finding
	if a := sc.adm; a != nil {
		fs = a.drawable(i, e, env.Age, func() *admission.ExpertView { sc.ensureView(i); return &env.Expert }, sc.admission(), env.meter)
	} else {
		sc.ensureView(i)
		fs = sc.admission().DrawableViewAged(e, &env.Expert, env.Age, env.meter) // env.Age is the expert's age on the activity date
	}
	if env.meter != nil && env.meter.Exhausted() != "" {
		return ex, false, budgetError(&rule.EvalError{Rule: env.meter.Exhausted(), Article: "Art. 5", Budget: true,
			Err: errors.New("admission rule stopped by the draw's meter")})
	}
	if len(fs) > 0 {
		art := "Art. 5"
		if fs[0].Article != "" {
			art = fs[0].Article
		}
		return Exclusion{e.ID, art, "not-eligible", sc.notEligible(fs)}, true, nil
	}
	// The fingerprint rules out most experts without the full check: kept by a cache, or
	// computed here from the unit names the draw normalises once per name.
	var units []string
	may := true
	if sc.ix.fp != nil {
		may = sc.checker.MayConflict(&sc.ix.fp[i])
	} else if sc.checker.Selective() {
		units = sc.unitNames(i)
		f := conflict.FingerprintOf(e, units)
		may = sc.checker.MayConflict(&f)
	}
	if may {
		if units == nil {
			units = sc.unitNames(i)
		}
		c, conflicted := sc.checker.Excluding(e, conflict.Known{Units: units, View: sc.view(i), Meter: env.meter, Memo: &sc.memo})
		if env.meter != nil && env.meter.Exhausted() != "" {
			return ex, false, budgetError(&rule.EvalError{Rule: env.meter.Exhausted(), Article: "Art. 15(5)", Budget: true,
				Err: errors.New("recusal rule stopped by the draw's meter")})
		}
		if conflicted {
			x := conflictExclusionOf(c)
			return Exclusion{e.ID, x.art, x.code, x.reason}, true, nil
		}
	}
	if books := sc.ix.bookingsAt(i); len(books) > 0 || sc.mayBeUnavailable(i) {
		if x := p.availability(e, books); x != nil {
			return *x, true, nil
		}
	}
	if p.exclusions == nil {
		return ex, false, nil
	}
	sc.ensureView(i)
	x, err := p.countyExclusion(e.ID, env)
	if err != nil || x == nil {
		return ex, false, err
	}
	return *x, true, nil
}

// signature is Prepared.signature for pool expert i (sc.env set), from the kept results of
// pure expressions where an indexed pool has them.
func (sc *screener) signature(i int, toks []int32) (uint32, error) {
	p, env := sc.p, sc.env
	var mask uint32
	for k, prog := range p.quotas {
		ok, err := sc.evalBool(prog, sc.quotas[k], i)
		if err != nil {
			return 0, err
		}
		if ok {
			mask |= 1 << k
		}
	}
	for g, prog := range p.groups {
		mm := sc.groups[g]
		if mm == nil { // nothing kept
			sc.ensureView(i)
			t, err := p.groupToken(env, sc.gt, g, prog)
			if err != nil {
				return 0, err
			}
			toks[g] = t
			continue
		}
		if mm.known(i, env.meter) {
			toks[g] = mm.tok[i]
			continue
		}
		sc.ensureView(i)
		s0, b0 := env.meter.Remaining()
		fresh := env.meter.Exhausted() == ""
		t, err := p.groupToken(env, sc.gt, g, prog)
		if err != nil {
			return 0, err
		}
		if fresh {
			mm.keep(i, env.meter, s0, b0, func() { mm.tok[i] = t })
		}
		toks[g] = t
	}
	return mask, nil
}

type conflictExclusion struct{ art, code, reason string }

// conflictExclusionOf returns an excluding conflict as an exclusion.
func conflictExclusionOf(c conflict.Conflict) conflictExclusion {
	art := c.Article
	if art == "" {
		art = fmt.Sprintf("Art. 15(%d)", c.Clause)
	}
	reason := c.Reason
	if reason == "" {
		reason = "存在应当回避的情形"
	}
	return conflictExclusion{art, c.Code, reason}
}

// budgetError is the refusal of a draw stopped by the meter of its expressions: the
// evaluation error (rule.ErrEval, rule.ErrBudget, naming the rule and its article) wrapped
// in an *Error of kind ErrInvalidRequest.
func budgetError(err error) error {
	var ee *rule.EvalError
	art, name := "Art. 13", ""
	if errors.As(err, &ee) {
		art, name = cmp.Or(ee.Article, art), ee.Rule
	}
	return fmt.Errorf("%w: %w", refuse(ErrInvalidRequest, "", art, "expression-budget",
		fmt.Sprintf("表达式“%s”超出计算限额（步数或内存），本次抽取终止，未产生任何结果；请简化表达式后重新提交", name),
		fmt.Sprintf("expression %q exceeded its budget", name)), err)
}

// signature evaluates the quota filters and group keys on env: the mask of the quotas met
// and, in toks, a token per group for the group value (-1 = no group; equal values get equal
// tokens, see groupTokens).
func (p *Prepared) signature(env *Env, gt *groupTokens, toks []int32) (uint32, error) {
	var mask uint32
	for i, prog := range p.quotas {
		ok, err := prog.EvalWith(env, env.meter, env.scratch)
		if err != nil {
			return 0, err
		}
		if ok {
			mask |= 1 << i
		}
	}
	for g, prog := range p.groups {
		t, err := p.groupToken(env, gt, g, prog)
		if err != nil {
			return 0, err
		}
		toks[g] = t
	}
	return mask, nil
}

// groupToken evaluates group key g on env and returns its value's token.
func (p *Prepared) groupToken(env *Env, gt *groupTokens, g int, prog *rules.Value[Env]) (int32, error) {
	if x, ok, err := prog.EvalStringWith(env, env.meter, env.scratch); ok {
		if err != nil {
			return 0, err
		}
		return gt.str(g, x), nil
	}
	v, err := prog.EvalWith(env, env.meter, env.scratch)
	if err != nil {
		return 0, err
	}
	if x, ok := v.(string); ok {
		return gt.str(g, x), nil
	}
	s, err := groupValue(v)
	if err != nil {
		return 0, fmt.Errorf("group %q: %w", p.req.Groups[g].Name, err)
	}
	return gt.other(g, s), nil
}

// groupTokens numbers the group values of one draw as they are met (in pool order): a
// string value and any other value (in its groupValue form) never share a token, as they
// never share a groupValue. Value ids, numbered in canonical order, are assigned from the
// tokens (ids).
type groupTokens struct {
	memo         []*exprMemo // per group: the pool-level tokens of a kept group key, or nil
	strs, others []map[string]int32
	n            []int32
	canon        [][]int32 // per group, token → value id, -1 while unnumbered
}

func newGroupTokens(ng int) *groupTokens {
	gt := &groupTokens{memo: make([]*exprMemo, ng), strs: make([]map[string]int32, ng), others: make([]map[string]int32, ng), n: make([]int32, ng), canon: make([][]int32, ng)}
	for g := range ng {
		gt.strs[g], gt.others[g] = map[string]int32{}, map[string]int32{}
	}
	return gt
}

func (gt *groupTokens) str(g int, x string) int32 {
	if x == "" {
		return -1
	}
	if m := gt.memo[g]; m != nil {
		return m.token(x, true)
	}
	return gt.token(gt.strs[g], g, x)
}

func (gt *groupTokens) other(g int, s string) int32 {
	if s == "" {
		return -1
	}
	if m := gt.memo[g]; m != nil {
		return m.token(s, false)
	}
	return gt.token(gt.others[g], g, s)
}

func (gt *groupTokens) token(m map[string]int32, g int, k string) int32 {
	if t, ok := m[k]; ok {
		return t
	}
	t := gt.n[g]
	m[k] = t
	gt.n[g]++
	return t
}

// class returns the class of a signature given by tokens, numbering new values in st in the
// order of the calls (canonical order), exactly as structure.classOf would number them.
func (gt *groupTokens) class(st *structure, mask uint32, toks []int32) int {
	var ids [maxGroups]int32
	for g, t := range toks {
		if t < 0 {
			ids[g] = -1
			continue
		}
		c := gt.canon[g]
		for int(t) >= len(c) {
			c = append(c, -1)
		}
		gt.canon[g] = c
		if c[t] < 0 {
			c[t] = int32(st.nvals[g])
			st.nvals[g]++
		}
		ids[g] = c[t]
	}
	return st.classOfIDs(mask, ids, len(toks))
}

// newBase screens the pool, checks the preferential picks and the invitations, and verifies
// that some panel can meet the structure.
func (p *Prepared) newBase(pool Pool) (*base, error) {
	q, r := &p.req, p.rules
	if err := conflict.ValidateProject(q.Project, r.Conflict); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	checker := conflict.NewChecker(q.Project, pool.Relations, q.At, r.Conflict)
	pc := pool.cache.of(pool)
	var ix *poolIndex
	if pc != nil {
		ix = pc.index(pool)
	} else {
		ix = plainIndex(pool)
		defer ix.release() // read by newBase alone: the base keeps copies
	}
	if ix.dup != "" {
		return nil, refuse(ErrInvalidRequest, ix.dup, "Art. 13", "duplicate-expert", "专家库中同一编号出现多次", "pool lists an expert twice")
	}
	b := &base{p: p, st: newStructure(q, r.SearchBound)}
	prefErrs := p.checkPlan()
	pref := map[string]bool{}
	for _, id := range q.Preferred {
		if pref[id] {
			prefErrs = append(prefErrs, refuse(ErrPreferential, id, "Art. 14(1)", "duplicate", "择优选取名单中同一专家出现多次", "preferential pick listed twice"))
		}
		pref[id] = true
	}
	found := map[string]bool{}
	for _, x := range ix.badIDs {
		if pref[x.ExpertID] && !found[x.ExpertID] {
			found[x.ExpertID] = true
			prefErrs = append(prefErrs, refuse(ErrPreferential, "", x.Article, x.Code, "择优选取的专家不能入选："+x.Reason, "preferential pick has an invalid expert ID"))
		}
	}
	// Most of a pool are usually candidates: size the candidate lists once.
	b.ids, b.experts = make([]string, 0, len(ix.order)), make([]*admission.Expert, 0, len(ix.order))
	classes := make([]int, 0, len(ix.order))
	meter := rule.NewMeter(r.ExprBudget, 0) // shared by every expression of the draw
	sc := &screener{p: p, pool: pool, ix: ix, checker: checker, meter: meter, env: &Env{meter: meter, scratch: new(rules.Scratch)}, at: civilOf(q.At)}
	gt := newGroupTokens(len(q.Groups))
	sc.gt = gt
	sc.quotas, sc.groups = make([]*exprMemo, len(p.quotas)), make([]*exprMemo, len(p.groups))
	if pc != nil {
		if r.Admission.Compiled() {
			sc.adm = pc.admission(len(pool.Experts), r.Admission, q.At)
		}
		if p.pureCriteria {
			sc.crit = pc.memo(exprKey{src: q.Criteria}, len(pool.Experts))
		}
		for k, pure := range p.pureQuotas {
			if pure {
				sc.quotas[k] = pc.memo(exprKey{src: q.Quotas[k].Filter}, len(pool.Experts))
			}
		}
		for g, pure := range p.pureGroups {
			if pure {
				sc.groups[g] = pc.memo(exprKey{src: q.Groups[g].Key, group: true}, len(pool.Experts))
				gt.memo[g] = sc.groups[g]
			}
		}
	}
	// Screen in pool order (adjacent memory, expert after expert), then take the results in
	// canonical order: classes are numbered, candidates listed, exclusions and refusals of
	// preferential picks reported exactly as if the pool had been screened in that order.
	const (
		outExcluded = iota
		outCandidate
		outPreferred
		outRefused
	)
	n, ng := len(pool.Experts), len(q.Groups)
	bufs := screenBufs.Get().(*screenBuffers)
	defer screenBufs.Put(bufs)
	outcome := grown(&bufs.outcome, n)
	clear(outcome)
	masks := grown(&bufs.masks, n)  // set for each candidate before it is read
	slab := grown(&bufs.slab, n*ng) // group value tokens, ng per expert, likewise
	// The exclusions by canonical position (rank), compacted in place below: one allocation,
	// no copy per growth. Experts with an invalid ID have no position (rank -1).
	rank := grown(&bufs.rank, n)
	for i := range rank {
		rank[i] = -1
	}
	for k, o := range ix.order {
		rank[o] = int32(k)
	}
	exs := make([]Exclusion, len(ix.order)+len(ix.badSorted))
	var refused map[int]error
	for i := range pool.Experts {
		e := &pool.Experts[i]
		if len(pref) > 0 && pref[e.ID] {
			found[e.ID] = true
			if err := p.checkPreferred(sc, i); err != nil {
				if errors.Is(err, rule.ErrBudget) {
					return nil, err
				}
				if refused == nil {
					refused = map[int]error{}
				}
				outcome[i], refused[i] = outRefused, err
				continue
			}
			var err error
			masks[i], err = sc.signature(i, slab[i*ng:(i+1)*ng])
			if errors.Is(err, rule.ErrBudget) {
				return nil, budgetError(err)
			}
			if err != nil {
				if refused == nil {
					refused = map[int]error{}
				}
				outcome[i], refused[i] = outRefused, refuse(ErrPreferential, e.ID, "Art. 13", "expression-error", "结构表达式无法对该择优选取专家求值："+err.Error(), "structure expression failed on the preferential pick")
				continue
			}
			outcome[i] = outPreferred
			if r := rank[i]; r >= 0 {
				exs[r] = Exclusion{e.ID, "Art. 14(1)", "on-panel", "已作为择优选取专家列入专家组"}
			}
			continue
		}
		ex, excluded, err := sc.screen(i)
		if err != nil {
			return nil, err
		}
		if !excluded {
			masks[i], err = sc.signature(i, slab[i*ng:(i+1)*ng])
			if errors.Is(err, rule.ErrBudget) {
				return nil, budgetError(err)
			}
			if err != nil {
				ex = Exclusion{e.ID, "Art. 13", "expression-error", "结构配额或分组表达式无法对该专家求值，按不符合处理：" + err.Error()}
			} else {
				outcome[i] = outCandidate
				continue
			}
		}
		if r := rank[i]; r >= 0 {
			exs[r] = ex
		}
	}
	nx := 0 // exclusions kept so far, in canonical order: exs[:nx]
	var dig *poolDigester
	if ix.idText != nil {
		dig = newPoolDigester(ix)
	}
	for k, o := range ix.order {
		i := int(o)
		e := &pool.Experts[i] // not read for a candidate: its memory stays cold
		switch outcome[i] {
		case outCandidate:
			if dig != nil {
				dig.add(k)
			}
			b.ids = append(b.ids, ix.ids[k])
			b.experts = append(b.experts, e)
			classes = append(classes, gt.class(b.st, masks[i], slab[i*ng:(i+1)*ng]))
		case outPreferred:
			b.fixed = append(b.fixed, member{pick: Pick{ExpertID: e.ID, Preferential: true, Round: -1}, expert: e, class: gt.class(b.st, masks[i], slab[i*ng:(i+1)*ng])})
			exs[nx] = exs[k]
			nx++
		case outRefused:
			prefErrs = append(prefErrs, refused[i])
		default:
			exs[nx] = exs[k]
			nx++
		}
	}
	b.excluded = compactExclusions(exs, nx, ix.badSorted)
	for _, id := range q.Preferred {
		if !found[id] {
			prefErrs = append(prefErrs, refuse(ErrPreferential, id, "Art. 14(1)", "not-found", "择优选取的专家不在专家库中（库外专家须按特邀专家程序报批）", "preferential pick is not in the pool"))
		}
	}
	if err := errors.Join(prefErrs...); err != nil {
		return nil, err
	}
	slices.SortFunc(b.fixed, func(x, y member) int { return cmp.Compare(x.pick.ExpertID, y.pick.ExpertID) })
	inv, err := p.checkInvitations(pool, checker, found, meter)
	if err != nil {
		return nil, err
	}
	for _, m := range inv {
		ienv := p.env(m.expert, pool)
		ienv.meter = meter
		toks := make([]int32, ng)
		mask, err := p.signature(ienv, gt, toks)
		if errors.Is(err, rule.ErrBudget) {
			return nil, budgetError(err)
		}
		if err != nil {
			return nil, refuse(ErrInvitation, m.expert.ID, "Art. 13", "expression-error", "结构表达式无法对该特邀专家求值："+err.Error(), "structure expression failed on the invited expert")
		}
		m.class = gt.class(b.st, mask, toks)
		b.fixed = append(b.fixed, m)
	}
	b.cls = classes
	if dig != nil {
		b.poolDigest = dig.sum()
	} else {
		b.poolDigest = PoolDigest(b.ids)
	}
	b.s0 = newState(b.st)
	for _, c := range b.cls {
		b.s0.avail[c]++
	}
	for _, m := range b.fixed {
		b.s0.addMember(m.class, false)
	}
	ok, err := b.s0.feasible()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, b.explain()
	}
	return b, nil
}

// screenBuffers are newBase's arrays by pool index, reused from draw to draw (screenBufs):
// they hold no pointer, and newBase sets every element it reads.
type screenBuffers struct {
	outcome []uint8
	masks   []uint32
	slab    []int32
	rank    []int32
}

var screenBufs = sync.Pool{New: func() any { return new(screenBuffers) }}

// compactExclusions returns exs[:nx] followed by bad, in exs's array (cap(exs) ≥ nx +
// len(bad)), or nil when both are empty. A list under a quarter of the array is copied to
// one of its own size, so that a result does not keep a pool-sized array alive for a few
// exclusions; otherwise the rest of the array is cleared.
func compactExclusions(exs []Exclusion, nx int, bad []Exclusion) []Exclusion {
	k := nx + len(bad)
	if k == 0 {
		return nil
	}
	out := append(exs[:nx], bad...)
	if cap(exs) > 4*k+64 {
		return slices.Clone(out)
	}
	clear(exs[k:cap(exs)])
	return out[:k:k]
}

// checkPlan checks the plan and the share of preferential picks (Art. 14(1)).
func (p *Prepared) checkPlan() []error {
	q, r := &p.req, p.rules
	if len(q.Preferred) == 0 {
		return nil
	}
	var errs []error
	bad := func(code, msg, detail string) {
		errs = append(errs, refuse(ErrPreferential, "", "Art. 14(1)", code, msg, detail))
	}
	if f := r.PreferentialShare; !f.Allows(len(q.Preferred), q.Size) {
		bad("preferential-share", fmt.Sprintf("择优选取 %d 名超过专家组 %d 人的 %d/%d", len(q.Preferred), q.Size, f.Num, f.Den),
			fmt.Sprintf("%d preferential picks exceed %d/%d of a panel of %d", len(q.Preferred), f.Num, f.Den, q.Size))
	}
	pl := q.Plan
	switch {
	case pl == nil:
		bad("plan-missing", "择优选取须有选取方案，经分管领导审批并送局机关纪委备案", "preferential picks need a plan")
	default:
		if strings.TrimSpace(pl.Reason) == "" {
			bad("plan-reason", "选取方案须写明选用理由", "plan has no reason")
		}
		if strings.TrimSpace(pl.ApprovedBy) == "" {
			bad("plan-approval", "选取方案须经分管领导审批", "plan is not approved by the deputy leader")
		}
		if strings.TrimSpace(pl.FiledWith) == "" {
			bad("plan-filing", "选取方案须送局机关纪委备案", "plan is not filed with the discipline office")
		}
		if pl.At.IsZero() || pl.At.After(q.At) {
			bad("plan-date", "选取方案须在活动日期前审批", "plan is not approved before the activity date")
		} else if !q.DrawnAt.IsZero() && pl.At.After(q.DrawnAt) {
			bad("plan-date", "选取方案须在抽取前审批", "plan is not approved before the draw")
		}
	}
	return errs
}

// checkPreferred checks one preferential pick: active, under the cap, meets the criteria,
// eligible, no conflict, and last year's excellent rate (Art. 25).
func (p *Prepared) checkPreferred(sc *screener, i int) error {
	e, pool := &sc.pool.Experts[i], sc.pool
	if ex, excluded, err := sc.screen(i); err != nil {
		return err
	} else if excluded {
		return refuse(ErrPreferential, e.ID, ex.Article, ex.Code, "择优选取的专家不能入选："+ex.Reason, "preferential pick refused: "+ex.Code)
	}
	s, ok := pool.Last[e.ID]
	if ok && s.Year != CapYear(p.req.At)-1 {
		// Only last year's summary counts (Art. 25); an older or later one is no record.
		return refuse(ErrPreferential, e.ID, "Art. 25", "summary-year",
			fmt.Sprintf("履职评价汇总为 %d 年度，择优选取只看上一年度（%d 年）", s.Year, CapYear(p.req.At)-1),
			"summary is not of the previous year")
	}
	if !ok || !p.rules.Evaluation.PreferentialEligible(s) {
		msg := "上一年度没有履职评价记录，不能作为择优选取对象"
		if ok {
			msg = fmt.Sprintf("上一年度履职评价优秀率为 %d/%d，未超过规定比例，不能作为择优选取对象", s.Excellent, s.Total)
		}
		return refuse(ErrPreferential, e.ID, "Art. 25", "excellent-rate", msg, "previous year's excellent rate does not qualify")
	}
	return nil
}

// checkInvitations checks each invitation's reason, approval chain and filing (Art. 28) and
// conflict-checks the invitee (Art. 15).
func (p *Prepared) checkInvitations(pool Pool, checker *conflict.Checker, inPool map[string]bool, meter *rule.Meter) ([]member, error) {
	q := &p.req
	if len(q.Invited) == 0 {
		return nil, nil
	}
	ids := make(map[string]bool, len(pool.Experts)+len(q.Invited))
	for _, e := range pool.Experts {
		ids[e.ID] = true
	}
	var out []member
	var errs []error
	for i := range q.Invited {
		inv := &q.Invited[i]
		e := &inv.Expert
		bad := func(article, code, msg, detail string) {
			errs = append(errs, refuse(ErrInvitation, e.ID, article, code, msg, detail))
		}
		switch {
		case !validID(e.ID):
			bad("Art. 28", "invitee-id", "特邀专家须有编号（不含控制字符）", "invitee has no valid ID")
			continue
		case ids[e.ID]:
			bad("Art. 12", "invitee-in-database", "特邀专家须为非在库专家；在库专家请通过随机抽取或择优选取产生", "invitee is in the database")
			continue
		}
		ids[e.ID] = true
		if strings.TrimSpace(inv.Reason) == "" {
			bad("Art. 28", "invitation-reason", "须说明已入库专家无法满足条件的特殊要求", "invitation has no reason")
		}
		if msg := approvalChainProblem(inv.Approvals); msg != "" {
			bad("Art. 28", "approval-chain", msg, "approval chain incomplete or out of order")
		} else {
			bureau := inv.Approvals[len(inv.Approvals)-1].At
			if bureau.After(q.At) {
				bad("Art. 28", "approval-chain", "局务会须在活动日期前研究同意", "bureau meeting after the activity date")
			}
			if strings.TrimSpace(inv.FiledWith) == "" || inv.FiledAt.IsZero() || inv.FiledAt.Before(bureau) {
				bad("Art. 28", "filing", "特邀专家须在局务会同意后送局机关纪委备案", "invitation not filed with the discipline office after the bureau meeting")
			}
		}
		cs := checker.CheckWith(e, conflict.Known{Meter: meter})
		if meter.Exhausted() != "" {
			return nil, budgetError(&rule.EvalError{Rule: meter.Exhausted(), Article: "Art. 15(5)", Budget: true,
				Err: errors.New("recusal rule stopped by the draw's meter")})
		}
		for _, c := range cs {
			if !c.Excludes {
				continue
			}
			art := c.Article
			if art == "" {
				art = fmt.Sprintf("Art. 15(%d)", c.Clause)
			}
			bad(art, c.Code, "特邀专家存在应当回避的情形："+c.Reason, "invitee has a conflict: "+c.Code)
			break
		}
		if cp := p.rules.AnnualCap; cp > 0 && pool.Usage[e.ID] >= cp {
			bad("Art. 14(1)", "annual-cap", fmt.Sprintf("特邀专家本年度已参加 %d 次评审（咨询）活动，达到上限", pool.Usage[e.ID]), "invitee reached the annual cap")
		}
		if ex := p.availability(e, pool.Bookings[e.ID]); ex != nil {
			bad(ex.Article, ex.Code, "特邀专家不能参加："+ex.Reason, "invitee is not available: "+ex.Code)
		} else {
			ienv := p.env(e, pool)
			ienv.meter = meter
			ex, err := p.countyExclusion(e.ID, ienv)
			if err != nil {
				return nil, err
			}
			if ex != nil {
				bad(ex.Article, ex.Code, "特邀专家不能参加："+ex.Reason, "invitee excluded by a county rule: "+ex.Code)
			}
		}
		out = append(out, member{pick: Pick{ExpertID: e.ID, Invited: true, Round: -1}, expert: e})
	}
	return out, errors.Join(errs...)
}

// approvalChainProblem checks the chain of Art. 28: division head first; deputy leader and
// main leader (either order) after it; bureau meeting last; every step named and dated, no
// step earlier than the one before it.
func approvalChainProblem(as []Approval) string {
	if len(as) != 4 {
		return "特邀专家须依次经处室负责人同意、分管领导和主要领导审批、局务会研究同意（共四步）"
	}
	for _, a := range as {
		if strings.TrimSpace(a.By) == "" || a.At.IsZero() {
			return "审批环节须写明审批人（或会议）和日期"
		}
	}
	if as[0].Role != DivisionHead {
		return "审批第一步须为处室负责人同意"
	}
	mid := map[Role]bool{as[1].Role: true, as[2].Role: true}
	if !mid[DeputyLeader] || !mid[MainLeader] {
		return "处室负责人同意后须报分管领导和主要领导审批"
	}
	if as[3].Role != BureauMeeting {
		return "最后须经局务会研究同意"
	}
	if as[1].At.Before(as[0].At) || as[2].At.Before(as[0].At) || as[3].At.Before(as[1].At) || as[3].At.Before(as[2].At) {
		return "审批顺序不符：须先处室负责人，再分管领导和主要领导，最后局务会"
	}
	return ""
}
