package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

func view(at time.Time, actor audit.Actor, experts ...string) audit.Event {
	return audit.Event{At: at, Actor: actor, Action: audit.ActionView, Subjects: experts, Data: json.RawMessage(`{"kind":"expert"}`)}
}

func observeAll(t *testing.T, a *audit.Alerter, evs []audit.Event) []audit.Alert {
	t.Helper()
	var out []audit.Alert
	for i, e := range evs {
		al, err := a.Observe(int64(i), e)
		require.NoError(t, err)
		out = append(out, al...)
	}
	return out
}

func TestDefaultAlerts(t *testing.T) {
	expert := func(i int) string { return fmt.Sprintf("e-%d", i) }
	cases := []struct {
		name  string
		evs   func() []audit.Event
		fired []string // rule names, in order
		count int      // count of the first alert
	}{
		{"50 profiles in a day: quiet", func() []audit.Event {
			var evs []audit.Event
			for i := range 50 {
				evs = append(evs, view(t0.Add(time.Duration(i)*time.Minute), alice, expert(i)))
			}
			return evs
		}, nil, 0},
		{"51 profiles in a day: one alert", func() []audit.Event {
			var evs []audit.Event
			for i := range 60 {
				evs = append(evs, view(t0.Add(time.Duration(i)*time.Minute), alice, expert(i)))
			}
			return evs
		}, []string{"profile-views"}, 51},
		{"the same profile 100 times: quiet", func() []audit.Event {
			var evs []audit.Event
			for i := range 100 {
				evs = append(evs, view(t0.Add(time.Duration(i)*time.Minute), alice, expert(1)))
			}
			return evs
		}, nil, 0},
		{"51 profiles, two users: quiet", func() []audit.Event {
			var evs []audit.Event
			for i := range 51 {
				evs = append(evs, view(t0.Add(time.Duration(i)*time.Minute), []audit.Actor{alice, bob}[i%2], expert(i)))
			}
			return evs
		}, nil, 0},
		{"51 profiles over two days: quiet", func() []audit.Event {
			var evs []audit.Event
			for i := range 51 {
				evs = append(evs, view(t0.Add(time.Duration(i)*time.Hour), alice, expert(i)))
			}
			return evs
		}, nil, 0},
		{"a list view of 51 profiles at once", func() []audit.Event {
			var ids []string
			for i := range 51 {
				ids = append(ids, expert(i))
			}
			return []audit.Event{view(t0, alice, ids...)}
		}, []string{"profile-views"}, 51},
		{"a request drawn twice", func() []audit.Event {
			return []audit.Event{
				{At: t0, Actor: alice, Action: audit.ActionDraw, Subjects: []string{"r-1", "e-1"}},
				{At: t0.Add(time.Hour), Actor: alice, Action: audit.ActionDraw, Subjects: []string{"r-2", "e-1"}},
				{At: t0.Add(30 * 24 * time.Hour), Actor: bob, Action: audit.ActionDraw, Subjects: []string{"r-1", "e-5"}},
			}
		}, []string{"redraw"}, 2},
		{"bulk export", func() []audit.Event {
			var ids []string
			for i := range 201 {
				ids = append(ids, expert(i))
			}
			return []audit.Event{{At: t0, Actor: bob, Action: audit.ActionExport, Subjects: ids, Data: json.RawMessage(`{"kind":"expert"}`)}}
		}, []string{"bulk-export"}, 201},
		{"repeated denials", func() []audit.Event {
			var evs []audit.Event
			for i := range 11 {
				evs = append(evs, audit.Event{At: t0.Add(time.Duration(i) * time.Minute), Actor: bob, Action: audit.ActionAccessDenied})
			}
			return evs
		}, []string{"repeated-denials"}, 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := audit.NewAlerter(audit.DefaultAlertRules())
			require.NoError(t, err)
			got := observeAll(t, a, c.evs())
			var names []string
			for _, al := range got {
				names = append(names, al.Rule)
				assert.Regexp(t, `^Art\. `, al.Article)
				assert.NotEmpty(t, al.Message)
			}
			assert.Equal(t, c.fired, names)
			if len(got) > 0 {
				assert.Equal(t, c.count, got[0].Count)
			}
		})
	}
}

// A burst fires once; the rule fires again only after the count has fallen back.
func TestAlertRearms(t *testing.T) {
	a, err := audit.NewAlerter([]audit.AlertRule{{Name: "views", Article: "Art. 22", Message: "m",
		Match: `event.Action == "view"`, Key: `event.Actor.ID`, Window: time.Hour, Threshold: 2}})
	require.NoError(t, err)
	var evs []audit.Event
	for _, m := range []int{0, 1, 2, 3, 4, 120, 121, 122} {
		evs = append(evs, view(t0.Add(time.Duration(m)*time.Minute), alice, "e-1"))
	}
	got := observeAll(t, a, evs)
	require.Len(t, got, 2)
	assert.Equal(t, int64(2), got[0].Index)
	assert.Equal(t, []int64{0, 1, 2}, got[0].Events)
	assert.Equal(t, int64(7), got[1].Index)
	assert.Equal(t, []int64{5, 6, 7}, got[1].Events)
}

