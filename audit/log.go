package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Log is the append-only, tamper-evident audit log: an RFC 6962 Merkle tree
// (golang.org/x/mod/sumdb/tlog) over the canonical records of events kept in a Store.
//
// The Log keeps every stored hash of the tree in memory (about 64 bytes per event: 64 MiB
// for a million events), so that checkpoints and proofs need no store access. When the
// store is a HashStore the hashes are also written there, and the next NewLog checks every
// one of them against the records (opening reads and hashes every record once: about the
// cost of Verify).
//
// A Log is safe for concurrent use. Appends are serialized: every appended event gets the
// next index, with no gaps and no index used twice, also across processes when the store
// is a ConditionalStore.
type Log struct {
	store  Store
	cond   ConditionalStore
	hs     HashStore
	cs     CheckpointStore
	signer note.Signer
	origin string

	mu     sync.RWMutex
	every  int64       // persist a checkpoint when an append crosses a multiple of every (≤ 1: each append)
	n      int64       // records covered by hashes
	hashes []tlog.Hash // stored hashes of records [0, n), by tlog stored-hash index

	idx queryIndex // in-memory query index, see query.go
}

// maxAppendRetries bounds how often Append re-syncs after ErrConflict before giving up.
const maxAppendRetries = 64

// readBatch is how many records the Log and Verify read from a store at once.
const readBatch = 4096

// ErrTruncated is wrapped when a store holds fewer records than a log or checkpoint
// already covers: records were removed.
var ErrTruncated = errors.New("audit: log truncated")

// NewLog opens the log kept in s and signs its checkpoints with signer (an Ed25519 note
// signer, see note.GenerateKey and note.NewSigner). The signer's key name is the log's
// origin.
//
// NewLog trusts nothing stored before checking it (DESIGN "Trust nothing stored without
// verification"). It reads every record once and:
//
//   - checks that each is the canonical encoding of an event (else ErrBadRecord);
//   - recomputes the Merkle hashes and, when s is a HashStore, compares them with every stored
//     hash (else ErrMismatch: a record or a hash was edited);
//   - when s is a CheckpointStore, checks the last persisted checkpoint: it must be signed by
//     signer (else ErrCheckpoint), cover no more records than the store holds (else
//     ErrTruncated) and sign the root of that many records (else ErrMismatch). A
//     CheckpointStore holding records but no checkpoint is refused too (ErrCheckpoint: the
//     checkpoints were removed).
//
// On any mismatch NewLog refuses to open the log: a caller must not replay permissions or
// draws from records it cannot trust.
func NewLog(ctx context.Context, s Store, signer note.Signer) (*Log, error) {
	if s == nil {
		return nil, errors.New("audit: NewLog: nil store")
	}
	if signer == nil {
		return nil, errors.New("audit: NewLog: nil signer")
	}
	l := &Log{store: s, signer: signer, origin: signer.Name()}
	l.cond, _ = s.(ConditionalStore)
	l.hs, _ = s.(HashStore)
	l.cs, _ = s.(CheckpointStore)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.verifyOpenLocked(ctx); err != nil {
		return nil, fmt.Errorf("audit: NewLog: %w", err)
	}
	return l, nil
}

