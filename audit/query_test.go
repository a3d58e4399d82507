package audit_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

var (
	alice = audit.Actor{ID: "u-a", Name: "陈一", Role: audit.RoleDivision, Unit: "高新技术处"}
	bob   = audit.Actor{ID: "u-b", Name: "周二", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
)

// history is a small, realistic trail: a draw request, its draw, notices, a reply, views.
func history() []audit.Event {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	return []audit.Event{
		{At: at(0), Actor: alice, Action: audit.ActionRequest, Subjects: []string{"r-1"}},
		{At: at(1), Actor: alice, Action: audit.ActionDraw, Subjects: []string{"r-1", "e-1", "e-2"}},
		{At: at(2), Actor: alice, Action: audit.ActionNotify, Subjects: []string{"r-1", "e-1"}},
		{At: at(2), Actor: alice, Action: audit.ActionNotify, Subjects: []string{"r-1", "e-2"}},
		{At: at(3), Actor: audit.Actor{ID: "e-1", Name: "吴三", Role: audit.RoleExpert}, Action: audit.ActionRespond, Subjects: []string{"r-1", "e-1"}, Data: json.RawMessage(`{"reply":"accept"}`)},
		{At: at(5), Actor: bob, Action: audit.ActionView, Subjects: []string{"e-2"}, Data: json.RawMessage(`{"kind":"expert"}`)},
		{At: at(30), Actor: bob, Action: audit.ActionView, Subjects: []string{"e-1", "e-1"}, Data: json.RawMessage(`{"kind":"expert"}`)},
		{At: at(31), Actor: alice, Action: audit.ActionRating, Subjects: []string{"e-1"}, Data: json.RawMessage(`{"grade":3}`)},
	}
}

func logOf(t tb, evs []audit.Event, store audit.Store) *audit.Log {
	t.Helper()
	s, _ := keys(t, testOrigin)
	l, err := audit.NewLog(context.Background(), store, s)
	require.NoError(t, err)
	_, err = l.AppendBatch(context.Background(), evs...)
	require.NoError(t, err)
	return l
}

func indexes(r *audit.Result) []int64 {
	var out []int64
	for _, m := range r.Matches {
		out = append(out, m.Index)
	}
	return out
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	l := logOf(t, history(), audit.NewMemoryStore())
	_, v := keys(t, testOrigin)
	cases := []struct {
		name string
		q    audit.Query
		want []int64
	}{
		{"everything about an expert (Art. 17)", audit.Query{Subject: "e-1"}, []int64{1, 2, 4, 6, 7}},
		{"everything about a draw request", audit.Query{Subject: "r-1"}, []int64{0, 1, 2, 3, 4}},
		{"by actor", audit.Query{Actor: "u-b"}, []int64{5, 6}},
		{"by action", audit.Query{Action: audit.ActionNotify}, []int64{2, 3}},
		{"by time range", audit.Query{From: t0.Add(2 * time.Hour), To: t0.Add(5 * time.Hour)}, []int64{2, 3, 4}},
		{"time range is half-open", audit.Query{From: t0.Add(5 * time.Hour), To: t0.Add(30 * time.Hour)}, []int64{5}},
		{"combined", audit.Query{Subject: "e-1", Actor: "u-a", From: t0.Add(2 * time.Hour)}, []int64{2, 7}},
		{"nothing", audit.Query{Subject: "e-9"}, nil},
		{"paging start", audit.Query{Subject: "e-1", Start: 3}, []int64{4, 6, 7}},
		{"all", audit.Query{}, []int64{0, 1, 2, 3, 4, 5, 6, 7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := l.Query(ctx, c.q)
			require.NoError(t, err)
			assert.Equal(t, c.want, indexes(r))
			assert.Equal(t, int64(8), r.Next)
			require.NoError(t, r.Verify(v), "every match carries a proof against the signed checkpoint")
		})
	}
}

func TestQueryPaging(t *testing.T) {
	ctx := context.Background()
	l := logOf(t, history(), audit.NewMemoryStore())
	var got []int64
	q := audit.Query{Subject: "r-1", Limit: 2}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		r, err := l.Query(ctx, q)
		require.NoError(t, err)
		got = append(got, indexes(r)...)
		if len(r.Matches) < q.Limit || r.Next == l.Size() {
			break
		}
		q.Start = r.Next
	}
	assert.Equal(t, []int64{0, 1, 2, 3, 4}, got)
}

func TestQueryRefuses(t *testing.T) {
	l := logOf(t, history(), audit.NewMemoryStore())
	for _, q := range []audit.Query{{Action: "peek"}, {From: t0, To: t0.Add(-time.Hour)}, {Start: -1}, {Limit: -1}} {
		_, err := l.Query(context.Background(), q)
		require.Error(t, err)
	}
}

