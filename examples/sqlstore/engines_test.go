package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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

// forEachEngine runs f as a subtest on every available engine.
func forEachEngine(t *testing.T, f func(t *testing.T, open func(testing.TB) *sqlstore.DB)) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) { f(t, e.fresh(t)) })
	}
}
