//! Keeping the rollups in the same transaction as each change of a membership. Each store
//! function that changes one calls exactly one of these (approval in `joining.rs`, the
//! lifecycle and distribution in `members.rs`, a transfer in `transfers.rs`), after its
//! own writes: the rollups then never disagree with what was committed, and a rolled-back
//! change rolls its counts back with it.

use huiji_core::stats::{day_key, month_key};
use huiji_core::{MembershipStatus, OrgId, Timestamp};

use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

/// The rollup key of a membership: its union, occupation, channel, platform and status.
/// With the application it was made from, so a join's hook needs no second read.
const KEY_OF_MEMBERSHIP: &str = "SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), \
    CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, m.application_id \
    FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = $1";

/// Adds flows to a day's row (created at zero if missing).
const ADD_DAILY: &str = "INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, \
    peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
    ON CONFLICT (org_id, day, occupation, channel, platform_id, peer_org_id) DO UPDATE SET \
    joined = stats_daily_flows.joined + excluded.joined, \
    withdrawn = stats_daily_flows.withdrawn + excluded.withdrawn, \
    expelled = stats_daily_flows.expelled + excluded.expelled, \
    deceased = stats_daily_flows.deceased + excluded.deceased, \
    moved_in = stats_daily_flows.moved_in + excluded.moved_in, \
    moved_out = stats_daily_flows.moved_out + excluded.moved_out";

/// Adds flows to a month's row.
const ADD_MONTHLY: &str = "INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, \
    peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
    ON CONFLICT (org_id, month, occupation, channel, platform_id, peer_org_id) DO UPDATE SET \
    joined = stats_monthly_flows.joined + excluded.joined, \
    withdrawn = stats_monthly_flows.withdrawn + excluded.withdrawn, \
    expelled = stats_monthly_flows.expelled + excluded.expelled, \
    deceased = stats_monthly_flows.deceased + excluded.deceased, \
    moved_in = stats_monthly_flows.moved_in + excluded.moved_in, \
    moved_out = stats_monthly_flows.moved_out + excluded.moved_out";

/// Adds flows to a year's row.
const ADD_YEARLY: &str = "INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, \
    peer_org_id, joined, withdrawn, expelled, deceased, moved_in, moved_out) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
    ON CONFLICT (org_id, year, occupation, channel, platform_id, peer_org_id) DO UPDATE SET \
    joined = stats_yearly_flows.joined + excluded.joined, \
    withdrawn = stats_yearly_flows.withdrawn + excluded.withdrawn, \
    expelled = stats_yearly_flows.expelled + excluded.expelled, \
    deceased = stats_yearly_flows.deceased + excluded.deceased, \
    moved_in = stats_yearly_flows.moved_in + excluded.moved_in, \
    moved_out = stats_yearly_flows.moved_out + excluded.moved_out";

/// Adds (or with a negative count removes) memberships of one key and status.
const ADD_MEMBERSHIPS: &str = "INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, \
    status, members) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET \
    members = stats_memberships.members + excluded.members";

/// A membership's rollup key as read in the transaction.
struct Key {
    org: i64,
    occupation: String,
    channel: String,
    platform: i64,
    status: String,
    /// The application the membership was made from (none for a loaded one).
    application: Option<i64>,
}

/// One row's worth of flow deltas.
#[derive(Default)]
struct Delta {
    joined: i64,
    withdrawn: i64,
    expelled: i64,
    deceased: i64,
    moved_in: i64,
    moved_out: i64,
}

async fn key_of(tx: &mut Tx, membership_id: i64) -> Result<Key> {
    let row: Option<(i64, String, String, i64, String, Option<i64>)> =
        on_tx!(tx, |c| sqlx::query_as(KEY_OF_MEMBERSHIP).bind(membership_id).fetch_optional(c).await?);
    let (org, occupation, channel, platform, status, application) =
        row.ok_or(StoreError::NotFound("membership"))?;
    Ok(Key { org, occupation, channel, platform, status, application })
}

async fn add_flows(tx: &mut Tx, key: &Key, org: i64, peer: i64, at: Timestamp, d: &Delta) -> Result<()> {
    let date = at.china_date();
    let periods =
        [(ADD_DAILY, day_key(date)), (ADD_MONTHLY, month_key(date)), (ADD_YEARLY, i64::from(date.year()))];
    for (sql, period) in periods {
        on_tx!(tx, |c| {
            sqlx::query(sql)
                .bind(org)
                .bind(period)
                .bind(&key.occupation)
                .bind(&key.channel)
                .bind(key.platform)
                .bind(peer)
                .bind(d.joined)
                .bind(d.withdrawn)
                .bind(d.expelled)
                .bind(d.deceased)
                .bind(d.moved_in)
                .bind(d.moved_out)
                .execute(c)
                .await?;
        });
    }
    Ok(())
}

async fn add_memberships(tx: &mut Tx, key: &Key, org: i64, status: &str, count: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(ADD_MEMBERSHIPS)
            .bind(org)
            .bind(&key.occupation)
            .bind(&key.channel)
            .bind(key.platform)
            .bind(status)
            .bind(count)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// A membership was just made (instant or officer approval): one join at its union, and
/// its application's decision in the review rollup.
pub(crate) async fn joined_in(tx: &mut Tx, membership_id: i64, at: Timestamp) -> Result<()> {
    let key = key_of(tx, membership_id).await?;
    add_flows(tx, &key, key.org, 0, at, &Delta { joined: 1, ..Delta::default() }).await?;
    add_memberships(tx, &key, key.org, &key.status, 1).await?;
    match key.application {
        Some(application_id) => super::review::decided_in(tx, application_id, at).await,
        None => Ok(()),
    }
}

/// A membership's status just changed from `from` (a lifecycle action): the status counts
/// move, and a leaving (withdrawn, expelled, deceased) is a flow out of its union.
pub(crate) async fn status_changed_in(
    tx: &mut Tx,
    membership_id: i64,
    from: &str,
    at: Timestamp,
) -> Result<()> {
    let key = key_of(tx, membership_id).await?;
    add_memberships(tx, &key, key.org, from, -1).await?;
    add_memberships(tx, &key, key.org, &key.status, 1).await?;
    let was_held = from.parse::<MembershipStatus>().is_ok_and(MembershipStatus::is_held);
    let delta = match key.status.parse::<MembershipStatus>() {
        Ok(MembershipStatus::Withdrawn) if was_held => Delta { withdrawn: 1, ..Delta::default() },
        Ok(MembershipStatus::Expelled) if was_held => Delta { expelled: 1, ..Delta::default() },
        Ok(MembershipStatus::Deceased) if was_held => Delta { deceased: 1, ..Delta::default() },
        _ => return Ok(()),
    };
    add_flows(tx, &key, key.org, 0, at, &delta).await
}

/// A held membership just moved from `from` to `to` (a transfer or a distribution from a
/// pool): out of one union, into the other, each row naming the other as its peer.
pub(crate) async fn moved_in(
    tx: &mut Tx,
    membership_id: i64,
    from: OrgId,
    to: OrgId,
    at: Timestamp,
) -> Result<()> {
    let key = key_of(tx, membership_id).await?;
    add_memberships(tx, &key, from.0, &key.status, -1).await?;
    add_memberships(tx, &key, to.0, &key.status, 1).await?;
    add_flows(tx, &key, from.0, to.0, at, &Delta { moved_out: 1, ..Delta::default() }).await?;
    add_flows(tx, &key, to.0, from.0, at, &Delta { moved_in: 1, ..Delta::default() }).await
}
