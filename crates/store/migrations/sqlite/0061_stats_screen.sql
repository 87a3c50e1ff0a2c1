-- The 数据大屏 (issue 17): long-lived read-only screen tokens an admin issues for a hall's
-- display, so it shows /console/screen?kiosk=TOKEN without an officer's login. Only the
-- token's SHA-256 is stored; a revoked token stops at once.
CREATE TABLE stats_screen_tokens (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    token_hash TEXT    NOT NULL,
    label      TEXT    NOT NULL
        CONSTRAINT stats_screen_tokens_label_check CHECK (length(trim(label)) BETWEEN 1 AND 60),
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    CONSTRAINT stats_screen_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX stats_screen_tokens_org_idx ON stats_screen_tokens (org_id, id);