// A result whose record, event or proof was altered no longer verifies.
func TestQueryResultTampering(t *testing.T) {
	ctx := context.Background()
	l := logOf(t, history(), audit.NewMemoryStore())
	_, v := keys(t, testOrigin)
	fresh := func() *audit.Result {
		r, err := l.Query(ctx, audit.Query{Subject: "e-1"})
		require.NoError(t, err)
		return r
	}
	r := fresh()
	r.Matches[0].Event.Actor.Name = "某人"
	require.ErrorIs(t, r.Verify(v), audit.ErrProof)
	r = fresh()
	r.Matches[1].Record = r.Matches[0].Record
	require.ErrorIs(t, r.Verify(v), audit.ErrProof)
	r = fresh()
	r.Matches[1].Proof.Path[0][0] ^= 1
	require.ErrorIs(t, r.Verify(v), audit.ErrProof)
	r = fresh()
	r.Matches[1].Index = 3
	require.ErrorIs(t, r.Verify(v), audit.ErrProof)
	r = fresh()
	r.Checkpoint[0] ^= 1
	require.ErrorIs(t, r.Verify(v), audit.ErrCheckpoint)

	// A result travels as JSON and still verifies.
	b, err := json.Marshal(fresh())
	require.NoError(t, err)
	var back audit.Result
	require.NoError(t, json.Unmarshal(b, &back))
	require.NoError(t, back.Verify(v))
}

// findStore answers Find by scanning, plus a wrong extra index, to show the Log re-checks.
type findStore struct {
	*audit.MemoryStore
	calls int
}

func (f *findStore) Find(ctx context.Context, q audit.Query, size int64) ([]int64, error) {
	f.calls++
	var out []int64
	for i := q.Start; i < size; i++ {
		out = append(out, i) // a superset: everything
	}
	return append(out, size+5, 0), nil // and indexes outside the contract
}

func TestQueryUsesQueryStore(t *testing.T) {
	fs := &findStore{MemoryStore: audit.NewMemoryStore()}
	l := logOf(t, history(), fs)
	r, err := l.Query(context.Background(), audit.Query{Actor: "u-b"})
	require.NoError(t, err)
	assert.Equal(t, 1, fs.calls)
	assert.Equal(t, []int64{5, 6}, indexes(r))
}

// Query returns exactly the events a brute-force scan selects, in log order, for any log
// and any query, also as the log grows between queries (the lazy index catches up).
func TestQueryEqualsScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		gen := rapid.Custom(func(t *rapid.T) audit.Event {
			return audit.Event{
				At:       t0.Add(time.Duration(rapid.IntRange(0, 48).Draw(t, "h")) * time.Hour),
				Actor:    rapid.SampledFrom([]audit.Actor{alice, bob, clerk}).Draw(t, "actor"),
				Action:   rapid.SampledFrom([]audit.Action{audit.ActionView, audit.ActionDraw, audit.ActionNotify}).Draw(t, "action"),
				Subjects: rapid.SliceOfN(rapid.SampledFrom([]string{"e-1", "e-2", "e-3", "r-1"}), 0, 3).Draw(t, "subjects"),
			}
		})
		evs := rapid.SliceOfN(gen, 0, 40).Draw(t, "events")
		cut := rapid.IntRange(0, len(evs)).Draw(t, "cut")
		l := logOf(t, evs[:cut], audit.NewMemoryStore())
		if rapid.Bool().Draw(t, "queryEarly") {
			_, err := l.Query(ctx, audit.Query{})
			require.NoError(t, err)
		}
		_, err := l.AppendBatch(ctx, evs[cut:]...)
		require.NoError(t, err)
		q := audit.Query{
			Subject: rapid.SampledFrom([]string{"", "e-1", "r-1"}).Draw(t, "subject"),
			Actor:   rapid.SampledFrom([]string{"", alice.ID, bob.ID}).Draw(t, "actorID"),
			Action:  rapid.SampledFrom([]audit.Action{"", audit.ActionView, audit.ActionDraw}).Draw(t, "qaction"),
		}
		if rapid.Bool().Draw(t, "timed") {
			q.From = t0.Add(time.Duration(rapid.IntRange(0, 48).Draw(t, "from")) * time.Hour)
			q.To = q.From.Add(time.Duration(rapid.IntRange(0, 24).Draw(t, "len")) * time.Hour)
		}
		var want []int64
		for i, e := range evs {
			if (q.Subject == "" || slices.Contains(e.Subjects, q.Subject)) && (q.Actor == "" || e.Actor.ID == q.Actor) &&
				(q.Action == "" || e.Action == q.Action) &&
				(q.From.IsZero() || !e.At.Before(q.From)) && (q.To.IsZero() || e.At.Before(q.To)) {
				want = append(want, int64(i))
			}
		}
		r, err := l.Query(ctx, q)
		require.NoError(t, err)
		require.Equal(t, want, indexes(r))
	})
}