// verifyOpenLocked reads and hashes every stored record, checks each against the stored
// hashes and the last persisted checkpoint, and keeps the hashes.
func (l *Log) verifyOpenLocked(ctx context.Context) error {
	n, err := l.store.Len(ctx)
	if err != nil {
		return err
	}
	d := sha256.New()
	var scratch []byte
	hashes := make([]tlog.Hash, 0, tlog.StoredHashCount(n))
	for i := int64(0); i < n; {
		k := min(readBatch, n-i)
		recs, err := l.store.Read(ctx, i, k)
		if err != nil {
			return err
		}
		if int64(len(recs)) != k {
			return fmt.Errorf("%w: store returned %d records from %d, asked for %d", ErrTruncated, len(recs), i, k)
		}
		for _, r := range recs {
			if _, err := decodeRecord(r, &scratch); err != nil {
				return fmt.Errorf("%w: record %d: %v", ErrBadRecord, i, err)
			}
			hashes = appendStoredHashes(hashes, i, leafHash(d, r))
			i++
		}
	}
	missing := false
	if l.hs != nil && n > 0 {
		total := int64(len(hashes))
		for start := int64(0); start < total && !missing; start += 1 << 16 {
			idx := make([]int64, min(1<<16, total-start))
			for j := range idx {
				idx[j] = start + int64(j)
			}
			stored, err := l.hs.ReadHashes(ctx, idx)
			if errors.Is(err, ErrNotFound) {
				missing = true // a cache not filled yet: rewritten below
				break
			}
			if err != nil {
				return err
			}
			if len(stored) != len(idx) {
				return errors.New("short hash read")
			}
			for j, h := range stored {
				if h != hashes[start+int64(j)] {
					return fmt.Errorf("%w: stored hash %d differs from the hash of the records (a record or a hash was edited)", ErrMismatch, start+int64(j))
				}
			}
		}
	}
	if l.cs != nil {
		signed, err := l.cs.LatestCheckpoint(ctx)
		if err != nil {
			return fmt.Errorf("read checkpoint: %w", err)
		}
		if signed == nil && n > 0 {
			return fmt.Errorf("%w: the store keeps checkpoints but holds none for its %d records (checkpoints removed?)", ErrCheckpoint, n)
		}
		if signed != nil {
			cp, err := l.authenticate(signed)
			if err != nil {
				return err
			}
			if cp.Size > n {
				return fmt.Errorf("%w: store holds %d records, the last checkpoint signs %d", ErrTruncated, n, cp.Size)
			}
			root, err := tlog.TreeHash(cp.Size, hashReader(hashes))
			if err != nil {
				return err
			}
			if root != cp.Hash {
				return fmt.Errorf("%w: the first %d records hash to %s, the last checkpoint signs %s", ErrMismatch, cp.Size, root, cp.Hash)
			}
		}
	}
	l.hashes, l.n = hashes, n
	if missing {
		l.writeHashes(ctx, 0)
	}
	if l.cs != nil && n > 0 {
		_ = l.saveCheckpointLocked(ctx, n) // a fresh checkpoint of what was just verified
	}
	return nil
}

// authenticate checks that signed is a checkpoint of this log signed by its signer. Ed25519
// signatures are deterministic, so signing the same body again gives the same note; no
// verifier key is needed.
func (l *Log) authenticate(signed []byte) (Checkpoint, error) {
	if len(signed) > maxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("%w: persisted checkpoint too large", ErrCheckpoint)
	}
	text, _, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, fmt.Errorf("%w: persisted checkpoint is not a signed note", ErrCheckpoint)
	}
	cp, err := ParseCheckpoint(append(text, '\n'))
	if err != nil {
		return Checkpoint{}, err
	}
	again, err := signCheckpoint(cp, l.signer)
	if err != nil {
		return Checkpoint{}, err
	}
	if !bytes.Equal(again, signed) {
		return Checkpoint{}, fmt.Errorf("%w: the persisted checkpoint is not signed by this log's key %q", ErrCheckpoint, l.origin)
	}
	return cp, nil
}

// saveCheckpointLocked signs the tree of the first size records and persists it in the
// CheckpointStore. Callers hold l.mu and l.hashes covers size records.
func (l *Log) saveCheckpointLocked(ctx context.Context, size int64) error {
	if l.cs == nil {
		return nil
	}
	h, err := tlog.TreeHash(size, hashReader(l.hashes))
	if err != nil {
		return err
	}
	signed, err := signCheckpoint(Checkpoint{Origin: l.origin, Size: size, Hash: h}, l.signer)
	if err != nil {
		return err
	}
	return l.cs.SaveCheckpoint(ctx, signed)
}

