package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const invitedYAML = `invited:
  - expert: {id: X-2026-01, name: 欧阳明远, mobile: "13912345678", org: 中国科学院某研究所,
             kind: institute, title: senior, fields: [特高压直流], categories: [technical]}
    reason: 库内无熟悉特高压直流装备的专家
    approvals:
      - {role: division-head,  by: 陈某, at: 2026-03-02}
      - {role: deputy-leader,  by: 郑某, at: 2026-03-03}
      - {role: main-leader,    by: 林某, at: 2026-03-03}
      - {role: bureau-meeting, by: 局务会纪要〔2026〕5号, at: 2026-03-05}
    filed_with: 局机关纪委
    filed_at: 2026-03-06
`

func TestDrawWithInvitedExpert(t *testing.T) {
	w := setup(t)
	base := strings.Replace(requestYAML, "R-2026-0401", "R-2026-0402", 1)
	tests := []struct {
		name, id, invited string
		code              int
		want              []string
	}{
		{"approved invitee is on the panel", "R-2026-0402", invitedYAML, exitOK,
			[]string{"X-2026-01 欧阳** 中国科学院某研究所 (invited (特邀))"}},
		{"missing bureau meeting is refused", "R-2026-0403",
			strings.Replace(invitedYAML, "      - {role: bureau-meeting, by: 局务会纪要〔2026〕5号, at: 2026-03-05}\n", "", 1), exitRuntime,
			[]string{"draw refused: Art. 28 approval-chain", "局务会"}},
		{"unknown role is a request error", "R-2026-0404",
			strings.Replace(invitedYAML, "role: main-leader", "role: mayor", 1), exitRuntime,
			[]string{`approvals[2].role "mayor" is not one of`}},
		{"unknown key is a request error", "R-2026-0405",
			strings.Replace(invitedYAML, "filed_at:", "filed_on:", 1), exitRuntime,
			[]string{"field filed_on not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := w.path(tt.id + ".yaml")
			src := strings.Replace(base, "R-2026-0402", tt.id, 1) + tt.invited
			require.NoError(t, os.WriteFile(req, []byte(src), 0o644))
			code, out, errOut := cli(t, "draw", "-practice", "-db", w.db, "-request", req, "-entropy", "2026031/3.7.11.19.24.28.33",
				"-operator", "李四", "-out", w.path(tt.id+".json"))
			require.Equal(t, tt.code, code, out+errOut)
			for _, s := range tt.want {
				assert.Contains(t, out+errOut, s)
			}
			assert.NotContains(t, out+errOut, "13912345678", "no mobile in the output")
			if tt.code == exitOK {
				rec := readRec(t, w.path(tt.id+".json"))
				var invited []string
				for _, p := range rec.Result.Panel {
					if p.Invited {
						invited = append(invited, p.ExpertID)
					}
				}
				assert.Equal(t, []string{"X-2026-01"}, invited)
				assert.Len(t, rec.Result.Panel, 5)
			}
		})
	}
}

// noticeLine is one printed notice: expert ID, masked name, deadline, code.
var noticeLine = regexp.MustCompile(`(?m)^  (\S+) (\S+) deadline (\S+ \S+) code ([0-9]{8})$`)

func notices(t *testing.T, out string) map[string]string {
	t.Helper()
	codes := map[string]string{}
	for _, m := range noticeLine.FindAllStringSubmatch(out, -1) {
		assert.Regexp(t, `^\p{Han}+\*+$`, m[2], "masked name")
		codes[m[1]] = m[4]
	}
	return codes
}

