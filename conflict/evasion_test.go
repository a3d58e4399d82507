package conflict_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
)

// evasion is one way an expert's unit name can be written to look like the project's unit
// while comparing unequal as plain text.
type evasion struct {
	name    string
	project string // the project member's unit
	expert  string // the expert's unit as written
}

const chintName, abbName = "正泰集团股份有限公司", "ABB（中国）有限公司"

// evasions are the 14 variants of issue 15 (item 9): invisible code points, a decorating
// combining mark, Cyrillic and Greek look-alikes, and the four forms that were already
// caught (zero-width space, soft hyphen, word joiner, full-width letters).
var evasions = []evasion{
	{"U+FE0F variation selector", chintName, "正泰\ufe0f集团股份有限公司"},
	{"U+E0100 variation selector", chintName, "正泰\U000E0100集团股份有限公司"},
	{"U+034F combining grapheme joiner", chintName, "正\u034f泰集团股份有限公司"},
	{"U+180B Mongolian variation selector", chintName, "正泰集团\u180b股份有限公司"},
	{"U+115F Hangul choseong filler", chintName, "正泰\u115f集团股份有限公司"},
	{"U+3164 Hangul filler", chintName, "正泰集\u3164团股份有限公司"},
	{"U+2800 Braille blank", chintName, "正泰\u2800集团股份有限公司"},
	{"U+0301 combining acute on an ideograph", chintName, "正泰\u0301集团股份有限公司"},
	{"Cyrillic look-alikes", abbName, "\u0410\u0412\u0412（中国）有限公司"},
	{"Greek look-alikes", abbName, "\u0391\u0392\u0392（中国）有限公司"},
	{"U+200B zero-width space", chintName, "正泰\u200b集团股份有限公司"},
	{"U+00AD soft hyphen", chintName, "正泰\u00ad集团股份有限公司"},
	{"U+2060 word joiner", chintName, "正泰集团\u2060股份有限公司"},
	{"full-width letters", abbName, "ＡＢＢ（中国）有限公司"},
}

// Attack (issue 15, item 9): an expert at 正泰\ufe0f集团股份有限公司 stayed a candidate for a
// project of 正泰集团; 10 of these 14 variants were not recused.
func TestRecusalSeesThroughInvisibleAndLookAlikeCharacters(t *testing.T) {
	for _, v := range evasions {
		t.Run(v.name, func(t *testing.T) {
			require.Equal(t, conflict.NormalizeName(v.project), conflict.NormalizeName(v.expert))
			p := project()
			p.Members[1].Affiliation = admission.Affiliation{Org: v.project, Kind: admission.Enterprise}
			e := expert("E-100")
			e.Affiliation = admission.Affiliation{Org: v.expert, Kind: admission.Enterprise}
			c := conflict.NewChecker(p, nil, asOf, nil)
			assert.Equal(t, []string{"Art. 15(3) same-enterprise member:P-M2"}, codes(c.Check(e)))

			// The same through the avoidance list, by unit and by name and unit.
			p = project()
			p.Members = nil
			p.Avoid = []conflict.Avoidance{{Org: v.project, Reason: "竞争关系"}}
			assert.Equal(t, []string{"Art. 15(4) avoidance-list avoid:unit:" + v.project},
				codes(conflict.NewChecker(p, nil, asOf, nil).Check(e)))
		})
	}
}

// Person names: an avoided person written with invisible characters or look-alikes is
// still the avoided person.
func TestAvoidedPersonNameEvasion(t *testing.T) {
	for _, name := range []string{"赵\ufe0f磊", "赵\u034f磊", "赵磊\u2800", "赵\u3164磊", "赵\u0301磊"} {
		p := project()
		p.Avoid = []conflict.Avoidance{{Name: "赵磊", Org: "瑞安市人民医院", Reason: "学术争议"}}
		e := expert("E-100")
		e.Name = name
		got := codes(conflict.NewChecker(p, nil, asOf, nil).Check(e))
		assert.Len(t, got, 1, "%q: %v", name, got)
	}
	p := project()
	p.Avoid = []conflict.Avoidance{{Name: "Ivan Petrov", Org: "瑞安市人民医院", Reason: "学术争议"}}
	e := expert("E-100")
	e.Name = "Ivаn Pеtrov" // Cyrillic а and е
	assert.Len(t, conflict.NewChecker(p, nil, asOf, nil).Check(e), 1)
}

