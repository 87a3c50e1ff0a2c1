//! Reading programmes, shares and grants back into core types.

use huiji_core::benefit::{
    AgeRange, Eligibility, GrantId, GrantMode, GrantStatus, JoinedVia, Period, ProgrammeId, ProgrammeRules,
    Quota,
};
use huiji_core::{CivilDate, OrgId, OrgPath, Timestamp};

use super::{
    BenefitMember, ExportRow, GrantEventRecord, GrantRecord, MemberGrant, ProgrammeRecord, ShareRecord,
};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// The columns a [`ProgrammeRow`] reads, for `concat!`.
macro_rules! programme_columns {
    () => {
        "SELECT id, org_id, org_path, kind, name, provider, hotline, grant_mode, starts_on, ends_on, quota, \
         granted, valid_days, occupations, regions, active_only, joined_from, joined_until, via_channel, \
         via_platform, sex, age_min, age_max, created_by, created_at FROM benefit_programmes"
    };
}
pub(super) use programme_columns;

/// The columns a [`GrantRow`] reads (grants `g`, memberships `m`), for `concat!`.
macro_rules! grant_columns {
    () => {
        "SELECT g.id, g.programme_id, g.membership_id, m.name AS member_name, m.member_number, g.home_path, \
         g.status, g.via, g.policy_number, g.valid_until, g.granted_at, g.granted_by, g.revoke_reason"
    };
}

const ONE: &str = concat!(programme_columns!(), " WHERE id = $1");

/// Sponsored within the subtree, or by a union above its root (whose path is a prefix).
const FOR_SUBTREE: &str = concat!(
    programme_columns!(),
    " WHERE (org_path >= $1 AND org_path < $2) OR ($1 > org_path AND $1 < org_path || ':') \
     ORDER BY id DESC LIMIT $3"
);

const ABOVE: &str = concat!(
    programme_columns!(),
    " WHERE $1 >= org_path AND $1 < org_path || ':' ORDER BY id DESC LIMIT 100"
);

const SHARES: &str = "SELECT q.org_id, q.org_path, o.name, q.quota, q.granted FROM benefit_quotas q \
    JOIN orgs o ON o.id = q.org_id WHERE q.programme_id = $1 ORDER BY o.name, q.org_id";

const COUNTS: &str = "SELECT status, COUNT(*) FROM benefit_grants \
    WHERE programme_id = $1 AND home_path >= $2 AND home_path < $3 GROUP BY status ORDER BY status";

/// A membership without an application (a bulk load) counts as registered offline.
pub(super) const MEMBER: &str = "SELECT m.id, m.home_path, m.status, m.occupation, m.region_code, \
    m.joined_at, COALESCE(a.channel, 'offline'), p.name, m.sex, m.id_number_ct FROM memberships m \
    LEFT JOIN applications a ON a.id = m.application_id LEFT JOIN platforms p ON p.id = a.platform_id \
    WHERE m.id = $1";

const GRANT: &str = concat!(
    grant_columns!(),
    " FROM benefit_grants g JOIN memberships m ON m.id = g.membership_id WHERE g.id = $1"
);

const PROGRAMME_GRANTS: &str = concat!(
    grant_columns!(),
    " FROM benefit_grants g JOIN memberships m ON m.id = g.membership_id WHERE g.programme_id = $1 AND g.home_path >= $2 AND g.home_path < $3 AND g.id > $4 ORDER BY g.id LIMIT $5"
);

const MEMBER_GRANTS: &str = concat!(
    grant_columns!(),
    ", b.name AS programme_name, b.kind, b.provider, b.hotline FROM benefit_grants g \
     JOIN memberships m ON m.id = g.membership_id JOIN benefit_programmes b ON b.id = g.programme_id \
     WHERE g.membership_id = $1 ORDER BY g.id DESC"
);

const EVENTS: &str = "SELECT at, actor, kind, note FROM benefit_grant_events WHERE grant_id = $1 ORDER BY id";

