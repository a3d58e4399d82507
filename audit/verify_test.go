package audit_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

// Every kind of tampering the issue names is detected, each with its own error.
func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 12)
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, st, signed, v))
	good := records(t, st)

	// A record that is itself a valid, canonical event (so only the tree can tell).
	forgedEvent := ev(5)
	forgedEvent.Actor.Name = "赵六"
	forgedRec := mustEncode(t, forgedEvent)

	_, sameKeyVerifier := keys(t, testOrigin) // the same key, parsed again
	wrongSigner, wrongVerifier := keys(t, "audit.other.example/log")

	cp, err := audit.OpenCheckpoint(signed, v)
	require.NoError(t, err)
	sign := func(c audit.Checkpoint, s note.Signer) []byte {
		b, err := note.Sign(&note.Note{Text: string(c.Text())}, s)
		require.NoError(t, err)
		return b
	}
	mainSigner, _ := keys(t, testOrigin)

	cases := []struct {
		name  string
		recs  [][]byte
		cp    []byte
		v     note.Verifier
		want  error
		index string
	}{
		{"untouched", good, signed, v, nil, ""},
		{"same key, fresh verifier", good, signed, sameKeyVerifier, nil, ""},
		{"grown after checkpoint", append(slices.Clone(good), mustEncode(t, ev(99))), signed, v, nil, ""},
		{"flipped bit in a record", replace(good, 4, flip(good[4], 30)), signed, v, audit.ErrBadRecord, "record 4"},
		{"flipped bit in data number", replace(good, 4, bytes.Replace(good[4], []byte(`"n":4`), []byte(`"n":5`), 1)), signed, v, audit.ErrMismatch, ""},
		{"record replaced by a valid event", replace(good, 5, forgedRec), signed, v, audit.ErrMismatch, ""},
		{"record removed", slices.Delete(slices.Clone(good), 3, 4), signed, v, audit.ErrTruncated, ""},
		{"record removed, log grown", append(slices.Delete(slices.Clone(good), 3, 4), mustEncode(t, ev(99))), signed, v, audit.ErrMismatch, ""},
		{"records reordered", swap(good, 2, 7), signed, v, audit.ErrMismatch, ""},
		{"record inserted", slices.Insert(slices.Clone(good), 6, mustEncode(t, ev(50))), signed, v, audit.ErrMismatch, ""},
		{"record duplicated", slices.Insert(slices.Clone(good), 6, good[5]), signed, v, audit.ErrMismatch, ""},
		{"truncated", good[:11], signed, v, audit.ErrTruncated, ""},
		{"emptied", nil, signed, v, audit.ErrTruncated, ""},
		{"checkpoint signed by another key", good, sign(cp, wrongSigner), v, audit.ErrCheckpoint, ""},
		{"checkpoint checked with another key", good, signed, wrongVerifier, audit.ErrCheckpoint, ""},
		{"checkpoint body edited after signing", good, bytes.Replace(signed, []byte("\n12\n"), []byte("\n11\n"), 1), v, audit.ErrCheckpoint, ""},
		{"signature stripped", good, signed[:bytes.Index(signed, []byte("\n\n"))+2], v, audit.ErrCheckpoint, ""},
		{"forged root signed by the log key", good, sign(audit.Checkpoint{Origin: testOrigin, Size: 12, Hash: tlog.RecordHash([]byte("x"))}, mainSigner), v, audit.ErrMismatch, ""},
		{"forged larger size signed by the log key", good, sign(audit.Checkpoint{Origin: testOrigin, Size: 13, Hash: cp.Hash}, mainSigner), v, audit.ErrTruncated, ""},
		{"garbage checkpoint", good, []byte("hello"), v, audit.ErrCheckpoint, ""},
		{"non-canonical but equivalent record", replace(good, 1, bytes.Replace(good[1], []byte(`{"v":1,`), []byte(`{"v":1, `), 1)), signed, v, audit.ErrBadRecord, "record 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := audit.Verify(ctx, storeOf(t, c.recs), c.cp, c.v)
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "audit: "), err.Error())
			if c.index != "" {
				assert.Contains(t, err.Error(), c.index)
			}
		})
	}
}