// appendStoredHashes appends to hashes (the stored hashes of records [0, n)) those that
// record n with leaf hash h adds: its leaf hash and the hash of every subtree it completes.
// It is tlog.StoredHashesForRecordHash without allocation.
func appendStoredHashes(hashes []tlog.Hash, n int64, h tlog.Hash) []tlog.Hash {
	hashes = append(hashes, h)
	m := bits.TrailingZeros64(uint64(n + 1))
	for i := range m {
		h = tlog.NodeHash(hashes[tlog.StoredHashIndex(i, n>>uint(i)-1)], h)
		hashes = append(hashes, h)
	}
	return hashes
}

// leafHash is tlog.RecordHash, reusing a hasher.
func leafHash(d hasher, record []byte) tlog.Hash {
	d.Reset()
	d.Write([]byte{0})
	d.Write(record)
	var h tlog.Hash
	d.Sum(h[:0])
	return h
}

type hasher interface {
	Reset()
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

// syncLocked brings the hashes up to date with records other writers appended to the store.
func (l *Log) syncLocked(ctx context.Context) error {
	m, err := l.store.Len(ctx)
	if err != nil {
		return err
	}
	if m < l.n {
		return fmt.Errorf("%w: store holds %d records, the log already covered %d", ErrTruncated, m, l.n)
	}
	d := sha256.New()
	oldHashes := int64(len(l.hashes))
	for l.n < m {
		k := min(readBatch, m-l.n)
		recs, err := l.store.Read(ctx, l.n, k)
		if err != nil {
			return err
		}
		if int64(len(recs)) != k {
			return fmt.Errorf("audit: store returned %d records, asked for %d", len(recs), k)
		}
		for _, r := range recs {
			l.hashes = appendStoredHashes(l.hashes, l.n, leafHash(d, r))
			l.n++
		}
	}
	l.writeHashes(ctx, oldHashes)
	return nil
}

// writeHashes copies the stored hashes from index from on to the HashStore, if any. The
// hash store is a cache: a failed write only means the next NewLog rehashes.
func (l *Log) writeHashes(ctx context.Context, from int64) {
	if l.hs == nil || from >= int64(len(l.hashes)) {
		return
	}
	idx := make([]int64, int64(len(l.hashes))-from)
	for i := range idx {
		idx[i] = from + int64(i)
	}
	_ = l.hs.WriteHashes(ctx, idx, l.hashes[from:])
}

// SetCheckpointEvery makes the log persist a signed checkpoint (CheckpointStore) only when an
// append reaches a multiple of n records, instead of with every append (n ≤ 1, the default).
// Signing costs about as much as the rest of an in-memory append; a SQL transaction costs far
// more. The price: at NewLog, a removed or edited record among the last n-1 is no longer
// caught by the persisted checkpoint (the stored hashes still catch an edit that left them).
func (l *Log) SetCheckpointEvery(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.every = n
}

// Origin returns the log's origin (the signer's key name), the first line of its checkpoints.
func (l *Log) Origin() string { return l.origin }

// Size returns the number of events the log holds, as far as this process knows (see Sync).
func (l *Log) Size() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.n
}

// Sync brings the log up to date with events other processes appended to a shared store.
// Checkpoint and Query sync by themselves.
func (l *Log) Sync(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.syncLocked(ctx)
}

// Append records e and returns its index. It is AppendBatch with one event.
func (l *Log) Append(ctx context.Context, e Event) (int64, error) {
	return l.AppendBatch(ctx, e)
}

// AppendBatch records events atomically (all or none), at consecutive indexes, and returns
// the index of the first. Each event is encoded with Event.Encode; if any is refused,
// nothing is appended and the error names the event's position in the batch. With no
// events it returns the current size. It is Stage followed by Commit.
func (l *Log) AppendBatch(ctx context.Context, events ...Event) (int64, error) {
	if len(events) == 0 {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return l.n, nil
	}
	p, err := l.Stage(ctx, events...)
	if err != nil {
		return -1, err
	}
	p.Commit()
	return p.Start(), nil
}

// Pending is an append written to the store by Stage but not yet part of the log: its
// records are in the store (inside the caller's transaction, when the store takes part in
// one), and the log's Merkle state has not moved. Exactly one of Commit or Abort must be
// called; until then every other append, checkpoint, proof and query of this Log waits.
type Pending struct {
	l         *Log
	start, k  int64
	oldHashes int
	done      bool
}

