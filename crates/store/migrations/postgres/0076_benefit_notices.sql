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

ALTER TABLE notices ADD COLUMN grant_id BIGINT REFERENCES benefit_grants (id);
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check CHECK (kind IN ('welcome', 'rejected', 'escalated',
    'transfer_agreed', 'transfer_refused', 'distributed',
    'case_filed', 'case_accepted', 'case_step', 'case_closed', 'benefit_granted'));
ALTER TABLE notices ADD CONSTRAINT notices_grant_check CHECK ((grant_id IS NULL) = (kind <> 'benefit_granted'));
CREATE INDEX notices_grant ON notices (grant_id);

INSERT INTO notices (kind, membership_id, grant_id, org_id, created_at, next_attempt_at)
    SELECT 'benefit_granted', g.membership_id, g.id, b.org_id, g.granted_at, g.granted_at
    FROM benefit_grants g JOIN benefit_programmes b ON b.id = g.programme_id
    WHERE g.notified_at IS NULL AND g.status <> 'revoked'
    ORDER BY g.id;
