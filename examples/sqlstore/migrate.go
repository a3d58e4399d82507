package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Migrations holds the schema as plain SQL files, one directory per engine
// ("sqlite/0001_init.up.sql", "postgres/0002_snapshot.up.sql", …), for teams that apply
// migrations with their own tool (goose, golang-migrate, Atlas): the file names follow
// golang-migrate's "<version>_<name>.up.sql". Each file records itself in the table
// expertdb_migrations, which Open reads; apply them in order, each once, in a transaction,
// and open with Options.VerifyOnly. The files use the default table names (no Schema, no
// Prefix): with a Prefix, take the SQL from MigrationSQL instead.
//
//go:embed migrations
var Migrations embed.FS

// ErrSchemaState is wrapped when the database's schema is in a state Open does not
// recognise: tables of the store's names that expertdb_migrations does not record (another
// application's tables, or a half-applied schema), a version newer than this package knows,
// a migration recorded under another name, or a missing table. Open then changes nothing.
var ErrSchemaState = errors.New("sqlstore: schema in an unknown state")

type migration struct {
	version int
	name    string
	sql     string
}

func migrationsOf(e Engine) ([]migration, error) {
	dir := "migrations/" + string(e)
	entries, err := fs.ReadDir(Migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, en := range entries {
		base, ok := strings.CutSuffix(en.Name(), ".up.sql")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(base[:strings.IndexByte(base, '_')])
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", en.Name(), err)
		}
		b, err := fs.ReadFile(Migrations, path.Join(dir, en.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d", m.name, m.version, i+1)
		}
	}
	return out, nil
}

var identWordRE = regexp.MustCompile(`\b[a-z_][a-z0-9_]*\b`)

// MigrationSQL returns the SQL of every migration of engine, in order, with the names of
// opts.Prefix (opts.Schema is not written into the SQL: run it with that schema first on the
// search_path). For teams that apply migrations themselves with a prefix.
func MigrationSQL(engine Engine, opts Options) ([]string, error) {
	ms, err := migrationsOf(engine)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations of %q: %w", engine, err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = prefixed(m.sql, opts.Prefix)
	}
	return out, nil
}

// prefixed prepends prefix to every name of tableNames in the SQL text (whole words only).
func prefixed(sqlText, prefix string) string {
	if prefix == "" {
		return sqlText
	}
	known := make(map[string]bool, len(tableNames))
	for _, n := range tableNames {
		known[n] = true
	}
	return identWordRE.ReplaceAllStringFunc(sqlText, func(w string) string {
		if known[w] {
			return prefix + w
		}
		return w
	})
}

// v1Tables are the tables of schema version 1 (expertdb v0.1.0).
var v1Tables = []string{"experts", "audit_records", "audit_hashes", "ratings", "ledger_counts", "ledger_seats", "campaign_events"}

// allTables are the tables of the current schema.
var allTables = append(slices.Clone(v1Tables), "expert_draws", "profiles", "pool_state", "expert_changes", "pool_nonces", migrationsTable)

func (d *DB) tableExists(ctx context.Context, q querier, name string) (bool, error) {
	var ok bool
	var err error
	if d.engine == Postgres {
		err = q.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, d.qualified(name)).Scan(&ok)
	} else {
		var n int
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, d.name(name)).Scan(&n)
		ok = n > 0
	}
	return ok, err
}

// columns lists the columns of an unprefixed table in the store's schema.
func (d *DB) columns(ctx context.Context, q querier, table string) ([]string, error) {
	var rows *sql.Rows
	var err error
	if d.engine == Postgres {
		rows, err = q.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = coalesce(nullif($1, ''), current_schema()) AND table_name = $2 ORDER BY column_name`, d.opts.Schema, table)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT name FROM pragma_table_info($1) ORDER BY name`, table)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// applied reads expertdb_migrations: the recorded versions must be 1..k with the names of
// this package's migrations.
func (d *DB) applied(ctx context.Context, q querier, ms []migration) (int, error) {
	rows, err := q.QueryContext(ctx, d.q(`SELECT version, name FROM {`+migrationsTable+`} ORDER BY version`))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", d.name(migrationsTable), err)
	}
	defer rows.Close()
	k := 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return 0, err
		}
		switch {
		case v != k+1:
			return 0, fmt.Errorf("%w: %s records version %d after %d (a gap or an edited table)", ErrSchemaState, d.name(migrationsTable), v, k)
		case v > len(ms):
			return 0, fmt.Errorf("%w: the schema is at version %d (%s), newer than this build of expertdb knows (%d): upgrade the program",
				ErrSchemaState, v, name, len(ms))
		case name != ms[v-1].name:
			return 0, fmt.Errorf("%w: %s records version %d as %q, this package calls it %q", ErrSchemaState, d.name(migrationsTable), v, name, ms[v-1].name)
		}
		k = v
	}
	return k, rows.Err()
}

