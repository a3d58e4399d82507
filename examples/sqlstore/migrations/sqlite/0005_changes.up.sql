-- expertdb schema version 5 (SQLite): what changed since a kept snapshot. expert_changes holds,
-- per expert ID ever written, the pool version of its last change (insert, update or delete:
-- a deleted ID stays, with the version of its deletion), so that a reader holding the
-- snapshot of version V reads only the rows of the IDs with seq > V. seats_version is the
-- version of the last change to the seats stream; experts_reset the last version at which
-- the experts changed without a row in expert_changes (this migration): a snapshot older than
-- it is read again in full. The experts triggers bump the version and record the change in
-- one body, so the change carries the bumped version. An insert also drops a draw encoding
-- left under the same ID: another program's INSERT OR REPLACE deletes the old row without
-- firing the delete triggers (the store writes the encoding after the row).
CREATE TABLE expert_changes (
	id  TEXT PRIMARY KEY,
	seq BIGINT NOT NULL
);
CREATE INDEX expert_changes_seq ON expert_changes (seq);
ALTER TABLE pool_state ADD COLUMN experts_reset BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pool_state ADD COLUMN seats_version BIGINT NOT NULL DEFAULT 0;
UPDATE pool_state SET experts_reset = version, seats_version = version WHERE id = 1;
DROP TRIGGER experts_pool_bump_i;
DROP TRIGGER experts_pool_bump_u;
DROP TRIGGER experts_pool_bump_d;
CREATE TRIGGER experts_pool_bump_i AFTER INSERT ON experts BEGIN
	UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1;
	DELETE FROM expert_draws WHERE id = NEW.id;
	INSERT INTO expert_changes (id, seq) SELECT NEW.id, version FROM pool_state WHERE id = 1 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER experts_pool_bump_u AFTER UPDATE ON experts BEGIN
	UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1;
	INSERT INTO expert_changes (id, seq) SELECT OLD.id, version FROM pool_state WHERE id = 1 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
	INSERT INTO expert_changes (id, seq) SELECT NEW.id, version FROM pool_state WHERE id = 1 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER experts_pool_bump_d AFTER DELETE ON experts BEGIN
	UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1;
	INSERT INTO expert_changes (id, seq) SELECT OLD.id, version FROM pool_state WHERE id = 1 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
END;
DROP TRIGGER seats_pool_bump_i;
DROP TRIGGER seats_pool_bump_u;
DROP TRIGGER seats_pool_bump_d;
CREATE TRIGGER seats_pool_bump_i AFTER INSERT ON campaign_events WHEN NEW.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, seats_version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER seats_pool_bump_u AFTER UPDATE ON campaign_events WHEN NEW.campaign_id = 'seats' OR OLD.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, seats_version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER seats_pool_bump_d AFTER DELETE ON campaign_events WHEN OLD.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, seats_version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
INSERT INTO expertdb_migrations (version, name) VALUES (5, '0005_changes');
