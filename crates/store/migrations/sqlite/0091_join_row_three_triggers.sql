-- SQLite's joins written together (`joining::sqlite`): 0088's one trigger on `join_rows`
-- becomes three, each a part of its statements, unchanged.
--
-- Why: SQLite keeps every cursor a trigger program opens until the program ends, and
-- opening or closing a cursor walks the list of the connection's open cursors. 0088's
-- program opened about eighty (each INSERT one on its table and one on each of its
-- indexes), so every join walked that list some thousands of steps — `sqlite3BtreeCursor`
-- and `sqlite3VdbeFreeCursorNN` were 5.3 % of the process's samples under J, a tenth of
-- the write connection's thread, the one every join waits for (BENCHMARKS.md, "J on SQLite
-- — the join row's three triggers"). Three programs hold a third as many each.
--
-- Order: SQLite runs the triggers of one event newest first, so `join_row`, made last,
-- runs first. Its first step may leave the row out (`RAISE(IGNORE)`), which abandons the
-- row's later triggers as well; the other two only read what it wrote (the membership and
-- the application by their ids), so out of order they would write nothing rather than
-- something wrong, and the conformance tests of the batch would fail. The conformance
-- test `join_tail::the_batch_triggers_run_the_statements_the_store_makes` compares the
-- three with the store's statements.

DROP TRIGGER join_row;

-- Who hears of the join: the platform's webhook, the roster entries, the welcome SMS.
CREATE TRIGGER join_row_follow_ups INSTEAD OF INSERT ON join_rows
BEGIN
    INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, member_number, occurred_at, next_attempt_at) SELECT a.platform_id, 'application.decided', a.id, NEW.membership_id, 'approved', NULL, NEW.member_number, NEW.at, NEW.at FROM applications a JOIN platforms p ON p.id = a.platform_id WHERE a.id = NEW.application_id AND p.webhook_url IS NOT NULL;
    UPDATE roster_entries SET state = CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx AND m.status IN ('active', 'retained')) THEN 'member' WHEN EXISTS (SELECT 1 FROM applications a WHERE a.id_number_bidx = roster_entries.id_number_bidx AND a.status = 'pending_review') THEN 'pending' ELSE 'not_member' END WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = NEW.application_id);
    INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) VALUES (NEW.notice_kind, NEW.application_id, NEW.membership_id, NEW.landing_org, NEW.at, NEW.at);
END;

-- The join's statistics.
CREATE TRIGGER join_row_statistics INSTEAD OF INSERT ON join_rows
BEGIN
    INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.day, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, day, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_daily_flows.joined + 1;
    INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.month, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, month, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_monthly_flows.joined + 1;
    INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) SELECT m.home_org_id, NEW.year, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, 0, 1, 0, 0, 0, 0, 0 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, year, occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = stats_yearly_flows.joined + 1;
    INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, 1 FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = NEW.membership_id ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET members = stats_memberships.members + 1;
    INSERT INTO stats_review_daily (org_id, day, received, decided, instant) SELECT receiving_org_id, NEW.day, 1, 1, 1 FROM applications WHERE id = NEW.application_id ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + 1, decided = stats_review_daily.decided + 1, instant = stats_review_daily.instant + 1;
END;

-- The join itself: the first step, the application, the membership and its event, the key.
CREATE TRIGGER join_row INSTEAD OF INSERT ON join_rows
BEGIN
    SELECT RAISE(IGNORE) WHERE EXISTS (SELECT 0 AS kind, mobile_bidx, CAST(0 AS BIGINT) AS id FROM memberships WHERE id_number_bidx = NEW.id_number_bidx AND status IN ('active', 'retained') UNION ALL SELECT 1, '', id FROM applications WHERE id_number_bidx = NEW.id_number_bidx AND status = 'pending_review' AND COALESCE(platform_id, 0) = COALESCE(NEW.platform_id, 0) AND (platform_id IS NOT NULL OR mobile_bidx = NEW.mobile_bidx)) OR NOT EXISTS (SELECT 1 FROM orgs WHERE id = NEW.landing_org) OR EXISTS (SELECT 1 FROM benefit_programmes WHERE grant_mode = 'on_approval' AND granted < quota) OR EXISTS (SELECT 1 FROM idempotency_keys WHERE platform_id = NEW.key_platform AND key = NEW.key) OR (NEW.mobile_verified AND EXISTS (SELECT 1 FROM applications WHERE mobile_bidx = NEW.mobile_bidx AND id_number_bidx <> NEW.id_number_bidx AND mobile_verified UNION ALL SELECT 1 FROM memberships WHERE mobile_bidx = NEW.mobile_bidx AND id_number_bidx <> NEW.id_number_bidx));
    INSERT INTO applications (id, membership_id, decided_at, decided_by, status, channel, source, receiving_org_id, landing_org_id, landing_in_pool, name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, employer_name, employer_credit_code, consent_version, consent_at, mobile_verified, holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path, platform_id, external_ref, mobile_bound_elsewhere, real_name_check) VALUES (NEW.application_id, NEW.membership_id, NEW.at, NEW.actor, 'approved', NEW.channel, NEW.source, NEW.receiving_org, NEW.landing_org, NEW.in_pool, NEW.name, NEW.id_number_ct, NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, NEW.region_code, NEW.employer_name, NEW.employer_credit_code, NEW.consent_version, NEW.consent_at, NEW.mobile_verified, FALSE, NULL, NEW.at, NEW.receiving_org, (SELECT path FROM orgs WHERE id = NEW.receiving_org), NEW.platform_id, NEW.external_ref, NEW.mobile_bound_elsewhere, NEW.real_name_check);
    INSERT INTO memberships (id, member_number, status, home_org_id, home_path, in_pool, name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, joined_at) SELECT NEW.membership_id, NEW.member_number, 'active', o.id, o.path, NEW.in_pool, NEW.name, NEW.id_number_ct, NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, NEW.region_code, NEW.application_id, NEW.at FROM orgs o WHERE o.id = NEW.landing_org;
    INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) VALUES (NEW.membership_id, 'joined', NULL, NEW.landing_org, NEW.actor, NEW.reason, NEW.at);
    INSERT INTO idempotency_keys (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) VALUES (NEW.key_platform, NEW.key, NEW.request_hash, NEW.status_code, NEW.response_body, NEW.key_at, NEW.key_expires_at);
END;
