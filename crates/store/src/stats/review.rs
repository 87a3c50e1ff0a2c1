//! The review rollup (migration 0062): per receiving union and China day, applications
//! received (and of those escalated since), decided (and of those approved instantly),
//! and a histogram of officers' times to decision (`huiji_core::stats::review`). Kept in
//! the same transaction as each submission (`received_in`), decision (`decided_in`, from
//! the approval's `joined_in` and from a rejection) and escalation (`escalated_in`), so
//! the review figures sum a subtree's days instead of reading a month of applications;
//! recounted from `applications` by `huiji stats rebuild` and checked by `verify`.

use std::collections::BTreeMap;

use huiji_core::Timestamp;
use huiji_core::stats::day_key;

use crate::tx::{Tx, on_tx};
use crate::{Result, StatsMismatch};

/// The bucket of a time to decision (ms), as `huiji_core::stats::review::review_bucket`.
macro_rules! review_bucket {
    ($t:literal) => {
        concat!(
            "CASE WHEN ",
            $t,
            " < 3600000 THEN (CASE WHEN ",
            $t,
            " < 0 THEN 0 ELSE ",
            $t,
            " END) / 600000 \
             WHEN ",
            $t,
            " < 86400000 THEN 6 + (",
            $t,
            " - 3600000) / 3600000 \
             WHEN ",
            $t,
            " < 604800000 THEN 29 + (",
            $t,
            " - 86400000) / 21600000 \
             WHEN ",
            $t,
            " < 2592000000 THEN 53 + (",
            $t,
            " - 604800000) / 86400000 ELSE 76 END"
        )
    };
}

/// An application counted on the day it came in, at its receiving union.
const RECEIVED: &str = "INSERT INTO stats_review_daily (org_id, day, received) \
    SELECT receiving_org_id, $2, 1 FROM applications WHERE id = $1 \
    ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + 1";

/// A decision counted on the day it was made (`$2`), instant or not.
const DECIDED: &str = "INSERT INTO stats_review_daily (org_id, day, decided, instant) \
    SELECT receiving_org_id, $2, 1, CASE WHEN decided_by = 'instant' THEN 1 ELSE 0 END FROM applications \
    WHERE id = $1 AND decided_at IS NOT NULL \
    ON CONFLICT (org_id, day) DO UPDATE SET decided = stats_review_daily.decided + 1, \
    instant = stats_review_daily.instant + excluded.instant";

/// An officer's decision in the histogram of its day.
const DECIDED_TIME: &str = concat!(
    "INSERT INTO stats_review_times (org_id, day, bucket, decisions) SELECT receiving_org_id, $2, ",
    review_bucket!("(decided_at - created_at)"),
    ", 1 FROM applications WHERE id = $1 AND decided_at IS NOT NULL AND COALESCE(decided_by, '') <> 'instant' \
     ON CONFLICT (org_id, day, bucket) DO UPDATE SET decisions = stats_review_times.decisions + 1"
);

/// The application's receiving union, when it came in, and whether its review now sits
/// with that union's parent (its first escalation: the review starts at the receiving
/// union and each escalation moves it one union up).
const FIRST_ESCALATION: &str = "SELECT a.receiving_org_id, a.created_at, \
    CAST(CASE WHEN a.reviewer_org_id = r.parent_id THEN 1 ELSE 0 END AS BIGINT) FROM applications a \
    JOIN orgs r ON r.id = a.receiving_org_id WHERE a.id = $1";

const ESCALATED: &str = "INSERT INTO stats_review_daily (org_id, day, escalated) VALUES ($1, $2, 1) \
    ON CONFLICT (org_id, day) DO UPDATE SET escalated = stats_review_daily.escalated + 1";

/// An application was just submitted (inside the submission's transaction).
pub(crate) async fn received_in(tx: &mut Tx, application_id: i64, at: Timestamp) -> Result<()> {
    let day = day_key(at.china_date());
    on_tx!(tx, |c| {
        sqlx::query(RECEIVED).bind(application_id).bind(day).execute(c).await?;
    });
    Ok(())
}

/// An application was just decided, approved or rejected, at `at`.
pub(crate) async fn decided_in(tx: &mut Tx, application_id: i64, at: Timestamp) -> Result<()> {
    let day = day_key(at.china_date());
    for sql in [DECIDED, DECIDED_TIME] {
        on_tx!(tx, |c| {
            sqlx::query(sql).bind(application_id).bind(day).execute(c).await?;
        });
    }
    Ok(())
}

/// An application's review was just moved one union up; the first move counts.
pub(crate) async fn escalated_in(tx: &mut Tx, application_id: i64) -> Result<()> {
    let row: Option<(i64, i64, i64)> =
        on_tx!(tx, |c| sqlx::query_as(FIRST_ESCALATION).bind(application_id).fetch_optional(c).await?);
    if let Some((org, created_at, 1)) = row {
        let day = day_key(Timestamp(created_at).china_date());
        on_tx!(tx, |c| {
            sqlx::query(ESCALATED).bind(org).bind(day).execute(c).await?;
        });
    }
    Ok(())
}

