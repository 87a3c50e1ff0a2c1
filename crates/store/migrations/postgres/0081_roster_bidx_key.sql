-- One unique key for roster entries, (id_number_bidx, source), instead of the UNIQUE
-- (source, id_number_bidx) and the index on id_number_bidx beside it (issue 15, figure R).
-- Both were keyed by a random blind index, so every imported row went into two B-trees at
-- random pages — at a million entries the bulk of an import's write time. The new key
-- answers both questions: "does this source list the person" (an import's ON CONFLICT)
-- and "which rosters list the person" (a join's state refresh, the application page's
-- match) by its leading column. The new key is built before the old ones go, so the
-- entries are never without one.
--
-- The entries' references to their import and union are no longer foreign keys: their
-- checks cost three trigger queries a row (over a quarter of a bulk insert's time), and
-- they guard nothing huiji does. No statement deletes an import or a union (the retention
-- purge removes entries and keeps imports, for their counts), and every entry's
-- import_id, last_import_id, org_id and org_path are the import's own, read from its row
-- in the batch's transaction (store::roster::write), which locks that row FOR KEY SHARE
-- once a batch as the foreign-key check did once a row.

ALTER TABLE roster_entries ADD CONSTRAINT roster_entries_bidx_source_key UNIQUE (id_number_bidx, source);
ALTER TABLE roster_entries DROP CONSTRAINT roster_entries_source_id_key;
DROP INDEX roster_entries_id_number_idx;
ALTER TABLE roster_entries DROP CONSTRAINT roster_entries_import_id_fkey;
ALTER TABLE roster_entries DROP CONSTRAINT roster_entries_last_import_id_fkey;
ALTER TABLE roster_entries DROP CONSTRAINT roster_entries_org_id_fkey;
