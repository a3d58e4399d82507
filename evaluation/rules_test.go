package evaluation_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/evaluation"
	"go.yaml.in/yaml/v3"
)

func TestPreferentialEligibleDefault(t *testing.T) {
	cases := []struct {
		name string
		s    evaluation.Summary
		want bool
	}{
		{"3 of 10 is exactly 30%, not more", evaluation.Summary{Total: 10, Excellent: 3}, false},
		{"4 of 10 exceeds 30%", evaluation.Summary{Total: 10, Excellent: 4}, true},
		{"30 of 100", evaluation.Summary{Total: 100, Excellent: 30}, false},
		{"31 of 100", evaluation.Summary{Total: 100, Excellent: 31}, true},
		{"1 of 3 is 33%", evaluation.Summary{Total: 3, Excellent: 1}, true},
		{"1 of 4 is 25%", evaluation.Summary{Total: 4, Excellent: 1}, false},
		{"1 of 1", evaluation.Summary{Total: 1, Excellent: 1}, true},
		{"0 of 1", evaluation.Summary{Total: 1, Good: 1}, false},
		{"no ratings", evaluation.Summary{}, false},
		{"no ratings but no-shows", evaluation.Summary{NoShows: 2}, false},
		{"an invalid rating fails closed", evaluation.Summary{Total: 10, Excellent: 10, Invalid: 1}, false},
		{"more excellent than total is inconsistent", evaluation.Summary{Total: 2, Excellent: 3}, false},
		{"negative excellent is inconsistent", evaluation.Summary{Total: 2, Excellent: -1}, false},
		{"negative total", evaluation.Summary{Total: -10, Excellent: -4}, false},
		// 3/10 of MaxInt is 2767011611056432742.1: the first eligible count is ...743.
		{"huge counts do not overflow", evaluation.Summary{Total: math.MaxInt, Excellent: 2767011611056432743}, true},
		{"huge counts just below", evaluation.Summary{Total: math.MaxInt, Excellent: 2767011611056432742}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, evaluation.PreferentialEligible(c.s))
			assert.Equal(t, c.want, evaluation.DefaultRules().PreferentialEligible(c.s))
			var nilRules *evaluation.Rules
			assert.Equal(t, c.want, nilRules.PreferentialEligible(c.s))
			assert.Equal(t, c.want, evaluation.DefaultRules().CheckPreferential(c.s) == nil)
		})
	}
}

