//! Writing programmes and grants. A grant raises the programme's counter (and its child
//! union's share) only while below the quota, then inserts the grant unless the member
//! has one — each step undone in the same transaction when a later one refuses, so a
//! caller's transaction (the approval's) never sees a failed statement.

use huiji_core::benefit::{GrantAction, GrantId, GrantStatus, ProgrammeId};
use huiji_core::{CivilDate, OrgId, OrgPath, Timestamp};

use super::row::{MEMBER, MemberRow, member_record};
use super::{GrantChange, Granted, NewGrant, NewProgramme, Updated};
use crate::db::SqlStore;
use crate::members::held_statuses;
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

const ORG_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

/// `DO NOTHING` answers a taken name with no row, not an error.
const INSERT_PROGRAMME: &str = "INSERT INTO benefit_programmes (org_id, org_path, kind, name, provider, hotline, \
    grant_mode, starts_on, ends_on, quota, valid_days, occupations, regions, active_only, joined_from, \
    joined_until, via_channel, via_platform, sex, age_min, age_max, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
    $23) ON CONFLICT (org_id, name) DO NOTHING RETURNING id";

const INSERT_SHARE: &str =
    "INSERT INTO benefit_quotas (programme_id, org_id, org_path, quota) VALUES ($1, $2, $3, $4)";

const SHARE_PATHS: &str = "SELECT org_id, org_path FROM benefit_quotas WHERE programme_id = $1";

/// The quota counters: raised only while below the quota, lowered when a grant is undone
/// or revoked.
const TAKE: &str = "UPDATE benefit_programmes SET granted = granted + 1 WHERE id = $1 AND granted < quota";
const GIVE_BACK: &str = "UPDATE benefit_programmes SET granted = granted - 1 WHERE id = $1";
const TAKE_SHARE: &str = "UPDATE benefit_quotas SET granted = granted + 1 \
    WHERE programme_id = $1 AND org_id = $2 AND granted < quota";
const GIVE_BACK_SHARE: &str =
    "UPDATE benefit_quotas SET granted = granted - 1 WHERE programme_id = $1 AND org_id = $2";

const INSERT_GRANT: &str = "INSERT INTO benefit_grants (programme_id, membership_id, quota_org_id, home_path, \
    status, via, valid_until, granted_at, granted_by, updated_at) \
    VALUES ($1, $2, $3, $4, 'granted', $5, $6, $7, $8, $7) \
    ON CONFLICT (programme_id, membership_id) DO NOTHING RETURNING id";

const INSERT_EVENT: &str =
    "INSERT INTO benefit_grant_events (grant_id, at, actor, kind, note) VALUES ($1, $2, $3, $4, $5)";

const HELD: &str =
    concat!("SELECT home_path FROM memberships WHERE id = $1 AND status IN ", held_statuses!());

const PROGRAMME_EXISTS: &str = "SELECT id FROM benefit_programmes WHERE id = $1";

/// One statement for every change: the status moves only from the status read.
const CHANGE: &str = "UPDATE benefit_grants SET status = $3, policy_number = COALESCE($4, policy_number), \
    revoke_reason = $5, updated_at = $6 WHERE id = $1 AND status = $2 RETURNING programme_id, quota_org_id";

/// Another programme of the same sponsor with this name.
const NAME_TAKEN: &str = "SELECT o.id FROM benefit_programmes o JOIN benefit_programmes p ON p.org_id = o.org_id \
    WHERE p.id = $1 AND o.name = $2 AND o.id <> $1";

/// The change, refused (no row) when more grants are held than the new quota.
const UPDATE: &str = "UPDATE benefit_programmes SET name = $2, provider = $3, hotline = $4, starts_on = $5, \
    ends_on = $6, quota = $7 WHERE id = $1 AND granted <= $7 RETURNING id";

