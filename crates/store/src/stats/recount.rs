//! The rollups recounted from the base tables: memberships (status, union, occupation),
//! their events (joins, leavings, moves, with their times) and applications (channel,
//! platform). `rebuild` replaces the rollups with the recount (after `huiji gen`'s bulk
//! load, which bypasses the per-change upkeep); `verify` compares them and lists every
//! difference (`huiji stats verify`).

use std::collections::BTreeMap;

use super::review::{self as review_rollup, DailyRow, TimesRow};
use crate::db::{Pools, SqlStore};
use crate::tx::on_tx;
use crate::{Result, StatsMismatch};

/// The recount of daily flows, with the day computed by the database (`$day` is its
/// expression for the China date of `e.at` as `YYYYMMDD`). A move is an event between two
/// different unions; each is counted out of one and into the other, the other as peer.
macro_rules! recount_daily {
    ($day:literal) => {
        concat!(
            "SELECT e.org_id, ",
            $day,
            ", m.occupation, COALESCE(a.channel, 'offline'), \
             CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, e.peer_org_id, \
             SUM(e.joined), SUM(e.withdrawn), SUM(e.expelled), SUM(e.deceased), SUM(e.moved_in), \
             SUM(e.moved_out) FROM (\
             SELECT membership_id, at, to_org_id AS org_id, 0 AS peer_org_id, 1 AS joined, 0 AS withdrawn, \
             0 AS expelled, 0 AS deceased, 0 AS moved_in, 0 AS moved_out FROM membership_events \
             WHERE kind = 'joined' \
             UNION ALL SELECT membership_id, at, from_org_id, 0, 0, \
             CASE WHEN kind = 'withdraw' THEN 1 ELSE 0 END, CASE WHEN kind = 'expel' THEN 1 ELSE 0 END, \
             CASE WHEN kind = 'deceased' THEN 1 ELSE 0 END, 0, 0 FROM membership_events \
             WHERE kind IN ('withdraw', 'expel', 'deceased') \
             UNION ALL SELECT membership_id, at, to_org_id, from_org_id, 0, 0, 0, 0, 1, 0 \
             FROM membership_events WHERE from_org_id <> to_org_id \
             UNION ALL SELECT membership_id, at, from_org_id, to_org_id, 0, 0, 0, 0, 0, 1 \
             FROM membership_events WHERE from_org_id <> to_org_id\
             ) e JOIN memberships m ON m.id = e.membership_id \
             LEFT JOIN applications a ON a.id = m.application_id \
             GROUP BY 1, 2, 3, 4, 5, 6"
        )
    };
}

/// SQLite: the China date (UTC+8, no daylight saving since 1991) of a time in ms.
const RECOUNT_DAILY_SQLITE: &str =
    recount_daily!("CAST(strftime('%Y%m%d', e.at / 1000 + 28800, 'unixepoch') AS INTEGER)");
/// PostgreSQL: the same.
const RECOUNT_DAILY_POSTGRES: &str = recount_daily!(
    "CAST(to_char(to_timestamp(e.at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
);

/// The recount of memberships now, by every key and status.
const RECOUNT_MEMBERSHIPS: &str = "SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), \
    CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, COUNT(*) \
    FROM memberships m LEFT JOIN applications a ON a.id = m.application_id GROUP BY 1, 2, 3, 4, 5";

const STORED_DAILY: &str = "SELECT org_id, day, occupation, channel, platform_id, peer_org_id, joined, \
    withdrawn, expelled, deceased, moved_in, moved_out FROM stats_daily_flows";
const STORED_MONTHLY: &str = "SELECT org_id, month, occupation, channel, platform_id, peer_org_id, joined, \
    withdrawn, expelled, deceased, moved_in, moved_out FROM stats_monthly_flows";
const STORED_MEMBERSHIPS: &str =
    "SELECT org_id, occupation, channel, platform_id, status, members FROM stats_memberships";
/// The trigger-kept held counts (migration 0004) the rollups must agree with.
const HELD_COUNTS: &str = "SELECT org_id, CAST(held AS BIGINT) FROM org_member_counts";

const INSERT_DAILY_SQLITE: &str = concat!(
    "INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined, \
     withdrawn, expelled, deceased, moved_in, moved_out) ",
    recount_daily!("CAST(strftime('%Y%m%d', e.at / 1000 + 28800, 'unixepoch') AS INTEGER)")
);
const INSERT_DAILY_POSTGRES: &str = concat!(
    "INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined, \
     withdrawn, expelled, deceased, moved_in, moved_out) ",
    recount_daily!(
        "CAST(to_char(to_timestamp(e.at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
    )
);
const INSERT_MONTHLY: &str = "INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, \
    peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) \
    SELECT org_id, day / 100, occupation, channel, platform_id, peer_org_id, SUM(joined), SUM(withdrawn), \
    SUM(expelled), SUM(deceased), SUM(moved_in), SUM(moved_out) FROM stats_daily_flows GROUP BY 1, 2, 3, 4, 5, 6";
