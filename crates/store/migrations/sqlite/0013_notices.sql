-- Decision notices (issue 13): every decision about an applicant or a member owes them an
-- SMS. The notice is inserted in the same transaction as the decision, so a decision that
-- committed is never left untold and a rolled-back one never told; a delivery job sends
-- it through the SMS provider afterwards, with retries. A notice names what it is about
-- (the application, membership or transfer) and the union it speaks of; the mobile and
-- the text's facts are read at delivery, so no personal data is copied here and a purge
-- or key rotation of applications and memberships covers it. `body` keeps the text sent.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL
        CONSTRAINT notices_kind_check CHECK (kind IN ('welcome', 'rejected', 'escalated',
            'transfer_agreed', 'transfer_refused', 'distributed')),
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
    CONSTRAINT notices_subject_check CHECK (application_id IS NOT NULL OR membership_id IS NOT NULL)
);

CREATE INDEX notices_due ON notices (next_attempt_at, id) WHERE delivery = 'pending';
CREATE INDEX notices_application ON notices (application_id);
CREATE INDEX notices_membership ON notices (membership_id);
