package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// ExpertStore keeps expert profiles as JSON documents keyed by ID. It implements
// expertdb.ExpertStore.
type ExpertStore struct{ db *DB }

var _ expertdb.ExpertStore = (*ExpertStore)(nil)

// Experts returns the expert store of d.
func (d *DB) Experts() *ExpertStore { return &ExpertStore{db: d} }

// Get returns one expert or an error wrapping expertdb.ErrNotFound.
func (s *ExpertStore) Get(ctx context.Context, id string) (admission.Expert, error) {
	var data []byte
	err := s.db.sql.QueryRowContext(ctx, `SELECT data FROM experts WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return admission.Expert{}, fmt.Errorf("sqlstore: get expert %q: %w", id, expertdb.ErrNotFound)
	}
	if err != nil {
		return admission.Expert{}, fmt.Errorf("sqlstore: get expert %q: %w", id, err)
	}
	var e admission.Expert
	if err := json.Unmarshal(data, &e); err != nil {
		return admission.Expert{}, fmt.Errorf("sqlstore: get expert %q: decode: %w", id, err)
	}
	return e, nil
}

// Put inserts or replaces an expert.
func (s *ExpertStore) Put(ctx context.Context, e admission.Expert) error {
	if strings.TrimSpace(e.ID) == "" {
		return errors.New("sqlstore: put expert: empty ID")
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("sqlstore: put expert %q: encode: %w", e.ID, err)
	}
	_, err = s.db.sql.ExecContext(ctx, `INSERT INTO experts (id, status, data, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at`,
		e.ID, string(e.Status), data, e.UpdatedAt.Unix())
	if err != nil {
		return fmt.Errorf("sqlstore: put expert %q: %w", e.ID, err)
	}
	return nil
}

// PutMany inserts or replaces many experts in one transaction (bulk import).
func (s *ExpertStore) PutMany(ctx context.Context, experts []admission.Expert) error {
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO experts (id, status, data, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range experts {
			if strings.TrimSpace(e.ID) == "" {
				return errors.New("empty expert ID")
			}
			data, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("expert %q: encode: %w", e.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, e.ID, string(e.Status), data, e.UpdatedAt.Unix()); err != nil {
				return fmt.Errorf("expert %q: %w", e.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlstore: put %d experts: %w", len(experts), err)
	}
	return nil
}

// List returns every expert ordered by ID.
func (s *ExpertStore) List(ctx context.Context) ([]admission.Expert, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, data FROM experts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list experts: %w", err)
	}
	defer rows.Close()
	var out []admission.Expert
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("sqlstore: list experts: %w", err)
		}
		var e admission.Expert
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("sqlstore: list experts: decode %q: %w", id, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list experts: %w", err)
	}
	return out, nil
}

// Delete removes an expert (used to undo an admission whose audit event could not be written).
func (s *ExpertStore) Delete(ctx context.Context, id string) error {
	if _, err := s.db.sql.ExecContext(ctx, `DELETE FROM experts WHERE id = $1`, id); err != nil {
		return fmt.Errorf("sqlstore: delete expert %q: %w", id, err)
	}
	return nil
}

var _ expertdb.ExpertDeleter = (*ExpertStore)(nil)
