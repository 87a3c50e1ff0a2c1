-- Judge-only accounts (role 'judge'): experts from outside the unions who score the
-- entries of the innovation calls they sit on, and see nothing else.
--
-- SQLite cannot change a CHECK constraint in place, so `users` is rebuilt with the
-- wider one and every row copied, ids included. Sessions point at users: they are set
-- aside while the old table goes and put back after, so nobody is logged out.

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    role          TEXT NOT NULL
        CONSTRAINT users_role_check CHECK (role IN ('admin', 'reviewer', 'viewer', 'judge')),
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Login throttling: consecutive failures and the lock they caused.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL,
    -- Officers who may reveal full ID numbers and mobiles (pii.reveal), after a reason.
    can_reveal    BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT users_username_key UNIQUE (username)
);
INSERT INTO users_new (id, username, org_id, role, password_hash, disabled, failed_logins, locked_until,
                       created_at, can_reveal)
    SELECT id, username, org_id, role, password_hash, disabled, failed_logins, locked_until, created_at,
           can_reveal
    FROM users;

CREATE TEMP TABLE sessions_kept AS
    SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions;
DELETE FROM sessions;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
    SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions_kept;
DROP TABLE sessions_kept;
