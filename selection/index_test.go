package selection_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// genIndexPool returns a pool exercising every check of the screening: statuses, usage at
// the cap, ages around the retirement age (so that the activity date decides), missing
// credentials, units shared with the project, bad and (rarely) duplicate IDs, declared
// unavailability, bookings and history.
func genIndexPool(t *rapid.T) selection.Pool {
	n := rapid.IntRange(0, 24).Draw(t, "experts")
	p := selection.Pool{Usage: map[string]int{}, Bookings: map[string][]selection.Booking{}, History: map[string][]selection.Participation{}}
	day := activity.Truncate(24 * time.Hour)
	for i := range n {
		id := fmt.Sprintf("X%02d", i)
		switch rapid.IntRange(0, 200).Draw(t, "id kind") {
		case 0:
			id = "bad id " + id // not a valid expert ID
		case 1:
			if i > 0 {
				id = fmt.Sprintf("X%02d", i-1) // a duplicate: the draw is refused
			}
		}
		org := []string{"U0", "U1", "ＵＮＩＴ-2", "申报企业", "U3"}[rapid.IntRange(0, 4).Draw(t, "org")]
		cats := []admission.Category{admission.Technical}
		if rapid.Bool().Draw(t, "econ") {
			cats = append(cats, admission.Economic)
		}
		e := expert(id, org, cats...)
		if rapid.IntRange(0, 5).Draw(t, "drop credential") == 0 {
			e.Credentials = nil
		}
		e.Title = admission.TitleLevel(rapid.IntRange(2, 4).Draw(t, "title"))
		e.Region = []string{"330302", "330303"}[rapid.IntRange(0, 1).Draw(t, "region")]
		if rapid.Bool().Draw(t, "enterprise") {
			e.Affiliation.Kind = admission.Enterprise
		}
		// Born between 1958 and 1962: 65 before or after the request dates below.
		e.BirthDate = time.Date(rapid.IntRange(1958, 1962).Draw(t, "born"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 15, 0, 0, 0, 0, time.UTC)
		e.Status = []admission.Status{admission.Active, admission.Active, admission.Active, admission.Pending, admission.Exited}[rapid.IntRange(0, 4).Draw(t, "status")]
		if rapid.Bool().Draw(t, "past") {
			e.Past = []admission.Affiliation{{Org: "申报企业", Kind: admission.Enterprise, To: day.AddDate(0, -rapid.IntRange(1, 40).Draw(t, "left"), 0)}}
		}
		if rapid.IntRange(0, 6).Draw(t, "away") == 0 {
			from := day.AddDate(0, 0, rapid.IntRange(-400, 400).Draw(t, "away from"))
			e.Unavailable = []admission.Period{{From: from, To: from.AddDate(0, 0, rapid.IntRange(1, 60).Draw(t, "away days"))}}
		}
		p.Usage[e.ID] = rapid.IntRange(0, 11).Draw(t, "usage")
		if rapid.IntRange(0, 6).Draw(t, "booked") == 0 {
			from := day.AddDate(0, 0, rapid.IntRange(-400, 400).Draw(t, "booked from"))
			p.Bookings[e.ID] = []selection.Booking{{ActivityID: "R-OTHER", From: from, To: from.Add(48 * time.Hour)}}
		}
		if rapid.IntRange(0, 4).Draw(t, "history") == 0 {
			p.History[e.ID] = []selection.Participation{{ActivityID: "R-OLD", ApplicantUnit: "申报企业",
				At: day.AddDate(0, -rapid.IntRange(0, 24).Draw(t, "months ago"), 0)}}
		}
		p.Experts = append(p.Experts, e)
	}
	if rapid.Bool().Draw(t, "relations") {
		p.Relations = []conflict.Relation{{A: "M2", B: "X02", Kind: "family"}}
	}
	return p
}

// genIndexRequest returns a request on one of several dates, with or without criteria,
// quotas, a group cap and project members in the pool's units.
func genIndexRequest(t *rapid.T, k int, shared string) selection.Request {
	req := request(rapid.IntRange(1, 4).Draw(t, "size"))
	req.ID = fmt.Sprintf("R-%d", k)
	req.At = activity.AddDate(rapid.IntRange(-3, 3).Draw(t, "years"), rapid.IntRange(0, 11).Draw(t, "months"), 0)
	req.Criteria = []string{"", `expert.Title >= AssociateSenior`, `age < 64`, `expert.Region == "330302" || usage < 5`,
		`!reviewedUnitWithin("申报企业", 12)`, shared, shared}[rapid.IntRange(0, 6).Draw(t, "criteria")]
	for q := range rapid.IntRange(0, 2).Draw(t, "quotas") {
		f := rapid.IntRange(0, len(filterDefs)-1).Draw(t, "filter")
		req.Quotas = append(req.Quotas, selection.Quota{Name: fmt.Sprintf("q%d", q), Filter: filterDefs[f].expr, Min: rapid.IntRange(0, 1).Draw(t, "min")})
	}
	if rapid.Bool().Draw(t, "group") {
		req.Groups = []selection.GroupCap{{Name: "unit", Key: groupDefs[rapid.IntRange(0, 1).Draw(t, "key")].expr, Max: rapid.IntRange(1, 2).Draw(t, "cap")}}
	}
	if rapid.Bool().Draw(t, "member") {
		req.Project.Members = []conflict.Person{{ID: "M1", Name: "成员", Affiliation: admission.Affiliation{Org: "U1", Kind: admission.Enterprise}}}
	}
	// Recusal by an expert's own ID, by a relation (genIndexPool's) and by the avoidance list.
	switch rapid.IntRange(0, 3).Draw(t, "recusal") {
	case 1:
		req.Project.Members = append(req.Project.Members, conflict.Person{ID: "X03", Name: "专家成员"})
	case 2:
		req.Project.Members = append(req.Project.Members, conflict.Person{ID: "M2", Name: "关系人"})
	case 3:
		req.Project.Avoid = []conflict.Avoidance{{ExpertID: "X01"}, {Org: "U3"}}
	}
	return req
}

// genIndexRules returns the default rules, or rules with a cooling-off exclusion rule, a
// lower cap, or a total expression budget near what the draw spends (so that the meter
// stops it at some expert, where a kept evaluation must not be charged blindly).
func genIndexRules(t *rapid.T) *selection.Rules {
	r := selection.DefaultRules()
	switch rapid.IntRange(0, 4).Draw(t, "rules") {
	case 0:
		return nil
	case 1:
		r.Exclusions = append(r.Exclusions, selection.CoolingOffRule(6))
	case 2:
		r.AnnualCap = 3
	case 3:
		r.ExprBudget = int64(rapid.IntRange(100_000, 100_400).Draw(t, "budget"))
	case 4:
		r.ExprBudget = int64(rapid.IntRange(1, 200).Draw(t, "budget"))
	}
	return r
}

func sameDraw(t *rapid.T, what string, want *selection.Result, wantErr error, got *selection.Result, gotErr error) {
	if wantErr != nil {
		require.Error(t, gotErr, what)
		require.Equal(t, wantErr.Error(), gotErr.Error(), what)
		return
	}
	require.NoError(t, gotErr, what)
	require.Equal(t, want, got, what)
}

// Invariant: drawing from an indexed pool, again and again with other requests, dates and
// rules, gives exactly what a fresh draw from the plain pool gives: the result (panel,
// reserve, exclusions in order, digests) and the error.
func TestIndexedPoolDrawsExactlyLikeThePlainPool(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		plain := genIndexPool(t)
		indexed := plain.Indexed()
		require.True(t, indexed.IsIndexed())
		require.False(t, plain.IsIndexed())
		// One criteria text most draws of the case share: its kept results must follow what
		// it reads (the activity date through age, usage, history), or not be kept.
		shared := rapid.SampledFrom([]string{`age < 64`, `usage < 5 && expert.Title >= Senior`, `!reviewedUnitWithin("申报企业", 6)`,
			`expert.Region == "330302"`, `"economic" in expert.Categories`}).Draw(t, "shared criteria")
		for k := range rapid.IntRange(1, 6).Draw(t, "draws") {
			req := genIndexRequest(t, k, shared)
			r := genIndexRules(t)
			e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
			want, wantErr := selection.Draw(req, plain, e, r)
			got, gotErr := selection.Draw(req, indexed, e, r)
			sameDraw(t, fmt.Sprintf("draw %d", k), want, wantErr, got, gotErr)
			sim, simErr := selection.Simulate(req, plain, r, 1, 1)
			isim, isimErr := selection.Simulate(req, indexed, r, 1, 1)
			if simErr != nil {
				require.Equal(t, simErr.Error(), isimErr.Error())
			} else {
				require.NoError(t, isimErr)
				require.Equal(t, sim, isim)
			}
		}
	})
}

