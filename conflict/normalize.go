package conflict

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// NormalizeName returns the comparison form of a unit name, a department name or a person's
// name. Two names denote the same unit for recusal (Art. 15(3), 15(4)) exactly when their
// normal forms are equal (before the alias table of Rules is applied):
//
//   - invisible code points are removed first (ignorable: the default-ignorable code points
//     such as U+FE0F, U+E0100, U+034F, U+180B, U+115F, U+3164, U+200B, U+00AD, U+2060, and
//     the Braille blank U+2800), so that "正泰\ufe0f集团" is 正泰集团;
//   - width folding (golang.org/x/text/width) and Unicode NFKC (golang.org/x/text/unicode/norm),
//     so full-width letters, digits and brackets — "ＡＢＢ（中国）" — read as "ABB(中国)";
//   - combining marks that did not compose with their letter (an accent on an ideograph,
//     "正泰\u0301") are removed (decorating); composed letters such as é stay;
//   - look-alike letters map to one skeleton letter (skeleton: Cyrillic and Greek look-alikes
//     of Latin letters, katakana look-alikes of ideographs; a hand-made table in the spirit of
//     UTS #39), so "АВВ" in Cyrillic or "ΑΒΒ" in Greek is "ABB";
//   - letters are lower-cased;
//   - every space, punctuation mark (brackets, dots, dashes, the middle dot of
//     transliterated names), control and format character is removed.
//
// These steps stop an expert, or a clerk, from escaping recusal (Art. 15) or the county
// cooling-off rule by writing the unit or a name with characters that look the same (issue
// 15). They can only make more names equal, never fewer: in doubt, the expert is recused and
// an operator may dismiss the conflict.
//
// Nothing else is folded: no suffix such as 有限公司 or 研究所 is dropped and no prefix is
// shortened, so two distinct institutes of one academy never share a normal form. Symbols
// (+, &, …) are kept. Traditional and simplified characters are not unified; use the alias
// table for such cases. NormalizeName is idempotent.
func NormalizeName(s string) string {
	if n, ok := normalizeSimple(s); ok {
		return n
	}
	return fixpoint(s, normalizePass)
}

