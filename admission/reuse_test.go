package admission_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
	"pgregory.net/rapid"
)

// Check, Drawable and Sweep evaluate every expert in a pooled environment, and Drawable
// stops at the first qualifying category when the expert is eligible. These tests hold them
// to their definitions.

// genPast adds former units to e, so that views have every list.
func genPast(t *rapid.T, e *admission.Expert) {
	for i := range rapid.IntRange(0, 3).Draw(t, "past") {
		e.Past = append(e.Past, admission.Affiliation{Org: []string{"温州大学", "某研究所", "某企业"}[i],
			Kind: admission.University, To: day(2020, 1, 1)})
	}
}

// drawableRules returns, at random, the default rules or the default rules with a county's
// Art. 14(3) training condition.
func drawableRules(t *rapid.T) *admission.Rules {
	r := admission.DefaultRules()
	if rapid.Bool().Draw(t, "training-rule") {
		r.Drawable = []rule.Rule{{Name: "recent-review-training", Article: "Art. 14(3)",
			Expr: `hasRecentTraining("review-rules", 730)`, Message: "近两年未参加评审规则培训"}}
		require.NoError(t, r.Compile())
	}
	return r
}

// drawableByDefinition is Drawable as documented: not-active when not Active, the findings
// of Check when not eligible, then every Rules.Drawable rule that fails on NewEnv.
func drawableByDefinition(t *rapid.T, e admission.Expert, at time.Time, r *admission.Rules) []admission.Finding {
	var out []admission.Finding
	if e.Status != admission.Active {
		out = append(out, admission.Finding{Article: "Art. 12", Code: "not-active", Message: "专家不在库（未入库或已出库），不能抽取"})
	}
	for _, rec := range e.Records {
		if rec.Review == nil {
			out = append(out, admission.Finding{Article: rec.ArticleOr(), Code: admission.CodeSuspended})
		}
	}
	if d := admission.Check(e, at, r); !d.Eligible {
		out = append(out, d.Findings...)
	}
	set, err := rules.CompileSet[admission.Env](r.Drawable, rules.Options{Constants: admission.TitleConstants()})
	require.NoError(t, err)
	failed, errs := set.Failed(admission.NewEnv(e, at))
	require.Empty(t, errs)
	for _, x := range failed {
		out = append(out, admission.Finding{Article: x.Article, Code: x.Name, Message: x.Message})
	}
	return out
}

func TestDrawableEqualsItsDefinition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		e := genExpert(t, at)
		r := drawableRules(t)
		got := admission.Drawable(e, at, r)
		for i := range got { // suspension messages are checked in TestArt9SuspensionPendingReview
			if got[i].Code == admission.CodeSuspended {
				got[i].Message = ""
			}
		}
		require.Equal(t, drawableByDefinition(t, e, at, r), got)
	})
}

func TestResultsDoNotDependOnExpertsCheckedBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		shared := drawableRules(t)
		for i := range rapid.IntRange(1, 6).Draw(t, "experts") {
			e := genExpert(t, at)
			genPast(t, &e)
			fresh := admission.DefaultRules()
			fresh.Drawable = shared.Drawable
			require.NoError(t, fresh.Compile())
			require.Equal(t, admission.Check(e, at, fresh), admission.Check(e, at, shared), "expert %d", i)
			require.Equal(t, admission.Drawable(e, at, fresh), admission.Drawable(e, at, shared), "expert %d", i)
			require.Equal(t, admission.Sweep([]admission.Expert{e}, at, fresh), admission.Sweep([]admission.Expert{e}, at, shared), "expert %d", i)
		}
	})
}

func TestViewIntoEqualsViewWhateverTheViewHeldBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		var v admission.ExpertView
		for range rapid.IntRange(1, 6).Draw(t, "experts") {
			e := genExpert(t, at)
			genPast(t, &e)
			e.ViewInto(&v)
			want := e.View()
			require.Equal(t, want, v) // reflect.DeepEqual: a nil list differs from an empty one
			require.Equal(t, len(e.Past) == 0, want.Past == nil)
			require.Equal(t, len(e.Categories) == 0, want.Categories == nil)
			require.Equal(t, len(e.Credentials) == 0, want.Credentials == nil)
			require.Equal(t, len(e.Trainings) == 0, want.Trainings == nil)
			require.Equal(t, len(e.Exits) == 0, want.ExitReasons == nil)
		}
	})
}

