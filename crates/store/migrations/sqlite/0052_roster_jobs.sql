-- no-transaction
-- Roster imports as durable jobs (issue 15): a running import's process stamps a
-- heartbeat; when it stops beating (the process died or restarted), any instance marks
-- the import `interrupted` with a message instead of leaving it running forever.
--
-- SQLite cannot change a CHECK constraint in place, so `roster_imports` is rebuilt with
-- the wider one, every row copied, ids included. Roster entries point at their imports,
-- so foreign keys are off while the old table goes (SQLite's documented procedure for
-- such changes, inside one transaction, checked before the commit); hence no-transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE roster_imports_new (
    id                 INTEGER PRIMARY KEY,
    -- The union whose officers own the import; its path copied for subtree scoping.
    org_id             INTEGER NOT NULL REFERENCES orgs (id),
    org_path           TEXT NOT NULL,
    source             TEXT NOT NULL CONSTRAINT roster_imports_source_check CHECK (length(trim(source)) BETWEEN 1 AND 60),
    file_name          TEXT NOT NULL,
    -- Who ran it: 'operator' or 'user:NAME'.
    actor              TEXT NOT NULL,
    status             TEXT NOT NULL
        CONSTRAINT roster_imports_status_check CHECK (status IN ('running', 'done', 'cancelled', 'failed',
            'interrupted')),
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
    finished_at        INTEGER,
    -- The running process's last sign of life.
    heartbeat_at       INTEGER,
    -- Why it ended as it did, when that needs saying (an interruption).
    message            TEXT
);
INSERT INTO roster_imports_new (id, org_id, org_path, source, file_name, actor, status, rows_read, imported,
                                duplicates_in_file, already_on_roster, updated, rejected, members, pending,
                                not_members, report, started_at, finished_at, heartbeat_at)
    SELECT id, org_id, org_path, source, file_name, actor, status, rows_read, imported, duplicates_in_file,
           already_on_roster, updated, rejected, members, pending, not_members, report, started_at,
           finished_at, started_at
    FROM roster_imports;
DROP TABLE roster_imports;
ALTER TABLE roster_imports_new RENAME TO roster_imports;
CREATE INDEX roster_imports_org_path_idx ON roster_imports (org_path, id);
CREATE INDEX roster_imports_running_idx ON roster_imports (heartbeat_at) WHERE status = 'running';
COMMIT;
PRAGMA foreign_keys = ON;
