package admission_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
)

// Invariant: DaysBetween counts calendar days (each date read in its own location) exactly as
// the time package does, over several millennia, leap years and time zones included; Age
// agrees with a count of whole years by the calendar.
func TestDaysFromCivil(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("W", -11*3600)}
	rapid.Check(t, func(t *rapid.T) {
		y := rapid.IntRange(-2000, 4000).Draw(t, "year")
		m := time.Month(rapid.IntRange(1, 12).Draw(t, "month"))
		d := rapid.IntRange(1, 28).Draw(t, "day")
		if rapid.Bool().Draw(t, "month end") {
			d = time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
		}
		z := zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
		at := time.Date(y, m, d, rapid.IntRange(0, 23).Draw(t, "hour"), 0, 0, 0, z)
		want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		require.Equal(t, int(want), admission.DaysBetween(epoch, at), "%v", at)

		b := time.Date(rapid.IntRange(1900, 2100).Draw(t, "birth year"), time.Month(rapid.IntRange(1, 12).Draw(t, "birth month")),
			rapid.IntRange(1, 29).Draw(t, "birth day"), 0, 0, 0, 0, time.UTC)
		age := 0
		for b.AddDate(age+1, 0, 0).Year() <= at.Year() && !after(b, age+1, at) {
			age++
		}
		if b.Year() <= at.Year() && b.Month() == time.February && b.Day() == 29 {
			return // the leap-day rule is tested by TestAge
		}
		require.Equal(t, age, admission.Age(b, at), "%v %v", b, at)
	})
}

// after reports whether the n-th birthday of b falls after the calendar date of at.
func after(b time.Time, n int, at time.Time) bool {
	y, m, d := at.Date()
	by, bm, bd := b.AddDate(n, 0, 0).Date()
	return by > y || by == y && (bm > m || bm == m && bd > d)
}
