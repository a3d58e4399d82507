package audit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Query selects events (可查询, Art. 17): every set field must match; the zero Query matches
// every event.
type Query struct {
	Subject string    // the event lists this subject (an expert, a draw request, a user …)
	Actor   string    // the actor's ID
	Action  Action    // the action
	From    time.Time // At >= From, when set
	To      time.Time // At < To, when set
	Start   int64     // only events at index >= Start (for paging)
	Limit   int       // at most Limit matches; 0 = no limit
}

func (q Query) match(e Event) bool {
	if q.Subject != "" && !slices.Contains(e.Subjects, q.Subject) {
		return false
	}
	if q.Actor != "" && e.Actor.ID != q.Actor {
		return false
	}
	if q.Action != "" && e.Action != q.Action {
		return false
	}
	return q.inTime(e.At.UnixNano())
}

func (q Query) inTime(at int64) bool {
	if !q.From.IsZero() && at < q.From.UnixNano() {
		return false
	}
	if !q.To.IsZero() && at >= q.To.UnixNano() {
		return false
	}
	return true
}

// Match is one event a query returned, with the proof that it is in the log.
type Match struct {
	Index  int64          `json:"index"`
	Event  Event          `json:"event"`
	Record []byte         `json:"record"` // the stored canonical record; Event is its decoding
	Proof  InclusionProof `json:"proof"`
}

// Result answers a Query. Every proof refers to the signed Checkpoint, so whoever receives
// a Result (an expert appealing, the discipline office) can check it alone with the log's
// verifier key: Result.Verify.
type Result struct {
	Checkpoint []byte  `json:"checkpoint"` // signed checkpoint note the proofs refer to
	Matches    []Match `json:"matches"`    // in log order
	Next       int64   `json:"next"`       // Query.Start for the next page; the checkpoint size when there is none
}

// Verify checks the result against the log's verifier key: the checkpoint's signature,
// each record's inclusion proof, and that each record decodes to its Event.
func (r *Result) Verify(v note.Verifier) error {
	cp, err := OpenCheckpoint(r.Checkpoint, v)
	if err != nil {
		return err
	}
	for _, m := range r.Matches {
		if m.Proof.Index != m.Index {
			return fmt.Errorf("%w: match %d carries the proof of record %d", ErrProof, m.Index, m.Proof.Index)
		}
		if err := CheckInclusion(cp, m.Proof, m.Record); err != nil {
			return err
		}
		if _, err := Decode(m.Record); err != nil {
			return fmt.Errorf("audit: match %d: %w", m.Index, err)
		}
		if want, err := m.Event.Encode(); err != nil || string(want) != string(m.Record) {
			return fmt.Errorf("%w: match %d: event differs from its record", ErrProof, m.Index)
		}
	}
	return nil
}

// QueryStore is the optional capability of a store that can find events itself (for
// example a SQL store with columns or JSON indexes on actor, action, subjects and time).
// Find returns, in ascending order, the indexes below size and at or after q.Start of the
// records that may match q (a superset is fine). When the store implements it, Log.Query
// uses it instead of its in-memory index; either way the Log decodes every candidate record
// and keeps only true matches, so a wrong answer from the store can hide events but never
// add any.
type QueryStore interface {
	Find(ctx context.Context, q Query, size int64) ([]int64, error)
}

// queryIndex is the Log's in-memory index: postings by subject, actor and action, and the
// time of every event. It is built lazily, on the first Query, from the store's records,
// and caught up on each later Query (about 40 bytes per event plus 8 per subject).
type queryIndex struct {
	mu       sync.Mutex
	n        int64
	subjects map[string][]int64
	actors   map[string][]int64
	actions  map[Action][]int64
	times    []int64 // UnixNano of At, by index
}

func (x *queryIndex) catchUp(ctx context.Context, s Store, size int64) error {
	if x.subjects == nil {
		x.subjects = map[string][]int64{}
		x.actors = map[string][]int64{}
		x.actions = map[Action][]int64{}
	}
	for x.n < size {
		k := min(readBatch, size-x.n)
		recs, err := s.Read(ctx, x.n, k)
		if err != nil {
			return err
		}
		if int64(len(recs)) != k {
			return fmt.Errorf("%w: store returned %d records, asked for %d", ErrTruncated, len(recs), k)
		}
		for _, r := range recs {
			e, err := Decode(r)
			if err != nil {
				return fmt.Errorf("record %d: %w", x.n, err)
			}
			for i, sub := range e.Subjects {
				if !slices.Contains(e.Subjects[:i], sub) {
					x.subjects[sub] = append(x.subjects[sub], x.n)
				}
			}
			x.actors[e.Actor.ID] = append(x.actors[e.Actor.ID], x.n)
			x.actions[e.Action] = append(x.actions[e.Action], x.n)
			x.times = append(x.times, e.At.UnixNano())
			x.n++
		}
	}
	return nil
}

