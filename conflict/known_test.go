package conflict_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
)

// Invariant: CheckWith and ReportWith, given the expert's unit names, view, a meter with
// room and a Memo shared by every expert, return exactly what Check and Report return, with
// or without unit aliases and county rules (clause 5); Excluding returns Check's first
// conflict.
func TestCheckWithKnownAgreesWithCheck(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		r := w.rules
		if rapid.Bool().Draw(t, "aliases") {
			r.UnitAliases = map[string]string{"温医大": "温州医科大学", "Ｕ１": "申报企业"}
		}
		if rapid.Bool().Draw(t, "clause5") {
			r.Clause5 = []rule.Rule{{Name: "same-region", Article: "Art. 15(5)", Expr: `expert.Affiliation.Org == member.Affiliation.Org && member.Role == "member"`, Message: "同单位"}}
		}
		require.NoError(t, r.Compile())
		c := mustChecker(t, w.project, w.relations, w.asOf, r)
		// One Memo for every expert, twice over (the second round reads what the first
		// kept), first used with another checker (it must start again).
		var memo conflict.Memo
		other := mustChecker(t, conflict.Project{ID: "XM-2", Leader: conflict.Person{Name: "王五", Affiliation: admission.Affiliation{Org: "温州大学", Department: "化学系", Kind: admission.University}}}, nil, w.asOf, nil)
		for _, e := range w.experts {
			other.Excluding(&e, conflict.Known{Memo: &memo})
		}
		for range 2 {
			for _, e := range w.experts {
				v := e.View()
				k := conflict.Known{Units: conflict.UnitNames(&e), View: &v, Meter: rule.NewMeter(0, 0)}
				want := c.Check(e)
				require.Equal(t, want, c.CheckWith(&e, k))
				require.Equal(t, c.Report(e), c.ReportWith(&e, k))
				require.Equal(t, want, c.CheckWith(&e, conflict.Known{}))
				km := k
				km.Memo, km.Meter = &memo, rule.NewMeter(0, 0)
				require.Equal(t, want, c.CheckWith(&e, km))
				require.Equal(t, c.Report(e), c.ReportWith(&e, km))
				first, ok := c.Excluding(&e, km)
				require.Equal(t, len(want) > 0, ok)
				if ok {
					require.Equal(t, want[0], first)
				}
			}
		}
	})
}

// A county rule evaluated under an exhausted meter fails closed (the expert is excluded) and
// the meter names it.
func TestCheckWithMeterStopsCountyRules(t *testing.T) {
	r := conflict.DefaultRules()
	r.Clause5 = []rule.Rule{{Name: "never", Article: "Art. 15(5)", Expr: `expert.Region == "nowhere"`, Message: "不可能"}}
	require.NoError(t, r.Compile())
	c, err := conflict.New(conflict.Project{ID: "XM-1", Leader: conflict.Person{ID: "L1", Name: "负责人"}}, nil, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), r)
	require.NoError(t, err)
	e := admission.Expert{ID: "E1", Name: "专家", Region: "330302", Affiliation: admission.Affiliation{Org: "某大学", Kind: admission.University}}
	require.Empty(t, c.CheckWith(&e, conflict.Known{Meter: rule.NewMeter(0, 0)}))
	m := rule.NewMeter(1, 0)
	m.Charge("earlier", 1, 0, false)
	got := c.CheckWith(&e, conflict.Known{Meter: m})
	require.Len(t, got, 1)
	require.Equal(t, "never", got[0].Code)
	require.True(t, got[0].Excludes)
}