func TestRulesPreferentialConfigurable(t *testing.T) {
	third := evaluation.Ratio{Num: 1, Den: 3}
	cases := []struct {
		name  string
		edit  func(*evaluation.Rules)
		s     evaluation.Summary
		want  bool
		code  string
		words string
	}{
		{"threshold 1/3 strict at 1 of 3", func(r *evaluation.Rules) { r.Threshold = third },
			evaluation.Summary{Total: 3, Excellent: 1}, false, evaluation.CodeExcellentRate, "未超过 1/3"},
		{"threshold 1/3 inclusive at 1 of 3", func(r *evaluation.Rules) { r.Threshold = third; r.Inclusive = true },
			evaluation.Summary{Total: 3, Excellent: 1}, true, "", ""},
		{"inclusive 30% at 3 of 10", func(r *evaluation.Rules) { r.Inclusive = true },
			evaluation.Summary{Year: 2024, Total: 10, Excellent: 3}, true, "", ""},
		{"inclusive 30% at 2 of 10", func(r *evaluation.Rules) { r.Inclusive = true },
			evaluation.Summary{Year: 2024, Total: 10, Excellent: 2}, false, evaluation.CodeExcellentRate, "上一年度（2024年）履职评价优秀率 2/10，低于 30%"},
		{"min ratings 3 with 2", func(r *evaluation.Rules) { r.MinRatings = 3 },
			evaluation.Summary{Year: 2024, Total: 2, Excellent: 2}, false, evaluation.CodeTooFewRatings, "履职评价 2 次，少于使用细则要求的 3 次"},
		{"min ratings 3 with 3", func(r *evaluation.Rules) { r.MinRatings = 3 },
			evaluation.Summary{Total: 3, Excellent: 2}, true, "", ""},
		{"min ratings 0 still needs one rating", func(r *evaluation.Rules) { r.MinRatings = 0 },
			evaluation.Summary{}, false, evaluation.CodeNoRatings, "上一年度无履职评价记录"},
		{"zero threshold: any excellent", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{Num: 0, Den: 1} },
			evaluation.Summary{Total: 100, Excellent: 1}, true, "", ""},
		{"zero threshold: no excellent", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{Num: 0, Den: 1} },
			evaluation.Summary{Total: 100}, false, evaluation.CodeExcellentRate, "优秀率 0/100，未超过 0%"},
		{"bad threshold fails closed", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{} },
			evaluation.Summary{Total: 10, Excellent: 10}, false, evaluation.CodeBadThreshold, "门槛配置无效"},
		{"invalid ratings", func(*evaluation.Rules) {},
			evaluation.Summary{Year: 2024, Total: 10, Excellent: 10, Invalid: 2}, false, evaluation.CodeInvalidRatings, "有 2 条评价等级无效"},
		{"inconsistent", func(*evaluation.Rules) {},
			evaluation.Summary{Total: 1, Excellent: 2}, false, evaluation.CodeInconsistent, "优秀 2 次，共 1 次"},
		{"default message", func(*evaluation.Rules) {},
			evaluation.Summary{Year: 2024, Total: 10, Excellent: 3}, false, evaluation.CodeExcellentRate, "上一年度（2024年）履职评价优秀率 3/10，未超过 30%，不能作为择优选取对象"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := evaluation.DefaultRules()
			c.edit(r)
			assert.Equal(t, c.want, r.PreferentialEligible(c.s))
			f := r.CheckPreferential(c.s)
			if c.want {
				assert.Nil(t, f)
				return
			}
			require.NotNil(t, f)
			assert.Equal(t, "Art. 25", f.Article)
			assert.Equal(t, c.code, f.Code)
			assert.Contains(t, f.Message, c.words)
		})
	}
}

func TestDefaultRulesAreFresh(t *testing.T) {
	a := evaluation.DefaultRules()
	a.Threshold = evaluation.Ratio{Num: 1, Den: 2}
	a.Serious[0] = evaluation.Lobbying
	b := evaluation.DefaultRules()
	assert.Equal(t, evaluation.Ratio{Num: 3, Den: 10}, b.Threshold)
	assert.Equal(t, []evaluation.Violation{evaluation.Solicitation, evaluation.Bribery, evaluation.Leak}, b.Serious)
	assert.True(t, b.RequireAspects)
	assert.Equal(t, 1, b.MinRatings)
	assert.False(t, b.Inclusive)
	require.NoError(t, b.Validate())
	var nilRules *evaluation.Rules
	require.NoError(t, nilRules.Validate())
}

func TestRulesValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*evaluation.Rules)
		words []string
	}{
		{"zero denominator", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{Num: 1} }, []string{"threshold"}},
		{"above one", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{Num: 11, Den: 10} }, []string{"threshold"}},
		{"negative numerator", func(r *evaluation.Rules) { r.Threshold = evaluation.Ratio{Num: -1, Den: 10} }, []string{"threshold"}},
		{"negative min", func(r *evaluation.Rules) { r.MinRatings = -1 }, []string{"min_ratings"}},
		{"bad violation", func(r *evaluation.Rules) { r.Serious = append(r.Serious, 11) }, []string{"serious_violations", "第 4 项"}},
		{"all at once", func(r *evaluation.Rules) {
			r.Threshold = evaluation.Ratio{}
			r.MinRatings = -2
			r.Serious = []evaluation.Violation{0}
		}, []string{"threshold", "min_ratings", "serious_violations"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := evaluation.DefaultRules()
			c.edit(r)
			err := r.Validate()
			require.Error(t, err)
			for _, w := range c.words {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "evaluation: ")
		})
	}
}