func TestAlertRuleErrors(t *testing.T) {
	_, err := audit.NewAlerter([]audit.AlertRule{
		{Name: "a", Match: `event.Acton == "view"`},
		{Name: "a", Match: `true`},
		{Name: "c", Match: `true`, Key: `event.`},
		{Name: "d", Match: `true`, Count: "bytes"},
		{Name: "e", Match: `true`, Window: -time.Second},
		{Match: `true`},
	})
	require.Error(t, err)
	for _, s := range []string{`"a" match`, `"a" defined twice`, `"c" key`, `"d": count`, `"e": negative`, `no name`} {
		assert.Contains(t, err.Error(), s)
	}
}

func TestAlertEvaluationErrorSkipsRule(t *testing.T) {
	a, err := audit.NewAlerter([]audit.AlertRule{
		{Name: "first-subject", Match: `event.Subjects[0] == "x"`},
		{Name: "any", Match: `true`},
	})
	require.NoError(t, err)
	got, err := a.Observe(0, ev(0))
	require.NoError(t, err)
	assert.Len(t, got, 1) // "any" fired (threshold 0), "first-subject" did not match
	noSubjects := ev(1)
	noSubjects.Subjects = nil
	_, err = a.Observe(1, noSubjects)
	require.Error(t, err)
}

func TestAlertScanAndEvent(t *testing.T) {
	ctx := context.Background()
	var evs []audit.Event
	for i := range 55 {
		evs = append(evs, view(t0.Add(time.Duration(i)*time.Minute), bob, fmt.Sprintf("e-%d", i)))
	}
	l := logOf(t, evs, audit.NewMemoryStore())
	a, err := audit.NewAlerter(audit.DefaultAlertRules())
	require.NoError(t, err)
	got, next, err := a.Scan(ctx, l, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(55), next)
	require.Len(t, got, 1)
	assert.Equal(t, "u-b", got[0].Key)
	assert.Equal(t, int64(50), got[0].Index)

	system := audit.Actor{ID: "system", Name: "专家库系统", Role: audit.RoleMaintainer}
	i, err := l.Append(ctx, got[0].Event(t0.Add(time.Hour), system))
	require.NoError(t, err)
	r, err := l.Query(ctx, audit.Query{Action: audit.ActionAlert})
	require.NoError(t, err)
	require.Len(t, r.Matches, 1)
	assert.Equal(t, i, r.Matches[0].Index)
	assert.Equal(t, []string{"u-b"}, r.Matches[0].Event.Subjects)
	more, next2, err := a.Scan(ctx, l, next)
	require.NoError(t, err)
	assert.Empty(t, more)
	assert.Equal(t, int64(56), next2)
}

// A windowed count equals the brute-force count over the events of the same key within the
// window, for any stream in time order.
func TestWindowedCountEqualsBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		window := time.Duration(rapid.IntRange(1, 10).Draw(t, "window")) * time.Minute
		subjects := rapid.Bool().Draw(t, "subjects")
		rule := audit.AlertRule{Name: "r", Match: `event.Action == "view"`, Key: `event.Actor.ID`, Window: window}
		if subjects {
			rule.Count = audit.CountSubjects
		}
		n := rapid.IntRange(1, 30).Draw(t, "n")
		var evs []audit.Event
		at := t0
		for i := range n {
			at = at.Add(time.Duration(rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("gap%d", i))) * time.Minute)
			actor := rapid.SampledFrom([]audit.Actor{alice, bob}).Draw(t, fmt.Sprintf("actor%d", i))
			subs := rapid.SliceOfN(rapid.SampledFrom([]string{"e-1", "e-2", "e-3"}), 0, 2).Draw(t, fmt.Sprintf("subs%d", i))
			evs = append(evs, view(at, actor, subs...))
		}
		brute := func(i int) int {
			e := evs[i]
			seen := map[string]bool{}
			count := 0
			for _, p := range evs[:i+1] {
				if p.Actor.ID != e.Actor.ID || !p.At.After(e.At.Add(-window)) {
					continue
				}
				count++
				for _, s := range p.Subjects {
					seen[s] = true
				}
			}
			if subjects {
				return len(seen)
			}
			return count
		}
		k := rapid.IntRange(0, 6).Draw(t, "threshold")
		rule.Threshold = k
		a, err := audit.NewAlerter([]audit.AlertRule{rule})
		require.NoError(t, err)
		armed := map[string]bool{alice.ID: true, bob.ID: true}
		for i, e := range evs {
			got, err := a.Observe(int64(i), e)
			require.NoError(t, err)
			c := brute(i)
			shouldFire := c > k && armed[e.Actor.ID]
			if c > k {
				armed[e.Actor.ID] = false
			} else {
				armed[e.Actor.ID] = true
			}
			require.Equal(t, shouldFire, len(got) == 1, "event %d: count %d, threshold %d", i, c, k)
			if shouldFire {
				require.Equal(t, c, got[0].Count)
				require.True(t, slices.Contains(got[0].Events, int64(i)))
			}
		}
	})
}