// The same unit name with a different credit code is a possible conflict: the codes say
// two units, the names say one; an operator must check (Art. 15(3)).
func TestSameNameDifferentCreditCodeIsPossible(t *testing.T) {
	e := expert("E-100")
	e.Affiliation = admission.Affiliation{Org: "正泰集团股份有限公司", OrgCode: "91330382MA2CNQ4X1N", Kind: admission.Enterprise}
	c := conflict.NewChecker(project(), nil, asOf, nil)
	assert.Equal(t, []string{"Art. 15(3) same-enterprise member:P-M2 (possible)"}, codes(c.Report(e)))
	x := c.Report(e)[0]
	assert.Contains(t, x.Reason, "统一社会信用代码不同")
	assert.True(t, x.Excludes, "possible conflicts exclude by default")
	// Same through the avoidance list.
	p := project()
	p.Members = nil
	p.Avoid = []conflict.Avoidance{{Org: "正泰集团股份有限公司", OrgCode: "91330000142940946G", Reason: "竞争关系"}}
	got := conflict.NewChecker(p, nil, asOf, nil).Report(e)
	require.Len(t, got, 1)
	assert.False(t, got[0].Definite)
	// A different name with a different code is no conflict at all.
	e.Affiliation.Org = "正泰电器股份有限公司"
	assert.Empty(t, c.Report(e))
}

// ignorables are code points that are never visible on their own: inserting them anywhere
// never changes a name's normal form.
var ignorables = []rune{0xFE0F, 0xFE00, 0xE0100, 0xE01EF, 0x034F, 0x180B, 0x180C, 0x180D, 0x180F, 0x115F, 0x1160, 0x3164,
	0xFFA0, 0x2800, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2064, 0xFEFF, 0x00AD, 0x061C, 0x17B4, 0x17B5, 0xE0001, 0xE0041, 0x1BCA0}

func genName(t *rapid.T) string {
	alphabet := []rune("正泰集团股份有限公司温州大学abcABC АВС ΑΒΓаеорсхі（）()·-　ｅé\u0301\u0308aoekiエロ工口")
	return rapid.StringOfN(rapid.SampledFrom(alphabet), 0, 16, -1).Draw(t, "name")
}

// Inserting ignorable code points into a name never changes its normal form, nor the
// conflict outcome of an expert at that unit.
func TestIgnorablesNeverChangeTheOutcome(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := genName(t)
		rs := []rune(name)
		var b strings.Builder
		for i := 0; i <= len(rs); i++ {
			for range rapid.IntRange(0, 2).Draw(t, "n") {
				b.WriteRune(rapid.SampledFrom(ignorables).Draw(t, "ignorable"))
			}
			if i < len(rs) {
				b.WriteRune(rs[i])
			}
		}
		evaded := b.String()
		require.Equal(t, conflict.NormalizeName(name), conflict.NormalizeName(evaded), "%q vs %q", name, evaded)
		p := project()
		p.Members[1].Affiliation = admission.Affiliation{Org: rapid.SampledFrom([]string{name, chintName, "温州大学"}).Draw(t, "unit"), Kind: admission.Enterprise}
		if conflict.NormalizeName(p.Members[1].Affiliation.Org) == "" {
			return
		}
		e := expert("E-100")
		e.Affiliation = admission.Affiliation{Org: name, Kind: admission.Enterprise}
		c := conflict.NewChecker(p, nil, asOf, nil)
		want := codes(c.Report(e))
		e.Affiliation.Org = evaded
		require.Equal(t, want, codes(c.Report(e)))
	})
}

// FuzzNormalizeNameEvasion: NormalizeName never panics, is idempotent, never keeps an ignorable code point, a
// decorating mark or a Latin look-alike of Cyrillic or Greek, and is unchanged by inserted
// ignorables.
func FuzzNormalizeNameEvasion(f *testing.F) {
	for _, v := range evasions {
		f.Add(v.expert, uint8(3))
	}
	f.Add("e\u0301", uint8(1))
	f.Add("\u0301", uint8(0))
	f.Fuzz(func(t *testing.T, s string, at uint8) {
		n := conflict.NormalizeName(s)
		require.Equal(t, n, conflict.NormalizeName(n), "not idempotent on %q", s)
		require.True(t, utf8.ValidString(n))
		for _, r := range n {
			require.False(t, unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
				unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r), "%q keeps %U", s, r)
		}
		if !utf8.ValidString(s) {
			return
		}
		rs := []rune(s)
		i := int(at) % (len(rs) + 1)
		ins := string(rs[:i]) + string(ignorables[int(at)%len(ignorables)]) + string(rs[i:])
		require.Equal(t, n, conflict.NormalizeName(ins), "%q vs %q", s, ins)
	})
}
