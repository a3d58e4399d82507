package selection_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

var cst = time.FixedZone("CST", 8*3600)

// cstAt is a time in China Standard Time.
func cstAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, cst)
}

// controlRequest is an activity on 10 June 2025 at 09:00 China time (01:00 UTC), size 1.
func controlRequest() selection.Request {
	req := request(1)
	req.ID = "R-CTRL"
	req.At = cstAt(2025, 6, 10, 9, 0)
	return req
}

// controlPool is two experts: A (the one under test) and Z (always free, so draws succeed).
func controlPool(a admission.Expert) selection.Pool {
	return selection.Pool{Experts: []admission.Expert{a, expert("Z", "UZ")}, Usage: map[string]int{}}
}

// exclusionOf returns the exclusion of id in res, or nil.
func exclusionOf(res *selection.Result, id string) *selection.Exclusion {
	for i := range res.Excluded {
		if res.Excluded[i].ExpertID == id {
			return &res.Excluded[i]
		}
	}
	return nil
}

func selErr(t *testing.T, err error) *selection.Error {
	t.Helper()
	var se *selection.Error
	require.True(t, errors.As(err, &se), "want *selection.Error, got %v", err)
	return se
}

func TestSpanOverlaps(t *testing.T) {
	h := func(n int) time.Time { return cstAt(2025, 6, 10, 0, 0).Add(time.Duration(n) * time.Hour) }
	var zero time.Time
	act := selection.Span{From: h(9), To: h(12)}
	cases := []struct {
		name string
		s    selection.Span
		want bool
	}{
		{"ends at the start (touching)", selection.Span{From: h(6), To: h(9)}, false},
		{"ends one nanosecond after the start", selection.Span{From: h(6), To: h(9).Add(1)}, true},
		{"starts at the end (touching)", selection.Span{From: h(12), To: h(15)}, false},
		{"starts one nanosecond before the end", selection.Span{From: h(12).Add(-1), To: h(15)}, true},
		{"starts before and ends after", selection.Span{From: h(0), To: h(24)}, true},
		{"inside", selection.Span{From: h(10), To: h(11)}, true},
		{"identical", act, true},
		{"entirely before", selection.Span{From: h(0), To: h(3)}, false},
		{"entirely after", selection.Span{From: h(13), To: h(20)}, false},
		{"open end, starting before", selection.Span{From: h(0)}, true},
		{"open end, starting at the end", selection.Span{From: h(12)}, false},
		{"open start, ending after the start", selection.Span{To: h(10)}, true},
		{"open start, ending at the start", selection.Span{To: h(9)}, false},
		{"unbounded both ways", selection.Span{}, true},
		{"empty (From = To)", selection.Span{From: h(10), To: h(10)}, false},
		{"inverted", selection.Span{From: h(11), To: h(10)}, false},
		{"same instant in another zone", selection.Span{From: h(11).UTC(), To: h(11).UTC().Add(time.Minute)}, true},
		{"zero From and zero To fields", selection.Span{From: zero, To: zero}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.s.Overlaps(act))
			assert.Equal(t, c.want, act.Overlaps(c.s), "symmetric")
		})
	}
}

func TestRequestSpan(t *testing.T) {
	cases := []struct {
		name     string
		at       time.Time
		until    time.Time
		from, to time.Time
	}{
		{"date only: the China calendar day of At", cstAt(2025, 6, 10, 9, 0), time.Time{}, cstAt(2025, 6, 10, 0, 0), cstAt(2025, 6, 11, 0, 0)},
		{"23:30 China time stays on that day", cstAt(2025, 6, 9, 23, 30), time.Time{}, cstAt(2025, 6, 9, 0, 0), cstAt(2025, 6, 10, 0, 0)},
		{"UTC evening is the next China day", time.Date(2025, 6, 9, 16, 0, 0, 0, time.UTC), time.Time{}, cstAt(2025, 6, 10, 0, 0), cstAt(2025, 6, 11, 0, 0)},
		{"UTC 15:59 is still the same China day", time.Date(2025, 6, 9, 15, 59, 0, 0, time.UTC), time.Time{}, cstAt(2025, 6, 9, 0, 0), cstAt(2025, 6, 10, 0, 0)},
		{"with Until: [At, Until)", cstAt(2025, 6, 10, 9, 0), cstAt(2025, 6, 11, 17, 0), cstAt(2025, 6, 10, 9, 0), cstAt(2025, 6, 11, 17, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := selection.Request{At: c.at, Until: c.until}.Span()
			assert.True(t, c.from.Equal(s.From), "from %v, want %v", s.From, c.from)
			assert.True(t, c.to.Equal(s.To), "to %v, want %v", s.To, c.to)
		})
	}
}