/// Changes a programme in one transaction: the name checked against the sponsor's
/// others, the quota against the grants held (the row's counter, under its lock).
pub(super) async fn update(
    store: &SqlStore,
    id: ProgrammeId,
    edit: &huiji_core::benefit::ProgrammeEdit,
) -> Result<Updated> {
    let mut tx = store.begin_write().await?;
    let exists: Option<i64> =
        on_tx!(&mut tx, |c| sqlx::query_scalar(PROGRAMME_EXISTS).bind(id.0).fetch_optional(c).await?);
    if exists.is_none() {
        return Ok(Updated::Gone);
    }
    let taken: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(NAME_TAKEN)
        .bind(id.0)
        .bind(&edit.name)
        .fetch_optional(c)
        .await?);
    if taken.is_some() {
        return Ok(Updated::NameTaken);
    }
    let changed: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(UPDATE)
        .bind(id.0)
        .bind(&edit.name)
        .bind(edit.provider.as_deref())
        .bind(edit.hotline.as_deref())
        .bind(date_text(edit.period.from()))
        .bind(date_text(edit.period.until()))
        .bind(i64::from(edit.quota))
        .fetch_optional(c)
        .await?);
    if changed.is_none() {
        return Ok(Updated::BelowGranted);
    }
    tx.commit().await?;
    Ok(Updated::Done)
}

fn date_text(date: Option<CivilDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(super) async fn create(
    store: &SqlStore,
    new: &NewProgramme,
    at: Timestamp,
) -> Result<Option<ProgrammeId>> {
    let d = &new.draft;
    let e = &d.rules.eligibility;
    let mut tx = store.begin_write().await?;
    let path: Option<String> =
        on_tx!(&mut tx, |c| sqlx::query_scalar(ORG_PATH).bind(new.org.0).fetch_optional(c).await?);
    let path = path.ok_or(StoreError::NotFound("sponsor union"))?;
    let codes = |list: Vec<String>| list.join(",");
    let (channel, platform) = match &e.joined_via {
        Some(huiji_core::benefit::JoinedVia::Channel(c)) => (Some(c.code()), None),
        Some(huiji_core::benefit::JoinedVia::Platform(p)) => (None, Some(p.as_str())),
        None => (None, None),
    };
    let id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT_PROGRAMME)
        .bind(new.org.0)
        .bind(&path)
        .bind(d.kind.code())
        .bind(&d.name)
        .bind(d.provider.as_deref())
        .bind(d.hotline.as_deref())
        .bind(d.rules.mode.code())
        .bind(date_text(d.rules.period.from()))
        .bind(date_text(d.rules.period.until()))
        .bind(i64::from(d.quota))
        .bind(d.valid_days.map(i64::from))
        .bind(codes(e.occupations.iter().map(|o| o.code().to_owned()).collect()))
        .bind(codes(e.regions.iter().map(ToString::to_string).collect()))
        .bind(e.active_only)
        .bind(date_text(e.joined.from()))
        .bind(date_text(e.joined.until()))
        .bind(channel)
        .bind(platform)
        .bind(e.sex.map(|s| s.code()))
        .bind(e.age.min().map(i64::from))
        .bind(e.age.max().map(i64::from))
        .bind(&new.created_by)
        .bind(at.millis())
        .fetch_optional(c)
        .await?);
    let Some(id) = id else { return Ok(None) };
    for (org, quota) in &new.shares {
        let share_path: Option<String> =
            on_tx!(&mut tx, |c| sqlx::query_scalar(ORG_PATH).bind(org.0).fetch_optional(c).await?);
        let share_path = share_path.ok_or(StoreError::NotFound("share union"))?;
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_SHARE)
                .bind(id)
                .bind(org.0)
                .bind(&share_path)
                .bind(i64::from(*quota))
                .execute(c)
                .await?;
        });
    }
    tx.commit().await?;
    Ok(Some(ProgrammeId(id)))
}

