-- expertdb schema version 6 (PostgreSQL): the nonce of each recent pool version. Every bump
-- draws a new nonce; pool_nonces keeps it per version (the last 4,096 versions), so that a
-- reader holding the snapshot of version V reads only what changed since V when the nonce
-- recorded for V is still the one it read. A database restored from a backup older than V
-- and written past V has another nonce at V: the snapshot is read again in full, never stale.
CREATE TABLE pool_nonces (
	version BIGINT PRIMARY KEY,
	nonce   TEXT NOT NULL
);
INSERT INTO pool_nonces (version, nonce) SELECT version, nonce FROM pool_state WHERE id = 1;
CREATE FUNCTION pool_nonce_fn() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	INSERT INTO pool_nonces (version, nonce) VALUES (NEW.version, NEW.nonce)
	ON CONFLICT (version) DO UPDATE SET nonce = excluded.nonce;
	DELETE FROM pool_nonces WHERE version <= NEW.version - 4096;
	RETURN NULL;
END
$$;
CREATE TRIGGER pool_nonce_t AFTER UPDATE ON pool_state FOR EACH ROW WHEN (NEW.version <> OLD.version) EXECUTE FUNCTION pool_nonce_fn();
INSERT INTO expertdb_migrations (version, name) VALUES (6, '0006_nonces');