const INSERT_YEARLY: &str = "INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, \
    peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) \
    SELECT org_id, month / 100, occupation, channel, platform_id, peer_org_id, SUM(joined), SUM(withdrawn), \
    SUM(expelled), SUM(deceased), SUM(moved_in), SUM(moved_out) FROM stats_monthly_flows GROUP BY 1, 2, 3, 4, 5, 6";
const STORED_YEARLY: &str = "SELECT org_id, year, occupation, channel, platform_id, peer_org_id, joined, \
    withdrawn, expelled, deceased, moved_in, moved_out FROM stats_yearly_flows";
const INSERT_MEMBERSHIPS: &str = concat!(
    "INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) ",
    "SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), \
     CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, COUNT(*) \
     FROM memberships m LEFT JOIN applications a ON a.id = m.application_id GROUP BY 1, 2, 3, 4, 5"
);
/// Fresh planner statistics for the rebuilt tables (PostgreSQL).
const ANALYZE_POSTGRES: [&str; 7] = [
    "ANALYZE stats_daily_flows",
    "ANALYZE stats_monthly_flows",
    "ANALYZE stats_yearly_flows",
    "ANALYZE stats_memberships",
    "ANALYZE stats_review_daily",
    "ANALYZE stats_review_times",
    "ANALYZE roster_counts",
];
const CLEAR: [&str; 4] = [
    "DELETE FROM stats_daily_flows",
    "DELETE FROM stats_monthly_flows",
    "DELETE FROM stats_yearly_flows",
    "DELETE FROM stats_memberships",
];

/// A flows row's key: union, period, occupation, channel, platform, peer.
type FlowKey = (i64, i64, String, String, i64, i64);
/// A flows row's counts: joined, withdrawn, expelled, deceased, moved in, moved out.
type FlowCounts = [i64; 6];
type FlowRow = (i64, i64, String, String, i64, i64, i64, i64, i64, i64, i64, i64);
/// A memberships row's key: union, occupation, channel, platform, status.
type MembershipKey = (i64, String, String, i64, String);
type MembershipRow = (i64, String, String, i64, String, i64);

fn flows_map(rows: Vec<FlowRow>) -> BTreeMap<FlowKey, FlowCounts> {
    rows.into_iter()
        .map(|r| ((r.0, r.1, r.2, r.3, r.4, r.5), [r.6, r.7, r.8, r.9, r.10, r.11]))
        .filter(|(_, counts)| counts.iter().any(|c| *c != 0))
        .collect()
}

fn memberships_map(rows: Vec<MembershipRow>) -> BTreeMap<MembershipKey, i64> {
    rows.into_iter().map(|r| ((r.0, r.1, r.2, r.3, r.4), r.5)).filter(|(_, n)| *n != 0).collect()
}

/// Months of a daily recount (and years of a monthly one: each key's period over 100).
fn monthly_of(daily: &BTreeMap<FlowKey, FlowCounts>) -> BTreeMap<FlowKey, FlowCounts> {
    let mut months: BTreeMap<FlowKey, FlowCounts> = BTreeMap::new();
    for ((org, day, occupation, channel, platform, peer), counts) in daily {
        let entry = months
            .entry((*org, day / 100, occupation.clone(), channel.clone(), *platform, *peer))
            .or_default();
        for (total, add) in entry.iter_mut().zip(counts) {
            *total += add;
        }
    }
    months
}

pub(crate) fn compare<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug + Default>(
    table: &'static str,
    stored: &BTreeMap<K, V>,
    recounted: &BTreeMap<K, V>,
    out: &mut Vec<StatsMismatch>,
) {
    let absent = V::default();
    for (key, want) in recounted {
        let have = stored.get(key).unwrap_or(&absent);
        if have != want {
            out.push(StatsMismatch {
                table,
                key: format!("{key:?}"),
                stored: format!("{have:?}"),
                recounted: format!("{want:?}"),
            });
        }
    }
    for (key, have) in stored {
        if !recounted.contains_key(key) {
            out.push(StatsMismatch {
                table,
                key: format!("{key:?}"),
                stored: format!("{have:?}"),
                recounted: format!("{absent:?}"),
            });
        }
    }
}