// Start returns the index of the first staged event.
func (p *Pending) Start() int64 { return p.start }

// Commit takes the staged records into the log: call it once the caller's unit of work
// (the transaction the records were written in) has committed.
func (p *Pending) Commit() {
	if p.done {
		return
	}
	p.done = true
	p.l.n = p.start + p.k
	p.l.mu.Unlock()
}

// Abort forgets the staged records: call it when the caller's unit of work rolled back. The
// log's Merkle state stays where it was. A store without transactions (the MemoryStore) has
// the staged records removed again; another store that kept them after all (a commit whose
// outcome was lost) is read back by the next Sync, as records of another writer.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	l := p.l
	l.hashes = l.hashes[:p.oldHashes]
	l.unstage(p.start)
	l.mu.Unlock()
}

// unstager is implemented by the in-memory store: it removes records staged at start and
// after, which no Log has committed.
type unstager interface {
	unstage(start int64)
}

func (l *Log) unstage(start int64) {
	if u, ok := l.store.(unstager); ok {
		u.unstage(start)
		// The checkpoint persisted with the staged records covers them: persist one of
		// what is left. Callers hold l.mu, with l.hashes back at l.n records.
		_ = l.saveCheckpointLocked(context.Background(), l.n)
	}
}

// Stage validates and writes events to the store, at consecutive indexes, without taking
// them into the log, and returns the Pending append holding the log until Commit or Abort.
// Use it to make an audit event part of a larger unit of work: stage the event with the
// context of the unit's transaction, write the state, commit the transaction, then Commit
// (or Abort when anything failed). Every event is encoded (and checked for personal data)
// before anything is written. The stored hashes and a signed checkpoint covering the new
// records are written with the same context, so that they commit or roll back with them.
func (l *Log) Stage(ctx context.Context, events ...Event) (*Pending, error) {
	records := make([][]byte, len(events))
	leaves := make([]tlog.Hash, len(events))
	d := sha256.New()
	for i, e := range events {
		r, err := e.Encode()
		if err != nil {
			return nil, fmt.Errorf("audit: append event %d: %w", i, err)
		}
		records[i] = r
		leaves[i] = leafHash(d, r)
	}
	if len(events) == 0 {
		return nil, errors.New("audit: stage: no events")
	}
	l.mu.Lock()
	for attempt := 0; ; attempt++ {
		start, oldHashes := l.n, len(l.hashes)
		for i, h := range leaves {
			l.hashes = appendStoredHashes(l.hashes, start+int64(i), h)
		}
		var err error
		if l.cond != nil {
			err = l.cond.AppendAt(ctx, start, records...)
		} else {
			err = l.store.Append(ctx, records...)
		}
		if err != nil && !errors.Is(err, ErrConflict) && l.landed(ctx, start, records) {
			err = nil
		}
		if err == nil {
			end := start + int64(len(records))
			l.writeHashes(ctx, int64(oldHashes))
			var cerr error
			if l.every <= 1 || end/l.every != start/l.every {
				cerr = l.saveCheckpointLocked(ctx, end)
			}
			if cerr != nil {
				l.hashes = l.hashes[:oldHashes]
				l.unstage(start)
				l.mu.Unlock()
				return nil, fmt.Errorf("audit: append: persist checkpoint: %w", cerr)
			}
			return &Pending{l: l, start: start, k: int64(len(records)), oldHashes: oldHashes}, nil
		}
		l.hashes = l.hashes[:oldHashes]
		if !errors.Is(err, ErrConflict) || l.cond == nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("audit: append: %w", err)
		}
		if attempt == maxAppendRetries {
			l.mu.Unlock()
			return nil, fmt.Errorf("audit: append: gave up after %d conflicting appends: %w", attempt+1, err)
		}
		if err := l.syncLocked(ctx); err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("audit: append: re-sync after conflict: %w", err)
		}
	}
}

