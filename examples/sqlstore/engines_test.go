package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/postgres"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
)

// pgEnv names the variable holding the PostgreSQL DSN of the test database. .ci/run sets it.
const pgEnv = "EXPERTDB_TEST_POSTGRES"

// engine opens fresh, empty databases of one engine. Each call of open returns a new pool on
// the same database, as a second process would have.
type engine struct {
	name string
	// fresh prepares an empty database and returns a function that opens pools on it.
	fresh func(t testing.TB) (open func(t testing.TB) *sqlstore.DB)
	// raw prepares an empty database and returns a plain pool on it (the caller's own pool,
	// with the search_path set to the test's schema on PostgreSQL), the engine, and the
	// options naming that schema.
	raw func(t testing.TB) (*sql.DB, sqlstore.Engine, sqlstore.Options)
}

func engines(t testing.TB) []engine {
	es := []engine{{name: "sqlite", fresh: func(t testing.TB) func(testing.TB) *sqlstore.DB {
		path := filepath.Join(t.TempDir(), "expertdb.sqlite")
		return func(t testing.TB) *sqlstore.DB {
			db, err := sqlite.Open(context.Background(), path, sqlstore.Options{})
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}
	}, raw: func(t testing.TB) (*sql.DB, sqlstore.Engine, sqlstore.Options) {
		db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(t.TempDir(), "raw.sqlite")))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		return db, sqlstore.SQLite, sqlstore.Options{}
	}}}
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		t.Logf("%s is unset: PostgreSQL tests skipped (see README, section Storage)", pgEnv)
		return es
	}
	es = append(es, engine{name: "postgres", fresh: func(t testing.TB) func(testing.TB) *sqlstore.DB {
		schema := freshSchema(t, dsn)
		return func(t testing.TB) *sqlstore.DB {
			db, err := postgres.Open(context.Background(), dsn, sqlstore.Options{Schema: schema})
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}
	}, raw: func(t testing.TB) (*sql.DB, sqlstore.Engine, sqlstore.Options) {
		schema := freshSchema(t, dsn)
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err := sql.Open("pgx", u.String())
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		return db, sqlstore.Postgres, sqlstore.Options{Schema: schema}
	}})
	return es
}

// freshSchema creates an empty schema for one test and drops it afterwards.
func freshSchema(t testing.TB, dsn string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	_, err = admin.Exec(`CREATE SCHEMA ` + schema) // schema name is generated above, never input
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	return schema
}

// forEachRaw runs f as a subtest on every available engine with a raw pool on an empty database.
func forEachRaw(t *testing.T, f func(t *testing.T, db *sql.DB, e sqlstore.Engine, opts sqlstore.Options)) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			db, eng, opts := e.raw(t)
			f(t, db, eng, opts)
		})
	}
}

// forEachEngine runs f as a subtest on every available engine.
func forEachEngine(t *testing.T, f func(t *testing.T, open func(testing.TB) *sqlstore.DB)) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) { f(t, e.fresh(t)) })
	}
}
