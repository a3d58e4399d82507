package expertdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// This file holds the optional store capabilities a draw uses when the stores offer them:
// a versioned pool snapshot that lives between draws (PoolSnapshotter) and content-addressed
// profile versions that draw records reference instead of copying (ProfileStore).

// PoolSnapshot is everything a draw reads from the stores for one cap year, as of one version
// of the database: the experts, their usage in Year, the ratings of Year-1 and the records of
// the seats stream. A store hands out the same *PoolSnapshot again while its version is
// unchanged, so what is derived from it (Pool) is computed once per snapshot. Everything in it
// is shared and read-only: never modify a snapshot or the pool derived from it.
type PoolSnapshot struct {
	// Version identifies the state of the database the snapshot was read at; equal versions
	// mean equal content.
	Version string
	// Year is the cap year of Usage; Ratings are those of Year-1.
	Year int
	// Experts are every expert, in no particular order.
	Experts []admission.Expert
	// Digests is nil, or holds for each expert (same index) the digest of its profile
	// version, already stored in the ProfileStore of the same database ("" when not stored).
	Digests []string
	// Usage holds the accepted participations in Year, by expert ID.
	Usage map[string]int
	// Ratings are the ratings of Year-1, in the order added.
	Ratings []evaluation.Rating
	// Seats are the records of the seats stream (SnapshotQuery.Seats), in order.
	Seats [][]byte
	// Base, when not nil, is an earlier snapshot of the same store whose pool's cache the pool
	// of this one inherits (selection.Pool.IndexedFrom): BaseIndex holds, per expert, the
	// index in Base.Experts of the same unchanged expert (-1 for a new or changed one), or is
	// nil when Experts is Base.Experts itself. A store sets them before handing the snapshot
	// out; Pool drops them once it has derived the pool.
	Base      *PoolSnapshot
	BaseIndex []int32

	once sync.Once
	pool selection.Pool
	err  error
}

// SnapshotQuery asks a PoolSnapshotter for the snapshot of one cap year. The other stores
// the Service uses are named so that the snapshotter can refuse (ErrNotCovered) when they
// are not its own: a snapshot must read exactly what the draw would read store by store.
type SnapshotQuery struct {
	Year    int
	Seats   string // the event stream holding the accepted seats
	Ledger  selection.Ledger
	Ratings evaluation.Store
	Events  EventStore
}

// PoolSnapshotter is the optional capability of an ExpertStore to read, in one consistent
// read-only transaction, everything a draw reads, and to reuse the decoded snapshot while no
// write (from any process) changed it. Service.Draw asserts it on Options.Experts.
type PoolSnapshotter interface {
	// PoolSnapshot returns the snapshot for q, or an error wrapping ErrNotCovered when q
	// names stores the snapshotter does not read (the Service then loads store by store).
	PoolSnapshot(ctx context.Context, q SnapshotQuery) (*PoolSnapshot, error)
}

// ErrNotCovered is wrapped by a PoolSnapshotter asked about stores that are not its own.
var ErrNotCovered = errors.New("expertdb: snapshot does not cover these stores")

// Pool returns the draw's pool of the snapshot (without relations, which come with each
// request), derived once: the previous year's summaries and the bookings and history folded
// from the seats stream. The maps and slices are shared between draws and read-only. The
// pool is indexed (selection.Pool.Indexed): the draws from one snapshot share the experts'
// order, expression views, unit names and admission findings, computed by the first of
// them, and draw exactly as from a plain pool; with a Base, it inherits what Base's pool
// kept about the unchanged experts (selection.Pool.IndexedFrom).
func (s *PoolSnapshot) Pool() (selection.Pool, error) {
	s.once.Do(func() {
		bookings, history, err := foldSeats(s.Seats)
		if err != nil {
			s.err = err
			return
		}
		pool := selection.Pool{Experts: s.Experts, Usage: s.Usage, Last: evaluation.Summarize(s.Ratings, s.Year-1),
			Bookings: bookings, History: history}
		s.pool = pool.Indexed()
		if s.Base != nil {
			if base, err := s.Base.Pool(); err == nil {
				var same func(int) (int, bool)
				if idx := s.BaseIndex; idx != nil {
					same = func(i int) (int, bool) { return int(idx[i]), idx[i] >= 0 }
				}
				s.pool = pool.IndexedFrom(base, same)
			}
		}
		s.Base, s.BaseIndex = nil, nil
	})
	return s.pool, s.err
}

