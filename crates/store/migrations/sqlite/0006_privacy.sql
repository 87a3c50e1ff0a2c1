-- Privacy: the audit log (append-only), the reveal permission, key-rotation progress and
-- retention purges.

-- Who saw or took personal data, or changed something an auditor asks about. Rows are
-- only ever inserted: the triggers below refuse any UPDATE or DELETE, so not even a bug
-- in the application can edit the trail.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL
        CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN ('officer', 'platform', 'system')),
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    -- The org path of what was touched: admins see the records of their subtree.
    scope_path  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    reason      TEXT,
    client_addr TEXT
);
CREATE INDEX audit_log_scope_idx ON audit_log (scope_path, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Officers who may reveal full ID numbers and mobiles (pii.reveal), after a reason.
ALTER TABLE users ADD COLUMN can_reveal BOOLEAN NOT NULL DEFAULT FALSE;

-- A key rotation: re-encrypting every sealed value under `key_id`. Progress is kept per
-- table (the last id done), so an interrupted rotation continues where it stopped.
CREATE TABLE key_rotations (
    key_id      TEXT PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE TABLE key_rotation_progress (
    key_id     TEXT NOT NULL REFERENCES key_rotations (key_id),
    table_name TEXT NOT NULL,
    last_id    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, table_name)
);

-- Retention: when a row's personal data was removed (the row stays, for the counts).
ALTER TABLE applications ADD COLUMN purged_at INTEGER;
ALTER TABLE memberships ADD COLUMN purged_at INTEGER;