const BY_ID_NUMBER: &str = concat!(
    grant_columns!(),
    " FROM benefit_grants g JOIN memberships m ON m.id = g.membership_id \
     WHERE g.programme_id = $1 AND m.id_number_bidx = $2 ORDER BY g.id DESC LIMIT 1"
);

const EXPORT: &str = concat!(
    grant_columns!(),
    ", o.name AS union_name, m.id_number_ct, m.mobile_ct FROM benefit_grants g \
     JOIN memberships m ON m.id = g.membership_id JOIN orgs o ON o.id = m.home_org_id \
     WHERE g.programme_id = $1 AND g.home_path >= $2 AND g.home_path < $3 ORDER BY g.id"
);

#[derive(sqlx::FromRow)]
pub(super) struct ProgrammeRow {
    id: i64,
    org_id: i64,
    org_path: String,
    kind: String,
    name: String,
    provider: Option<String>,
    hotline: Option<String>,
    grant_mode: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
    quota: i64,
    granted: i64,
    valid_days: Option<i64>,
    occupations: String,
    regions: String,
    active_only: bool,
    joined_from: Option<String>,
    joined_until: Option<String>,
    via_channel: Option<String>,
    via_platform: Option<String>,
    sex: Option<String>,
    age_min: Option<i64>,
    age_max: Option<i64>,
    created_by: String,
    created_at: i64,
}

fn day(text: Option<&str>, corrupt: &dyn Fn(&str) -> StoreError) -> Result<Option<CivilDate>> {
    text.map(|t| CivilDate::parse_iso(t).ok_or_else(|| corrupt("date"))).transpose()
}

fn count(n: i64, corrupt: &dyn Fn(&str) -> StoreError) -> Result<u32> {
    u32::try_from(n).map_err(|_| corrupt("count"))
}

impl TryFrom<ProgrammeRow> for ProgrammeRecord {
    type Error = StoreError;

    fn try_from(row: ProgrammeRow) -> Result<ProgrammeRecord> {
        let id = row.id;
        let corrupt = |what: &str| StoreError::Corrupt(format!("benefit programme {id}: {what}"));
        let period =
            Period::new(day(row.starts_on.as_deref(), &corrupt)?, day(row.ends_on.as_deref(), &corrupt)?)
                .ok_or_else(|| corrupt("period"))?;
        let joined = Period::new(
            day(row.joined_from.as_deref(), &corrupt)?,
            day(row.joined_until.as_deref(), &corrupt)?,
        )
        .ok_or_else(|| corrupt("joined"))?;
        let list =
            |text: &str| text.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        let occupations = list(&row.occupations)
            .iter()
            .map(|c| c.parse().map_err(|_| corrupt("occupation")))
            .collect::<Result<Vec<_>>>()?;
        let regions = list(&row.regions)
            .iter()
            .map(|c| c.parse().map_err(|_| corrupt("region")))
            .collect::<Result<Vec<_>>>()?;
        let joined_via = match (row.via_channel, row.via_platform) {
            (_, Some(platform)) => Some(JoinedVia::Platform(platform)),
            (Some(channel), None) => {
                Some(JoinedVia::Channel(channel.parse().map_err(|_| corrupt("channel"))?))
            }
            (None, None) => None,
        };
        let age_bound = |n: Option<i64>| n.map(|n| count(n, &corrupt)).transpose();
        let age =
            AgeRange::new(age_bound(row.age_min)?, age_bound(row.age_max)?).ok_or_else(|| corrupt("age"))?;
        let eligibility = Eligibility {
            occupations,
            regions,
            active_only: row.active_only,
            joined,
            joined_via,
            sex: row.sex.map(|s| s.parse().map_err(|_| corrupt("sex"))).transpose()?,
            age,
        };
        Ok(ProgrammeRecord {
            id: ProgrammeId(id),
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            kind: row.kind.parse().map_err(|_| corrupt("kind"))?,
            name: row.name,
            provider: row.provider,
            hotline: row.hotline,
            rules: ProgrammeRules {
                mode: row.grant_mode.parse().map_err(|_| corrupt("grant_mode"))?,
                period,
                eligibility,
            },
            quota: Quota { total: count(row.quota, &corrupt)?, granted: count(row.granted, &corrupt)? },
            valid_days: row.valid_days.map(|d| count(d, &corrupt)).transpose()?,
            created_by: row.created_by,
            created_at: Timestamp(row.created_at),
        })
    }
}

