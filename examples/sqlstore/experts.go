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

// ExpertStore keeps expert profiles keyed by ID: the full profile as a JSON document (table
// experts), the compact draw encoding with the digest of the profile version (table
// expert_draws), and the version's bytes once in the profiles table for the draw records that
// reference them.
// It implements expertdb.ExpertStore, expertdb.ExpertDeleter and expertdb.PoolSnapshotter.
type ExpertStore struct{ db *DB }

var (
	_ expertdb.ExpertStore     = (*ExpertStore)(nil)
	_ expertdb.ExpertDeleter   = (*ExpertStore)(nil)
	_ expertdb.PoolSnapshotter = (*ExpertStore)(nil)
)

// Experts returns the expert store of d.
func (d *DB) Experts() *ExpertStore { return &ExpertStore{db: d} }

// Get returns one expert or an error wrapping expertdb.ErrNotFound.
func (s *ExpertStore) Get(ctx context.Context, id string) (admission.Expert, error) {
	var data []byte
	err := s.db.conn(ctx).QueryRowContext(ctx, s.db.q(`SELECT data FROM {experts} WHERE id = $1`), id).Scan(&data)
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

const (
	putExpertSQL = `INSERT INTO {experts} (id, status, data, updated_at, id_number` + queryColumnNames + `) VALUES ($1, $2, $3, $4, $5` + queryColumnParams + `)
	ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at, id_number = excluded.id_number` + queryColumnSet
	putDrawSQL = `INSERT INTO {expert_draws} (id, draw) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET draw = excluded.draw`
)

// Put inserts or replaces an expert.
func (s *ExpertStore) Put(ctx context.Context, e admission.Expert) error {
	if err := s.PutMany(ctx, []admission.Expert{e}); err != nil {
		return fmt.Errorf("sqlstore: put expert %q: %w", e.ID, errors.Unwrap(err))
	}
	return nil
}

// PutMany inserts or replaces many experts in one transaction (bulk import).
func (s *ExpertStore) PutMany(ctx context.Context, experts []admission.Expert) error {
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.db.q(putExpertSQL))
		if err != nil {
			return err
		}
		defer stmt.Close()
		drawStmt, err := tx.PrepareContext(ctx, s.db.q(putDrawSQL))
		if err != nil {
			return err
		}
		defer drawStmt.Close()
		profiles := make([][]any, 0, min(len(experts), 400))
		flush := func() error {
			err := insertRows(ctx, tx, s.db.q(`INSERT INTO {profiles} (digest, data) VALUES `), ` ON CONFLICT (digest) DO NOTHING`, profiles)
			profiles = profiles[:0]
			return err
		}
		var buf []byte
		for _, e := range experts {
			if strings.TrimSpace(e.ID) == "" {
				return errors.New("sqlstore: empty expert ID")
			}
			digest, data, err := expertdb.ProfileDigest(e)
			if err != nil {
				return err
			}
			buf = encodeDraw(buf[:0], digest, &e)
			if _, err := stmt.ExecContext(ctx, append([]any{e.ID, string(e.Status), data, e.UpdatedAt.Unix(), personKey(e.IDNumber)}, queryColumns(e)...)...); err != nil {
				return fmt.Errorf("sqlstore: expert %q: %w", e.ID, err)
			}
			// After the row: the trigger on experts drops the old draw encoding.
			if _, err := drawStmt.ExecContext(ctx, e.ID, buf); err != nil {
				return fmt.Errorf("sqlstore: expert %q: %w", e.ID, err)
			}
			if profiles = append(profiles, []any{digest, data}); len(profiles) == cap(profiles) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return fmt.Errorf("sqlstore: put %d experts: %w", len(experts), err)
	}
	return nil
}

// List returns every expert ordered by ID.
func (s *ExpertStore) List(ctx context.Context) ([]admission.Expert, error) {
	rows, err := s.db.conn(ctx).QueryContext(ctx, s.db.q(`SELECT id, data FROM {experts} ORDER BY id`))
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
	if _, err := s.db.conn(ctx).ExecContext(ctx, s.db.q(`DELETE FROM {experts} WHERE id = $1`), id); err != nil {
		return fmt.Errorf("sqlstore: delete expert %q: %w", id, err)
	}
	return nil
}

// backfill writes the draw encoding and profile version of rows written before schema
// version 2.
func (s *ExpertStore) backfill(ctx context.Context) error {
	for {
		rows, err := s.db.sql.QueryContext(ctx, s.db.q(`SELECT data FROM {experts} e
			WHERE NOT EXISTS (SELECT 1 FROM {expert_draws} d WHERE d.id = e.id) ORDER BY id LIMIT 1000`))
		if err != nil {
			return fmt.Errorf("sqlstore: backfill experts: %w", err)
		}
		var batch []admission.Expert
		for rows.Next() {
			var data []byte
			var e admission.Expert
			if err := rows.Scan(&data); err == nil {
				err = json.Unmarshal(data, &e)
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlstore: backfill experts: %w", err)
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlstore: backfill experts: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := s.PutMany(ctx, batch); err != nil {
			return fmt.Errorf("sqlstore: backfill experts: %w", err)
		}
	}
}

var _ expertdb.ExpertsByIDNumber = (*ExpertStore)(nil)

// personKey is the value of the id_number column: the canonical ID number, or the upper-cased
// text when it is not a valid one (so that it never matches a valid lookup by accident).
func personKey(idNumber string) string {
	if id, ok := admission.NormalizeIDNumber(idNumber); ok {
		return id
	}
	return strings.ToUpper(idNumber)
}

// FindByIDNumber implements expertdb.ExpertsByIDNumber: every record, whatever its status,
// whose ID number has the canonical form of idNumber (one person, one record, Art. 6, 11),
// ordered by expert ID, through the indexed id_number column (schema version 3; the store
// writes it with every profile, and the migration fills it for older rows). A row written by
// another program without it is not found. None for an invalid ID number.
func (s *ExpertStore) FindByIDNumber(ctx context.Context, idNumber string) ([]admission.Expert, error) {
	want, ok := admission.NormalizeIDNumber(idNumber)
	if !ok {
		return nil, nil
	}
	rows, err := s.db.conn(ctx).QueryContext(ctx, s.db.q(`SELECT data FROM {experts} WHERE id_number = $1 ORDER BY id`), want)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find experts by ID number: %w", err)
	}
	defer rows.Close()
	var out []admission.Expert
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlstore: find experts by ID number: %w", err)
		}
		var e admission.Expert
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("sqlstore: find experts by ID number: decode: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find experts by ID number: %w", err)
	}
	return out, nil
}
