-- Transfers (接转) need both sides' consent (issue 11). A receiving union's officer may ask
-- for a member, but the transfer waits ('awaiting_consent') until the member or the
-- outgoing side agrees; until then the asking side sees only what it typed. Such a request
-- may name nobody (an unknown ID number must look like a member's), so the membership and
-- its home union become optional. `released_by` records who gave the outgoing side's
-- consent: the member who asked, or whoever agreed to a receiving union's request.
--
-- SQLite cannot drop NOT NULL or change a CHECK in place: the table is rebuilt, keeping
-- every row and id.
CREATE TABLE transfers_new (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER REFERENCES memberships (id),
    from_org_id   INTEGER REFERENCES orgs (id),
    from_path     TEXT,
    to_org_id     INTEGER NOT NULL REFERENCES orgs (id),
    to_path       TEXT NOT NULL,
    status        TEXT NOT NULL
        CONSTRAINT transfers_status_check CHECK (status IN
            ('awaiting_consent', 'requested', 'accepted', 'rejected', 'refused', 'cancelled')),
    requested_by  TEXT NOT NULL,
    reason        TEXT,
    decided_by    TEXT,
    created_at    INTEGER NOT NULL,
    decided_at    INTEGER,
    released_by   TEXT,
    -- What the asking officer typed to name the member (a member number or a masked ID
    -- number) and the name they typed, masked.
    typed_member  TEXT,
    typed_name    TEXT,
    -- Only a request still waiting (or withdrawn) may name no membership.
    CONSTRAINT transfers_membership_check CHECK
        (membership_id IS NOT NULL OR status IN ('awaiting_consent', 'cancelled'))
);

-- Requests officers started were all receiving-side requests the receiving side could
-- accept alone: the open ones now wait for the outgoing side's consent. The members'
-- own requests carry their consent.
INSERT INTO transfers_new (id, membership_id, from_org_id, from_path, to_org_id, to_path, status,
        requested_by, reason, decided_by, created_at, decided_at, released_by)
    SELECT id, membership_id, from_org_id, from_path, to_org_id, to_path,
        CASE WHEN status = 'requested' AND requested_by LIKE 'user:%' THEN 'awaiting_consent' ELSE status END,
        requested_by, reason, decided_by, created_at, decided_at,
        CASE WHEN requested_by NOT LIKE 'user:%' THEN requested_by
             WHEN status = 'accepted' THEN decided_by END
    FROM transfers;

DROP TABLE transfers;
ALTER TABLE transfers_new RENAME TO transfers;

-- One open member's request per membership.
CREATE UNIQUE INDEX transfers_one_open_key ON transfers (membership_id) WHERE status = 'requested';
CREATE INDEX transfers_to_idx ON transfers (to_path, status);
CREATE INDEX transfers_from_idx ON transfers (from_path, status);
-- What a member is asked to agree to, on /status.
CREATE INDEX transfers_awaiting_idx ON transfers (membership_id) WHERE status = 'awaiting_consent';