func TestUntilMustFollowAt(t *testing.T) {
	for _, until := range []time.Time{cstAt(2025, 6, 10, 9, 0), cstAt(2025, 6, 10, 8, 59)} {
		req := controlRequest()
		req.Until = until
		_, err := selection.Draw(req, controlPool(expert("A", "UA")), testEntropy, nil)
		require.ErrorIs(t, err, selection.ErrInvalidRequest)
		assert.Equal(t, "until", selErr(t, err).Code)
	}
}

func TestDeclaredUnavailabilityExcludes(t *testing.T) {
	day := cstAt(2025, 6, 10, 0, 0)
	next := cstAt(2025, 6, 11, 0, 0)
	cases := []struct {
		name   string
		until  time.Time // activity end; zero = the calendar day
		period admission.Period
		want   bool
	}{
		{"leave the day before, ending at midnight China time", time.Time{}, admission.Period{From: day.AddDate(0, 0, -3), To: day}, false},
		{"leave ending one minute into the day", time.Time{}, admission.Period{From: day.AddDate(0, 0, -3), To: day.Add(time.Minute)}, true},
		{"leave starting at the next midnight", time.Time{}, admission.Period{From: next, To: next.AddDate(0, 0, 2)}, false},
		{"leave starting at 23:59 of the day", time.Time{}, admission.Period{From: next.Add(-time.Minute), To: next.AddDate(0, 0, 2)}, true},
		{"a month abroad around the day", time.Time{}, admission.Period{From: day.AddDate(0, 0, -15), To: day.AddDate(0, 0, 15)}, true},
		{"two hours inside the day", time.Time{}, admission.Period{From: day.Add(14 * time.Hour), To: day.Add(16 * time.Hour)}, true},
		{"until further notice, from before", time.Time{}, admission.Period{From: day.AddDate(0, -1, 0)}, true},
		{"until further notice, from the next day", time.Time{}, admission.Period{From: next}, false},
		{"given in UTC: ends 23:00 UTC on the 9th = 07:00 China time on the 10th", time.Time{}, admission.Period{From: time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 9, 23, 0, 0, 0, time.UTC)}, true},
		{"given in UTC: ends 16:00 UTC on the 9th = midnight China time", time.Time{}, admission.Period{From: time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 9, 16, 0, 0, 0, time.UTC)}, false},
		{"morning activity, leave from noon", cstAt(2025, 6, 10, 12, 0), admission.Period{From: cstAt(2025, 6, 10, 12, 0), To: next}, false},
		{"morning activity, leave from 11:59", cstAt(2025, 6, 10, 12, 0), admission.Period{From: cstAt(2025, 6, 10, 11, 59), To: next}, true},
		{"morning activity, leave until 09:00", cstAt(2025, 6, 10, 12, 0), admission.Period{From: day, To: cstAt(2025, 6, 10, 9, 0)}, false},
		{"inverted period excludes nothing", time.Time{}, admission.Period{From: next, To: day}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := expert("A", "UA")
			c.period.Reason = "住院治疗"
			a.Unavailable = []admission.Period{{From: day.AddDate(-1, 0, 0), To: day.AddDate(-1, 0, 1)}, c.period}
			req := controlRequest()
			req.Until = c.until
			res, err := selection.Draw(req, controlPool(a), testEntropy, nil)
			require.NoError(t, err)
			x := exclusionOf(res, "A")
			if !c.want {
				assert.Nil(t, x)
				return
			}
			require.NotNil(t, x)
			assert.Equal(t, "unavailable", x.Code)
			assert.Equal(t, "Art. 8(2)", x.Article)
			assert.Contains(t, x.Reason, "北京时间")
			assert.NotContains(t, x.Reason, "住院", "the declared reason is personal and stays out of the exclusion")
			assert.Equal(t, []string{"Z"}, ids(res.Panel))
		})
	}
}

func TestUnavailableReasonNamesThePeriod(t *testing.T) {
	a := expert("A", "UA")
	a.Unavailable = []admission.Period{{From: cstAt(2025, 6, 8, 0, 0), To: cstAt(2025, 6, 13, 0, 0), Reason: "出国访问"}}
	res, err := selection.Draw(controlRequest(), controlPool(a), testEntropy, nil)
	require.NoError(t, err)
	assert.Equal(t, &selection.Exclusion{ExpertID: "A", Article: "Art. 8(2)", Code: "unavailable",
		Reason: "专家已申报北京时间 2025-06-08 00:00 至 2025-06-13 00:00（不含结束时刻）不能参加活动，与本次活动时间（北京时间 2025-06-10 00:00 至 2025-06-11 00:00（不含结束时刻））重叠"},
		exclusionOf(res, "A"))
}