func TestDrawableIsSafeForConcurrentUse(t *testing.T) {
	experts := benchExperts(64)
	r := admission.DefaultRules()
	r.Drawable = []rule.Rule{{Name: "recent-review-training", Article: "Art. 14(3)",
		Expr: `hasRecentTraining("review-rules", 730)`, Message: "近两年未参加评审规则培训"}}
	require.NoError(t, r.Compile())
	want := make([][]admission.Finding, len(experts))
	for i, e := range experts {
		want[i] = admission.Drawable(e, asOf, r)
	}
	var wg sync.WaitGroup
	got := make([][][]admission.Finding, 4)
	for g := range got {
		got[g] = make([][]admission.Finding, len(experts))
		wg.Go(func() {
			for k := range experts {
				i := (k*7 + g*13) % len(experts) // each goroutine in its own order
				got[g][i] = admission.Drawable(experts[i], asOf, r)
			}
		})
	}
	wg.Wait()
	for g := range got {
		require.Equal(t, want, got[g], "goroutine %d", g)
	}
}

// Invariant: a pooled environment fills only the view fields its rules read, and Check,
// Drawable and Sweep give exactly what they give with every field filled, for the default
// rules and for county rules that read the other fields.
func TestViewFieldsTheRulesReadAreEnough(t *testing.T) {
	require.False(t, admission.ViewFilled(admission.DefaultRules()), "the default rules read only some fields")
	// Each reads a field the default rules do not, with an outcome that depends on it.
	county := []rule.Rule{
		{Name: "name", Article: "Art. 13", Expr: `expert.Name != "李"`, Message: "姓名"},
		{Name: "id", Article: "Art. 13", Expr: `expert.ID < "E500"`, Message: "编号"},
		{Name: "past", Article: "Art. 13", Expr: `len(expert.Past) < 2`, Message: "曾任"},
		{Name: "unit", Article: "Art. 13", Expr: `expert.Affiliation.Kind != "government"`, Message: "单位"},
		{Name: "status", Article: "Art. 13", Expr: `expert.Status == "active"`, Message: "状态"},
		{Name: "updated", Article: "Art. 13", Expr: `expert.UpdatedAt.IsZero()`, Message: "更新"},
		{Name: "trainings", Article: "Art. 13", Expr: `len(expert.Trainings) < 2`, Message: "培训"},
		{Name: "whole", Article: "Art. 13", Expr: `let e = expert; e.Status != "exited" && e.Name != "张三"`, Message: "整体"},
	}
	rapid.Check(t, func(t *rapid.T) {
		at := genDay(t, "asOf", 2000, 2040)
		build := func() *admission.Rules {
			r := drawableRules(t)
			r = func() *admission.Rules { c := *r; return &c }()
			return r
		}
		masked := build()
		if k := rapid.IntRange(0, len(county)).Draw(t, "county"); k > 0 {
			masked.Basic = append(slices.Clone(masked.Basic), county[k-1])
		}
		require.NoError(t, masked.Compile())
		full := *masked
		require.NoError(t, full.Compile())
		admission.FullView(&full)
		var experts []admission.Expert
		for range rapid.IntRange(1, 5).Draw(t, "experts") {
			e := genExpert(t, at)
			genPast(t, &e)
			experts = append(experts, e)
		}
		for _, e := range experts {
			require.Equal(t, admission.Check(e, at, &full), admission.Check(e, at, masked))
			require.Equal(t, admission.Drawable(e, at, &full), admission.Drawable(e, at, masked))
		}
		require.Equal(t, admission.Sweep(experts, at, &full), admission.Sweep(experts, at, masked))
	})
}
