-- The writes of an instant join after its application and membership (its number, the
-- link, the `joined` event, the webhook, the four rollups, the day's review counts, the
-- roster and the welcome) as one trigger on a view: the store inserts one row into
-- `join_tails` and SQLite runs them in order (issue 14: J on SQLite).
--
-- Why: sqlx-sqlite's worker thread answers every statement of a call with a message of its
-- own, and the group-commit writer's thread is woken for each: eleven statements were
-- eleven wake-ups (syscalls on both threads) a join, on the one path every join of a batch
-- waits for. As one statement they are one message.
--
-- The statements are the store's own texts (`joining::tail`, the same macros that make
-- PostgreSQL's one-statement tail) with `NEW.…` for parameters; the conformance test
-- `join_tail::the_trigger_runs_the_statements_the_store_makes` fails when they differ (a
-- change to one of those statements then needs a migration recreating this trigger).
-- The view has no rows; it only gives the trigger its columns. A later migration that
-- rebuilds a table the trigger writes (create, copy, drop, rename) drops the trigger first
-- and creates it again after, as SQLite's procedure for such changes says.

CREATE VIEW join_tails (application_id, membership_id, member_number, at, actor, reason, day, month, year,
    landing_org, notice_kind) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

CREATE TRIGGER join_tail INSTEAD OF INSERT ON join_tails
BEGIN
    UPDATE memberships SET member_number = NEW.member_number WHERE id = NEW.membership_id;
    UPDATE applications SET membership_id = NEW.membership_id WHERE id = NEW.application_id;
    INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) VALUES (NEW.membership_id, 'joined', NULL, NEW.landing_org, NEW.actor, NEW.reason, NEW.at);
    INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, member_number, occurred_at, next_attempt_at) SELECT a.platform_id, 'application.decided', a.id, NEW.membership_id, 'approved', NULL, NEW.member_number, NEW.at, NEW.at FROM applications a JOIN platforms p ON p.id = a.platform_id WHERE a.id = NEW.application_id AND p.webhook_url IS NOT NULL;
    INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.day, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, day, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_daily_flows.joined + 1;
    INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.month, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, month, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_monthly_flows.joined + 1;
    INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.year, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, year, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_yearly_flows.joined + 1;
    INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, 1 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET members = stats_memberships.members + 1;
    INSERT INTO stats_review_daily (org_id, day, received, decided, instant) SELECT receiving_org_id, NEW.day, 1, 1, 1 FROM applications WHERE id = NEW.application_id ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + 1, decided = stats_review_daily.decided + 1, instant = stats_review_daily.instant + 1;
    UPDATE roster_entries SET state = CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx AND m.status IN ('active', 'retained')) THEN 'member' WHEN EXISTS (SELECT 1 FROM applications a WHERE a.id_number_bidx = roster_entries.id_number_bidx AND a.status = 'pending_review') THEN 'pending' ELSE 'not_member' END WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = NEW.application_id);
    INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) VALUES (NEW.notice_kind, NEW.application_id, NEW.membership_id, NEW.landing_org, NEW.at, NEW.at);
END;