func TestBookingsExclude(t *testing.T) {
	day := cstAt(2025, 6, 10, 0, 0)
	cases := []struct {
		name    string
		until   time.Time
		booking selection.Booking
		want    bool
	}{
		{"other activity the same afternoon", time.Time{}, selection.Booking{ActivityID: "R-OTHER", From: day.Add(14 * time.Hour), To: day.Add(17 * time.Hour)}, true},
		{"three-day activity starting before and ending after", time.Time{}, selection.Booking{ActivityID: "R-OTHER", From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2)}, true},
		{"the previous day, ending at midnight", time.Time{}, selection.Booking{ActivityID: "R-OTHER", From: day.Add(-8 * time.Hour), To: day}, false},
		{"the next day", time.Time{}, selection.Booking{ActivityID: "R-OTHER", From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 1).Add(8 * time.Hour)}, false},
		{"this very activity is not a clash", time.Time{}, selection.Booking{ActivityID: "R-CTRL", From: day, To: day.AddDate(0, 0, 1)}, false},
		{"back-to-back: the other ends when this one starts", cstAt(2025, 6, 10, 12, 0), selection.Booking{ActivityID: "R-OTHER", From: day.Add(7 * time.Hour), To: day.Add(9 * time.Hour)}, false},
		{"back-to-back: the other starts when this one ends", cstAt(2025, 6, 10, 12, 0), selection.Booking{ActivityID: "R-OTHER", From: day.Add(12 * time.Hour), To: day.Add(15 * time.Hour)}, false},
		{"the other runs into this one by a minute", cstAt(2025, 6, 10, 12, 0), selection.Booking{ActivityID: "R-OTHER", From: day.Add(7 * time.Hour), To: day.Add(9*time.Hour + time.Minute)}, true},
		{"a booking without ID is a clash", time.Time{}, selection.Booking{From: day.Add(14 * time.Hour), To: day.Add(17 * time.Hour)}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := controlRequest()
			req.Until = c.until
			p := controlPool(expert("A", "UA"))
			p.Bookings = map[string][]selection.Booking{"A": {c.booking}, "Z": {{ActivityID: "R-OTHER", From: day.AddDate(0, 1, 0), To: day.AddDate(0, 1, 1)}}}
			res, err := selection.Draw(req, p, testEntropy, nil)
			require.NoError(t, err)
			x := exclusionOf(res, "A")
			if !c.want {
				assert.Nil(t, x)
				return
			}
			require.NotNil(t, x)
			assert.Equal(t, "booked", x.Code)
			assert.Equal(t, "Art. 8(2)", x.Article)
			assert.Contains(t, x.Reason, "北京时间")
			assert.NotContains(t, x.Reason, "R-OTHER", "another activity's panel is confidential")
		})
	}
}

func TestAvailabilityOrderAndSwitches(t *testing.T) {
	day := cstAt(2025, 6, 10, 0, 0)
	a := expert("A", "UA")
	a.Unavailable = []admission.Period{{From: day, To: day.AddDate(0, 0, 1)}}
	p := controlPool(a)
	p.Bookings = map[string][]selection.Booking{"A": {{ActivityID: "R-OTHER", From: day, To: day.AddDate(0, 0, 1)}}}

	res, err := selection.Draw(controlRequest(), p, testEntropy, nil)
	require.NoError(t, err)
	assert.Equal(t, "unavailable", exclusionOf(res, "A").Code, "a declared period is reported before a booking")

	r := selection.DefaultRules()
	r.IgnoreUnavailable = true
	res, err = selection.Draw(controlRequest(), p, testEntropy, r)
	require.NoError(t, err)
	assert.Equal(t, "booked", exclusionOf(res, "A").Code)

	r.IgnoreBookings = true
	res, err = selection.Draw(controlRequest(), p, testEntropy, r)
	require.NoError(t, err)
	assert.Nil(t, exclusionOf(res, "A"))
	assert.Equal(t, 2, res.Candidates)

	// Conflicts come first: the project leader is reported as such even when away.
	req := controlRequest()
	req.Project.Leader.ID = "A"
	res, err = selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	assert.Equal(t, "project-leader", exclusionOf(res, "A").Code)
}

