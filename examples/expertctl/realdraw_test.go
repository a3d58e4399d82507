package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealDrawFromTheCommandLine: submit → approve → commit → (value published) → draw, on
// the system clock; the operator chooses neither the entropy nor the time, a self-approval
// and a draw before the publication are refused.
func TestRealDrawFromTheCommandLine(t *testing.T) {
	w := setup(t)
	clockAt(t, "2026-03-20 10:00")
	req := strings.ReplaceAll(requestYAML, "R-2026-0401", "R-2026-0499")
	code, _, _ := cli(t, "request", "submit", "-db", w.db, "-request", w.path("req.yaml"), "-operator", "李四")
	require.Equal(t, exitRuntime, code, "the practice-drawn ID cannot be submitted")
	require.NoError(t, writeTestFile(w.path("real.yaml"), req))
	code, out, errOut := cli(t, "request", "submit", "-db", w.db, "-request", w.path("real.yaml"), "-operator", "李四")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "submitted")

	code, _, errOut = cli(t, "request", "approve", "-db", w.db, "-request-id", "R-2026-0499", "-step", "request",
		"-approver", "李四", "-approver-id", "cli-division", "-approver-role", "division", "-approver-unit", "高新技术处")
	require.Equal(t, exitRuntime, code, "self-approval: %s", errOut)
	code, out, errOut = cli(t, "request", "approve", "-db", w.db, "-request-id", "R-2026-0499", "-step", "request",
		"-approver", "郑国强", "-approver-id", "u-leader")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "approved")

	published := "2026-03-20 21:30"
	source := []string{"-db", w.db, "-request-id", "R-2026-0499", "-unit", "高新技术处", "-source-name", "中国福利彩票福彩3D",
		"-round", "2026330", "-published", published}
	unlisted := append([]string{"request", "commit", "-count", "3"}, source...)
	unlisted[slices.Index(unlisted, "中国福利彩票福彩3D")] = "本处自办摇号"
	code, _, errOut = cli(t, unlisted...)
	require.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "source-not-allowed")
	code, out, errOut = cli(t, append([]string{"request", "commit", "-count", "3"}, source...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "commitment")
	code, _, errOut = cli(t, append([]string{"request", "draw", "-values", "3.1.4", "-out", w.path("real.json")}, source...)...)
	require.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "not published yet")
	clockAt(t, "2026-03-20 21:31")
	// Two-person rule: the committer does not enter the numbers alone; the discipline office
	// enters them; a number 福彩3D cannot draw is refused.
	code, _, errOut = cli(t, append([]string{"request", "draw", "-values", "3.1.4", "-out", w.path("real.json")}, source...)...)
	require.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "committer-value")
	publish := append([]string{"request", "publish", "-by", "赵七", "-by-id", "u-disc"}, source...)
	code, _, errOut = cli(t, append(publish, "-values", "3.10.4")...)
	require.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "value-range")
	code, _, errOut = cli(t, append([]string{"request", "publish", "-by", "李四", "-by-id", "cli-division", "-by-role", "division",
		"-by-unit", "高新技术处", "-values", "3.1.4"}, source...)...)
	require.Equal(t, exitRuntime, code, "the committer entering the value")
	assert.Contains(t, errOut, "committer-value")
	code, out, errOut = cli(t, append(publish, "-values", "3.1.4")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "entered by 赵七")
	code, out, errOut = cli(t, append([]string{"request", "draw", "-values", "3.1.4", "-out", w.path("real.json")}, source...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "draw R-2026-0499")
	assert.NotContains(t, out, "PRACTICE")
}

func writeTestFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
