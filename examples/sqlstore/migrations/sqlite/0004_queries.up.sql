-- expertdb schema version 4 (SQLite): the columns the Service's queries filter on
-- (expertdb.ExpertQuerier: ListExperts, CountExperts), so that a page is one indexed SELECT
-- with WHERE, ORDER BY id and LIMIT instead of a read of every profile. The store writes
-- them with the profile; Open fills them for rows written before (it rewrites each row once;
-- with your own migration tool, call ExpertStore.Reindex once after this file).
-- categories and fields hold each value hex-encoded between '|' ("|74656368|"), so that a
-- value matches exactly, whatever characters it holds. admitted_at is the Unix time of the
-- latest entry (NULL when none).
ALTER TABLE experts ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN org TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN title_rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experts ADD COLUMN admitted_at BIGINT;
ALTER TABLE experts ADD COLUMN categories TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN fields TEXT NOT NULL DEFAULT '';
CREATE INDEX experts_by_status ON experts (status, id);
CREATE INDEX experts_by_org ON experts (org, id);
CREATE INDEX experts_by_region ON experts (region, id);
INSERT INTO expertdb_migrations (version, name) VALUES (4, '0004_queries');
