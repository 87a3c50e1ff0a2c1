//! Funnels: per campaign and receiving union, per subtree, per join code. A campaign's
//! counts are read from its rollup (`campaign_funnels`, kept by triggers in the same
//! transaction as each change: migration 0074); the scan over its messages and their
//! applications it replaces is kept as the recount that checks it.

use huiji_core::{OrgId, OrgPath};

use super::{Funnel, JoinCodeFunnel, count};
use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;

/// The message states' counts of one group, as SQL columns.
macro_rules! state_counts {
    () => {
        "COUNT(*), SUM(CASE WHEN m.state = 'suppressed' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.state = 'queued' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.sent_at IS NOT NULL OR m.receipt_at IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.state = 'delivered' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.state = 'failed' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.clicked_at IS NOT NULL THEN 1 ELSE 0 END)"
    };
}

/// Applications made through a message's invite code, and approved ones, as SQL columns.
macro_rules! application_counts {
    () => {
        "COUNT(DISTINCT m.id), COUNT(DISTINCT CASE WHEN a.status = 'approved' THEN m.id END) \
         FROM campaign_messages m JOIN applications a ON a.source = m.invite_code AND a.channel = 'invite' "
    };
}

const CAMPAIGN_STATES: &str = concat!(
    "SELECT m.org_id, ",
    state_counts!(),
    " FROM campaign_messages m WHERE m.campaign_id = $1 GROUP BY m.org_id"
);

const CAMPAIGN_APPLICATIONS: &str =
    concat!("SELECT m.org_id, ", application_counts!(), "WHERE m.campaign_id = $1 GROUP BY m.org_id");

/// The rollup's columns in [`Funnel`]'s order.
macro_rules! rollup_columns {
    () => {
        "f.targeted, f.suppressed, f.queued, f.sent, f.delivered, f.failed, f.clicked, f.applied, f.approved"
    };
}

/// A campaign's rollup rows; union 0 is "none served the target".
const CAMPAIGN_ROLLUP: &str =
    concat!("SELECT f.org_key, ", rollup_columns!(), " FROM campaign_funnels f WHERE f.campaign_id = $1");

/// The subtree's campaigns' rollups summed (a few rows per campaign).
const SUBTREE_ROLLUP: &str = "SELECT CAST(COALESCE(SUM(f.targeted), 0) AS BIGINT), \
    CAST(COALESCE(SUM(f.suppressed), 0) AS BIGINT), CAST(COALESCE(SUM(f.queued), 0) AS BIGINT), \
    CAST(COALESCE(SUM(f.sent), 0) AS BIGINT), CAST(COALESCE(SUM(f.delivered), 0) AS BIGINT), \
    CAST(COALESCE(SUM(f.failed), 0) AS BIGINT), CAST(COALESCE(SUM(f.clicked), 0) AS BIGINT), \
    CAST(COALESCE(SUM(f.applied), 0) AS BIGINT), CAST(COALESCE(SUM(f.approved), 0) AS BIGINT) \
    FROM campaign_funnels f JOIN campaigns c ON c.id = f.campaign_id WHERE c.org_path >= $1 AND c.org_path < $2";

/// A visitor's first opening of a code today; nothing when they opened it already.
const FIRST_VISIT: &str = "INSERT INTO join_code_scan_visitors (join_code, day, visitor) VALUES ($1, $2, $3) \
    ON CONFLICT (join_code, day, visitor) DO NOTHING";
/// Earlier days' visitors are forgotten: only today's are needed to count once.
const FORGET_VISITORS: &str = "DELETE FROM join_code_scan_visitors WHERE day < $1";

const COUNT_SCAN: &str = "INSERT INTO join_code_scans (join_code, scans) VALUES ($1, 1) \
    ON CONFLICT (join_code) DO UPDATE SET scans = join_code_scans.scans + 1";

const JOIN_CODES: &str = "SELECT o.id, o.join_code, COALESCE(s.scans, 0), \
    (SELECT COUNT(*) FROM applications a WHERE a.source = o.join_code AND a.channel = 'qr'), \
    (SELECT COUNT(*) FROM applications a WHERE a.source = o.join_code AND a.channel = 'qr' AND a.status = 'approved') \
    FROM orgs o LEFT JOIN join_code_scans s ON s.join_code = o.join_code \
    WHERE o.path >= $1 AND o.path < $2 AND o.join_code IS NOT NULL ORDER BY 3 DESC, 4 DESC, o.id LIMIT $3";

type StateRow = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

