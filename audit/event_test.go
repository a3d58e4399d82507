package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

func TestEncodeExactBytes(t *testing.T) {
	e := audit.Event{
		At:       time.Date(2024, 5, 6, 9, 30, 0, 500_000_000, time.FixedZone("CST", 8*3600)),
		Actor:    audit.Actor{ID: "u-1", Name: "王五", Role: "county", Unit: "瑞安市科技局", OnBehalfOf: "u-9"},
		Action:   audit.ActionDraw,
		Subjects: []string{"r-2024-17", "e-3"},
		Data:     json.RawMessage("{ \"z\": [1, 2.50, \"a\\u0041\"],\n \"a\": {\"y\":null, \"b\":true} }"),
	}
	want := `{"v":1,"at":"2024-05-06T01:30:00.5Z","actor":{"id":"u-1","name":"王五","role":"county","unit":"瑞安市科技局","on_behalf_of":"u-9"},` +
		`"action":"draw","subjects":["r-2024-17","e-3"],"data":{"a":{"b":true,"y":null},"z":[1,2.50,"aA"]}}`
	assert.Equal(t, want, string(mustEncode(t, e)))

	empty := audit.Event{At: t0, Actor: audit.Actor{ID: "a", Name: "b", Role: "c"}, Action: audit.ActionView}
	assert.Equal(t, `{"v":1,"at":"2024-05-06T09:00:00Z","actor":{"id":"a","name":"b","role":"c","unit":"","on_behalf_of":""},"action":"view","subjects":[],"data":null}`,
		string(mustEncode(t, empty)))
}

func TestEncodeRefuses(t *testing.T) {
	ok := ev(1)
	cases := []struct {
		name string
		edit func(*audit.Event)
		want error
		msg  string
	}{
		{"zero time", func(e *audit.Event) { e.At = time.Time{} }, audit.ErrInvalidEvent, "no time"},
		{"year 10000", func(e *audit.Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, audit.ErrInvalidEvent, "year"},
		{"no actor ID", func(e *audit.Event) { e.Actor.ID = "" }, audit.ErrInvalidEvent, "Art. 18"},
		{"no actor name", func(e *audit.Event) { e.Actor.Name = "" }, audit.ErrInvalidEvent, "real name"},
		{"no role", func(e *audit.Event) { e.Actor.Role = "" }, audit.ErrInvalidEvent, "role"},
		{"unknown action", func(e *audit.Event) { e.Action = "delete" }, audit.ErrInvalidEvent, "unknown action"},
		{"empty subject", func(e *audit.Event) { e.Subjects = []string{"a", ""} }, audit.ErrInvalidEvent, "subject 1"},
		{"bad UTF-8", func(e *audit.Event) { e.Actor.Unit = "\xff" }, audit.ErrInvalidEvent, "UTF-8"},
		{"bad JSON", func(e *audit.Event) { e.Data = json.RawMessage(`{"a":}`) }, audit.ErrInvalidEvent, "data"},
		{"duplicate key", func(e *audit.Event) { e.Data = json.RawMessage(`{"a":1,"a":2}`) }, audit.ErrInvalidEvent, "duplicate"},
		{"trailing data", func(e *audit.Event) { e.Data = json.RawMessage(`{} {}`) }, audit.ErrInvalidEvent, "trailing"},
		{"lone surrogate", func(e *audit.Event) { e.Data = json.RawMessage(`"\ud800"`) }, audit.ErrInvalidEvent, "surrogate"},
		{"too deep", func(e *audit.Event) { e.Data = json.RawMessage(strings.Repeat("[", 100) + strings.Repeat("]", 100)) }, audit.ErrInvalidEvent, "deep"},
		{"too many subjects", func(e *audit.Event) { e.Subjects = make([]string, audit.MaxSubjects+1) }, audit.ErrInvalidEvent, "subjects"},
		{"too large", func(e *audit.Event) { e.Data = json.RawMessage(`"` + strings.Repeat("a", audit.MaxRecordSize) + `"`) }, audit.ErrInvalidEvent, "bytes"},
		{"mobile in data", func(e *audit.Event) { e.Data = json.RawMessage(`{"phone":"13812345678"}`) }, audit.ErrPersonalData, "138****5678"},
		{"mobile in subject", func(e *audit.Event) { e.Subjects = []string{"tel:+86 13812345678"} }, audit.ErrPersonalData, "138****5678"},
		{"ID number in actor", func(e *audit.Event) { e.Actor.ID = "33030219900101123X" }, audit.ErrPersonalData, "330302********123X"},
		{"ID number in data key", func(e *audit.Event) { e.Data = json.RawMessage(`{"330302199001011234":1}`) }, audit.ErrPersonalData, "330302********1234"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			c.edit(&e)
			_, err := e.Encode()
			require.ErrorIs(t, err, c.want)
			assert.Contains(t, err.Error(), c.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "audit: "), err.Error())
			assert.NotContains(t, err.Error(), "13812345678")
			assert.NotContains(t, err.Error(), "19900101")
		})
	}
}

