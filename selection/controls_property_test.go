package selection_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// The interval logic is checked against brute force: every endpoint is a whole minute, so two
// half-open spans overlap exactly when some whole minute lies in both.

// base is midnight of 9 June 2025 China time; generated times are whole minutes from it.
var propBase = cstAt(2025, 6, 9, 0, 0)

func minute(m int) time.Time { return propBase.Add(time.Duration(m) * time.Minute) }

// genBound draws a minute offset in [lo, hi], or (one time in eight) no bound.
func genBound(t *rapid.T, label string, lo, hi int) (int, bool) {
	if rapid.IntRange(0, 7).Draw(t, label+"-open") == 0 {
		return 0, false
	}
	return rapid.IntRange(lo, hi).Draw(t, label), true
}

// minuteSpan is a generated span: From and To as minute offsets, each possibly unbounded.
type minuteSpan struct {
	from, to         int
	hasFrom, hasTo   bool
	fromTime, toTime time.Time
}

func genMinuteSpan(t *rapid.T, label string, lo, hi int) minuteSpan {
	s := minuteSpan{}
	s.from, s.hasFrom = genBound(t, label+"-from", lo, hi)
	length := rapid.IntRange(-60, 2000).Draw(t, label+"-len") // negative or zero: an empty span
	if rapid.IntRange(0, 7).Draw(t, label+"-to-open") != 0 {
		s.to, s.hasTo = s.from+length, true
		if !s.hasFrom {
			s.to = rapid.IntRange(lo, hi).Draw(t, label+"-to")
		}
	}
	if s.hasFrom {
		s.fromTime = minute(s.from)
	}
	if s.hasTo {
		s.toTime = minute(s.to)
	}
	return s
}

func (s minuteSpan) span() selection.Span { return selection.Span{From: s.fromTime, To: s.toTime} }

// contains reports whether minute m (as an instant) lies in s, read literally.
func (s minuteSpan) contains(m int) bool {
	return (!s.hasFrom || s.from <= m) && (!s.hasTo || m < s.to)
}

func TestSpanOverlapsAgreesWithMinuteEnumeration(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genMinuteSpan(t, "a", 0, 600)
		b := genMinuteSpan(t, "b", 0, 600)
		want := false
		// Every bounded endpoint lies in [-60, 2600]; an unbounded side reaches any minute
		// outside, so one minute beyond each end stands for all of them.
		for m := -3000; m <= 3000 && !want; m++ {
			want = a.contains(m) && b.contains(m)
		}
		require.Equal(t, want, a.span().Overlaps(b.span()), "a=%+v b=%+v", a, b)
		require.Equal(t, want, b.span().Overlaps(a.span()), "symmetric")
	})
}

// activityMinutes reports, for minute m, whether it lies in the activity: [At, Until) when
// Until is set, else the China calendar day of At (computed on its own, not with Span).
func activityContains(at, until time.Time, m int) bool {
	t := minute(m)
	if !until.IsZero() {
		return !t.Before(at) && t.Before(until)
	}
	y1, m1, d1 := t.In(cst).Date()
	y2, m2, d2 := at.In(cst).Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

func TestUnavailableAndBookedExactlyWhenAMinuteIsShared(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		req := controlRequest()
		atMin := rapid.IntRange(0, 3*24*60-1).Draw(t, "at")
		req.At = minute(atMin)
		if rapid.Bool().Draw(t, "until") {
			req.Until = minute(atMin + rapid.IntRange(1, 600).Draw(t, "duration"))
		}
		pl := selection.Pool{Usage: map[string]int{}, Bookings: map[string][]selection.Booking{}}
		type expect struct {
			periods  []minuteSpan
			bookings []minuteSpan
			self     []bool
		}
		want := map[string]expect{}
		for i := range rapid.IntRange(1, 4).Draw(t, "experts") {
			id := fmt.Sprintf("A%d", i)
			e := expert(id, "U"+id)
			var x expect
			for j := range rapid.IntRange(0, 3).Draw(t, "periods") {
				s := genMinuteSpan(t, fmt.Sprintf("p%d", j), -600, 4900) // a zero From (refused by Validate) reads as unbounded
				x.periods = append(x.periods, s)
				e.Unavailable = append(e.Unavailable, admission.Period{From: s.fromTime, To: s.toTime, Reason: "休假"})
			}
			for j := range rapid.IntRange(0, 3).Draw(t, "bookings") {
				s := genMinuteSpan(t, fmt.Sprintf("b%d", j), -600, 4900)
				self := rapid.IntRange(0, 3).Draw(t, "self") == 0
				act := "R-OTHER"
				if self {
					act = req.ID
				}
				x.bookings = append(x.bookings, s)
				x.self = append(x.self, self)
				pl.Bookings[id] = append(pl.Bookings[id], selection.Booking{ActivityID: act, From: s.fromTime, To: s.toTime})
			}
			want[id] = x
			pl.Experts = append(pl.Experts, e)
		}
		pl.Experts = append(pl.Experts, expert("Z", "UZ"))
		res, err := selection.Draw(req, pl, testEntropy, nil)
		require.NoError(t, err)
		for id, x := range want {
			shares := func(s minuteSpan) bool {
				for m := -1; m <= 3*24*60+700; m++ {
					if s.contains(m) && activityContains(req.At, req.Until, m) {
						return true
					}
				}
				return false
			}
			code := ""
			for _, s := range x.periods {
				if shares(s) {
					code = "unavailable"
					break
				}
			}
			if code == "" {
				for k, s := range x.bookings {
					if !x.self[k] && shares(s) {
						code = "booked"
						break
					}
				}
			}
			got := exclusionOf(res, id)
			if code == "" {
				require.Nil(t, got, "%s: %+v", id, x)
			} else {
				require.NotNil(t, got, "%s should be %s: %+v", id, code, x)
				require.Equal(t, code, got.Code)
			}
		}
	})
}

