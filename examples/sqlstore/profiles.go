package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb"
)

// The EventStore is also the expertdb.ProfileStore of the database: the profile versions
// that draw records reference, each kept once under its digest (table profiles). The expert
// store writes the version of every expert it stores, so a draw over the store's snapshot
// writes no profile at all.
var _ expertdb.ProfileStore = (*EventStore)(nil)

// PutProfiles stores profile versions; a digest already stored is left as it is.
func (s *EventStore) PutProfiles(ctx context.Context, profiles ...expertdb.Profile) error {
	if len(profiles) == 0 {
		return nil
	}
	rows := make([][]any, len(profiles))
	for i, p := range profiles {
		rows[i] = []any{p.Digest, p.Data}
	}
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		return insertRows(ctx, tx, s.db.q(`INSERT INTO {profiles} (digest, data) VALUES `), ` ON CONFLICT (digest) DO NOTHING`, rows)
	})
	if err != nil {
		return fmt.Errorf("sqlstore: put %d profiles: %w", len(profiles), err)
	}
	return nil
}

// Profiles returns the stored bytes of each digest, in order, or an error wrapping
// expertdb.ErrNotFound naming the first digest missing.
func (s *EventStore) Profiles(ctx context.Context, digests []string) ([][]byte, error) {
	found := make(map[string][]byte, len(digests))
	const chunk = 500
	for start := 0; start < len(digests); start += chunk {
		part := digests[start:min(start+chunk, len(digests))]
		q, args := inList(s.db.q(`SELECT digest, data FROM {profiles} WHERE digest IN `), part)
		rows, err := s.db.conn(ctx).QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read profiles: %w", err)
		}
		for rows.Next() {
			var d string
			var b []byte
			if err := rows.Scan(&d, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: read profiles: %w", err)
			}
			found[d] = b
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: read profiles: %w", err)
		}
	}
	out := make([][]byte, len(digests))
	for i, d := range digests {
		b, ok := found[d]
		if !ok {
			return nil, fmt.Errorf("sqlstore: read profiles: %w: profile %s", expertdb.ErrNotFound, d)
		}
		out[i] = b
	}
	return out, nil
}

var _ expertdb.ProfileChecker = (*EventStore)(nil)

// MissingProfiles returns the digests of digests that are not stored, in order, reading
// only the keys (a draw checks with it that its profile manifest is stored).
func (s *EventStore) MissingProfiles(ctx context.Context, digests []string) ([]string, error) {
	found := make(map[string]bool, len(digests))
	const chunk = 500
	for start := 0; start < len(digests); start += chunk {
		part := digests[start:min(start+chunk, len(digests))]
		q, args := inList(s.db.q(`SELECT digest FROM {profiles} WHERE digest IN `), part)
		rows, err := s.db.conn(ctx).QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: check profiles: %w", err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: check profiles: %w", err)
			}
			found[d] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: check profiles: %w", err)
		}
	}
	var out []string
	for _, d := range digests {
		if !found[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

// inList returns query followed by a list of placeholders "($1,…,$n)" for the values, and
// the values as arguments: only placeholders enter the text, the values are bound.
func inList(query string, values []string) (string, []any) {
	var q strings.Builder
	q.WriteString(query)
	q.WriteByte('(')
	args := make([]any, len(values))
	for i, v := range values {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('$')
		q.WriteString(strconv.Itoa(i + 1))
		args[i] = v
	}
	q.WriteByte(')')
	return q.String(), args
}
