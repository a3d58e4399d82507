package rules_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	expertdb "github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/selection"
)

// siteBombs instantiates the bomb list for a site whose environment has the string s.
func siteBombs(s string) []struct {
	Name, Src string
	Load      bool
} {
	n := "(len(" + s + ") + 1)"
	var let strings.Builder
	let.WriteString("let v0 = " + s + ` + "0123456789abcdef"; `)
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&let, "let v%d = v%d + v%d; ", i, i-1, i-1)
	}
	let.WriteString("len(v30) > 0")
	return []struct {
		Name, Src string
		Load      bool
	}{
		{"doubling", `reduce(1..40, #acc + #acc, "x") != ""`, false},
		{"tripling-from-data", `len(reduce(1..30, #acc + #acc + #acc, ` + s + ` + "x")) > 0`, false},
		{"upper-doubling", `upper(reduce(1..25, #acc + #acc, "x")) != ""`, false},
		{"let-chain", let.String(), false},
		{"nested-map-computed", `len(map(1..(` + n + ` * 1000), map(1..(` + n + ` * 1000), #))) > 0`, false},
		{"nested-all-computed", `all(1..(` + n + ` * 10000), all(1..(` + n + ` * 10000), true))`, false},
		{"huge-computed-range", `len(1..(` + n + ` * 100000000)) > 0`, false},
		{"membership-scan", `all(1..9999, # in map(1..(` + n + ` * 1000), #))`, false},
		{"nested-map-constant", `len(map(1..1000, map(1..1000, #))) > 0`, true},
		{"huge-range", `len(1..100000000) > 0`, true},
		{"huge-literal", `"` + strings.Repeat("x", 2000) + `" != ""`, true},
		{"repeat", `repeat(` + s + `, 1000000000) != ""`, true},
		{"join", `join(map(1..9000, ` + s + `), "") != ""`, true},
		{"now", `now().Year() > 2000`, true},
		{"date-computed", `date(` + s + `).Year() > 2000`, true},
	}
}

// site is one rule site: the environment type, a string in it and an evaluation.
type site struct {
	name string
	s    string // a string-valued expression of the environment
	eval func(t *testing.T, name, src string) (compileErr, evalErr error)
}

func siteOf[E any](name, s string, o rules.Options, env func() *E) site {
	return site{name: name, s: s, eval: func(t *testing.T, rule, src string) (error, error) {
		p, err := rules.CompileBool[E](rule, src, o)
		if err != nil {
			return err, nil
		}
		_, err = p.Eval(env())
		return nil, err
	}}
}

func testExpert() admission.Expert {
	return admission.Expert{ID: "E001", Name: "张三", BirthDate: time.Date(1970, 3, 4, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: "机电工程学院"},
		Title:       admission.Senior, Categories: []admission.Category{admission.Technical}, Status: admission.Active,
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}}, Region: "330302"}
}

var asOf = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)

func sites() []site {
	titles := rules.Options{Constants: admission.TitleConstants(), Article: "Art. 5(1)2"}
	e := testExpert()
	return []site{
		siteOf("admission", "expert.Affiliation.Org", titles, func() *admission.Env { return admission.NewEnv(e, asOf) }),
		siteOf("draw", "expert.Affiliation.Org", rules.Options{Constants: admission.TitleConstants(), Article: "Art. 13"},
			func() *selection.Env {
				return &selection.Env{Expert: e.View(), Age: 56, Project: &selection.ProjectView{ID: "P", Unit: "u"},
					ReviewedUnitWithin: func(string, int) bool { return false }}
			}),
		siteOf("clause5", "member.Affiliation.Org", rules.Options{Constants: admission.TitleConstants(), Article: "Art. 15(5)"},
			func() *conflict.Env {
				return &conflict.Env{Expert: e.View(), Member: conflict.PersonView{ID: "M", Name: "李四",
					Affiliation: admission.UnitView{Org: "温州大学"}}}
			}),
		siteOf("other-relations", "relation.Kind", rules.Options{Article: "Art. 15(2)"},
			func() *conflict.RelationEnv {
				return &conflict.RelationEnv{Relation: conflict.RelationView{Kind: "co-author"}, AsOf: asOf}
			}),
		siteOf("permission", "actor.Role", rules.Options{Article: "Art. 18"},
			func() *audit.PermissionEnv {
				return &audit.PermissionEnv{Actor: audit.ActorView{ID: "u", Role: "county", Unit: "x"}, Action: "view",
					Resource: audit.Resource{Kind: "expert"}}
			}),
		siteOf("alert", "event.Action", rules.Options{Article: "Art. 22"},
			func() *audit.AlertEnv {
				return &audit.AlertEnv{Event: audit.EventView{Action: "view", Subjects: []string{"E1"}}}
			}),
		siteOf("request-when", "request.ID", rules.Options{Article: "Art. 13"},
			func() *expertdb.RequestEnv {
				return &expertdb.RequestEnv{Request: expertdb.RequestView{ID: "R-1", Size: 5, Labels: []string{"k"}}}
			}),
	}
}