fn states((targeted, suppressed, queued, sent, delivered, failed, clicked): StateRow) -> Funnel {
    Funnel {
        targeted: count(Some(targeted)),
        suppressed: count(suppressed),
        queued: count(queued),
        sent: count(sent),
        delivered: count(delivered),
        failed: count(failed),
        clicked: count(clicked),
        applied: 0,
        approved: 0,
    }
}

type RollupRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The funnel of one rollup row.
fn rollup(
    [targeted, suppressed, queued, sent, delivered, failed, clicked, applied, approved]: [i64; 9],
) -> Funnel {
    let n = |v: i64| count(Some(v));
    Funnel {
        targeted: n(targeted),
        suppressed: n(suppressed),
        queued: n(queued),
        sent: n(sent),
        delivered: n(delivered),
        failed: n(failed),
        clicked: n(clicked),
        applied: n(applied),
        approved: n(approved),
    }
}

/// Biggest group first, then by union (the order both readings give).
fn sorted(mut groups: Vec<(Option<OrgId>, Funnel)>) -> Vec<(Option<OrgId>, Funnel)> {
    groups.sort_by(|a, b| b.1.targeted.cmp(&a.1.targeted).then(a.0.map(|o| o.0).cmp(&b.0.map(|o| o.0))));
    groups
}

pub(super) async fn campaign(store: &SqlStore, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>> {
    let rows: Vec<RollupRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(CAMPAIGN_ROLLUP)
        .bind(campaign_id)
        .fetch_all(p)
        .await?);
    Ok(sorted(
        rows.into_iter()
            .filter(|row| row.1 > 0)
            .map(|(org, t, s, q, se, d, f, c, a, ap)| {
                ((org != 0).then_some(OrgId(org)), rollup([t, s, q, se, d, f, c, a, ap]))
            })
            .collect(),
    ))
}

pub(super) async fn recount(store: &SqlStore, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>> {
    type Row =
        (Option<i64>, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = on_pool!(&store.pools, read, |p| sqlx::query_as(CAMPAIGN_STATES)
        .bind(campaign_id)
        .fetch_all(p)
        .await?);
    let applications: Vec<(Option<i64>, i64, i64)> = on_pool!(&store.pools, read, |p| {
        sqlx::query_as(CAMPAIGN_APPLICATIONS).bind(campaign_id).fetch_all(p).await?
    });
    let mut groups: Vec<(Option<OrgId>, Funnel)> = rows
        .into_iter()
        .map(|(org, t, s, q, se, d, f, c)| (org.map(OrgId), states((t, s, q, se, d, f, c))))
        .collect();
    for (org, applied, approved) in applications {
        if let Some((_, funnel)) = groups.iter_mut().find(|(o, _)| *o == org.map(OrgId)) {
            funnel.applied = count(Some(applied));
            funnel.approved = count(Some(approved));
        }
    }
    Ok(sorted(groups))
}

pub(super) async fn subtree(store: &SqlStore, within: &OrgPath) -> Result<Funnel> {
    let (t, s, q, se, d, f, c, a, ap): (i64, i64, i64, i64, i64, i64, i64, i64, i64) =
        on_pool!(&store.pools, read, |p| sqlx::query_as(SUBTREE_ROLLUP)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_one(p)
            .await?);
    Ok(rollup([t, s, q, se, d, f, c, a, ap]))
}

pub(super) async fn count_scan(store: &SqlStore, join_code: &str, day: i64, visitor: &str) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(FORGET_VISITORS).bind(day).execute(c).await?;
    });
    let first = on_tx!(&mut tx, |c| sqlx::query(FIRST_VISIT)
        .bind(join_code)
        .bind(day)
        .bind(visitor)
        .execute(c)
        .await?
        .rows_affected());
    if first == 1 {
        on_tx!(&mut tx, |c| {
            sqlx::query(COUNT_SCAN).bind(join_code).execute(c).await?;
        });
    }
    tx.commit().await?;
    Ok(first == 1)
}

pub(super) async fn join_codes(
    store: &SqlStore,
    within: &OrgPath,
    limit: u32,
) -> Result<Vec<JoinCodeFunnel>> {
    let rows: Vec<(i64, String, i64, i64, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(JOIN_CODES)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?);
    Ok(rows
        .into_iter()
        .map(|(org, join_code, scans, applications, approvals)| JoinCodeFunnel {
            org: OrgId(org),
            join_code,
            scans: count(Some(scans)),
            applications: count(Some(applications)),
            approvals: count(Some(approvals)),
        })
        .collect())
}