// loadSnapshot returns the pool from the experts store's snapshot, and the snapshot, when it
// offers one that covers the Service's other stores; snap is nil otherwise.
func (s *Service) loadSnapshot(ctx context.Context, year int) (pool selection.Pool, snap *PoolSnapshot, err error) {
	ps, is := s.experts.(PoolSnapshotter)
	if !is {
		return selection.Pool{}, nil, nil
	}
	snap, err = ps.PoolSnapshot(ctx, SnapshotQuery{Year: year, Seats: seatsStream, Ledger: s.ledger, Ratings: s.ratings, Events: s.events})
	if errors.Is(err, ErrNotCovered) {
		return selection.Pool{}, nil, nil
	}
	if err != nil {
		return selection.Pool{}, nil, err
	}
	pool, err = snap.Pool()
	if err != nil {
		return selection.Pool{}, nil, err
	}
	return pool, snap, nil
}

// ProfileRef names the profile version of one candidate of a draw by its digest
// (ProfileDigest). Draw records list them instead of copying every candidate's profile; the
// profiles themselves are kept once each in a ProfileStore.
type ProfileRef struct {
	ExpertID string `json:"id"`
	Digest   string `json:"digest"`
}

// Profile is one stored profile version: its digest and its bytes (the JSON of the
// admission.Expert).
type Profile struct {
	Digest string
	Data   []byte
}

// ProfileStore keeps profile versions, content-addressed: each version once, under the
// SHA-256 of its bytes. Draw records reference them (DrawRecord.Profiles).
type ProfileStore interface {
	// PutProfiles stores profiles; storing a digest that is already there does nothing.
	PutProfiles(ctx context.Context, profiles ...Profile) error
	// Profiles returns the bytes of each digest, in order, or an error wrapping ErrNotFound.
	Profiles(ctx context.Context, digests []string) ([][]byte, error)
}

