package selection_test

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// mutatePool returns a new pool made from prev as a store's next snapshot would be: every
// expert kept as it is (same reports where it was), changed in one field (birth date, unit,
// credentials, status, categories, fields, title, past units, or even its ID), or deleted; new
// experts added; the order shuffled; and new usage, bookings and history maps, some entries
// changed. The new pool's Experts is a new slice: prev's is never modified.
func mutatePool(t *rapid.T, step int, prev selection.Pool) (selection.Pool, func(i int) (int, bool)) {
	day := activity.Truncate(24 * time.Hour)
	var next selection.Pool
	var from []int
	for j, e := range prev.Experts {
		switch rapid.IntRange(0, 9).Draw(t, "fate") {
		case 0: // deleted
			continue
		case 1, 2: // changed
			e = cloneExpert(e)
			switch rapid.IntRange(0, 8).Draw(t, "field") {
			case 0:
				e.BirthDate = e.BirthDate.AddDate(rapid.IntRange(-2, 2).Draw(t, "years"), rapid.IntRange(-6, 6).Draw(t, "months"), 0)
			case 1:
				e.Affiliation.Org = []string{"U0", "U1", "ＵＮＩＴ-2", "申报企业", "U3", "新单位"}[rapid.IntRange(0, 5).Draw(t, "org")]
			case 2:
				if len(e.Credentials) > 0 {
					e.Credentials = nil
				} else {
					e.Credentials = expert(e.ID, e.Affiliation.Org).Credentials
				}
			case 3:
				e.Status = []admission.Status{admission.Active, admission.Pending, admission.Exited}[rapid.IntRange(0, 2).Draw(t, "status")]
			case 4:
				if len(e.Categories) > 1 {
					e.Categories = e.Categories[:1]
				} else {
					e.Categories = append(e.Categories, admission.Economic)
				}
			case 5:
				e.Fields = append(e.Fields, []string{"materials", "energy", "law"}[rapid.IntRange(0, 2).Draw(t, "field name")])
			case 6:
				e.Title = admission.TitleLevel(rapid.IntRange(2, 4).Draw(t, "title"))
			case 7:
				e.Past = append(e.Past, admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise, To: day.AddDate(0, -rapid.IntRange(1, 40).Draw(t, "left"), 0)})
			case 8:
				e.ID = fmt.Sprintf("Y%d-%s", step, e.ID) // a renumbered expert
			}
			next.Experts = append(next.Experts, e)
			from = append(from, -1)
		default: // unchanged
			next.Experts = append(next.Experts, e)
			from = append(from, j)
		}
	}
	for k := range rapid.IntRange(0, 4).Draw(t, "added") {
		id := fmt.Sprintf("N%d-%d", step, k)
		switch rapid.IntRange(0, 20).Draw(t, "added id kind") {
		case 0:
			id = "bad id " + id
		case 1:
			if len(next.Experts) > 0 {
				id = next.Experts[0].ID // a duplicate: the draw is refused
			}
		}
		e := expert(id, []string{"U0", "U1", "申报企业", "新单位"}[rapid.IntRange(0, 3).Draw(t, "added org")])
		e.BirthDate = time.Date(rapid.IntRange(1958, 1962).Draw(t, "added born"), time.Month(rapid.IntRange(1, 12).Draw(t, "added month")), 15, 0, 0, 0, 0, time.UTC)
		next.Experts = append(next.Experts, e)
		from = append(from, -1)
	}
	// A shuffle: a store reads its rows in no particular order.
	for i := len(next.Experts) - 1; i > 0; i-- {
		k := rapid.IntRange(0, i).Draw(t, "swap")
		next.Experts[i], next.Experts[k] = next.Experts[k], next.Experts[i]
		from[i], from[k] = from[k], from[i]
	}
	next.Usage, next.Bookings, next.History = maps.Clone(prev.Usage), maps.Clone(prev.Bookings), maps.Clone(prev.History)
	if next.Usage == nil {
		next.Usage = map[string]int{}
	}
	for _, e := range next.Experts {
		switch rapid.IntRange(0, 5).Draw(t, "ledger") {
		case 0:
			next.Usage[e.ID] = rapid.IntRange(0, 11).Draw(t, "usage")
		case 1:
			delete(next.Usage, e.ID)
		case 2:
			if next.Bookings == nil {
				next.Bookings = map[string][]selection.Booking{}
			}
			from := day.AddDate(0, 0, rapid.IntRange(-40, 40).Draw(t, "booked from"))
			next.Bookings[e.ID] = []selection.Booking{{ActivityID: "R-NEW", From: from, To: from.Add(48 * time.Hour)}}
		case 3:
			if next.History == nil {
				next.History = map[string][]selection.Participation{}
			}
			next.History[e.ID] = []selection.Participation{{ActivityID: "R-OLD", ApplicantUnit: "申报企业", At: day.AddDate(0, -rapid.IntRange(0, 24).Draw(t, "months ago"), 0)}}
		}
	}
	if rapid.IntRange(0, 4).Draw(t, "no bookings") == 0 {
		next.Bookings = nil
	}
	return next, func(i int) (int, bool) { return from[i], from[i] >= 0 }
}

