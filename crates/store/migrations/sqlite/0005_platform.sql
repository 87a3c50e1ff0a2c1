-- The platform API: platforms and their API keys, idempotent requests, and the webhook
-- outbox with its delivery log.

CREATE TABLE platforms (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    -- Where webhooks go; NULL means the platform takes none and no events are written.
    webhook_url       TEXT,
    -- The signing secret, encrypted like personal data: a copy of the table forges nothing.
    webhook_secret_ct BLOB,
    created_at        INTEGER NOT NULL,
    CONSTRAINT platforms_name_key UNIQUE (name)
);

-- Keys are random 32-byte secrets, so a SHA-256 hash is enough (no slow hash needed);
-- the short prefix finds the row and is what lists show.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    prefix      TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    -- Space-separated scopes, e.g. 'applications memberships.verify orgs'.
    scopes      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
);

ALTER TABLE applications ADD COLUMN platform_id INTEGER REFERENCES platforms (id);
ALTER TABLE applications ADD COLUMN external_ref TEXT;
CREATE INDEX applications_platform_idx ON applications (platform_id, id_number_bidx)
    WHERE platform_id IS NOT NULL;

-- A POST with an Idempotency-Key: reserved before the work (response NULL), completed
-- with the response after it, replayed for 24 hours.
CREATE TABLE idempotency_keys (
    platform_id   INTEGER NOT NULL REFERENCES platforms (id),
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER,
    response_body TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (platform_id, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- The webhook outbox, written in the same transaction as the change it reports. The
-- payload is rendered from these columns at delivery, so every retry sends the same body.
CREATE TABLE webhook_events (
    id              INTEGER PRIMARY KEY,
    platform_id     INTEGER NOT NULL REFERENCES platforms (id),
    kind            TEXT NOT NULL
        CONSTRAINT webhook_events_kind_check CHECK (kind IN ('application.decided', 'membership.transferred')),
    application_id  INTEGER REFERENCES applications (id),
    membership_id   INTEGER REFERENCES memberships (id),
    status          TEXT,
    reason          TEXT,
    member_number   TEXT,
    from_org_id     INTEGER REFERENCES orgs (id),
    to_org_id       INTEGER REFERENCES orgs (id),
    occurred_at     INTEGER NOT NULL,
    delivery        TEXT NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_events_delivery_check CHECK (delivery IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A worker's claim: others skip the event until it passes.
    locked_until    INTEGER,
    delivered_at    INTEGER
);
CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE delivery = 'pending';
CREATE INDEX webhook_events_platform_idx ON webhook_events (platform_id, id);

CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES webhook_events (id),
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id, id);
