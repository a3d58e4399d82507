package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
)

// AuditStore keeps the audit log's raw records and its Merkle hashes. It implements
// audit.Store, audit.ConditionalStore (so several processes never fork the log) and
// audit.HashStore (so opening a large log does not rehash it).
type AuditStore struct{ db *DB }

var (
	_ audit.Store            = (*AuditStore)(nil)
	_ audit.ConditionalStore = (*AuditStore)(nil)
	_ audit.HashStore        = (*AuditStore)(nil)
)

// Audit returns the audit store of d.
func (d *DB) Audit() *AuditStore { return &AuditStore{db: d} }

// Len returns the number of records. Indexes are dense from 0 (AppendAt guarantees it), so
// the count is one more than the largest index.
func (s *AuditStore) Len(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.conn(ctx).QueryRowContext(ctx, s.db.q(`SELECT max(idx) FROM {audit_records}`)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: audit len: %w", err)
	}
	if !n.Valid {
		return 0, nil
	}
	return n.Int64 + 1, nil
}

// Append adds records at the current end, atomically. Concurrent appenders retry on
// conflict; the audit.Log itself uses AppendAt.
func (s *AuditStore) Append(ctx context.Context, records ...[]byte) error {
	for attempt := 0; ; attempt++ {
		n, err := s.Len(ctx)
		if err != nil {
			return err
		}
		err = s.AppendAt(ctx, n, records...)
		if err == nil || !errors.Is(err, audit.ErrConflict) || attempt >= 100 {
			return err
		}
	}
}

// AppendAt adds records at indexes start, start+1, … in one transaction, failing with an
// error wrapping audit.ErrConflict (and writing nothing) unless the log holds exactly start
// records. The primary key on the index makes a race between two processes fail for one of
// them instead of forking the log.
func (s *AuditStore) AppendAt(ctx context.Context, start int64, records ...[]byte) error {
	if len(records) == 0 {
		return nil
	}
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		if s.db.engine == Postgres && s.db.unitOf(ctx) != nil {
			// Inside a unit of work the append commits later: serialise appenders until then,
			// so that a concurrent unit waits instead of failing its whole transaction.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727002)`); err != nil {
				return err
			}
		}
		var n sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.db.q(`SELECT max(idx) FROM {audit_records}`)).Scan(&n); err != nil {
			return err
		}
		have := int64(0)
		if n.Valid {
			have = n.Int64 + 1
		}
		if have != start {
			return fmt.Errorf("%w: append at %d but the log holds %d records", audit.ErrConflict, start, have)
		}
		rows := make([][]any, len(records))
		for i, r := range records {
			rows[i] = []any{start + int64(i), r}
		}
		if err := insertRows(ctx, tx, s.db.q(`INSERT INTO {audit_records} (idx, data) VALUES `), "", rows); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%w: an index from %d is taken: %v", audit.ErrConflict, start, err)
			}
			return err
		}
		return nil
	})
	if err != nil {
		if isUniqueViolation(err) && !errors.Is(err, audit.ErrConflict) {
			return fmt.Errorf("sqlstore: audit append at %d: %w: %v", start, audit.ErrConflict, err)
		}
		return fmt.Errorf("sqlstore: audit append at %d: %w", start, err)
	}
	return nil
}

// Read returns the n records starting at index start; asking beyond the end is an error
// wrapping audit.ErrNotFound.
func (s *AuditStore) Read(ctx context.Context, start, n int64) ([][]byte, error) {
	if start < 0 || n < 0 {
		return nil, fmt.Errorf("sqlstore: audit read %d+%d: negative range", start, n)
	}
	rows, err := s.db.conn(ctx).QueryContext(ctx,
		s.db.q(`SELECT idx, data FROM {audit_records} WHERE idx >= $1 AND idx < $2 ORDER BY idx`), start, start+n)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: audit read %d+%d: %w", start, n, err)
	}
	defer rows.Close()
	out := make([][]byte, 0, n)
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, fmt.Errorf("sqlstore: audit read %d+%d: %w", start, n, err)
		}
		if idx != start+int64(len(out)) {
			return nil, fmt.Errorf("sqlstore: audit read %d+%d: %w: gap at index %d", start, n, audit.ErrNotFound, start+int64(len(out)))
		}
		out = append(out, data)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: audit read %d+%d: %w", start, n, err)
	}
	if int64(len(out)) != n {
		return nil, fmt.Errorf("sqlstore: audit read %d+%d: %w: only %d records", start, n, audit.ErrNotFound, len(out))
	}
	return out, nil
}

// ReadHashes returns the stored Merkle hashes at the given tlog stored-hash indexes.
func (s *AuditStore) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	pos := make(map[int64][]int, len(indexes))
	args := make([]any, 0, len(indexes))
	var q strings.Builder
	q.WriteString(s.db.q(`SELECT idx, hash FROM {audit_hashes} WHERE idx IN (`))
	for i, x := range indexes {
		if _, dup := pos[x]; !dup {
			if len(args) > 0 {
				q.WriteByte(',')
			}
			args = append(args, x)
			fmt.Fprintf(&q, "$%d", len(args)) // placeholders only; values are bound
		}
		pos[x] = append(pos[x], i)
	}
	q.WriteByte(')')
	rows, err := s.db.conn(ctx).QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: audit read hashes: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, fmt.Errorf("sqlstore: audit read hashes: %w", err)
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("sqlstore: audit read hashes: hash %d has %d bytes", idx, len(h))
		}
		for _, i := range pos[idx] {
			copy(out[i][:], h)
			found++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: audit read hashes: %w", err)
	}
	if found != len(indexes) {
		return nil, fmt.Errorf("sqlstore: audit read hashes: %w: %d of %d missing", audit.ErrNotFound, len(indexes)-found, len(indexes))
	}
	return out, nil
}

// WriteHashes stores hashes[i] at indexes[i]. Stored hashes never change, so a hash that
// is already there is left as it is.
func (s *AuditStore) WriteHashes(ctx context.Context, indexes []int64, hashes []tlog.Hash) error {
	if len(indexes) != len(hashes) {
		return fmt.Errorf("sqlstore: audit write hashes: %d indexes, %d hashes", len(indexes), len(hashes))
	}
	if len(indexes) == 0 {
		return nil
	}
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		rows := make([][]any, len(indexes))
		for i, x := range indexes {
			rows[i] = []any{x, hashes[i][:]}
		}
		if err := insertRows(ctx, tx, s.db.q(`INSERT INTO {audit_hashes} (idx, hash) VALUES `), ` ON CONFLICT (idx) DO NOTHING`, rows); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlstore: audit write hashes: %w", err)
	}
	return nil
}

// insertRows inserts rows with multi-row INSERT statements of at most 400 rows each: prefix,
// then "($1, $2), ($3, $4), …" (placeholders only; every value is bound), then suffix.
func insertRows(ctx context.Context, tx *sql.Tx, prefix, suffix string, rows [][]any) error {
	const chunk = 400
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		var q strings.Builder
		q.WriteString(prefix)
		args := make([]any, 0, n*len(rows[0]))
		for i, row := range rows[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					q.WriteByte(',')
				}
				args = append(args, v)
				fmt.Fprintf(&q, "$%d", len(args))
			}
			q.WriteByte(')')
		}
		q.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
