package conflict_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/conflict"
	"golang.org/x/text/width"
	"pgregory.net/rapid"
)

func TestNormalizeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"温州大学", "温州大学"},
		{" 温 州　大学\t", "温州大学"},
		{"ＡＢＢ（中国）有限公司", "abb中国有限公司"},
		{"ABB (中国) 有限公司", "abb中国有限公司"},
		{"中国科学院大学温州研究院（温州生物材料与工程研究所）", "中国科学院大学温州研究院温州生物材料与工程研究所"},
		{"中国科学院大学温州研究院(温州生物材料与工程研究所)", "中国科学院大学温州研究院温州生物材料与工程研究所"},
		{"中国科学院宁波材料技术与工程研究所", "中国科学院宁波材料技术与工程研究所"},
		{"买买提·艾力", "买买提艾力"},
		{"温州大学\u200b", "温州大学"},
		{"温州市—鹿城区", "温州市鹿城区"},
		{"A+B科技", "a+b科技"},
		{"①号实验室", "1号实验室"},
		{"浙江省“千人计划”专家", "浙江省千人计划专家"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			assert.Equal(t, c.want, conflict.NormalizeName(c.in))
		})
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"330302198001011230", "330302198001011230"},
		{"33038119750620109x", "33038119750620109X"},
		{"３３０３８１１９７５０６２０１０９ｘ", "33038119750620109X"},
		{"330381 19750620 109X", "33038119750620109X"},
		{"330302-19800101-1230", "330302198001011230"},
		{"330302800101123", "330302198001011230"}, // first generation, converted
		{"not a number", "NOTANUMBER"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			assert.Equal(t, c.want, conflict.NormalizeIDNumber(c.in))
		})
	}
}

func TestNormalizeCode(t *testing.T) {
	assert.Equal(t, "91330000142940946G", conflict.NormalizeCode(" ９１３３００００１４２９４０９４６ｇ "))
	assert.Equal(t, "91330000142940946G", conflict.NormalizeCode("91330000-142940946-g"))
	assert.Equal(t, "", conflict.NormalizeCode(""))
}

// unitText generates unit-like names: CJK, ASCII letters and digits, brackets and dots.
func unitText() *rapid.Generator[string] {
	return rapid.StringOf(rapid.SampledFrom([]rune(
		"温州大学医科研究院所企业集团有限公司中国科学化材料工程学ABCDEFGHabcxyz0123456789()（）·-. ")))
}

// variant rewrites s the way clerks do: full-width ASCII, ideographic and ASCII spaces
// inserted, half- and full-width brackets swapped.
func variant(t *rapid.T, s string) string {
	var b strings.Builder
	for _, r := range s {
		if rapid.IntRange(0, 4).Draw(t, "space") == 0 {
			b.WriteString(rapid.SampledFrom([]string{" ", "\u3000", "\t", "  "}).Draw(t, "sp"))
		}
		switch {
		case r == '(':
			r = '（'
		case r == ')':
			r = '）'
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r > ' ' && r <= '~' && rapid.Bool().Draw(t, "wide"):
			r += 0xFF01 - '!'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestNormalizationIsIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(unitText(), rapid.String()).Draw(t, "s")
		n := conflict.NormalizeName(s)
		require.Equal(t, n, conflict.NormalizeName(n))
		id := conflict.NormalizeIDNumber(s)
		require.Equal(t, id, conflict.NormalizeIDNumber(id))
		code := conflict.NormalizeCode(s)
		require.Equal(t, code, conflict.NormalizeCode(code))
	})
}

func TestNormalizationIsInsensitiveToWidthAndSpacing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := unitText().Draw(t, "s")
		v := variant(t, s)
		require.Equal(t, conflict.NormalizeName(s), conflict.NormalizeName(v), "%q vs %q", s, v)
		require.Equal(t, conflict.NormalizeName(s), conflict.NormalizeName(width.Widen.String(s)))
	})
}

func checkNormalForm(t *testing.T, s string) {
	n := conflict.NormalizeName(s)
	if n != conflict.NormalizeName(n) {
		t.Fatalf("not idempotent: %q → %q → %q", s, n, conflict.NormalizeName(n))
	}
	if !utf8.ValidString(n) {
		t.Fatalf("invalid UTF-8 from %q: %q", s, n)
	}
	for _, r := range n {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsUpper(r) {
			t.Fatalf("%q → %q keeps %q", s, n, r)
		}
	}
	if f := conflict.NormalizeName(width.Fold.String(s)); f != n {
		t.Fatalf("width folding changes the result: %q → %q, folded → %q", s, n, f)
	}
	if sp := conflict.NormalizeName(" " + s + "\u3000"); sp != n {
		t.Fatalf("spacing changes the result: %q → %q, spaced → %q", s, n, sp)
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"温州大学", "ＡＢＢ（中国）有限公司", "买买提·艾力", "e-\u0301", "İstanbul", "ǅ", "\xff温",
		"中国科学院大学温州研究院(温州生物材料与工程研究所)", "①②", "ﾃｽﾄ", "Ⅻ", "\u0345"} {
		f.Add(s)
	}
	f.Fuzz(checkNormalForm)
}

func FuzzNormalizeIDNumber(f *testing.F) {
	for _, s := range []string{"330302198001011230", "33038119750620109x", "330302800101123", "３３０３", "330302-1980", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := conflict.NormalizeIDNumber(s)
		if n != conflict.NormalizeIDNumber(n) {
			t.Fatalf("ID number not idempotent: %q → %q → %q", s, n, conflict.NormalizeIDNumber(n))
		}
		if strings.ContainsRune(n, 'x') && !strings.ContainsFunc(n, func(r rune) bool { return r > '9' && r != 'x' && r != 'X' }) {
			t.Fatalf("lower-case check character kept: %q → %q", s, n)
		}
		c := conflict.NormalizeCode(s)
		if c != conflict.NormalizeCode(c) {
			t.Fatalf("code not idempotent: %q → %q → %q", s, c, conflict.NormalizeCode(c))
		}
	})
}