// candidates returns the indexes in [q.Start, size) that may match q, ascending.
func (x *queryIndex) candidates(q Query, size int64) []int64 {
	var lists [][]int64
	if q.Subject != "" {
		lists = append(lists, x.subjects[q.Subject])
	}
	if q.Actor != "" {
		lists = append(lists, x.actors[q.Actor])
	}
	if q.Action != "" {
		lists = append(lists, x.actions[q.Action])
	}
	var out []int64
	if len(lists) == 0 {
		for i := q.Start; i < size; i++ {
			if q.inTime(x.times[i]) {
				out = append(out, i)
			}
		}
		return out
	}
	best := slices.MinFunc(lists, func(a, b []int64) int { return len(a) - len(b) })
	from := sort.Search(len(best), func(i int) bool { return best[i] >= q.Start })
	for _, i := range best[from:] {
		if i >= size {
			break
		}
		if q.inTime(x.times[i]) {
			out = append(out, i)
		}
	}
	return out
}

// Query returns the events matching q, each with its inclusion proof, all against one
// signed checkpoint of the log as it is now (after Sync). Results are in log order; with
// q.Limit set, Result.Next is where the next page starts.
//
// The lookup uses the store's QueryStore capability when it has one, and otherwise an
// in-memory index the Log builds on first use (reading every record once) and keeps up to
// date. Query itself is not recorded: a caller serving people (Art. 17 可查询) should
// authorize the request and append a view event.
func (l *Log) Query(ctx context.Context, q Query) (*Result, error) {
	if q.Action != "" && !q.Action.Valid() {
		return nil, fmt.Errorf("audit: query: unknown action %q", scrub(truncate(string(q.Action), 40)))
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return nil, fmt.Errorf("audit: query: time range ends before it starts")
	}
	if q.Start < 0 || q.Limit < 0 {
		return nil, fmt.Errorf("audit: query: negative start or limit")
	}
	l.mu.Lock()
	if err := l.syncLocked(ctx); err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	size := l.n
	cp, err := signCheckpoint(l.headLocked(), l.signer)
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}

	var cands []int64
	if qs, ok := l.store.(QueryStore); ok {
		if cands, err = qs.Find(ctx, q, size); err != nil {
			return nil, fmt.Errorf("audit: query: %w", err)
		}
	} else {
		l.idx.mu.Lock()
		err = l.idx.catchUp(ctx, l.store, size)
		if err == nil {
			cands = l.idx.candidates(q, size)
		}
		l.idx.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("audit: query: index: %w", err)
		}
	}

	res := &Result{Checkpoint: cp, Next: size}
	last := int64(-1)
	for _, i := range cands {
		if i < q.Start || i >= size || i <= last {
			continue // a store's Find answer outside the contract
		}
		last = i
		recs, err := l.store.Read(ctx, i, 1)
		if err != nil || len(recs) != 1 {
			return nil, fmt.Errorf("audit: query: read record %d: %w", i, err)
		}
		if !l.holds(i, recs[0]) {
			return nil, fmt.Errorf("%w: query: record %d differs from the record the log verified", ErrMismatch, i)
		}
		e, err := Decode(recs[0])
		if err != nil {
			return nil, fmt.Errorf("audit: query: record %d: %w", i, err)
		}
		if !q.match(e) {
			continue
		}
		if q.Limit > 0 && len(res.Matches) == q.Limit {
			res.Next = i
			break
		}
		p, err := l.ProveInclusion(i, size)
		if err != nil {
			return nil, err
		}
		res.Matches = append(res.Matches, Match{Index: i, Event: e, Record: recs[0], Proof: p})
	}
	return res, nil
}

// holds reports whether record is the record at index i the log hashed (when it opened
// the store or appended it): a record edited in the store since is never returned as true.
func (l *Log) holds(i int64, record []byte) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	x := tlog.StoredHashIndex(0, i)
	return i < l.n && x < int64(len(l.hashes)) && l.hashes[x] == tlog.RecordHash(record)
}
