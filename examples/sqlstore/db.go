package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Engine names a supported database engine (the SQL dialect Open speaks).
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"   // SQLite 3 (package sqlstore/sqlite opens it with modernc.org/sqlite)
	Postgres Engine = "postgres" // PostgreSQL ≥ 13 and compatible engines (package sqlstore/postgres, pgx)
)

// Options adapt the store to a database it shares with other systems. The zero Options use
// unprefixed table names in the connection's current schema and apply the migrations.
type Options struct {
	// Schema is the PostgreSQL schema holding the tables; it must exist. "" = the first
	// schema of the connection's search_path (current_schema()), which a DSN can set with
	// "search_path=…" (pgx passes it as a run-time parameter). Every query names the schema
	// explicitly, so the pool's search_path does not matter afterwards. Not used with SQLite.
	Schema string
	// Prefix is prepended to the name of every table, index, trigger and function the store
	// creates, e.g. "expertdb_" gives expertdb_experts. Lowercase letters, digits and "_".
	Prefix string
	// VerifyOnly makes Open check that the schema is at the version this package needs,
	// without applying anything: for teams that apply the SQL files of Migrations with their
	// own tool (goose, golang-migrate, Atlas) and do not let applications change the schema.
	VerifyOnly bool
}

// DB is an open expertdb database. Its stores share one connection pool and are safe for
// concurrent use by many goroutines and, on PostgreSQL, by many processes.
type DB struct {
	sql    *sql.DB
	engine Engine
	opts   Options
	names  *strings.Replacer // "{experts}" → the qualified, quoted table name
	owned  bool              // Close closes the pool

	queries sync.Map // template → rendered SQL

	snapMu sync.Mutex
	snap   *snapshotCache
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// Open uses db, the caller's own pool (a *sql.DB of any driver speaking engine's SQL; for a
// pgx pool use stdlib.OpenDBFromPool), as an expertdb store: it checks the schema and applies
// the pending migrations (Migrations; see Options.VerifyOnly). A schema in a state Open does
// not recognise is refused with an error wrapping ErrSchemaState, never silently used.
// Close does not close db: the caller owns it.
func Open(ctx context.Context, db *sql.DB, engine Engine, opts Options) (*DB, error) {
	if db == nil {
		return nil, errors.New("sqlstore: open: nil *sql.DB")
	}
	if engine != SQLite && engine != Postgres {
		return nil, fmt.Errorf("sqlstore: open: unknown engine %q", engine)
	}
	if opts.Prefix != "" && !identRE.MatchString(opts.Prefix) {
		return nil, fmt.Errorf("sqlstore: open: prefix %q: want lowercase letters, digits and _ (at most 40)", opts.Prefix)
	}
	if opts.Schema != "" {
		if engine != Postgres {
			return nil, fmt.Errorf("sqlstore: open: a schema is a PostgreSQL option (got %q for %s)", opts.Schema, engine)
		}
		if !identRE.MatchString(opts.Schema) {
			return nil, fmt.Errorf("sqlstore: open: schema %q: want lowercase letters, digits and _ (at most 40)", opts.Schema)
		}
	}
	d := &DB{sql: db, engine: engine, opts: opts}
	pairs := make([]string, 0, 2*len(tableNames))
	for _, n := range tableNames {
		pairs = append(pairs, "{"+n+"}", d.qualified(n))
	}
	d.names = strings.NewReplacer(pairs...)
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlstore: connect %s: %w", engine, err)
	}
	if err := d.migrate(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// OpenOwned is Open for a pool the store owns: Close closes it, and a failed open closes it
// too. The driver packages (sqlstore/sqlite, sqlstore/postgres) use it.
func OpenOwned(ctx context.Context, db *sql.DB, engine Engine, opts Options) (*DB, error) {
	d, err := Open(ctx, db, engine, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	d.owned = true
	return d, nil
}

// Close closes the connection pool when the store owns it (OpenOwned); a pool handed to Open
// stays open for its owner.
func (d *DB) Close() error {
	if d.owned {
		return d.sql.Close()
	}
	return nil
}

// Engine reports which engine d runs on.
func (d *DB) Engine() Engine { return d.engine }

// SQL returns the underlying pool, for callers that run their own queries next to the stores.
func (d *DB) SQL() *sql.DB { return d.sql }

// Table returns the qualified, quoted name of one of the store's tables (e.g. "experts"), for
// callers' own queries: `"gov"."expertdb_experts"` with Schema "gov" and Prefix "expertdb_".
func (d *DB) Table(name string) string { return d.qualified(name) }

// tableNames are every table, index, trigger and function name the migrations create; Prefix
// applies to each.
var tableNames = []string{
	"experts", "audit_records", "audit_hashes", "ratings", "ratings_by_expert", "ratings_by_year",
	"ledger_counts", "ledger_seats", "campaign_events", "profiles", "pool_state", "pool_bump",
	"experts_pool_bump", "experts_pool_bump_i", "experts_pool_bump_u", "experts_pool_bump_d",
	"ledger_pool_bump", "ledger_pool_bump_i", "ledger_pool_bump_u", "ledger_pool_bump_d",
	"ratings_pool_bump", "ratings_pool_bump_i", "ratings_pool_bump_u", "ratings_pool_bump_d",
	"seats_pool_bump_i", "seats_pool_bump_u", "seats_pool_bump_d", "seats_pool_bump_t", "expert_draws", "experts_draw_gone", "experts_draw_gone_u", "experts_draw_gone_d",
	"experts_draw_gone_t", "experts_draw_truncate", "experts_by_id_number",
	"experts_by_status", "experts_by_org", "experts_by_region",
	"expert_changes", "expert_changes_seq", "expert_changed", "experts_changed", "experts_reset_fn", "experts_reset_t",
	"seats_version_fn", "seats_version_i", "seats_version_u", "seats_version_d", "seats_version_t",
	"pool_nonces", "pool_nonce_fn", "pool_nonce_t",
	migrationsTable,
}

// migrationsTable records the applied migrations. It is named for this library, so it never
// collides with the schema_migrations of golang-migrate and other tools.
const migrationsTable = "expertdb_migrations"

func (d *DB) name(n string) string { return d.opts.Prefix + n }

func (d *DB) qualified(n string) string {
	if d.opts.Schema != "" {
		return `"` + d.opts.Schema + `"."` + d.name(n) + `"`
	}
	return `"` + d.name(n) + `"`
}

// q renders a query template: every {table} becomes the qualified table name.
func (d *DB) q(tmpl string) string {
	if v, ok := d.queries.Load(tmpl); ok {
		return v.(string)
	}
	s := d.names.Replace(tmpl)
	d.queries.Store(tmpl, s)
	return s
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// unit is the transaction of an Atomically call, carried in its context.
type unit struct{ tx *sql.Tx }

type unitKey struct{ d *DB }

func (d *DB) unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{d}).(*unit)
	return u
}

// conn returns the unit's transaction when ctx carries one of d's units, else the pool.
func (d *DB) conn(ctx context.Context) querier {
	if u := d.unitOf(ctx); u != nil {
		return u.tx
	}
	return d.sql
}

// Atomically runs fn as one unit of work: every write that any store of d makes with the
// context passed to fn (experts, events, ratings, ledger, audit records, profiles) commits
// together when fn returns nil, and none does otherwise (fn's error is returned; a panic rolls
// back and propagates). The transaction is carried in the context; a nested call with that
// context joins it, as a savepoint: its writes are undone alone when the nested fn fails.
// Reads with the context see the unit's own writes.
//
// Use only the context passed to fn for this database inside fn, from one goroutine at a
// time (a transaction is one connection): on SQLite a write with an outer context would wait
// for the unit's lock until the busy timeout.
func (d *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if u := d.unitOf(ctx); u != nil {
		return d.savepoint(ctx, u, func(*sql.Tx) error { return fn(ctx) })
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin unit of work: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, unitKey{d}, &unit{tx: tx})); err != nil {
		done = true
		_ = tx.Rollback()
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit unit of work: %w", err)
	}
	return nil
}

// WithTx returns a context in which every store of d writes and reads through tx, the
// caller's own transaction on the same database: the host system's writes and expertdb's
// commit or roll back together, when the caller ends tx. Atomically with that context joins
// tx as a savepoint. The rules of Atomically apply (one goroutine at a time).
func (d *DB) WithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, unitKey{d}, &unit{tx: tx})
}