// TestBombsAtEverySite: every bomb, at every rule site, is refused at load time with its
// position or stops at its first evaluation with ErrBudget naming the rule and its article,
// allocating less than 16 MiB.
func TestBombsAtEverySite(t *testing.T) {
	for _, st := range sites() {
		for _, b := range siteBombs(st.s) {
			t.Run(st.name+"/"+b.Name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				cerr, eerr := st.eval(t, b.Name, b.Src)
				runtime.ReadMemStats(&after)
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated")
				if b.Load {
					var ce *rules.CompileError
					require.ErrorAs(t, cerr, &ce)
					assert.Positive(t, ce.Line)
					assert.Positive(t, ce.Column)
					return
				}
				require.NoError(t, cerr)
				require.ErrorIs(t, eerr, rules.ErrEval)
				require.ErrorIs(t, eerr, rules.ErrBudget)
				var ee *rules.EvalError
				require.ErrorAs(t, eerr, &ee)
				assert.Equal(t, b.Name, ee.Rule)
				assert.NotEmpty(t, ee.Article)
				assert.Contains(t, eerr.Error(), ee.Article)
			})
		}
	}
}

// BenchmarkBombsAtEverySite measures the time and allocation of one bomb evaluation per site.
func BenchmarkBombsAtEverySite(b *testing.B) {
	for _, st := range sites() {
		for _, bomb := range siteBombs(st.s) {
			if bomb.Load {
				continue
			}
			b.Run(st.name+"/"+bomb.Name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					st.eval(nil, bomb.Name, bomb.Src)
				}
			})
		}
	}
}

const bomb = `reduce(1..40, #acc + #acc, "x") != ""`

// Through each site's own API: the bomb fails closed, and where the site returns errors, the
// error wraps ErrBudget.
func TestBombThroughSiteAPIs(t *testing.T) {
	t.Run("admission", func(t *testing.T) {
		r := admission.DefaultRules()
		r.Basic = append(r.Basic, rules.Rule{Name: "bomb", Article: "Art. 5(1)3", Expr: bomb, Message: "炸弹"})
		require.NoError(t, r.Compile())
		d := admission.Check(testExpert(), asOf, r)
		assert.False(t, d.Eligible)
		require.NotEmpty(t, d.Findings)
		assert.Equal(t, "bomb", d.Findings[0].Code)
	})
	t.Run("permission", func(t *testing.T) {
		pr := audit.DefaultPermissionRules()
		pr.Deny = append(pr.Deny, rules.Rule{Name: "bomb", Article: "Art. 18", Expr: bomb, Message: "炸弹"})
		p, err := audit.NewPermissions(pr, audit.User{ID: "u", Name: "甲", Role: "city-admin", Unit: "市科技局"})
		require.NoError(t, err)
		d, err := p.Authorize(audit.Actor{ID: "u", Name: "甲", Role: "city-admin", Unit: "市科技局"}, audit.ActionView, audit.Resource{Kind: "expert"})
		assert.False(t, d.Allowed)
		require.ErrorIs(t, err, rules.ErrBudget)
	})
	t.Run("alert", func(t *testing.T) {
		a, err := audit.NewAlerter([]audit.AlertRule{{Name: "bomb", Article: "Art. 22", Message: "m", Match: bomb,
			Count: "events", Window: time.Hour, Threshold: 1}})
		require.NoError(t, err)
		_, err = a.Observe(1, audit.Event{At: asOf, Action: audit.ActionView})
		require.ErrorIs(t, err, rules.ErrBudget)
	})
	t.Run("request-when", func(t *testing.T) {
		p := expertdb.DefaultPolicy()
		p.RequestRules = []expertdb.RequestRule{{Name: "bomb", Article: "Art. 13", Message: "m", When: bomb, Criteria: "true"}}
		require.NoError(t, p.Compile())
		_, err := p.Apply(selection.Request{ID: "R", Size: 3, At: asOf})
		require.ErrorIs(t, err, rules.ErrBudget)
	})
	t.Run("clause5", func(t *testing.T) {
		r := conflict.DefaultRules()
		r.Clause5 = append(r.Clause5, rules.Rule{Name: "bomb", Article: "Art. 15(5)", Expr: bomb, Message: "m"})
		require.NoError(t, r.Compile())
		c := conflict.NewChecker(conflict.Project{ID: "P", Leader: conflict.Person{ID: "L", Name: "乙"}}, nil, asOf, r)
		cs := c.Check(testExpert())
		require.NotEmpty(t, cs)
		assert.True(t, cs[0].Excludes, "fails closed")
	})
}
