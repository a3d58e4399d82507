package audit_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

// plainStore hides every optional capability of the MemoryStore.
type plainStore struct{ s *audit.MemoryStore }

func (p plainStore) Len(ctx context.Context) (int64, error) { return p.s.Len(ctx) }
func (p plainStore) Append(ctx context.Context, r ...[]byte) error {
	return p.s.Append(ctx, r...)
}
func (p plainStore) Read(ctx context.Context, start, n int64) ([][]byte, error) {
	return p.s.Read(ctx, start, n)
}

var _ audit.Store = plainStore{}

func TestAppendCheckpointProofs(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 0)
	assert.Equal(t, testOrigin, l.Origin())
	for i := range 10 {
		idx, err := l.Append(ctx, ev(i))
		require.NoError(t, err)
		assert.Equal(t, int64(i), idx)
	}
	assert.Equal(t, int64(10), l.Size())

	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	cp, err := audit.OpenCheckpoint(signed, v)
	require.NoError(t, err)
	assert.Equal(t, audit.Checkpoint{Origin: testOrigin, Size: 10, Hash: cp.Hash}, cp)
	assert.Equal(t, l.Head(), cp)
	require.NoError(t, audit.Verify(ctx, st, signed, v))

	rs := records(t, st)
	for i := range int64(10) {
		p, err := l.ProveInclusion(i, 10)
		require.NoError(t, err)
		require.NoError(t, audit.CheckInclusion(cp, p, rs[i]))
		// The proof does not fit another record or another position.
		require.ErrorIs(t, audit.CheckInclusion(cp, p, rs[(i+1)%10]), audit.ErrProof)
		p.Index = (i + 1) % 10
		require.ErrorIs(t, audit.CheckInclusion(cp, p, rs[i]), audit.ErrProof)
	}
	_, err = l.ProveInclusion(10, 10)
	require.ErrorIs(t, err, audit.ErrNotFound)
	_, err = l.ProveInclusion(0, 11)
	require.ErrorIs(t, err, audit.ErrNotFound)

	// Grow, then prove the new tree extends the old one.
	_, err = l.AppendBatch(ctx, ev(10), ev(11), ev(12))
	require.NoError(t, err)
	signed2, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	cp2, err := audit.OpenCheckpoint(signed2, v)
	require.NoError(t, err)
	cons, err := l.ProveConsistency(10, 13)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(cp, cp2, cons))
	require.ErrorIs(t, audit.CheckConsistency(cp2, cp, cons), audit.ErrProof)
	forged := cp
	forged.Hash[0] ^= 1
	require.ErrorIs(t, audit.CheckConsistency(forged, cp2, cons), audit.ErrProof)
	// Old checkpoints still verify against the grown store.
	require.NoError(t, audit.Verify(ctx, st, signed, v))
}

func TestEmptyLog(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 0)
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, st, signed, v))
	empty, err := audit.OpenCheckpoint(signed, v)
	require.NoError(t, err)
	assert.Zero(t, empty.Size)
	i, err := l.AppendBatch(ctx)
	require.NoError(t, err)
	assert.Zero(t, i)
	_, err = l.Append(ctx, ev(0))
	require.NoError(t, err)
	p, err := l.ProveConsistency(0, 1)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(empty, l.Head(), p))
}

func TestNewLogArguments(t *testing.T) {
	s, _ := keys(t, testOrigin)
	_, err := audit.NewLog(context.Background(), nil, s)
	require.Error(t, err)
	_, err = audit.NewLog(context.Background(), audit.NewMemoryStore(), nil)
	require.Error(t, err)
}

// A batch is atomic: one bad event and nothing is appended.
func TestAppendBatchIsAtomic(t *testing.T) {
	ctx := context.Background()
	l, st, _ := newLog(t, 3)
	bad := ev(4)
	bad.Action = "erase"
	_, err := l.AppendBatch(ctx, ev(3), bad, ev(5))
	require.ErrorIs(t, err, audit.ErrInvalidEvent)
	assert.Contains(t, err.Error(), "event 1")
	assert.Equal(t, int64(3), l.Size())
	n, _ := st.Len(ctx)
	assert.Equal(t, int64(3), n)
}

