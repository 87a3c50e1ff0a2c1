-- CHECK constraints of the form `column IN ('a', 'b', 'c', …)` rewritten as
-- `(column = 'a' OR column = 'b' OR …)` — the same rule, without its cost (issues 14 and
-- 15: J and R on SQLite). SQLite codes a constant IN list of three or more values as an
-- ephemeral B-tree, and inside a CHECK constraint (no `OP_Once` there) it builds that
-- B-tree afresh for every row written: a temporary table opened, filled and closed per
-- constraint per row. A join writes seven such checks (the application's three, the
-- membership's, the welcome notice's two, the webhook event's): about 7 % of a join's
-- instructions; a roster entry one, some 4,000 instructions of the import's writer each.
-- The OR chain is evaluated in place. Both forms treat NULL alike (the check is not false,
-- so it passes) and compare with the column's affinity, so no row that was accepted is
-- refused and none refused is accepted.
--
-- SQLite cannot alter a constraint, and rebuilding these tables (memberships is
-- referenced by a dozen others) would rewrite every row. The constraint text changes
-- nothing stored, so this is SQLite's documented procedure for such changes
-- (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): the table's CREATE
-- statement edited in sqlite_schema under writable_schema, in this migration's
-- transaction. `writable_schema = RESET` makes this connection read the new definitions
-- again; the table made and dropped after it changes the schema cookie, so every other
-- connection reads them again too. The store's `check_constraints` tests check both, on
-- the writer that migrated.
--
-- Partial indexes keep their IN lists: the planner matches a query's WHERE against them.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''pending_review'', ''approved'', ''rejected'')',
    '(status = ''pending_review'' OR status = ''approved'' OR status = ''rejected'')')
    WHERE type = 'table' AND name = 'applications';
UPDATE sqlite_schema SET sql = replace(sql, 'channel IN (''portal'', ''qr'', ''platform'', ''offline'', ''invite'')',
    '(channel = ''portal'' OR channel = ''qr'' OR channel = ''platform'' OR channel = ''offline'' OR channel = ''invite'')')
    WHERE type = 'table' AND name = 'applications';
UPDATE sqlite_schema SET sql = replace(sql, 'real_name_check IN (''matched'', ''mismatched'', ''unavailable'')',
    '(real_name_check = ''matched'' OR real_name_check = ''mismatched'' OR real_name_check = ''unavailable'')')
    WHERE type = 'table' AND name = 'applications';
UPDATE sqlite_schema SET sql = replace(sql, 'actor_kind IN (''officer'', ''platform'', ''system'')',
    '(actor_kind = ''officer'' OR actor_kind = ''platform'' OR actor_kind = ''system'')')
    WHERE type = 'table' AND name = 'audit_log';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''grant'', ''enrol'', ''use'', ''close'', ''revoke'')',
    '(kind = ''grant'' OR kind = ''enrol'' OR kind = ''use'' OR kind = ''close'' OR kind = ''revoke'')')
    WHERE type = 'table' AND name = 'benefit_grant_events';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''granted'', ''enrolled'', ''used'', ''closed'',
            ''revoked'')',
    '(status = ''granted'' OR status = ''enrolled'' OR status = ''used'' OR status = ''closed'' OR status = ''revoked'')')
    WHERE type = 'table' AND name = 'benefit_grants';
UPDATE sqlite_schema SET sql = replace(sql, 'via IN (''on_approval'', ''claim'', ''officer'')',
    '(via = ''on_approval'' OR via = ''claim'' OR via = ''officer'')')
    WHERE type = 'table' AND name = 'benefit_grants';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''insurance_gift'', ''health_check'',
            ''cancer_screening'', ''seasonal_care'', ''hardship_aid'', ''other'')',
    '(kind = ''insurance_gift'' OR kind = ''health_check'' OR kind = ''cancer_screening'' OR kind = ''seasonal_care'' OR kind = ''hardship_aid'' OR kind = ''other'')')
    WHERE type = 'table' AND name = 'benefit_programmes';
UPDATE sqlite_schema SET sql = replace(sql, 'grant_mode IN (''on_approval'', ''claim'', ''officer'')',
    '(grant_mode = ''on_approval'' OR grant_mode = ''claim'' OR grant_mode = ''officer'')')
    WHERE type = 'table' AND name = 'benefit_programmes';
UPDATE sqlite_schema SET sql = replace(sql, 'via_channel IN (''portal'', ''qr'', ''platform'',
            ''offline'', ''invite'')',
    '(via_channel = ''portal'' OR via_channel = ''qr'' OR via_channel = ''platform'' OR via_channel = ''offline'' OR via_channel = ''invite'')')
    WHERE type = 'table' AND name = 'benefit_programmes';