// tx runs f in a transaction, committing when it returns nil and rolling back otherwise.
// Inside a unit of work (Atomically) it runs in a savepoint of the unit's transaction, so a
// failed f undoes only its own writes and the unit stays usable (PostgreSQL aborts a whole
// transaction on an error otherwise).
func (d *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	if u := d.unitOf(ctx); u != nil {
		return d.savepoint(ctx, u, f)
	}
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

func (d *DB) savepoint(ctx context.Context, u *unit, f func(*sql.Tx) error) error {
	if _, err := u.tx.ExecContext(ctx, `SAVEPOINT expertdb_sp`); err != nil {
		return fmt.Errorf("sqlstore: savepoint: %w", err)
	}
	if err := f(u.tx); err != nil {
		if _, rerr := u.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT expertdb_sp`); rerr != nil {
			return errors.Join(err, fmt.Errorf("sqlstore: rollback to savepoint: %w", rerr))
		}
		_, _ = u.tx.ExecContext(ctx, `RELEASE SAVEPOINT expertdb_sp`)
		return err
	}
	if _, err := u.tx.ExecContext(ctx, `RELEASE SAVEPOINT expertdb_sp`); err != nil {
		return fmt.Errorf("sqlstore: release savepoint: %w", err)
	}
	return nil
}

// isUniqueViolation reports a primary-key or unique clash on either engine, read from the
// driver's error through its SQLSTATE (PostgreSQL drivers) or extended result code (SQLite
// drivers), so this package links no driver.
func isUniqueViolation(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		c := lite.Code()
		return c == 1555 || c == 2067 // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}
