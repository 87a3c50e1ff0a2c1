-- The keyed instant joins waiting for the group-commit writer, written by one statement:
-- the store inserts a row a join into `join_rows` (from one JSON array) and this trigger
-- writes each join — application, membership, event, webhook, the four rollups, the day's
-- review counts, the roster, the welcome, the `Idempotency-Key` with its answer — or
-- leaves it out (`RAISE(IGNORE)`: the statement goes on with the next row) when the
-- person already has a membership or an open application of the submitter, the landing
-- union is gone, an on-approval benefit programme may grant, or the key was used; the
-- store then runs that join alone as before (issue 14: J on SQLite).
--
-- Why: written on its own, a join was two calls to sqlx's worker thread and about eleven
-- messages back, each a wake-up of the writer's thread; together, the joins of a batch are
-- two calls whatever their number.
--
-- The ids, the member number and the key's answer come with the row: the store takes the
-- ids inside the batch's transaction on SQLite's one write connection (the largest plus
-- one, as SQLite would), so it can make the answer before the statement.
--
-- The statements are the store's own texts (`joining::sqlite`, and `joining::tail`'s
-- macros, which also make the `join_tail` trigger and PostgreSQL's statements) with
-- `NEW.…` for parameters; the conformance test
-- `join_tail::the_batch_trigger_runs_the_statements_the_store_makes` fails when they
-- differ (a change to one of them then needs a migration recreating this trigger). The
-- view has no rows; it only gives the trigger its columns. A later migration that
-- rebuilds a table the trigger writes drops the trigger first and creates it again after.

CREATE VIEW join_rows (channel, source, receiving_org, landing_org, in_pool, name, id_number_ct,
    id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, employer_name, employer_credit_code,
    consent_version, consent_at, mobile_verified, platform_id, external_ref, mobile_bound_elsewhere,
    real_name_check, application_id, membership_id, member_number, at, actor, reason, day, month, year,
    notice_kind, key_platform, key, request_hash, status_code, response_body, key_at, key_expires_at) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL WHERE 0;

CREATE TRIGGER join_row INSTEAD OF INSERT ON join_rows
BEGIN
    SELECT RAISE(IGNORE) WHERE EXISTS (SELECT 0 AS kind, mobile_bidx, CAST(0 AS BIGINT) AS id FROM memberships WHERE id_number_bidx = NEW.id_number_bidx AND status IN ('active', 'retained') UNION ALL SELECT 1, '', id FROM applications WHERE id_number_bidx = NEW.id_number_bidx AND status = 'pending_review' AND COALESCE(platform_id, 0) = COALESCE(NEW.platform_id, 0) AND (platform_id IS NOT NULL OR mobile_bidx = NEW.mobile_bidx)) OR NOT EXISTS (SELECT 1 FROM orgs WHERE id = NEW.landing_org) OR EXISTS (SELECT 1 FROM benefit_programmes WHERE grant_mode = 'on_approval' AND granted < quota) OR EXISTS (SELECT 1 FROM idempotency_keys WHERE platform_id = NEW.key_platform AND key = NEW.key);
    INSERT INTO applications (id, membership_id, decided_at, decided_by, status, channel, source, receiving_org_id, landing_org_id, landing_in_pool, name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, employer_name, employer_credit_code, consent_version, consent_at, mobile_verified, holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path, platform_id, external_ref, mobile_bound_elsewhere, real_name_check) VALUES (NEW.application_id, NEW.membership_id, NEW.at, NEW.actor, 'approved', NEW.channel, NEW.source, NEW.receiving_org, NEW.landing_org, NEW.in_pool, NEW.name, NEW.id_number_ct, NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, NEW.region_code, NEW.employer_name, NEW.employer_credit_code, NEW.consent_version, NEW.consent_at, NEW.mobile_verified, FALSE, NULL, NEW.at, NEW.receiving_org, (SELECT path FROM orgs WHERE id = NEW.receiving_org), NEW.platform_id, NEW.external_ref, NEW.mobile_bound_elsewhere, NEW.real_name_check);
    INSERT INTO memberships (id, member_number, status, home_org_id, home_path, in_pool, name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, joined_at) SELECT NEW.membership_id, NEW.member_number, 'active', o.id, o.path, NEW.in_pool, NEW.name, NEW.id_number_ct, NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, NEW.region_code, NEW.application_id, NEW.at FROM orgs o WHERE o.id = NEW.landing_org;
    INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) VALUES (NEW.membership_id, 'joined', NULL, NEW.landing_org, NEW.actor, NEW.reason, NEW.at);
    INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, member_number, occurred_at, next_attempt_at) SELECT a.platform_id, 'application.decided', a.id, NEW.membership_id, 'approved', NULL, NEW.member_number, NEW.at, NEW.at FROM applications a JOIN platforms p ON p.id = a.platform_id WHERE a.id = NEW.application_id AND p.webhook_url IS NOT NULL;
    INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.day, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, day, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_daily_flows.joined + 1;
    INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.month, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, month, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_monthly_flows.joined + 1;
    INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.year, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, year, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_yearly_flows.joined + 1;
    INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, 1 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET members = stats_memberships.members + 1;
    INSERT INTO stats_review_daily (org_id, day, received, decided, instant) SELECT receiving_org_id, NEW.day, 1, 1, 1 FROM applications WHERE id = NEW.application_id ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + 1, decided = stats_review_daily.decided + 1, instant = stats_review_daily.instant + 1;
    UPDATE roster_entries SET state = CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx AND m.status IN ('active', 'retained')) THEN 'member' WHEN EXISTS (SELECT 1 FROM applications a WHERE a.id_number_bidx = roster_entries.id_number_bidx AND a.status = 'pending_review') THEN 'pending' ELSE 'not_member' END WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = NEW.application_id);
    INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) VALUES (NEW.notice_kind, NEW.application_id, NEW.membership_id, NEW.landing_org, NEW.at, NEW.at);
    INSERT INTO idempotency_keys (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) VALUES (NEW.key_platform, NEW.key, NEW.request_hash, NEW.status_code, NEW.response_body, NEW.key_at, NEW.key_expires_at);
END;