// normalizeSimple is the fast path of NormalizeName for the text unit and person names are
// made of: ASCII, CJK unified ideographs, full-width ASCII (U+FF01–U+FF5E) and the common
// CJK and typographic punctuation of simplePunct. For such text every step of
// NormalizeName acts on each character alone (none of them is a combining mark or composes
// with a neighbour), so the normal form is: full-width ASCII read as ASCII, letters
// lower-cased, spaces, controls and punctuation removed; the result holds only ASCII and
// ideographs and is its own normal form. ok is false for any other text, which takes the
// general path. It allocates only when the name changes. TestNormalizeNameFastPathAgrees
// checks it against the general path, rune by rune, pair by pair and on random text.
func normalizeSimple(s string) (_ string, ok bool) {
	// First pass: is s simple, and is it already in normal form?
	first := -1 // byte offset of the first character that changes
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if first < 0 && (asciiDropped(c) || 'A' <= c && c <= 'Z') {
				first = i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case ideograph(r):
		case 0xFF01 <= r && r <= 0xFF5E, simplePunct(r):
			if first < 0 {
				first = i
			}
		default:
			return "", false
		}
		i += n
	}
	if first < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:first])
	for _, r := range s[first:] {
		switch {
		case r < utf8.RuneSelf:
		case 0xFF01 <= r && r <= 0xFF5E:
			r -= 0xFF01 - '!' // full-width ASCII
		case ideograph(r):
			b.WriteRune(r)
			continue
		default: // simplePunct: removed
			continue
		}
		c := byte(r)
		switch {
		case asciiDropped(c):
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// equalSimple reports whether NormalizeName(s) == t when s is text normalizeSimple takes
// (ok false otherwise: the caller normalises s), without building the normal form: the
// recusal check compares an expert's name with a person's this way, and most names differ at
// their first character. TestEqualSimpleAgreesWithNormalizeName checks it.
func equalSimple(s, t string) (eq, ok bool) {
	j, same := 0, true // same: the normal form of s[:i] is t[:j]
	ascii := func(c byte) {
		switch {
		case asciiDropped(c):
			return
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if same && j < len(t) && t[j] == c {
			j++
		} else {
			same = false
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			ascii(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case ideograph(r):
			if same && strings.HasPrefix(t[j:], s[i:i+n]) {
				j += n
			} else {
				same = false
			}
		case 0xFF01 <= r && r <= 0xFF5E:
			ascii(byte(r - (0xFF01 - '!')))
		case simplePunct(r):
		default:
			return false, false // only simple text is decided here
		}
		i += n
	}
	return same && j == len(t), true
}

// ideograph reports whether r is a CJK unified ideograph of the basic block or extension A,
// which every step of NormalizeName leaves alone.
func ideograph(r rune) bool {
	return 0x4E00 <= r && r <= 0x9FFF || 0x3400 <= r && r <= 0x4DBF
}

// asciiDropped is dropped for ASCII: controls, spaces and the punctuation marks of
// Unicode category P (the symbols $ + < = > ^ ` | ~ are kept).
func asciiDropped(c byte) bool {
	return c < 128 && asciiDroppedSet[c>>6]&(1<<(c&63)) != 0
}

// asciiDroppedSet is the set asciiDropped tests, as a 128-bit mask (one look-up instead of a
// search of the punctuation list on every byte of every name).
var asciiDroppedSet = func() (m [2]uint64) {
	for c := range 128 {
		if c <= ' ' || c == 0x7F || strings.IndexByte(`!"#%&'()*,-./:;?@[\]_{}`, byte(c)) >= 0 {
			m[c>>6] |= 1 << (c & 63)
		}
	}
	return m
}()

// simplePunct reports whether r is one of the punctuation marks common in Chinese names and
// unit names that NormalizeName removes whatever its neighbours: · — ‘ ’ “ ” … the
// ideographic space and 、 。 〃 〈 〉 《 》 「 」 『 』 【 】.
func simplePunct(r rune) bool {
	switch r {
	case 0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026:
		return true
	}
	return 0x3000 <= r && r <= 0x3003 || 0x3008 <= r && r <= 0x3011
}

func normalizePass(s string) string {
	// Invisible code points go first, so that a mark they separated from its letter composes
	// with it as it would have without them ("e", U+034F, U+0301 reads as "é").
	s = dropIgnorable(s)
	s = norm.NFKC.String(width.Fold.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if dropped(r) || ignorable(r) || decorating(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(skeleton(r)))
	}
	return norm.NFKC.String(b.String())
}

// ignorable reports whether r is never visible on its own and is removed before names are
// compared: the default-ignorable code points of Unicode (format characters such as the
// zero-width space U+200B, the soft hyphen U+00AD and the word joiner U+2060; the variation
// selectors U+FE00–U+FE0F, U+E0100–U+E01EF and the Mongolian U+180B–U+180F; the combining
// grapheme joiner U+034F; the Hangul fillers U+115F, U+1160, U+3164, U+FFA0; the tags
// U+E0000–U+E0FFF) and the Braille blank U+2800, which renders as a space but is a symbol.
// The properties come from the standard library's Unicode tables (Other_Default_Ignorable_
// Code_Point, Variation_Selector, Cf); no data file is copied.
func ignorable(r rune) bool {
	if r < 0x00AD {
		return false
	}
	return r == 0x2800 || unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// dropIgnorable returns s without its ignorable code points; it allocates only when there
// are some.
func dropIgnorable(s string) string {
	i := strings.IndexFunc(s, ignorable)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !ignorable(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decorating reports whether r is a combining mark (categories Mn, Me) left after NFKC
// composition: a mark that did not compose with its letter into a precomposed one, such as
// an acute accent on an ideograph (正泰\u0301). Such marks only decorate the name and are
// removed; marks that compose (e + U+0301 = é) are part of the letter and kept.
func decorating(r rune) bool {
	return r >= 0x0300 && unicode.In(r, unicode.Mn, unicode.Me)
}

// skeleton maps a letter that looks like another to that letter, in the spirit of the
// confusable skeletons of Unicode Technical Standard #39 but restricted to what matters for
// unit and person names written in China: Cyrillic and Greek letters that look like Latin
// ones (А В Е К М Н О Р С Т Х / Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ and lower-case а е о р с у х
// ο ν ρ …), the dotless ı, and katakana that look like ideographs common in unit names
// (ロ 口, エ 工, カ 力, タ 夕, ニ 二, ハ 八, ト 卜, ー 一). The table is hand-made from the
// glyphs, not copied from confusables.txt. Full-width forms need no entry: width folding
// and NFKC map them first. A letter maps by its own case (Greek Ν to N, ν to v), before
// lower-casing.
func skeleton(r rune) rune {
	if r < 0x0131 {
		return r
	}
	if m, ok := confusables[r]; ok {
		return m
	}
	return r
}

// confusables is the table of skeleton; see there for what it holds and why.
var confusables = map[rune]rune{
	// Cyrillic capitals.
	'А': 'A', 'В': 'B', 'Е': 'E', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O',
	'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'У': 'Y', 'Ү': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W', 'Ӏ': 'I',
	// Cyrillic small letters.
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j',
	'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ү': 'y',
	// Greek capitals.
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
	'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	// Greek small letters.
	'ο': 'o', 'ν': 'v', 'ρ': 'p', 'ι': 'i', 'α': 'a', 'κ': 'k', 'υ': 'u', 'χ': 'x', 'γ': 'y',
	// Latin.
	'ı': 'i',
	// Katakana that look like ideographs.
	'ロ': '口', 'エ': '工', 'カ': '力', 'タ': '夕', 'ニ': '二', 'ハ': '八', 'ト': '卜', 'ー': '一',
}

// dropped reports whether r is removed by NormalizeName.
func dropped(r rune) bool {
	return r == utf8.RuneError || unicode.IsSpace(r) || unicode.In(r, unicode.P, unicode.Z, unicode.Cc, unicode.Cf)
}

// NormalizeIDNumber returns the comparison form of a resident ID number (GB 11643-1999):
// width folded, without spaces or hyphens, with the check character X upper-cased. A
// 15-digit first-generation number is converted to its 18-digit form (century 19 and the
// check character), so both generations of one person's number compare equal. It does not
// validate the checksum; admission.Validate does.
func NormalizeIDNumber(s string) string {
	if s == "" {
		return ""
	}
	if len(s) == 18 && digits(s[:17]) && ('0' <= s[17] && s[17] <= '9' || s[17] == 'X') {
		return s // already in normal form
	}
	var b [32]byte
	n := 0
	for _, r := range norm.NFKC.String(width.Fold.String(s)) {
		switch {
		case '0' <= r && r <= '9', r == 'X':
		case r == 'x':
			r = 'X'
		case unicode.IsSpace(r) || r == '-' || ignorable(r):
			continue
		default:
			// Not an ID number: keep an upper-cased, trimmed form so that equal garbage still
			// matches equal garbage and nothing else.
			return strings.ToUpper(strings.Join(strings.Fields(s), ""))
		}
		if n == len(b) {
			return strings.ToUpper(strings.Join(strings.Fields(s), ""))
		}
		b[n] = byte(r)
		n++
	}
	id := string(b[:n])
	if len(id) == 15 {
		if c, ok := admission.IDNumberCheckChar(id[:6] + "19" + id[6:]); ok {
			return id[:6] + "19" + id[6:] + string(c)
		}
	}
	return id
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksLikeIDNumber reports whether s has the shape of a resident ID number; such a value is
// never used as a displayed identifier.
func looksLikeIDNumber(s string) bool {
	return mayBeIDNumber(s) && idNumberShaped(NormalizeIDNumber(s))
}

// idNumberShaped reports whether a normalised value (NormalizeIDNumber) has the shape of a
// resident ID number: 15 or 18 digits, the last possibly X.
func idNumberShaped(n string) bool {
	if len(n) != 15 && len(n) != 18 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('0' <= c && c <= '9' || c == 'X' && i == len(n)-1) {
			return false
		}
	}
	return true
}

// mayBeIDNumber is false when s has a character that NormalizeIDNumber neither keeps nor
// drops, so that s is not an ID number: an ASCII character other than a digit, x, X, a space
// or a hyphen, or an ideograph (width folding and NFKC leave both as they are). It reads s
// without allocating; the full normalisation decides the rest.
func mayBeIDNumber(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !('0' <= c && c <= '9' || c == 'x' || c == 'X' || c == '-' || c == ' ' || '\t' <= c && c <= '\r') {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if ideograph(r) {
			return false
		}
		i += n
	}
	return true
}

// NormalizeCode returns the comparison form of a unified social credit code (GB 32100-2015):
// width folded, upper-cased, without spaces, punctuation or hyphens. It does not validate the
// checksum; admission.Validate does.
func NormalizeCode(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return fixpoint(s, codePass)
		}
	}
	return s // already in normal form (also the empty string)
}

func codePass(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(width.Fold.String(dropIgnorable(s))) {
		if dropped(r) || r == '-' || ignorable(r) || decorating(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return norm.NFKC.String(b.String())
}

// fixpoint applies pass until the result no longer changes. One pass reaches the fixed point
// for all text we know of; the loop guarantees idempotence even where removing a character
// lets NFKC compose its neighbours.
func fixpoint(s string, pass func(string) string) string {
	for range 8 {
		n := pass(s)
		if n == s {
			break
		}
		s = n
	}
	return s
}

// compoundSurnames are two-character surnames kept whole when a name is masked.
var compoundSurnames = map[string]bool{
	"欧阳": true, "太史": true, "端木": true, "上官": true, "司马": true, "东方": true, "独孤": true,
	"南宫": true, "万俟": true, "闻人": true, "夏侯": true, "诸葛": true, "尉迟": true, "公羊": true,
	"赫连": true, "澹台": true, "皇甫": true, "宗政": true, "濮阳": true, "公冶": true, "太叔": true,
	"申屠": true, "公孙": true, "慕容": true, "仲孙": true, "钟离": true, "长孙": true, "宇文": true,
	"司徒": true, "鲜于": true, "司空": true, "闾丘": true, "子车": true, "亓官": true, "司寇": true,
	"巫马": true, "公西": true, "颛孙": true, "壤驷": true, "公良": true, "漆雕": true, "乐正": true,
	"宰父": true, "谷梁": true, "拓跋": true, "夹谷": true, "轩辕": true, "令狐": true, "段干": true,
	"百里": true, "呼延": true, "东郭": true, "南门": true, "羊舌": true, "微生": true, "梁丘": true,
	"左丘": true, "西门": true, "第五": true,
}

// maskName de-identifies a person's name as the audit rules require: the surname stays, every
// other character becomes '*' (张* · 王** · 欧阳**). A one-character name becomes "*".
func maskName(name string) string {
	name = strings.TrimSpace(name)
	rs := []rune(name)
	switch {
	case len(rs) == 0:
		return ""
	case len(rs) == 1:
		return "*"
	}
	keep := 1
	if len(rs) > 2 && compoundSurnames[string(rs[:2])] {
		keep = 2
	}
	return string(rs[:keep]) + strings.Repeat("*", len(rs)-keep)
}

// fullMonths returns the number of whole months from from to to, counted on calendar dates
// like full years of age (周岁): from 2020-01-15, 48 months are complete on 2024-01-15. When the
// day does not exist in a month, that month is complete on the 1st of the next month (as a
// 29 February birthday falls on 1 March in common years). It is negative when to is before
// from.
func fullMonths(from, to time.Time) int {
	fy, fm, fd := from.Date()
	ty, tm, td := to.Date()
	m := (ty-fy)*12 + int(tm) - int(fm)
	if td < fd {
		m--
	}
	return m
}

// dateBefore reports whether a's calendar date is before b's.
func dateBefore(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	if ay != by {
		return ay < by
	}
	if am != bm {
		return am < bm
	}
	return ad < bd
}
