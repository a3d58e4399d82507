package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
)

// ExampleOpen: the store over a pool the host system already has, its tables prefixed.
func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "expertdb-example-")
	defer os.RemoveAll(dir)
	pool, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(dir, "host.sqlite"))) // the host system's own pool
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	db, err := sqlstore.Open(ctx, pool, sqlstore.SQLite, sqlstore.Options{Prefix: "expertdb_"})
	if err != nil {
		panic(err)
	}
	if err := db.Experts().Put(ctx, benchExpert(1)); err != nil {
		panic(err)
	}
	snap, err := db.Experts().PoolSnapshot(ctx, expertdb.SnapshotQuery{Year: 2026, Seats: "seats",
		Ledger: db.Ledger(), Ratings: db.Ratings(), Events: db.Events()})
	if err != nil {
		panic(err)
	}
	fmt.Println(db.Table("experts"), len(snap.Experts))
	// Output: "expertdb_experts" 1
}

// ExampleDB_Atomically: an expert and its audit record are written together or not at all.
func ExampleDB_Atomically() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "expertdb-example-")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "expertdb.sqlite"), sqlstore.Options{})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	err = db.Atomically(ctx, func(ctx context.Context) error {
		if err := db.Experts().Put(ctx, benchExpert(1)); err != nil {
			return err
		}
		if err := db.Audit().Append(ctx, []byte("admission")); err != nil {
			return err
		}
		return errors.New("the operation is refused after all")
	})
	n, _ := db.Audit().Len(ctx)
	_, getErr := db.Experts().Get(ctx, benchExpert(1).ID)
	fmt.Println(err, n, errors.Is(getErr, expertdb.ErrNotFound))
	// Output: the operation is refused after all 0 true
}