/// A grant's columns, as [`grant_columns!`] reads them.
#[derive(sqlx::FromRow)]
pub(super) struct GrantRow {
    id: i64,
    programme_id: i64,
    membership_id: i64,
    member_name: String,
    member_number: Option<String>,
    home_path: String,
    status: String,
    via: String,
    policy_number: Option<String>,
    valid_until: Option<String>,
    granted_at: i64,
    granted_by: String,
    revoke_reason: Option<String>,
}

pub(super) fn grant_record(row: GrantRow) -> Result<GrantRecord> {
    let id = row.id;
    let corrupt = |what: &str| StoreError::Corrupt(format!("benefit grant {id}: {what}"));
    Ok(GrantRecord {
        id: GrantId(id),
        programme: ProgrammeId(row.programme_id),
        membership: row.membership_id,
        member_name: row.member_name,
        member_number: row.member_number,
        home_path: OrgPath::parse(&row.home_path).ok_or_else(|| corrupt("home_path"))?,
        status: row.status.parse::<GrantStatus>().map_err(|_| corrupt("status"))?,
        via: row.via.parse::<GrantMode>().map_err(|_| corrupt("via"))?,
        policy_number: row.policy_number,
        valid_until: day(row.valid_until.as_deref(), &corrupt)?,
        granted_at: Timestamp(row.granted_at),
        granted_by: row.granted_by,
        revoke_reason: row.revoke_reason,
    })
}

/// A [`MEMBER_GRANTS`] row: a grant, then its programme's columns.
#[derive(sqlx::FromRow)]
struct MemberGrantRow {
    #[sqlx(flatten)]
    grant: GrantRow,
    programme_name: String,
    kind: String,
    provider: Option<String>,
    hotline: Option<String>,
}

/// An [`EXPORT`] row: a grant, its member's union and sealed identifiers.
#[derive(sqlx::FromRow)]
struct ExportGrantRow {
    #[sqlx(flatten)]
    grant: GrantRow,
    union_name: String,
    id_number_ct: Vec<u8>,
    mobile_ct: Vec<u8>,
}

fn programmes(rows: Vec<ProgrammeRow>) -> Result<Vec<ProgrammeRecord>> {
    rows.into_iter().map(ProgrammeRecord::try_from).collect()
}

pub(super) async fn programme(store: &SqlStore, id: ProgrammeId) -> Result<Option<ProgrammeRecord>> {
    let row: Option<ProgrammeRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id.0).fetch_optional(p).await?);
    row.map(ProgrammeRecord::try_from).transpose()
}

pub(super) async fn programmes_for(
    store: &SqlStore,
    within: &OrgPath,
    limit: u32,
) -> Result<Vec<ProgrammeRecord>> {
    let rows: Vec<ProgrammeRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(FOR_SUBTREE)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    programmes(rows)
}

pub(super) async fn programmes_above(store: &SqlStore, home: &OrgPath) -> Result<Vec<ProgrammeRecord>> {
    let rows: Vec<ProgrammeRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ABOVE).bind(home.as_str()).fetch_all(p).await?);
    programmes(rows)
}

pub(super) async fn shares(store: &SqlStore, id: ProgrammeId) -> Result<Vec<ShareRecord>> {
    let rows: Vec<(i64, String, String, i64, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(SHARES).bind(id.0).fetch_all(p).await?);
    let corrupt = |what: &str| StoreError::Corrupt(format!("benefit programme {id} share: {what}"));
    rows.into_iter()
        .map(|(org, path, name, quota, granted)| {
            Ok(ShareRecord {
                org: OrgId(org),
                org_path: OrgPath::parse(&path).ok_or_else(|| corrupt("org_path"))?,
                org_name: name,
                quota: Quota { total: count(quota, &corrupt)?, granted: count(granted, &corrupt)? },
            })
        })
        .collect()
}

