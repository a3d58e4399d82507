-- expertdb schema version 3 (SQLite): the canonical resident ID number of each expert in a
-- column of its own, indexed, so that one person, one record (Art. 6, 11) is a lookup rather
-- than a scan of every profile. The store writes it with the profile; rows written before
-- are filled here from the profile document.
ALTER TABLE experts ADD COLUMN id_number TEXT NOT NULL DEFAULT '';
UPDATE experts SET id_number = upper(COALESCE(json_extract(CAST(data AS TEXT), '$.id_number'), json_extract(CAST(data AS TEXT), '$.IDNumber'), ''));
CREATE INDEX experts_by_id_number ON experts (id_number);
INSERT INTO expertdb_migrations (version, name) VALUES (3, '0003_persons');
