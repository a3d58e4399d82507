package audit_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

func TestMasks(t *testing.T) {
	cases := []struct {
		name string
		mask func(string) string
		in   string
		want string
	}{
		{"mobile", audit.MaskMobile, "13812345678", "138****5678"},
		{"mobile +86", audit.MaskMobile, "+86 138-1234-5678", "138****5678"},
		{"mobile 0086", audit.MaskMobile, "008613812345678", "138****5678"},
		{"mobile masked", audit.MaskMobile, "138****5678", "138****5678"},
		{"landline", audit.MaskMobile, "0577-88886666", "057*******666"},
		{"short", audit.MaskMobile, "110", "***"},
		{"empty", audit.MaskMobile, "", ""},
		{"ID 18", audit.MaskIDNumber, "330302199001011234", "330302********1234"},
		{"ID X", audit.MaskIDNumber, "33030219900101123X", "330302********123X"},
		{"ID 15", audit.MaskIDNumber, "330302900101123", "330302*****1123"},
		{"ID masked", audit.MaskIDNumber, "330302********1234", "330302********1234"},
		{"ID passport", audit.MaskIDNumber, "E12345678", "E1*****78"},
		{"name 2", audit.MaskName, "张三", "张*"},
		{"name 3", audit.MaskName, "张三丰", "张**"},
		{"compound", audit.MaskName, "欧阳娜娜", "欧阳**"},
		{"compound 3", audit.MaskName, "司马光", "司马*"},
		{"compound-looking 2", audit.MaskName, "欧阳", "欧*"},
		{"one char", audit.MaskName, "张", "*"},
		{"latin", audit.MaskName, "John Smith", "J*** *****"},
		{"minority", audit.MaskName, "阿依古丽·买买提", "阿***·***"},
		{"masked name", audit.MaskName, "欧阳**", "欧阳**"},
		{"email", audit.MaskEmail, "zhangsan@example.com", "z*******@example.com"},
		{"email 1", audit.MaskEmail, "a@x.cn", "*@x.cn"},
		{"email CJK", audit.MaskEmail, "张三@例子.中国", "张*@例子.中国"},
		{"not email", audit.MaskEmail, "zhangsan", "zh****an"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.mask(c.in))
		})
	}
}

var masks = map[string]func(string) string{
	"MaskMobile": audit.MaskMobile, "MaskIDNumber": audit.MaskIDNumber, "MaskName": audit.MaskName, "MaskEmail": audit.MaskEmail,
}

// Masking a masked value changes nothing.
func TestMaskIsIdempotent(t *testing.T) {
	for name, m := range masks {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := rapid.OneOf(rapid.String(), rapid.StringMatching(`1[3-9][0-9]{9}`),
					rapid.StringMatching(`[1-9][0-9]{16}[0-9X]`), rapid.StringMatching(`[a-z]{1,8}@[a-z]{1,8}\.cn`)).Draw(t, "s")
				once := m(s)
				require.Equal(t, once, m(once))
			})
		})
	}
}

// A masked value of more than one character never equals its input (unless the input was
// already masked) and has the same length in characters for mobile, ID number and names.
func TestMaskHidesSomething(t *testing.T) {
	for name, m := range masks {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := rapid.StringMatching(`[0-9a-zA-Z张三欧阳@.]{2,30}`).Draw(t, "s")
				out := m(s)
				require.Contains(t, out, "*")
				if name != "MaskMobile" {
					require.Equal(t, utf8.RuneCountInString(strings.TrimSpace(s)), utf8.RuneCountInString(out))
				}
			})
		})
	}
}

// A masked mobile shows only the first three and last four digits; a masked ID number never
// shows the birth date.
func TestMaskHidesMiddleDigits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mob := rapid.StringMatching(`1[3-9][0-9]{9}`).Draw(t, "mobile")
		require.Equal(t, mob[:3]+"****"+mob[7:], audit.MaskMobile(mob))
		y := rapid.IntRange(1930, 2010).Draw(t, "year")
		id := fmt.Sprintf("%s%04d%02d%02d%s", rapid.StringMatching(`[1-9][0-9]{5}`).Draw(t, "region"), y,
			rapid.IntRange(1, 12).Draw(t, "m"), rapid.IntRange(1, 28).Draw(t, "d"), rapid.StringMatching(`[0-9]{3}[0-9X]`).Draw(t, "tail"))
		out := audit.MaskIDNumber(id)
		require.Equal(t, id[:6]+"********"+id[14:], out)
		require.NotContains(t, out, id[6:14])
	})
}