func TestUnavailablePreferentialPickAndInviteeAreRefused(t *testing.T) {
	day := cstAt(2025, 6, 10, 0, 0)
	pl := selection.Pool{Usage: map[string]int{}}
	for i := range 6 {
		pl.Experts = append(pl.Experts, expert(fmt.Sprintf("E%d", i), fmt.Sprintf("U%d", i)))
	}
	pl.Experts[0].Unavailable = []admission.Period{{From: day.Add(-time.Hour), To: day.Add(time.Hour)}}
	pl.Last = map[string]evaluation.Summary{"E0": excellent("E0")}
	req := controlRequest()
	req.Size = 3
	req.Preferred = []string{"E0"}
	req.Plan = plan()
	_, err := selection.Draw(req, pl, testEntropy, nil)
	require.ErrorIs(t, err, selection.ErrPreferential)
	se := selErr(t, err)
	assert.Equal(t, "unavailable", se.Code)
	assert.Equal(t, "E0", se.ExpertID)

	req = controlRequest()
	req.Size = 3
	inv := invitation("OUT-1")
	req.Invited = []selection.Invitation{inv}
	pl.Bookings = map[string][]selection.Booking{"OUT-1": {{ActivityID: "R-9", From: day.Add(10 * time.Hour), To: day.Add(12 * time.Hour)}}}
	_, err = selection.Draw(req, pl, testEntropy, nil)
	require.ErrorIs(t, err, selection.ErrInvitation)
	se = selErr(t, err)
	assert.Equal(t, "booked", se.Code)
	assert.Equal(t, "Art. 8(2)", se.Article)
}

func TestDrawWindow(t *testing.T) {
	at := cstAt(2025, 6, 10, 9, 0)
	both := selection.DrawWindow{MaxLead: 48 * time.Hour, MinLead: 2 * time.Hour}
	cases := []struct {
		name    string
		window  selection.DrawWindow
		drawnAt time.Time
		want    error  // nil, ErrInvalidRequest or ErrDrawWindow
		code    string // for errors
	}{
		{"off: no draw time needed", selection.DrawWindow{}, time.Time{}, nil, ""},
		{"off: a draw after the start is not checked", selection.DrawWindow{}, at.Add(time.Hour), nil, ""},
		{"on: draw time missing", both, time.Time{}, selection.ErrInvalidRequest, "drawn-at"},
		{"opening instant is inside", both, at.Add(-48 * time.Hour), nil, ""},
		{"one second before it opens", both, at.Add(-48*time.Hour - time.Second), selection.ErrDrawWindow, "draw-too-early"},
		{"a week ahead", both, at.AddDate(0, 0, -7), selection.ErrDrawWindow, "draw-too-early"},
		{"the evening before (China time)", both, cstAt(2025, 6, 9, 20, 0), nil, ""},
		{"closing instant is inside", both, at.Add(-2 * time.Hour), nil, ""},
		{"one second after it closes", both, at.Add(-2*time.Hour + time.Second), selection.ErrDrawWindow, "draw-too-late"},
		{"after the start", both, at.Add(time.Minute), selection.ErrDrawWindow, "draw-too-late"},
		{"only a latest time: a month ahead is fine", selection.DrawWindow{MinLead: time.Hour}, at.AddDate(0, -1, 0), nil, ""},
		{"only a latest time: 30 minutes before is late", selection.DrawWindow{MinLead: time.Hour}, at.Add(-30 * time.Minute), selection.ErrDrawWindow, "draw-too-late"},
		{"only an earliest time: at the start is fine", selection.DrawWindow{MaxLead: 24 * time.Hour}, at, nil, ""},
		{"only an earliest time: after the start is late", selection.DrawWindow{MaxLead: 24 * time.Hour}, at.Add(time.Nanosecond), selection.ErrDrawWindow, "draw-too-late"},
		{"only an earliest time: 25 hours ahead is early", selection.DrawWindow{MaxLead: 24 * time.Hour}, at.Add(-25 * time.Hour), selection.ErrDrawWindow, "draw-too-early"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := selection.DefaultRules()
			r.DrawWindow = c.window
			req := controlRequest()
			req.DrawnAt = c.drawnAt
			res, err := selection.Draw(req, controlPool(expert("A", "UA")), testEntropy, r)
			p, perr := selection.Prepare(req, r)
			require.NoError(t, perr, "a window never stops Prepare (Simulate works outside it)")
			if c.want == nil {
				require.NoError(t, err)
				assert.Len(t, res.Panel, 1)
				assert.NoError(t, p.CheckWindow())
				return
			}
			require.ErrorIs(t, err, c.want)
			se := selErr(t, err)
			assert.Equal(t, c.code, se.Code)
			assert.Equal(t, "Art. 14(2)", se.Article)
			assert.Equal(t, err.Error(), p.CheckWindow().Error())
			_, cerr := selection.NewCampaign(p, controlPool(expert("A", "UA")), testEntropy, 0)
			assert.ErrorIs(t, cerr, c.want, "a campaign is a draw and is refused the same way")
		})
	}
}

