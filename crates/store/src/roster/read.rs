//! Reading imports, matches, coverage and the outreach list.

use huiji_core::{Occupation, OrgId, OrgPath, Timestamp};

use super::{
    CoverageRow, RosterCounts, RosterCoverage, RosterImportRecord, RosterImportStatus, RosterMatch,
    RosterPerson, count,
};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// The columns of [`ImportRow`], in order.
macro_rules! import_columns {
    () => {
        "SELECT id, org_id, org_path, source, file_name, actor, status, rows_read, imported, duplicates_in_file, \
         already_on_roster, updated, rejected, members, pending, not_members, report, started_at, finished_at, \
         message FROM roster_imports "
    };
}

const ONE_IMPORT: &str = concat!(import_columns!(), "WHERE id = $1");

const IMPORTS: &str =
    concat!(import_columns!(), "WHERE org_path >= $1 AND org_path < $2 ORDER BY id DESC LIMIT $3");

const MATCHES: &str = "SELECT e.source, e.org_path, i.started_at FROM roster_entries e \
    JOIN roster_imports i ON i.id = e.import_id WHERE e.id_number_bidx = $1 ORDER BY e.id";

/// Coverage from the rollup (migration 0080): a sum over the subtree's unions' counts.
/// Counters that fell to zero are left out, as a GROUP BY over no entries would.
const BY_OCCUPATION: &str = "SELECT occupation, SUM(entries), \
    SUM(CASE WHEN state = 'member' THEN entries ELSE 0 END), \
    SUM(CASE WHEN state = 'pending' THEN entries ELSE 0 END) \
    FROM roster_counts WHERE org_path >= $1 AND org_path < $2 GROUP BY occupation HAVING SUM(entries) > 0 \
    ORDER BY 2 DESC, 1";

const BY_ORG: &str = "SELECT org_id, SUM(entries), \
    SUM(CASE WHEN state = 'member' THEN entries ELSE 0 END), \
    SUM(CASE WHEN state = 'pending' THEN entries ELSE 0 END) \
    FROM roster_counts WHERE org_path >= $1 AND org_path < $2 GROUP BY org_id HAVING SUM(entries) > 0 \
    ORDER BY 2 DESC, 1";

/// A person whose membership ended by death is `not_member` on the roster (they hold no
/// membership) but is nobody to invite: left out of the list and of campaigns.
const NON_MEMBERS: &str = "SELECT id, source, name, id_number_ct, mobile_ct, mobile_bidx, occupation, region_code, \
    employer_name FROM roster_entries WHERE org_path >= $1 AND org_path < $2 AND state = 'not_member' \
    AND id > $3 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx \
    AND m.status = 'deceased') ORDER BY id LIMIT $4";

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    org_id: i64,
    org_path: String,
    source: String,
    file_name: String,
    actor: String,
    status: String,
    rows_read: i64,
    imported: i64,
    duplicates_in_file: i64,
    already_on_roster: i64,
    updated: i64,
    rejected: i64,
    members: i64,
    pending: i64,
    not_members: i64,
    report: Option<String>,
    started_at: i64,
    finished_at: Option<i64>,
    message: Option<String>,
}

impl TryFrom<ImportRow> for RosterImportRecord {
    type Error = StoreError;

    fn try_from(row: ImportRow) -> Result<RosterImportRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("roster import {}: {what}", row.id));
        Ok(RosterImportRecord {
            id: row.id,
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            status: RosterImportStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            counts: RosterCounts {
                rows: count(row.rows_read),
                imported: count(row.imported),
                duplicates_in_file: count(row.duplicates_in_file),
                already_on_roster: count(row.already_on_roster),
                updated: count(row.updated),
                rejected: count(row.rejected),
                members: count(row.members),
                pending: count(row.pending),
                not_members: count(row.not_members),
            },
            source: row.source,
            file_name: row.file_name,
            actor: row.actor,
            report: row.report,
            started_at: Timestamp(row.started_at),
            finished_at: row.finished_at.map(Timestamp),
            message: row.message,
        })
    }
}

pub(super) async fn import(store: &SqlStore, id: i64) -> Result<Option<RosterImportRecord>> {
    let row: Option<ImportRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE_IMPORT).bind(id).fetch_optional(p).await?);
    row.map(RosterImportRecord::try_from).transpose()
}

pub(super) async fn imports(
    store: &SqlStore,
    within: &OrgPath,
    limit: u32,
) -> Result<Vec<RosterImportRecord>> {
    let rows: Vec<ImportRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(IMPORTS)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter().map(RosterImportRecord::try_from).collect()
}

pub(super) async fn matches(store: &SqlStore, id_number_bidx: &str) -> Result<Vec<RosterMatch>> {
    let rows: Vec<(String, String, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(MATCHES).bind(id_number_bidx).fetch_all(p).await?);
    rows.into_iter()
        .map(|(source, path, at)| {
            Ok(RosterMatch {
                org_path: OrgPath::parse(&path)
                    .ok_or_else(|| StoreError::Corrupt("roster entry org_path".to_owned()))?,
                source,
                imported_at: Timestamp(at),
            })
        })
        .collect()
}

type Group<K> = (K, i64, Option<i64>, Option<i64>);

fn group<K>((key, entries, members, pending): Group<K>) -> CoverageRow<K> {
    CoverageRow {
        key,
        entries: count(entries),
        members: count(members.unwrap_or(0)),
        pending: count(pending.unwrap_or(0)),
    }
}

pub(super) async fn coverage(store: &SqlStore, within: &OrgPath) -> Result<RosterCoverage> {
    let (low, high) = (within.as_str(), within.subtree_upper_bound());
    let occupations: Vec<Group<String>> = on_pool!(&store.pools, read, |p| sqlx::query_as(BY_OCCUPATION)
        .bind(low)
        .bind(&high)
        .fetch_all(p)
        .await?);
    let orgs: Vec<Group<i64>> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(BY_ORG).bind(low).bind(&high).fetch_all(p).await?);
    let by_occupation = occupations
        .into_iter()
        .map(|(code, e, m, p)| {
            let occupation: Occupation =
                code.parse().map_err(|_| StoreError::Corrupt(format!("roster occupation {code}")))?;
            Ok(group((occupation, e, m, p)))
        })
        .collect::<Result<Vec<_>>>()?;
    let by_org: Vec<CoverageRow<OrgId>> =
        orgs.into_iter().map(|(id, e, m, p)| group((OrgId(id), e, m, p))).collect();
    Ok(RosterCoverage {
        entries: by_org.iter().map(|r| r.entries).sum(),
        members: by_org.iter().map(|r| r.members).sum(),
        pending: by_org.iter().map(|r| r.pending).sum(),
        by_occupation,
        by_org,
    })
}

type PersonRow = (
    i64,
    String,
    Option<String>,
    Vec<u8>,
    Option<Vec<u8>>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

pub(super) async fn non_members(
    store: &SqlStore,
    within: &OrgPath,
    after: i64,
    limit: u32,
) -> Result<Vec<RosterPerson>> {
    let rows: Vec<PersonRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(NON_MEMBERS)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|(id, source, name, id_number_ct, mobile_ct, mobile_bidx, occupation, region, employer_name)| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("roster entry {id}: {what}"));
            Ok(RosterPerson {
                id,
                source,
                name,
                id_number_ct,
                mobile_ct,
                mobile_bidx,
                occupation: occupation.parse().map_err(|_| corrupt("occupation"))?,
                region: region.map(|r| r.parse().map_err(|_| corrupt("region"))).transpose()?,
                employer_name,
            })
        })
        .collect()
}
