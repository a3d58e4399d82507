package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/selection"
)

// cli runs expertctl in-process and returns its exit code and outputs.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const requestYAML = `id: R-2026-0401
unit: 高新技术处
activity: 2026-04-08 09:00
size: 5
criteria: expert.Title >= AssociateSenior || "economic" in expert.Categories
window: 48h
quotas:
  - {name: economic, filter: '"economic" in expert.Categories', min: 1}
groups:
  - {name: one-per-unit, key: expert.Affiliation.Org, max: 1}
project:
  id: P-2026-041
  region: "330304"
  leader: {id: L-1, name: 孙立新, org: 瓯江大学, kind: university, department: 机电工程学院}
  members:
    - {id: M-1, name: 张某某, org: 浙江澜舟电气股份有限公司, kind: enterprise}
  avoid:
    - {org: 乐清泓晟低压电器有限公司, reason: 竞争企业}
relations:
  - {a: E00012, b: M-1, kind: co-author, since: 2022-01-01}
`

// workspace is a database with an admitted synthetic pool and one draw.
type workspace struct {
	dir, db, record, checkpoint, page string
}

func (w workspace) path(name string) string { return filepath.Join(w.dir, name) }

func setup(t *testing.T) workspace {
	t.Helper()
	dir := t.TempDir()
	w := workspace{dir: dir, db: filepath.Join(dir, "x.sqlite"), record: filepath.Join(dir, "rec.json"),
		checkpoint: filepath.Join(dir, "cp.txt"), page: filepath.Join(dir, "draw.html")}
	pool := w.path("pool.json")
	code, _, errOut := cli(t, "synth", "-n", "250", "-seed", "3", "-o", pool)
	require.Equal(t, exitOK, code, errOut)
	clockAt(t, "2026-03-02 09:00")
	code, out, errOut := cli(t, "check", "-db", w.db, "-admit", "-q", "-operator", "周敏", pool)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "250 applications reviewed on 2026-03-02: 250 admitted, 0 refused")
	require.NoError(t, os.WriteFile(w.path("req.yaml"), []byte(requestYAML), 0o644))
	clockAt(t, "2026-03-10 10:00")
	code, out, errOut = cli(t, "draw", "-practice", "-db", w.db, "-request", w.path("req.yaml"), "-entropy", "2026031/3.7.11.19.24.28.33",
		"-operator", "李四", "-out", w.record, "-checkpoint", w.checkpoint, "-html", w.page)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "draw R-2026-0401 for 高新技术处")
	assert.Contains(t, out, "entropy:  2026031./3.7.11.19.24.28.33./")
	assert.NotRegexp(t, `1[3-9][0-9]{9}`, out, "no mobile in the output")
	return w
}

func readRec(t *testing.T, path string) *expertdb.DrawRecord {
	t.Helper()
	rec, err := readRecord(path)
	require.NoError(t, err)
	return rec
}

func writeRec(t *testing.T, path string, rec *expertdb.DrawRecord) {
	t.Helper()
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw, 0o600))
}

// TestDrawRecordReplayRoundTrip: draw → record → replay says it matches, alone and against the
// verified audit log; the checkpoint verifies and proves the draw event; the page is written.
func TestDrawRecordReplayRoundTrip(t *testing.T) {
	w := setup(t)
	info, err := os.Stat(w.record)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the record holds personal data")

	code, out, errOut := cli(t, "replay", w.record)
	require.Equal(t, exitOK, code, out+errOut)
	assert.Contains(t, out, "replay MATCHES the record")

	code, out, errOut = cli(t, "replay", "-db", w.db, "-checkpoint", w.checkpoint, w.record)
	require.Equal(t, exitOK, code, out+errOut)
	assert.Contains(t, out, "OK: the first")
	assert.Contains(t, out, "MATCHES the record (重放结果与记录一致) and its audit event")

	code, out, errOut = cli(t, "replay", "-json", w.record)
	require.Equal(t, exitOK, code, errOut)
	var rep expertdb.ReplayReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.True(t, rep.Match)

	code, out, _ = cli(t, "audit", "verify", "-db", w.db, "-checkpoint", w.checkpoint)
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "OK: the first 251 events of the audit log match the checkpoint")

	rec := readRec(t, w.record)
	code, out, errOut = cli(t, "audit", "prove", "-db", w.db, "-checkpoint", w.checkpoint, "-index", itoa(rec.AuditIndex))
	require.Equal(t, exitOK, code, errOut)
	var proof proofOutput
	require.NoError(t, json.Unmarshal([]byte(out), &proof))
	assert.True(t, proof.Verified)
	assert.Equal(t, rec.AuditIndex, proof.Index)
	assert.Contains(t, proof.Record, `"action":"draw"`)

	code, out, _ = cli(t, "audit", "checkpoint", "-db", w.db)
	require.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "expertdb-cli\n"), out)

	page, err := os.ReadFile(w.page)
	require.NoError(t, err)
	assert.Contains(t, string(page), "R-2026-0401")
	assert.Contains(t, string(page), "expertctl replay rec.json")
	assert.Contains(t, string(page), "expertctl replay -db x.sqlite -checkpoint cp.txt rec.json")
	for _, e := range rec.Pool.Experts {
		require.NotContains(t, string(page), e.Mobile)
		require.NotContains(t, string(page), e.IDNumber)
	}

	// A request is drawn once: drawing again is refused (runtime error, exit 3).
	code, _, errOut = cli(t, "draw", "-practice", "-db", w.db, "-request", w.path("req.yaml"), "-entropy", "1/2", "-out", w.path("again.json"))
	assert.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "Art. 14(2)")
}

// TestTamperedRecordDoesNotMatch: every kind of change to the record is reported (exit 1).
func TestTamperedRecordDoesNotMatch(t *testing.T) {
	w := setup(t)
	cases := []struct {
		name   string
		tamper func(r *expertdb.DrawRecord)
		db     bool
		want   string
	}{
		{"changed entropy", func(r *expertdb.DrawRecord) { r.Entropy.Sources[1][0] = 4 }, false, "key:"},
		{"swapped panel member", func(r *expertdb.DrawRecord) {
			r.Result.Panel[2], r.Result.Reserve[0] = r.Result.Reserve[0], r.Result.Panel[2]
		}, false, "panel[2]:"},
		{"expert removed from the pool", func(r *expertdb.DrawRecord) { r.Pool.Experts = r.Pool.Experts[1:] }, false, "pool_digest:"},
		{"expert added to the pool", func(r *expertdb.DrawRecord) {
			extra := synth.Generate(synth.Options{Seed: 99, Size: 1}).Applications[0].Expert
			extra.ID, extra.Status = "E99999", "active"
			r.Pool.Experts = append(r.Pool.Experts, extra)
		}, false, "pool_digest:"},
		{"panel member's unit edited", func(r *expertdb.DrawRecord) {
			for i := range r.Pool.Experts {
				if r.Pool.Experts[i].ID == r.Result.Panel[0].ExpertID {
					r.Pool.Experts[i].Affiliation = r.Request.Project.Members[0].Affiliation
				}
			}
		}, false, "pool_digest:"},
		{"size edited", func(r *expertdb.DrawRecord) { r.Request.Size = 4 }, false, "request_digest:"},
		{"entropy and result replaced together", func(r *expertdb.DrawRecord) {
			r.Entropy = selection.Entropy{Sources: [][]uint64{{7, 7, 7}}}
			p, err := selection.Prepare(r.Request, expertdb.DefaultPolicy().Selection)
			require.NoError(t, err)
			r.Result, err = p.Draw(r.Pool, r.Entropy)
			require.NoError(t, err)
		}, true, "audit.entropy:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := readRec(t, w.record)
			tc.tamper(rec)
			path := w.path(strings.ReplaceAll(tc.name, " ", "-") + ".json")
			writeRec(t, path, rec)
			args := []string{"replay", path}
			if tc.db {
				args = []string{"replay", "-db", w.db, "-checkpoint", w.checkpoint, path}
			}
			code, out, errOut := cli(t, args...)
			require.Equal(t, exitNegative, code, out+errOut)
			assert.Contains(t, out, "DOES NOT MATCH")
			assert.Contains(t, out, tc.want)
		})
	}
	// A different county policy (annual cap 8) gives another request digest.
	policy := w.path("county.yaml")
	require.NoError(t, os.WriteFile(policy, []byte("name: 测试县使用细则\nregion: \"330381\"\nselection:\n  annual_cap: 8\n"), 0o644))
	code, out, _ := cli(t, "replay", "-policy", policy, w.record)
	assert.Equal(t, exitNegative, code)
	assert.Contains(t, out, "request_digest:")
	assert.Contains(t, out, "hint: the request digest and the screening depend on the policy")
}

// TestAuditVerifyDetectsTampering: a record changed in the database fails verification and
// the audited replay (exit 1).
func TestAuditVerifyDetectsTampering(t *testing.T) {
	w := setup(t)
	db, err := sqlite.Open(context.Background(), w.db, sqlstore.Options{})
	require.NoError(t, err)
	recs, err := db.Audit().Read(context.Background(), 7, 1)
	require.NoError(t, err)
	altered := bytes.Replace(recs[0], []byte(`"outcome":"admitted"`), []byte(`"outcome":"refused!"`), 1)
	require.NotEqual(t, recs[0], altered)
	_, err = db.SQL().Exec(`UPDATE audit_records SET data = $1 WHERE idx = 7`, altered)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	code, out, _ := cli(t, "audit", "verify", "-db", w.db, "-checkpoint", w.checkpoint)
	assert.Equal(t, exitNegative, code)
	assert.Contains(t, out, "FAILED")
	code, out, _ = cli(t, "replay", "-db", w.db, "-checkpoint", w.checkpoint, w.record)
	assert.Equal(t, exitNegative, code)
	assert.Contains(t, out, "FAILED")

	// A checkpoint signed by another key is refused.
	forged := bytes.Replace(mustRead(t, w.checkpoint), []byte("expertdb-cli"), []byte("expertdb-cl1"), 1)
	require.NoError(t, os.WriteFile(w.path("forged.txt"), forged, 0o644))
	code, _, _ = cli(t, "audit", "verify", "-db", w.db, "-checkpoint", w.path("forged.txt"))
	assert.Equal(t, exitNegative, code)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func itoa(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestCheckReportsRefusals: a CSV pool with a bad ID number and an over-age applicant is
// reviewed: both refused with their articles, names masked, no ID number echoed, exit 1.
func TestCheckReportsRefusals(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "pool.csv")
	code, _, errOut := cli(t, "synth", "-n", "3", "-format", "csv", "-o", csvPath)
	require.Equal(t, exitOK, code, errOut)
	apps, err := readPool(bytes.NewReader(mustRead(t, csvPath)), "csv")
	require.NoError(t, err)
	require.Len(t, apps, 3)
	apps[0].Expert.IDNumber = apps[0].Expert.IDNumber[:17] + flip(apps[0].Expert.IDNumber[17])
	apps[1].Expert.BirthDate = apps[1].Expert.BirthDate.AddDate(-30, 0, 0)
	apps[1].Expert.IDNumber = ""
	var buf bytes.Buffer
	require.NoError(t, writeCSV(&buf, apps))
	require.NoError(t, os.WriteFile(csvPath, buf.Bytes(), 0o600))

	code, out, errOut := cli(t, "check", "-asof", "2026-03-02", csvPath)
	require.Equal(t, exitNegative, code, errOut)
	assert.Contains(t, out, "3 applications reviewed on 2026-03-02: 1 eligible, 2 refused")
	assert.Contains(t, out, "不予入库 refused")
	assert.Contains(t, out, "Art. 5(1)2 age:")
	assert.Contains(t, out, "身份证号码")
	assert.NotContains(t, out, apps[0].Expert.IDNumber)
	assert.NotContains(t, out, apps[0].Expert.Name)
	assert.NotRegexp(t, regexp.MustCompile(`1[3-9][0-9]{9}`), out)

	code, out, _ = cli(t, "check", "-asof", "2026-03-02", "-json", csvPath)
	require.Equal(t, exitNegative, code)
	var decs []decision
	require.NoError(t, json.Unmarshal([]byte(out), &decs))
	require.Len(t, decs, 3)
	assert.False(t, decs[0].Eligible)
	assert.False(t, decs[1].Eligible)
	assert.True(t, decs[2].Eligible)
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

// TestPoolFormatsAgree: the same synthetic pool as JSON and as CSV gets the same decisions.
func TestPoolFormatsAgree(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"json", "csv"} {
		code, _, errOut := cli(t, "synth", "-n", "120", "-seed", "5", "-format", f, "-o", filepath.Join(dir, "pool."+f))
		require.Equal(t, exitOK, code, errOut)
	}
	_, outJSON, _ := cli(t, "check", "-asof", "2026-03-02", "-json", filepath.Join(dir, "pool.json"))
	code, outCSV, errOut := cli(t, "check", "-asof", "2026-03-02", "-json", filepath.Join(dir, "pool.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, outJSON, outCSV)
}

// TestUsageAndRuntimeErrors: the exit codes scripts rely on.
func TestUsageAndRuntimeErrors(t *testing.T) {
	dir := t.TempDir()
	missingDB := filepath.Join(dir, "missing.sqlite")
	req := filepath.Join(dir, "req.yaml")
	require.NoError(t, os.WriteFile(req, []byte(requestYAML), 0o644))
	notJSON := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("not json"), 0o644))
	cases := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{nil, exitUsage, "Usage: expertctl <command>"},
		{[]string{"-h"}, exitOK, "Exit codes"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"draw"}, exitUsage, "pass -practice"},
		{[]string{"draw", "-practice"}, exitUsage, "-request is required"},
		{[]string{"draw", "-h"}, exitOK, "Usage: expertctl draw"},
		{[]string{"draw", "-practice", "-request", req, "-entropy", "12/x"}, exitUsage, "entropy source"},
		{[]string{"draw", "-practice", "-request", req, "-role", "mayor"}, exitUsage, "-role"},
		{[]string{"draw", "-practice", "-db", missingDB, "-request", req, "-entropy", "1"}, exitRuntime, "admit experts first"},
		{[]string{"draw", "-nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"check"}, exitUsage, "want exactly one pool file"},
		{[]string{"check", "-h"}, exitOK, "CSV columns"},
		{[]string{"check", filepath.Join(dir, "none.csv")}, exitRuntime, "no such file"},
		{[]string{"replay"}, exitUsage, "want exactly one record file"},
		{[]string{"replay", "-checkpoint", "cp.txt", notJSON}, exitUsage, "-checkpoint needs -db"},
		{[]string{"replay", notJSON}, exitRuntime, "record"},
		{[]string{"audit"}, exitUsage, "missing subcommand"},
		{[]string{"audit", "-h"}, exitOK, "checkpoint  sign and print"},
		{[]string{"audit", "verify", "-db", missingDB}, exitUsage, "-checkpoint is required"},
		{[]string{"audit", "verify", "-db", missingDB, "-checkpoint", "cp.txt"}, exitRuntime, "missing.sqlite"},
		{[]string{"audit", "prove", "-db", missingDB}, exitUsage, "-index is required"},
		{[]string{"audit", "shred"}, exitUsage, "unknown audit subcommand"},
		{[]string{"synth", "-n", "0"}, exitUsage, "-n must be"},
		{[]string{"synth", "-format", "xml"}, exitUsage, "-format"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, errOut := cli(t, tc.args...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.LessOrEqual(t, strings.Count(errOut, "Usage: expertctl"), 1, "the usage is printed once")
			if tc.code != exitOK {
				assert.NotContains(t, errOut, "Flags:", "errors do not dump the whole help")
			}
		})
	}
}

// TestParseEntropy: the forms of public numbers the draw accepts.
func TestParseEntropy(t *testing.T) {
	for in, key := range map[string]string{
		"9319/2.5.8.10.12":    "9319./2.5.8.10.12./",
		"9319./2.5.8.10.12./": "9319./2.5.8.10.12./",
		"02 05 12 08 10":      "2.5.8.10.12./",
		" 7 / 3,1 ":           "7./1.3./",
	} {
		e, err := parseEntropy(in)
		require.NoError(t, err, in)
		assert.Equal(t, key, e.Key(), in)
	}
	e, err := parseEntropy("drand:1000:" + strings.Repeat("ab", 32))
	require.NoError(t, err)
	assert.Len(t, e.Sources[0], 5)
	for _, bad := range []string{"", "/", "x", "1/a", "drand:1", "drand:x:ab", "99999999999999999999999"} {
		_, err := parseEntropy(bad)
		assert.Error(t, err, bad)
	}
}

// TestParseRequest: a complete request file, and the errors of incomplete ones.
func TestParseRequest(t *testing.T) {
	req, err := parseRequest([]byte(requestYAML + "preferred: [E00001]\nplan: {reason: 需要, approved_by: 郑国强, filed_with: 局机关纪委, at: 2026-03-09}\nlabels: [key-project]\n"))
	require.NoError(t, err)
	assert.Equal(t, "R-2026-0401", req.ID)
	assert.Equal(t, 5, req.Size)
	assert.Equal(t, "2026-04-08T09:00:00+08:00", req.At.Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, "高新技术处", req.Unit)
	assert.Len(t, req.Quotas, 1)
	assert.Equal(t, 1, req.Groups[0].Max)
	assert.Equal(t, "L-1", req.Project.Leader.ID)
	assert.Equal(t, "university", string(req.Project.Leader.Affiliation.Kind))
	assert.Len(t, req.Relations, 1)
	assert.Equal(t, []string{"E00001"}, req.Preferred)
	require.NotNil(t, req.Plan)
	assert.Equal(t, "郑国强", req.Plan.ApprovedBy)
	assert.Equal(t, []string{"key-project"}, req.Labels)
	assert.Equal(t, "48h0m0s", req.Window.String())

	for _, tc := range []struct{ src, want string }{
		{"id: x\n", "unit is required"},
		{"unit: u\nactivity: 2026-01-01\nsize: 1\n", "id is required"},
		{"id: x\nunit: u\nactivity: soon\nsize: 1\n", "not a date"},
		{"id: x\nunit: u\nactivity: 2026-01-01\nsize: 0\n", "size must be at least 1"},
		{"id: x\nunit: u\nactivity: 2026-01-01\nsize: 1\ncolour: red\n", "colour"},
		{"id: x\nunit: u\nactivity: 2026-01-01\nsize: 1\npreferred: [a]\n", "need a plan"},
		{"id: x\nunit: u\nactivity: 2026-01-01\nsize: 1\nwindow: soon\n", "duration"},
		{"[", "request"},
	} {
		_, err := parseRequest([]byte(tc.src))
		require.Error(t, err, tc.src)
		assert.Contains(t, err.Error(), tc.want, tc.src)
	}
}

// FuzzParseEntropy: announced numbers are untrusted input; parsing never panics, and what it
// accepts reads back from its own key string.
func FuzzParseEntropy(f *testing.F) {
	for _, s := range []string{"9319/2.5.8.10.12", "9319./2.5.8.10.12./", "drand:1:abcd", "1,2;3-4 5", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseEntropy(s)
		if err != nil {
			return
		}
		again, err := parseEntropy(e.Key())
		require.NoError(t, err, "key %q", e.Key())
		require.Equal(t, e.Key(), again.Key())
	})
}

// FuzzParseRequest: request files are untrusted input; parsing never panics.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(requestYAML))
	f.Add([]byte("id: x\nunit: u\nactivity: 2026-01-01\nsize: 1\n"))
	f.Add([]byte("project: {leader: {id: [1]}}"))
	f.Add([]byte(requestYAML + invitedYAML))
	f.Fuzz(func(t *testing.T, src []byte) {
		req, err := parseRequest(src)
		if err == nil {
			require.NotEmpty(t, req.ID)
			require.Positive(t, req.Size)
		}
	})
}

// FuzzReadPoolCSV: pool files are untrusted input; reading never panics, and what it accepts
// is a fixpoint of writing and reading again.
func FuzzReadPoolCSV(f *testing.F) {
	var buf bytes.Buffer
	if err := writeCSV(&buf, synth.Generate(synth.Options{Seed: 1, Size: 4}).Applications); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("id,name,channel\nE1,张三,exchange\n"))
	f.Add([]byte("id,name,channel,title,credentials\nE1,张三,application,副高级,political-quality@2020-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		apps, err := readPool(bytes.NewReader(data), "csv")
		if err != nil {
			return
		}
		var out bytes.Buffer
		require.NoError(t, writeCSV(&out, apps))
		again, err := readPool(bytes.NewReader(out.Bytes()), "csv")
		require.NoError(t, err)
		require.Equal(t, apps, again)
	})
}

// TestCountyDraw: a county draws under its own policy (Art. 13) as a county user; the replay
// matches only under that policy.
func TestCountyDraw(t *testing.T) {
	w := setup(t)
	policy := w.path("county.yaml")
	require.NoError(t, os.WriteFile(policy, []byte(`name: 测试市科技专家库使用细则