UPDATE sqlite_schema SET sql = replace(sql, 'state IN (''queued'', ''suppressed'', ''sent'', ''delivered'', ''failed'')',
    '(state = ''queued'' OR state = ''suppressed'' OR state = ''sent'' OR state = ''delivered'' OR state = ''failed'')')
    WHERE type = 'table' AND name = 'campaign_messages';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''submit'', ''accept'', ''assign'', ''step'', ''close'',
            ''withdraw'', ''rate'', ''escalate'')',
    '(kind = ''submit'' OR kind = ''accept'' OR kind = ''assign'' OR kind = ''step'' OR kind = ''close'' OR kind = ''withdraw'' OR kind = ''rate'' OR kind = ''escalate'')')
    WHERE type = 'table' AND name = 'case_events';
UPDATE sqlite_schema SET sql = replace(sql, 'step IN (''consultation'', ''mediation'', ''arbitration'',
            ''litigation'', ''referral_lawyer'', ''referral_inspectorate'')',
    '(step = ''consultation'' OR step = ''mediation'' OR step = ''arbitration'' OR step = ''litigation'' OR step = ''referral_lawyer'' OR step = ''referral_inspectorate'')')
    WHERE type = 'table' AND name = 'case_events';
UPDATE sqlite_schema SET sql = replace(sql, 'category IN (''wage_arrears'', ''work_injury'',
            ''labour_contract'', ''platform_rules'', ''traffic_accident'', ''insurance'', ''other'')',
    '(category = ''wage_arrears'' OR category = ''work_injury'' OR category = ''labour_contract'' OR category = ''platform_rules'' OR category = ''traffic_accident'' OR category = ''insurance'' OR category = ''other'')')
    WHERE type = 'table' AND name = 'cases';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''submitted'', ''accepted'', ''in_progress'', ''closed'',
            ''withdrawn'')',
    '(status = ''submitted'' OR status = ''accepted'' OR status = ''in_progress'' OR status = ''closed'' OR status = ''withdrawn'')')
    WHERE type = 'table' AND name = 'cases';
UPDATE sqlite_schema SET sql = replace(sql, 'outcome IN (''recovered'', ''settled'', ''referred'', ''withdrawn'',
            ''not_supported'')',
    '(outcome = ''recovered'' OR outcome = ''settled'' OR outcome = ''referred'' OR outcome = ''withdrawn'' OR outcome = ''not_supported'')')
    WHERE type = 'table' AND name = 'cases';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''single'', ''multiple'', ''true_false'')',
    '(kind = ''single'' OR kind = ''multiple'' OR kind = ''true_false'')')
    WHERE type = 'table' AND name = 'contest_questions';
UPDATE sqlite_schema SET sql = replace(sql, 'difficulty IN (''easy'', ''medium'', ''hard'')',
    '(difficulty = ''easy'' OR difficulty = ''medium'' OR difficulty = ''hard'')')
    WHERE type = 'table' AND name = 'contest_questions';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''pdf'', ''png'', ''jpeg'')',
    '(kind = ''pdf'' OR kind = ''png'' OR kind = ''jpeg'')')
    WHERE type = 'table' AND name = 'innovation_attachments';
UPDATE sqlite_schema SET sql = replace(sql, 'award IN (''first'', ''second'', ''third'', ''excellence'')',
    '(award = ''first'' OR award = ''second'' OR award = ''third'' OR award = ''excellence'')')
    WHERE type = 'table' AND name = 'innovation_entries';
UPDATE sqlite_schema SET sql = replace(sql, 'certificate IN (''junior'', ''intermediate'', ''senior'', ''technician'', ''senior_technician'')',
    '(certificate = ''junior'' OR certificate = ''intermediate'' OR certificate = ''senior'' OR certificate = ''technician'' OR certificate = ''senior_technician'')')
    WHERE type = 'table' AND name = 'innovation_mentorships';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''planned'', ''ongoing'', ''done'')',
    '(status = ''planned'' OR status = ''ongoing'' OR status = ''done'')')
    WHERE type = 'table' AND name = 'innovation_projects';
UPDATE sqlite_schema SET sql = replace(sql, 'level IN (''national'', ''provincial'', ''city'')',
    '(level = ''national'' OR level = ''provincial'' OR level = ''city'')')
    WHERE type = 'table' AND name = 'innovation_studios';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''active'', ''retained'', ''withdrawn'', ''expelled'', ''deceased'')',
    '(status = ''active'' OR status = ''retained'' OR status = ''withdrawn'' OR status = ''expelled'' OR status = ''deceased'')')
    WHERE type = 'table' AND name = 'memberships';
