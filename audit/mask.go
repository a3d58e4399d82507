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
// number, possibly written with a country prefix, separators (spaces, hyphens, dashes,
// invisible characters) or other decimal digits than ASCII (full-width …).
func mainlandMobileDigits(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch v := digitValue(r); {
		case v >= 0:
			b.WriteByte(byte('0' + v))
		case r == '*': // an already masked number
			b.WriteByte('*')
		case isSeparator(r) || (r == '+' || r == '＋') && i == 0:
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
	// A masked number has its stars exactly where MaskMobile puts them.
	if strings.Contains(d[:3]+d[7:], "*") || strings.Contains(d[3:7], "*") && d[3:7] != "****" {
		return "", false
	}
	return d, true
}

// MaskIDNumber masks a resident ID number as 330302********1234: the six-digit region code
// and the last four characters are kept, the birth date and sequence are hidden. 15-digit
// (first generation) numbers keep the same six and four. A number written with separators
// (spaces, hyphens, dashes) or other decimal digits than ASCII (full-width …) is masked in
// place, keeping its separators and length: "330302 19900101 123x" → "330302 ******** 123x".
// Any other value is masked like a generic identifier.
func MaskIDNumber(s string) string {
	s = strings.TrimSpace(s)
	if n := len(s); (n == 18 || n == 15) && isIDNumberShape(s) {
		return s[:6] + strings.Repeat("*", n-10) + s[n-4:]
	}
	if m, ok := maskIDInPlace(s); ok {
		return m
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

// maskIDInPlace masks an ID number written with separators or non-ASCII digits: the
// characters that are digits (or '*') number 15 or 18 with the check character, separators
// lie between them, and every character but the first six and last four of them is
// replaced by '*'.
func maskIDInPlace(s string) (string, bool) {
	rs := []rune(s)
	var pos []int // indexes in rs of the ID's characters
	for i, r := range rs {
		switch {
		case digitValue(r) >= 0 || r == '*':
			pos = append(pos, i)
		case isCheckX(r) && i == len(rs)-1 && len(pos) > 0 && pos[len(pos)-1] == i-1:
			pos = append(pos, i)
		case isSeparator(r) && len(pos) > 0 && i < len(rs)-1:
		default:
			return "", false
		}
	}
	n := len(pos)
	if n != 18 && n != 15 {
		return "", false
	}
	for _, i := range pos[6 : n-4] {
		rs[i] = '*'
	}
	return string(rs), true
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

// Personal data in free text (Art. 19, 20: sensitive data never leaves, nor enters the
// append-only log, without de-identification). scanPII reads numbers the way people write
// them:
//
//   - digits are any Unicode decimal digits (category Nd): ASCII, full-width "１３９…",
//     mathematical "𝟏𝟑𝟗…" and other scripts' digits count by their value;
//   - a number may be split into groups by up to three separator characters: spaces
//     (including the no-break and the ideographic space), hyphens and dashes (-, ‐, ‑, ‒,
//     –, —, −, full-width －) and invisible characters (format characters such as the
//     zero-width space, variation selectors and other default-ignorable code points), as in
//     "139-1234-5678", "139 1234 5678", "330302 19900101 123X";
//   - a mobile is 11 digits starting 1 and then 3–9, optionally after the country prefix 86
//     or 0086 ("+86 139…", "86-139…", "0086139…");
//   - an ID number (GB 11643-1999) is 17 digits then a digit or X (either case, ASCII or
//     full-width) whose digits 7–14 read as a date in 1900–2099.
//
// Any consecutive run of whole groups is tested, so "第 2 组 138 1234 5678" is found although
// its first group belongs to another number. Not detected, by choice: numbers split by
// other punctuation ('.', '/', ':', parentheses), so that draw keys ("9319./2.5.8./") and
// times are never taken for personal data; first-generation 15-digit ID numbers (their
// shape is that of many ordinary numbers). Digits inside a hexadecimal token of 32 or more
// characters with a letter (a digest) are not scanned.

// maxSeparators is the most separator characters between two groups of one number.
const maxSeparators = 3

// digitAt decodes the rune at s[i] and returns its decimal value (0–9) and width, or -1 and
// the width when it is not a decimal digit.
func digitAt(s string, i int) (int, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		if isDigit(c) {
			return int(c - '0'), 1
		}
		return -1, 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return digitValue(r), n
}

// digitValue returns the value of a Unicode decimal digit, or -1. Decimal digits (Nd) come
// in contiguous runs of ten from 0 to 9 (a Unicode stability guarantee), so the value is the
// distance from the start of r's range modulo ten.
func digitValue(r rune) int {
	if r < utf8.RuneSelf {
		if '0' <= r && r <= '9' {
			return int(r - '0')
		}
		return -1
	}
	if !unicode.Is(unicode.Nd, r) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// isSeparator reports whether r may stand between the groups of one written number.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '-', 0x00A0, 0x3000, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xFF0D, 0x00AD:
		return true
	}
	return r >= utf8.RuneSelf && (unicode.In(r, unicode.Cf, unicode.Zs) ||
		unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector))
}

// isCheckX reports whether r is the check character X of an ID number, in either case and
// width.
func isCheckX(r rune) bool { return r == 'X' || r == 'x' || r == 0xFF38 || r == 0xFF58 }

// piiGroup is one group of digits of a written number: its byte range in the text, the
// offset of its digits in the scan buffer, and whether a check character X follows it.
type piiGroup struct {
	start, end int // bytes of the group, its check character included
	dend       int // end of its digits
	off        int
	x          bool
}

// scanPII looks for an unmasked mainland mobile number or resident ID number in s, written
// as described above. It returns the kind and the byte range of the first match (from its
// first digit to its last digit or check character).
func scanPII(s string) (piiKind, int, int) {
	var buf [64]byte
	digits := buf[:0]
	var gbuf [8]piiGroup
	for i := 0; i < len(s); {
		v, n := digitAt(s, i)
		if v < 0 {
			i += n
			continue
		}
		if end, ok := hexToken(s, i); ok {
			i = end // a digest (SHA-256 hex …) is not personal data
			continue
		}
		// Read the cluster of groups starting at i.
		digits = digits[:0]
		groups := gbuf[:0]
		j := i
		for {
			g := piiGroup{start: j, off: len(digits)}
			for j < len(s) {
				v, n := digitAt(s, j)
				if v < 0 {
					break
				}
				digits = append(digits, byte('0'+v))
				j += n
			}
			g.end, g.dend = j, j
			if j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if isCheckX(r) {
					g.x = true
					g.end = j + n
					groups = append(groups, g)
					j += n
					break
				}
			}
			groups = append(groups, g)
			// Separators, then another group?
			k, seps := j, 0
			for k < len(s) && seps < maxSeparators {
				r, n := utf8.DecodeRuneInString(s[k:])
				if !isSeparator(r) {
					break
				}
				k += n
				seps++
			}
			if seps == 0 || k >= len(s) {
				break
			}
			if r, n := utf8.DecodeRuneInString(s[k:]); isCheckX(r) { // "330302 19900101 123 X"
				last := &groups[len(groups)-1]
				last.x, last.end = true, k+n
				j = k + n
				break
			}
			if v, _ := digitAt(s, k); v < 0 {
				break
			}
			if _, ok := hexToken(s, k); ok {
				break
			}
			j = k
		}
		if k := matchGroups(digits, groups); k != piiNone {
			return k, groups[0].start, groups[len(groups)-1].end
		}
		i = j
	}
	return piiNone, 0, 0
}

// matchGroups tests every run of consecutive groups, earliest first, and returns the kind of
// the first mobile or ID number.
func matchGroups(digits []byte, groups []piiGroup) piiKind {
	off := func(k int) int {
		if k < len(groups) {
			return groups[k].off
		}
		return len(digits)
	}
	for a := range groups {
		for b := a; b < len(groups); b++ {
			d := digits[off(a):off(b+1)]
			if len(d) > 18 {
				break
			}
			switch {
			case isMobileDigits(d):
				return piiMobile
			case len(d) == 18 && plausibleBirth(string(d[6:14])),
				len(d) == 17 && groups[b].x && plausibleBirth(string(d[6:14])):
				return piiIDNumber
			}
		}
	}
	return piiNone
}

// maskPII masks a written number that scanPII found (the whole cluster of groups). A
// cluster that is exactly one mobile or ID number gets the usual mask (MaskMobile,
// MaskIDNumber in place); otherwise (other digits around it, "第 2 组 138 1234 5678") every
// digit of the cluster but its first three (six for an ID number) and last four is replaced
// by '*', so that no more of the number shows than its own mask would show.
func maskPII(k piiKind, seg string) string {
	if k == piiMobile {
		if d, ok := mainlandMobileDigits(seg); ok {
			return d[:3] + "****" + d[7:]
		}
		return maskCluster(seg, 3, 4)
	}
	if n := len(seg); n == 18 && isIDNumberShape(seg) {
		return seg[:6] + strings.Repeat("*", n-10) + seg[n-4:]
	}
	if m, ok := maskIDInPlace(seg); ok {
		return m
	}
	return maskCluster(seg, 6, 4)
}

// maskCluster replaces every decimal digit and check character X of seg but the first head
// and the last tail of them with '*', keeping the separators.
func maskCluster(seg string, head, tail int) string {
	rs := []rune(seg)
	n := 0
	for _, r := range rs {
		if digitValue(r) >= 0 || isCheckX(r) {
			n++
		}
	}
	k := 0
	for i, r := range rs {
		if digitValue(r) >= 0 || isCheckX(r) {
			if k >= head && k < n-tail {
				rs[i] = '*'
			}
			k++
		}
	}
	return string(rs)
}

// isMobileDigits reports whether d (ASCII digits) is a mainland mobile number, possibly
// with the country prefix 86 or 0086.
func isMobileDigits(d []byte) bool {
	switch {
	case len(d) == 13 && d[0] == '8' && d[1] == '6':
		d = d[2:]
	case len(d) == 15 && string(d[:4]) == "0086":
		d = d[4:]
	}
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// hexToken reports whether position i lies in a hexadecimal token of at least 32 characters
// that contains a letter (a digest, a key, a hash), and returns the token's end. Digit runs
// inside such tokens are chance patterns, not phone or ID numbers: a SHA-256 digest holds an
// 11-digit run starting 13–19 about once in 300.
func hexToken(s string, i int) (int, bool) {
	if !isHex(s[i]) {
		return 0, false
	}
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
		b.WriteString(maskPII(k, s[i:j]))
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