// failingStore fails every append.
type failingStore struct{ plainStore }

func (failingStore) Append(context.Context, ...[]byte) error { return errors.New("disk full") }

func TestAppendStoreFailureLeavesLogUnchanged(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	mem := audit.NewMemoryStore()
	l, err := audit.NewLog(ctx, failingStore{plainStore{mem}}, s)
	require.NoError(t, err)
	before := l.Head()
	_, err = l.Append(ctx, ev(0))
	require.ErrorContains(t, err, "disk full")
	assert.Equal(t, before, l.Head())
}

// Appends from many goroutines get distinct consecutive indexes with no gap, and each index
// holds the event appended with it.
func TestConcurrentAppendNeverLeavesAGap(t *testing.T) {
	ctx := context.Background()
	l, st, v := newLog(t, 0)
	const workers, each = 8, 50
	idx := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := ev(w*each + i)
				var got int64
				var err error
				if i%5 == 0 {
					got, err = l.AppendBatch(ctx, e, ev(100000+w*each+i))
					idx[w] = append(idx[w], got+1)
				} else {
					got, err = l.Append(ctx, e)
				}
				if err != nil {
					t.Error(err)
					return
				}
				idx[w] = append(idx[w], got)
			}
		})
	}
	wg.Wait()
	all := slices.Concat(idx...)
	slices.Sort(all)
	total := workers * (each + each/5)
	require.Len(t, all, total)
	for i, x := range all {
		require.Equal(t, int64(i), x)
	}
	for w := range workers {
		for _, x := range idx[w] {
			e, err := l.Events(ctx, x, 1)
			require.NoError(t, err)
			n := int64(e[0].At.Sub(t0).Minutes())
			require.True(t, n/each == int64(w) || (n-100000)/each == int64(w), "index %d holds another worker's event", x)
		}
	}
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, st, signed, v))
}

// Two logs (two processes) sharing one ConditionalStore never fork it: each re-syncs on
// conflict, every index is used once, and both end with the same tree.
func TestTwoWritersNeverFork(t *testing.T) {
	ctx := context.Background()
	s, v := keys(t, testOrigin)
	st := audit.NewMemoryStore()
	a, err := audit.NewLog(ctx, st, s)
	require.NoError(t, err)
	b, err := audit.NewLog(ctx, st, s)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][]int64, 2)
	for w, l := range []*audit.Log{a, b} {
		wg.Go(func() {
			for i := range 100 {
				x, err := l.Append(ctx, ev(w*1000+i))
				if err != nil {
					t.Error(err)
					return
				}
				got[w] = append(got[w], x)
			}
		})
	}
	wg.Wait()
	all := slices.Concat(got...)
	slices.Sort(all)
	require.Len(t, all, 200)
	for i, x := range all {
		require.Equal(t, int64(i), x)
	}
	ca, err := a.Checkpoint(ctx)
	require.NoError(t, err)
	cb, err := b.Checkpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, string(ca), string(cb))
	require.NoError(t, audit.Verify(ctx, st, ca, v))
}

// conflictStore reports a conflict on the first AppendAt after sneaking in a record of its
// own, as another process would.
type conflictStore struct {
	*audit.MemoryStore
	sneak [][]byte
}

func (c *conflictStore) AppendAt(ctx context.Context, start int64, r ...[]byte) error {
	if len(c.sneak) > 0 {
		n, _ := c.MemoryStore.Len(ctx)
		_ = c.MemoryStore.AppendAt(ctx, n, c.sneak[0])
		c.sneak = c.sneak[1:]
	}
	return c.MemoryStore.AppendAt(ctx, start, r...)
}

