package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// snapshotCache is the decoded pool of one version of the database, kept between draws.
type snapshotCache struct {
	version string
	num     int64 // the version's number (poolState.num)
	experts []admission.Expert
	digests []string
	seats   [][]byte
	seatsOf string
	years   map[int]*expertdb.PoolSnapshot
}

// poolState is the pool_state row: the version (number and nonce), and the versions of the
// parts a kept snapshot may be brought up to date from (schema version 5).
type poolState struct {
	version string
	num     int64 // bumped by every draw-relevant write
	reset   int64 // the experts changed without a row in expert_changes at this version
	seats   int64 // the seats stream last changed at this version
}

func (d *DB) poolState(ctx context.Context, q querier) (poolState, error) {
	var st poolState
	var nonce string
	if err := q.QueryRowContext(ctx, d.q(`SELECT version, nonce, experts_reset, seats_version FROM {pool_state} WHERE id = 1`)).Scan(&st.num, &nonce, &st.reset, &st.seats); err != nil {
		return poolState{}, err
	}
	st.version = strconv.FormatInt(st.num, 10) + "-" + nonce
	return st, nil
}

// PoolVersion returns the pool version: a token that changes with every committed write
// to the experts, the ledger's counters, the ratings or the seats stream, from any process
// or program (the triggers of schema version 2 keep it).
func (s *ExpertStore) PoolVersion(ctx context.Context) (string, error) {
	v, err := s.db.poolVersion(ctx, s.db.conn(ctx))
	if err != nil {
		return "", fmt.Errorf("sqlstore: pool version: %w", err)
	}
	return v, nil
}

func (d *DB) poolVersion(ctx context.Context, q querier) (string, error) {
	var v int64
	var nonce string
	if err := q.QueryRowContext(ctx, d.q(`SELECT version, nonce FROM {pool_state} WHERE id = 1`)).Scan(&v, &nonce); err != nil {
		return "", err
	}
	return strconv.FormatInt(v, 10) + "-" + nonce, nil
}

// PoolSnapshot implements expertdb.PoolSnapshotter. While the pool version is unchanged it
// returns the snapshot it decoded before, after one query; otherwise it reads the version
// and what changed since the kept snapshot in one read-only transaction (REPEATABLE READ on
// PostgreSQL, a WAL snapshot on SQLite), so the rows are exactly those of the version, and
// keeps the result. What changed: the rows of the experts written since (expert_changes,
// schema version 5; deleted ones removed), the year's usage and ratings, and the seats stream
// only when it changed; the new snapshot's pool inherits the kept pool's cache for the
// unchanged experts (expertdb.PoolSnapshot.Base). Without a kept snapshot (the first draw of
// a process), or when the experts changed in a way expert_changes does not record (a TRUNCATE
// on PostgreSQL), or the version went backwards, or the nonce recorded for the kept version
// is no longer the kept snapshot's (pool_nonces, schema version 6: a database restored from a
// backup older than the kept snapshot and written since past its version), it reads every row.
// Inside a unit of work (Atomically) that has written what a draw reads, it reads through the
// unit's transaction and keeps nothing it read there (the unit may still roll back); a unit
// that has not uses and keeps the committed snapshot. It refuses (expertdb.ErrNotCovered)
// a query naming stores of another database.
func (s *ExpertStore) PoolSnapshot(ctx context.Context, q expertdb.SnapshotQuery) (*expertdb.PoolSnapshot, error) {
	d := s.db
	if !d.covers(q) {
		return nil, expertdb.ErrNotCovered
	}
	snap, err := d.poolSnapshot(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: pool snapshot %d: %w", q.Year, err)
	}
	return snap, nil
}

func (d *DB) covers(q expertdb.SnapshotQuery) bool {
	l, ok1 := q.Ledger.(*Ledger)
	r, ok2 := q.Ratings.(*RatingStore)
	e, ok3 := q.Events.(*EventStore)
	return ok1 && ok2 && ok3 && l.db == d && r.db == d && e.db == d
}

func (d *DB) cached(version string, q expertdb.SnapshotQuery) (*snapshotCache, *expertdb.PoolSnapshot) {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	c := d.snap
	if c == nil || c.version != version || c.seatsOf != q.Seats {
		return nil, nil
	}
	return c, c.years[q.Year]
}

// kept returns the kept snapshot, of any version.
func (d *DB) kept() *snapshotCache {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	return d.snap
}

