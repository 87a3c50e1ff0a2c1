-- Real-name rosters (issue 15): the lists departments and platforms hand the federation.
-- An import records who brought which file for which union and what became of its rows
-- (the counts outlive the entries the retention purge removes); an entry is one person
-- of one source, sealed and blind-indexed like members, with where they stand
-- (member / pending / not_member), kept current by the join and review transactions.

CREATE TABLE roster_imports (
    id                 INTEGER PRIMARY KEY,
    -- The union whose officers own the import; its path copied for subtree scoping.
    org_id             INTEGER NOT NULL REFERENCES orgs (id),
    org_path           TEXT NOT NULL,
    source             TEXT NOT NULL CONSTRAINT roster_imports_source_check CHECK (length(trim(source)) BETWEEN 1 AND 60),
    file_name          TEXT NOT NULL,
    -- Who ran it: 'operator' or 'user:NAME'.
    actor              TEXT NOT NULL,
    status             TEXT NOT NULL
        CONSTRAINT roster_imports_status_check CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
    rows_read          INTEGER NOT NULL DEFAULT 0,
    imported           INTEGER NOT NULL DEFAULT 0,
    duplicates_in_file INTEGER NOT NULL DEFAULT 0,
    already_on_roster  INTEGER NOT NULL DEFAULT 0,
    updated            INTEGER NOT NULL DEFAULT 0,
    rejected           INTEGER NOT NULL DEFAULT 0,
    members            INTEGER NOT NULL DEFAULT 0,
    pending            INTEGER NOT NULL DEFAULT 0,
    not_members        INTEGER NOT NULL DEFAULT 0,
    -- Where the error report was written.
    report             TEXT,
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER
);
CREATE INDEX roster_imports_org_path_idx ON roster_imports (org_path, id);

CREATE TABLE roster_entries (
    id                   INTEGER PRIMARY KEY,
    source               TEXT NOT NULL,
    -- The import that added it and the last one that listed it (retention counts from it).
    import_id            INTEGER NOT NULL REFERENCES roster_imports (id),
    last_import_id       INTEGER NOT NULL REFERENCES roster_imports (id),
    org_id               INTEGER NOT NULL REFERENCES orgs (id),
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
    CONSTRAINT roster_entries_source_id_key UNIQUE (source, id_number_bidx)
);
CREATE INDEX roster_entries_id_number_idx ON roster_entries (id_number_bidx);
CREATE INDEX roster_entries_org_path_idx ON roster_entries (org_path, state, occupation);
CREATE INDEX roster_entries_last_seen_idx ON roster_entries (last_seen_at) WHERE state = 'not_member';