// Invariant: a copy of an indexed pool whose experts were replaced draws without the cache
// (it never reads what was kept for another pool); one whose usage was replaced keeps what
// the cache holds about the experts and reads the new usage.
func TestIndexedPoolIgnoresAReplacedPart(t *testing.T) {
	p := pool(12, 4)
	indexed := p.Indexed()
	req := request(3)
	_, err := selection.Draw(req, indexed, testEntropy, nil) // fills the cache
	require.NoError(t, err)

	changed := indexed
	changed.Experts = append([]admission.Expert(nil), indexed.Experts...)
	changed.Experts[0].Status = admission.Exited
	require.False(t, changed.IsIndexed())
	want, err := selection.Draw(req, selection.Pool{Experts: changed.Experts, Usage: changed.Usage}, testEntropy, nil)
	require.NoError(t, err)
	got, err := selection.Draw(req, changed, testEntropy, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)

	used := indexed
	used.Usage = map[string]int{p.Experts[1].ID: 10}
	require.True(t, used.IsIndexed())
	got, err = selection.Draw(req, used, testEntropy, nil)
	require.NoError(t, err)
	require.Equal(t, "annual-cap", exclusionOf(got, p.Experts[1].ID).Code)
	want, err = selection.Draw(req, selection.Pool{Experts: p.Experts, Usage: used.Usage}, testEntropy, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// Concurrent draws share one indexed pool (run with -race).
func TestIndexedPoolConcurrentDraws(t *testing.T) {
	p := pool(60, 12)
	indexed := p.Indexed()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := request(3 + g%3)
			req.At = activity.AddDate(0, g%4, 0)
			e := selection.Entropy{Sources: [][]uint64{{uint64(g)}}}
			want, err := selection.Draw(req, p, e, nil)
			if err != nil {
				t.Error(err)
				return
			}
			for range 5 {
				got, err := selection.Draw(req, indexed, e, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("draw %d differs from the plain pool", g)
				}
			}
		}()
	}
	wg.Wait()
}