func (d *DB) poolSnapshot(ctx context.Context, q expertdb.SnapshotQuery) (*expertdb.PoolSnapshot, error) {
	u := d.unitOf(ctx)
	conn := d.conn(ctx)
	// Warm: one query, and the snapshot of that version when it is kept.
	v, err := d.poolVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if _, snap := d.cached(v, q); snap != nil {
		return snap, nil
	}
	if u != nil {
		// A unit that has not written what a draw reads sees the committed version: read and
		// keep that snapshot outside the unit (never with a one-connection pool, which the
		// unit holds). A unit that has written reads through its transaction, keeping nothing.
		if d.sql.Stats().MaxOpenConnections != 1 {
			if committed, err := d.poolVersion(ctx, d.sql); err == nil && committed == v {
				return d.coldSnapshot(ctx, q)
			}
		}
		st, err := d.poolState(ctx, u.tx)
		if err != nil {
			return nil, err
		}
		return d.readSnapshot(ctx, u.tx, st, d.kept(), q)
	}
	return d.coldSnapshot(ctx, q)
}

// coldSnapshot reads the version, and what the kept snapshot lacks for it, in one read-only
// transaction, and keeps the result.
func (d *DB) coldSnapshot(ctx context.Context, q expertdb.SnapshotQuery) (*expertdb.PoolSnapshot, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if d.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := d.sql.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if d.engine == Postgres {
		// The changed rows' query is estimated (without statistics) at thousands of
		// look-ups; compiling it for JIT would cost far more than running it.
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return nil, err
		}
	}
	st, err := d.poolState(ctx, tx)
	if err != nil {
		return nil, err
	}
	if _, snap := d.cached(st.version, q); snap != nil {
		return snap, nil
	}
	snap, err := d.readSnapshot(ctx, tx, st, d.kept(), q)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	if d.snap == nil || d.snap.version != st.version || d.snap.seatsOf != q.Seats {
		d.snap = &snapshotCache{version: st.version, num: st.num, experts: snap.Experts, digests: snap.Digests, seats: snap.Seats, seatsOf: q.Seats,
			years: map[int]*expertdb.PoolSnapshot{}}
	}
	if kept, ok := d.snap.years[q.Year]; ok {
		return kept, nil
	}
	d.snap.years[q.Year] = snap
	return snap, nil
}

// readSnapshot reads, through q at state st, the snapshot for sq: from c, the kept snapshot
// (nil when none), what is still valid, and only what changed since from the database.
//   - c of the same version: the experts and seats are c's; only the usage and ratings of the
//     year are read, and the pool shares the cache of c's pool of another year.
//   - c of an older version, after the last unrecorded change of the experts (st.reset): the
//     rows of the experts changed since c (expert_changes), merged into c's experts; the pool
//     inherits the cache of c's pool for the unchanged experts; the seats are read again only
//     when they changed since c.
//   - otherwise every row.
func (d *DB) readSnapshot(ctx context.Context, q querier, st poolState, c *snapshotCache, sq expertdb.SnapshotQuery) (*expertdb.PoolSnapshot, error) {
	snap := &expertdb.PoolSnapshot{Version: st.version, Year: sq.Year}
	var err error
	since := c != nil && c.num < st.num && c.num >= st.reset
	if since {
		// Only from c's own history: a database restored from an older backup and written
		// past c's version has another nonce at it.
		if since, err = d.sameHistory(ctx, q, c); err != nil {
			return nil, err
		}
	}
	switch {
	case c != nil && c.version == st.version && c.seatsOf == sq.Seats:
		snap.Experts, snap.Digests, snap.Seats = c.experts, c.digests, c.seats
		snap.Base = d.baseOf(c, sq.Year)
	case since:
		if snap.Experts, snap.Digests, snap.BaseIndex, err = d.changedExperts(ctx, q, c); err != nil {
			return nil, err
		}
		snap.Base = d.baseOf(c, sq.Year)
		if snap.Base == nil {
			snap.BaseIndex = nil
		}
		if c.seatsOf == sq.Seats && st.seats <= c.num {
			snap.Seats = c.seats
		} else if snap.Seats, err = d.Events().events(ctx, q, sq.Seats); err != nil {
			return nil, err
		}
	default:
		if snap.Experts, snap.Digests, err = d.loadExperts(ctx, q); err != nil {
			return nil, err
		}
		if snap.Seats, err = d.Events().events(ctx, q, sq.Seats); err != nil {
			return nil, err
		}
	}
	if snap.Usage, err = d.Ledger().usage(ctx, q, sq.Year); err != nil {
		return nil, err
	}
	if snap.Ratings, err = d.Ratings().query(ctx, q, "ratings by year", `SELECT data FROM {ratings} WHERE year = $1 ORDER BY id`, sq.Year-1); err != nil {
		return nil, err
	}
	return snap, nil
}