func TestAppendResyncsAfterConflict(t *testing.T) {
	ctx := context.Background()
	s, v := keys(t, testOrigin)
	cs := &conflictStore{MemoryStore: audit.NewMemoryStore()}
	l, err := audit.NewLog(ctx, cs, s)
	require.NoError(t, err)
	cs.sneak = [][]byte{mustEncode(t, ev(100)), mustEncode(t, ev(101))}
	i, err := l.Append(ctx, ev(0))
	require.NoError(t, err)
	assert.Equal(t, int64(2), i, "the two foreign records came first")
	assert.Equal(t, int64(3), l.Size())
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, cs, signed, v))
}

// A plain store (no ConditionalStore) works for a single writer.
func TestPlainStore(t *testing.T) {
	ctx := context.Background()
	s, v := keys(t, testOrigin)
	mem := audit.NewMemoryStore()
	l, err := audit.NewLog(ctx, plainStore{mem}, s)
	require.NoError(t, err)
	for i := range 20 {
		_, err := l.Append(ctx, ev(i))
		require.NoError(t, err)
	}
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, mem, signed, v))
	// Reopening rehashes from the records and reaches the same head.
	again, err := audit.NewLog(ctx, plainStore{mem}, s)
	require.NoError(t, err)
	assert.Equal(t, l.Head(), again.Head())
}

// Reopening a log over a HashStore checks every stored hash against the records: a corrupt
// stored hash (a record or its hash edited) refuses the open.
func TestReopenWithHashStore(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	l, st, _ := newLog(t, 37)
	n := tlog.StoredHashCount(37)
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = int64(i)
	}
	stored, err := st.ReadHashes(ctx, idx)
	require.NoError(t, err, "the log wrote its hashes to the store")
	again, err := audit.NewLog(ctx, st, s)
	require.NoError(t, err)
	assert.Equal(t, l.Head(), again.Head())

	// Corrupt any stored hash: the open is refused.
	for _, i := range []int64{0, n / 2, n - 1} {
		bad := stored[i]
		bad[0] ^= 0xff
		require.NoError(t, st.WriteHashes(ctx, []int64{i}, []tlog.Hash{bad}))
		_, err = audit.NewLog(ctx, st, s)
		require.ErrorIs(t, err, audit.ErrMismatch, "hash %d", i)
		require.NoError(t, st.WriteHashes(ctx, []int64{i}, []tlog.Hash{stored[i]}))
	}
}

func TestSyncDetectsShrunkStore(t *testing.T) {
	ctx := context.Background()
	s, _ := keys(t, testOrigin)
	rs := [][]byte{mustEncode(t, ev(0)), mustEncode(t, ev(1))}
	sw := &swapStore{Store: storeOf(t, rs)}
	l, err := audit.NewLog(ctx, sw, s)
	require.NoError(t, err)
	sw.Store = storeOf(t, rs[:1]) // a record is removed behind the log's back
	_, err = l.Checkpoint(ctx)
	require.ErrorIs(t, err, audit.ErrTruncated)
	require.ErrorIs(t, l.Sync(ctx), audit.ErrTruncated)
}

type swapStore struct{ audit.Store }

// The log's tree is the RFC 6962 tree tlog computes: same root and the same stored hashes as
// building it record by record with tlog.StoredHashes, for any number of records.
func TestTreeMatchesTlog(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(t, "n")
		l, st, _ := newLog(t, n)
		var hashes []tlog.Hash
		r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = hashes[x]
			}
			return out, nil
		})
		for i, rec := range records(t, st) {
			h, err := tlog.StoredHashes(int64(i), rec, r)
			require.NoError(t, err)
			hashes = append(hashes, h...)
		}
		root, err := tlog.TreeHash(int64(n), r)
		require.NoError(t, err)
		require.Equal(t, root, l.Head().Hash)
	})
}

