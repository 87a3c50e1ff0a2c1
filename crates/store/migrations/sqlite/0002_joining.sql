-- Joining: receiving orgs' join codes and policies, consent texts, applications,
-- memberships and their events, SMS verification. ID numbers and mobiles exist only as
-- ciphertext (`*_ct`, XChaCha20-Poly1305 with a key id) plus a keyed blind index
-- (`*_bidx`, hex HMAC-SHA256) for equality lookups and uniqueness.

ALTER TABLE orgs ADD COLUMN join_code TEXT;
ALTER TABLE orgs ADD COLUMN credit_code TEXT;
ALTER TABLE orgs ADD COLUMN auto_approval TEXT NOT NULL DEFAULT 'off'
    CONSTRAINT orgs_auto_approval_check CHECK (auto_approval IN ('off', 'roster_only', 'all_verified'));
ALTER TABLE orgs ADD COLUMN review_days INTEGER NOT NULL DEFAULT 3
    CONSTRAINT orgs_review_days_check CHECK (review_days BETWEEN 1 AND 30);
CREATE UNIQUE INDEX orgs_join_code_key ON orgs (join_code);
CREATE UNIQUE INDEX orgs_credit_code_key ON orgs (credit_code);

CREATE TABLE consent_versions (
    version    TEXT PRIMARY KEY,
    text_zh    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE applications (
    id                   INTEGER PRIMARY KEY,
    status               TEXT NOT NULL
        CONSTRAINT applications_status_check CHECK (status IN ('pending_review', 'approved', 'rejected')),
    channel              TEXT NOT NULL
        CONSTRAINT applications_channel_check CHECK (channel IN ('portal', 'qr', 'platform', 'offline', 'invite')),
    -- The join code or campaign the application came through.
    source               TEXT,
    receiving_org_id     INTEGER NOT NULL REFERENCES orgs (id),
    landing_org_id       INTEGER REFERENCES orgs (id),
    landing_in_pool      BOOLEAN NOT NULL DEFAULT FALSE,
    name                 TEXT NOT NULL,
    id_number_ct         BLOB NOT NULL,
    id_number_bidx       TEXT NOT NULL,
    mobile_ct            BLOB NOT NULL,
    mobile_bidx          TEXT NOT NULL,
    sex                  TEXT NOT NULL,
    occupation           TEXT NOT NULL,
    region_code          TEXT NOT NULL,
    employer_name        TEXT,
    employer_credit_code TEXT,
    consent_version      TEXT NOT NULL REFERENCES consent_versions (version),
    consent_at           INTEGER NOT NULL,
    mobile_verified      BOOLEAN NOT NULL,
    -- The applicant already holds a membership but proved a different mobile: an officer
    -- decides (a transfer, or someone using another person's ID).
    holds_membership     BOOLEAN NOT NULL DEFAULT FALSE,
    review_deadline      INTEGER,
    decided_at           INTEGER,
    decision_reason      TEXT,
    membership_id        INTEGER,
    created_at           INTEGER NOT NULL
);
-- One open application per person: a second submission finds the first.
CREATE UNIQUE INDEX applications_one_pending_key ON applications (id_number_bidx)
    WHERE status = 'pending_review';
CREATE INDEX applications_mobile_idx ON applications (mobile_bidx);
CREATE INDEX applications_queue_idx ON applications (receiving_org_id, status, created_at);

CREATE TABLE memberships (
    id             INTEGER PRIMARY KEY,
    -- Set right after the insert, from the id (see MemberNumber).
    member_number  TEXT,
    status         TEXT NOT NULL
        CONSTRAINT memberships_status_check CHECK (status IN ('active', 'retained', 'withdrawn', 'expelled', 'deceased')),
    home_org_id    INTEGER NOT NULL REFERENCES orgs (id),
    -- The home org's path, so "members of this subtree" is one index range.
    home_path      TEXT NOT NULL,
    in_pool        BOOLEAN NOT NULL DEFAULT FALSE,
    name           TEXT NOT NULL,
    id_number_ct   BLOB NOT NULL,
    id_number_bidx TEXT NOT NULL,
    mobile_ct      BLOB NOT NULL,
    mobile_bidx    TEXT NOT NULL,
    sex            TEXT NOT NULL,
    occupation     TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    application_id INTEGER REFERENCES applications (id),
    joined_at      INTEGER NOT NULL,
    CONSTRAINT memberships_member_number_key UNIQUE (member_number)
);
-- One membership held per person, enforced by the database: two simultaneous
-- submissions of one ID make exactly one member.
CREATE UNIQUE INDEX memberships_one_held_key ON memberships (id_number_bidx)
    WHERE status IN ('active', 'retained');
CREATE INDEX memberships_home_path_idx ON memberships (home_path, id);
CREATE INDEX memberships_mobile_idx ON memberships (mobile_bidx);

CREATE TABLE membership_events (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    kind          TEXT NOT NULL,
    from_org_id   INTEGER REFERENCES orgs (id),
    to_org_id     INTEGER REFERENCES orgs (id),
    actor         TEXT NOT NULL,
    reason        TEXT,
    at            INTEGER NOT NULL
);
CREATE INDEX membership_events_membership_idx ON membership_events (membership_id, id);

CREATE TABLE sms_challenges (
    id          INTEGER PRIMARY KEY,
    mobile_bidx TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX sms_challenges_mobile_idx ON sms_challenges (mobile_bidx, purpose, id);

CREATE TABLE sms_outbox (
    id            INTEGER PRIMARY KEY,
    mobile_ct     BLOB NOT NULL,
    mobile_masked TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- The first consent text. A changed text is a new version; applications record theirs.
INSERT INTO consent_versions (version, text_zh, text_en, created_at) VALUES ('1',
'个人信息处理规则（第1版）：为办理入会，工会将处理您的姓名、身份证号、手机号、从业类型、工作所在地及您填写的工作单位。身份证号和手机号属于敏感个人信息，仅用于核验身份、确保一人只有一个会籍、发送入会和服务通知；它们加密存储，页面只显示部分号码，工作人员查看完整号码须说明理由并留下记录。您的信息只由审核您申请的工会和您会籍所在的工会使用，除法律法规规定外不提供给其他单位。申请被拒绝或退会后，您的个人信息在规定期限后删除。您可以随时撤回同意并申请退会。',
'Personal information notice (version 1): to process your membership, the union handles your name, resident ID number, mobile number, occupation, work region and the employer you name. Your ID number and mobile are sensitive personal information, used only to verify your identity, to keep one membership per person, and to send membership and service notices; they are stored encrypted, pages show them only partly, and an officer who views a full number must give a reason, which is recorded. Only the union reviewing your application and the union holding your membership use your information; it is given to no one else unless the law requires. If your application is rejected or you leave the union, your personal information is deleted after the retention period. You may withdraw your consent and leave the union at any time.',
0);
