package sqlstore

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
)

// TestDrawCodecCoversExpert fails when admission.Expert or one of its parts gains (or loses)
// a field: the draw encoding must then be extended, or a draw would read a profile without it.
func TestDrawCodecCoversExpert(t *testing.T) {
	fields := func(v any) []string {
		ty := reflect.TypeOf(v)
		out := make([]string, ty.NumField())
		for i := range out {
			out[i] = ty.Field(i).Name
		}
		return out
	}
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{admission.Expert{}, []string{"ID", "Name", "IDNumber", "Mobile", "BirthDate", "RetirementAge", "Affiliation", "Past", "Title",
			"Categories", "Fields", "Region", "Credentials", "Records", "Status", "Exits", "UpdatedAt", "Tags", "Trainings", "Entries", "Unavailable"}},
		{admission.Affiliation{}, []string{"Org", "OrgCode", "Kind", "Department", "Position", "From", "To"}},
		{admission.Credential{}, []string{"Kind", "Detail", "Date"}},
		{admission.Record{}, []string{"Kind", "Detail", "Date", "Serious", "Article", "Review"}},
		{admission.RecordReview{}, []string{"Outcome", "By", "At", "Reason"}},
		{admission.Exit{}, []string{"Reason", "Date", "Note", "ApprovedBy", "Evidence"}},
		{admission.Training{}, []string{"Kind", "Online", "Date", "Hours", "Note"}},
		{admission.Entry{}, []string{"Channel", "Date", "ReviewedBy", "Source", "SourceID"}},
		{admission.Period{}, []string{"From", "To", "Reason"}},
	} {
		assert.Equal(t, tc.want, fields(tc.v), "%T changed: extend the draw encoding (codec.go)", tc.v)
	}
}

