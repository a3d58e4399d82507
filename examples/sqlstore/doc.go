// Package sqlstore is the reference implementation of every storage interface of expertdb on
// database/sql, for two engines:
//
//   - SQLite through modernc.org/sqlite (pure Go, no cgo): one file, the embedded default
//     (OpenSQLite). WAL journaling and a busy timeout let one writer and many readers share it;
//     write transactions take the lock up front (BEGIN IMMEDIATE), so they serialise instead
//     of failing.
//   - PostgreSQL through github.com/jackc/pgx/v5/stdlib (OpenPostgres), for deployments where
//     several processes and machines (the city system and county systems) share one database,
//     and PostgreSQL-compatible engines beyond one server.
//
// One DB gives every store of the library on one connection pool:
//
//	db.Experts()  expertdb.ExpertStore     experts as JSON documents
//	db.Ratings()  evaluation.Store         one rating per activity and expert (unique key)
//	db.Ledger()   selection.Ledger         the annual cap (Art. 14(1)), atomic per expert-year
//	db.Events()   expertdb.EventStore      draw records and campaign events, written at their
//	                                       sequence number or not at all
//	db.Audit()    audit.Store              audit records and their Merkle hashes, with the
//	                                       ConditionalStore and HashStore capabilities
//
// Guarantees, each tested on both engines:
//
//   - Schema migrations are versioned, applied on open, each in a transaction, idempotent,
//     and serialised between processes on PostgreSQL (advisory lock).
//   - The cap ledger books a seat with a conditional increment of the expert's counter row
//     (UPDATE … SET n = n + 1 WHERE n < cap) inside one transaction: the row lock serialises
//     concurrent campaigns in any number of processes, so no expert ever exceeds the cap.
//   - Audit appends are one transaction whose rows have the log index as primary key: a batch
//     lands whole or not at all, never leaves a gap, and two processes racing for the same
//     index cannot both win, so the log never forks (audit.ConditionalStore).
//   - Campaign events are appended at their sequence number with the same rule, so a campaign
//     interrupted at any point is rebuilt exactly from what was stored.
//
// Every query uses placeholders; no SQL is built from input. Every error names the operation
// and wraps the driver's error.
package sqlstore
