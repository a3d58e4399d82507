-- expertdb schema version 5 (PostgreSQL): what changed since a kept snapshot. expert_changes
-- holds, per expert ID ever written, the pool version of its last change (insert, update or
-- delete: a deleted ID stays, with the version of its deletion), so that a reader holding the
-- snapshot of version V reads only the rows of the IDs with seq > V. seats_version is the
-- version of the last change to the seats stream; experts_reset the last version at which
-- the experts changed without a row in expert_changes (TRUNCATE, and this migration): a
-- snapshot older than it is read again in full. The version is bumped BEFORE each statement
-- (schema version 2) and held until commit, so the row triggers below record this
-- transaction's version.
CREATE TABLE expert_changes (
	id  TEXT PRIMARY KEY,
	seq BIGINT NOT NULL
);
CREATE INDEX expert_changes_seq ON expert_changes (seq);
ALTER TABLE pool_state ADD COLUMN experts_reset BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pool_state ADD COLUMN seats_version BIGINT NOT NULL DEFAULT 0;
UPDATE pool_state SET experts_reset = version, seats_version = version WHERE id = 1;
CREATE FUNCTION expert_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		INSERT INTO expert_changes (id, seq) SELECT OLD.id, version FROM pool_state WHERE id = 1
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO expert_changes (id, seq) SELECT NEW.id, version FROM pool_state WHERE id = 1
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER experts_changed AFTER INSERT OR UPDATE OR DELETE ON experts FOR EACH ROW EXECUTE FUNCTION expert_changed();
CREATE FUNCTION experts_reset_fn() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE pool_state SET experts_reset = version WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER experts_reset_t AFTER TRUNCATE ON experts FOR EACH STATEMENT EXECUTE FUNCTION experts_reset_fn();
-- Named after seats_pool_bump_*: triggers of one event fire in name order, so these read
-- the bumped version.
CREATE FUNCTION seats_version_fn() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE pool_state SET seats_version = version WHERE id = 1 AND seats_version <> version;
	RETURN NULL;
END
$$;
CREATE TRIGGER seats_version_i AFTER INSERT ON campaign_events FOR EACH ROW WHEN (NEW.campaign_id = 'seats') EXECUTE FUNCTION seats_version_fn();
CREATE TRIGGER seats_version_u AFTER UPDATE ON campaign_events FOR EACH ROW WHEN (NEW.campaign_id = 'seats' OR OLD.campaign_id = 'seats') EXECUTE FUNCTION seats_version_fn();
CREATE TRIGGER seats_version_d AFTER DELETE ON campaign_events FOR EACH ROW WHEN (OLD.campaign_id = 'seats') EXECUTE FUNCTION seats_version_fn();
CREATE TRIGGER seats_version_t AFTER TRUNCATE ON campaign_events FOR EACH STATEMENT EXECUTE FUNCTION seats_version_fn();
INSERT INTO expertdb_migrations (version, name) VALUES (5, '0005_changes');