func TestPersonalDataNumbersAreNotScanned(t *testing.T) {
	// Entropy and counts are numbers; only strings are scanned.
	e := ev(1)
	e.Data = json.RawMessage(`{"entropy":[13812345678, 330302199001011234]}`)
	_, err := e.Encode()
	require.NoError(t, err)
	// Runs of other lengths and masked values are fine.
	e.Data = json.RawMessage(`{"a":"138123456789","b":"1381234567","c":"138****5678","d":"330302********1234","e":"202403150000012345"}`)
	_, err = e.Encode()
	require.NoError(t, err)
}

func TestDecodeRefusesNonCanonical(t *testing.T) {
	good := string(mustEncode(t, ev(3)))
	cases := map[string]string{
		"empty":            ``,
		"not JSON":         `hello`,
		"space after {":    strings.Replace(good, `{"v"`, `{ "v"`, 1),
		"version 2":        strings.Replace(good, `"v":1`, `"v":2`, 1),
		"time with offset": strings.Replace(good, `09:03:00Z`, `17:03:00+08:00`, 1),
		"time padded":      strings.Replace(good, `09:03:00Z`, `09:03:00.000Z`, 1),
		"escaped slash":    strings.Replace(good, `"e-003"`, `"e\/003"`, 1),
		"data unsorted":    strings.Replace(good, `{"kind":"expert","n":3}`, `{"n":3,"kind":"expert"}`, 1),
		"data null spaced": strings.Replace(good, `{"kind":"expert","n":3}`, ` null`, 1),
		"unknown action":   strings.Replace(good, `"view"`, `"peek"`, 1),
		"trailing":         good + "\n",
		"missing brace":    good[:len(good)-1],
	}
	for name, rec := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := audit.Decode([]byte(rec))
			require.ErrorIs(t, err, audit.ErrBadRecord)
		})
	}
}

// The same event always gives the same bytes, whatever its time zone or monotonic reading,
// and however its data was formatted.
func TestEncodingIsDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := genEvent().Draw(t, "e")
		a := mustEncode(t, e)
		f := e
		f.At = e.At.In(time.FixedZone("Z9", 9*3600))
		if e.Data != nil {
			var v any
			require.NoError(t, json.Unmarshal(e.Data, &v))
			f.Data, _ = json.MarshalIndent(v, "", "   ")
		}
		require.Equal(t, string(a), string(mustEncode(t, f)))
	})
}

// Decode(Encode(e)) is e, normalized, and encodes to the same bytes.
func TestDecodeInvertsEncode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := genEvent().Draw(t, "e")
		rec := mustEncode(t, e)
		d, err := audit.Decode(rec)
		require.NoError(t, err)
		require.True(t, d.At.Equal(e.At))
		require.Equal(t, time.UTC, d.At.Location())
		require.Equal(t, e.Actor, d.Actor)
		require.Equal(t, e.Action, d.Action)
		if len(e.Subjects) == 0 {
			require.Nil(t, d.Subjects)
		} else {
			require.Equal(t, e.Subjects, d.Subjects)
		}
		if e.Data == nil || string(e.Data) == "null" {
			require.Nil(t, d.Data)
		} else {
			require.JSONEq(t, string(e.Data), string(d.Data))
		}
		require.Equal(t, string(rec), string(mustEncode(t, d)))
	})
}

// Different events give different records: two events encode alike only if they decode alike.
func TestEncodingIsInjective(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genEvent().Draw(t, "a"), genEvent().Draw(t, "b")
		ra, rb := mustEncode(t, a), mustEncode(t, b)
		da, _ := audit.Decode(ra)
		db, _ := audit.Decode(rb)
		same := da.At.Equal(db.At) && da.Actor == db.Actor && da.Action == db.Action &&
			strings.Join(da.Subjects, "\x00") == strings.Join(db.Subjects, "\x00") &&
			len(da.Subjects) == len(db.Subjects) && bytes.Equal(da.Data, db.Data)
		require.Equal(t, same, bytes.Equal(ra, rb))
	})
}

// A record has exactly one reading: any single-byte change of a canonical record either
// fails to decode or is the canonical record of a different event.
func TestDecodeAcceptsOnlyCanonical(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := mustEncode(t, genEvent().Draw(t, "e"))
		i := rapid.IntRange(0, len(rec)-1).Draw(t, "i")
		mut := bytes.Clone(rec)
		mut[i] = rapid.Byte().Filter(func(b byte) bool { return b != rec[i] }).Draw(t, "b")
		d, err := audit.Decode(mut)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrBadRecord)
			return
		}
		require.Equal(t, string(mut), string(mustEncode(t, d)))
	})
}