// ProfileDigest returns the stored form of e (its JSON) and the digest that names it: the
// lowercase hex SHA-256 of those bytes.
func ProfileDigest(e admission.Expert) (digest string, data []byte, err error) {
	data, err = json.Marshal(e)
	if err != nil {
		return "", nil, fmt.Errorf("expertdb: profile %q: %w", e.ID, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), data, nil
}

// MemoryProfileStore is a ProfileStore in memory, safe for concurrent use.
type MemoryProfileStore struct {
	mu sync.RWMutex
	m  map[string][]byte
}

var _ ProfileStore = (*MemoryProfileStore)(nil)

// NewMemoryProfileStore returns an empty in-memory profile store.
func NewMemoryProfileStore() *MemoryProfileStore { return &MemoryProfileStore{m: map[string][]byte{}} }

// PutProfiles implements ProfileStore.
func (m *MemoryProfileStore) PutProfiles(_ context.Context, profiles ...Profile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range profiles {
		if _, ok := m.m[p.Digest]; !ok {
			m.m[p.Digest] = slices.Clone(p.Data)
		}
	}
	return nil
}

// Profiles implements ProfileStore.
func (m *MemoryProfileStore) Profiles(_ context.Context, digests []string) ([][]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([][]byte, len(digests))
	for i, d := range digests {
		b, ok := m.m[d]
		if !ok {
			return nil, fmt.Errorf("%w: profile %s", ErrNotFound, d)
		}
		out[i] = slices.Clone(b)
	}
	return out, nil
}

// EventProfiles is a ProfileStore over any EventStore: profile version d is event 0 of
// stream "profile/<d>". The Service uses it when its EventStore is not a ProfileStore itself.
func EventProfiles(es EventStore) ProfileStore { return eventProfiles{es} }

type eventProfiles struct{ es EventStore }

func (e eventProfiles) PutProfiles(ctx context.Context, profiles ...Profile) error {
	for _, p := range profiles {
		if err := e.es.AppendEvent(ctx, "profile/"+p.Digest, 0, p.Data); err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return nil
}

func (e eventProfiles) Profiles(ctx context.Context, digests []string) ([][]byte, error) {
	out := make([][]byte, len(digests))
	for i, d := range digests {
		evs, err := e.es.Events(ctx, "profile/"+d)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return nil, fmt.Errorf("%w: profile %s", ErrNotFound, d)
		}
		out[i] = evs[0]
	}
	return out, nil
}

// profiles returns the ProfileStore of the Service: its EventStore when that is one.
func (s *Service) profiles() ProfileStore {
	if p, ok := s.events.(ProfileStore); ok {
		return p
	}
	return EventProfiles(s.events)
}

// storedRecord is the form of rec written to the EventStore: the profiles referenced, not
// copied, when rec has references (a manifest, or per-candidate references).
func storedRecord(rec *DrawRecord) *DrawRecord {
	if len(rec.Profiles) == 0 && rec.ProfileManifest == "" {
		return rec
	}
	cp := *rec
	cp.Pool.Experts = nil
	return &cp
}

// ResolveProfiles fills rec.Pool.Experts from the profile versions the record references,
// read from ps and checked against their digests: through its profile manifest
// (rec.ProfileManifest: the manifest, each of its chunks and each profile version must hash
// to the digest that names it), or, in records written before manifests, through rec.Profiles.
// Anything that does not hash to its digest, or is missing, is refused. A record without
// references is left as it is. Replay (ReplayDraw) and campaigns need the resolved record.
func ResolveProfiles(ctx context.Context, rec *DrawRecord, ps ProfileStore) error {
	if rec == nil || (len(rec.Profiles) == 0 && rec.ProfileManifest == "") {
		return nil
	}
	if rec.ProfileManifest != "" {
		if len(rec.Profiles) > 0 {
			return fmt.Errorf("expertdb: resolve profiles of draw %q: the record has both a profile manifest and profile references", rec.Request.ID)
		}
		if err := resolveManifest(ctx, rec, ps); err != nil {
			return fmt.Errorf("expertdb: resolve profiles of draw %q: %w", rec.Request.ID, err)
		}
		return nil
	}
	experts, err := resolveRefs(ctx, rec.Profiles, ps)
	if err != nil {
		return fmt.Errorf("expertdb: resolve profiles of draw %q: %w", rec.Request.ID, err)
	}
	rec.Pool.Experts = experts
	return nil
}

// resolveRefs reads the profile versions refs name, checks each against its digest and its
// expert ID, and decodes them, in order.
func resolveRefs(ctx context.Context, refs []ProfileRef, ps ProfileStore) ([]admission.Expert, error) {
	digests := make([]string, len(refs))
	for i, r := range refs {
		digests[i] = r.Digest
	}
	raw, err := ps.Profiles(ctx, uniq(digests))
	if err != nil {
		return nil, err
	}
	byDigest := make(map[string]admission.Expert, len(raw))
	for _, b := range raw {
		sum := sha256.Sum256(b)
		d := hex.EncodeToString(sum[:])
		var e admission.Expert
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("profile %s: %w", d, err)
		}
		byDigest[d] = e
	}
	experts := make([]admission.Expert, len(refs))
	for i, r := range refs {
		e, ok := byDigest[r.Digest]
		if !ok {
			return nil, fmt.Errorf("profile %s of %s does not match its digest (altered?)", r.Digest, r.ExpertID)
		}
		if e.ID != r.ExpertID {
			return nil, fmt.Errorf("profile %s is expert %q, not %q", r.Digest, e.ID, r.ExpertID)
		}
		experts[i] = e
	}
	return experts, nil
}

func uniq(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// foldSeats folds records of the seats stream into the bookings and history of every expert.
func foldSeats(raw [][]byte) (map[string][]selection.Booking, map[string][]selection.Participation, error) {
	type key struct{ expert, activity string }
	latest := map[key]seatRecord{}
	var order []key
	for i, b := range raw {
		var r seatRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, nil, fmt.Errorf("expertdb: seat record %d: %w", i, err)
		}
		k := key{r.ExpertID, r.ActivityID}
		if _, seen := latest[k]; !seen {
			order = append(order, k)
		}
		latest[k] = r
	}
	bookings := map[string][]selection.Booking{}
	history := map[string][]selection.Participation{}
	for _, k := range order {
		r := latest[k]
		if r.Released {
			continue
		}
		bookings[r.ExpertID] = append(bookings[r.ExpertID], selection.Booking{ActivityID: r.ActivityID, From: r.From, To: r.To})
		history[r.ExpertID] = append(history[r.ExpertID], selection.Participation{ActivityID: r.ActivityID,
			ApplicantUnit: r.ApplicantUnit, At: r.At})
	}
	return bookings, history, nil
}
