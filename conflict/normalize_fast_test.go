package conflict_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/conflict"
	"pgregory.net/rapid"
)

// simpleAlphabet is every character NormalizeName's fast path handles itself: ASCII, full-width
// ASCII, the listed punctuation, and ideographs (the ends of both blocks and a few inside).
func simpleAlphabet() []rune {
	var rs []rune
	for r := rune(0); r < utf8.RuneSelf; r++ {
		rs = append(rs, r)
	}
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		rs = append(rs, r)
	}
	rs = append(rs, 0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026)
	for r := rune(0x3000); r <= 0x3011; r++ {
		if r <= 0x3003 || r >= 0x3008 {
			rs = append(rs, r)
		}
	}
	return append(rs, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, '温', '州', '大', '学', '院', '所')
}

// neighbours are the characters the fast path's exactness could depend on: letters that
// take combining marks, a space, punctuation and an ideograph; and characters just outside
// the fast path (a combining acute accent, a half-width katakana, a compatibility ideograph,
// the code points next to each range) so that mixed text is covered too.
var neighbours = []rune{'a', 'E', 'o', '=', '<', ' ', '-', '（', '温', '\u0301', '\u0338', 'ﾃ', '\uF900',
	0x33FF, 0x4DC0, 0x4DFF, 0xA000, 0xFF00, 0xFF5F, 0x2FFF, 0x3004, 0x3012, '\uFFFD'}

func TestNormalizeNameFastPathAgrees(t *testing.T) {
	alpha := simpleAlphabet()
	for _, r := range alpha {
		s := string(r)
		require.Equal(t, conflict.NormalizeNameGeneral(s), conflict.NormalizeName(s), "%U", r)
		for _, a := range alpha {
			s := string(a) + string(r)
			require.Equal(t, conflict.NormalizeNameGeneral(s), conflict.NormalizeName(s), "%U %U", a, r)
		}
		for _, n := range neighbours {
			for _, s := range []string{string(n) + string(r), string(r) + string(n), string(n) + string(r) + string(n)} {
				require.Equal(t, conflict.NormalizeNameGeneral(s), conflict.NormalizeName(s), "%+q", s)
			}
		}
	}
}

func TestNormalizeNameEqualsGeneralPath(t *testing.T) {
	alpha := append(simpleAlphabet(), neighbours...)
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(rapid.StringOf(rapid.SampledFrom(alpha)), unitText(), rapid.String()).Draw(t, "s")
		require.Equal(t, conflict.NormalizeNameGeneral(s), conflict.NormalizeName(s), "%+q", s)
	})
}

func TestNormalizeNameOfANormalFormDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"", "温州大学", "unit00017", "abb中国有限公司", "a+b科技"} {
		require.Equal(t, s, conflict.NormalizeName(s))
		require.Zero(t, testing.AllocsPerRun(100, func() { sinkString = conflict.NormalizeName(s) }), "%q", s)
	}
}

var sinkString string

func FuzzNormalizeNameFastPath(f *testing.F) {
	for _, s := range []string{"温州大学", "ＡＢＢ（中国）有限公司", "unit-00017", "买买提·艾力", "“千人计划”", "e\u0301", "\xff温", "《标准》…"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := conflict.NormalizeName(s), conflict.NormalizeNameGeneral(s); got != want {
			t.Fatalf("NormalizeName(%+q) = %+q, general path %+q", s, got, want)
		}
		// equalSimple, where it decides, agrees with the normal form (of s and of a prefix).
		n := conflict.NormalizeName(s)
		for _, x := range []string{n, n[:len(n)/2]} {
			if eq, ok := conflict.EqualSimple(s, x); ok && eq != (n == x) {
				t.Fatalf("equalSimple(%+q, %+q) = %v", s, x, eq)
			}
		}
	})
}

// BenchmarkNormalizeName normalises typical unit, department and person names: "library" is
// NormalizeName (with its fast path), "general" is the general path alone
// (NormalizeNameGeneral: width folding, NFKC and filtering to a fixed point), which is what
// every name that is not already plain used to take.
func BenchmarkNormalizeName(b *testing.B) {
	names := []string{
		"温州大学", "机电工程学院", "张三", // already normal
		"温州医科大学附属第一医院（眼视光中心）", "ＡＢＢ（中国）有限公司", "unit-00017", "买买提·艾力", "浙江省“千人计划”专家",
	}
	for _, c := range []struct {
		name string
		f    func(string) string
	}{{"library", conflict.NormalizeName}, {"general", conflict.NormalizeNameGeneral}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range names {
					sinkString = c.f(s)
				}
			}
		})
	}
}

// Invariant: when equalSimple decides (ok), it says exactly whether NormalizeName(s) is t;
// it decides every text of the fast path's alphabet.
func TestEqualSimpleAgreesWithNormalizeName(t *testing.T) {
	alpha := append(simpleAlphabet(), neighbours...)
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(rapid.StringOf(rapid.SampledFrom(alpha)), unitText(), rapid.String()).Draw(t, "s")
		n := conflict.NormalizeName(s)
		others := []string{n, rapid.String().Draw(t, "t"), n + "x", strings.TrimSuffix(n, "a")}
		if len(n) > 0 {
			others = append(others, n[:len(n)-1], n[1:], strings.ToUpper(n))
		}
		for _, x := range others {
			eq, ok := conflict.EqualSimple(s, x)
			if ok {
				require.Equal(t, n == x, eq, "%+q vs %+q", s, x)
			}
		}
		if simple := rapid.StringOf(rapid.SampledFrom(simpleAlphabet())).Draw(t, "simple"); true {
			eq, ok := conflict.EqualSimple(simple, conflict.NormalizeName(simple))
			require.True(t, ok && eq, "%+q", simple)
		}
	})
}

// TestMayBeIDNumberNeverHidesOne: the shortcut that spares a person's ID its normalisation
// rules out only values whose normal form is not an ID number.
func TestMayBeIDNumberNeverHidesOne(t *testing.T) {
	idChars := []rune("0123456789xX- \t０１２３４５６７８９ｘＸ－\u3000\u00ad\u200b")
	for _, s := range []string{"330302198001011234", "33030219800101123x", "330302800101123", "３３０３０２１９８００１０１１２３４",
		"330302-19800101-1234", " 330302 19800101 1234 "} {
		require.True(t, conflict.MayBeIDNumber(s), "%q", s)
		require.True(t, conflict.LooksLikeIDNumberGeneral(s), "%q", s)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(rapid.StringOf(rapid.SampledFrom(idChars)), rapid.StringOf(rapid.SampledFrom(append(idChars, simpleAlphabet()...))),
			unitText(), rapid.String()).Draw(t, "s")
		if !conflict.MayBeIDNumber(s) {
			require.False(t, conflict.LooksLikeIDNumberGeneral(s), "%+q", s)
		}
	})
}

func TestTrimIDIsTrimSpace(t *testing.T) {
	for _, s := range []string{"", " ", "E001", " E001", "E001 ", "\u3000E001", "E001\u00a0", "\x7fE\x7f", "\tE\n", "专家"} {
		require.Equal(t, strings.TrimSpace(s), conflict.TrimID(s), "%q", s)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		require.Equal(t, strings.TrimSpace(s), conflict.TrimID(s), "%+q", s)
	})
}
