-- Benefit grant SMS through the decision SMS outbox (issue 16). A grant's SMS used to be
-- sent from the grant row (`benefit_grants.notified_at`) after the commit, at most once and
-- never retried; it is now a notice like a decision's: queued in the grant's own
-- transaction (the approval's, for on-approval grants), delivered by the notice job with
-- retries. The notice names the grant and its membership (whose mobile is read at
-- delivery) and the sponsor union; the programme's name, validity and hotline are read at
-- delivery too, so no personal data is copied here.
--
-- Grants not yet texted when this runs are queued now, so none is left untold;
-- `notified_at` is no longer written.
--
-- SQLite cannot change a CHECK constraint in place, so `notices` is rebuilt with the
-- wider one and every row copied, ids included (as 0064 did). No table points at it.

CREATE TABLE notices_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL
        CONSTRAINT notices_kind_check CHECK (kind IN ('welcome', 'rejected', 'escalated',
            'transfer_agreed', 'transfer_refused', 'distributed',
            'case_filed', 'case_accepted', 'case_step', 'case_closed', 'benefit_granted')),
    application_id  INTEGER REFERENCES applications (id),
    membership_id   INTEGER REFERENCES memberships (id),
    transfer_id     INTEGER REFERENCES transfers (id),
    org_id          INTEGER NOT NULL REFERENCES orgs (id),
    created_at      INTEGER NOT NULL,
    delivery        TEXT NOT NULL DEFAULT 'pending'
        CONSTRAINT notices_delivery_check CHECK (delivery IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    sent_at         INTEGER,
    body            TEXT,
    last_error      TEXT,
    case_id         INTEGER REFERENCES cases (id),
    case_event_id   INTEGER REFERENCES case_events (id),
    grant_id        INTEGER REFERENCES benefit_grants (id),
    CONSTRAINT notices_subject_check CHECK (application_id IS NOT NULL OR membership_id IS NOT NULL
        OR case_event_id IS NOT NULL),
    CONSTRAINT notices_case_check CHECK ((case_id IS NULL) = (case_event_id IS NULL)),
    CONSTRAINT notices_grant_check CHECK ((grant_id IS NULL) = (kind <> 'benefit_granted'))
);
INSERT INTO notices_new (id, kind, application_id, membership_id, transfer_id, org_id, created_at, delivery,
                         attempts, next_attempt_at, locked_until, sent_at, body, last_error, case_id,
                         case_event_id)
    SELECT id, kind, application_id, membership_id, transfer_id, org_id, created_at, delivery,
           attempts, next_attempt_at, locked_until, sent_at, body, last_error, case_id, case_event_id
    FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;

CREATE INDEX notices_due ON notices (next_attempt_at, id) WHERE delivery = 'pending';
CREATE INDEX notices_application ON notices (application_id);
CREATE INDEX notices_membership ON notices (membership_id);
CREATE INDEX notices_case ON notices (case_id);
CREATE INDEX notices_grant ON notices (grant_id);

INSERT INTO notices (kind, membership_id, grant_id, org_id, created_at, next_attempt_at)
    SELECT 'benefit_granted', g.membership_id, g.id, b.org_id, g.granted_at, g.granted_at
    FROM benefit_grants g JOIN benefit_programmes b ON b.id = g.programme_id
    WHERE g.notified_at IS NULL AND g.status <> 'revoked'
    ORDER BY g.id;
