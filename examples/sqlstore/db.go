package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Engine names a supported database engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"   // modernc.org/sqlite: pure Go, one file, the embedded default
	Postgres Engine = "postgres" // github.com/jackc/pgx/v5/stdlib: PostgreSQL and compatible engines
)

// DB is an open expertdb database. Its stores share one connection pool and are safe for
// concurrent use by many goroutines and, on PostgreSQL, by many processes.
type DB struct {
	sql    *sql.DB
	engine Engine
}

// OpenSQLite opens (creating if needed) the SQLite database file at path and applies the
// migrations. WAL journaling and a busy timeout let readers and one writer share the file.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlstore: open sqlite: empty path")
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	return open(ctx, db, SQLite)
}

// OpenPostgres connects to PostgreSQL with a pgx connection string
// (e.g. "postgres://user:pass@127.0.0.1:5432/db?sslmode=disable") and applies the migrations.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	return open(ctx, db, Postgres)
}

func open(ctx context.Context, db *sql.DB, e Engine) (*DB, error) {
	d := &DB{sql: db, engine: e}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect %s: %w", e, err)
	}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the connection pool.
func (d *DB) Close() error { return d.sql.Close() }

// Engine reports which engine d runs on.
func (d *DB) Engine() Engine { return d.engine }

// SQL returns the underlying pool, for callers that run their own queries next to the stores.
func (d *DB) SQL() *sql.DB { return d.sql }

// migrations are applied in order, each once, each in its own transaction. Never edit an
// applied migration: append a new one. "BLOB" becomes BYTEA on PostgreSQL, and "AUTOID" an
// auto-incrementing integer primary key on each engine.
var migrations = []string{
	// 1: experts, audit log, ratings, cap ledger, campaign events
	`CREATE TABLE experts (
		id         TEXT PRIMARY KEY,
		status     TEXT NOT NULL,
		data       BLOB NOT NULL,
		updated_at BIGINT NOT NULL
	);
	CREATE TABLE audit_records (
		idx  BIGINT PRIMARY KEY,
		data BLOB NOT NULL
	);
	CREATE TABLE audit_hashes (
		idx  BIGINT PRIMARY KEY,
		hash BLOB NOT NULL
	);
	CREATE TABLE ratings (
		id          AUTOID,
		expert_id   TEXT NOT NULL,
		activity_id TEXT NOT NULL,
		year        INTEGER NOT NULL,
		data        BLOB NOT NULL,
		UNIQUE (activity_id, expert_id)
	);
	CREATE INDEX ratings_by_expert ON ratings (expert_id, year);
	CREATE INDEX ratings_by_year ON ratings (year, expert_id);
	CREATE TABLE ledger_counts (
		expert_id TEXT NOT NULL,
		year      INTEGER NOT NULL,
		n         INTEGER NOT NULL,
		PRIMARY KEY (expert_id, year)
	);
	CREATE TABLE ledger_seats (
		expert_id   TEXT NOT NULL,
		year        INTEGER NOT NULL,
		activity_id TEXT NOT NULL,
		PRIMARY KEY (expert_id, year, activity_id)
	);
	CREATE TABLE campaign_events (
		campaign_id TEXT NOT NULL,
		seq         BIGINT NOT NULL,
		data        BLOB NOT NULL,
		PRIMARY KEY (campaign_id, seq)
	);`,
}

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("sqlstore: migrate: create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		v := i + 1
		if err := d.tx(ctx, func(tx *sql.Tx) error {
			if d.engine == Postgres {
				// Serialise concurrent migrators (several processes opening at once).
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727001)`); err != nil {
					return err
				}
				m = strings.NewReplacer("BLOB", "BYTEA", "AUTOID", "BIGSERIAL PRIMARY KEY").Replace(m)
			} else {
				m = strings.ReplaceAll(m, "AUTOID", "INTEGER PRIMARY KEY AUTOINCREMENT")
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v)
			return err
		}); err != nil {
			return fmt.Errorf("sqlstore: migrate to version %d: %w", v, err)
		}
	}
	return nil
}

// tx runs f in a transaction, committing when it returns nil and rolling back otherwise.
func (d *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
