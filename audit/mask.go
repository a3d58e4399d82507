package audit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// De-identification (脱敏, Art. 20): sensitive data is masked before it is provided to anyone,
// and never appears unmasked in an error or a log record of this package.
//
// The masks keep the length of the value, so that a masked table still lines up, and keep
// only as much of the value as an operator needs to tell two people apart on the phone:
//
//	mobile      13812345678         → 138****5678
//	ID number   330302199001011234  → 330302********1234   (region code and last four)
//	name        张三 / 张三丰 / 欧阳娜娜 → 张* / 张** / 欧阳**   (surname only)
//	e-mail      zhangsan@example.com → z*******@example.com
//
// Masking is idempotent (masking a masked value returns it unchanged) and masks at least one
// character of any input of two or more characters (spaces and the middle dot of names aside).

// MaskMobile masks a mobile number as 138****5678: the first three and last four digits of
// a mainland 11-digit number are kept. A "+86", "0086" or "86" prefix and spaces or hyphens
// are dropped first. Any other value is masked like a generic identifier (the middle half or
// more replaced by '*').
func MaskMobile(s string) string {
	if d, ok := mainlandMobileDigits(s); ok {
		return d[:3] + "****" + d[7:]
	}
	return maskGeneric(strings.TrimSpace(s), 3, 4)
}

// mainlandMobileDigits returns the 11 national digits of s when s is a mainland mobile
// number, possibly written with a country prefix, spaces or hyphens.
func mainlandMobileDigits(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '*': // '*': an already masked number
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '+' && i == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	for _, p := range []string{"0086", "86"} {
		if len(d) == 11+len(p) && strings.HasPrefix(d, p) {
			d = d[len(p):]
			break
		}
	}
	if len(d) != 11 || d[0] != '1' {
		return "", false
	}
	return d, true
}

// MaskIDNumber masks a resident ID number as 330302********1234: the six-digit region code
// and the last four characters are kept, the birth date and sequence are hidden. 15-digit
// (first generation) numbers keep the same six and four. Any other value is masked like a
// generic identifier.
func MaskIDNumber(s string) string {
	s = strings.TrimSpace(s)
	if n := len(s); (n == 18 || n == 15) && isIDNumberShape(s) {
		return s[:6] + strings.Repeat("*", n-10) + s[n-4:]
	}
	return maskGeneric(s, 6, 4)
}

func isIDNumberShape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || i == len(s)-1 && (c == 'X' || c == 'x' || c == '*') || c == '*' {
			continue
		}
		return false
	}
	return true
}