/// The recount of the daily rows (`$day` is the database's China date of a time in ms).
macro_rules! recount_review_daily {
    ($created:literal, $decided:literal) => {
        concat!(
            "SELECT org_id, day, CAST(SUM(received) AS BIGINT), CAST(SUM(escalated) AS BIGINT), \
             CAST(SUM(decided) AS BIGINT), CAST(SUM(instant) AS BIGINT) FROM (\
             SELECT receiving_org_id AS org_id, ",
            $created,
            " AS day, 1 AS received, CASE WHEN escalated_at IS NOT NULL THEN 1 ELSE 0 END AS escalated, \
             0 AS decided, 0 AS instant FROM applications \
             UNION ALL SELECT receiving_org_id, ",
            $decided,
            ", 0, 0, 1, CASE WHEN decided_by = 'instant' THEN 1 ELSE 0 END FROM applications \
             WHERE decided_at IS NOT NULL) r GROUP BY org_id, day"
        )
    };
}

/// The recount of the histogram.
macro_rules! recount_review_times {
    ($decided:literal) => {
        concat!(
            "SELECT receiving_org_id, ",
            $decided,
            ", ",
            review_bucket!("(decided_at - created_at)"),
            ", CAST(COUNT(*) AS BIGINT) FROM applications WHERE decided_at IS NOT NULL \
             AND COALESCE(decided_by, '') <> 'instant' GROUP BY 1, 2, 3"
        )
    };
}

/// SQLite's recounts.
pub(super) const RECOUNT_DAILY_SQLITE: &str = recount_review_daily!(
    "CAST(strftime('%Y%m%d', created_at / 1000 + 28800, 'unixepoch') AS INTEGER)",
    "CAST(strftime('%Y%m%d', decided_at / 1000 + 28800, 'unixepoch') AS INTEGER)"
);
pub(super) const RECOUNT_TIMES_SQLITE: &str =
    recount_review_times!("CAST(strftime('%Y%m%d', decided_at / 1000 + 28800, 'unixepoch') AS INTEGER)");
/// PostgreSQL's recounts.
pub(super) const RECOUNT_DAILY_POSTGRES: &str = recount_review_daily!(
    "CAST(to_char(to_timestamp(created_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)",
    "CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
);
pub(super) const RECOUNT_TIMES_POSTGRES: &str = recount_review_times!(
    "CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
);
/// The rebuild: the recounts inserted.
pub(super) const INSERT_DAILY_SQLITE: &str = concat!(
    "INSERT INTO stats_review_daily (org_id, day, received, escalated, decided, instant) ",
    recount_review_daily!(
        "CAST(strftime('%Y%m%d', created_at / 1000 + 28800, 'unixepoch') AS INTEGER)",
        "CAST(strftime('%Y%m%d', decided_at / 1000 + 28800, 'unixepoch') AS INTEGER)"
    )
);
pub(super) const INSERT_TIMES_SQLITE: &str = concat!(
    "INSERT INTO stats_review_times (org_id, day, bucket, decisions) ",
    recount_review_times!("CAST(strftime('%Y%m%d', decided_at / 1000 + 28800, 'unixepoch') AS INTEGER)")
);
pub(super) const INSERT_DAILY_POSTGRES: &str = concat!(
    "INSERT INTO stats_review_daily (org_id, day, received, escalated, decided, instant) ",
    recount_review_daily!(
        "CAST(to_char(to_timestamp(created_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)",
        "CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
    )
);
pub(super) const INSERT_TIMES_POSTGRES: &str = concat!(
    "INSERT INTO stats_review_times (org_id, day, bucket, decisions) ",
    recount_review_times!(
        "CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
    )
);

pub(super) const STORED_DAILY: &str =
    "SELECT org_id, day, received, escalated, decided, instant FROM stats_review_daily";
pub(super) const STORED_TIMES: &str = "SELECT org_id, day, bucket, decisions FROM stats_review_times";
pub(super) const CLEAR: [&str; 2] = ["DELETE FROM stats_review_daily", "DELETE FROM stats_review_times"];

/// A daily row: union, day, received, escalated, decided, instant.
pub(super) type DailyRow = (i64, i64, i64, i64, i64, i64);
/// A histogram row: union, day, bucket, decisions.
pub(super) type TimesRow = (i64, i64, i64, i64);

/// Every difference between the stored review rollup and its recount.
pub(super) fn compare_review(
    stored: (Vec<DailyRow>, Vec<TimesRow>),
    recounted: (Vec<DailyRow>, Vec<TimesRow>),
    out: &mut Vec<StatsMismatch>,
) {
    let daily = |rows: Vec<DailyRow>| -> BTreeMap<(i64, i64), [i64; 4]> {
        rows.into_iter()
            .map(|r| ((r.0, r.1), [r.2, r.3, r.4, r.5]))
            .filter(|(_, c)| c.iter().any(|n| *n != 0))
            .collect()
    };
    let times = |rows: Vec<TimesRow>| -> BTreeMap<(i64, i64, i64), i64> {
        rows.into_iter().map(|r| ((r.0, r.1, r.2), r.3)).filter(|(_, n)| *n != 0).collect()
    };
    super::recount::compare("stats_review_daily", &daily(stored.0), &daily(recounted.0), out);
    super::recount::compare("stats_review_times", &times(stored.1), &times(recounted.1), out);
}
