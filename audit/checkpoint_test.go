package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

const hash43 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" // SHA-256 of nothing

func TestParseCheckpoint(t *testing.T) {
	empty, err := tlog.ParseHash(hash43)
	require.NoError(t, err)
	cases := []struct {
		name, text string
		want       *audit.Checkpoint
	}{
		{"C2SP body", "example.com/log\n0\n" + hash43 + "\n", &audit.Checkpoint{Origin: "example.com/log", Size: 0, Hash: empty}},
		{"large size", "o\n9223372036854775807\n" + hash43 + "\n", &audit.Checkpoint{Origin: "o", Size: 1<<63 - 1, Hash: empty}},
		{"extension lines", "o\n1\n" + hash43 + "\next one\next two\n", &audit.Checkpoint{Origin: "o", Size: 1, Hash: empty}},
		{"no final newline", "o\n1\n" + hash43, nil},
		{"two lines", "o\n1\n", nil},
		{"empty origin", "\n1\n" + hash43 + "\n", nil},
		{"origin with tab", "o\tx\n1\n" + hash43 + "\n", nil},
		{"leading zero", "o\n01\n" + hash43 + "\n", nil},
		{"plus sign", "o\n+1\n" + hash43 + "\n", nil},
		{"negative", "o\n-1\n" + hash43 + "\n", nil},
		{"overflow", "o\n9223372036854775808\n" + hash43 + "\n", nil},
		{"short hash", "o\n1\nAAAA\n", nil},
		{"unpadded hash", "o\n1\n" + strings.TrimRight(hash43, "=") + "\n", nil},
		{"url-safe hash", "o\n1\n" + strings.NewReplacer("+", "-", "/", "_").Replace(hash43) + "\n", nil},
		{"empty extension", "o\n1\n" + hash43 + "\n\n", nil},
		{"not UTF-8", "o\xff\n1\n" + hash43 + "\n", nil},
		{"CRLF", "o\r\n1\r\n" + hash43 + "\r\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := audit.ParseCheckpoint([]byte(c.text))
			if c.want == nil {
				require.ErrorIs(t, err, audit.ErrCheckpoint)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, *c.want, got)
		})
	}
}

// Text and ParseCheckpoint are inverse.
func TestCheckpointTextRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := audit.Checkpoint{
			Origin: rapid.StringMatching(`[a-z0-9.]{1,20}(/[a-z0-9]{1,10})?`).Draw(t, "origin"),
			Size:   rapid.Int64Min(0).Draw(t, "size"),
		}
		copy(c.Hash[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "hash"))
		got, err := audit.ParseCheckpoint(c.Text())
		require.NoError(t, err)
		require.Equal(t, c, got)
	})
}

func TestOpenCheckpoint(t *testing.T) {
	s, v := keys(t, testOrigin)
	body := audit.Checkpoint{Origin: testOrigin, Size: 3}.Text()
	signed, err := note.Sign(&note.Note{Text: string(body)}, s)
	require.NoError(t, err)
	c, err := audit.OpenCheckpoint(signed, v)
	require.NoError(t, err)
	assert.Equal(t, int64(3), c.Size)

	// Origin other than the key name, correctly signed: refused.
	other, err := note.Sign(&note.Note{Text: string(audit.Checkpoint{Origin: "x/y", Size: 3}.Text())}, s)
	require.NoError(t, err)
	_, err = audit.OpenCheckpoint(other, v)
	require.ErrorIs(t, err, audit.ErrCheckpoint)
	assert.Contains(t, err.Error(), "origin")

	_, err = audit.OpenCheckpoint(signed, nil)
	require.ErrorIs(t, err, audit.ErrCheckpoint)
	_, err = audit.OpenCheckpoint(bytes.Repeat([]byte("a"), 1<<20), v)
	require.ErrorIs(t, err, audit.ErrCheckpoint)
}

// The checkpoint parser never panics and accepts only what it would write back.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("example.com/log\n0\n" + hash43 + "\n"))
	f.Add([]byte("o\n12\n" + hash43 + "\next\n"))
	f.Add([]byte("o\n-0\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := audit.ParseCheckpoint(text)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrCheckpoint)
			return
		}
		require.True(t, bytes.HasPrefix(text, c.Text()), "accepted body must start with its canonical text")
		again, err := audit.ParseCheckpoint(c.Text())
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}

// Opening arbitrary bytes as a signed checkpoint never panics and never succeeds without the
// log key's signature.
func FuzzOpenCheckpoint(f *testing.F) {
	s, v := keys(f, testOrigin)
	signed, err := note.Sign(&note.Note{Text: string(audit.Checkpoint{Origin: testOrigin, Size: 7}.Text())}, s)
	require.NoError(f, err)
	f.Add(signed)
	f.Add([]byte("x\n\n— x abc\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := audit.OpenCheckpoint(msg, v)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrCheckpoint)
			return
		}
		require.Equal(t, testOrigin, c.Origin)
		require.Equal(t, int64(7), c.Size, "only the one note we signed can open")
	})
}
