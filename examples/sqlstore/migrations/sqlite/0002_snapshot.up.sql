-- expertdb schema version 2 (SQLite): the pool version every draw-relevant write bumps (kept
-- by triggers, so writes from any process and any program count), the compact draw encoding
-- of each expert (with its profile digest) in a narrow table of its own, so that the draw's
-- cold load reads no JSON page, and the content-addressed profile versions that draw records
-- reference. expert_draws belongs to the store: never write it.
CREATE TABLE expert_draws (
	id   TEXT PRIMARY KEY,
	draw BLOB NOT NULL
);
CREATE TABLE profiles (
	digest TEXT PRIMARY KEY,
	data   BLOB NOT NULL
);
CREATE TABLE pool_state (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL,
	nonce   TEXT NOT NULL
);
INSERT INTO pool_state (id, version, nonce) VALUES (1, 0, '');
CREATE TRIGGER experts_pool_bump_i AFTER INSERT ON experts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER experts_pool_bump_u AFTER UPDATE ON experts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER experts_pool_bump_d AFTER DELETE ON experts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ledger_pool_bump_i AFTER INSERT ON ledger_counts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ledger_pool_bump_u AFTER UPDATE ON ledger_counts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ledger_pool_bump_d AFTER DELETE ON ledger_counts BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ratings_pool_bump_i AFTER INSERT ON ratings BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ratings_pool_bump_u AFTER UPDATE ON ratings BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER ratings_pool_bump_d AFTER DELETE ON ratings BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER seats_pool_bump_i AFTER INSERT ON campaign_events WHEN NEW.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER seats_pool_bump_u AFTER UPDATE ON campaign_events WHEN NEW.campaign_id = 'seats' OR OLD.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
CREATE TRIGGER seats_pool_bump_d AFTER DELETE ON campaign_events WHEN OLD.campaign_id = 'seats' BEGIN UPDATE pool_state SET version = version + 1, nonce = hex(randomblob(8)) WHERE id = 1; END;
-- Any change to an expert's row drops its draw encoding (the store writes it again in the
-- same transaction); a row another program changes is read from its JSON until then, so a
-- draw never reads a stale form.
CREATE TRIGGER experts_draw_gone_u AFTER UPDATE ON experts BEGIN DELETE FROM expert_draws WHERE id = OLD.id; END;
CREATE TRIGGER experts_draw_gone_d AFTER DELETE ON experts BEGIN DELETE FROM expert_draws WHERE id = OLD.id; END;
INSERT INTO expertdb_migrations (version, name) VALUES (2, '0002_snapshot');
