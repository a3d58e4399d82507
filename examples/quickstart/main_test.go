package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
)

// TestQuickstartTellsTheStory runs the quickstart as `go run ./examples/quickstart -html …`
// would and checks the key lines of each chapter (not a full dump).
func TestQuickstartTellsTheStory(t *testing.T) {
	dir := t.TempDir()
	page, db, record := filepath.Join(dir, "draw.html"), filepath.Join(dir, "wz.sqlite"), filepath.Join(dir, "draw.json")
	var out, errOut bytes.Buffer
	code := run([]string{"-html", page, "-db", db, "-record", record}, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	text := out.String()
	for _, want := range []string{
		// Admission (Art. 5, 6): every channel, one refusal with its article.
		"收到入库申请 2001 份：个人申请",
		"审核通过 2000 名：科技专家",
		"未予入库 1 名",
		"Art. 5(1)2 age：年龄超过65周岁",
		// Ratings and cap (Art. 25, 14(1)).
		"导入 2025 年度履职评价",
		"达到年度上限的专家 3 名",
		// The request and the plan (Art. 13, 14(1)).
		"申请编号 R-2026-0315",
		"专家结构：经济专家 ≥ 2 名；同一单位 ≤ 1 名",
		"择优选取 1 名（不超过三分之一）",
		"局机关纪委备案",
		// Exclusions with articles (Art. 14(1), 15).
		"Art. 14(1)   annual-cap                  3 名",
		"Art. 15(1)",
		"Art. 15(3)   same-department",
		"Art. 15(4)   avoidance-list",
		"应当回避",
		"随机数串（RFC 3797）3.7.11.13.19.24.28./",
		// Campaign (Art. 14(2)).
		"婉拒：活动当天另有教学任务",
		"逾期未回复",
		"按原条件递补",
		"专家组人数和结构已满足（7 名）",
		// De-identification (Art. 20).
		"（脱敏视图，查看已留痕）",
		// Ratings (Art. 25).
		"评价 7 名专家：优秀 3 名，良好 4 名",
		// Audit (Art. 17).
		"签名检查点（交纪委留存）",
		"校验通过",
		"全量校验（逐条重算 Merkle 树并核对签名）：通过",
		"与记录及审计事件一致",
		"改动一个随机数后重放：不一致",
	} {
		assert.Contains(t, text, want)
	}
	// The leader of the project is in the pool: Art. 15(1) excludes them.
	assert.Regexp(t, `Art\. 15\(1\)\s+project-leader\s+1 名`, text)
	// No personal data in the clear: no mobile, no ID number, no reply code.
	assert.NotRegexp(t, regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`), text, "a mobile number is printed unmasked")
	assert.NotRegexp(t, regexp.MustCompile(`[0-9]{17}[0-9X]`), text, "an ID number is printed unmasked")
	assert.NotRegexp(t, regexp.MustCompile(`回复码 [0-9]{8}`), text, "a reply code is printed")
	// The panel table lists seven masked members.
	panel := text[strings.Index(text, "六、专家组名单"):strings.Index(text, "七、履职评价")]
	assert.Len(t, regexp.MustCompile(`(?m)^  E\d{5} +\S+ +1\d\d\*{4}\d{4} `).FindAllString(panel, -1), 7,
		"seven members with masked mobiles:\n%s", panel)

	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "R-2026-0315")
	assert.Contains(t, string(html), "专家抽取记录表")
	assert.Contains(t, string(html), "expertctl replay draw.json")

	// The kept database comes with its keys, and the record replays against its audit event.
	for _, f := range []string{db, db + ".key", db + ".pub"} {
		_, err := os.Stat(f)
		require.NoError(t, err, f)
	}
	raw, err := os.ReadFile(record)
	require.NoError(t, err)
	var rec expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(raw, &rec))
	rep, err := expertdb.ReplayDraw(&rec, nil)
	require.NoError(t, err)
	assert.True(t, rep.Match, rep.String())

	// The story starts from an empty database: an existing file is refused.
	assert.Equal(t, 2, run([]string{"-db", db}, &out, &errOut))
}

// TestQuickstartIsDeterministic: two runs print the same story (fixed clock, entropy and key).
func TestQuickstartIsDeterministic(t *testing.T) {
	var a, b, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-n", "400"}, &a, &errOut), errOut.String())
	require.Equal(t, 0, run([]string{"-n", "400"}, &b, &errOut), errOut.String())
	assert.Equal(t, a.String(), b.String())
	assert.Contains(t, a.String(), "审核通过 400 名")
}

// TestQuickstartUsage: bad flags are a usage error (exit 2), -h is not.
func TestQuickstartUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"-n", "5"}, &out, &errOut))
	assert.Equal(t, 2, run([]string{"-bogus"}, &out, &errOut))
	assert.Equal(t, 2, run([]string{"extra"}, &out, &errOut))
	errOut.Reset()
	assert.Equal(t, 0, run([]string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: go run ./examples/quickstart")
	assert.Empty(t, out.String())
}
