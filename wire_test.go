package expertdb_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// TestDrawRequestWire: a request file as an integrator writes it (snake_case keys, a date
// without time, a window "24h") decodes; the older forms (RFC 3339, nanoseconds) still do;
// and what the library writes reads back equal.
func TestDrawRequestWire(t *testing.T) {
	cases := []struct {
		name, in string
		at       time.Time
		window   time.Duration
	}{
		{"date and duration string", `{"id":"R1","size":5,"at":"2026-03-02","unit":"高新技术处","window":"24h","project":{"id":"P1","leader":{"id":"L1","name":"张三","id_number":"x"}}}`,
			time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{"RFC 3339 and nanoseconds", `{"id":"R1","size":5,"at":"2026-03-02T09:00:00+08:00","unit":"高新技术处","window":86400000000000,"project":{"id":"P1","leader":{"id":"L1","name":"张三","id_number":"x"}}}`,
			time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d expertdb.DrawRequest
			require.NoError(t, json.Unmarshal([]byte(c.in), &d))
			assert.Equal(t, "R1", d.ID)
			assert.Equal(t, 5, d.Size)
			assert.True(t, c.at.Equal(d.At), d.At)
			assert.Equal(t, "高新技术处", d.Unit)
			assert.Equal(t, c.window, d.Window)
			assert.Equal(t, "x", d.Project.Leader.IDNumber)
			out, err := json.Marshal(d)
			require.NoError(t, err)
			assert.Contains(t, string(out), `"window":"24h0m0s"`)
			assert.Contains(t, string(out), `"id_number":"x"`)
			var back expertdb.DrawRequest
			require.NoError(t, json.Unmarshal(out, &back))
			assert.Equal(t, d.Window, back.Window)
			assert.True(t, d.At.Equal(back.At))
			assert.Equal(t, d.Project, back.Project)
		})
	}
	for _, bad := range []string{`{"at":"2026-3-2"}`, `{"window":"a day"}`, `{"window":true}`, `{"at":12}`} {
		var d expertdb.DrawRequest
		assert.Error(t, json.Unmarshal([]byte(bad), &d), bad)
	}
}

// TestEnumWire: enums are written as their codes and read from codes, Chinese names and the
// integers of v0.1.0; an unknown code is refused.
func TestEnumWire(t *testing.T) {
	type all struct {
		Grade      evaluation.Grade      `json:"grade"`
		Attendance evaluation.Attendance `json:"attendance"`
		Title      admission.TitleLevel  `json:"title"`
		Mode       selection.Mode        `json:"mode"`
	}
	v := all{evaluation.Excellent, evaluation.NoShow, admission.AssociateSenior, selection.RFC3797}
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"grade":"excellent","attendance":"no-show","title":"associate-senior","mode":"rfc3797"}`, string(out))
	for _, in := range []string{string(out), `{"grade":3,"attendance":1,"title":3,"mode":1}`,
		`{"grade":"优秀","attendance":"No-Show","title":"副高级","mode":"RFC3797"}`} {
		var got all
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.Equal(t, v, got, in)
	}
	for _, in := range []string{`{"grade":"great"}`, `{"attendance":"late"}`, `{"title":"professor"}`, `{"mode":"v2"}`, `{"grade":1.5}`} {
		var got all
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}
}

// FuzzDrawRequestJSON: decoding a request file never panics, and what decodes re-encodes to
// a request that decodes to the same window and date.
func FuzzDrawRequestJSON(f *testing.F) {
	f.Add([]byte(`{"id":"R1","size":5,"at":"2026-03-02","window":"24h"}`))
	f.Add([]byte(`{"ID":"R1","Size":5,"At":"2026-03-02T09:00:00Z","window":86400000000000}`))
	f.Add([]byte(`{"unit":"x","labels":["key"],"entropy":{"sources":[[1,2]]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d expertdb.DrawRequest
		if json.Unmarshal(b, &d) != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			return // e.g. a year outside 0–9999
		}
		var back expertdb.DrawRequest
		require.NoError(t, json.Unmarshal(out, &back), string(out))
		require.Equal(t, d.Window, back.Window)
		require.True(t, d.At.Equal(back.At))
	})
}

// TestDatesWire: the dates an integrator writes in an expert's profile and in relations
// accept "1970-01-01" as well as RFC 3339 (issue 18: JSON dates rejected "1970-01-01").
func TestDatesWire(t *testing.T) {
	var e admission.Expert
	require.NoError(t, json.Unmarshal([]byte(`{"id":"E1","birth_date":"1970-01-01","title":"senior","affiliation":{"org":"瓯江大学","from":"2020-09-01"}}`), &e))
	assert.Equal(t, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), e.BirthDate)
	assert.Equal(t, admission.Senior, e.Title)
	assert.Equal(t, time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), e.Affiliation.From)
	var r conflict.Relation
	require.NoError(t, json.Unmarshal([]byte(`{"a":"E1","b":"L1","kind":"advisor","since":"2019-09-01T00:00:00+08:00"}`), &r))
	assert.Equal(t, "advisor", r.Kind)
	assert.True(t, r.Until.IsZero())
	assert.Equal(t, 2019, r.Since.Year())
	var x admission.Expert
	assert.Error(t, json.Unmarshal([]byte(`{"birth_date":"01/01/1970"}`), &x))
}

// TestNoInternalTypesInAPI: no exported declaration of a public package names a type of an
// internal package (issue 18: rule lists were []rules.Rule from internal/rules).
func TestNoInternalTypesInAPI(t *testing.T) {
	api, err := os.ReadFile("internal/apicheck/testdata/api.txt")
	require.NoError(t, err)
	for _, line := range strings.Split(string(api), "\n") {
		assert.NotContains(t, line, "expertdb/internal/", "the API baseline names an internal package")
	}
}