func genTime(t *rapid.T, label string) time.Time {
	switch rapid.IntRange(0, 3).Draw(t, label+".kind") {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(rapid.Int64Range(-3e9, 5e9).Draw(t, label+".s"), rapid.Int64Range(0, 999999999).Draw(t, label+".ns")).UTC()
	case 2:
		off := rapid.IntRange(-12, 14).Draw(t, label+".off") * 3600
		return time.Unix(rapid.Int64Range(-3e9, 5e9).Draw(t, label+".s"), 0).In(time.FixedZone("", off))
	default:
		return time.Date(rapid.IntRange(1940, 2030).Draw(t, label+".y"), 6, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	}
}

func genStr(t *rapid.T, label string) string {
	return rapid.StringMatching(`[a-z0-9一-龥 \-]{0,12}`).Draw(t, label)
}

func genAff(t *rapid.T, label string) admission.Affiliation {
	return admission.Affiliation{Org: genStr(t, label+".org"), OrgCode: genStr(t, label+".code"), Kind: admission.OrgKind(genStr(t, label+".kind")),
		Department: genStr(t, label+".dep"), Position: genStr(t, label+".pos"), From: genTime(t, label+".from"), To: genTime(t, label+".to")}
}

func genList[T any](t *rapid.T, label string, gen func(*rapid.T, string) T) []T {
	n := rapid.IntRange(0, 3).Draw(t, label+".n")
	if n == 0 {
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = gen(t, label)
	}
	return out
}

func genExpert(t *rapid.T) admission.Expert {
	return admission.Expert{
		ID: genStr(t, "id"), Name: genStr(t, "name"), IDNumber: genStr(t, "idn"), Mobile: genStr(t, "mobile"),
		BirthDate: genTime(t, "birth"), RetirementAge: rapid.IntRange(0, 80).Draw(t, "ret"), Affiliation: genAff(t, "aff"),
		Past: genList(t, "past", genAff), Title: admission.TitleLevel(rapid.IntRange(-1, 5).Draw(t, "title")),
		Categories: genList(t, "cat", func(t *rapid.T, l string) admission.Category { return admission.Category(genStr(t, l)) }),
		Fields:     genList(t, "field", genStr), Region: genStr(t, "region"),
		Credentials: genList(t, "cred", func(t *rapid.T, l string) admission.Credential {
			return admission.Credential{Kind: genStr(t, l+".k"), Detail: genStr(t, l+".d"), Date: genTime(t, l+".t")}
		}),
		Records: genList(t, "rec", func(t *rapid.T, l string) admission.Record {
			r := admission.Record{Kind: genStr(t, l+".k"), Detail: genStr(t, l+".d"), Date: genTime(t, l+".t"), Serious: rapid.Bool().Draw(t, l+".s"),
				Article: genStr(t, l+".a")}
			if rapid.Bool().Draw(t, l+".reviewed") {
				r.Review = &admission.RecordReview{Outcome: admission.ReviewOutcome(genStr(t, l+".ro")), By: genStr(t, l+".rb"), At: genTime(t, l+".rt"), Reason: genStr(t, l+".rr")}
			}
			return r
		}),
		Status: admission.Status(genStr(t, "status")),
		Exits: genList(t, "exit", func(t *rapid.T, l string) admission.Exit {
			return admission.Exit{Reason: admission.ExitReason(genStr(t, l+".r")), Date: genTime(t, l+".t"), Note: genStr(t, l+".n"), ApprovedBy: genStr(t, l+".a"),
				Evidence: genList(t, l+".ev", func(t *rapid.T, l string) string { return genStr(t, l) })}
		}),
		UpdatedAt: genTime(t, "updated"), Tags: genList(t, "tag", genStr),
		Trainings: genList(t, "tr", func(t *rapid.T, l string) admission.Training {
			return admission.Training{Kind: admission.TrainingKind(genStr(t, l+".k")), Online: rapid.Bool().Draw(t, l+".o"), Date: genTime(t, l+".t"),
				Hours: rapid.IntRange(-5, 1000).Draw(t, l+".h"), Note: genStr(t, l+".n")}
		}),
		Entries: genList(t, "ent", func(t *rapid.T, l string) admission.Entry {
			return admission.Entry{Channel: admission.Channel(genStr(t, l+".c")), Date: genTime(t, l+".t"), ReviewedBy: genStr(t, l+".r"),
				Source: genStr(t, l+".s"), SourceID: genStr(t, l+".i")}
		}),
		Unavailable: genList(t, "per", func(t *rapid.T, l string) admission.Period {
			return admission.Period{From: genTime(t, l+".f"), To: genTime(t, l+".t"), Reason: genStr(t, l+".r")}
		}),
	}
}

// TestDrawCodecRoundTrip: decoding the draw encoding gives the profile JSON decoding gives
// (compared as JSON, which fixes instants, offsets and every field), and the decoded lists
// never share capacity, so appending to one cannot write into another expert.
func TestDrawCodecRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		es := []admission.Expert{genExpert(t), genExpert(t)}
		var ar arenas
		got := make([]admission.Expert, len(es))
		digest := strings.Repeat("ab", 32)
		for i := range es {
			d, err := decodeDraw(string(encodeDraw(nil, digest, &es[i])), &got[i], &ar)
			require.NoError(t, err)
			require.Equal(t, digest, d)
		}
		for i := range es {
			want, err := json.Marshal(es[i])
			require.NoError(t, err)
			var viaJSON admission.Expert
			require.NoError(t, json.Unmarshal(want, &viaJSON))
			have, err := json.Marshal(got[i])
			require.NoError(t, err)
			require.JSONEq(t, string(want), string(have))
			require.Equal(t, len(got[i].Tags), cap(got[i].Tags))
		}
		before := slices.Clone(got[1].Tags)
		got[0].Tags = append(got[0].Tags, "x")
		require.Equal(t, before, got[1].Tags)
	})
}

// FuzzDecodeDraw: the draw column is read from a database another program may write; any
// bytes decode to an error or an expert, never a panic, and what decodes re-encodes to itself.
func FuzzDecodeDraw(f *testing.F) {
	e := admission.Expert{ID: "E1", Name: "王", Categories: []admission.Category{"technical"}, BirthDate: time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC),
		Past: []admission.Affiliation{{Org: "x"}}, Unavailable: []admission.Period{{From: time.Unix(5, 0).In(time.FixedZone("", 3600))}}}
	digest := strings.Repeat("0f", 32)
	f.Add(encodeDraw(nil, digest, &e))
	f.Add([]byte{1})
	f.Add(append([]byte{1}, strings.Repeat("0", 64)+"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var x admission.Expert
		var ar arenas
		d, err := decodeDraw(string(b), &x, &ar)
		if err != nil {
			return
		}
		var y admission.Expert
		d2, err := decodeDraw(string(encodeDraw(nil, d, &x)), &y, &ar)
		require.NoError(t, err)
		require.Equal(t, d, d2)
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		require.Equal(t, string(jx), string(jy))
	})
}
