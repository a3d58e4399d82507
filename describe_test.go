package expertdb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
)

// lineWith returns the first line of text containing every fragment.
func lineWith(t *testing.T, text string, fragments ...string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(l, f)
		}
		if ok {
			return l
		}
	}
	t.Fatalf("no line contains %q in:\n%s", fragments, text)
	return ""
}

func hasMark(l string) bool {
	return strings.Contains(l, expertdb.MarkChanged) || strings.Contains(l, expertdb.MarkAdded) || strings.Contains(l, expertdb.MarkDisabled)
}

func TestDescribeDefaultPolicy(t *testing.T) {
	text := expertdb.DefaultPolicy().Describe()
	assert.False(t, hasMark(text), "the city rules have nothing local")
	for _, want := range []string{
		"《温州市科技专家库管理办法（市级规则）》规则说明",
		"施行日期：2024年3月27日",
		"一、专家入库条件（第五条、第十一条）",
		"二、专家抽（选）取（第十三条、第十四条）",
		"三、专家回避（第十五条）",
		"四、履职评价与科研诚信",
		"五、使用权限（第十八条至第二十一条）",
		"六、全程留痕与异常预警（第十七条、第二十二条）",
		"本规则即市级规则，未作本地调整。",
		"每名专家每年参与科技评审（咨询）活动不超过 10 次",
		"不超过专家组总人数的三分之一",
		"优秀率超过十分之三（30%）的专家",
		"离开原单位 12 个月内",
		"回避清单最多 10 项",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "附：本地调整清单")
	// Citations are written the Chinese way.
	assert.Contains(t, lineWith(t, text, "3. age"), "〔第五条第（一）项第2目〕")
	assert.Contains(t, lineWith(t, text, "maintainer-personal-data"), "〔第十九条、第二十条〕")
	assert.Contains(t, lineWith(t, text, "2. leader"), "〔第十四条第（一）项、第二十八条〕")
}

func TestDescribeMarksWhatTheCountyChanged(t *testing.T) {
	p := mustLoadWith(t, []string{"admission.basic[political-quality]", "evaluation.threshold"}, `filing: 瑞科〔2026〕5号
effective: 2026-01-01
admission:
  basic:
    - {name: political-quality, disabled: true}
    - {name: age, expr: age <= 63, message: 年龄超过63周岁}
  professional:
    economic: {any_of: [{name: finance-dept-head, disabled: true}]}
selection: {annual_cap: 8, preferential_share: 1/4, seal_panels: false}
conflict:
  max_avoidances: 5
  unit_aliases: {瑞安人医: 瑞安市人民医院}
  clause5:
    - {name: county-government-staff, expr: 'expert.Affiliation.Kind == "government" && expert.Region == project.Region', message: 本县机关事业单位工作人员回避本县项目}
evaluation: {threshold: 1/4}
alerts: [{name: redraw, disabled: true}]
`+keyProject)
	text := p.Describe()
	for _, tc := range []struct {
		fragments []string
		mark      string
	}{
		{[]string{"× political-quality"}, expertdb.MarkDisabled},
		{[]string{". age〔"}, expertdb.MarkChanged},
		{[]string{"× finance-dept-head"}, expertdb.MarkDisabled},
		{[]string{"不超过 8 次"}, expertdb.MarkChanged},
		{[]string{"专家组总人数的四分之一"}, expertdb.MarkChanged},
		{[]string{"专家组名单不作封存处理"}, expertdb.MarkChanged},
		{[]string{"回避清单最多 5 项"}, expertdb.MarkChanged},
		{[]string{"瑞安人医→瑞安市人民医院"}, expertdb.MarkAdded},
		{[]string{"county-government-staff〔第十五条第（五）项〕"}, expertdb.MarkAdded},
		{[]string{"优秀率超过四分之一的专家"}, expertdb.MarkChanged},
		{[]string{"× redraw"}, expertdb.MarkDisabled},
		{[]string{"key-project-outside-county〔第十三条〕"}, expertdb.MarkAdded},
	} {
		assert.Contains(t, lineWith(t, text, tc.fragments...), tc.mark, "%q", tc.fragments)
	}
	// What the county left alone is not marked.
	for _, f := range [][]string{{". birth-date〔"}, {"离开原单位 12 个月内"}, {"1. profile-views"}} {
		l := lineWith(t, text, f...)
		assert.NotContains(t, l, expertdb.MarkChanged, l)
		assert.NotContains(t, l, expertdb.MarkAdded, l)
	}
	assert.Contains(t, text, "温大→温州大学；温州医学院→温州医科大学；瑞安人医→瑞安市人民医院"+expertdb.MarkAdded, "each alias is marked on its own")

	// The header counts the changes and the closing list repeats each, old → new.
	n := len(p.Changes())
	require.Equal(t, 13, n)
	assert.Contains(t, text, "本细则对市级规则作出本地调整 13 处")
	_, list, ok := strings.Cut(text, "附：本地调整清单（共 13 处）\n")
	require.True(t, ok)
	assert.Len(t, strings.Split(strings.TrimSpace(list), "\n"), n)
	assert.Contains(t, list, "selection.annual_cap〔第十四条第（一）项〕市级规则 10 → 本地 8")
	assert.Contains(t, list, "admission.basic[political-quality]〔第五条第（一）项第1目〕停用：原为 hasCredential(\"political-quality\")")
	assert.Contains(t, text, "备案文号：瑞科〔2026〕5号")
	assert.Contains(t, text, "施行日期：2026年1月1日")
	assert.Contains(t, text, "配额 outside-county：符合 expert.Region != \"330381\" 的专家不少于专家组人数的二分之一（向上取整）")
}

func TestDescribeWithoutIdentity(t *testing.T) {
	p := mustLoad(t, "")
	text := p.Describe()
	assert.Contains(t, text, "备案文号：（无）")
	assert.Contains(t, text, "施行日期：（未填写）")
}

func TestDescribeIncompletePolicy(t *testing.T) {
	p := &expertdb.Policy{Name: "手工构造", Region: "330381"}
	text := p.Describe()
	assert.Contains(t, text, "《手工构造》规则说明")
	assert.Equal(t, 4, strings.Count(text, "（未配置：本部分规则缺失，使用细则不完整）"))
}