func cloneExpert(e admission.Expert) admission.Expert {
	e.Credentials = append([]admission.Credential(nil), e.Credentials...)
	e.Categories = append([]admission.Category(nil), e.Categories...)
	e.Fields = append([]string(nil), e.Fields...)
	e.Past = append([]admission.Affiliation(nil), e.Past...)
	return e
}

// Invariant: a pool indexed from a previous indexed pool (IndexedFrom), through any sequence
// of expert changes, deletions, additions, reorderings and new usage, bookings and history,
// draws exactly like the plain pool: result, exclusions in order, errors and meter charges
// (budgets near exhaustion included).
func TestIndexedFromDrawsExactlyLikeThePlainPool(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		plain := genIndexPool(t)
		indexed := plain.Indexed()
		shared := rapid.SampledFrom([]string{`age < 64`, `usage < 5 && expert.Title >= Senior`, `!reviewedUnitWithin("申报企业", 6)`,
			`expert.Region == "330302"`, `"economic" in expert.Categories`}).Draw(t, "shared criteria")
		rules := []*selection.Rules{genIndexRules(t), genIndexRules(t)} // shared: admission findings are kept per rules
		for step := range rapid.IntRange(1, 4).Draw(t, "steps") {
			for k := range rapid.IntRange(0, 3).Draw(t, "draws") {
				req := genIndexRequest(t, k, shared)
				r := rules[rapid.IntRange(0, 1).Draw(t, "rules")]
				e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
				want, wantErr := selection.Draw(req, plain, e, r)
				got, gotErr := selection.Draw(req, indexed, e, r)
				sameDraw(t, fmt.Sprintf("step %d draw %d", step, k), want, wantErr, got, gotErr)
			}
			var same func(int) (int, bool)
			plain, same = mutatePool(t, step, plain)
			indexed = plain.IndexedFrom(indexed, same)
			require.True(t, indexed.IsIndexed())
			// Same experts, other maps: the expert-level cache survives a ledger change.
			if rapid.Bool().Draw(t, "ledger only") {
				plain.Usage = maps.Clone(plain.Usage)
				if len(plain.Experts) > 0 {
					plain.Usage[plain.Experts[0].ID] = 10
				}
				indexed.Usage = plain.Usage
				require.True(t, indexed.IsIndexed())
			}
		}
		req := genIndexRequest(t, 9, shared)
		e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		want, wantErr := selection.Draw(req, plain, e, rules[0])
		got, gotErr := selection.Draw(req, indexed, e, rules[0])
		sameDraw(t, "last draw", want, wantErr, got, gotErr)
	})
}

// IndexedFrom of a pool that is not indexed, or with a same that lies about IDs or names an
// expert twice, still draws like the plain pool.
func TestIndexedFromDefends(t *testing.T) {
	p := pool(20, 4)
	req := request(3)
	want, err := selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	for name, prev := range map[string]selection.Pool{"plain": pool(20, 4), "indexed": pool(20, 4).Indexed()} {
		_, err := selection.Draw(req, prev, testEntropy, nil)
		require.NoError(t, err)
		for lie, same := range map[string]func(int) (int, bool){
			"twice":        func(int) (int, bool) { return 0, true },
			"out of range": func(i int) (int, bool) { return i + 100, true },
			"shifted":      func(i int) (int, bool) { return (i + 1) % 20, true },
		} {
			got, err := selection.Draw(req, p.IndexedFrom(prev, same), testEntropy, nil)
			require.NoError(t, err, "%s %s", name, lie)
			require.Equal(t, want, got, "%s %s", name, lie)
		}
	}
}

// IndexedFrom with a nil same shares the cache of a pool with the same experts slice, and
// reads its own maps; with another slice it indexes from scratch.
func TestIndexedFromSameSlice(t *testing.T) {
	p := pool(20, 4)
	prev := p.Indexed()
	req := request(3)
	_, err := selection.Draw(req, prev, testEntropy, nil)
	require.NoError(t, err)
	next := selection.Pool{Experts: p.Experts, Usage: map[string]int{p.Experts[2].ID: 10}}
	want, err := selection.Draw(req, next, testEntropy, nil)
	require.NoError(t, err)
	shared := next.IndexedFrom(prev, nil)
	require.True(t, shared.IsIndexed())
	got, err := selection.Draw(req, shared, testEntropy, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)
	other := selection.Pool{Experts: append([]admission.Expert(nil), p.Experts...), Usage: next.Usage}.IndexedFrom(prev, nil)
	require.True(t, other.IsIndexed())
	got, err = selection.Draw(req, other, testEntropy, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)
}