func TestDrawWindowMessageStatesTheWindowAndTimes(t *testing.T) {
	r := selection.DefaultRules()
	r.DrawWindow = selection.DrawWindow{MaxLead: 48 * time.Hour, MinLead: 2 * time.Hour}
	req := controlRequest()
	req.DrawnAt = cstAt(2025, 6, 5, 10, 30)
	_, err := selection.Draw(req, controlPool(expert("A", "UA")), testEntropy, r)
	require.ErrorIs(t, err, selection.ErrDrawWindow)
	assert.Equal(t, "抽取时间（北京时间 2025-06-05 10:30）早于允许的抽取时段：须在活动开始（北京时间 2025-06-10 09:00）前 2 天至前 2 小时之间抽取，即北京时间 2025-06-08 09:00 至 2025-06-10 07:00；请在时段内再抽取",
		selErr(t, err).Message)

	r.DrawWindow = selection.DrawWindow{MinLead: 90 * time.Minute}
	req.DrawnAt = cstAt(2025, 6, 10, 8, 0)
	_, err = selection.Draw(req, controlPool(expert("A", "UA")), testEntropy, r)
	require.ErrorIs(t, err, selection.ErrDrawWindow)
	assert.Equal(t, "抽取时间（北京时间 2025-06-10 08:00）晚于允许的抽取时段：须在活动开始（北京时间 2025-06-10 09:00）前至少 90 分钟抽取，即不晚于北京时间 2025-06-10 07:30；请调整活动时间后重新申请",
		selErr(t, err).Message)
}

func TestBadDrawWindowIsRefused(t *testing.T) {
	for _, w := range []selection.DrawWindow{{MaxLead: -time.Hour}, {MinLead: -time.Hour}, {MaxLead: time.Hour, MinLead: 2 * time.Hour}} {
		r := selection.DefaultRules()
		r.DrawWindow = w
		_, err := selection.Prepare(controlRequest(), r)
		require.ErrorIs(t, err, selection.ErrInvalidRequest, "%+v", w)
		assert.Equal(t, "draw-window", selErr(t, err).Code)
	}
}

func TestWithinMonths(t *testing.T) {
	cases := []struct {
		name   string
		a, b   time.Time
		months int
		want   bool
	}{
		{"the day before six months", cstAt(2025, 1, 10, 9, 0), cstAt(2025, 7, 9, 18, 0), 6, true},
		{"exactly six months later", cstAt(2025, 1, 10, 9, 0), cstAt(2025, 7, 10, 0, 0), 6, false},
		{"order does not matter", cstAt(2025, 7, 9, 0, 0), cstAt(2025, 1, 10, 0, 0), 6, true},
		{"31 August + 6 months is 28 February (excluded up to the 27th)", cstAt(2025, 8, 31, 0, 0), cstAt(2026, 2, 27, 0, 0), 6, true},
		{"31 August + 6 months is 28 February", cstAt(2025, 8, 31, 0, 0), cstAt(2026, 2, 28, 0, 0), 6, false},
		{"leap year: 31 August 2023 + 6 months is 29 February", cstAt(2023, 8, 31, 0, 0), cstAt(2024, 2, 28, 0, 0), 6, true},
		{"leap year: 29 February 2024 reached", cstAt(2023, 8, 31, 0, 0), cstAt(2024, 2, 29, 0, 0), 6, false},
		{"China date, not UTC date: 16:30 UTC on 9 Jan is 10 Jan", time.Date(2025, 1, 9, 16, 30, 0, 0, time.UTC), cstAt(2025, 7, 9, 12, 0), 6, true},
		{"China date, not UTC date: 15:30 UTC on 9 Jan is 9 Jan", time.Date(2025, 1, 9, 15, 30, 0, 0, time.UTC), cstAt(2025, 7, 9, 12, 0), 6, false},
		{"same day", cstAt(2025, 3, 3, 8, 0), cstAt(2025, 3, 3, 20, 0), 1, true},
		{"zero months is never within", cstAt(2025, 3, 3, 8, 0), cstAt(2025, 3, 3, 8, 0), 0, false},
		{"across a year end", cstAt(2024, 11, 30, 0, 0), cstAt(2025, 5, 29, 0, 0), 6, true},
		{"huge months are capped, not overflowed", cstAt(1900, 1, 1, 0, 0), cstAt(2025, 1, 1, 0, 0), 1 << 40, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, selection.WithinMonths(c.a, c.b, c.months))
		})
	}
}

// coolingPool: A reviewed a project of the applicant unit (written differently), B reviewed
// another unit, C reviewed the applicant long ago, D has a review of this very request, Z is free.
func coolingPool(applicant string) selection.Pool {
	p := selection.Pool{Usage: map[string]int{}}
	for _, id := range []string{"A", "B", "C", "D", "E", "Z"} {
		p.Experts = append(p.Experts, expert(id, "U"+id))
	}
	p.History = map[string][]selection.Participation{
		"A": {{ActivityID: "R-1", ApplicantUnit: "Ｗｅｎｚｈｏｕ  Optics 科技有限公司", At: cstAt(2025, 3, 1, 9, 0)}},
		"B": {{ActivityID: "R-2", ApplicantUnit: "另一家公司", At: cstAt(2025, 5, 1, 9, 0)}},
		"C": {{ActivityID: "R-3", ApplicantUnit: applicant, At: cstAt(2024, 12, 10, 9, 0)}},
		"D": {{ActivityID: "R-CTRL", ApplicantUnit: applicant, At: cstAt(2025, 6, 10, 9, 0)}},
		"E": {{ActivityID: "R-4", ApplicantUnit: applicant, At: cstAt(2025, 9, 1, 9, 0)}}, // accepted, later this year
	}
	return p
}

