-- Campaign funnels (issue 15, figure K): counts per campaign and receiving union, kept by
-- triggers in the same transaction as every change of a message or of an application
-- made through an invite link, so `campaign show`, the console and the stats panel read
-- a few rows instead of scanning every message (3.9 s for 500,000 before). The scan the
-- rollup replaces is kept as the recount that checks it (`campaign_funnel_recount`).

CREATE TABLE campaign_funnels (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
    -- The receiving union; 0 where none served the target (a key column cannot be NULL).
    org_key      BIGINT NOT NULL,
    targeted     BIGINT NOT NULL DEFAULT 0,
    suppressed   BIGINT NOT NULL DEFAULT 0,
    queued       BIGINT NOT NULL DEFAULT 0,
    sent         BIGINT NOT NULL DEFAULT 0,
    delivered    BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    clicked      BIGINT NOT NULL DEFAULT 0,
    -- Messages with at least one application through their link, and with an approved one.
    applied      BIGINT NOT NULL DEFAULT 0,
    approved     BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT campaign_funnels_pkey PRIMARY KEY (campaign_id, org_key)
);

-- Existing databases: the rollup starts from a recount.
INSERT INTO campaign_funnels (campaign_id, org_key, targeted, suppressed, queued, sent, delivered, failed, clicked,
                              applied, approved)
    SELECT m.campaign_id, COALESCE(m.org_id, 0), COUNT(*),
        COUNT(*) FILTER (WHERE m.state = 'suppressed'), COUNT(*) FILTER (WHERE m.state = 'queued'),
        COUNT(*) FILTER (WHERE m.sent_at IS NOT NULL OR m.receipt_at IS NOT NULL),
        COUNT(*) FILTER (WHERE m.state = 'delivered'), COUNT(*) FILTER (WHERE m.state = 'failed'),
        COUNT(*) FILTER (WHERE m.clicked_at IS NOT NULL),
        COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM applications a
                                       WHERE a.source = m.invite_code AND a.channel = 'invite')),
        COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM applications a
                                       WHERE a.source = m.invite_code AND a.channel = 'invite' AND a.status = 'approved'))
    FROM campaign_messages m GROUP BY m.campaign_id, COALESCE(m.org_id, 0);

-- Queueing inserts thousands of messages per statement: one aggregate per statement over
-- the inserted rows, not a trigger call per row.
CREATE FUNCTION campaign_messages_funnel_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_funnels (campaign_id, org_key, targeted, suppressed, queued, sent, delivered, failed, clicked)
        SELECT campaign_id, COALESCE(org_id, 0), COUNT(*),
            COUNT(*) FILTER (WHERE state = 'suppressed'), COUNT(*) FILTER (WHERE state = 'queued'),
            COUNT(*) FILTER (WHERE sent_at IS NOT NULL OR receipt_at IS NOT NULL),
            COUNT(*) FILTER (WHERE state = 'delivered'), COUNT(*) FILTER (WHERE state = 'failed'),
            COUNT(*) FILTER (WHERE clicked_at IS NOT NULL)
        FROM added GROUP BY campaign_id, COALESCE(org_id, 0) ORDER BY 1, 2
        ON CONFLICT (campaign_id, org_key) DO UPDATE SET targeted = campaign_funnels.targeted + EXCLUDED.targeted,
            suppressed = campaign_funnels.suppressed + EXCLUDED.suppressed,
            queued = campaign_funnels.queued + EXCLUDED.queued, sent = campaign_funnels.sent + EXCLUDED.sent,
            delivered = campaign_funnels.delivered + EXCLUDED.delivered,
            failed = campaign_funnels.failed + EXCLUDED.failed, clicked = campaign_funnels.clicked + EXCLUDED.clicked;
    RETURN NULL;
END;
$$;

CREATE TRIGGER campaign_messages_funnel_insert AFTER INSERT ON campaign_messages
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION campaign_messages_funnel_insert();

-- A message's union and campaign never change; its state, send, receipt and click do.
-- (Claiming changes only the lease: no trigger.)
CREATE FUNCTION campaign_messages_funnel_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_funnels SET
        suppressed = suppressed - (OLD.state = 'suppressed')::int + (NEW.state = 'suppressed')::int,
        queued = queued - (OLD.state = 'queued')::int + (NEW.state = 'queued')::int,
        sent = sent - (OLD.sent_at IS NOT NULL OR OLD.receipt_at IS NOT NULL)::int
            + (NEW.sent_at IS NOT NULL OR NEW.receipt_at IS NOT NULL)::int,
        delivered = delivered - (OLD.state = 'delivered')::int + (NEW.state = 'delivered')::int,
        failed = failed - (OLD.state = 'failed')::int + (NEW.state = 'failed')::int,
        clicked = clicked - (OLD.clicked_at IS NOT NULL)::int + (NEW.clicked_at IS NOT NULL)::int
    WHERE campaign_id = NEW.campaign_id AND org_key = COALESCE(NEW.org_id, 0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER campaign_messages_funnel_update AFTER UPDATE OF state, sent_at, receipt_at, clicked_at
    ON campaign_messages FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.sent_at IS DISTINCT FROM NEW.sent_at
          OR OLD.receipt_at IS DISTINCT FROM NEW.receipt_at OR OLD.clicked_at IS DISTINCT FROM NEW.clicked_at)
    EXECUTE FUNCTION campaign_messages_funnel_update();

-- Applications through an invite link: a message counts as applied at its first one and as
-- approved at its first approved one (a worker may apply again after a rejection).
-- Applications are never deleted and their source never changes.
CREATE FUNCTION applications_campaign_funnel() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n_applications BIGINT;
    n_approvals BIGINT;
    applied_delta INT := 0;
    approved_delta INT := 0;
BEGIN
    SELECT COUNT(*), COUNT(*) FILTER (WHERE a.status = 'approved') INTO n_applications, n_approvals
        FROM applications a WHERE a.source = NEW.source AND a.channel = 'invite';
    IF TG_OP = 'INSERT' THEN
        applied_delta := (n_applications = 1)::int;
        approved_delta := (NEW.status = 'approved' AND n_approvals = 1)::int;
    ELSIF NEW.status = 'approved' AND OLD.status <> 'approved' THEN
        approved_delta := (n_approvals = 1)::int;
    ELSIF OLD.status = 'approved' AND NEW.status <> 'approved' THEN
        approved_delta := -(n_approvals = 0)::int;
    END IF;
    IF applied_delta <> 0 OR approved_delta <> 0 THEN
        UPDATE campaign_funnels f SET applied = f.applied + applied_delta, approved = f.approved + approved_delta
            FROM campaign_messages m
            WHERE m.invite_code = NEW.source AND f.campaign_id = m.campaign_id AND f.org_key = COALESCE(m.org_id, 0);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER applications_campaign_funnel_insert AFTER INSERT ON applications FOR EACH ROW
    WHEN (NEW.channel = 'invite') EXECUTE FUNCTION applications_campaign_funnel();

CREATE TRIGGER applications_campaign_funnel_update AFTER UPDATE OF status ON applications FOR EACH ROW
    WHEN (NEW.channel = 'invite' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION applications_campaign_funnel();
