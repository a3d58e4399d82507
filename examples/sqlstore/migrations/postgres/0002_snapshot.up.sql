-- expertdb schema version 2 (PostgreSQL): the pool version every draw-relevant write bumps
-- (kept by triggers, so writes from any process and any program count), the compact draw
-- encoding of each expert (with its profile digest) in a narrow table of its own, so that the
-- draw's cold load reads no JSON page, and the content-addressed profile versions that draw
-- records reference. expert_draws belongs to the store: never write it. The statement triggers fire BEFORE the statement, so a writer locks
-- the version row before any row of the table it writes (one lock order: no deadlock between
-- writers of different tables). The trigger function keeps the search_path it was created with.
CREATE TABLE expert_draws (
	id   TEXT PRIMARY KEY,
	draw BYTEA NOT NULL
);
CREATE TABLE profiles (
	digest TEXT PRIMARY KEY,
	data   BYTEA NOT NULL
);
-- The version changes once per writing transaction (bumped_by: the transaction that bumped it
-- last), which is all a reader of committed states can tell apart, and keeps a bulk import
-- from piling up row versions of pool_state.
CREATE TABLE pool_state (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	version   BIGINT NOT NULL,
	nonce     TEXT NOT NULL,
	bumped_by BIGINT
);
INSERT INTO pool_state (id, version, nonce) VALUES (1, 0, '');
CREATE FUNCTION pool_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE pool_state SET version = version + 1, nonce = md5(random()::text || clock_timestamp()::text),
		bumped_by = txid_current()
	WHERE id = 1 AND bumped_by IS DISTINCT FROM txid_current();
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
-- Any change to an expert's row drops its draw encoding (the store writes it again in the
-- same transaction); a row another program changes is read from its JSON until then, so a
-- draw never reads a stale form.
CREATE FUNCTION experts_draw_gone() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	DELETE FROM expert_draws WHERE id = OLD.id;
	RETURN NULL;
END
$$;
CREATE TRIGGER experts_draw_gone AFTER UPDATE OR DELETE ON experts FOR EACH ROW EXECUTE FUNCTION experts_draw_gone();
CREATE FUNCTION experts_draw_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	DELETE FROM expert_draws;
	RETURN NULL;
END
$$;
CREATE TRIGGER experts_draw_gone_t AFTER TRUNCATE ON experts FOR EACH STATEMENT EXECUTE FUNCTION experts_draw_truncate();
INSERT INTO expertdb_migrations (version, name) VALUES (2, '0002_snapshot');