func TestCoolingOffRule(t *testing.T) {
	const applicant = "wenzhou optics 科技有限公司"
	req := controlRequest()
	req.Project.Leader.Affiliation.Org = applicant
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	res, err := selection.Draw(req, coolingPool(applicant), testEntropy, r)
	require.NoError(t, err)

	x := exclusionOf(res, "A")
	require.NotNil(t, x, "the unit names match after normalisation")
	assert.Equal(t, selection.Exclusion{ExpertID: "A", Article: "Art. 15(5)", Code: "cooling-off",
		Reason: "专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避"}, *x)
	assert.Nil(t, exclusionOf(res, "B"), "another unit")
	assert.Nil(t, exclusionOf(res, "C"), "six months have passed (10 Dec → 10 Jun)")
	assert.Nil(t, exclusionOf(res, "D"), "this very request does not count")
	assert.NotNil(t, exclusionOf(res, "E"), "an accepted review of the unit three months later counts too")
	assert.Equal(t, 4, res.Candidates)

	// Off by default.
	res, err = selection.Draw(req, coolingPool(applicant), testEntropy, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, res.Candidates)

	// Seven months catches C.
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(7)}
	res, err = selection.Draw(req, coolingPool(applicant), testEntropy, r)
	require.NoError(t, err)
	assert.NotNil(t, exclusionOf(res, "C"))
}

func TestCountyExclusionRules(t *testing.T) {
	req := controlRequest()
	req.Project.Leader.Affiliation.Org = "申报企业"
	req.Project.Region = "330302"
	req.Project.Members = []conflict.Person{{ID: "M1", Name: "成员", Affiliation: admission.Affiliation{Org: "合作高校", Kind: admission.University, Department: "材料学院"}}}
	pl := coolingPool("申报企业")
	pl.Experts[1].Affiliation.Org = "合作高校" // B: same university as a member, other department: Art. 15(3) allows it
	pl.Experts[1].Affiliation.Department = "另一学院"
	pl.History["Z"] = []selection.Participation{{ActivityID: "R-5", ApplicantUnit: "申报企业"}} // no date: counts
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{
		{Name: "no-project-unit", Expr: `!(expert.Affiliation.Org in project.Units)`},
		selection.CoolingOffRule(12),
		{Name: "not-c", Article: "Art. 15(5)", Expr: `expert.ID != "C"`},
	}
	res, err := selection.Draw(req, pl, testEntropy, r)
	require.NoError(t, err)
	assert.Equal(t, selection.Exclusion{ExpertID: "B", Article: "Art. 13", Code: "no-project-unit",
		Reason: `不符合本地使用细则的排除规则 "no-project-unit"`}, *exclusionOf(res, "B"), "default article and message")
	assert.Equal(t, "cooling-off", exclusionOf(res, "Z").Code, "a review without a date counts (fail closed)")
	assert.Equal(t, "cooling-off", exclusionOf(res, "C").Code, "the first failing rule is reported")
	assert.Nil(t, exclusionOf(res, "D"))
	assert.Nil(t, exclusionOf(res, "C1"))
}

func TestBadExclusionRuleNamesItsRule(t *testing.T) {
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6), {Name: "broken", Expr: "reviewedUnitWithin(project.Unit)"}}
	_, err := selection.Prepare(controlRequest(), r)
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
	var ce *rule.CompileError
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, "broken", ce.Rule)
	assert.Equal(t, 1, ce.Line)
}

func TestFailingExclusionRuleExcludesWithExpressionError(t *testing.T) {
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{{Name: "past-unit", Article: "Art. 15(5)", Expr: `expert.ID == "Z" || expert.Past[5].Org != "x"`}}
	res, err := selection.Draw(controlRequest(), controlPool(expert("A", "UA")), testEntropy, r)
	require.NoError(t, err)
	x := exclusionOf(res, "A")
	require.NotNil(t, x, "an evaluation failure excludes (fail closed)")
	assert.Equal(t, "expression-error", x.Code)
	assert.Equal(t, "Art. 15(5)", x.Article)
	assert.Contains(t, x.Reason, `"past-unit"`)
	assert.Equal(t, []string{"Z"}, ids(res.Panel))
}