region: "330381"
selection:
  annual_cap: 8
  preferential_share: 1/4
  draw_window: {max_lead: 72h, min_lead: 2h}
`), 0o644))
	req := strings.NewReplacer("R-2026-0401", "R-RA-0001", "高新技术处", "瑞安市科技局").Replace(requestYAML)
	require.NoError(t, os.WriteFile(w.path("ra.yaml"), []byte(req), 0o644))
	record := w.path("ra.json")
	draw := func(at string) (int, string, string) {
		clockAt(t, at)
		return cli(t, "draw", "-practice", "-db", w.db, "-policy", policy, "-role", "county", "-operator", "陈六",
			"-request", w.path("ra.yaml"), "-entropy", "2026031/3.7.11.19.24.28.33", "-out", record)
	}
	// Outside the county's draw window (more than 72 hours before the activity): refused.
	code, _, errOut := draw("2026-03-10 10:00")
	require.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "draw refused")
	code, out, errOut := draw("2026-04-07 10:00")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "draw R-RA-0001 for 瑞安市科技局")
	// The file is the county user's view: no candidate's ID number or mobile (Art. 19, 20).
	written, err := readRecord(record)
	require.NoError(t, err)
	require.NotEmpty(t, written.Pool.Experts)
	for _, x := range written.Pool.Experts {
		assert.Contains(t, x.Mobile, "****", x.ID)
		assert.Contains(t, x.IDNumber, "****", x.ID)
	}

	// The checkpoint taken before this draw does not cover its event: not verified.
	code, out, _ = cli(t, "replay", "-policy", policy, "-db", w.db, "-checkpoint", w.checkpoint, record)
	assert.Equal(t, exitNegative, code, out)
	assert.Contains(t, out, "NOT VERIFIED")
	later := w.path("cp2.txt")
	code, _, errOut = cli(t, "audit", "checkpoint", "-db", w.db, "-o", later)
	require.Equal(t, exitOK, code, errOut)
	code, out, _ = cli(t, "replay", "-policy", policy, "-db", w.db, "-checkpoint", later, record)
	assert.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "and its audit event")
	code, out, _ = cli(t, "replay", record)
	assert.Equal(t, exitNegative, code, out)
	assert.Contains(t, out, "request_digest:")
}