// quietControls adds availability data that never touches the activity of c (the China day
// of c.req.At): periods and bookings on other days, bookings of this very request at any
// time, and history for other units.
func quietControls(t *rapid.T, c smallCase) selection.Pool {
	day := c.req.Span()
	p := c.pool
	p.Experts = append([]admission.Expert(nil), p.Experts...)
	p.Bookings = map[string][]selection.Booking{}
	p.History = map[string][]selection.Participation{}
	for i := range p.Experts {
		e := &p.Experts[i]
		for range rapid.IntRange(0, 2).Draw(t, "periods") {
			if rapid.Bool().Draw(t, "before") {
				end := day.From.Add(-time.Duration(rapid.IntRange(0, 5000).Draw(t, "gap")) * time.Minute)
				e.Unavailable = append(e.Unavailable, admission.Period{From: end.Add(-time.Duration(rapid.IntRange(1, 5000).Draw(t, "len")) * time.Minute), To: end})
			} else {
				start := day.To.Add(time.Duration(rapid.IntRange(0, 5000).Draw(t, "gap")) * time.Minute)
				e.Unavailable = append(e.Unavailable, admission.Period{From: start})
			}
		}
		for range rapid.IntRange(0, 2).Draw(t, "bookings") {
			b := selection.Booking{ActivityID: "R-OTHER", From: day.To, To: day.To.Add(3 * time.Hour)}
			if rapid.Bool().Draw(t, "self") {
				b = selection.Booking{ActivityID: c.req.ID, From: day.From, To: day.To}
			}
			p.Bookings[e.ID] = append(p.Bookings[e.ID], b)
		}
		p.History[e.ID] = []selection.Participation{{ActivityID: "R-OLD", ApplicantUnit: e.Affiliation.Org, At: day.From}}
	}
	return p
}

func TestControlsThatDoNotFireLeaveTheDrawIdentical(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := feasibleCase(t, 10)
		before, err := selection.Draw(c.req, c.pool, c.entropy, nil)
		require.NoError(t, err)
		after, err := selection.Draw(c.req, quietControls(t, c), c.entropy, nil)
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
}

func TestSwitchedOffAvailabilityIgnoresAllItsData(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := feasibleCase(t, 10)
		r := selection.DefaultRules()
		r.IgnoreUnavailable, r.IgnoreBookings = true, true
		before, err := selection.Draw(c.req, c.pool, c.entropy, r)
		require.NoError(t, err)
		p := c.pool
		p.Experts = append([]admission.Expert(nil), p.Experts...)
		p.Bookings = map[string][]selection.Booking{}
		day := c.req.Span()
		for i := range p.Experts {
			if rapid.Bool().Draw(t, "away") {
				p.Experts[i].Unavailable = []admission.Period{{From: day.From, To: day.To}}
			}
			if rapid.Bool().Draw(t, "booked") {
				p.Bookings[p.Experts[i].ID] = []selection.Booking{{ActivityID: "R-OTHER", From: day.From.Add(-time.Hour), To: day.To.Add(time.Hour)}}
			}
		}
		after, err := selection.Draw(c.req, p, c.entropy, r)
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
}

