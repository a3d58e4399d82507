package admission

import (
	"strings"
	"time"
)

// idWeights are the GB 11643-1999 weights W_i = 2^(17-i) mod 11 of the first 17 characters.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character (GB 11643-1999, ISO 7064 MOD 11-2).
const idCheck = "10X98765432"

// ValidIDNumber reports whether s is a well-formed 18-character resident ID number
// (公民身份号码, GB 11643-1999): 17 digits, a check character (digit or upper-case X) that
// matches the ISO 7064 MOD 11-2 checksum, and a birth date (characters 7–14, YYYYMMDD) that is
// a real calendar date from 1800 on. The region code (characters 1–6) is not checked against
// GB/T 2260, whose code list changes over time. A lower-case x is refused: store the canonical
// form.
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idWeights[i]
	}
	if s[17] != idCheck[sum%11] {
		return false
	}
	_, ok := IDBirthDate(s)
	return ok
}

// IDNumberCheckChar returns the GB 11643-1999 check character for the first 17 digits of an
// ID number, and false if they are not 17 ASCII digits.
func IDNumberCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheck[sum%11], true
}

// IDBirthDate returns the birth date encoded in characters 7–14 of an 18-character ID number
// (midnight UTC), and false if they do not form a real calendar date in or after 1800.
// It does not verify the checksum; use ValidIDNumber for that.
func IDBirthDate(s string) (time.Time, bool) {
	if len(s) != 18 {
		return time.Time{}, false
	}
	n := 0
	for i := 6; i < 14; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, (n/100)%100, n%100
	if y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 30 February and friends normalise into the next month
		return time.Time{}, false
	}
	return t, true
}

// ValidMobile reports whether s is a mainland China mobile number: 11 ASCII digits starting
// with 1 and a second digit from 3 to 9 (1[3-9]XXXXXXXXX), with no country code, spaces or
// dashes.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	for i := 2; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// usccAlphabet is the GB 32100-2015 code alphabet: digits and upper-case letters without
// I, O, S, V and Z. A character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights 3^(i-1) mod 31 of the first 17 characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidUSCC reports whether s is a well-formed unified social credit code (统一社会信用代码,
// GB 32100-2015): 18 characters from the alphabet 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z),
// characters 3–8 (the administrative division code) digits, and a check character that matches
// the MOD 31 checksum. Lower-case letters are refused: store the canonical form.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(usccAlphabet, s[i])
		if v < 0 {
			return false
		}
		if i >= 2 && i < 8 && v > 9 {
			return false
		}
		sum += v * usccWeights[i]
	}
	check := (31 - sum%31) % 31
	return s[17] == usccAlphabet[check]
}

// USCCCheckChar returns the GB 32100-2015 check character for the first 17 characters of a
// unified social credit code, and false if they contain a character outside the code alphabet.
func USCCCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], true
}
