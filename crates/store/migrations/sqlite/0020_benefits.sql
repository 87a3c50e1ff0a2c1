-- Benefit programmes (issue 16, 普惠服务/互助保障): what a sponsor union gives its
-- subtree's members (insurance gifts, health checks …), who is eligible, the quota in
-- total and per child union, and each member's grant with its history.
--
-- "One grant per member per programme" is a unique key; "never over quota" is a counter
-- on the programme (and on the child union's share) raised in the grant's transaction
-- only while below the quota (`UPDATE … WHERE granted < quota`): SQLite's one writer and
-- PostgreSQL's row lock both make concurrent grants take turns at it. A revoked grant
-- gives its place back.

CREATE TABLE benefit_programmes (
    id           INTEGER PRIMARY KEY,
    -- The sponsor: members of its subtree may hold grants; its admins manage it.
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    org_path     TEXT NOT NULL,
    kind         TEXT NOT NULL
        CONSTRAINT benefit_programmes_kind_check CHECK (kind IN ('insurance_gift', 'health_check',
            'cancer_screening', 'seasonal_care', 'hardship_aid', 'other')),
    name         TEXT NOT NULL
        CONSTRAINT benefit_programmes_name_check CHECK (length(trim(name)) BETWEEN 1 AND 100),
    -- The insurer or provider, and the hotline members call.
    provider     TEXT,
    hotline      TEXT,
    grant_mode   TEXT NOT NULL
        CONSTRAINT benefit_programmes_mode_check CHECK (grant_mode IN ('on_approval', 'claim', 'officer')),
    -- The programme's first and last days (YYYY-MM-DD, China time), either open.
    starts_on    TEXT,
    ends_on      TEXT,
    quota        INTEGER NOT NULL CONSTRAINT benefit_programmes_quota_check CHECK (quota >= 1),
    -- Grants held or used (revoked ones give their place back).
    granted      INTEGER NOT NULL DEFAULT 0,
    -- Days one grant lasts from the day it is made (NULL: until ends_on).
    valid_days   INTEGER CONSTRAINT benefit_programmes_valid_days_check CHECK (valid_days >= 1),
    -- Eligibility (huiji_core::benefit::Eligibility): occupation codes and region codes
    -- separated by commas ('' admits all), the join window, the channel or platform,
    -- sex and age.
    occupations  TEXT NOT NULL DEFAULT '',
    regions      TEXT NOT NULL DEFAULT '',
    active_only  BOOLEAN NOT NULL DEFAULT FALSE,
    joined_from  TEXT,
    joined_until TEXT,
    via_channel  TEXT
        CONSTRAINT benefit_programmes_channel_check CHECK (via_channel IN ('portal', 'qr', 'platform',
            'offline', 'invite')),
    via_platform TEXT,
    sex          TEXT CONSTRAINT benefit_programmes_sex_check CHECK (sex IN ('female', 'male')),
    age_min      INTEGER,
    age_max      INTEGER,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    CONSTRAINT benefit_programmes_granted_check CHECK (granted >= 0 AND granted <= quota),
    CONSTRAINT benefit_programmes_period_check CHECK (starts_on <= ends_on),
    CONSTRAINT benefit_programmes_org_name_key UNIQUE (org_id, name)
);
CREATE INDEX benefit_programmes_org_path_idx ON benefit_programmes (org_path, id);
CREATE INDEX benefit_programmes_on_approval_idx ON benefit_programmes (id) WHERE grant_mode = 'on_approval';

-- A child union's share of a programme's quota: its subtree's grants count against it
-- as well as against the total.
CREATE TABLE benefit_quotas (
    programme_id INTEGER NOT NULL REFERENCES benefit_programmes (id),
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    org_path     TEXT NOT NULL,
    quota        INTEGER NOT NULL CONSTRAINT benefit_quotas_quota_check CHECK (quota >= 1),
    granted      INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT benefit_quotas_granted_check CHECK (granted >= 0 AND granted <= quota),
    PRIMARY KEY (programme_id, org_id)
);

CREATE TABLE benefit_grants (
    id            INTEGER PRIMARY KEY,
    programme_id  INTEGER NOT NULL REFERENCES benefit_programmes (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    -- The child union whose share it counts against, if the programme has shares.
    quota_org_id  INTEGER REFERENCES orgs (id),
    -- The membership's home path when granted, so "grants of this subtree" is a range.
    home_path     TEXT NOT NULL,
    status        TEXT NOT NULL
        CONSTRAINT benefit_grants_status_check CHECK (status IN ('granted', 'enrolled', 'used', 'closed',
            'revoked')),
    -- How it was made.
    via           TEXT NOT NULL
        CONSTRAINT benefit_grants_via_check CHECK (via IN ('on_approval', 'claim', 'officer')),
    -- The insurer's policy number, once enrolled.
    policy_number TEXT,
    -- The last day it is valid (YYYY-MM-DD), if bounded.
    valid_until   TEXT,
    granted_at    INTEGER NOT NULL,
    granted_by    TEXT NOT NULL,
    revoke_reason TEXT,
    -- The grant's SMS: NULL until it is handed to the SMS provider (the grant row is
    -- its own outbox entry, written in the grant's transaction).
    notified_at   INTEGER,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT benefit_grants_one_per_member_key UNIQUE (programme_id, membership_id),
    CONSTRAINT benefit_grants_revoked_check CHECK ((status = 'revoked') = (revoke_reason IS NOT NULL))
);
CREATE INDEX benefit_grants_membership_idx ON benefit_grants (membership_id);
CREATE INDEX benefit_grants_programme_idx ON benefit_grants (programme_id, id);
CREATE INDEX benefit_grants_notify_idx ON benefit_grants (id) WHERE notified_at IS NULL;

-- Every step of a grant: made, enrolled, used, closed, revoked.
CREATE TABLE benefit_grant_events (
    id       INTEGER PRIMARY KEY,
    grant_id INTEGER NOT NULL REFERENCES benefit_grants (id),
    at       INTEGER NOT NULL,
    -- 'user:NAME', 'member', 'instant' (an instant approval), 'operator' or 'system'.
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL
        CONSTRAINT benefit_grant_events_kind_check CHECK (kind IN ('grant', 'enrol', 'use', 'close', 'revoke')),
    -- The policy number (enrol) or the reason (revoke).
    note     TEXT
);
CREATE INDEX benefit_grant_events_grant_idx ON benefit_grant_events (grant_id, id);
