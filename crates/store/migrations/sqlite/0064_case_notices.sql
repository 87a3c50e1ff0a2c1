-- Case notices (issue 16): a legal-aid case owes the worker who filed it an SMS when it
-- is filed (the case number and who handles it), accepted, moved by a step, and closed.
-- They go through the decision SMS outbox (0013): queued in the case's own transaction,
-- delivered with retries. A case notice names the case event it tells of (its step, the
-- outcome and the mobile are read at delivery, so a case's purge covers it) and the case
-- itself, so the request that acted can deliver its notices at once.
--
-- SQLite cannot change a CHECK constraint in place, so `notices` is rebuilt with the
-- wider ones and every row copied, ids included. No table points at `notices`.

CREATE TABLE notices_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL
        CONSTRAINT notices_kind_check CHECK (kind IN ('welcome', 'rejected', 'escalated',
            'transfer_agreed', 'transfer_refused', 'distributed',
            'case_filed', 'case_accepted', 'case_step', 'case_closed')),
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
    CONSTRAINT notices_subject_check CHECK (application_id IS NOT NULL OR membership_id IS NOT NULL
        OR case_event_id IS NOT NULL),
    CONSTRAINT notices_case_check CHECK ((case_id IS NULL) = (case_event_id IS NULL))
);
INSERT INTO notices_new (id, kind, application_id, membership_id, transfer_id, org_id, created_at, delivery,
                         attempts, next_attempt_at, locked_until, sent_at, body, last_error)
    SELECT id, kind, application_id, membership_id, transfer_id, org_id, created_at, delivery,
           attempts, next_attempt_at, locked_until, sent_at, body, last_error
    FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;

CREATE INDEX notices_due ON notices (next_attempt_at, id) WHERE delivery = 'pending';
CREATE INDEX notices_application ON notices (application_id);
CREATE INDEX notices_membership ON notices (membership_id);
CREATE INDEX notices_case ON notices (case_id);