func TestInvitedExpertMeetsCountyRules(t *testing.T) {
	const applicant = "申报企业"
	req := controlRequest()
	req.Size = 2
	req.Project.Leader.Affiliation.Org = applicant
	req.Invited = []selection.Invitation{invitation("OUT-1")}
	pl := controlPool(expert("A", "UA"))
	pl.History = map[string][]selection.Participation{"OUT-1": {{ActivityID: "R-7", ApplicantUnit: applicant, At: cstAt(2025, 5, 20, 9, 0)}}}
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	_, err := selection.Draw(req, pl, testEntropy, r)
	require.ErrorIs(t, err, selection.ErrInvitation)
	se := selErr(t, err)
	assert.Equal(t, "cooling-off", se.Code)
	assert.Equal(t, "Art. 15(5)", se.Article)
}

// canonical is the encoding of the controls vector of docs/draw-v1.md.
const controlsCanonical = `expertdb-request-v1
id 9:WZ-2025-C
size 1:1
at 20:2025-06-10T01:00:00Z
criteria 0:
project 3:P-2
project.leader 3:L-2
project.avoid 1:0
rules.cap 2:10
rules.share.num 1:1
rules.share.den 1:3
until 20:2025-06-10T09:00:00Z
drawn-at 20:2025-06-09T02:00:00Z
rules.window.max-lead 15:172800000000000
rules.window.min-lead 13:7200000000000
rules.exclusion 11:cooling-off
rules.exclusion.article 10:Art. 15(5)
rules.exclusion.expr 36:!reviewedUnitWithin(project.Unit, 6)
`

// controlsVector is the request and rules of the controls vector of docs/draw-v1.md.
func controlsVector() (selection.Request, selection.Pool, *selection.Rules) {
	req := selection.Request{ID: "WZ-2025-C", Size: 1, At: cstAt(2025, 6, 10, 9, 0), Until: cstAt(2025, 6, 10, 17, 0),
		DrawnAt: cstAt(2025, 6, 9, 10, 0),
		Project: conflict.Project{ID: "P-2", Leader: conflict.Person{ID: "L-2", Name: "项目负责人",
			Affiliation: admission.Affiliation{Org: "温州光学科技有限公司", Kind: admission.Enterprise}}}}
	r := selection.DefaultRules()
	r.DrawWindow = selection.DrawWindow{MaxLead: 48 * time.Hour, MinLead: 2 * time.Hour}
	r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
	p := selection.Pool{Usage: map[string]int{}}
	for _, id := range []string{"C1", "C2", "C3", "C4"} {
		p.Experts = append(p.Experts, expert(id, "单位"+id))
	}
	p.Experts[0].Unavailable = []admission.Period{{From: cstAt(2025, 6, 10, 13, 0), To: cstAt(2025, 6, 12, 0, 0), Reason: "出差"}}
	p.Bookings = map[string][]selection.Booking{
		"C2": {{ActivityID: "WZ-2025-B", From: cstAt(2025, 6, 10, 8, 0), To: cstAt(2025, 6, 10, 10, 0)}},
		"C4": {{ActivityID: "WZ-2025-B", From: cstAt(2025, 6, 10, 17, 0), To: cstAt(2025, 6, 10, 19, 0)}}, // starts when this one ends
	}
	p.History = map[string][]selection.Participation{"C3": {{ActivityID: "WZ-2025-A", ApplicantUnit: "温州光学科技有限公司", At: cstAt(2025, 2, 1, 9, 0)}}}
	return req, p, r
}

// The controls vector of docs/draw-v1.md §10: the encoding with the optional lines, its digest
// and the exclusions.
func TestControlsVector(t *testing.T) {
	sum := sha256.Sum256([]byte(controlsCanonical))
	want := hex.EncodeToString(sum[:])
	assert.Equal(t, "db1038e0bc8e8e53b23485b9b258586d071dde333be3d238de141e08dff9d579", want)

	req, p, r := controlsVector()
	res, err := selection.Draw(req, p, selection.Entropy{Sources: [][]uint64{{2025, 6, 9}}}, r)
	require.NoError(t, err)
	assert.Equal(t, want, res.RequestDigest)
	assert.Equal(t, []selection.Exclusion{
		{ExpertID: "C1", Article: "Art. 8(2)", Code: "unavailable", Reason: "专家已申报北京时间 2025-06-10 13:00 至 2025-06-12 00:00（不含结束时刻）不能参加活动，与本次活动时间（北京时间 2025-06-10 09:00 至 2025-06-10 17:00（不含结束时刻））重叠"},
		{ExpertID: "C2", Article: "Art. 8(2)", Code: "booked", Reason: "专家已接受另一项评审（咨询）活动的邀请，该活动时间为北京时间 2025-06-10 08:00 至 2025-06-10 10:00（不含结束时刻），与本次活动时间（北京时间 2025-06-10 09:00 至 2025-06-10 17:00（不含结束时刻））重叠，原则上不得缺席已接受的活动"},
		{ExpertID: "C3", Article: "Art. 15(5)", Code: "cooling-off", Reason: "专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避"},
	}, res.Excluded)
	assert.Equal(t, []string{"C4"}, ids(res.Panel))
	assert.Equal(t, selection.PoolDigest([]string{"C4"}), res.PoolDigest)

	req.DrawnAt = cstAt(2025, 6, 8, 8, 59)
	_, err = selection.Draw(req, p, selection.Entropy{Sources: [][]uint64{{2025, 6, 9}}}, r)
	require.ErrorIs(t, err, selection.ErrDrawWindow)
	assert.Equal(t, "draw-too-early", selErr(t, err).Code)

	doc, err := os.ReadFile("../docs/draw-v1.md")
	require.NoError(t, err)
	assert.Contains(t, string(doc), "```\n"+controlsCanonical+"```\n", "docs/draw-v1.md shows the encoding")
	assert.Contains(t, string(doc), "request digest `"+want+"`")
}

