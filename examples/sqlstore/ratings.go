package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wzsti/expertdb/evaluation"
)

// RatingStore keeps ratings (Art. 25). It implements evaluation.Store: one rating per
// activity and expert, enforced by a unique key, and a batch is stored all or none.
type RatingStore struct{ db *DB }

var _ evaluation.Store = (*RatingStore)(nil)

// Ratings returns the rating store of d.
func (d *DB) Ratings() *RatingStore { return &RatingStore{db: d} }

// Add stores ratings in one transaction. A repeated activity and expert fails the whole
// batch with an *evaluation.DuplicateError.
func (s *RatingStore) Add(ctx context.Context, ratings ...evaluation.Rating) error {
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.db.q(`INSERT INTO {ratings} (expert_id, activity_id, year, data) VALUES ($1, $2, $3, $4)`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range ratings {
			data, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("sqlstore: encode rating: %w", err)
			}
			if _, err := stmt.ExecContext(ctx, r.ExpertID, r.ActivityID, r.Year(), data); err != nil {
				if isUniqueViolation(err) {
					return &evaluation.DuplicateError{ActivityID: r.ActivityID, ExpertID: r.ExpertID}
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlstore: add %d ratings: %w", len(ratings), err)
	}
	return nil
}

// ByExpert returns the ratings of one expert in one calendar year, in the order added.
func (s *RatingStore) ByExpert(ctx context.Context, expertID string, year int) ([]evaluation.Rating, error) {
	return s.query(ctx, s.db.conn(ctx), "ratings by expert", `SELECT data FROM {ratings} WHERE expert_id = $1 AND year = $2 ORDER BY id`, expertID, year)
}

// ByYear returns every rating of one calendar year, in the order added.
func (s *RatingStore) ByYear(ctx context.Context, year int) ([]evaluation.Rating, error) {
	return s.query(ctx, s.db.conn(ctx), "ratings by year", `SELECT data FROM {ratings} WHERE year = $1 ORDER BY id`, year)
}

func (s *RatingStore) query(ctx context.Context, db querier, op, q string, args ...any) ([]evaluation.Rating, error) {
	rows, err := db.QueryContext(ctx, s.db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	defer rows.Close()
	var out []evaluation.Rating
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", op, err)
		}
		var r evaluation.Rating
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: decode: %w", op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return out, nil
}
