-- Transfers (接转) need both sides' consent (issue 11). A receiving union's officer may ask
-- for a member, but the transfer waits ('awaiting_consent') until the member or the
-- outgoing side agrees; until then the asking side sees only what it typed. Such a request
-- may name nobody (an unknown ID number must look like a member's), so the membership and
-- its home union become optional. `released_by` records who gave the outgoing side's
-- consent: the member who asked, or whoever agreed to a receiving union's request.
ALTER TABLE transfers ALTER COLUMN membership_id DROP NOT NULL;
ALTER TABLE transfers ALTER COLUMN from_org_id DROP NOT NULL;
ALTER TABLE transfers ALTER COLUMN from_path DROP NOT NULL;
ALTER TABLE transfers ADD COLUMN released_by TEXT;
-- What the asking officer typed to name the member (a member number or a masked ID
-- number) and the name they typed, masked.
ALTER TABLE transfers ADD COLUMN typed_member TEXT;
ALTER TABLE transfers ADD COLUMN typed_name TEXT;

ALTER TABLE transfers DROP CONSTRAINT transfers_status_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_status_check CHECK (status IN
    ('awaiting_consent', 'requested', 'accepted', 'rejected', 'refused', 'cancelled'));

-- Requests officers started were all receiving-side requests the receiving side could
-- accept alone: the open ones now wait for the outgoing side's consent. The members'
-- own requests carry their consent.
UPDATE transfers SET
    status = CASE WHEN status = 'requested' AND requested_by LIKE 'user:%' THEN 'awaiting_consent' ELSE status END,
    released_by = CASE WHEN requested_by NOT LIKE 'user:%' THEN requested_by
                       WHEN status = 'accepted' THEN decided_by END;

-- Only a request still waiting (or withdrawn) may name no membership.
ALTER TABLE transfers ADD CONSTRAINT transfers_membership_check CHECK
    (membership_id IS NOT NULL OR status IN ('awaiting_consent', 'cancelled'));

-- What a member is asked to agree to, on /status.
CREATE INDEX transfers_awaiting_idx ON transfers (membership_id) WHERE status = 'awaiting_consent';