func TestActionsClosedList(t *testing.T) {
	acts := audit.Actions()
	// Art. 17 names these six; the issue adds the rest.
	for _, a := range []audit.Action{"draw", "view", "notify", "review", "recusal", "rating",
		"admission", "exit", "export", "permission-change", "access-denied"} {
		assert.Contains(t, acts, a)
	}
	for _, a := range acts {
		assert.True(t, a.Valid())
		assert.NotEmpty(t, a.Label(), a)
		assert.True(t, strings.HasPrefix(a.Article(), "Art. "), a)
	}
	assert.False(t, audit.Action("delete").Valid())
}

func TestEventStringHasNoPersonalData(t *testing.T) {
	e := ev(2)
	e.Actor.ID = "13812345678"
	s := e.String()
	assert.NotContains(t, s, "13812345678")
	assert.NotContains(t, s, e.Actor.Name)
	assert.Contains(t, s, "138****5678")
}

func TestDataErrorsAreScrubbed(t *testing.T) {
	e := ev(1)
	e.Data = json.RawMessage(`{"13812345678":1,"13812345678":2}`)
	_, err := e.Encode()
	require.ErrorIs(t, err, audit.ErrInvalidEvent)
	assert.NotContains(t, err.Error(), "13812345678")
	assert.Contains(t, err.Error(), "duplicate")
}

// Wherever an unmasked mobile or ID number hides in an event, Encode refuses it and its
// error shows only the masked form.
func TestNoUnmaskedPersonalDataInErrors(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := genEvent().Draw(t, "e")
		secret := rapid.OneOf(rapid.StringMatching(`1[3-9][0-9]{9}`),
			rapid.StringMatching(`[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]`)).Draw(t, "secret")
		text := "x" + secret + "y"
		switch rapid.IntRange(0, 6).Draw(t, "where") {
		case 0:
			e.Actor.ID = text
		case 1:
			e.Actor.Name = text
		case 2:
			e.Actor.Unit = text
		case 3:
			e.Actor.OnBehalfOf = text
		case 4:
			e.Subjects = append(e.Subjects, text)
		case 5:
			e.Data, _ = json.Marshal(map[string]any{"k": []any{1, text}})
		default:
			e.Data, _ = json.Marshal(map[string]any{text: true})
		}
		_, err := e.Encode()
		require.ErrorIs(t, err, audit.ErrPersonalData)
		require.NotContains(t, err.Error(), secret)
	})
}

// Decode never panics on arbitrary bytes and accepts only canonical records.
func FuzzDecode(f *testing.F) {
	f.Add(mustEncode(f, ev(1)))
	f.Add([]byte(`{"v":1,"at":"2024-05-06T09:00:00Z","actor":{"id":"a","name":"b","role":"c","unit":"","on_behalf_of":""},"action":"view","subjects":[],"data":null}`))
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		e, err := audit.Decode(rec)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrBadRecord)
			return
		}
		require.Equal(t, string(rec), string(mustEncode(t, e)))
	})
}

// Any caller-supplied Data either is refused or becomes canonical JSON with the same meaning,
// and encoding is stable.
func FuzzEncodeData(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,null,"x\u00e9"]}`, `"\ud83d\ude00"`, `[1e5, -0.0, 12]`, `{"a":{"a":{}}}`, ` null `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := ev(1)
		e.Data = data
		rec, err := e.Encode()
		if err != nil {
			return
		}
		d, err := audit.Decode(rec)
		require.NoError(t, err)
		if len(bytes.TrimSpace(data)) == 0 { // no data
			require.Nil(t, d.Data)
			return
		}
		require.True(t, json.Valid(data), "accepted invalid JSON %q", data)
		if d.Data != nil {
			require.Equal(t, jsonValue(t, data), jsonValue(t, d.Data))
		}
		require.Equal(t, string(rec), string(mustEncode(t, d)))
	})
}

// jsonValue decodes b keeping numbers as written.
func jsonValue(t require.TestingT, b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// TestDigestsAreNotPersonalData: hex digests (draw records carry several) may hold an 11-digit
// run starting 13–19 by chance; they are not refused, while a mobile next to short hex is.
func TestDigestsAreNotPersonalData(t *testing.T) {
	digest := "9f3a13812345678b" + strings.Repeat("0a", 16) // 48 hex chars with a mobile-like run
	e := audit.Event{At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Actor: audit.Actor{ID: "u1", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"},
		Action: audit.ActionDraw, Subjects: []string{"R-1"}, Data: json.RawMessage(`{"kind":"request","pool_digest":"` + digest + `"}`)}
	_, err := e.Encode()
	require.NoError(t, err)
	e.Data = json.RawMessage(`{"kind":"request","note":"ab13812345678"}`)
	_, err = e.Encode()
	require.ErrorIs(t, err, audit.ErrPersonalData)
	rapid.Check(t, func(t *rapid.T) {
		sum := sha256.Sum256(rapid.SliceOf(rapid.Byte()).Draw(t, "data"))
		e.Data = json.RawMessage(`{"kind":"request","key":"expertdb-draw-v1/` + hex.EncodeToString(sum[:]) + `/x"}`)
		if _, err := e.Encode(); err != nil {
			t.Fatalf("digest refused: %v", err)
		}
	})
}