// monthsApart decides "within n months" by case analysis on calendar months, independently
// of WithinMonths: with d ≤ e (China dates) and M the difference in months, e is within n
// months when M < n, or M = n and e's day is before d's day (clamped to e's month length).
func monthsApart(a, b time.Time, n int) bool {
	if n <= 0 {
		return false
	}
	dy, dm, dd := a.In(cst).Date()
	ey, em, ed := b.In(cst).Date()
	if ey*10000+int(em)*100+ed < dy*10000+int(dm)*100+dd {
		dy, dm, dd, ey, em, ed = ey, em, ed, dy, dm, dd
	}
	months := (ey-dy)*12 + int(em) - int(dm)
	switch {
	case months < n:
		return true
	case months > n:
		return false
	}
	last := time.Date(ey, em+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return ed < min(dd, last)
}

func TestWithinMonthsAgreesWithCalendarArithmetic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		a := start.Add(time.Duration(rapid.IntRange(0, 6*365*24*60).Draw(t, "a")) * time.Minute)
		b := start.Add(time.Duration(rapid.IntRange(0, 6*365*24*60).Draw(t, "b")) * time.Minute)
		n := rapid.IntRange(-1, 40).Draw(t, "months")
		got := selection.WithinMonths(a, b, n)
		require.Equal(t, monthsApart(a, b, n), got, "a=%v b=%v n=%d", a.In(cst), b.In(cst), n)
		require.Equal(t, got, selection.WithinMonths(b, a, n), "symmetric")
		if got {
			require.True(t, selection.WithinMonths(a, b, n+1), "monotone in months")
		}
	})
}

func TestDrawAllowedExactlyInsideTheWindow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxLead := rapid.IntRange(0, 4000).Draw(t, "max")
		minLead := rapid.IntRange(0, 4000).Draw(t, "min")
		if maxLead > 0 && minLead > maxLead {
			minLead = rapid.IntRange(0, maxLead).Draw(t, "min2")
		}
		if maxLead == 0 && minLead == 0 {
			minLead = 1
		}
		r := selection.DefaultRules()
		r.DrawWindow = selection.DrawWindow{MaxLead: time.Duration(maxLead) * time.Minute, MinLead: time.Duration(minLead) * time.Minute}
		req := controlRequest()
		lead := rapid.IntRange(-200, 5000).Draw(t, "lead") // minutes before the start
		req.DrawnAt = req.At.Add(-time.Duration(lead) * time.Minute)
		p, err := selection.Prepare(req, r)
		require.NoError(t, err)
		err = p.CheckWindow()
		early := maxLead > 0 && lead > maxLead
		late := lead < minLead
		switch {
		case early:
			require.ErrorIs(t, err, selection.ErrDrawWindow)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			require.Equal(t, "draw-too-early", se.Code)
		case late:
			require.ErrorIs(t, err, selection.ErrDrawWindow)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			require.Equal(t, "draw-too-late", se.Code)
		default:
			require.NoError(t, err)
		}
	})
}

// FuzzSpanOverlaps checks Span.Overlaps over arbitrary instants (any nanosecond of the
// int64 range, or an open bound) against a second formulation: two spans overlap when the
// later of the starts is before the earlier of the ends.
func FuzzSpanOverlaps(f *testing.F) {
	f.Add(int64(0), int64(10), int64(5), int64(20), uint8(0))
	f.Add(int64(0), int64(10), int64(10), int64(20), uint8(0))
	f.Add(int64(-5), int64(30), int64(0), int64(10), uint8(0))
	f.Add(int64(7), int64(7), int64(0), int64(10), uint8(0))
	f.Add(int64(0), int64(10), int64(5), int64(20), uint8(15))
	f.Fuzz(func(t *testing.T, a1, a2, b1, b2 int64, open uint8) {
		at := func(n int64, isOpen bool) (time.Time, bool) {
			if isOpen {
				return time.Time{}, true
			}
			return time.Unix(0, n), false
		}
		af, aOpenF := at(a1, open&1 != 0)
		ato, aOpenT := at(a2, open&2 != 0)
		bf, bOpenF := at(b1, open&4 != 0)
		bto, bOpenT := at(b2, open&8 != 0)
		// Second formulation: a bound is (kind, n) with kind -1 = −∞, 0 = the instant n,
		// +1 = +∞, ordered lexicographically.
		type bound struct {
			kind int
			n    int64
		}
		less := func(x, y bound) bool { return x.kind < y.kind || x.kind == y.kind && x.kind == 0 && x.n < y.n }
		start := func(n int64, isOpen bool) bound {
			if isOpen {
				return bound{kind: -1}
			}
			return bound{n: n}
		}
		end := func(n int64, isOpen bool) bound {
			if isOpen {
				return bound{kind: 1}
			}
			return bound{n: n}
		}
		later := func(x, y bound) bound {
			if less(x, y) {
				return y
			}
			return x
		}
		earlier := func(x, y bound) bound {
			if less(x, y) {
				return x
			}
			return y
		}
		as, ae := start(a1, aOpenF), end(a2, aOpenT)
		bs, be := start(b1, bOpenF), end(b2, bOpenT)
		want := less(as, ae) && less(bs, be) && less(later(as, bs), earlier(ae, be))
		a, b := selection.Span{From: af, To: ato}, selection.Span{From: bf, To: bto}
		if got := a.Overlaps(b); got != want {
			t.Fatalf("%+v overlaps %+v = %v, want %v", a, b, got, want)
		}
		if a.Overlaps(b) != b.Overlaps(a) {
			t.Fatal("not symmetric")
		}
	})
}
