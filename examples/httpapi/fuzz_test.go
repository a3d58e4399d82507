package main

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/problem"
)

// FuzzFilterFromQuery: any URL query is either a query or a bad-request problem naming a
// field; personal filters never come from a URL.
func FuzzFilterFromQuery(f *testing.F) {
	f.Add("status=active&limit=10&after=E0009")
	f.Add("min_title=senior&admitted_since=2026-03-02&region=3303")
	f.Add("text=%E7%8E%8B")
	f.Add("limit=x&updated_since=yesterday")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := filterFromQuery(v)
		if err != nil {
			require.ErrorIs(t, err, errBadRequest)
			d, ok := problem.Of(err)
			require.True(t, ok)
			require.NotEmpty(t, d.Code)
			require.NotEmpty(t, d.Field)
			return
		}
		require.False(t, q.Filter.Personal(), "a personal filter from a URL")
	})
}

// FuzzDecode: any body is decoded or answered with a problem whose position lies inside the
// body; the problem's status is 400.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"filter": {"status": "active"}, "limit": 5}`))
	f.Add([]byte("{\n  \"limit\": ,\n}"))
	f.Add([]byte(`{"filter": {"min_title": "professor"}}`))
	f.Add([]byte(`{"after": "E1"} {"after": "E2"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/v1/experts/search", bytes.NewReader(body))
		var q expertdb.ExpertQuery
		err := decode(r, &q)
		if err == nil {
			return
		}
		require.True(t, errors.Is(err, errBadRequest))
		d, ok := problem.Of(err)
		require.True(t, ok)
		lines := bytes.Count(body, []byte("\n")) + 1
		require.LessOrEqual(t, d.Line, lines)
		require.GreaterOrEqual(t, d.Column, 0)
		require.Equal(t, 400, problemOf(err, "/").Status)
	})
}
