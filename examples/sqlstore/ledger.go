package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/selection"
)

// Ledger is the annual participation ledger (Art. 14(1): at most cap participations per
// expert and calendar year). It implements selection.Ledger. A reservation is one
// transaction whose first write is a conditional increment of the expert's counter row,
// so concurrent campaigns in any number of processes are serialised on that row and can
// never push an expert past the cap.
type Ledger struct{ db *DB }

var _ selection.Ledger = (*Ledger)(nil)

// Ledger returns the participation ledger of d.
func (d *DB) Ledger() *Ledger { return &Ledger{db: d} }

// Reserve books one participation of expertID in year for activityID. It is idempotent per
// activity, and fails with an error wrapping selection.ErrCapReached when the expert already
// has cap participations in year (cap 0 = no cap).
func (l *Ledger) Reserve(ctx context.Context, expertID string, year int, activityID string, cap int) error {
	err := l.db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, l.db.q(`INSERT INTO {ledger_counts} (expert_id, year, n) VALUES ($1, $2, 0)
			ON CONFLICT (expert_id, year) DO NOTHING`), expertID, year); err != nil {
			return err
		}
		// Locks the counter row until commit (PostgreSQL row lock; SQLite's write lock).
		res, err := tx.ExecContext(ctx, l.db.q(`UPDATE {ledger_counts} SET n = n + 1
			WHERE expert_id = $1 AND year = $2 AND ($3 = 0 OR n < $3)`), expertID, year, cap)
		if err != nil {
			return err
		}
		incremented, err := res.RowsAffected()
		if err != nil {
			return err
		}
		var seat int
		err = tx.QueryRowContext(ctx, l.db.q(`SELECT count(*) FROM {ledger_seats} WHERE expert_id = $1 AND year = $2 AND activity_id = $3`),
			expertID, year, activityID).Scan(&seat)
		if err != nil {
			return err
		}
		if seat > 0 {
			return errAlreadyBooked // roll back the increment: the seat was booked before
		}
		if incremented == 0 {
			var n int
			if err := tx.QueryRowContext(ctx, l.db.q(`SELECT n FROM {ledger_counts} WHERE expert_id = $1 AND year = $2`), expertID, year).Scan(&n); err != nil {
				return err
			}
			return fmt.Errorf("%w: expert %s has %d participations in %d", selection.ErrCapReached, expertID, n, year)
		}
		_, err = tx.ExecContext(ctx, l.db.q(`INSERT INTO {ledger_seats} (expert_id, year, activity_id) VALUES ($1, $2, $3)`), expertID, year, activityID)
		return err
	})
	if errors.Is(err, errAlreadyBooked) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlstore: reserve %s/%d/%s: %w", expertID, year, activityID, err)
	}
	return nil
}

var errAlreadyBooked = errors.New("sqlstore: already booked")

// Release cancels the participation of expertID in activityID (a withdrawal). Releasing a
// seat that is not booked does nothing.
func (l *Ledger) Release(ctx context.Context, expertID string, year int, activityID string) error {
	err := l.db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, l.db.q(`DELETE FROM {ledger_seats} WHERE expert_id = $1 AND year = $2 AND activity_id = $3`), expertID, year, activityID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, l.db.q(`UPDATE {ledger_counts} SET n = n - 1 WHERE expert_id = $1 AND year = $2 AND n > 0`), expertID, year)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: release %s/%d/%s: %w", expertID, year, activityID, err)
	}
	return nil
}

// Usage returns the booked participations of every expert in year (the Pool.Usage of a draw).
func (l *Ledger) Usage(ctx context.Context, year int) (map[string]int, error) {
	return l.usage(ctx, l.db.conn(ctx), year)
}

func (l *Ledger) usage(ctx context.Context, q querier, year int) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, l.db.q(`SELECT expert_id, n FROM {ledger_counts} WHERE year = $1 AND n > 0`), year)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: usage %d: %w", year, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("sqlstore: usage %d: %w", year, err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: usage %d: %w", year, err)
	}
	return out, nil
}

var _ expertdb.UsageReader = (*Ledger)(nil)
