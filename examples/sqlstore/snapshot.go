package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// snapshotCache is the decoded pool of one version of the database, kept between draws.
type snapshotCache struct {
	version string
	experts []admission.Expert
	digests []string
	seats   [][]byte
	seatsOf string
	years   map[int]*expertdb.PoolSnapshot
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
// and every row a draw needs in one read-only transaction (REPEATABLE READ on PostgreSQL, a
// WAL snapshot on SQLite), so the rows are exactly those of the version, and keeps them.
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
		c, _ := d.cached(v, q)
		return d.readSnapshot(ctx, u.tx, v, c, q)
	}
	return d.coldSnapshot(ctx, q)
}

// coldSnapshot reads the version and every row in one read-only transaction and keeps them.
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
	v, err := d.poolVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	c, snap := d.cached(v, q)
	if snap != nil {
		return snap, nil
	}
	snap, err = d.readSnapshot(ctx, tx, v, c, q)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	if d.snap == nil || d.snap.version != v || d.snap.seatsOf != q.Seats {
		d.snap = &snapshotCache{version: v, experts: snap.Experts, digests: snap.Digests, seats: snap.Seats, seatsOf: q.Seats,
			years: map[int]*expertdb.PoolSnapshot{}}
	}
	if kept, ok := d.snap.years[q.Year]; ok {
		return kept, nil
	}
	d.snap.years[q.Year] = snap
	return snap, nil
}

// readSnapshot reads, through q, what c (the kept snapshot of version v, or nil) lacks.
func (d *DB) readSnapshot(ctx context.Context, q querier, v string, c *snapshotCache, sq expertdb.SnapshotQuery) (*expertdb.PoolSnapshot, error) {
	snap := &expertdb.PoolSnapshot{Version: v, Year: sq.Year}
	var err error
	if c != nil {
		snap.Experts, snap.Digests, snap.Seats = c.experts, c.digests, c.seats
	} else {
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

// loadExperts decodes every expert from its draw encoding (one narrow column, which carries
// the digest) into one preallocated slice. Rows without one (changed by another program) are
// decoded from their JSON; they are looked for only when the two tables' counts differ.
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
	experts := make([]admission.Expert, 0, n)
	digests := make([]string, 0, n)
	var ar arenas
	for rows.Next() {
		var draw sql.RawBytes
		if err := rows.Scan(&draw); err != nil {
			return nil, nil, err
		}
		experts = append(experts, admission.Expert{})
		digest, err := decodeDraw(string(draw), &experts[len(experts)-1], &ar)
		if err != nil {
			return nil, nil, fmt.Errorf("sqlstore: expert #%d: %w", len(experts), err)
		}
		digests = append(digests, digest)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
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
