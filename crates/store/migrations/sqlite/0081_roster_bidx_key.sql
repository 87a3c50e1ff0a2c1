-- One unique key for roster entries, (id_number_bidx, source), instead of the UNIQUE
-- (source, id_number_bidx) and the index on id_number_bidx beside it (issue 15, figure R).
-- Both were keyed by a random blind index, so every imported row went into two B-trees at
-- random pages — at a million entries the bulk of an import's write time. The new key
-- answers both questions: "does this source list the person" (an import's ON CONFLICT)
-- and "which rosters list the person" (a join's state refresh, the application page's
-- match) by its leading column.
--
-- The entries' references to their import and union are no longer foreign keys: their
-- checks cost PostgreSQL three trigger queries a row (over a quarter of a bulk insert's
-- time), and they guard nothing huiji does. No statement deletes an import or a union
-- (the retention purge removes entries and keeps imports, for their counts), and every
-- entry's import_id, last_import_id, org_id and org_path are the import's own, read from
-- its row in the batch's transaction (store::roster::write, locked there on PostgreSQL
-- as the foreign-key check locked it for each row).
--
-- SQLite cannot drop a table constraint, so the table is rebuilt: renamed aside (its
-- triggers and indexes go with it), made again with the new key, its rows copied with
-- their ids, the old one dropped, then the other indexes and the coverage triggers of
-- 0080 made again as they were. No table references roster_entries, and the copy is of
-- the same rows in the same states, so roster_counts stays right.

ALTER TABLE roster_entries RENAME TO roster_entries_0080;

CREATE TABLE roster_entries (
    id                   INTEGER PRIMARY KEY,
    source               TEXT NOT NULL,
    -- The import that added it and the last one that listed it (retention counts from it).
    import_id            INTEGER NOT NULL,
    last_import_id       INTEGER NOT NULL,
    org_id               INTEGER NOT NULL,
    org_path             TEXT NOT NULL,
    name                 TEXT,
    id_number_ct         BLOB NOT NULL,
    id_number_bidx       TEXT NOT NULL,
    mobile_ct            BLOB,
    mobile_bidx          TEXT,
    occupation           TEXT NOT NULL,
    region_code          TEXT,
    employer_name        TEXT,
    employer_credit_code TEXT,
    state                TEXT NOT NULL
        CONSTRAINT roster_entries_state_check CHECK (state IN ('member', 'pending', 'not_member')),
    created_at           INTEGER NOT NULL,
    last_seen_at         INTEGER NOT NULL,
    -- One entry per person and source: importing a file twice adds nothing.
    CONSTRAINT roster_entries_bidx_source_key UNIQUE (id_number_bidx, source)
);

INSERT INTO roster_entries (id, source, import_id, last_import_id, org_id, org_path, name, id_number_ct,
    id_number_bidx, mobile_ct, mobile_bidx, occupation, region_code, employer_name, employer_credit_code, state,
    created_at, last_seen_at)
SELECT id, source, import_id, last_import_id, org_id, org_path, name, id_number_ct, id_number_bidx, mobile_ct,
    mobile_bidx, occupation, region_code, employer_name, employer_credit_code, state, created_at, last_seen_at
FROM roster_entries_0080 ORDER BY id;

DROP TABLE roster_entries_0080;

CREATE INDEX roster_entries_org_path_idx ON roster_entries (org_path, state, occupation);
CREATE INDEX roster_entries_last_seen_idx ON roster_entries (last_seen_at) WHERE state = 'not_member';

CREATE TRIGGER roster_counts_state AFTER UPDATE OF state ON roster_entries
    WHEN OLD.state <> NEW.state
BEGIN
    UPDATE roster_counts SET entries = entries - 1
        WHERE org_id = OLD.org_id AND org_path = OLD.org_path AND occupation = OLD.occupation AND state = OLD.state;
    INSERT INTO roster_counts (org_id, org_path, occupation, state, entries)
        VALUES (NEW.org_id, NEW.org_path, NEW.occupation, NEW.state, 1)
        ON CONFLICT (org_id, org_path, occupation, state) DO UPDATE SET entries = entries + 1;
END;

CREATE TRIGGER roster_counts_delete AFTER DELETE ON roster_entries
BEGIN
    UPDATE roster_counts SET entries = entries - 1
        WHERE org_id = OLD.org_id AND org_path = OLD.org_path AND occupation = OLD.occupation AND state = OLD.state;
END;
