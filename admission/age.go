package admission

import "time"

// Age returns the age in full years (周岁) on asOf of a person born on birth.
//
// Dates are compared in the calendar sense: the year, month and day of each time are read in
// that time's own location (time.Time.Date), and the clock time is ignored. A person turns
// one year older on their birthday: born 1960-06-15, they are 65 until 2026-06-14 and 66 from
// 2026-06-15. A person born on 29 February has their birthday on 1 March in common years.
// Before birth the age is 0 (never negative).
func Age(birth, asOf time.Time) int {
	ay, am, ad := asOf.Date()
	return ageOn(birth, ay, am, ad)
}

// ageOn is Age(birth, asOf) for asOf read as the date ay-am-ad.
func ageOn(birth time.Time, ay int, am time.Month, ad int) int {
	by, bm, bd := birth.Date()
	age := ay - by
	if bm == time.February && bd == 29 && !isLeap(ay) {
		bm, bd = time.March, 1
	}
	if am < bm || (am == bm && ad < bd) {
		age--
	}
	if age < 0 {
		return 0
	}
	return age
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// civilDay numbers the calendar day of t (its year, month and day in its own location) as days
// since 1970-01-01, so that calendar days can be subtracted without time-zone surprises.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return daysFromCivil(y, m, d)
}

// daysFromCivil numbers the proleptic Gregorian date y-m-d as days since 1970-01-01, by
// arithmetic (what time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 computes, for a
// valid date, without normalising; TestDaysFromCivil compares them).
func daysFromCivil(y int, m time.Month, d int) int64 {
	yy, mm, dd := int64(y), int64(m), int64(d)
	if mm <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400                    // [0, 399]
	doy := (153*((mm+9)%12)+2)/5 + dd - 1  // day of the year from 1 March, [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468
}

// DaysBetween returns the number of calendar days from a to b (negative when b is before a),
// reading each date in its own location like Age does.
func DaysBetween(a, b time.Time) int {
	return int(civilDay(b) - civilDay(a))
}
