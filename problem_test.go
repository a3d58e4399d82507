package expertdb_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/problem"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

var pkgPrefix = regexp.MustCompile(`(?:^|: )(expertdb|admission|conflict|evaluation|selection|audit|rules|rule|policy|report|verify): `)

// TestErrorsHaveOneModel walks the errors of a table of failing calls an integrator makes:
// each is reachable with errors.As as a problem.Problem with a code and a Chinese message,
// and no package prefix appears twice in its message (the attack of issue 18:
// "admission: admit: admission: invalid expert").
func TestErrorsHaveOneModel(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := rpService(t)
	nobody := audit.Actor{ID: "nobody", Name: "无名", Role: audit.RoleDivision, Unit: "别处"}
	invalid := rpPool.Applications[0]
	invalid.Expert.ID, invalid.Expert.IDNumber, invalid.Expert.Mobile = "E-NEW", "123", "x"
	young := rpPool.Applications[1]
	young.Expert.ID = "E-NEW-2"
	young.Expert.BirthDate = rpPool.AsOf.AddDate(-20, 0, 0)
	bad := rpRequest("R-BAD")
	bad.Size = 0
	bigQuota := rpRequest("R-BIG")
	bigQuota.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 99}}
	typo := rpRequest("R-TYPO")
	typo.Criteria = "expert.Titel >= Senior"
	_, err := svc.Draw(ctx, rpClerk, rpRequest("R-DONE"))
	require.NoError(t, err)

	calls := []struct {
		name string
		call func() error
		code string // "" = any
	}{
		{"admit invalid expert", func() error { _, err := svc.Admit(ctx, rpAdmin, invalid); return err }, ""},
		{"admit ineligible expert", func() error { _, err := svc.Admit(ctx, rpAdmin, young); return err }, ""},
		{"admit by a clerk", func() error { _, err := svc.Admit(ctx, rpClerk, rpPool.Applications[2]); return err }, ""},
		{"draw invalid request", func() error { _, err := svc.Draw(ctx, rpClerk, bad); return err }, ""},
		{"draw infeasible quota", func() error { _, err := svc.Draw(ctx, rpClerk, bigQuota); return err }, ""},
		{"draw with a typo in the criteria", func() error { _, err := svc.Draw(ctx, rpClerk, typo); return err }, "expression"},
		{"draw twice", func() error { _, err := svc.Draw(ctx, rpClerk, rpRequest("R-DONE")); return err }, "already-drawn"},
		{"draw by a stranger", func() error { _, err := svc.Draw(ctx, nobody, rpRequest("R-X")); return err }, ""},
		{"view an unknown expert", func() error { _, err := svc.ViewExpert(ctx, rpAdmin, "E-NONE"); return err }, "not-found"},
		{"rate an invalid rating", func() error {
			return svc.Rate(ctx, rpClerk, "R-DONE", evaluation.Rating{ExpertID: rpPool.Applications[0].Expert.ID})
		}, ""},
		{"load a profile with a typo", func() error {
			_, err := expertdb.LoadPolicy([]byte("name: x\nconflict:\n  clause5:\n    - name: a\n      article: Art. 15(5)\n      expr: expert.Nmae == 1\n      message: x\n"))
			return err
		}, ""},
		{"compile admission rules with a typo", func() error {
			r := admission.DefaultRules()
			r.Basic = append(r.Basic, rule.Rule{Name: "typo", Article: "Art. 5", Expr: "expert.Nmae", Message: "x"})
			return r.Compile()
		}, "expression"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			require.Error(t, err)
			var p problem.Problem
			require.True(t, errors.As(err, &p), "%T: %v", err, err)
			d := p.Problem()
			assert.NotEmpty(t, d.Code, err.Error())
			assert.Regexp(t, `\p{Han}`, d.Message, "a Chinese message: %v", err)
			if c.code != "" {
				assert.Equal(t, c.code, d.Code, err.Error())
			}
			// errors.Join writes one error a line: each is a message of its own.
			for _, line := range strings.Split(err.Error(), "\n") {
				seen := map[string]bool{}
				for _, m := range pkgPrefix.FindAllStringSubmatch(line, -1) {
					assert.False(t, seen[m[1]], "prefix %q twice in %q", m[1], line)
					seen[m[1]] = true
				}
			}
		})
	}
}

// TestCompileErrorPosition: the line and column of an expression that does not compile are
// fields of the problem, not only text.
func TestCompileErrorPosition(t *testing.T) {
	r := admission.DefaultRules()
	r.Basic = append(r.Basic, rule.Rule{Name: "typo", Article: "Art. 5", Expr: "age > 1 &&\n  expert.Nmae == \"\"", Message: "x"})
	d, ok := problem.Of(r.Compile())
	require.True(t, ok)
	assert.Equal(t, "expression", d.Code)
	assert.Equal(t, "typo", d.Field)
	assert.Equal(t, 2, d.Line)
	assert.Positive(t, d.Column)
}