func redactable() admission.Expert {
	return admission.Expert{
		ID: "e-1", Name: "欧阳娜娜", IDNumber: "330302199001011234", Mobile: "13812345678",
		BirthDate:   time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: "化学与材料工程学院"},
		Past:        []admission.Affiliation{{Org: "浙江大学"}},
		Title:       admission.Senior, Categories: []admission.Category{admission.Technical}, Fields: []string{"材料"},
		Region:      "330302",
		Credentials: []admission.Credential{{Kind: "national-project-lead", Detail: "证书号 330302199001011234"}},
		Records:     []admission.Record{{Kind: "late", Detail: "联系电话 13812345678", Serious: false}},
		Status:      admission.Active,
		Exits:       []admission.Exit{{Reason: admission.ExitOnRequest, Note: "本人手机 13812345678", ApprovedBy: "u-1"}},
		Tags:        []string{"新材料"},
		Trainings:   []admission.Training{{Kind: admission.TrainingIntegrity, Note: "张三 13812345678"}},
		Unavailable: []admission.Period{{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), Reason: "住院"}},
	}
}

func TestRedact(t *testing.T) {
	e := redactable()
	r := audit.Redact(e)
	assert.Equal(t, "欧阳**", r.Name)
	assert.Equal(t, "330302********1234", r.IDNumber)
	assert.Equal(t, "138****5678", r.Mobile)
	assert.Equal(t, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), r.BirthDate)
	assert.Equal(t, e.Affiliation, r.Affiliation)
	assert.Equal(t, e.Categories, r.Categories)
	assert.Empty(t, r.Credentials[0].Detail)
	assert.Equal(t, "national-project-lead", r.Credentials[0].Kind)
	assert.Empty(t, r.Records[0].Detail)
	assert.Empty(t, r.Exits[0].Note)
	assert.Equal(t, "u-1", r.Exits[0].ApprovedBy)
	assert.Empty(t, r.Trainings[0].Note)
	require.Len(t, r.Unavailable, 1)
	assert.Empty(t, r.Unavailable[0].Reason)
	assert.Equal(t, e.Unavailable[0].From, r.Unavailable[0].From)
	// No shared memory: editing the copy leaves the original alone.
	r.Fields[0] = "x"
	r.Credentials[0].Kind = "x"
	assert.Equal(t, "材料", e.Fields[0])
	assert.Equal(t, "national-project-lead", e.Credentials[0].Kind)
	assert.Equal(t, "证书号 330302199001011234", e.Credentials[0].Detail)
	// Idempotent, and nothing personal left anywhere in the value.
	assert.Equal(t, audit.Redact(r), audit.Redact(audit.Redact(r)))
	dump := fmt.Sprintf("%+v", audit.Redact(e))
	for _, secret := range []string{"13812345678", "19900101", "娜娜"} {
		assert.NotContains(t, dump, secret)
	}
}

// Redact must decide about every field of admission.Expert: when the admission package adds
// a field, this test fails until Redact (and this list) handle it.
func TestRedactCoversEveryField(t *testing.T) {
	handled := map[string]string{
		"ID": "kept", "Name": "masked", "IDNumber": "masked", "Mobile": "masked", "BirthDate": "year only",
		"RetirementAge": "kept", "Affiliation": "kept", "Past": "copied", "Title": "kept", "Categories": "copied",
		"Fields": "copied", "Region": "kept", "Credentials": "detail dropped", "Records": "detail dropped",
		"Status": "kept", "Exits": "note dropped", "UpdatedAt": "kept", "Tags": "copied", "Trainings": "note dropped",
		"Entries": "copied", "Unavailable": "reason dropped",
	}
	typ := reflect.TypeFor[admission.Expert]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		_, ok := handled[f.Name]
		assert.True(t, ok, "admission.Expert.%s is new: decide how Redact de-identifies it", f.Name)
	}
}
