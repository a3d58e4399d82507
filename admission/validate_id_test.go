package admission_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
)

// Attack (issue 15, item 8): Validate accepted 64 runes of anything as an expert ID, so a
// clerk could admit an expert whose ID held a control character or 50 CJK characters, and
// that record then made every draw fail.
func TestExpertIDCharacterSet(t *testing.T) {
	bad := map[string]string{
		"control":       "E\x00001",
		"newline":       "E001\nE002",
		"tab":           "E\t1",
		"CJK":           strings.Repeat("专", 50),
		"one CJK":       "专家1",
		"space":         "E 001",
		"leading space": " E001",
		"slash":         "E/001",
		"full-width":    "Ｅ００１",
		"zero-width":    "E\u200b001",
		"65 bytes":      strings.Repeat("a", 65),
		"leading dash":  "-E001",
		"leading dot":   ".E001",
		"invalid UTF-8": "E\xff",
		"quote":         `E"1`,
		"empty":         "",
		"mobile":        "13812345678",
		"mobile hyphen": "E-138-1234-5678",
		"ID number":     "330302-19900101-1234",
	}
	for name, id := range bad {
		t.Run(name, func(t *testing.T) {
			assert.False(t, admission.ValidExpertID(id))
			e := technicalExpert()
			e.ID = id
			err := admission.Validate(e)
			var ve *admission.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Fields, 1, "%v", err)
			f := ve.Fields[0]
			assert.Equal(t, "ID", f.Field)
			assert.Equal(t, "Art. 17", f.Article)
			if id == "" {
				assert.Equal(t, "required", f.Code)
				return
			}
			assert.Equal(t, "expertid", f.Code)
			assert.Contains(t, f.Message, "专家编号")
			assert.Contains(t, f.Message, "64")
			assert.NotContains(t, err.Error(), id)
		})
	}
	for _, id := range []string{"E001", "e-2024-0001", "WZ.03:7", "a", "0", "A_b-c.d:e", strings.Repeat("9", 10) + "a" + strings.Repeat("9", 10),
		"330302.19900101.1234", "2024:0000000001"} {
		assert.True(t, admission.ValidExpertID(id), id)
		e := technicalExpert()
		e.ID = id
		require.NoError(t, admission.Validate(e), id)
	}
}

// Admit refuses such a profile with the article, the code and a Chinese message.
func TestAdmitRefusesABadExpertID(t *testing.T) {
	e := technicalExpert()
	e.ID = "E\x01"
	e.Status = ""
	_, err := admission.Admit(admission.Application{Expert: e, Channel: admission.ChannelApplication}, "审核人",
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	var ve *admission.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("ID"))
	assert.Equal(t, "Art. 17", ve.Fields[0].Article)
	assert.Equal(t, "expertid", ve.Fields[0].Code)
}

// ValidExpertID is exactly the documented set: 1–64 bytes of [A-Za-z0-9._:-], the first a
// letter or digit, no run of more than 10 digits (hyphens inside a run ignored).
func TestValidExpertIDIsTheDocumentedSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.OneOf(rapid.String(), rapid.StringMatching(`[A-Za-z0-9._:-]{0,70}`),
			rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9._:-]{0,63}`), rapid.StringMatching(`[A-Z]?[0-9-]{8,14}`)).Draw(t, "id")
		require.Equal(t, documentedID(id), admission.ValidExpertID(id), "%q", id)
	})
}

func documentedID(id string) bool {
	if !longestDigitRun.MatchString(id) {
		return false
	}
	for _, m := range digitRun.FindAllString(id, -1) {
		if len(strings.ReplaceAll(m, "-", "")) > 10 {
			return false
		}
	}
	return true
}

var (
	longestDigitRun = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
	digitRun        = regexp.MustCompile(`[0-9][0-9-]*`)
)

// idMessage is Validate's message for a bad ID.
var idMessage = func() string {
	e := technicalExpert()
	e.ID = "\x00"
	return admission.Validate(e).Error()
}()

// FuzzValidExpertID: never panics, agrees with the documented set, and Validate reports an
// invalid ID without echoing it.
func FuzzValidExpertID(f *testing.F) {
	for _, s := range []string{"E001", "", "E\x00", "专家", strings.Repeat("a", 64), strings.Repeat("a", 65), "-x", "a-", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		ok := admission.ValidExpertID(id)
		require.Equal(t, documentedID(id), ok)
		if ok {
			require.True(t, utf8.ValidString(id))
		}
		e := technicalExpert()
		e.ID = id
		err := admission.Validate(e)
		if ok {
			require.NoError(t, err)
			return
		}
		var ve *admission.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("ID"))
		// The message never echoes the ID (unless the ID is a piece of the fixed message).
		if !strings.Contains(idMessage, id) {
			require.NotContains(t, err.Error(), id)
		}
	})
}
