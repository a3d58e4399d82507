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

// Invariant: MayConflict never hides a conflict. When it answers false for an expert's
// fingerprint (computed with or without the unit names), Report returns nothing for that
// expert, with or without unit aliases; with county rules it always answers true.
func TestMayConflictNeverHidesAConflict(t *testing.T) {
	ruledOut := 0
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		r := w.rules
		if rapid.Bool().Draw(t, "aliases") {
			r.UnitAliases = map[string]string{"温医大": "温州医科大学", "Ｕ１": "申报企业"}
		}
		clause5 := rapid.IntRange(0, 4).Draw(t, "clause5") == 0
		if clause5 {
			r.Clause5 = []rule.Rule{{Name: "same-org", Article: "Art. 15(5)", Expr: `expert.Affiliation.Org == member.Affiliation.Org`, Message: "同单位"}}
		}
		require.NoError(t, r.Compile())
		c := mustChecker(t, w.project, w.relations, w.asOf, r)
		// Experts unrelated to the generated world, beside the world's own.
		experts := append(w.experts, admission.Expert{ID: "Z9", Name: "无关专家", IDNumber: "110101199003070011",
			Affiliation: admission.Affiliation{Org: "无关单位", OrgCode: "91330000ZZZZZZZZZ9", Kind: admission.Enterprise}})
		for _, e := range experts {
			for _, f := range []conflict.Fingerprint{conflict.FingerprintOf(&e, nil), conflict.FingerprintOf(&e, conflict.UnitNames(&e))} {
				if c.MayConflict(&f) {
					continue
				}
				require.False(t, clause5, "county rules must see every expert")
				require.Empty(t, c.Report(e), "MayConflict hid a conflict of %+v", e)
				ruledOut++
			}
		}
		var zero conflict.Fingerprint
		require.True(t, c.MayConflict(&zero), "an unknown fingerprint must be checked")
	})
	require.Greater(t, ruledOut, 50, "the property never saw an expert ruled out")
}

func TestMayConflict(t *testing.T) {
	asOf := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	p := conflict.Project{ID: "XM-1",
		Leader: conflict.Person{ID: "L1", Name: "张三", IDNumber: "330302198001010011",
			Affiliation: admission.Affiliation{Org: "温州医科大学", Department: "药学院", Kind: admission.University}},
		Members: []conflict.Person{{Name: "李四", Affiliation: admission.Affiliation{Org: "申报企业", OrgCode: "91330300MA2H000001", Kind: admission.Enterprise}}},
		Avoid:   []conflict.Avoidance{{ExpertID: "E-AVOID"}}}
	r := conflict.DefaultRules()
	r.UnitAliases = map[string]string{"温医大": "温州医科大学"}
	require.NoError(t, r.Compile())
	c, err := conflict.New(p, []conflict.Relation{{A: "L1", B: "E-REL", Kind: "family"}}, asOf, r)
	require.NoError(t, err)
	base := admission.Expert{ID: "E1", Name: "王五", Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University}}
	tests := []struct {
		name string
		edit func(e *admission.Expert)
		may  bool
	}{
		{"unrelated", func(*admission.Expert) {}, false},
		{"leader's ID", func(e *admission.Expert) { e.ID = " L1 " }, true},
		{"relation", func(e *admission.Expert) { e.ID = "E-REL" }, true},
		{"avoidance list", func(e *admission.Expert) { e.ID = "E-AVOID" }, true},
		{"ID number, full width", func(e *admission.Expert) { e.IDNumber = "３３０３０２198001010011" }, true},
		{"credit code", func(e *admission.Expert) {
			e.Affiliation = admission.Affiliation{Org: "别名企业", OrgCode: "91330300ma2h000001", Kind: admission.Enterprise}
		}, true},
		{"unit name by alias", func(e *admission.Expert) { e.Affiliation.Org = "温医大" }, true},
		{"unit name, full width", func(e *admission.Expert) { e.Affiliation.Org = "申报企业　" }, true},
		{"past unit", func(e *admission.Expert) {
			e.Past = []admission.Affiliation{{Org: "申报企业", Kind: admission.Enterprise, To: asOf.AddDate(0, -2, 0)}}
		}, true},
		{"many past units", func(e *admission.Expert) {
			for range 10 {
				e.Past = append(e.Past, admission.Affiliation{Org: "别处", Kind: admission.Enterprise})
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.edit(&e)
			f := conflict.FingerprintOf(&e, nil)
			require.Equal(t, tt.may, c.MayConflict(&f))
			if !tt.may {
				require.Empty(t, c.Report(e))
			}
		})
	}
	var failing *conflict.Checker
	f := conflict.FingerprintOf(&base, nil)
	require.True(t, failing.MayConflict(&f), "a nil checker fails closed")
}
