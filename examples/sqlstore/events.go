package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wzsti/expertdb"
)

// EventStore keeps event streams (campaigns). It implements expertdb.EventStore: an event
// is written at its sequence number or not at all, so two processes driving the same
// campaign can never interleave or overwrite each other's events.
type EventStore struct{ db *DB }

var _ expertdb.EventStore = (*EventStore)(nil)

// Events returns the event store of d.
func (d *DB) Events() *EventStore { return &EventStore{db: d} }

// AppendEvent stores record as event seq of stream, or fails with an error wrapping
// expertdb.ErrConflict when the stream does not hold exactly seq events.
func (s *EventStore) AppendEvent(ctx context.Context, stream string, seq int64, record []byte) error {
	if seq < 0 {
		return fmt.Errorf("sqlstore: append event %q #%d: negative sequence", stream, seq)
	}
	// The insert succeeds only when event seq-1 exists (or seq is 0) and seq is free; the
	// primary key rejects a concurrent writer of the same seq.
	var res sql.Result
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, s.db.q(`INSERT INTO {campaign_events} (campaign_id, seq, data)
			SELECT $1, $2, $3 WHERE $4 < 0 OR EXISTS (SELECT 1 FROM {campaign_events} WHERE campaign_id = $1 AND seq = $4)`),
			stream, seq, record, seq-1)
		return err
	})
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("sqlstore: append event %q #%d: %w: %v", stream, seq, expertdb.ErrConflict, err)
		}
		return fmt.Errorf("sqlstore: append event %q #%d: %w", stream, seq, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: append event %q #%d: %w", stream, seq, err)
	} else if n != 1 {
		return fmt.Errorf("sqlstore: append event %q #%d: %w: previous event missing", stream, seq, expertdb.ErrConflict)
	}
	return nil
}

// Events returns every event of stream in order.
func (s *EventStore) Events(ctx context.Context, stream string) ([][]byte, error) {
	return s.events(ctx, s.db.conn(ctx), stream)
}

func (s *EventStore) events(ctx context.Context, q querier, stream string) ([][]byte, error) {
	rows, err := q.QueryContext(ctx, s.db.q(`SELECT seq, data FROM {campaign_events} WHERE campaign_id = $1 ORDER BY seq`), stream)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: events %q: %w", stream, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, fmt.Errorf("sqlstore: events %q: %w", stream, err)
		}
		if seq != int64(len(out)) {
			return nil, fmt.Errorf("sqlstore: events %q: gap at %d", stream, len(out))
		}
		out = append(out, data)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: events %q: %w", stream, err)
	}
	return out, nil
}
