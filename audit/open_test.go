package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

// copyStore builds the store an attacker leaves behind: the given records, the original
// store's stored hashes (when keepHashes) and its latest checkpoint (when keepCheckpoint).
func copyStore(t tb, from *audit.MemoryStore, recs [][]byte, keepHashes, keepCheckpoint bool) *audit.MemoryStore {
	t.Helper()
	ctx := context.Background()
	st := audit.NewMemoryStore()
	if len(recs) > 0 {
		require.NoError(t, st.Append(ctx, recs...))
	}
	if keepHashes && len(recs) > 0 {
		n := tlog.StoredHashCount(int64(len(recs)))
		idx := make([]int64, n)
		for i := range idx {
			idx[i] = int64(i)
		}
		hs, err := from.ReadHashes(ctx, idx)
		require.NoError(t, err)
		require.NoError(t, st.WriteHashes(ctx, idx, hs))
	}
	if keepCheckpoint {
		cp, err := from.LatestCheckpoint(ctx)
		require.NoError(t, err)
		if cp != nil {
			require.NoError(t, st.SaveCheckpoint(ctx, cp))
		}
	}
	return st
}

// edited re-encodes record i with another subject: still a canonical event.
func edited(t tb, rs [][]byte, i int) [][]byte {
	e, err := audit.Decode(rs[i])
	require.NoError(t, err)
	e.Subjects = []string{"e-forged"}
	e.Data = json.RawMessage(`{"kind":"expert","forged":true}`)
	return replace(rs, i, mustEncode(t, e))
}

// A log is verified before it is trusted: one edited record (with or without its stored
// hashes rewritten), a truncated tail, a removed checkpoint or a record that is not an
// event each refuse the open.
func TestNewLogRefusesATamperedStore(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	_, st, _ := newLog(t, 12)
	rs := records(t, st)

	ok, err := audit.NewLog(ctx, copyStore(t, st, rs, true, true), s)
	require.NoError(t, err, "an untouched copy opens")
	assert.Equal(t, int64(12), ok.Size())

	cases := []struct {
		name  string
		store *audit.MemoryStore
		want  error
	}{
		{"edited record, hashes kept", copyStore(t, st, edited(t, rs, 5), true, true), audit.ErrMismatch},
		{"edited record, hashes rewritten", copyStore(t, st, edited(t, rs, 5), false, true), audit.ErrMismatch},
		{"edited last record, hashes rewritten", copyStore(t, st, edited(t, rs, 11), false, true), audit.ErrMismatch},
		{"truncated by one", copyStore(t, st, rs[:11], false, true), audit.ErrTruncated},
		{"truncated to nothing", copyStore(t, st, nil, false, true), audit.ErrTruncated},
		{"checkpoint removed", copyStore(t, st, rs, true, false), audit.ErrCheckpoint},
		{"not an event", copyStore(t, st, replace(rs, 3, []byte(`{"x":1}`)), false, true), audit.ErrBadRecord},
		{"two records swapped", copyStore(t, st, swap(rs, 2, 7), false, true), audit.ErrMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := audit.NewLog(ctx, c.store, s)
			require.ErrorIs(t, err, c.want)
		})
	}
}

// Property: any single edited record or any truncation of a log of any size is refused at open.
func TestNewLogRefusesAnyEditOrTruncation(t *testing.T) {
	s, _ := keys(t, testOrigin)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		_, st, _ := newLog(t, n)
		rs := records(t, st)
		var bad [][]byte
		if rapid.Bool().Draw(t, "truncate") {
			bad = rs[:rapid.IntRange(0, n-1).Draw(t, "keep")]
		} else {
			bad = edited(t, rs, rapid.IntRange(0, n-1).Draw(t, "record"))
		}
		_, err := audit.NewLog(context.Background(), copyStore(t, st, bad, rapid.Bool().Draw(t, "hashes"), true), s)
		require.Error(t, err)
	})
}

