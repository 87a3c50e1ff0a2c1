-- Case notices (issue 16): a legal-aid case owes the worker who filed it an SMS when it
-- is filed (the case number and who handles it), accepted, moved by a step, and closed.
-- They go through the decision SMS outbox (0013): queued in the case's own transaction,
-- delivered with retries. A case notice names the case event it tells of (its step, the
-- outcome and the mobile are read at delivery, so a case's purge covers it) and the case
-- itself, so the request that acted can deliver its notices at once.

ALTER TABLE notices ADD COLUMN case_id BIGINT REFERENCES cases (id);
ALTER TABLE notices ADD COLUMN case_event_id BIGINT REFERENCES case_events (id);
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check CHECK (kind IN ('welcome', 'rejected', 'escalated',
    'transfer_agreed', 'transfer_refused', 'distributed',
    'case_filed', 'case_accepted', 'case_step', 'case_closed'));
ALTER TABLE notices DROP CONSTRAINT notices_subject_check;
ALTER TABLE notices ADD CONSTRAINT notices_subject_check CHECK (application_id IS NOT NULL
    OR membership_id IS NOT NULL OR case_event_id IS NOT NULL);
ALTER TABLE notices ADD CONSTRAINT notices_case_check CHECK ((case_id IS NULL) = (case_event_id IS NULL));
CREATE INDEX notices_case ON notices (case_id);
