-- The officer console: accounts, server-side sessions, review routing with escalation,
-- transfers, and the indexes member search needs.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    role          TEXT NOT NULL
        CONSTRAINT users_role_check CHECK (role IN ('admin', 'reviewer', 'viewer')),
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Login throttling: consecutive failures and the lock they caused.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

-- Sessions live in the database so any app instance can serve any request. Only a hash of
-- the cookie's token is stored: a copy of the table opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Who reviews now: the receiving org, or after escalation its parent federation. The
-- reviewer's path makes "my queue" one index range.
ALTER TABLE applications ADD COLUMN reviewer_org_id INTEGER REFERENCES orgs (id);
ALTER TABLE applications ADD COLUMN reviewer_path TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN escalated_at INTEGER;
ALTER TABLE applications ADD COLUMN decided_by TEXT;
UPDATE applications SET reviewer_org_id = receiving_org_id,
    reviewer_path = (SELECT path FROM orgs WHERE orgs.id = applications.receiving_org_id);
CREATE INDEX applications_review_queue_idx ON applications (reviewer_path, created_at)
    WHERE status = 'pending_review';
CREATE INDEX applications_deadline_idx ON applications (review_deadline)
    WHERE status = 'pending_review';

CREATE TABLE transfers (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    from_org_id   INTEGER NOT NULL REFERENCES orgs (id),
    from_path     TEXT NOT NULL,
    to_org_id     INTEGER NOT NULL REFERENCES orgs (id),
    to_path       TEXT NOT NULL,
    status        TEXT NOT NULL
        CONSTRAINT transfers_status_check CHECK (status IN ('requested', 'accepted', 'rejected', 'cancelled')),
    requested_by  TEXT NOT NULL,
    reason        TEXT,
    decided_by    TEXT,
    created_at    INTEGER NOT NULL,
    decided_at    INTEGER
);
-- One open transfer per membership.
CREATE UNIQUE INDEX transfers_one_open_key ON transfers (membership_id) WHERE status = 'requested';
CREATE INDEX transfers_to_idx ON transfers (to_path, status);
CREATE INDEX transfers_from_idx ON transfers (from_path, status);

CREATE INDEX memberships_name_idx ON memberships (name, id);
CREATE INDEX memberships_id_number_idx ON memberships (id_number_bidx);
CREATE INDEX memberships_pool_idx ON memberships (home_path, id) WHERE in_pool;