// landed reports whether records were stored at start after all, although the store reported
// an error: a commit can succeed while its caller's context expires or the connection drops
// (the outcome of the commit is then unknown to the client). It looks with a fresh deadline,
// so that an append is reported as it is in the store: done, or not done. Callers hold l.mu.
func (l *Log) landed(ctx context.Context, start int64, records [][]byte) bool {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), landedTimeout)
	defer cancel()
	n, err := l.store.Len(c)
	if err != nil || n < start+int64(len(records)) {
		return false
	}
	got, err := l.store.Read(c, start, int64(len(records)))
	if err != nil || len(got) != len(records) {
		return false
	}
	for i := range records {
		if !bytes.Equal(got[i], records[i]) {
			return false
		}
	}
	return true
}

// landedTimeout bounds the look landed takes after a failed append.
const landedTimeout = 10 * time.Second

// hashReader reads the in-memory stored hashes. Callers hold l.mu.
type hashReader []tlog.Hash

func (h hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("%w: stored hash %d", ErrNotFound, x)
		}
		out[i] = h[x]
	}
	return out, nil
}

// Head returns the current (unsigned) checkpoint body: origin, size and root hash.
func (l *Log) Head() Checkpoint {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.headLocked()
}

func (l *Log) headLocked() Checkpoint {
	h, err := tlog.TreeHash(l.n, hashReader(l.hashes))
	if err != nil {
		panic("audit: internal error: " + err.Error()) // the hashes always cover n records
	}
	return Checkpoint{Origin: l.origin, Size: l.n, Hash: h}
}

// Checkpoint syncs with the store and returns a signed checkpoint note of the whole log:
// the C2SP tlog-checkpoint body (origin, size, base64 root hash) signed by the log's
// signer. Hand checkpoints to auditors; with a later checkpoint and ProveConsistency they
// can check that nothing before was rewritten.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.syncLocked(ctx); err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	return signCheckpoint(l.headLocked(), l.signer)
}

// ProveInclusion returns the proof that the record at index is in the tree of size
// records (0 <= index < size <= Size()).
func (l *Log) ProveInclusion(index, size int64) (InclusionProof, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.proveInclusionLocked(index, size)
}

func (l *Log) proveInclusionLocked(index, size int64) (InclusionProof, error) {
	if index < 0 || size > l.n || index >= size {
		return InclusionProof{}, fmt.Errorf("%w: no record %d in a tree of %d (log has %d)", ErrNotFound, index, size, l.n)
	}
	p, err := tlog.ProveRecord(size, index, hashReader(l.hashes))
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: prove inclusion: %w", err)
	}
	return InclusionProof{Index: index, Size: size, Path: p}, nil
}

// ProveConsistency returns the proof that the tree of older records is a prefix of the tree
// of newer records (0 <= older <= newer <= Size()).
func (l *Log) ProveConsistency(older, newer int64) (ConsistencyProof, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if older < 0 || older > newer || newer > l.n {
		return ConsistencyProof{}, fmt.Errorf("%w: no consistency proof %d→%d (log has %d)", ErrNotFound, older, newer, l.n)
	}
	p := ConsistencyProof{Old: older, New: newer}
	if older == 0 || older == newer {
		return p, nil
	}
	path, err := tlog.ProveTree(newer, older, hashReader(l.hashes))
	if err != nil {
		return ConsistencyProof{}, fmt.Errorf("audit: prove consistency: %w", err)
	}
	p.Path = path
	return p, nil
}

// Events reads and decodes n events from index start.
func (l *Log) Events(ctx context.Context, start, n int64) ([]Event, error) {
	recs, err := l.store.Read(ctx, start, n)
	if err != nil {
		return nil, fmt.Errorf("audit: read events: %w", err)
	}
	out := make([]Event, len(recs))
	for i, r := range recs {
		if j := start + int64(i); j < l.Size() && !l.holds(j, r) {
			return nil, fmt.Errorf("%w: event %d differs from the record the log verified", ErrMismatch, j)
		}
		if out[i], err = Decode(r); err != nil {
			return nil, fmt.Errorf("audit: event %d: %w", start+int64(i), err)
		}
	}
	return out, nil
}
