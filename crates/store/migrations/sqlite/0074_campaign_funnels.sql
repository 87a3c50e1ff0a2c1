-- Campaign funnels (issue 15, figure K): counts per campaign and receiving union, kept by
-- triggers in the same transaction as every change of a message or of an application
-- made through an invite link, so `campaign show`, the console and the stats panel read
-- a few rows instead of scanning every message (3.9 s for 500,000 before). The scan the
-- rollup replaces is kept as the recount that checks it (`campaign_funnel_recount`).

CREATE TABLE campaign_funnels (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    -- The receiving union; 0 where none served the target (a key column cannot be NULL).
    org_key      INTEGER NOT NULL,
    targeted     INTEGER NOT NULL DEFAULT 0,
    suppressed   INTEGER NOT NULL DEFAULT 0,
    queued       INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    clicked      INTEGER NOT NULL DEFAULT 0,
    -- Messages with at least one application through their link, and with an approved one.
    applied      INTEGER NOT NULL DEFAULT 0,
    approved     INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT campaign_funnels_pkey PRIMARY KEY (campaign_id, org_key)
);

-- Existing databases: the rollup starts from a recount.
INSERT INTO campaign_funnels (campaign_id, org_key, targeted, suppressed, queued, sent, delivered, failed, clicked,
                              applied, approved)
    SELECT m.campaign_id, COALESCE(m.org_id, 0), COUNT(*),
        SUM(m.state = 'suppressed'), SUM(m.state = 'queued'),
        SUM(m.sent_at IS NOT NULL OR m.receipt_at IS NOT NULL),
        SUM(m.state = 'delivered'), SUM(m.state = 'failed'), SUM(m.clicked_at IS NOT NULL),
        SUM(EXISTS (SELECT 1 FROM applications a WHERE a.source = m.invite_code AND a.channel = 'invite')),
        SUM(EXISTS (SELECT 1 FROM applications a WHERE a.source = m.invite_code AND a.channel = 'invite'
                    AND a.status = 'approved'))
    FROM campaign_messages m GROUP BY m.campaign_id, COALESCE(m.org_id, 0);

CREATE TRIGGER campaign_messages_funnel_insert AFTER INSERT ON campaign_messages
BEGIN
    INSERT INTO campaign_funnels (campaign_id, org_key, targeted, suppressed, queued, sent, delivered, failed, clicked)
        VALUES (NEW.campaign_id, COALESCE(NEW.org_id, 0), 1, NEW.state = 'suppressed', NEW.state = 'queued',
                NEW.sent_at IS NOT NULL OR NEW.receipt_at IS NOT NULL, NEW.state = 'delivered',
                NEW.state = 'failed', NEW.clicked_at IS NOT NULL)
        ON CONFLICT (campaign_id, org_key) DO UPDATE SET targeted = targeted + 1,
            suppressed = suppressed + excluded.suppressed, queued = queued + excluded.queued,
            sent = sent + excluded.sent, delivered = delivered + excluded.delivered,
            failed = failed + excluded.failed, clicked = clicked + excluded.clicked;
END;

-- A message's union and campaign never change; its state, send, receipt and click do.
-- (Claiming changes only the lease: no trigger.)
CREATE TRIGGER campaign_messages_funnel_update AFTER UPDATE OF state, sent_at, receipt_at, clicked_at
ON campaign_messages
WHEN OLD.state IS NOT NEW.state OR OLD.sent_at IS NOT NEW.sent_at OR OLD.receipt_at IS NOT NEW.receipt_at
    OR OLD.clicked_at IS NOT NEW.clicked_at
BEGIN
    UPDATE campaign_funnels SET
        suppressed = suppressed - (OLD.state = 'suppressed') + (NEW.state = 'suppressed'),
        queued = queued - (OLD.state = 'queued') + (NEW.state = 'queued'),
        sent = sent - (OLD.sent_at IS NOT NULL OR OLD.receipt_at IS NOT NULL)
            + (NEW.sent_at IS NOT NULL OR NEW.receipt_at IS NOT NULL),
        delivered = delivered - (OLD.state = 'delivered') + (NEW.state = 'delivered'),
        failed = failed - (OLD.state = 'failed') + (NEW.state = 'failed'),
        clicked = clicked - (OLD.clicked_at IS NOT NULL) + (NEW.clicked_at IS NOT NULL)
    WHERE campaign_id = NEW.campaign_id AND org_key = COALESCE(NEW.org_id, 0);
END;

-- Applications through an invite link: a message counts as applied at its first one and as
-- approved at its first approved one (a worker may apply again after a rejection).
-- Applications are never deleted and their source never changes.
CREATE TRIGGER applications_campaign_funnel_insert AFTER INSERT ON applications
WHEN NEW.channel = 'invite'
BEGIN
    UPDATE campaign_funnels SET
        applied = applied
            + ((SELECT COUNT(*) FROM applications a WHERE a.source = NEW.source AND a.channel = 'invite') = 1),
        approved = approved + (NEW.status = 'approved' AND (SELECT COUNT(*) FROM applications a
            WHERE a.source = NEW.source AND a.channel = 'invite' AND a.status = 'approved') = 1)
    WHERE (campaign_id, org_key) =
        (SELECT m.campaign_id, COALESCE(m.org_id, 0) FROM campaign_messages m WHERE m.invite_code = NEW.source);
END;

CREATE TRIGGER applications_campaign_funnel_update AFTER UPDATE OF status ON applications
WHEN NEW.channel = 'invite' AND (OLD.status = 'approved') <> (NEW.status = 'approved')
BEGIN
    UPDATE campaign_funnels SET
        approved = approved + CASE WHEN NEW.status = 'approved'
            THEN (SELECT COUNT(*) FROM applications a
                  WHERE a.source = NEW.source AND a.channel = 'invite' AND a.status = 'approved') = 1
            ELSE -((SELECT COUNT(*) FROM applications a
                    WHERE a.source = NEW.source AND a.channel = 'invite' AND a.status = 'approved') = 0) END
    WHERE (campaign_id, org_key) =
        (SELECT m.campaign_id, COALESCE(m.org_id, 0) FROM campaign_messages m WHERE m.invite_code = NEW.source);
END;