// Verify with a checkpoint from a foreign log whose key has the verifier's name but
// another key fails on the key hash.
func TestVerifyOriginMustMatchVerifier(t *testing.T) {
	ctx := context.Background()
	_, st, _ := newLog(t, 3)
	s2, _ := keys(t, "someone.else/log")
	// The store's own checkpoints name the first log's key: another key may not open it.
	_, err := audit.NewLog(ctx, st, s2)
	require.ErrorIs(t, err, audit.ErrCheckpoint)
	l2, err := audit.NewLog(ctx, plainStore{st}, s2)
	require.NoError(t, err)
	foreign, err := l2.Checkpoint(ctx)
	require.NoError(t, err)
	_, v := keys(t, testOrigin)
	require.ErrorIs(t, audit.Verify(ctx, st, foreign, v), audit.ErrCheckpoint)
}

func replace(rs [][]byte, i int, r []byte) [][]byte {
	out := slices.Clone(rs)
	out[i] = r
	return out
}

func swap(rs [][]byte, i, j int) [][]byte {
	out := slices.Clone(rs)
	out[i], out[j] = out[j], out[i]
	return out
}

func flip(r []byte, bit int) []byte {
	out := bytes.Clone(r)
	out[bit/8] ^= 1 << (bit % 8)
	return out
}

// Any single flipped bit anywhere in any record is detected.
func TestVerifyDetectsAnyBitFlip(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 9)
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	good := records(t, st)
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(good)-1).Draw(t, "record")
		bit := rapid.IntRange(0, 8*len(good[i])-1).Draw(t, "bit")
		err := audit.Verify(ctx, storeOf(t, replace(good, i, flip(good[i], bit))), signed, v)
		require.Error(t, err)
		require.True(t, errorsIsAny(err, audit.ErrBadRecord, audit.ErrMismatch), err.Error())
	})
}

// Any permutation of the records other than the identity is detected, and so is any
// removal or insertion of a valid record.
func TestVerifyDetectsAnyReorderRemovalOrInsertion(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 8)
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	good := records(t, st)
	rapid.Check(t, func(t *rapid.T) {
		var rs [][]byte
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			rs = rapid.Permutation(good).Draw(t, "perm")
			if slices.EqualFunc(rs, good, bytes.Equal) {
				return
			}
		case 1:
			i := rapid.IntRange(0, len(good)-1).Draw(t, "i")
			rs = slices.Delete(slices.Clone(good), i, i+1)
			rs = append(rs, mustEncode(t, ev(1000))) // keep the length
		default:
			i := rapid.IntRange(0, len(good)).Draw(t, "i")
			rs = slices.Insert(slices.Clone(good), i, mustEncode(t, ev(rapid.IntRange(0, 2000).Draw(t, "e"))))
			if slices.EqualFunc(rs[:len(good)], good, bytes.Equal) {
				return // the checkpointed prefix is intact (appended after it, or a copy of the last record inserted before it): legitimate growth
			}
		}
		require.ErrorIs(t, audit.Verify(ctx, storeOf(t, rs), signed, v), audit.ErrMismatch)
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// Verify never panics and never accepts arbitrary bytes: as the checkpoint, or as a record
// of a log whose genuine checkpoint is used.
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	l, st, v := newLog(f, 5)
	signed, err := l.Checkpoint(ctx)
	require.NoError(f, err)
	good := records(f, st)
	f.Add(signed, good[2], uint8(2))
	f.Add([]byte("audit.wzsti.example/expertdb\n5\nAAAA\n\n— x\n"), []byte(`{"v":1}`), uint8(0))
	f.Add(bytes.Replace(signed, []byte("\n5\n"), []byte("\n4\n"), 1), good[4], uint8(4))
	f.Fuzz(func(t *testing.T, cp, rec []byte, at uint8) {
		// 1. arbitrary checkpoint bytes over the genuine store
		err := audit.Verify(ctx, st, cp, v)
		if err == nil && !bytes.Equal(cp, signed) {
			// Only a genuine signature of the log key can pass; the only one we made is signed.
			c, err := audit.OpenCheckpoint(cp, v)
			require.NoError(t, err)
			require.Equal(t, l.Head().Hash, c.Hash)
		}
		// 2. the genuine checkpoint over a store with one record replaced by arbitrary bytes
		i := int(at) % len(good)
		err = audit.Verify(ctx, storeOf(t, replace(good, i, rec)), signed, v)
		if bytes.Equal(rec, good[i]) {
			require.NoError(t, err)
		} else {
			require.Error(t, err)
		}
	})
}