func TestRulesLoadFromCountyProfile(t *testing.T) {
	src := []byte("threshold: 1/3\ninclusive: true\nmin_ratings: 2\nrequire_aspects: false\nserious_violations: [solicitation, leak, 'Art. 9(1)']\n")
	r := evaluation.DefaultRules()
	require.NoError(t, yaml.Unmarshal(src, r))
	assert.Equal(t, &evaluation.Rules{
		Threshold: evaluation.Ratio{Num: 1, Den: 3}, Inclusive: true, MinRatings: 2,
		Serious: []evaluation.Violation{evaluation.Solicitation, evaluation.Leak, evaluation.FraudulentQualification},
	}, r)
	require.NoError(t, r.Validate())

	r = evaluation.DefaultRules()
	require.NoError(t, yaml.Unmarshal([]byte("threshold: 25%\n"), r))
	assert.Equal(t, evaluation.Ratio{Num: 25, Den: 100}, r.Threshold)
	assert.True(t, r.RequireAspects, "fields absent from the profile keep their defaults")

	err := yaml.Unmarshal([]byte("threshold: 0.3\n"), evaluation.DefaultRules())
	require.Error(t, err, "a float is ambiguous; the profile writes 3/10 or 30%")
	err = yaml.Unmarshal([]byte("serious_violations: [bribe]\n"), evaluation.DefaultRules())
	require.Error(t, err)

	b, err := json.Marshal(evaluation.DefaultRules())
	require.NoError(t, err)
	assert.JSONEq(t, `{"threshold":"3/10","inclusive":false,"min_ratings":1,"require_aspects":true,"serious_violations":["solicitation","bribery","leak"]}`, string(b))
	var back evaluation.Rules
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, evaluation.DefaultRules(), &back)
}

func TestRatio(t *testing.T) {
	parse := []struct {
		in   string
		want evaluation.Ratio
	}{
		{"3/10", evaluation.Ratio{Num: 3, Den: 10}},
		{" 1 / 3 ", evaluation.Ratio{Num: 1, Den: 3}},
		{"0/1", evaluation.Ratio{Num: 0, Den: 1}},
		{"30%", evaluation.Ratio{Num: 30, Den: 100}},
		{"33.5%", evaluation.Ratio{Num: 335, Den: 1000}},
		{"0.000000001%", evaluation.Ratio{Num: 1, Den: 100_000_000_000}},
		{".5%", evaluation.Ratio{Num: 5, Den: 1000}},
		{"5.%", evaluation.Ratio{Num: 5, Den: 100}},
		{"150%", evaluation.Ratio{Num: 150, Den: 100}},
	}
	for _, c := range parse {
		got, err := evaluation.ParseRatio(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, bad := range []string{"", "3", "0.3", "3/0", "-3/10", "3/-10", "+3/10", "3/10/2", "a/b", "%", ".%", "1.0000000001%", "-5%",
		"99999999999999999999/1", "1/99999999999999999999", "３/10"} {
		_, err := evaluation.ParseRatio(bad)
		assert.Error(t, err, "%q", bad)
	}

	cmp := []struct {
		a, b evaluation.Ratio
		want int
	}{
		{evaluation.Ratio{Num: 3, Den: 10}, evaluation.Ratio{Num: 30, Den: 100}, 0},
		{evaluation.Ratio{Num: 1, Den: 3}, evaluation.Ratio{Num: 3, Den: 10}, 1},
		{evaluation.Ratio{Num: 3, Den: 10}, evaluation.Ratio{Num: 1, Den: 3}, -1},
		{evaluation.Ratio{Num: math.MaxInt - 1, Den: math.MaxInt}, evaluation.Ratio{Num: math.MaxInt - 2, Den: math.MaxInt - 1}, 1},
		{evaluation.Ratio{Num: math.MaxInt, Den: math.MaxInt}, evaluation.Ratio{Num: 1, Den: 1}, 0},
		{evaluation.Ratio{Num: 0, Den: 7}, evaluation.Ratio{Num: 0, Den: 1}, 0},
	}
	for _, c := range cmp {
		assert.Equal(t, c.want, c.a.Cmp(c.b), "%v vs %v", c.a, c.b)
		assert.Equal(t, -c.want, c.b.Cmp(c.a), "%v vs %v", c.b, c.a)
	}
	_, err := evaluation.Ratio{Num: 1}.MarshalText()
	assert.Error(t, err)
}
