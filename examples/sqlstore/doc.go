// Package sqlstore is the reference implementation of every storage interface of expertdb on
// database/sql, for SQLite and PostgreSQL. It links no driver: the sub-packages do, so a
// program links only the engine it uses.
//
//   - sqlstore/sqlite: sqlite.Open(ctx, path, opts) through modernc.org/sqlite (pure Go, no
//     cgo): one file, the embedded default. WAL journaling and a busy timeout let one writer
//     and many readers share it; write transactions take the lock up front (BEGIN IMMEDIATE),
//     so they serialise instead of failing.
//   - sqlstore/postgres: postgres.Open(ctx, dsn, opts), or postgres.OpenPool(ctx, pool, opts)
//     over a pgx pool the program already has, for deployments where several processes and
//     machines (the city system and county systems) share one database.
//
// # Adopting it in an existing system
//
// Open(ctx, db, engine, opts) uses the caller's own *sql.DB (any driver speaking the engine's
// SQL; a pgx pool through stdlib.OpenDBFromPool) and leaves it open on Close. Options keep the
// store apart from the host system's tables:
//
//   - Schema (PostgreSQL): the schema holding the tables; it must exist. Every query names it,
//     so the pool's search_path does not matter. Without it the tables go into the first
//     schema of the connection's search_path (current_schema()), which a DSN can set with
//     "search_path=myschema" (pgx sends it as a run-time parameter) or the database role's
//     default.
//   - Prefix: prepended to every table, index, trigger and function name ("expertdb_" gives
//     expertdb_experts). DB.Table names a table for the caller's own queries.
//
// # Migrations
//
// The schema is versioned in the table expertdb_migrations (with the Prefix) — never
// schema_migrations, which golang-migrate and others own. Open applies the pending
// migrations, each in a transaction, serialised between processes on PostgreSQL (advisory
// lock). A schema Open does not recognise is refused with an error wrapping ErrSchemaState
// and nothing is changed: tables of the store's names that expertdb_migrations does not record
// (another application's, or a half-applied schema: use Prefix or Schema), a version newer
// than this package, a gap or a renamed migration, a missing table. A database of expertdb
// v0.1.0 (its one-column schema_migrations at version 1) is recognised and adopted.
//
// Teams that apply migrations with their own tool (goose, golang-migrate, Atlas) take the
// plain SQL files from Migrations (embedded; "sqlite/…", "postgres/…", named
// "<version>_<name>.up.sql"; MigrationSQL renders them with a Prefix), apply them in order,
// each once and in a transaction, and open with Options.VerifyOnly: Open then only checks
// the version. Each file records itself in expertdb_migrations.
//
// # The stores
//
// One DB gives every store of the library on one connection pool:
//
//	db.Experts()  expertdb.ExpertStore      experts: JSON document; draw encoding with the
//	                                        profile digest; expertdb.PoolSnapshotter
//	db.Ratings()  evaluation.Store          one rating per activity and expert (unique key)
//	db.Ledger()   selection.Ledger          the annual cap (Art. 14(1)), atomic per expert-year
//	db.Events()   expertdb.EventStore       draw records and campaign events, written at their
//	                                        sequence number or not at all; expertdb.ProfileStore
//	db.Audit()    audit.Store               audit records and their Merkle hashes, with the
//	                                        ConditionalStore and HashStore capabilities
//
// # Units of work
//
// DB.Atomically(ctx, fn) runs fn in one transaction carried in its context: every write of
// every store made with that context (experts, events, ratings, ledger, audit records,
// profiles) commits together when fn returns nil, and none does otherwise. Nested calls join
// as savepoints. DB.WithTx makes the stores use the host system's own *sql.Tx instead. The Service uses it to write a state change and its audit event together
// (Art. 17: every operation traced).
//
// # The draw's snapshot
//
// A draw reads every expert, this year's usage, last year's ratings and the accepted seats.
// Schema version 2 keeps a pool version, bumped by triggers on every write to those tables
// (from any process or program, in the writer's own transaction). ExpertStore.PoolSnapshot
// reads the version and every row in one read-only transaction (REPEATABLE READ on
// PostgreSQL, a WAL snapshot on SQLite), decodes the experts from a compact encoding kept in
// a narrow table of its own (one column per expert, no JSON page read), without reflection,
// into one preallocated slice, and keeps the result: while the version is
// unchanged the next draw costs one query. After a write, the next snapshot reads only what
// changed since the kept one: schema version 5 records per expert ID the version of its last
// change (expert_changes, kept by triggers, deletions included), and the version of the last
// change to the seats; the changed experts' rows are merged into the kept experts, and the
// new pool inherits what the kept pool computed about the unchanged experts
// (selection.Pool.IndexedFrom). Only a handle's first snapshot reads every row. A stale snapshot is never used: the version
// changes in the same transaction as any such write, with a new nonce; schema version 6 keeps
// the nonce of each recent version, so that a database restored from an older backup and
// written past the kept version is read again in full rather than merged into the kept one. The price: on PostgreSQL, transactions that write
// those tables serialise on the version row from their first such statement to their commit
// (the statement triggers take it before any row lock, so they queue rather than deadlock). Draw records reference the
// profile versions of their pool through one profile manifest (docs/draw-record.md), kept with
// the versions in the profiles table (each version written with the expert, each manifest
// once per pool), instead of copying the profiles into every record.
//
// Guarantees, each tested on both engines:
//
//   - The cap ledger books a seat with a conditional increment of the expert's counter row
//     (UPDATE … SET n = n + 1 WHERE n < cap) inside one transaction: the row lock serialises
//     concurrent campaigns in any number of processes, so no expert ever exceeds the cap.
//   - Audit appends are one transaction whose rows have the log index as primary key: a batch
//     lands whole or not at all, never leaves a gap, and two processes racing for the same
//     index cannot both win, so the log never forks (audit.ConditionalStore). Inside a unit of
//     work on PostgreSQL, appenders are serialised until the unit commits.
//   - Campaign events are appended at their sequence number with the same rule, so a campaign
//     interrupted at any point is rebuilt exactly from what was stored.
//   - A unit of work commits all of its writes or none; a snapshot is never stale.
//
// Every query uses placeholders; no SQL is built from input (table names come from the
// validated Schema and Prefix). Every error names the operation and wraps the driver's error.
package sqlstore