// A staged append that is aborted leaves neither the store nor the log's state moved; a
// committed one is like Append. An event the guard refuses writes nothing.
func TestStageCommitAbort(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	l, st, v := newLog(t, 3)
	head := l.Head()

	p, err := l.Stage(ctx, ev(3), ev(4))
	require.NoError(t, err)
	assert.Equal(t, int64(3), p.Start())
	p.Abort()
	p.Abort() // idempotent
	assert.Equal(t, head, l.Head())
	n, err := st.Len(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), n, "the aborted records are gone from the store")
	_, err = audit.NewLog(ctx, st, s)
	require.NoError(t, err, "the store still opens after an abort")

	_, err = l.Stage(ctx, audit.Event{At: t0, Actor: clerk, Action: audit.ActionView, Subjects: []string{"13812345678"},
		Data: json.RawMessage(`{"kind":"expert"}`)})
	require.Error(t, err, "a mobile number in a subject is refused")
	n, _ = st.Len(ctx)
	assert.Equal(t, int64(3), n)

	p, err = l.Stage(ctx, ev(3))
	require.NoError(t, err)
	p.Commit()
	assert.Equal(t, int64(4), l.Size())
	cp, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, st, cp, v))
	again, err := audit.NewLog(ctx, st, s)
	require.NoError(t, err)
	assert.Equal(t, l.Head(), again.Head())
}

// Query never returns a record edited in the store after the log verified it.
func TestQueryRefusesARecordEditedAfterOpen(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	_, st, _ := newLog(t, 4)
	rs := records(t, st)
	sw := &swapStore{Store: copyStore(t, st, rs, true, true)}
	l, err := audit.NewLog(ctx, sw, s)
	require.NoError(t, err)
	sw.Store = copyStore(t, st, edited(t, rs, 2), false, false)
	_, err = l.Query(ctx, audit.Query{})
	require.ErrorIs(t, err, audit.ErrMismatch)
	_, err = l.Events(ctx, 2, 1)
	require.ErrorIs(t, err, audit.ErrMismatch)
	_ = bytes.Equal
}

// With SetCheckpointEvery(n) the persisted checkpoint lags by up to n-1 records: a
// truncation past it is still refused.
func TestCheckpointEvery(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	st := audit.NewMemoryStore()
	l, err := audit.NewLog(ctx, st, s)
	require.NoError(t, err)
	l.SetCheckpointEvery(4)
	for i := range 6 {
		_, err := l.Append(ctx, ev(i))
		require.NoError(t, err)
	}
	signed, err := st.LatestCheckpoint(ctx)
	require.NoError(t, err)
	cp, err := audit.ParseCheckpoint(append(bytes.SplitN(signed, []byte("\n\n"), 2)[0], '\n'))
	require.NoError(t, err)
	assert.Equal(t, int64(4), cp.Size)
	rs := records(t, st)
	_, err = audit.NewLog(ctx, copyStore(t, st, rs[:5], false, true), s)
	require.NoError(t, err, "within the lag: not caught by the checkpoint")
	_, err = audit.NewLog(ctx, copyStore(t, st, rs[:3], false, true), s)
	require.ErrorIs(t, err, audit.ErrTruncated)
}

// FuzzNewLogPersistedCheckpoint: whatever bytes sit in the checkpoint store, NewLog never
// panics, and opens only when they are a checkpoint this log's key signed of a prefix of
// the records.
func FuzzNewLogPersistedCheckpoint(f *testing.F) {
	s, _ := keys(f, testOrigin)
	_, st, _ := newLog(f, 5)
	genuine, err := st.LatestCheckpoint(context.Background())
	require.NoError(f, err)
	rs := records(f, st)
	f.Add(genuine)
	f.Add([]byte{})
	f.Add(bytes.Replace(genuine, []byte("\n5\n"), []byte("\n4\n"), 1))
	f.Add(bytes.Replace(genuine, []byte("\n5\n"), []byte("\n6\n"), 1))
	f.Add([]byte(testOrigin + "\n3\nAAAA\n\n— x y\n"))
	f.Fuzz(func(t *testing.T, cp []byte) {
		ctx := context.Background()
		c := copyStore(t, st, rs, true, false)
		require.NoError(t, c.SaveCheckpoint(ctx, cp))
		l, err := audit.NewLog(ctx, c, s)
		if err != nil {
			return
		}
		// Opened: the bytes must be a checkpoint this key signed of some prefix.
		if len(cp) > 0 {
			text, _, ok := bytes.Cut(cp, []byte("\n\n"))
			require.True(t, ok)
			parsed, err := audit.ParseCheckpoint(append(text, '\n'))
			require.NoError(t, err)
			require.LessOrEqual(t, parsed.Size, l.Size())
			p, err := l.ProveConsistency(parsed.Size, l.Size())
			require.NoError(t, err)
			require.NoError(t, audit.CheckConsistency(parsed, l.Head(), p))
		}
	})
}