impl SqlStore {
    /// Replaces the rollups with a recount from the base tables, in one transaction.
    pub(crate) async fn rebuild_rollups(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                let mut tx = write.wanted().begin().await?;
                for sql in CLEAR.into_iter().chain(review_rollup::CLEAR) {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                for sql in [
                    INSERT_DAILY_SQLITE,
                    INSERT_MONTHLY,
                    INSERT_YEARLY,
                    INSERT_MEMBERSHIPS,
                    review_rollup::INSERT_DAILY_SQLITE,
                    review_rollup::INSERT_TIMES_SQLITE,
                ]
                .into_iter()
                .chain(crate::roster::REBUILD_ROSTER_COUNTS)
                {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                for sql in CLEAR.into_iter().chain(review_rollup::CLEAR) {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                for sql in [
                    INSERT_DAILY_POSTGRES,
                    INSERT_MONTHLY,
                    INSERT_YEARLY,
                    INSERT_MEMBERSHIPS,
                    review_rollup::INSERT_DAILY_POSTGRES,
                    review_rollup::INSERT_TIMES_POSTGRES,
                ]
                .into_iter()
                .chain(crate::roster::REBUILD_ROSTER_COUNTS)
                {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                for sql in ANALYZE_POSTGRES {
                    sqlx::query(sql).execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// Every difference between the rollups and a recount, and between the held members
    /// of the rollups and the trigger-kept counts (see `StatsStore::verify_stats`).
    pub(crate) async fn verify_rollups(&self) -> Result<Vec<StatsMismatch>> {
        // The recounts that read dates differ by dialect; the rest is one text.
        let (recount_daily_sql, review_daily_sql, review_times_sql) = match &self.pools {
            Pools::Sqlite { .. } => (
                RECOUNT_DAILY_SQLITE,
                review_rollup::RECOUNT_DAILY_SQLITE,
                review_rollup::RECOUNT_TIMES_SQLITE,
            ),
            Pools::Postgres(_) => (
                RECOUNT_DAILY_POSTGRES,
                review_rollup::RECOUNT_DAILY_POSTGRES,
                review_rollup::RECOUNT_TIMES_POSTGRES,
            ),
        };
        // One snapshot, so concurrent changes cannot look like drift.
        let mut tx = self.begin_snapshot().await?;
        let (daily, (monthly, yearly), memberships, recount_daily, recount_memberships, held, review) =
            on_tx!(&mut tx, |c| (
                sqlx::query_as::<_, FlowRow>(STORED_DAILY).fetch_all(&mut *c).await?,
                (
                    sqlx::query_as::<_, FlowRow>(STORED_MONTHLY).fetch_all(&mut *c).await?,
                    sqlx::query_as::<_, FlowRow>(STORED_YEARLY).fetch_all(&mut *c).await?,
                ),
                sqlx::query_as::<_, MembershipRow>(STORED_MEMBERSHIPS).fetch_all(&mut *c).await?,
                sqlx::query_as::<_, FlowRow>(recount_daily_sql).fetch_all(&mut *c).await?,
                sqlx::query_as::<_, MembershipRow>(RECOUNT_MEMBERSHIPS).fetch_all(&mut *c).await?,
                sqlx::query_as::<_, (i64, i64)>(HELD_COUNTS).fetch_all(&mut *c).await?,
                (
                    (
                        sqlx::query_as::<_, DailyRow>(review_rollup::STORED_DAILY).fetch_all(&mut *c).await?,
                        sqlx::query_as::<_, TimesRow>(review_rollup::STORED_TIMES).fetch_all(&mut *c).await?,
                    ),
                    (
                        sqlx::query_as::<_, DailyRow>(review_daily_sql).fetch_all(&mut *c).await?,
                        sqlx::query_as::<_, TimesRow>(review_times_sql).fetch_all(&mut *c).await?,
                    ),
                ),
            ));
        let mut out = Vec::new();
        review_rollup::compare_review(review.0, review.1, &mut out);
        let recount_daily = flows_map(recount_daily);
        compare("stats_daily_flows", &flows_map(daily), &recount_daily, &mut out);
        let recount_monthly = monthly_of(&recount_daily);
        compare("stats_monthly_flows", &flows_map(monthly), &recount_monthly, &mut out);
        compare("stats_yearly_flows", &flows_map(yearly), &monthly_of(&recount_monthly), &mut out);
        let memberships = memberships_map(memberships);
        compare("stats_memberships", &memberships, &memberships_map(recount_memberships), &mut out);
        // The held members of the rollups are the trigger-kept counts, union by union, and
        // so is the sum of every flow ever (each held membership joined, and every change
        // since is a flow).
        let mut held_rollup: BTreeMap<i64, i64> = BTreeMap::new();
        for ((org, _, _, _, status), n) in &memberships {
            if status.parse::<huiji_core::MembershipStatus>().is_ok_and(huiji_core::MembershipStatus::is_held)
            {
                *held_rollup.entry(*org).or_default() += n;
            }
        }
        held_rollup.retain(|_, n| *n != 0);
        let held: BTreeMap<i64, i64> = held.into_iter().filter(|(_, n)| *n != 0).collect();
        compare("org_member_counts", &held, &held_rollup, &mut out);
        let mut balance: BTreeMap<i64, i64> = BTreeMap::new();
        for ((org, ..), c) in &recount_daily {
            *balance.entry(*org).or_default() += c[0] - c[1] - c[2] - c[3] + c[4] - c[5];
        }
        balance.retain(|_, n| *n != 0);
        compare("flows balance", &held, &balance, &mut out);
        Ok(out)
    }
}