UPDATE sqlite_schema SET sql = replace(sql, 'honour_kind IN (''model_worker'', ''craftsman'', ''may_day_medal'')',
    '(honour_kind = ''model_worker'' OR honour_kind = ''craftsman'' OR honour_kind = ''may_day_medal'')')
    WHERE type = 'table' AND name = 'model_workers';
UPDATE sqlite_schema SET sql = replace(sql, 'honour_level IN (''national'', ''provincial'', ''city'')',
    '(honour_level = ''national'' OR honour_level = ''provincial'' OR honour_level = ''city'')')
    WHERE type = 'table' AND name = 'model_workers';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''welcome'', ''rejected'', ''escalated'',
            ''transfer_agreed'', ''transfer_refused'', ''distributed'',
            ''case_filed'', ''case_accepted'', ''case_step'', ''case_closed'', ''benefit_granted'')',
    '(kind = ''welcome'' OR kind = ''rejected'' OR kind = ''escalated'' OR kind = ''transfer_agreed'' OR kind = ''transfer_refused'' OR kind = ''distributed'' OR kind = ''case_filed'' OR kind = ''case_accepted'' OR kind = ''case_step'' OR kind = ''case_closed'' OR kind = ''benefit_granted'')')
    WHERE type = 'table' AND name = 'notices';
UPDATE sqlite_schema SET sql = replace(sql, 'delivery IN (''pending'', ''sent'', ''failed'')',
    '(delivery = ''pending'' OR delivery = ''sent'' OR delivery = ''failed'')')
    WHERE type = 'table' AND name = 'notices';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''federation'', ''industry_federation'', ''township'', ''community'', ''enterprise'')',
    '(kind = ''federation'' OR kind = ''industry_federation'' OR kind = ''township'' OR kind = ''community'' OR kind = ''enterprise'')')
    WHERE type = 'table' AND name = 'orgs';
UPDATE sqlite_schema SET sql = replace(sql, 'level IN (''province'', ''city'', ''county'')',
    '(level = ''province'' OR level = ''city'' OR level = ''county'')')
    WHERE type = 'table' AND name = 'orgs';
UPDATE sqlite_schema SET sql = replace(sql, 'auto_approval IN (''off'', ''roster_only'', ''all_verified'')',
    '(auto_approval = ''off'' OR auto_approval = ''roster_only'' OR auto_approval = ''all_verified'')')
    WHERE type = 'table' AND name = 'orgs';
UPDATE sqlite_schema SET sql = replace(sql, 'state IN (''member'', ''pending'', ''not_member'')',
    '(state = ''member'' OR state = ''pending'' OR state = ''not_member'')')
    WHERE type = 'table' AND name = 'roster_entries';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''running'', ''done'', ''cancelled'', ''failed'',
            ''interrupted'')',
    '(status = ''running'' OR status = ''done'' OR status = ''cancelled'' OR status = ''failed'' OR status = ''interrupted'')')
    WHERE type = 'table' AND name = 'roster_imports';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''service_station'', ''driver_home'', ''outdoor_rest_stop'')',
    '(kind = ''service_station'' OR kind = ''driver_home'' OR kind = ''outdoor_rest_stop'')')
    WHERE type = 'table' AND name = 'stations';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN
            (''awaiting_consent'', ''requested'', ''accepted'', ''rejected'', ''refused'', ''cancelled'')',
    '(status = ''awaiting_consent'' OR status = ''requested'' OR status = ''accepted'' OR status = ''rejected'' OR status = ''refused'' OR status = ''cancelled'')')
    WHERE type = 'table' AND name = 'transfers';
UPDATE sqlite_schema SET sql = replace(sql, 'role IN (''admin'', ''reviewer'', ''viewer'', ''judge'')',
    '(role = ''admin'' OR role = ''reviewer'' OR role = ''viewer'' OR role = ''judge'')')
    WHERE type = 'table' AND name = 'users';
UPDATE sqlite_schema SET sql = replace(sql, 'delivery IN (''pending'', ''delivered'', ''failed'')',
    '(delivery = ''pending'' OR delivery = ''delivered'' OR delivery = ''failed'')')
    WHERE type = 'table' AND name = 'webhook_events';

PRAGMA writable_schema = RESET;

CREATE TABLE huiji_schema_cookie_0085 (changed INTEGER);
DROP TABLE huiji_schema_cookie_0085;