pub(super) async fn insert_event(
    tx: &mut Tx,
    grant: GrantId,
    at: Timestamp,
    actor: &str,
    kind: &str,
    note: Option<&str>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(INSERT_EVENT)
            .bind(grant.0)
            .bind(at.millis())
            .bind(actor)
            .bind(kind)
            .bind(note)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The grant inside the caller's transaction: counters first (the row lock makes
/// concurrent grants of a programme take turns), then the grant row and its event.
/// A refusal leaves the transaction as it found it.
pub(crate) async fn grant_in(tx: &mut Tx, grant: &NewGrant, home: &OrgPath) -> Result<Granted> {
    let taken = on_tx!(tx, |c| sqlx::query(TAKE).bind(grant.programme.0).execute(c).await?.rows_affected());
    if taken != 1 {
        let exists: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(PROGRAMME_EXISTS)
            .bind(grant.programme.0)
            .fetch_optional(c)
            .await?);
        return Ok(if exists.is_some() { Granted::QuotaExhausted } else { Granted::Gone });
    }
    let shares: Vec<(i64, String)> =
        on_tx!(tx, |c| sqlx::query_as(SHARE_PATHS).bind(grant.programme.0).fetch_all(c).await?);
    let share = shares
        .into_iter()
        .find(|(_, path)| OrgPath::parse(path).is_some_and(|p| p.contains(home)))
        .map(|(org, _)| OrgId(org));
    if let Some(org) = share {
        let took = on_tx!(tx, |c| sqlx::query(TAKE_SHARE)
            .bind(grant.programme.0)
            .bind(org.0)
            .execute(c)
            .await?
            .rows_affected());
        if took != 1 {
            give_back(tx, grant.programme, None).await?;
            return Ok(Granted::ShareExhausted);
        }
    }
    let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(INSERT_GRANT)
        .bind(grant.programme.0)
        .bind(grant.membership)
        .bind(share.map(|o| o.0))
        .bind(home.as_str())
        .bind(grant.via.code())
        .bind(date_text(grant.valid_until))
        .bind(grant.at.millis())
        .bind(&grant.actor)
        .fetch_optional(c)
        .await?);
    let Some(id) = id else {
        give_back(tx, grant.programme, share).await?;
        return Ok(Granted::AlreadyGranted);
    };
    insert_event(tx, GrantId(id), grant.at, &grant.actor, "grant", None).await?;
    crate::notices::benefit_granted_in(tx, id, grant.at).await?;
    Ok(Granted::Done(GrantId(id)))
}

/// Lowers the programme's counter and, if given, the share's.
async fn give_back(tx: &mut Tx, programme: ProgrammeId, share: Option<OrgId>) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(GIVE_BACK).bind(programme.0).execute(c).await?;
    });
    if let Some(org) = share {
        on_tx!(tx, |c| {
            sqlx::query(GIVE_BACK_SHARE).bind(programme.0).bind(org.0).execute(c).await?;
        });
    }
    Ok(())
}

pub(super) async fn grant(store: &SqlStore, grant: &NewGrant) -> Result<Granted> {
    let mut tx = store.begin_write().await?;
    let home: Option<String> =
        on_tx!(&mut tx, |c| sqlx::query_scalar(HELD).bind(grant.membership).fetch_optional(c).await?);
    let Some(home) = home.as_deref().and_then(OrgPath::parse) else { return Ok(Granted::Gone) };
    let outcome = grant_in(&mut tx, grant, &home).await?;
    if matches!(outcome, Granted::Done(_)) {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// The member facts inside a transaction (the approval's).
pub(super) async fn member_in(tx: &mut Tx, membership: i64) -> Result<Option<super::BenefitMember>> {
    let row: Option<MemberRow> =
        on_tx!(tx, |c| sqlx::query_as(MEMBER).bind(membership).fetch_optional(c).await?);
    row.map(member_record).transpose()
}

pub(super) async fn change(store: &SqlStore, change: &GrantChange) -> Result<bool> {
    let to: GrantStatus = change
        .from
        .after(&change.action)
        .map_err(|e| StoreError::Corrupt(format!("grant change not allowed: {e}")))?;
    let (policy, reason) = match &change.action {
        GrantAction::Enrol(policy) => (Some(policy.as_str()), None),
        GrantAction::Revoke(reason) => (None, Some(reason.as_str())),
        GrantAction::Use | GrantAction::Close => (None, None),
    };
    let mut tx = store.begin_write().await?;
    let moved: Option<(i64, Option<i64>)> = on_tx!(&mut tx, |c| sqlx::query_as(CHANGE)
        .bind(change.grant.0)
        .bind(change.from.code())
        .bind(to.code())
        .bind(policy)
        .bind(reason)
        .bind(change.at.millis())
        .fetch_optional(c)
        .await?);
    let Some((programme, share)) = moved else { return Ok(false) };
    if to == GrantStatus::Revoked {
        give_back(&mut tx, ProgrammeId(programme), share.map(OrgId)).await?;
    }
    insert_event(&mut tx, change.grant, change.at, &change.actor, change.action.code(), policy.or(reason))
        .await?;
    tx.commit().await?;
    Ok(true)
}
