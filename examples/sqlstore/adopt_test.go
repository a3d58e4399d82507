package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/postgres"
)

// TestOpenBesideGolangMigrate is the attack of issue 14: the government system's own
// golang-migrate keeps schema_migrations at version 1 in the same schema. v0.1.0's
// OpenPostgres returned no error and created no tables. Open must create its own tables
// (its bookkeeping is expertdb_migrations) and leave schema_migrations alone.
func TestOpenBesideGolangMigrate(t *testing.T) {
	forEachRaw(t, func(t *testing.T, raw *sql.DB, e sqlstore.Engine, opts sqlstore.Options) {
		ctx := context.Background()
		_, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
			INSERT INTO schema_migrations (version, dirty) VALUES (1, false)`)
		require.NoError(t, err)
		db, err := sqlstore.Open(ctx, raw, e, opts)
		require.NoError(t, err)
		require.NoError(t, db.Experts().Put(ctx, benchExpert(1)))
		all, err := db.Experts().List(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 1)
		var v int
		var dirty bool
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&v, &dirty))
		assert.Equal(t, 1, v, "golang-migrate's table is untouched")
		require.NoError(t, db.Close())
		require.NoError(t, raw.PingContext(ctx), "Close leaves the caller's pool open")
	})
}

// TestOpenRefusesForeignTables: tables of the store's names that expertdb_migrations does
// not record (here the host system's own experts table) are refused with ErrSchemaState,
// and nothing is written; a prefix keeps the two apart.
func TestOpenRefusesForeignTables(t *testing.T) {
	forEachRaw(t, func(t *testing.T, raw *sql.DB, e sqlstore.Engine, opts sqlstore.Options) {
		ctx := context.Background()
		_, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
			INSERT INTO schema_migrations (version, dirty) VALUES (1, false);
			CREATE TABLE experts (id INTEGER PRIMARY KEY, full_name TEXT)`)
		require.NoError(t, err)
		_, err = sqlstore.Open(ctx, raw, e, opts)
		require.ErrorIs(t, err, sqlstore.ErrSchemaState)
		assert.Contains(t, err.Error(), "experts")
		assert.Contains(t, err.Error(), "Prefix")
		var n int
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM experts`).Scan(&n))

		opts.Prefix = "kjt_"
		db, err := sqlstore.Open(ctx, raw, e, opts)
		require.NoError(t, err)
		require.NoError(t, db.Experts().Put(ctx, benchExpert(1)))
		assert.Contains(t, db.Table("experts"), `"kjt_experts"`)
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM kjt_experts`).Scan(&n))
		assert.Equal(t, 1, n)
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM experts`).Scan(&n))
		assert.Zero(t, n, "the host's table is untouched")
	})
}

// TestOpenRefusesUnknownVersions: a schema newer than this build, a gap or a renamed
// migration in expertdb_migrations are refused.
func TestOpenRefusesUnknownVersions(t *testing.T) {
	for _, tc := range []struct{ name, sql, want string }{
		{"newer", `INSERT INTO expertdb_migrations (version, name) VALUES (7, '0007_future')`, "newer than this build"},
		{"renamed", `UPDATE expertdb_migrations SET name = '0002_other' WHERE version = 2`, "this package calls it"},
		{"gap", `DELETE FROM expertdb_migrations WHERE version = 1`, "gap"},
		{"missing table", `DROP TABLE profiles`, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachRaw(t, func(t *testing.T, raw *sql.DB, e sqlstore.Engine, opts sqlstore.Options) {
				ctx := context.Background()
				db, err := sqlstore.Open(ctx, raw, e, opts)
				require.NoError(t, err)
				require.NoError(t, db.Close())
				_, err = raw.ExecContext(ctx, tc.sql)
				require.NoError(t, err)
				_, err = sqlstore.Open(ctx, raw, e, opts)
				require.ErrorIs(t, err, sqlstore.ErrSchemaState)
				assert.Contains(t, err.Error(), tc.want)
			})
		})
	}
}

// TestOpenAdoptsV010: a database written by expertdb v0.1.0 (its schema_migrations of one
// column at version 1, experts as JSON only) is recorded as version 1, migrated, and its
// experts get the draw encoding and profile digests.
func TestOpenAdoptsV010(t *testing.T) {
	forEachRaw(t, func(t *testing.T, raw *sql.DB, e sqlstore.Engine, opts sqlstore.Options) {
		ctx := context.Background()
		ddl, err := fs.ReadFile(sqlstore.Migrations, "migrations/"+string(e)+"/0001_init.up.sql")
		require.NoError(t, err)
		v1 := strings.NewReplacer("CREATE TABLE IF NOT EXISTS expertdb_migrations (\n\tversion INTEGER PRIMARY KEY,\n\tname    TEXT NOT NULL\n);", "",
			"INSERT INTO expertdb_migrations (version, name) VALUES (1, '0001_init');", "").Replace(string(ddl))
		require.NotContains(t, v1, "expertdb_migrations")
		_, err = raw.ExecContext(ctx, v1+`;CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY); INSERT INTO schema_migrations VALUES (1)`)
		require.NoError(t, err)
		for i := range 3 {
			x := benchExpert(i)
			data, err := json.Marshal(x)
			require.NoError(t, err)
			_, err = raw.ExecContext(ctx, `INSERT INTO experts (id, status, data, updated_at) VALUES ($1, $2, $3, 0)`, x.ID, string(x.Status), data)
			require.NoError(t, err)
		}
		db, err := sqlstore.Open(ctx, raw, e, opts)
		require.NoError(t, err)
		var n int
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM expert_draws`).Scan(&n))
		assert.Equal(t, 3, n, "backfilled")
		snap := snapshotOf(t, db, 2026)
		assert.Len(t, snap.Experts, 3)
		for _, d := range snap.Digests {
			assert.NotEmpty(t, d)
		}
		require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM expertdb_migrations`).Scan(&n))
		assert.Equal(t, 6, n)
		// The query columns of schema version 4 are filled for the old rows.
		x := benchExpert(1)
		found, err := db.Experts().QueryExperts(ctx, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Unit: x.Affiliation.Org, Region: x.Region, Text: x.Name}})
		require.NoError(t, err)
		assert.Contains(t, expertIDs(found), x.ID)
	})
}

// TestVerifyOnlyWithOwnTool: a team applying the SQL files with its own tool opens with
// VerifyOnly; before the files are applied Open refuses, after it succeeds.
func TestVerifyOnlyWithOwnTool(t *testing.T) {
	forEachRaw(t, func(t *testing.T, raw *sql.DB, e sqlstore.Engine, opts sqlstore.Options) {
		ctx := context.Background()
		opts.VerifyOnly = true
		opts.Prefix = "x_"
		_, err := sqlstore.Open(ctx, raw, e, opts)
		require.ErrorIs(t, err, sqlstore.ErrSchemaState)
		files, err := sqlstore.MigrationSQL(e, opts)
		require.NoError(t, err)
		require.Len(t, files, 6)
		for _, f := range files {
			tx, err := raw.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, f)
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
		}
		db, err := sqlstore.Open(ctx, raw, e, opts)
		require.NoError(t, err)
		require.NoError(t, db.Experts().Put(ctx, benchExpert(7)))
		snap := snapshotOf(t, db, 2026)
		assert.Len(t, snap.Experts, 1)
	})
}

// TestOpenPgxPool: a program's own pgx pool, through database/sql.
func TestOpenPgxPool(t *testing.T) {
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		t.Skipf("%s is unset", pgEnv)
	}
	ctx := context.Background()
	schema := freshSchema(t, dsn)
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	db, err := postgres.OpenPool(ctx, pool, sqlstore.Options{Schema: schema, Prefix: "expertdb_"})
	require.NoError(t, err)
	require.NoError(t, db.Experts().Put(ctx, benchExpert(1)))
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.expertdb_experts`).Scan(&n))
	assert.Equal(t, 1, n)
	require.NoError(t, db.Close())
	require.NoError(t, pool.Ping(ctx), "the pool stays the caller's")
}

func snapshotOf(t testing.TB, db *sqlstore.DB, year int) *expertdb.PoolSnapshot {
	snap, err := db.Experts().PoolSnapshot(context.Background(), expertdb.SnapshotQuery{Year: year, Seats: "seats",
		Ledger: db.Ledger(), Ratings: db.Ratings(), Events: db.Events()})
	require.NoError(t, err)
	return snap
}