// migrate brings the schema to the current version, or refuses a schema it does not know.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrationsOf(d.engine)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	have, err := d.tableExists(ctx, d.sql, migrationsTable)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if !have {
		if err := d.adopt(ctx); err != nil {
			return err
		}
	}
	backfill, reindex := false, false
	for _, m := range ms {
		done := false
		err := d.tx(ctx, func(tx *sql.Tx) error {
			if d.engine == Postgres {
				// Serialise concurrent migrators (several processes opening at once).
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727001)`); err != nil {
					return err
				}
			}
			k := 0
			if ok, err := d.tableExists(ctx, tx, migrationsTable); err != nil {
				return err
			} else if ok {
				if k, err = d.applied(ctx, tx, ms); err != nil {
					return err
				}
			}
			if k >= m.version {
				done = true
				return nil
			}
			if d.opts.VerifyOnly {
				return fmt.Errorf("%w: the schema is at version %d, this package needs %d (%s): apply the migrations (sqlstore.Migrations) or open without VerifyOnly",
					ErrSchemaState, k, len(ms), ms[len(ms)-1].name)
			}
			if d.engine == Postgres && d.opts.Schema != "" {
				if _, err := tx.ExecContext(ctx, `SET LOCAL search_path TO "`+d.opts.Schema+`"`); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, prefixed(m.sql, d.opts.Prefix))
			return err
		})
		if err != nil {
			if errors.Is(err, ErrSchemaState) {
				return fmt.Errorf("sqlstore: open: %w", err)
			}
			return fmt.Errorf("sqlstore: migrate to version %d (%s): %w", m.version, m.name, err)
		}
		if !done && m.version == 2 {
			backfill = true
		}
		if !done && m.version == 4 {
			reindex = true // the query columns of rows written before (query.go)
		}
	}
	for _, t := range allTables {
		ok, err := d.tableExists(ctx, d.sql, t)
		if err != nil {
			return fmt.Errorf("sqlstore: open: %w", err)
		}
		if !ok {
			return fmt.Errorf("sqlstore: open: %w: table %s is missing although %s records every migration",
				ErrSchemaState, d.qualified(t), d.name(migrationsTable))
		}
	}
	if backfill {
		if err := d.Experts().backfill(ctx); err != nil {
			return err
		}
	}
	if reindex {
		if err := d.Experts().Reindex(ctx); err != nil {
			return err
		}
	}
	return nil
}

// adopt handles a database without expertdb_migrations: empty (nothing to do), an expertdb
// v0.1.0 database (its schema_migrations of one column at version 1, with every v1 table:
// recorded as version 1), or anything else holding tables of the store's names (refused).
func (d *DB) adopt(ctx context.Context) error {
	var found []string
	for _, t := range allTables {
		ok, err := d.tableExists(ctx, d.sql, t)
		if err != nil {
			return fmt.Errorf("sqlstore: open: %w", err)
		}
		if ok {
			found = append(found, d.name(t))
		}
	}
	if len(found) == 0 {
		return nil
	}
	if d.opts.Prefix == "" && len(found) == len(v1Tables) && d.legacyV1(ctx) {
		if d.opts.VerifyOnly {
			return fmt.Errorf("sqlstore: open: %w: an expertdb v0.1.0 schema (schema_migrations at version 1): open once without VerifyOnly to record it in %s",
				ErrSchemaState, migrationsTable)
		}
		err := d.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, d.q(`CREATE TABLE IF NOT EXISTS {`+migrationsTable+`} (version INTEGER PRIMARY KEY, name TEXT NOT NULL);
				INSERT INTO {`+migrationsTable+`} (version, name) VALUES (1, '0001_init')`))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlstore: open: record the v0.1.0 schema: %w", err)
		}
		return nil
	}
	return fmt.Errorf("sqlstore: open: %w: tables %s exist but %s does not record them (another application's tables of the same names, or a half-applied schema); "+
		"open with Options.Prefix or Options.Schema to keep expertdb's tables apart", ErrSchemaState, strings.Join(found, ", "), d.name(migrationsTable))
}

// legacyV1 recognises the bookkeeping of expertdb v0.1.0: a schema_migrations table whose
// only column is version, holding exactly version 1 (golang-migrate's table has a dirty
// column, goose uses another name).
func (d *DB) legacyV1(ctx context.Context) bool {
	cols, err := d.columns(ctx, d.sql, "schema_migrations")
	if err != nil || !slices.Equal(cols, []string{"version"}) {
		return false
	}
	var qualified string
	if d.engine == Postgres && d.opts.Schema != "" {
		qualified = `"` + d.opts.Schema + `".schema_migrations`
	} else {
		qualified = `schema_migrations`
	}
	var n, v int
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*), coalesce(max(version), 0) FROM `+qualified).Scan(&n, &v); err != nil {
		return false
	}
	return n == 1 && v == 1
}
