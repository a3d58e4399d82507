package evaluation

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Ratio is an exact non-negative fraction Num/Den, used for the excellent rate and its
// threshold. Ratios are compared by cross-multiplication in 128-bit integer arithmetic, so
// the comparison is exact for every int value and never involves floating point.
// A Ratio is not reduced: 30/100 stays 30/100 and equals 3/10 under [Ratio.Cmp].
//
// Its text form (used in county YAML and JSON) is "num/den" (e.g. "3/10") or a percentage
// with at most 9 decimals (e.g. "30%", "33.5%").
type Ratio struct {
	Num int
	Den int
}

// Valid reports whether r is a fraction: Den > 0 and Num >= 0.
func (r Ratio) Valid() bool { return r.Den > 0 && r.Num >= 0 }

// Cmp compares r and o as fractions: -1 if r < o, 0 if equal, +1 if r > o. Both must be
// valid; for invalid ratios the result is unspecified (but Cmp does not panic).
func (r Ratio) Cmp(o Ratio) int {
	// r.Num/r.Den <=> o.Num/o.Den  ⇔  r.Num*o.Den <=> o.Num*r.Den (denominators positive).
	hi1, lo1 := bits.Mul64(uint64(r.Num), uint64(o.Den))
	hi2, lo2 := bits.Mul64(uint64(o.Num), uint64(r.Den))
	switch {
	case hi1 != hi2:
		if hi1 < hi2 {
			return -1
		}
		return 1
	case lo1 < lo2:
		return -1
	case lo1 > lo2:
		return 1
	}
	return 0
}

// String returns "num/den".
func (r Ratio) String() string { return strconv.Itoa(r.Num) + "/" + strconv.Itoa(r.Den) }

// percent returns r as "30%" when it is a whole percentage, else "3/7".
func (r Ratio) percent() string {
	if r.Valid() && r.Num <= math.MaxInt/100 && (r.Num*100)%r.Den == 0 {
		return strconv.Itoa(r.Num*100/r.Den) + "%"
	}
	return r.String()
}

// MarshalText implements encoding.TextMarshaler with the "num/den" form.
func (r Ratio) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, errRatio
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseRatio].
func (r *Ratio) UnmarshalText(b []byte) error {
	v, err := ParseRatio(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// errRatio is the parse error of ParseRatio; it does not echo the input.
var errRatio = errors.New("evaluation: 比例格式无效，应写作分数（如 3/10）或百分数（如 30%），分母须大于 0")

// maxPercentDecimals bounds the decimals of a percentage, so that the denominator fits.
const maxPercentDecimals = 9

// ParseRatio parses "num/den" (decimal digits only, den > 0) or a percentage "p%" where p
// has at most 9 decimals ("30%" is 30/100, "33.5%" is 335/1000). Surrounding white space is
// ignored. The error does not repeat the input.
func ParseRatio(s string) (Ratio, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		whole, frac, _ := strings.Cut(strings.TrimSpace(p), ".")
		if len(frac) > maxPercentDecimals || (whole == "" && frac == "") {
			return Ratio{}, errRatio
		}
		n, ok := digits(whole + frac)
		if !ok {
			return Ratio{}, errRatio
		}
		den := 100
		for range len(frac) {
			den *= 10
		}
		return Ratio{Num: n, Den: den}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Ratio{}, errRatio
	}
	n, ok1 := digits(strings.TrimSpace(a))
	d, ok2 := digits(strings.TrimSpace(b))
	if !ok1 || !ok2 || d == 0 {
		return Ratio{}, errRatio
	}
	return Ratio{Num: n, Den: d}, nil
}

// digits parses a non-empty string of ASCII decimal digits into a non-negative int.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