// sameHistory reports whether the database, read through q, records for c's version the
// nonce c was read at (pool_nonces, schema version 6): whether what changed since c's version
// is all that separates c from the database.
func (d *DB) sameHistory(ctx context.Context, q querier, c *snapshotCache) (bool, error) {
	_, nonce, _ := strings.Cut(c.version, "-")
	var got string
	err := q.QueryRowContext(ctx, d.q(`SELECT nonce FROM {pool_nonces} WHERE version = $1`), c.num).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // older than the versions kept: read in full
	}
	if err != nil {
		return false, err
	}
	return got == nonce, nil
}

// baseOf returns a kept snapshot of c whose pool a new snapshot's pool may inherit from: the
// one of year, else any (the experts' part of the cache does not depend on the year).
func (d *DB) baseOf(c *snapshotCache, year int) *expertdb.PoolSnapshot {
	d.snapMu.Lock() // guards c.years
	defer d.snapMu.Unlock()
	if s, ok := c.years[year]; ok {
		return s
	}
	for _, s := range c.years {
		return s
	}
	return nil
}

// changedExperts returns c's experts brought up to date through q: the rows of the IDs
// expert_changes records after c's version replace c's (or remove them, when deleted). from
// holds per returned expert its index in c.experts, or -1 for a row read now; it is nil when
// nothing changed (the experts are c's own slice).
func (d *DB) changedExperts(ctx context.Context, q querier, c *snapshotCache) (experts []admission.Expert, digests []string, from []int32, err error) {
	// Scalar look-ups by primary key, per changed ID: whatever the planner estimates for
	// seq > $1 (a freshly imported table has no statistics), the experts table is never
	// scanned or hashed whole (as a join or an EXISTS may be).
	rows, err := q.QueryContext(ctx, d.q(`SELECT c.id,
		(SELECT e.id FROM {experts} e WHERE e.id = c.id) IS NOT NULL,
		(SELECT d.draw FROM {expert_draws} d WHERE d.id = c.id),
		CASE WHEN (SELECT d.id FROM {expert_draws} d WHERE d.id = c.id) IS NULL THEN (SELECT e.data FROM {experts} e WHERE e.id = c.id) END
		FROM {expert_changes} c WHERE c.seq > $1`), c.num)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	changed := map[string]bool{}
	var fresh []admission.Expert
	var freshDigests []string
	var ar arenas
	for rows.Next() {
		var id string
		var present bool
		var draw, data []byte
		if err := rows.Scan(&id, &present, &draw, &data); err != nil {
			return nil, nil, nil, err
		}
		changed[id] = true
		if !present {
			continue
		}
		var e admission.Expert
		digest := "" // a row another program wrote: not stored as a profile version
		if draw != nil {
			if digest, err = decodeDraw(string(draw), &e, &ar); err != nil {
				return nil, nil, nil, fmt.Errorf("sqlstore: expert %q: %w", id, err)
			}
		} else if err := json.Unmarshal(data, &e); err != nil {
			return nil, nil, nil, fmt.Errorf("sqlstore: expert %q: decode: %w", id, err)
		}
		fresh, freshDigests = append(fresh, e), append(freshDigests, digest)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	if len(changed) == 0 {
		return c.experts, c.digests, nil, nil
	}
	// Copy the kept experts in one move, then replace the changed ones where they were: a
	// changed row takes its old place, a deleted one's place goes to the last expert, a new
	// one is appended.
	pos := c.positions(changed)
	experts = slices.Clone(c.experts)
	from = make([]int32, len(experts), len(experts)+len(fresh))
	for i := range from {
		from[i] = int32(i)
	}
	if c.digests != nil {
		digests = slices.Clone(c.digests)
	} else {
		digests = make([]string, len(experts))
	}
	for k := range fresh {
		if i, ok := pos[fresh[k].ID]; ok {
			experts[i], digests[i], from[i] = fresh[k], freshDigests[k], -1
			delete(pos, fresh[k].ID)
			continue
		}
		experts, digests, from = append(experts, fresh[k]), append(digests, freshDigests[k]), append(from, -1)
	}
	// What remains in pos was deleted: fill each hole from the end, highest hole first.
	holes := slices.Sorted(maps.Values(pos))
	for h := len(holes) - 1; h >= 0; h-- {
		i, last := holes[h], len(experts)-1
		experts[i], digests[i], from[i] = experts[last], digests[last], from[last]
		experts[last] = admission.Expert{}
		experts, digests, from = experts[:last], digests[:last], from[:last]
	}
	return experts, digests, from, nil
}

// positions returns the index in c.experts of each of ids that c holds.
func (c *snapshotCache) positions(ids map[string]bool) map[string]int {
	pos := make(map[string]int, len(ids))
	if len(ids) <= 16 {
		// A few changes: compare IDs rather than hash every one.
		for id := range ids {
			for i := range c.experts {
				if c.experts[i].ID == id {
					pos[id] = i
					break
				}
			}
		}
		return pos
	}
	for i := range c.experts {
		if ids[c.experts[i].ID] {
			pos[c.experts[i].ID] = i
		}
	}
	return pos
}

// loadExperts decodes every expert from its draw encoding (one narrow column, which carries
// the digest) into one preallocated slice, decoding on another goroutine while the driver
// reads the next rows (batches of raw encodings; each batch is one string the decoded
// strings are cut from). Rows without one (changed by another program) are decoded from their
// JSON; they are looked for only when the two tables' counts differ.
func (d *DB) loadExperts(ctx context.Context, q querier) ([]admission.Expert, []string, error) {
	var n, m int
	if err := q.QueryRowContext(ctx, d.q(`SELECT (SELECT count(*) FROM {experts}), (SELECT count(*) FROM {expert_draws})`)).Scan(&n, &m); err != nil {
		return nil, nil, err
	}
	rows, err := q.QueryContext(ctx, d.q(`SELECT draw FROM {expert_draws}`))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	experts := make([]admission.Expert, m, max(n, m))
	digests := make([]string, m, max(n, m))
	type batch struct {
		start int
		buf   []byte
		ends  []int
	}
	const batchRows = 1024
	work := make(chan batch, 4)
	var decodeErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ar arenas
		for b := range work {
			if decodeErr != nil || len(b.buf) == 0 {
				continue
			}
			all := unsafe.String(&b.buf[0], len(b.buf)) // b.buf is never written again
			from := 0
			for k, to := range b.ends {
				digest, err := decodeDraw(all[from:to], &experts[b.start+k], &ar)
				if err != nil {
					decodeErr = fmt.Errorf("sqlstore: expert #%d: %w", b.start+k+1, err)
					break
				}
				digests[b.start+k] = digest
				from = to
			}
		}
	}()
	cur := batch{buf: make([]byte, 0, 64<<10)}
	read := 0
	var readErr error
	var extra []string // rows beyond the count (none in a consistent read)
	for rows.Next() {
		var draw sql.RawBytes
		if readErr = rows.Scan(&draw); readErr != nil {
			break
		}
		if read >= m {
			extra = append(extra, string(draw))
			continue
		}
		cur.buf = append(cur.buf, draw...)
		cur.ends = append(cur.ends, len(cur.buf))
		read++
		if len(cur.ends) == batchRows {
			work <- cur
			cur = batch{start: read, buf: make([]byte, 0, 2*len(cur.buf))}
		}
	}
	work <- cur
	close(work)
	<-done
	if readErr == nil {
		readErr = rows.Err()
	}
	if readErr != nil {
		return nil, nil, readErr
	}
	if decodeErr != nil {
		return nil, nil, decodeErr
	}
	rows.Close()
	experts, digests = experts[:read], digests[:read]
	var ar arenas
	for _, draw := range extra {
		experts = append(experts, admission.Expert{})
		digest, err := decodeDraw(draw, &experts[len(experts)-1], &ar)
		if err != nil {
			return nil, nil, fmt.Errorf("sqlstore: expert #%d: %w", len(experts), err)
		}
		digests = append(digests, digest)
	}
	if n == m {
		return experts, digests, nil
	}
	legacy, err := q.QueryContext(ctx, d.q(`SELECT id, data FROM {experts} e WHERE NOT EXISTS (SELECT 1 FROM {expert_draws} d WHERE d.id = e.id)`))
	if err != nil {
		return nil, nil, err
	}
	defer legacy.Close()
	for legacy.Next() {
		var id string
		var data []byte
		if err := legacy.Scan(&id, &data); err != nil {
			return nil, nil, err
		}
		var e admission.Expert
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: expert %q: decode: %w", id, err)
		}
		experts = append(experts, e)
		digests = append(digests, "") // not stored as a profile version: the Service stores it
	}
	return experts, digests, legacy.Err()
}