// maskGeneric keeps at most head leading and tail trailing runes of s, never more than a
// quarter of its length at either end, and replaces the rest with '*'.
func maskGeneric(s string, head, tail int) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	head = min(head, n/4)
	tail = min(tail, n/4)
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i < head || i >= n-tail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// compoundSurnames are the two-character Chinese surnames (复姓) kept whole by MaskName.
var compoundSurnames = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐
		夏侯 端木 轩辕 南宫 独孤 西门 百里 呼延 东郭 太史 澹台 公冶 宗政 濮阳 淳于 单于 申屠 钟离
		闻人 万俟 赫连 拓跋 第五 鲜于 闾丘 司空 亓官 司寇 子车 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁
		段干 东门 梁丘 左丘 公羊 羊舌 微生 巫马 公西 仲孙 叔孙 季孙 钟离 公上 即墨 呼延 万俟`) {
		compoundSurnames[s] = true
	}
}

// MaskName masks a personal name, keeping the surname: 张三 → 张*, 张三丰 → 张**,
// 欧阳娜娜 → 欧阳**. A two-character compound surname (复姓) is kept whole when the name
// has at least three characters ("欧阳" alone is read as surname 欧 and given name 阳).
// Other scripts keep their first letter and mask every other letter, keeping spaces and
// the middle dot (John Smith → J*** *****, 阿依古丽·买买提 → 阿***·***). A one-character
// name becomes "*".
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	rs := []rune(s)
	if len(rs) == 0 {
		return ""
	}
	keep := 1
	if len(rs) >= 3 && compoundSurnames[string(rs[:2])] {
		keep = 2
	}
	if len(rs) == 1 {
		keep = 0
	}
	var b strings.Builder
	for i, r := range rs {
		switch {
		case i < keep:
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '·' || r == '•':
			b.WriteRune(r)
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

// MaskEmail masks an e-mail address as z*******@example.com: the first character of the
// local part and the whole domain are kept. A value without '@' is masked like a generic
// identifier.
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return maskGeneric(s, 3, 4)
	}
	local, domain := s[:at], s[at:]
	n := utf8.RuneCountInString(local)
	if n == 1 {
		return "*" + domain
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + strings.Repeat("*", n-1) + domain
}

// ---- detection of personal data in free text ----

// piiKind tells what scanPII found.
type piiKind int

const (
	piiNone piiKind = iota
	piiMobile
	piiIDNumber
)

// scanPII looks for an unmasked mainland mobile number (a run of exactly 11 ASCII digits
// starting 13–19) or resident ID number (17 digits then a digit or X, with a plausible birth
// date 1900–2099 in positions 7–14) in s. It returns the kind and the byte range of the
// first match. Digits inside a hexadecimal token of 32 or more characters with a letter (a
// digest) are not scanned.
func scanPII(s string) (piiKind, int, int) {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		if end, ok := hexToken(s, i); ok {
			i = end // a digest (SHA-256 hex …) is not personal data
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		run := j - i
		switch {
		case run == 11 && s[i] == '1' && s[i+1] >= '3':
			return piiMobile, i, j
		case run == 18 || run == 17 && j < len(s) && (s[j] == 'X' || s[j] == 'x'):
			end := i + 18
			if plausibleBirth(s[i+6 : i+14]) {
				return piiIDNumber, i, end
			}
		}
		i = j
	}
	return piiNone, 0, 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// hexToken reports whether position i lies in a hexadecimal token of at least 32 characters
// that contains a letter (a digest, a key, a hash), and returns the token's end. Digit runs
// inside such tokens are chance patterns, not phone or ID numbers: a SHA-256 digest holds an
// 11-digit run starting 13–19 about once in 300.
func hexToken(s string, i int) (int, bool) {
	start, end := i, i
	for start > 0 && isHex(s[start-1]) {
		start--
	}
	for end < len(s) && isHex(s[end]) {
		end++
	}
	if end-start < 32 {
		return 0, false
	}
	for k := start; k < end; k++ {
		if !isDigit(s[k]) {
			return end, true
		}
	}
	return 0, false
}

// plausibleBirth reports whether d (8 digits) reads as a date YYYYMMDD in 1900–2099.
func plausibleBirth(d string) bool {
	y := (d[0]-'0')*10 + (d[1] - '0')
	m := (d[4]-'0')*10 + (d[5] - '0')
	day := (d[6]-'0')*10 + (d[7] - '0')
	return (y == 19 || y == 20) && m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// scrub returns s with every unmasked mobile or ID number masked. Every error message of
// this package that quotes caller-supplied text passes through scrub.
func scrub(s string) string {
	var b strings.Builder
	for {
		k, i, j := scanPII(s)
		if k == piiNone {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		if k == piiMobile {
			b.WriteString(MaskMobile(s[i:j]))
		} else {
			b.WriteString(MaskIDNumber(s[i:j]))
		}
		s = s[j:]
	}
}

// scrubbedError masks personal data in the message of an error it wraps, keeping it
// reachable for errors.Is and errors.As.
type scrubbedError struct{ err error }

func (s scrubbedError) Error() string { return scrub(s.err.Error()) }
func (s scrubbedError) Unwrap() error { return s.err }

// scrubErr wraps err so that its message never shows an unmasked mobile or ID number.
func scrubErr(err error) error {
	if err == nil {
		return nil
	}
	return scrubbedError{err}
}
