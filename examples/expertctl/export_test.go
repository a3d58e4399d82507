package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/verify"
)

// TestExportFromTheCommandLine: a practice draw exports as 练习抽取 and fails the formal-draw
// check (exit 1); a formal draw (submit, approve, commit, draw after the publication,
// campaign start) exports a bundle that verify.Check passes and the page passes in
// Chromium.
func TestExportFromTheCommandLine(t *testing.T) {
	w := setup(t)
	code, out, errOut := cli(t, "export", "-db", w.db, "-request-id", "R-2026-0401", "-out", w.path("practice.json"))
	require.Equal(t, exitNegative, code, errOut)
	assert.Contains(t, out, "练习抽取，非正式抽取")
	practice := readBundle(t, w.path("practice.json"))
	assert.Equal(t, []string{"formal"}, verify.Failed(verify.Check(practice)))

	clockAt(t, "2026-03-20 10:00")
	req := strings.ReplaceAll(requestYAML, "R-2026-0401", "R-2026-0577")
	require.NoError(t, writeTestFile(w.path("real.yaml"), req))
	code, _, errOut = cli(t, "request", "submit", "-db", w.db, "-request", w.path("real.yaml"), "-operator", "李四")
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = cli(t, "request", "approve", "-db", w.db, "-request-id", "R-2026-0577", "-step", "request",
		"-approver", "郑国强", "-approver-id", "u-leader")
	require.Equal(t, exitOK, code, errOut)
	source := []string{"-db", w.db, "-request-id", "R-2026-0577", "-unit", "高新技术处", "-source-name", "中国福利彩票福彩3D",
		"-round", "2026331", "-published", "2026-03-20 21:30"}
	code, _, errOut = cli(t, append([]string{"request", "commit", "-count", "3"}, source...)...)
	require.Equal(t, exitOK, code, errOut)
	clockAt(t, "2026-03-20 21:31")
	// The two-person rule: the discipline office enters the published numbers.
	code, _, errOut = cli(t, append([]string{"request", "publish", "-by", "赵七", "-by-id", "u-disc", "-values", "3.1.4"}, source...)...)
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = cli(t, append([]string{"request", "draw", "-values", "3.1.4", "-out", w.path("real.json")}, source...)...)
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = cli(t, "campaign", "start", "-db", w.db, "-request-id", "R-2026-0577")
	require.Equal(t, exitOK, code, errOut)

	code, out, errOut = cli(t, "export", "-db", w.db, "-request-id", "R-2026-0577", "-out", w.path("bundle.json"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "every check passes")
	b := readBundle(t, w.path("bundle.json"))
	require.NoError(t, b.Verify())
	require.NotNil(t, b.Commit)
	require.NotNil(t, b.Campaign)
	raw, err := os.ReadFile(w.path("bundle.json"))
	require.NoError(t, err)
	assert.NotRegexp(t, `"1[3-9][0-9]{9}"|[0-9]{17}[0-9Xx]|1[3-9][0-9]\*{4}[0-9]{4}`, string(raw), "no mobile or ID number, whole or masked")

	code, _, errOut = cli(t, "export", "-db", w.db)
	assert.Equal(t, exitUsage, code, errOut)

	// The page, as an inspector uses it: the file pasted, the published key typed in.
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium not found: the page check needs it")
	}
	page, err := os.ReadFile("../../verify/index.html")
	require.NoError(t, err)
	for _, c := range []struct{ file, want string }{{"bundle.json", "核验通过"}, {"practice.json", "练习抽取，非正式抽取"}} {
		text, err := os.ReadFile(w.path(c.file))
		require.NoError(t, err)
		js, _ := json.Marshal(string(text))
		key, _ := json.Marshal(b.VerifierKey)
		h := strings.Replace(string(page), "</body>", fmt.Sprintf(`<script>window.addEventListener("load", () => {
  document.getElementById("input").value = %s;
  document.getElementById("pubkey").value = %s;
  document.getElementById("run").click();
});</script></body>`, js, key), 1)
		path := filepath.Join(t.TempDir(), "page.html")
		require.NoError(t, os.WriteFile(path, []byte(h), 0o644))
		dom, err := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
			"--virtual-time-budget=60000", "--dump-dom", "file://"+path).Output()
		require.NoError(t, err)
		assert.Contains(t, string(dom), c.want, c.file)
	}
}

func readBundle(t *testing.T, path string) *verify.Bundle {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var b verify.Bundle
	require.NoError(t, json.Unmarshal(raw, &b))
	return &b
}