// Every inclusion proof and every consistency proof the log produces checks.
func TestEveryProofChecks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 200).Draw(t, "n")
		l, st, _ := newLog(t, n)
		rs := records(t, st)
		size := int64(rapid.IntRange(1, n).Draw(t, "size"))
		idx := rapid.Int64Range(0, size-1).Draw(t, "index")
		old := rapid.Int64Range(0, size).Draw(t, "old")

		// Rebuild the checkpoints of size and old from a second log over the prefix.
		head := func(k int64) audit.Checkpoint {
			s, _ := keys(t, testOrigin)
			pl, err := audit.NewLog(context.Background(), plainStore{storeOf(t, rs[:k])}, s)
			require.NoError(t, err)
			return pl.Head()
		}
		cpNew, cpOld := head(size), head(old)
		p, err := l.ProveInclusion(idx, size)
		require.NoError(t, err)
		require.NoError(t, audit.CheckInclusion(cpNew, p, rs[idx]))
		c, err := l.ProveConsistency(old, size)
		require.NoError(t, err)
		require.NoError(t, audit.CheckConsistency(cpOld, cpNew, c))
	})
}

func TestMemoryStoreContract(t *testing.T) {
	ctx := context.Background()
	m := audit.NewMemoryStore()
	rec := []byte("a")
	require.NoError(t, m.Append(ctx, rec, []byte("b")))
	rec[0] = 'z' // the store copied it
	got, err := m.Read(ctx, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("a"), []byte("b")}, got)
	for _, c := range [][2]int64{{-1, 1}, {0, 3}, {2, 1}, {1, -1}} {
		_, err := m.Read(ctx, c[0], c[1])
		require.ErrorIs(t, err, audit.ErrNotFound, fmt.Sprint(c))
	}
	got, err = m.Read(ctx, 2, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.ErrorIs(t, m.AppendAt(ctx, 1, []byte("c")), audit.ErrConflict)
	require.NoError(t, m.AppendAt(ctx, 2, []byte("c")))
	_, err = m.ReadHashes(ctx, []int64{0})
	require.ErrorIs(t, err, audit.ErrNotFound)
	require.Error(t, m.WriteHashes(ctx, []int64{0}, nil))
	require.Error(t, m.WriteHashes(ctx, []int64{1 << 40}, []tlog.Hash{{}}), "no hashes beyond the records")
	require.NoError(t, m.WriteHashes(ctx, []int64{0}, []tlog.Hash{{1}}))
	h, err := m.ReadHashes(ctx, []int64{0})
	require.NoError(t, err)
	assert.Equal(t, tlog.Hash{1}, h[0])
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = m.Len(cancelled)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, m.Append(cancelled, rec), context.Canceled)
}

// lyingStore stores an append and then reports a failure, as a commit whose connection drops
// after the server committed.
type lyingStore struct {
	*audit.MemoryStore
	lie bool
}

func (s *lyingStore) AppendAt(ctx context.Context, start int64, records ...[]byte) error {
	if err := s.MemoryStore.AppendAt(ctx, start, records...); err != nil {
		return err
	}
	if s.lie {
		return errors.New("connection reset after commit")
	}
	return nil
}

// TestAppendReportsWhatTheStoreHolds: when the store reports an error but the records did
// land, Append reports success with their index (the log never disagrees with its store);
// when they did not land, Append fails and the next append takes the same index.
func TestAppendReportsWhatTheStoreHolds(t *testing.T) {
	ctx := context.Background()
	signer, verifier := keys(t, "lying")
	st := &lyingStore{MemoryStore: audit.NewMemoryStore()}
	l, err := audit.NewLog(ctx, st, signer)
	require.NoError(t, err)
	_, err = l.Append(ctx, ev(0))
	require.NoError(t, err)
	st.lie = true
	idx, err := l.Append(ctx, ev(1))
	require.NoError(t, err, "the record landed, so the append succeeded")
	assert.EqualValues(t, 1, idx)
	st.lie = false
	idx, err = l.Append(ctx, ev(2))
	require.NoError(t, err)
	assert.EqualValues(t, 2, idx)
	cp, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, st, cp, verifier))
}
