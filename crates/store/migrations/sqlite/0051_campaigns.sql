-- Campaigns (issue 15): targeted SMS invitations to roster non-members. A campaign is an
-- officer's text for a subtree and its filters; a message is one target, its mobile
-- sealed and blind-indexed, its personal invite code, where it stands and when it was
-- clicked. The suppression list holds opted-out mobiles by blind index only. Every write a
-- provider may repeat (a send, a receipt, a reply) is made idempotent by a named key or
-- a guarded update.

CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY,
    -- The union whose subtree is targeted; its path copied for scoping.
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    org_path      TEXT NOT NULL,
    name          TEXT NOT NULL CONSTRAINT campaigns_name_check CHECK (length(trim(name)) BETWEEN 1 AND 60),
    template      TEXT NOT NULL,
    -- The federation's signature and opt-out note in force when it was made.
    signature     TEXT NOT NULL,
    opt_out_text  TEXT NOT NULL,
    occupation    TEXT,
    region_code   TEXT,
    source        TEXT,
    actor         TEXT NOT NULL,
    status        TEXT NOT NULL CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'queued')),
    created_at    INTEGER NOT NULL,
    queued_at     INTEGER,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX campaigns_org_path_idx ON campaigns (org_path, id);

CREATE TABLE campaign_messages (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    -- The receiving union the join rules pick for the target (NULL: none serves it).
    org_id         INTEGER REFERENCES orgs (id),
    occupation     TEXT NOT NULL,
    region_code    TEXT,
    surname        TEXT,
    mobile_ct      BLOB NOT NULL,
    mobile_bidx    TEXT NOT NULL,
    invite_code    TEXT NOT NULL,
    state          TEXT NOT NULL CONSTRAINT campaign_messages_state_check
        CHECK (state IN ('queued', 'suppressed', 'sent', 'delivered', 'failed')),
    due_at         INTEGER NOT NULL,
    -- A sender holds the message until then (several instances share the queue).
    lease_until    INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    sent_at        INTEGER,
    receipt_at     INTEGER,
    clicked_at     INTEGER,
    -- One message per mobile and campaign: queueing twice adds nothing.
    CONSTRAINT campaign_messages_campaign_mobile_key UNIQUE (campaign_id, mobile_bidx),
    CONSTRAINT campaign_messages_invite_code_key UNIQUE (invite_code)
);
CREATE INDEX campaign_messages_due_idx ON campaign_messages (due_at) WHERE state = 'queued';
CREATE INDEX campaign_messages_mobile_idx ON campaign_messages (mobile_bidx, sent_at);
CREATE INDEX campaign_messages_org_idx ON campaign_messages (campaign_id, org_id);

CREATE TABLE campaign_suppressions (
    mobile_bidx   TEXT NOT NULL CONSTRAINT campaign_suppressions_mobile_key PRIMARY KEY,
    reason        TEXT NOT NULL CONSTRAINT campaign_suppressions_reason_check CHECK (reason IN ('reply', 'link')),
    created_at    INTEGER NOT NULL
);

-- QR scans (一会一码) per join code, for the join-code funnel: scans → applications → approvals.
CREATE TABLE join_code_scans (
    join_code     TEXT NOT NULL CONSTRAINT join_code_scans_code_key PRIMARY KEY,
    scans         INTEGER NOT NULL DEFAULT 0
);

-- Applications by the code they came through (a join code, an invite code): the funnels.
CREATE INDEX campaign_applications_source_idx ON applications (source, channel);
