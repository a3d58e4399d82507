package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

// tb is what the helpers need from *testing.T, *testing.B and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

const testOrigin = "audit.wzsti.example/expertdb"

// keys returns a deterministic Ed25519 note signer and verifier for name.
func keys(t tb, name string) (note.Signer, note.Verifier) {
	t.Helper()
	seed := bytes.Repeat([]byte(name), 64/len(name)+1)
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), name)
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return s, v
}

var t0 = time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)

var clerk = audit.Actor{ID: "u-division-1", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}

// ev builds a simple event i.
func ev(i int) audit.Event {
	return audit.Event{
		At:       t0.Add(time.Duration(i) * time.Minute),
		Actor:    clerk,
		Action:   audit.ActionView,
		Subjects: []string{fmt.Sprintf("e-%03d", i%17)},
		Data:     json.RawMessage(fmt.Sprintf(`{"kind":"expert","n":%d}`, i)),
	}
}

// newLog returns a log over a fresh memory store with n events.
func newLog(t tb, n int) (*audit.Log, *audit.MemoryStore, note.Verifier) {
	t.Helper()
	s, v := keys(t, testOrigin)
	st := audit.NewMemoryStore()
	l, err := audit.NewLog(context.Background(), st, s)
	require.NoError(t, err)
	for i := range n {
		_, err := l.Append(context.Background(), ev(i))
		require.NoError(t, err)
	}
	return l, st, v
}

// records copies every record of st.
func records(t tb, st audit.Store) [][]byte {
	t.Helper()
	ctx := context.Background()
	n, err := st.Len(ctx)
	require.NoError(t, err)
	rs, err := st.Read(ctx, 0, n)
	require.NoError(t, err)
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = bytes.Clone(r)
	}
	return out
}

// storeOf returns a fresh memory store holding rs.
func storeOf(t tb, rs [][]byte) *audit.MemoryStore {
	t.Helper()
	st := audit.NewMemoryStore()
	require.NoError(t, st.Append(context.Background(), rs...))
	return st
}

// ---- rapid generators ----

// textRunes avoid runs of digits that look like mobile or ID numbers (only the digit 1),
// and include what needs escaping.
var textRunes = []rune("aZ张三欧阳\"\\/\n\t\x01\x1f\u007f <>&é😀\u2028·1-_.:")

func genText(min, max int) *rapid.Generator[string] {
	return rapid.StringOfN(rapid.RuneFrom(textRunes), min, max, -1)
}

func genTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(-62135596800+1, 253402300799).Draw(t, "sec") // years 1..9999 UTC
		nsec := rapid.Int64Range(0, 999_999_999).Draw(t, "nsec")
		zone := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("X", -3*3600-1800)}).Draw(t, "zone")
		return time.Unix(sec, nsec).In(zone)
	})
}

// genJSON generates a JSON value (as Go data) of bounded depth.
func genJSON(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		kind := rapid.IntRange(0, 6).Draw(t, "kind")
		if depth <= 0 && kind >= 5 {
			kind = 0
		}
		switch kind {
		case 0:
			return genText(0, 8).Draw(t, "s")
		case 1:
			return rapid.IntRange(-1000, 1000).Draw(t, "i")
		case 2:
			return rapid.Bool().Draw(t, "b")
		case 3:
			return nil
		case 4:
			return rapid.Float64Range(-1e6, 1e6).Draw(t, "f")
		case 5:
			return rapid.SliceOfN(genJSON(depth-1), 0, 4).Draw(t, "a")
		default:
			return rapid.MapOfN(genText(0, 5), genJSON(depth-1), 0, 4).Draw(t, "o")
		}
	})
}

// genEvent generates a valid event.
func genEvent() *rapid.Generator[audit.Event] {
	return rapid.Custom(func(t *rapid.T) audit.Event {
		e := audit.Event{
			At: genTime().Draw(t, "at"),
			Actor: audit.Actor{
				ID: genText(1, 10).Draw(t, "id"), Name: genText(1, 6).Draw(t, "name"), Role: genText(1, 6).Draw(t, "role"),
				Unit: genText(0, 8).Draw(t, "unit"), OnBehalfOf: genText(0, 6).Draw(t, "obo"),
			},
			Action:   rapid.SampledFrom(audit.Actions()).Draw(t, "action"),
			Subjects: rapid.SliceOfN(genText(1, 8), 0, 5).Draw(t, "subjects"),
		}
		if rapid.Bool().Draw(t, "hasData") {
			v := genJSON(3).Draw(t, "data")
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if rapid.Bool().Draw(t, "indent") {
				var buf bytes.Buffer
				_ = json.Indent(&buf, b, " ", "\t")
				b = buf.Bytes()
			}
			e.Data = b
		}
		return e
	})
}

// mustEncode encodes e or fails.
func mustEncode(t require.TestingT, e audit.Event) []byte {
	b, err := e.Encode()
	require.NoError(t, err)
	return b
}

// contains reports whether any string in ss contains sub.
func contains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func timeMinutes(i int) time.Duration { return time.Duration(i) * time.Minute }
