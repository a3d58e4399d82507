package audit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Canonical JSON, used for every audit record and for Event.Data.
//
// The canonical form of a JSON value is:
//   - no insignificant white space;
//   - object members sorted by the bytes of their (unescaped, UTF-8) names; a repeated
//     name is an error, since it would make the meaning depend on the reader;
//   - strings written with the fewest escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//     `\u00xx` (lower-case hex) for the other control characters, everything else as raw
//     UTF-8 (no escaping of <, >, &, U+2028 or U+2029); invalid UTF-8 and lone surrogates
//     are errors (replacing them would let two different inputs encode alike);
//   - numbers kept exactly as written once checked against the JSON grammar (so 1 and
//     1.0 are different values; the log records what the caller wrote).
//
// This is close to RFC 8785 (JCS) but deliberately simpler: member names sort by UTF-8
// bytes, not UTF-16 code units, and numbers are not reformatted.

// maxJSONDepth bounds nesting in Event.Data.
const maxJSONDepth = 64

var errJSON = errors.New("audit: invalid JSON")

// canonicalJSON appends the canonical form of the single JSON value in src to dst.
func canonicalJSON(dst, src []byte) ([]byte, error) {
	p := jsonParser{src: src}
	p.ws()
	out, err := p.value(dst, 0)
	if err != nil {
		return dst, err
	}
	p.ws()
	if p.i != len(p.src) {
		return dst, fmt.Errorf("%w: trailing data at byte %d", errJSON, p.i)
	}
	return out, nil
}

type jsonParser struct {
	src []byte
	i   int
	buf []byte // scratch for string decoding
}

func (p *jsonParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errJSON, what, p.i)
}

func (p *jsonParser) value(dst []byte, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return dst, p.fail("nesting too deep")
	}
	if p.i >= len(p.src) {
		return dst, p.fail("unexpected end")
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object(dst, depth)
	case c == '[':
		return p.array(dst, depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return dst, err
		}
		return appendJSONString(dst, s), nil
	case c == 't':
		return p.lit(dst, "true")
	case c == 'f':
		return p.lit(dst, "false")
	case c == 'n':
		return p.lit(dst, "null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number(dst)
	default:
		return dst, p.fail("unexpected character")
	}
}

func (p *jsonParser) lit(dst []byte, l string) ([]byte, error) {
	if !bytes.HasPrefix(p.src[p.i:], []byte(l)) {
		return dst, p.fail("invalid literal")
	}
	p.i += len(l)
	return append(dst, l...), nil
}

func (p *jsonParser) number(dst []byte) ([]byte, error) {
	start := p.i
	s := p.src
	if p.i < len(s) && s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(s) && s[p.i] == '0':
		p.i++
	case p.i < len(s) && s[p.i] >= '1' && s[p.i] <= '9':
		for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
			p.i++
		}
	default:
		return dst, p.fail("invalid number")
	}
	if p.i < len(s) && s[p.i] == '.' {
		p.i++
		d := p.i
		for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return dst, p.fail("invalid number")
		}
	}
	if p.i < len(s) && (s[p.i] == 'e' || s[p.i] == 'E') {
		p.i++
		if p.i < len(s) && (s[p.i] == '+' || s[p.i] == '-') {
			p.i++
		}
		d := p.i
		for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return dst, p.fail("invalid number")
		}
	}
	return append(dst, s[start:p.i]...), nil
}

func (p *jsonParser) array(dst []byte, depth int) ([]byte, error) {
	p.i++ // '['
	dst = append(dst, '[')
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return append(dst, ']'), nil
	}
	for n := 0; ; n++ {
		if n > 0 {
			dst = append(dst, ',')
		}
		p.ws()
		var err error
		if dst, err = p.value(dst, depth+1); err != nil {
			return dst, err
		}
		p.ws()
		if p.i >= len(p.src) {
			return dst, p.fail("unterminated array")
		}
		switch p.src[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return append(dst, ']'), nil
		default:
			return dst, p.fail("expected , or ]")
		}
	}
}

type member struct {
	name string
	val  []byte
}

func (p *jsonParser) object(dst []byte, depth int) ([]byte, error) {
	p.i++ // '{'
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return append(dst, '{', '}'), nil
	}
	var ms []member
	for {
		p.ws()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return dst, p.fail("expected member name")
		}
		name, err := p.str()
		if err != nil {
			return dst, err
		}
		p.ws()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return dst, p.fail("expected :")
		}
		p.i++
		p.ws()
		val, err := p.value(nil, depth+1)
		if err != nil {
			return dst, err
		}
		ms = append(ms, member{name, val})
		p.ws()
		if p.i >= len(p.src) {
			return dst, p.fail("unterminated object")
		}
		if p.src[p.i] == ',' {
			p.i++
			continue
		}
		if p.src[p.i] != '}' {
			return dst, p.fail("expected , or }")
		}
		p.i++
		break
	}
	slices.SortFunc(ms, func(a, b member) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	dst = append(dst, '{')
	for k, m := range ms {
		if k > 0 {
			if ms[k-1].name == m.name {
				return dst, fmt.Errorf("%w: duplicate member name %q", errJSON, truncate(m.name, 40))
			}
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, m.name)
		dst = append(dst, ':')
		dst = append(dst, m.val...)
	}
	return append(dst, '}'), nil
}

// str parses the JSON string at p.i (which is '"') and returns its value.
func (p *jsonParser) str() (string, error) {
	s := p.src
	p.i++ // opening quote
	// Fast path: no escapes.
	start := p.i
	for p.i < len(s) {
		c := s[p.i]
		if c == '"' {
			v := s[start:p.i]
			if !utf8.Valid(v) {
				return "", p.fail("invalid UTF-8 in string")
			}
			p.i++
			return string(v), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("control character in string")
		}
		p.i++
	}
	buf := append(p.buf[:0], s[start:p.i]...)
	for p.i < len(s) {
		c := s[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = buf
			if !utf8.Valid(buf) {
				return "", p.fail("invalid UTF-8 in string")
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		// escape
		if p.i+1 >= len(s) {
			return "", p.fail("unterminated escape")
		}
		e := s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if r >= 0xD800 && r < 0xDC00 {
				// high surrogate: a low surrogate must follow
				if p.i+1 >= len(s) || s[p.i] != '\\' || s[p.i+1] != 'u' {
					return "", p.fail("lone surrogate")
				}
				p.i += 2
				r2, ok := p.hex4()
				if !ok || r2 < 0xDC00 || r2 >= 0xE000 {
					return "", p.fail("lone surrogate")
				}
				r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
			} else if r >= 0xDC00 && r < 0xE000 {
				return "", p.fail("lone surrogate")
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail("invalid escape")
		}
	}
	return "", p.fail("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a canonical JSON string. s must be valid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// truncate shortens s to at most n runes for error messages.
func truncate(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}
