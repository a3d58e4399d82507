package expertdb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/wzsti/expertdb/admission"
)

// Sentinel errors of the stores the Service uses.
var (
	// ErrNotFound is wrapped when an expert, campaign or draw does not exist.
	ErrNotFound = errors.New("expertdb: not found")
	// ErrConflict is wrapped when a conditional write lost a race (another writer was first).
	ErrConflict = errors.New("expertdb: conflicting write")
)

// ExpertStore keeps the expert profiles: the expert database itself.
type ExpertStore interface {
	// Get returns one expert, or an error wrapping ErrNotFound.
	Get(ctx context.Context, id string) (admission.Expert, error)
	// Put inserts or replaces an expert.
	Put(ctx context.Context, e admission.Expert) error
	// List returns every expert, ordered by ID.
	List(ctx context.Context) ([]admission.Expert, error)
}

// ExpertDeleter is the optional capability of an ExpertStore to remove an expert; the
// Service uses it to undo an admission whose audit event could not be written.
type ExpertDeleter interface {
	Delete(ctx context.Context, id string) error
}

// ExpertsByIDNumber is the optional capability of an ExpertStore to find the records of one
// person (一人一档, Art. 6, 11): FindByIDNumber returns every record whose ID number has the
// canonical form idNumber (admission.NormalizeIDNumber), whatever its status, ordered by
// expert ID. The Service uses it, when present, instead of reading the whole store to keep
// one record per person and to let history and the bars of Art. 11 follow the person.
type ExpertsByIDNumber interface {
	FindByIDNumber(ctx context.Context, idNumber string) ([]admission.Expert, error)
}

// ExpertQuerier is the optional capability of an ExpertStore to answer the Service's
// queries (ListExperts, CountExperts) itself, e.g. with SQL, instead of the Service reading
// every expert. Both methods must agree with ExpertFilter.Match and PageOf: QueryExperts
// returns the experts matching q.Filter whose ID is after q.After in byte order, ordered by
// ID, at most q.Limit (0 = no limit); CountExperts counts the experts matching f. The
// Service checks permissions and filters before either is called.
type ExpertQuerier interface {
	QueryExperts(ctx context.Context, q ExpertQuery) ([]admission.Expert, error)
	CountExperts(ctx context.Context, f ExpertFilter) (int, error)
}

// EventStore keeps the events of campaigns (and other event-sourced processes) as opaque
// records, in order, per stream.
type EventStore interface {
	// AppendEvent stores record as event seq (0-based) of stream. It fails with an error
	// wrapping ErrConflict, writing nothing, unless the stream holds exactly seq events.
	AppendEvent(ctx context.Context, stream string, seq int64, record []byte) error
	// Events returns every event of stream, in order (none for an unknown stream).
	Events(ctx context.Context, stream string) ([][]byte, error)
}

// MemoryExpertStore is an ExpertStore in memory, safe for concurrent use.
type MemoryExpertStore struct {
	mu      sync.RWMutex
	experts map[string]admission.Expert
}

var (
	_ ExpertStore       = (*MemoryExpertStore)(nil)
	_ ExpertDeleter     = (*MemoryExpertStore)(nil)
	_ ExpertsByIDNumber = (*MemoryExpertStore)(nil)
	_ ExpertQuerier     = (*MemoryExpertStore)(nil)
)

// NewMemoryExpertStore returns an empty in-memory expert store.
func NewMemoryExpertStore() *MemoryExpertStore {
	return &MemoryExpertStore{experts: map[string]admission.Expert{}}
}

// Get implements ExpertStore.
func (m *MemoryExpertStore) Get(_ context.Context, id string) (admission.Expert, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.experts[id]
	if !ok {
		return admission.Expert{}, fmt.Errorf("%w: expert %q", ErrNotFound, id)
	}
	return cloneExpert(e), nil
}

// Put implements ExpertStore.
func (m *MemoryExpertStore) Put(_ context.Context, e admission.Expert) error {
	if strings.TrimSpace(e.ID) == "" {
		return errors.New("expertdb: put expert: empty ID")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.experts[e.ID] = cloneExpert(e)
	return nil
}

// Delete removes an expert (used to undo an admission whose audit event could not be written).
func (m *MemoryExpertStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.experts, id)
	return nil
}

// List implements ExpertStore.
func (m *MemoryExpertStore) List(_ context.Context) ([]admission.Expert, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]admission.Expert, 0, len(m.experts))
	for _, id := range slices.Sorted(maps.Keys(m.experts)) {
		out = append(out, cloneExpert(m.experts[id]))
	}
	return out, nil
}

// FindByIDNumber implements ExpertsByIDNumber: the records whose ID number normalises to
// idNumber (none for an invalid one).
func (m *MemoryExpertStore) FindByIDNumber(_ context.Context, idNumber string) ([]admission.Expert, error) {
	want, ok := admission.NormalizeIDNumber(idNumber)
	if !ok {
		return nil, nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []admission.Expert
	for _, id := range slices.Sorted(maps.Keys(m.experts)) {
		if got, ok := admission.NormalizeIDNumber(m.experts[id].IDNumber); ok && got == want {
			out = append(out, cloneExpert(m.experts[id]))
		}
	}
	return out, nil
}

// QueryExperts implements ExpertQuerier.
func (m *MemoryExpertStore) QueryExperts(_ context.Context, q ExpertQuery) ([]admission.Expert, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := PageOf(slices.Collect(maps.Values(m.experts)), q)
	for i := range out {
		out[i] = cloneExpert(out[i])
	}
	return out, nil
}

// CountExperts implements ExpertQuerier.
func (m *MemoryExpertStore) CountExperts(_ context.Context, f ExpertFilter) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, e := range m.experts {
		if f.Match(e) {
			n++
		}
	}
	return n, nil
}

// cloneExpert copies the slices of e so that callers cannot change stored state.
func cloneExpert(e admission.Expert) admission.Expert {
	e.Past = slices.Clone(e.Past)
	e.Categories = slices.Clone(e.Categories)
	e.Fields = slices.Clone(e.Fields)
	e.Credentials = slices.Clone(e.Credentials)
	e.Records = slices.Clone(e.Records)
	e.Exits = slices.Clone(e.Exits)
	e.Tags = slices.Clone(e.Tags)
	e.Trainings = slices.Clone(e.Trainings)
	e.Entries = slices.Clone(e.Entries)
	return e
}

// MemoryEventStore is an EventStore in memory, safe for concurrent use.
type MemoryEventStore struct {
	mu      sync.Mutex
	streams map[string][][]byte
}

var _ EventStore = (*MemoryEventStore)(nil)

// NewMemoryEventStore returns an empty in-memory event store.
func NewMemoryEventStore() *MemoryEventStore {
	return &MemoryEventStore{streams: map[string][][]byte{}}
}

// AppendEvent implements EventStore.
func (m *MemoryEventStore) AppendEvent(_ context.Context, stream string, seq int64, record []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if have := int64(len(m.streams[stream])); have != seq {
		return fmt.Errorf("%w: stream %q holds %d events, append at %d", ErrConflict, stream, have, seq)
	}
	m.streams[stream] = append(m.streams[stream], slices.Clone(record))
	return nil
}

// Events implements EventStore.
func (m *MemoryEventStore) Events(_ context.Context, stream string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(m.streams[stream]))
	for i, r := range m.streams[stream] {
		out[i] = slices.Clone(r)
	}
	return out, nil
}
