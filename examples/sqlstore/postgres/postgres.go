// Package postgres opens an expertdb SQL store (package sqlstore) on PostgreSQL through
// github.com/jackc/pgx/v5: from a connection string (Open) or over a pgx pool the program
// already has (OpenPool). Importing it links pgx only.
//
// Tables go into Options.Schema, or the first schema of the search_path when it is empty;
// a DSN can set the search_path with "search_path=myschema" (pgx sends it as a run-time
// parameter). Several processes and machines may share one database: migrations are
// serialised by an advisory lock, and the stores' conditional writes keep the cap ledger,
// the audit log and campaign events consistent between them.
package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"

	"github.com/wzsti/expertdb/examples/sqlstore"
)

// Open connects to PostgreSQL with a pgx connection string
// (e.g. "postgres://user:pass@127.0.0.1:5432/db?sslmode=disable") and applies the
// migrations (see sqlstore.Open for opts). Close closes the connections.
func Open(ctx context.Context, dsn string, opts sqlstore.Options) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return sqlstore.OpenOwned(ctx, stdlib.OpenDB(*cfg), sqlstore.Postgres, opts)
}

// OpenPool uses the caller's pgx pool (through database/sql, stdlib.OpenDBFromPool). Close
// releases the database/sql wrapper only; the pool stays the caller's.
func OpenPool(ctx context.Context, pool *pgxpool.Pool, opts sqlstore.Options) (*sqlstore.DB, error) {
	return sqlstore.OpenOwned(ctx, stdlib.OpenDBFromPool(pool), sqlstore.Postgres, opts)
}