pub(super) async fn counts(
    store: &SqlStore,
    id: ProgrammeId,
    within: &OrgPath,
) -> Result<Vec<(GrantStatus, u64)>> {
    let rows: Vec<(String, i64)> = on_pool!(&store.pools, read, |p| sqlx::query_as(COUNTS)
        .bind(id.0)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|(status, n)| {
            let status = status.parse().map_err(|_| StoreError::Corrupt(format!("grant status {status}")))?;
            Ok((status, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

/// A [`MEMBER`] row.
pub(super) type MemberRow =
    (i64, String, String, String, String, i64, String, Option<String>, String, Vec<u8>);

pub(super) fn member_record(row: MemberRow) -> Result<BenefitMember> {
    let (id, home_path, status, occupation, region_code, joined_at, channel, platform, sex, id_number_ct) =
        row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("membership {id}: {what}"));
    Ok(BenefitMember {
        id,
        home_path: OrgPath::parse(&home_path).ok_or_else(|| corrupt("home_path"))?,
        status: status.parse().map_err(|_| corrupt("status"))?,
        occupation: occupation.parse().map_err(|_| corrupt("occupation"))?,
        region_code,
        joined_at: Timestamp(joined_at),
        channel: channel.parse().map_err(|_| corrupt("channel"))?,
        platform,
        sex: sex.parse().map_err(|_| corrupt("sex"))?,
        id_number_ct,
    })
}

pub(super) async fn member(store: &SqlStore, membership: i64) -> Result<Option<BenefitMember>> {
    let row: Option<MemberRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(MEMBER).bind(membership).fetch_optional(p).await?);
    row.map(member_record).transpose()
}

pub(super) async fn grant(store: &SqlStore, id: GrantId) -> Result<Option<GrantRecord>> {
    let row: Option<GrantRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(GRANT).bind(id.0).fetch_optional(p).await?);
    row.map(grant_record).transpose()
}

pub(super) async fn programme_grants(
    store: &SqlStore,
    id: ProgrammeId,
    within: &OrgPath,
    after: i64,
    limit: u32,
) -> Result<Vec<GrantRecord>> {
    let rows: Vec<GrantRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(PROGRAMME_GRANTS)
        .bind(id.0)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter().map(grant_record).collect()
}

pub(super) async fn member_grants(store: &SqlStore, membership: i64) -> Result<Vec<MemberGrant>> {
    let rows: Vec<MemberGrantRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(MEMBER_GRANTS).bind(membership).fetch_all(p).await?);
    rows.into_iter()
        .map(|row| {
            let kind =
                row.kind.parse().map_err(|_| StoreError::Corrupt(format!("benefit kind {}", row.kind)))?;
            Ok(MemberGrant {
                grant: grant_record(row.grant)?,
                programme_name: row.programme_name,
                kind,
                provider: row.provider,
                hotline: row.hotline,
            })
        })
        .collect()
}

pub(super) async fn events(store: &SqlStore, id: GrantId) -> Result<Vec<GrantEventRecord>> {
    let rows: Vec<(i64, String, String, Option<String>)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(EVENTS).bind(id.0).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(at, actor, kind, note)| GrantEventRecord { at: Timestamp(at), actor, kind, note })
        .collect())
}

pub(super) async fn by_id_number(
    store: &SqlStore,
    id: ProgrammeId,
    bidx: &str,
) -> Result<Option<GrantRecord>> {
    let row: Option<GrantRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(BY_ID_NUMBER)
        .bind(id.0)
        .bind(bidx)
        .fetch_optional(p)
        .await?);
    row.map(grant_record).transpose()
}

pub(super) async fn export(store: &SqlStore, id: ProgrammeId, within: &OrgPath) -> Result<Vec<ExportRow>> {
    let rows: Vec<ExportGrantRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(EXPORT)
        .bind(id.0)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|row| {
            Ok(ExportRow {
                grant: grant_record(row.grant)?,
                union: row.union_name,
                id_number_ct: row.id_number_ct,
                mobile_ct: row.mobile_ct,
            })
        })
        .collect()
}
