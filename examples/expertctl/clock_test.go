package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/audit"
)

// clockAt sets the CLI's clock (the test-only seam; no flag sets it) to a fixed time until
// the test ends.
func clockAt(t *testing.T, at string) time.Time {
	t.Helper()
	tm, err := parseTime(at)
	require.NoError(t, err)
	old := clock
	clock = func() time.Time { return tm }
	t.Cleanup(func() { clock = old })
	return tm
}

// Attack: an operator backdates or postdates a practice draw, a campaign step or an
// admission by passing the time on the command line. Every such flag is refused (usage
// error naming the articles), and the audit events carry the clock's time.
func TestOperatorCannotChooseTheAuditTime(t *testing.T) {
	w := setup(t)
	const req = "R-2026-0401"
	camp := func(sub string, extra ...string) []string {
		return append([]string{"campaign", sub, "-db", w.db, "-request-id", req, "-operator", "李四"}, extra...)
	}
	for _, args := range [][]string{
		{"draw", "-practice", "-db", w.db, "-request", w.path("req.yaml"), "-entropy", "1/2", "-at", "2026-03-01 10:00", "-out", w.path("x.json")},
		camp("start", "-at", "2026-03-01 10:00"),
		camp("expire", "-at", "2027-01-01"),
		camp("respond", "-at", "2026-03-01", "-expert", "E00001", "-code", "12345678", "-decline", "-reason", "x"),
		camp("deliver", "-at", "2026-03-01"),
		camp("resend", "-at", "2026-03-01", "-expert", "E00001"),
		camp("status", "-at", "2026-03-01"),
	} {
		code, out, errOut := cli(t, args...)
		require.Equal(t, exitUsage, code, "%v: %s%s", args, out, errOut)
		assert.Contains(t, errOut, "Art. 14(1), 22(5)", args)
		assert.Contains(t, errOut, "system clock", args)
	}
	code, _, errOut := cli(t, "check", "-db", w.db, "-asof", "2026-01-01", "-admit", "-q", w.path("pool.json"))
	require.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "system clock")

	// The draw made in setup and a campaign step now are recorded at the clock's time.
	drawn := readRec(t, w.record)
	want, err := parseTime("2026-03-10 10:00")
	require.NoError(t, err)
	assert.True(t, drawn.DrawnAt.Equal(want), drawn.DrawnAt)
	started := clockAt(t, "2026-03-10 11:17")
	code, _, errOut = cli(t, camp("start")...)
	require.Equal(t, exitOK, code, errOut)
	d := dbFlags{db: w.db}
	db, l, err := d.openLog(context.Background())
	require.NoError(t, err)
	defer db.Close()
	res, err := l.Query(context.Background(), audit.Query{Subject: req})
	require.NoError(t, err)
	var draws, notices int
	for _, m := range res.Matches {
		switch m.Event.Action {
		case audit.ActionDraw:
			draws++
			assert.True(t, m.Event.At.Equal(want), "draw event at %s", m.Event.At)
		case audit.ActionNotify:
			notices++
			assert.True(t, m.Event.At.Equal(started), "campaign event at %s", m.Event.At)
		}
	}
	assert.Equal(t, 1, draws)
	assert.Positive(t, notices)
}
