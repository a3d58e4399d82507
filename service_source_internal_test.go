package expertdb

// Internal because EntropySource.problem, the check Commit runs, is unexported.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var fuzzNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// parseSourceKey reads a source key back (docs/draw-v1.md §13.1): Key is injective on valid
// sources exactly when this gives back the source.
func parseSourceKey(key string) (EntropySource, bool) {
	f := strings.Split(key, "\n")
	if len(f) != 7 || f[0] != "expertdb-entropy-source-v1" || f[6] != "" {
		return EntropySource{}, false
	}
	at, err := time.Parse(time.RFC3339, f[4])
	if err != nil {
		return EntropySource{}, false
	}
	n, err := strconv.Atoi(f[5])
	if err != nil {
		return EntropySource{}, false
	}
	return EntropySource{Kind: f[1], Name: f[2], Round: f[3], At: at, Count: n}, true
}

func sameSource(a, b EntropySource) bool {
	return a.Kind == b.Kind && a.Name == b.Name && a.Round == b.Round && a.At.Equal(b.At) && a.Count == b.Count
}

// FuzzEntropySource: entropy sources and public values arrive as JSON from integrators and
// the CLI (untrusted). Decoding, the commit's checks (problem, checkSource), the structural
// verifier and Key never panic; a valid source's Key reads back to the same source, so two
// different valid sources never share a Key (the commitment digest names one source).
func FuzzEntropySource(f *testing.F) {
	for _, s := range []string{
		`{"source":{"kind":"lottery","name":"中国福利彩票双色球","round":"2026025","at":"2026-03-02T21:15:00Z","count":7},"values":[3,9,14,21,27,30,11]}`,
		`{"source":{"kind":"beacon","name":"drand quicknet","round":"9999999","at":"2024-10-08T06:09:21Z","count":4},"values":[1,2,3,4],"proof":"abcd"}`,
		`{"source":{"kind":"beacon","name":"drand default","round":"18446744073709551615","at":"2026-03-02T10:00:00Z","count":4},"values":[1,2,3,4],"proof":""}`,
		`{"source":{"kind":"lottery","name":"a\nb","round":"1","at":"2026-03-02T10:00:00.5+08:00","count":65},"values":[]}`,
		`{"source":{"kind":"lottery","name":"中国福利彩票七乐彩","round":"1","at":"9999-12-31T23:59:59Z","count":8},"values":[1,2,3,4,5,6,7,30]}`,
		`{}`, `null`, `{"values":[18446744073709551615]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v PublicValue
		if json.Unmarshal(data, &v) != nil {
			return
		}
		src := v.Source
		p := src.problem(fuzzNow)
		key := src.Key()
		_ = StructuralVerifier{}.VerifyValue(context.Background(), v)
		_ = (&Service{}).checkSource(src, fuzzNow)
		if p != "" {
			return
		}
		back, ok := parseSourceKey(key)
		if !ok || !sameSource(back, src) {
			t.Fatalf("the key of a valid source does not read back: %q -> %+v (%v)", key, back, ok)
		}
	})
}

// TestEntropySourceKeyInjective: two valid sources with the same Key are the same source.
// Names and rounds are drawn from a tiny alphabet so that near-collisions (a character
// moved from the name to the round, a zone or sub-second change of the time) are common.
func TestEntropySourceKeyInjective(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) EntropySource {
		text := rapid.StringOfN(rapid.SampledFrom([]rune{'a', '1', ' ', '\n', '彩'}), 1, 4, -1)
		at := fuzzNow.Add(time.Duration(rapid.IntRange(-2, 4).Draw(t, "hours")) * time.Hour).
			Add(time.Duration(rapid.SampledFrom([]int{0, 0, 1, 500_000_000}).Draw(t, "ns")))
		if rapid.Bool().Draw(t, "zone") {
			at = at.In(time.FixedZone("CST", 8*3600))
		}
		return EntropySource{Kind: rapid.SampledFrom([]string{"lottery", "beacon", "x"}).Draw(t, "kind"),
			Name: text.Draw(t, "name"), Round: text.Draw(t, "round"), At: at, Count: rapid.IntRange(0, 3).Draw(t, "count")}
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b := gen.Draw(t, "a"), gen.Draw(t, "b")
		if rapid.Bool().Draw(t, "near") {
			// b is a near copy of a: the same but for a time shifted by less than a second,
			// another zone, or a character moved between the name and the round.
			b = a
			b.At = a.At.Add(time.Duration(rapid.SampledFrom([]int{0, 1, 999_999_999}).Draw(t, "shift")))
			if rapid.Bool().Draw(t, "rezone") {
				b.At = b.At.In(time.FixedZone("X", -5*3600))
			}
			if rapid.Bool().Draw(t, "move") && len(a.Name) > 1 {
				b.Name, b.Round = a.Name[:len(a.Name)-1], a.Name[len(a.Name)-1:]+a.Round
			}
		}
		if a.problem(fuzzNow) != "" || b.problem(fuzzNow) != "" {
			return
		}
		if a.Key() == b.Key() && !sameSource(a, b) {
			t.Fatalf("two different valid sources share a key:\n%+v\n%+v", a, b)
		}
	})
}
