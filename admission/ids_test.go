package admission_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
)

func TestValidIDNumber(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"GB 11643 sample with X", "11010519491231002X", true},
		{"built from parts", idNumber("330302", "19700520", "123"), true},
		{"leap day", idNumber("330302", "20000229", "001"), true},
		{"lower-case x refused", "11010519491231002x", false},
		{"wrong check digit", "110105194912310021", false},
		{"17 characters", "11010519491231002", false},
		{"19 characters", "11010519491231002X0", false},
		{"empty", "", false},
		{"letter inside", "1101051949A231002X", false},
		{"30 February", idNumber("330302", "19990230", "001"), false},
		{"month 13", idNumber("330302", "19991301", "001"), false},
		{"day 00", idNumber("330302", "19990100", "001"), false},
		{"29 February in a common year", idNumber("330302", "19990229", "001"), false},
		{"before 1800", idNumber("330302", "17991231", "001"), false},
		{"full-width digits", "１１０１０５１９４９１２３１００２Ｘ", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, admission.ValidIDNumber(c.in), c.in)
		})
	}
}

func TestIDBirthDate(t *testing.T) {
	d, ok := admission.IDBirthDate("11010519491231002X")
	require.True(t, ok)
	assert.Equal(t, day(1949, 12, 31), d)
	_, ok = admission.IDBirthDate("short")
	assert.False(t, ok)
	_, ok = admission.IDBirthDate("110105194902300021")
	assert.False(t, ok)
}

func TestCheckChars(t *testing.T) {
	c, ok := admission.IDNumberCheckChar("11010519491231002")
	require.True(t, ok)
	assert.Equal(t, byte('X'), c)
	_, ok = admission.IDNumberCheckChar("1101051949123100A")
	assert.False(t, ok)
	_, ok = admission.IDNumberCheckChar("123")
	assert.False(t, ok)

	c, ok = admission.USCCCheckChar("91350100M000100Y4")
	require.True(t, ok)
	assert.Equal(t, byte('3'), c)
	_, ok = admission.USCCCheckChar("91350100M000100I4") // I is not in the alphabet
	assert.False(t, ok)
	_, ok = admission.USCCCheckChar("9135")
	assert.False(t, ok)
}

func TestValidMobile(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"13812345678", true},
		{"19912345678", true},
		{"13012345678", true},
		{"12812345678", false}, // second digit 2
		{"10812345678", false},
		{"23812345678", false},
		{"1381234567", false},
		{"138123456789", false},
		{"+8613812345678", false},
		{"138-1234-5678", false},
		{"138 1234 5678", false},
		{"1381234567a", false},
		{"", false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			assert.Equal(t, c.want, admission.ValidMobile(c.in))
		})
	}
}

func TestValidUSCC(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"GB 32100 sample", "91350100M000100Y43", true},
		{"enterprise (Tencent)", "9144030071526726XG", true},
		{"enterprise (Huawei)", "914403001922038216", true},
		{"enterprise (Alibaba)", "91330100799655058B", true},
		{"public institution", uscc("12330000470053240"), true},
		{"wrong check char", "91350100M000100Y44", false},
		{"letter I", "9I350100M000100Y43", false},
		{"letter O", "91350100M0O0100Y43", false},
		{"letter S", "91350100M0S0100Y43", false},
		{"letter V", "91350100V000100Y43", false},
		{"letter Z", "91350100M000100Z43", false},
		{"lower case", "91350100m000100y43", false},
		{"letter in the division code", uscc("913A0100M000100Y4"), false},
		{"17 characters", "91350100M000100Y4", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, admission.ValidUSCC(c.in), c.in)
		})
	}
}

func TestAge(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	cases := []struct {
		name        string
		birth, asOf time.Time
		want        int
	}{
		{"day before 66th birthday", day(1960, 6, 15), day(2026, 6, 14), 65},
		{"66th birthday", day(1960, 6, 15), day(2026, 6, 15), 66},
		{"born today", day(2000, 1, 1), day(2000, 1, 1), 0},
		{"before birth", day(2000, 1, 1), day(1999, 12, 31), 0},
		{"leap-day birth, 28 Feb of common year", day(2000, 2, 29), day(2001, 2, 28), 0},
		{"leap-day birth, 1 Mar of common year", day(2000, 2, 29), day(2001, 3, 1), 1},
		{"leap-day birth, 29 Feb of leap year", day(2000, 2, 29), day(2004, 2, 29), 4},
		{"leap-day birth, 28 Feb of leap year", day(2000, 2, 29), day(2004, 2, 28), 3},
		{"leap-day birth, 1900 is not leap", day(1896, 2, 29), day(1900, 3, 1), 4},
		{"leap-day birth, 1900-02-28", day(1896, 2, 29), day(1900, 2, 28), 3},
		{"clock time ignored", day(1960, 6, 15), time.Date(2026, 6, 14, 23, 59, 59, 0, time.UTC), 65},
		// 2026-06-15 00:30 in Wenzhou is 2026-06-14 16:30 UTC: each date in its own location.
		{"own location", day(1960, 6, 15), time.Date(2026, 6, 15, 0, 30, 0, 0, shanghai), 66},
		{"own location of birth", time.Date(1960, 6, 15, 0, 30, 0, 0, shanghai), day(2026, 6, 14), 65},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, admission.Age(c.birth, c.asOf))
		})
	}
}

func TestDaysBetween(t *testing.T) {
	assert.Equal(t, 365, admission.DaysBetween(day(2025, 1, 1), day(2026, 1, 1)))
	assert.Equal(t, 366, admission.DaysBetween(day(2024, 1, 1), day(2025, 1, 1)))
	assert.Equal(t, -1, admission.DaysBetween(day(2025, 1, 2), day(2025, 1, 1)))
	assert.Equal(t, 0, admission.DaysBetween(day(2025, 1, 1), time.Date(2025, 1, 1, 23, 0, 0, 0, time.UTC)))
}
