package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Store holds the raw records of a log, in order. It knows nothing about hashes or events:
// the Log computes and keeps the Merkle hashes itself, and Verify recomputes them from the
// records alone.
//
// Append must be atomic (all records or none) and must keep order. Read returns the n
// records starting at index start (0-based); asking beyond Len is an error. Implementations
// must be safe for concurrent use.
//
// A Store used by several processes at once must also implement ConditionalStore, or the
// processes could interleave their appends and fork the log.
type Store interface {
	Len(ctx context.Context) (int64, error)
	Append(ctx context.Context, records ...[]byte) error
	Read(ctx context.Context, start, n int64) ([][]byte, error)
}

// ConditionalStore is the optional capability a Store shared by several processes needs.
// Store.Append cannot know which index the caller expects its records to get; AppendAt can:
// it appends only when the store holds exactly start records, and otherwise fails with an
// error wrapping ErrConflict without writing anything. (In SQL: insert rows start, start+1, …
// into a table whose primary key is the index, inside one transaction; a duplicate key means
// another process got there first.)
//
// When the store implements it, Log.Append always uses AppendAt; on ErrConflict it reads the
// records the other process wrote, brings its hashes up to date and tries again at the new
// end, so two processes never fork the log and no index is ever used twice.
type ConditionalStore interface {
	AppendAt(ctx context.Context, start int64, records ...[]byte) error
}

// HashStore is the optional capability of a store that also keeps the log's Merkle hashes,
// so that opening a large log does not rehash every record. Hashes are addressed by their
// tlog stored-hash index (tlog.StoredHashIndex); the hashes of records 0..n-1 are the
// indexes 0..tlog.StoredHashCount(n)-1. ReadHashes returns exactly one hash per index or an
// error (ErrNotFound when some are missing); WriteHashes stores hashes[i] at indexes[i]
// (writing the same value twice is harmless: stored hashes never change). Hashes are
// written only for records already in the store.
//
// The hashes are a cache. The Log trusts them only after checking the last record's hash
// against the record itself, and Verify never reads them.
type HashStore interface {
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	WriteHashes(ctx context.Context, indexes []int64, hashes []tlog.Hash) error
}

// CheckpointStore is the optional capability of a store that keeps the log's signed
// checkpoints next to its records. The Log persists a checkpoint covering every append (with
// the append's context, so in the same transaction) and, at NewLog, checks the stored records
// against the latest one: an edited, removed or truncated record is then refused at open.
// SaveCheckpoint stores a signed checkpoint note; LatestCheckpoint returns the last one saved
// (nil, nil when none was). A store may keep only the latest.
//
// Keep checkpoints somewhere an attacker who can edit the records cannot also rewrite, or
// hand them to an outside auditor as well (Log.Checkpoint, Verify): checkpoints kept in the
// same database detect a careless edit or a lost tail, not an administrator who rewrites both.
type CheckpointStore interface {
	SaveCheckpoint(ctx context.Context, signed []byte) error
	LatestCheckpoint(ctx context.Context) ([]byte, error)
}

// Sentinel errors of stores.
var (
	// ErrConflict is wrapped by ConditionalStore.AppendAt when the store no longer holds
	// exactly the expected number of records (another writer appended first).
	ErrConflict = errors.New("audit: log moved (conflicting append)")
	// ErrNotFound is wrapped when a record or hash index is beyond what the store holds.
	ErrNotFound = errors.New("audit: not found")
)

// MemoryStore is an in-memory Store, ConditionalStore, HashStore and CheckpointStore. It
// copies the records it is given. The zero value is not usable; call NewMemoryStore.
//
// It has no transactions; a Log that staged records in it (Log.Stage) removes them again
// when the append is aborted. Another Log sharing the store that read the staged records
// meanwhile then reports ErrTruncated: share a MemoryStore between Logs only when none of
// them aborts (tests of concurrent writers), and use a transactional store otherwise.
type MemoryStore struct {
	mu         sync.RWMutex
	records    [][]byte
	hashes     []tlog.Hash
	has        []bool
	checkpoint []byte
}

var (
	_ Store            = (*MemoryStore)(nil)
	_ ConditionalStore = (*MemoryStore)(nil)
	_ HashStore        = (*MemoryStore)(nil)
	_ CheckpointStore  = (*MemoryStore)(nil)
)

// SaveCheckpoint keeps signed as the latest checkpoint.
func (m *MemoryStore) SaveCheckpoint(ctx context.Context, signed []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkpoint = slices.Clone(signed)
	return nil
}

// LatestCheckpoint returns the checkpoint saved last, or nil.
func (m *MemoryStore) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.checkpoint), nil
}

// unstage removes the records from index start on, and their stored hashes: an aborted
// staged append (see Log.Stage).
func (m *MemoryStore) unstage(start int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start < 0 || start >= int64(len(m.records)) {
		return
	}
	m.records = m.records[:start]
	for x := tlog.StoredHashCount(start); x < int64(len(m.has)); x++ {
		m.has[x] = false
	}
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Len returns the number of records.
func (m *MemoryStore) Len(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.records)), nil
}

// Append adds records at the end.
func (m *MemoryStore) Append(ctx context.Context, records ...[]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.appendLocked(records)
	return nil
}

func (m *MemoryStore) appendLocked(records [][]byte) {
	// One backing array for the batch: fewer allocations than cloning each record.
	total := 0
	for _, r := range records {
		total += len(r)
	}
	buf := make([]byte, 0, total)
	for _, r := range records {
		buf = append(buf, r...)
		m.records = append(m.records, buf[len(buf)-len(r):len(buf):len(buf)])
	}
}

// AppendAt adds records at index start, failing with ErrConflict unless the store holds
// exactly start records.
func (m *MemoryStore) AppendAt(ctx context.Context, start int64, records ...[]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := int64(len(m.records)); n != start {
		return fmt.Errorf("%w: append at %d but the store holds %d records", ErrConflict, start, n)
	}
	m.appendLocked(records)
	return nil
}

// Read returns n records from index start. The returned slices must not be modified.
func (m *MemoryStore) Read(ctx context.Context, start, n int64) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if start < 0 || n < 0 || start > int64(len(m.records))-n {
		return nil, fmt.Errorf("%w: records [%d, %d) of %d", ErrNotFound, start, start+n, len(m.records))
	}
	return append([][]byte(nil), m.records[start:start+n]...), nil
}

// ReadHashes returns the stored hashes at the given indexes.
func (m *MemoryStore) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) || !m.has[x] {
			return nil, fmt.Errorf("%w: stored hash %d", ErrNotFound, x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// WriteHashes stores hashes[i] at indexes[i].
func (m *MemoryStore) WriteHashes(ctx context.Context, indexes []int64, hashes []tlog.Hash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(indexes) != len(hashes) {
		return fmt.Errorf("audit: WriteHashes: %d indexes but %d hashes", len(indexes), len(hashes))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := tlog.StoredHashCount(int64(len(m.records)))
	for _, x := range indexes {
		if x < 0 || x >= limit {
			return fmt.Errorf("audit: WriteHashes: index %d outside the %d hashes of %d records", x, limit, len(m.records))
		}
	}
	for i, x := range indexes {
		if x >= int64(len(m.hashes)) {
			n := max(x+1, int64(2*len(m.hashes)))
			m.hashes = append(m.hashes, make([]tlog.Hash, n-int64(len(m.hashes)))...)
			m.has = append(m.has, make([]bool, n-int64(len(m.has)))...)
		}
		m.hashes[x] = hashes[i]
		m.has[x] = true
	}
	return nil
}
