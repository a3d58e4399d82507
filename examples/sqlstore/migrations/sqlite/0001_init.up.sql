-- expertdb schema version 1 (SQLite): experts, audit log, ratings, cap ledger, campaign events.
-- Apply with any migration tool, or let sqlstore.Open apply it. Never edit an applied file.
CREATE TABLE IF NOT EXISTS expertdb_migrations (
	version INTEGER PRIMARY KEY,
	name    TEXT NOT NULL
);
CREATE TABLE experts (
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
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
);
INSERT INTO expertdb_migrations (version, name) VALUES (1, '0001_init');