// Invariant: near the end of the draw's expression budget, an indexed pool charges the meter
// exactly what the kept admission evaluations cost: the draw fails and succeeds at the same
// budgets as from the plain pool, with the same error.
func TestIndexedPoolMeterNearExhaustion(t *testing.T) {
	p := pool(6000, 300)
	indexed := p.Indexed()
	req := request(5)
	req.Criteria = `all(1..8, {# > 0}) && expert.Title >= AssociateSenior && "materials" in expert.Fields`
	base := selection.DefaultRules() // one *admission.Rules: the indexed pool keeps its findings
	draw := func(pl selection.Pool, budget int64) (*selection.Result, error) {
		r := *base
		r.ExprBudget = budget
		return selection.Draw(req, pl, testEntropy, &r)
	}
	// The smallest budget with which the plain draw succeeds.
	lo, hi := int64(1), int64(selection.DefaultRules().ExprBudget)
	if hi == 0 {
		hi = 20_000_000
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if _, err := draw(p, mid); err == nil {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	require.Greater(t, lo, int64(200_000), "the draw spends more than the replay margin")
	for _, b := range []int64{lo + 5000, lo - 5000, lo - 1, lo, lo + 1, lo + 5000, lo - 1} {
		want, wantErr := draw(p, b)
		got, gotErr := draw(indexed, b)
		if wantErr != nil {
			require.Error(t, gotErr, "budget %d", b)
			require.Equal(t, wantErr.Error(), gotErr.Error(), "budget %d", b)
			continue
		}
		require.NoError(t, gotErr, "budget %d", b)
		require.Equal(t, want, got, "budget %d", b)
	}
}

// Invariant: the age an indexed pool computes from kept calendar dates is admission.Age,
// leap days, time zones and birthdays after the date included.
func TestAgeOnAgreesWithAdmission(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("W", -11*3600)}
	rapid.Check(t, func(t *rapid.T) {
		day := func(label string) time.Time {
			y := rapid.IntRange(1896, 2104).Draw(t, label+" year")
			m := time.Month(rapid.IntRange(1, 12).Draw(t, label+" month"))
			d := rapid.IntRange(1, 31).Draw(t, label+" day")
			if rapid.IntRange(0, 5).Draw(t, label+" leap day") == 0 {
				m, d = time.February, 29
			}
			z := zones[rapid.IntRange(0, len(zones)-1).Draw(t, label+" zone")]
			return time.Date(y, m, d, rapid.IntRange(0, 23).Draw(t, label+" hour"), 0, 0, 0, z)
		}
		b, a := day("birth"), day("at")
		require.Equal(t, admission.Age(b, a), selection.AgeOn(b, a), "%v %v", b, a)
	})
}

// An expression that reads the activity date (through age) is never answered from another
// date's result; one that reads only the expert is kept and reused.
func TestIndexedPoolKeepsOnlyPureResults(t *testing.T) {
	p := pool(12, 12)
	for i := range p.Experts {
		p.Experts[i].BirthDate = time.Date(1961, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	indexed := p.Indexed()
	for _, at := range []time.Time{time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC), time.Date(2025, 1, 9, 9, 0, 0, 0, time.UTC)} {
		for _, crit := range []string{`age < 64`, `expert.Title >= Senior`} {
			req := request(2)
			req.At, req.Criteria = at, crit
			want, err := selection.Draw(req, p, testEntropy, nil)
			require.NoError(t, err)
			got, err := selection.Draw(req, indexed, testEntropy, nil)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s on %s", crit, at)
		}
	}
}

// Invariant: the pool's canonical order (the candidates and the pool digest of a draw) is the
// byte order of the IDs whatever their lengths and shared prefixes, as the sort by 8-byte
// prefixes must keep it.
func TestCanonicalOrderIsByteOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := rapid.SliceOfNDistinct(rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9._:-]{0,11}`), 1, 30, rapid.ID[string]).Draw(t, "ids")
		p := selection.Pool{}
		for _, id := range ids {
			if admission.ValidExpertID(id) {
				p.Experts = append(p.Experts, expert(id, "U-"+id))
			}
		}
		res, err := selection.Draw(request(1), p, testEntropy, nil)
		if err != nil {
			t.Skip("no candidate")
		}
		excluded := map[string]bool{} // e.g. an ID that is the request's project leader ("L1")
		for _, x := range res.Excluded {
			excluded[x.ExpertID] = true
		}
		want := make([]string, 0, len(p.Experts))
		for _, e := range p.Experts {
			if !excluded[e.ID] {
				want = append(want, e.ID)
			}
		}
		slices.Sort(want)
		require.Equal(t, selection.PoolDigest(want), res.PoolDigest)
		require.Equal(t, len(want), res.Candidates)
	})
}

// Invariant: the pool index's radix sort orders IDs exactly as sorting the strings does,
// whatever their lengths, shared prefixes (longer than its 8-byte keys or not), duplicates
// and counts (below and above the size where it switches from a comparison sort).
func TestIDSortAgreesWithStringSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prefix := rapid.SampledFrom([]string{"", "B", "E0", "XM-2026-", "330302-2026-000"}).Draw(t, "prefix")
		alphabet := rapid.SampledFrom([]string{"01", "0123456789", "AZaz09.-:_"}).Draw(t, "alphabet")
		n := rapid.SampledFrom([]int{0, 1, 2, 255, 256, 257, 511, 512, 1000, 3000}).Draw(t, "n")
		maxLen := rapid.IntRange(0, 12).Draw(t, "maxLen")
		seed := rapid.Uint64().Draw(t, "seed")
		ids := make([]string, n)
		for i := range ids {
			seed = seed*6364136223846793005 + 1442695040888963407
			l := int(seed>>33) % (maxLen + 1)
			b := []byte(prefix)
			for range l {
				seed = seed*6364136223846793005 + 1442695040888963407
				b = append(b, alphabet[int(seed>>33)%len(alphabet)])
			}
			ids[i] = string(b)
		}
		want := slices.Clone(ids)
		slices.Sort(want)
		require.Equal(t, want, selection.SortIDs(ids))
	})
}

// Invariant: recusal in a draw decides exactly what the project's conflict.Checker decides,
// from a plain or an indexed pool (both rule experts out by their recusal fingerprints
// before the full check): every candidate has no conflict, and every expert excluded for a
// conflict is excluded for the checker's first one.
func TestRecusalIsTheCheckersOwnDecision(t *testing.T) {
	drawn, recused := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		plain := genIndexPool(t)
		req := genIndexRequest(t, 0, `age < 64`)
		req.Criteria = ""
		succeeding(&req, &plain)
		e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		c, err := conflict.New(req.Project, plain.Relations, req.At, nil)
		require.NoError(t, err)
		for _, pool := range []selection.Pool{plain, plain.Indexed()} {
			res, err := selection.Draw(req, pool, e, nil)
			require.NoError(t, err)
			drawn++
			excluded := map[string]selection.Exclusion{}
			for _, x := range res.Excluded {
				excluded[x.ExpertID] = x
			}
			for _, x := range pool.Experts {
				cs := c.Check(x)
				ex, isEx := excluded[x.ID]
				switch {
				case !isEx:
					require.Empty(t, cs, "candidate %s has a conflict", x.ID)
				case len(cs) > 0 && ex.Code == cs[0].Code:
					recused++
				case isConflictCode(ex.Code):
					require.Failf(t, "wrong recusal", "%s excluded for %s, the checker says %v", x.ID, ex.Code, cs)
				}
			}
		}
	})
	require.Greater(t, drawn, 20, "too few draws succeeded to compare")
	require.Greater(t, recused, 20, "too few recusals to compare")
	t.Logf("%d draws, %d recusals", drawn, recused)
}

func isConflictCode(code string) bool {
	switch code {
	case conflict.CodeProjectLeader, conflict.CodeProjectMember, conflict.CodeSameDepartment, conflict.CodeSameInstitute,
		conflict.CodeSameEnterprise, conflict.CodeSameUnit, conflict.CodeAvoidanceList:
		return true
	}
	return strings.HasPrefix(code, conflict.RelationCodePrefix)
}

// Invariant: a draw fills only the view fields its expressions read (the request's, the
// county rules' and the admission rules'), and gives exactly what it gives with every field
// filled, from a plain and an indexed pool, with criteria and county rules reading each of
// the other fields, and with county recusal rules (which read the whole view).
func TestDrawReadsOnlyTheViewFieldsItNeeds(t *testing.T) {
	pr, err := selection.Prepare(request(1), nil)
	require.NoError(t, err)
	require.False(t, selection.ReadsEveryField(pr), "a default draw reads only some fields")
	extra := []string{``, `expert.Region == "330302"`, `len(expert.Past) == 0`, `expert.Affiliation.Kind == "enterprise"`,
		`expert.Name != ""`, `expert.ID < "X10"`, `len(expert.Credentials) > 1`, `expert.Status == "active"`,
		`let e = expert; e.Title > 2`}
	rapid.Check(t, func(t *rapid.T) {
		plain := genIndexPool(t)
		req := genIndexRequest(t, 0, `age < 64`)
		if rapid.Bool().Draw(t, "succeeds") {
			succeeding(&req, &plain)
		}
		if x := rapid.SampledFrom(extra).Draw(t, "extra criteria"); x != "" {
			if req.Criteria != "" {
				req.Criteria = "(" + req.Criteria + ") && " + x
			} else {
				req.Criteria = x
			}
		}
		r := genIndexRules(t)
		if rapid.Bool().Draw(t, "county") {
			if r == nil {
				r = selection.DefaultRules()
			}
			r.Exclusions = append(r.Exclusions, rule.Rule{Name: "region", Article: "Art. 13",
				Expr: rapid.SampledFrom(extra[1:]).Draw(t, "county rule"), Message: "县级规则"})
		}
		if rapid.Bool().Draw(t, "clause5") {
			if r == nil {
				r = selection.DefaultRules()
			}
			c := *conflict.DefaultRules()
			c.Clause5 = []rule.Rule{{Name: "same-region", Article: "Art. 15(5)", Expr: `expert.Region == "330303" || "x" in expert.Tags`, Message: "同区"}}
			require.NoError(t, c.Compile())
			r.Conflict = &c
		}
		e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		partial, err := selection.Prepare(req, r)
		if err != nil {
			return // a request the generator made invalid: nothing to compare
		}
		full, err := selection.Prepare(req, r)
		require.NoError(t, err)
		selection.FullView(full)
		for _, pool := range []selection.Pool{plain, plain.Indexed()} {
			want, wantErr := full.Draw(pool, e)
			got, gotErr := partial.Draw(pool, e)
			sameDraw(t, "partial view", want, wantErr, got, gotErr)
		}
	})
}

// succeeding makes the draw of req from pool succeed whatever the generators gave, so that
// its exclusions are compared rather than two identical refusals: one seat, no quota or
// group, duplicate IDs (which refuse the draw) renamed, and a filler no rule excludes.
func succeeding(req *selection.Request, pool *selection.Pool) {
	req.Size, req.Quotas, req.Groups = 1, nil, nil
	seen := map[string]bool{}
	for i := range pool.Experts {
		for seen[pool.Experts[i].ID] {
			pool.Experts[i].ID += "b"
		}
		seen[pool.Experts[i].ID] = true
	}
	pool.Experts = append(pool.Experts, expert("ZZZ", "U9"))
}
