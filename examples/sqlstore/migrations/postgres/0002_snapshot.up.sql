-- expertdb schema version 2 (PostgreSQL): the pool version every draw-relevant write bumps
-- (kept by triggers, so writes from any process and any program count), the compact draw
-- encoding and profile digest of each expert, and the content-addressed profile versions that
-- draw records reference. The statement triggers fire BEFORE the statement, so a writer locks
-- the version row before any row of the table it writes (one lock order: no deadlock between
-- writers of different tables). The trigger function keeps the search_path it was created with.
ALTER TABLE experts ADD COLUMN digest TEXT;
ALTER TABLE experts ADD COLUMN draw BYTEA;
CREATE TABLE profiles (
	digest TEXT PRIMARY KEY,
	data   BYTEA NOT NULL
);
CREATE TABLE pool_state (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL,
	nonce   TEXT NOT NULL
);
INSERT INTO pool_state (id, version, nonce) VALUES (1, 0, '');
CREATE FUNCTION pool_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE pool_state SET version = version + 1, nonce = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER experts_pool_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON experts FOR EACH STATEMENT EXECUTE FUNCTION pool_bump();
CREATE TRIGGER ledger_pool_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_counts FOR EACH STATEMENT EXECUTE FUNCTION pool_bump();
CREATE TRIGGER ratings_pool_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ratings FOR EACH STATEMENT EXECUTE FUNCTION pool_bump();
CREATE TRIGGER seats_pool_bump_i AFTER INSERT ON campaign_events FOR EACH ROW WHEN (NEW.campaign_id = 'seats') EXECUTE FUNCTION pool_bump();
CREATE TRIGGER seats_pool_bump_u AFTER UPDATE ON campaign_events FOR EACH ROW WHEN (NEW.campaign_id = 'seats' OR OLD.campaign_id = 'seats') EXECUTE FUNCTION pool_bump();
CREATE TRIGGER seats_pool_bump_d AFTER DELETE ON campaign_events FOR EACH ROW WHEN (OLD.campaign_id = 'seats') EXECUTE FUNCTION pool_bump();
CREATE TRIGGER seats_pool_bump_t BEFORE TRUNCATE ON campaign_events FOR EACH STATEMENT EXECUTE FUNCTION pool_bump();
-- A program that rewrites a profile's JSON without its draw encoding makes the row fall back
-- to the JSON (the draw encoding and digest are cleared), so a draw never reads a stale form.
CREATE FUNCTION experts_stale_draw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.data IS DISTINCT FROM OLD.data AND NEW.draw IS NOT DISTINCT FROM OLD.draw THEN
		NEW.draw := NULL;
		NEW.digest := NULL;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER experts_stale_draw BEFORE UPDATE ON experts FOR EACH ROW EXECUTE FUNCTION experts_stale_draw();
INSERT INTO expertdb_migrations (version, name) VALUES (2, '0002_snapshot');
