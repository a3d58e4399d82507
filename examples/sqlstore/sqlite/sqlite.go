// Package sqlite opens an expertdb SQL store (package sqlstore) on SQLite through
// modernc.org/sqlite (pure Go, no cgo): one file, the embedded default. Importing it links
// the SQLite driver only.
//
// The file is opened with WAL journaling (readers and one writer share it), a busy timeout
// of 10 s and write transactions that take the lock up front (BEGIN IMMEDIATE), so concurrent
// writers serialise instead of failing. To use a pool of your own, open it with the same
// parameters (DSN) and call sqlstore.Open(ctx, db, sqlstore.SQLite, opts).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite" // registers driver "sqlite"

	"github.com/wzsti/expertdb/examples/sqlstore"
)

// DSN returns the modernc.org/sqlite data source name Open uses for the file at path.
func DSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Open opens (creating if needed) the SQLite database file at path and applies the
// migrations (see sqlstore.Open for opts). Close closes the file.
func Open(ctx context.Context, path string, opts sqlstore.Options) (*sqlstore.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return sqlstore.OpenOwned(ctx, db, sqlstore.SQLite, opts)
}