func TestEveryControlEntersTheDigest(t *testing.T) {
	req, p, _ := controlsVector()
	p.Experts = append(p.Experts, expert("C5", "单位C5"))
	digest := func(req selection.Request, r *selection.Rules) string {
		pr, err := selection.Prepare(req, r)
		require.NoError(t, err)
		return pr.RequestDigest()
	}
	base := selection.Request{ID: req.ID, Size: req.Size, At: req.At, Project: req.Project}
	seen := map[string]string{digest(base, nil): "none"}
	variants := map[string]func(*selection.Request, *selection.Rules){
		"until":              func(q *selection.Request, _ *selection.Rules) { q.Until = req.Until },
		"drawn-at":           func(q *selection.Request, _ *selection.Rules) { q.DrawnAt = req.DrawnAt },
		"max-lead":           func(_ *selection.Request, r *selection.Rules) { r.DrawWindow.MaxLead = time.Hour },
		"min-lead":           func(_ *selection.Request, r *selection.Rules) { r.DrawWindow.MinLead = time.Hour },
		"ignore-unavailable": func(_ *selection.Request, r *selection.Rules) { r.IgnoreUnavailable = true },
		"ignore-bookings":    func(_ *selection.Request, r *selection.Rules) { r.IgnoreBookings = true },
		"exclusion": func(_ *selection.Request, r *selection.Rules) {
			r.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
		},
		"exclusion months": func(_ *selection.Request, r *selection.Rules) {
			r.Exclusions = []rule.Rule{selection.CoolingOffRule(7)}
		},
	}
	for name, f := range variants {
		q, r := base, selection.DefaultRules()
		f(&q, r)
		d := digest(q, r)
		_, dup := seen[d]
		assert.False(t, dup, "%s leaves the digest unchanged (same as %s)", name, seen[d])
		seen[d] = name
	}
}

func TestUnavailableValidation(t *testing.T) {
	e := expert("A", "UA")
	d := cstAt(2025, 6, 10, 0, 0)
	e.Unavailable = []admission.Period{{From: d, To: d.AddDate(0, 0, 1), Reason: "出差"}, {From: d}}
	require.NoError(t, admission.Validate(e), "a closed and an open-ended period")
	for _, bad := range []admission.Period{{To: d}, {From: d, To: d}, {From: d, To: d.Add(-time.Hour)}, {From: d, To: d.Add(time.Hour), Reason: strings.Repeat("长", 201)}} {
		e.Unavailable = []admission.Period{bad}
		err := admission.Validate(e)
		var ve *admission.ValidationError
		require.True(t, errors.As(err, &ve), "%+v", bad)
		assert.Contains(t, ve.Fields[0].Label, "不可参加时段第1项")
	}
}

// A draw record is stored as JSON: the controls survive the round trip, and a request or
// pool without them encodes as before (no new keys).
func TestControlsSurviveJSON(t *testing.T) {
	req, p, r := controlsVector()
	e := selection.Entropy{Sources: [][]uint64{{2025, 6, 9}}}
	want, err := selection.Draw(req, p, e, r)
	require.NoError(t, err)

	var req2 selection.Request
	var p2 selection.Pool
	var r2 selection.Rules
	for _, x := range []struct {
		in, out any
	}{{req, &req2}, {p, &p2}, {r, &r2}} {
		b, err := json.Marshal(x.in)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, x.out))
	}
	got, err := selection.Draw(req2, p2, e, &r2)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	plain, err := json.Marshal(request(3))
	require.NoError(t, err)
	assert.NotContains(t, string(plain), "Until")
	assert.NotContains(t, string(plain), "DrawnAt")
	plainPool, err := json.Marshal(pool(2, 2))
	require.NoError(t, err)
	assert.NotContains(t, string(plainPool), "Bookings")
	assert.NotContains(t, string(plainPool), "unavailable")
}