func TestCampaignThroughCLI(t *testing.T) {
	w := setup(t)
	campaign := func(args ...string) (int, string, string) {
		return cli(t, append(append([]string{"campaign"}, args...), "-db", w.db, "-request-id", "R-2026-0401", "-operator", "李四")...)
	}
	clockAt(t, "2026-03-10 11:00")
	code, out, errOut := campaign("start")
	require.Equal(t, exitOK, code, errOut)
	codes := notices(t, out)
	require.Len(t, codes, 5, out)
	assert.Contains(t, out, "deadline 2026-03-12 11:00")
	assert.Contains(t, out, "campaign R-2026-0401: open, 0 accepted, 5 holding a seat, 5 notified")

	// Starting twice is refused.
	clockAt(t, "2026-03-10 11:05")
	code, _, errOut = campaign("start")
	assert.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "already started")

	rec := readRec(t, w.record)
	first := rec.Result.Panel[0].ExpertID
	// A wrong code: refused, non-zero, a clear message, and the code is not echoed.
	wrong := codes[first][:7] + flip(codes[first][7])
	clockAt(t, "2026-03-10 12:00")
	code, out, errOut = campaign("respond", "-expert", first, "-code", wrong, "-accept", "-pledge", "CN-1")
	assert.Equal(t, exitRuntime, code, out)
	assert.Contains(t, errOut, "reply refused: the reply code does not match the notice (回复码错误")
	assert.NotContains(t, errOut, wrong)
	assert.NotContains(t, errOut, codes[first])

	// Usage: both -accept and -decline; -accept without a pledge.
	code, _, _ = campaign("respond", "-expert", first, "-code", codes[first], "-accept", "-decline", "-reason", "x")
	assert.Equal(t, exitUsage, code)
	code, _, errOut = campaign("respond", "-expert", first, "-code", codes[first], "-accept")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "-pledge")

	// The first expert declines: the seat is refilled from the continuing sequence at once.
	clockAt(t, "2026-03-10 13:00")
	code, out, errOut = campaign("respond", "-expert", first, "-code", codes[first],
		"-decline", "-reason", "出差", "-unfamiliar")
	require.Equal(t, exitOK, code, errOut)
	refill := notices(t, out)
	require.Len(t, refill, 1, out)
	delete(codes, first)
	for id, c := range refill {
		assert.NotContains(t, codes, id)
		codes[id] = c
	}

	// A resend gives a fresh code and the old one stops working; deliver finds nothing to send.
	some := rec.Result.Panel[1].ExpertID
	clockAt(t, "2026-03-10 14:00")
	code, out, errOut = campaign("resend", "-expert", some)
	require.Equal(t, exitOK, code, errOut)
	fresh := notices(t, out)
	require.Len(t, fresh, 1, out)
	require.NotEqual(t, codes[some], fresh[some])
	clockAt(t, "2026-03-10 14:05")
	code, _, _ = campaign("respond", "-expert", some, "-code", codes[some], "-accept", "-pledge", "CN-x")
	assert.Equal(t, exitRuntime, code)
	codes[some] = fresh[some]
	clockAt(t, "2026-03-10 14:10")
	code, out, errOut = campaign("deliver")
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, notices(t, out), "every notice was delivered")
	assert.NotContains(t, out, "not delivered")

	// Everyone else accepts, each in a separate invocation (the campaign is rebuilt from the
	// event store every time).
	for id, c := range codes {
		clockAt(t, "2026-03-11 09:00")
		code, out, errOut = campaign("respond", "-expert", id, "-code", c, "-accept", "-pledge", "CN-"+id)
		require.Equal(t, exitOK, code, out+errOut)
	}
	clockAt(t, "2026-03-11 10:00")
	code, out, errOut = campaign("status")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "campaign R-2026-0401: complete, 5 accepted, 5 holding a seat, 6 notified")
	assert.Regexp(t, `1\. `+regexp.QuoteMeta(first)+` declined .*reason: 出差 \(unfamiliar field`, out)
	assert.Equal(t, 5, strings.Count(out, " accepted  "), out)

	// Expiring after the deadlines changes nothing: nobody is pending.
	clockAt(t, "2026-03-13 12:00")
	code, out, errOut = campaign("expire")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "complete, 5 accepted")

	// No reply code was written to any file (database, keys, record, page).
	files, err := filepath.Glob(filepath.Join(w.dir, "*"))
	require.NoError(t, err)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for id, c := range codes {
			assert.NotContains(t, string(raw), c, "code of %s in %s", id, f)
		}
	}
}

func TestCampaignErrors(t *testing.T) {
	w := setup(t)
	code, _, errOut := cli(t, "campaign", "status", "-db", w.db, "-request-id", "R-NOPE")
	assert.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, `no draw of request "R-NOPE"`)
	code, _, _ = cli(t, "campaign", "status", "-db", w.db)
	assert.Equal(t, exitUsage, code)
	code, _, _ = cli(t, "campaign", "bogus")
	assert.Equal(t, exitUsage, code)
	code, _, errOut = cli(t, "campaign", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "stands in for the SMS gateway")
}
