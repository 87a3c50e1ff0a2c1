//! Queueing a campaign at scale: its targets read once, in blind-index order, and written
//! in batches that the database completes from the roster entries.
//!
//! Why blind-index order: two of `campaign_messages`' indexes are keyed by the mobile's
//! blind index (`(campaign_id, mobile_bidx)` and `(mobile_bidx, sent_at)`), random keys.
//! Batches in roster order put every batch's inserts all over both indexes, so each
//! transaction dirtied (and SQLite's WAL rewrote) thousands of leaf pages: most of the
//! 41.9 s of CPU that queueing 503,091 targets took was that write traffic (BENCHMARKS.md,
//! K). In blind-index order each batch appends to the right edge of both.
//!
//! Why the join: the mobile's ciphertext and blind index, occupation and region are the
//! roster entry's; the app decides only the union, the invite code and the surname, so
//! it sends those with the entry's id and the statement copies the rest.

use huiji_core::campaign::FrequencyCap;
use huiji_core::{OrgId, OrgPath, Timestamp};
use sqlx::QueryBuilder;

use crate::db::{Pools, SqlStore};
use crate::tx::Tx;
use crate::{Result, StoreError};

/// A roster entry a campaign may target: a non-member with a mobile (the filters of the
/// campaign are the app's to apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignTarget {
    /// The roster entry's id.
    pub entry_id: i64,
    /// The roster's source.
    pub source: String,
    /// 姓名, when known.
    pub name: Option<String>,
    /// 从业类型
    pub occupation: huiji_core::Occupation,
    /// Work region, when known.
    pub region: Option<huiji_core::RegionCode>,
}

/// What the app decided for one target; the rest of its message is the roster entry's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaignTarget {
    /// The roster entry.
    pub entry_id: i64,
    /// The receiving union the join rules pick for it, when one serves it.
    pub org: Option<OrgId>,
    /// The personal invite code.
    pub invite_code: String,
    /// The surname to address them by, when the name has one.
    pub surname: Option<String>,
}

/// Non-members with a mobile in the subtree, in blind-index order (the entry's id breaks
/// ties of one mobile on several rosters). Someone whose membership ended by death is
/// nobody to invite, as on the outreach list.
const TARGETS: &str = "SELECT id, source, name, occupation, region_code FROM roster_entries \
    WHERE org_path >= $1 AND org_path < $2 AND state = 'not_member' AND mobile_bidx IS NOT NULL \
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx \
    AND m.status = 'deceased') ORDER BY mobile_bidx, id";

/// PostgreSQL: the same, sorted bytewise — the order of the indexes for hex keys in any
/// collation, and cheaper than the database's collation.
const TARGETS_PG: &str = "SELECT id, source, name, occupation, region_code FROM roster_entries \
    WHERE org_path >= $1 AND org_path < $2 AND state = 'not_member' AND mobile_bidx IS NOT NULL \
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = roster_entries.id_number_bidx \
    AND m.status = 'deceased') ORDER BY mobile_bidx COLLATE \"C\", id";

/// SQLite, in pieces around the bound values: the campaign, the cap (the window, the
/// earliest send that counts, the offset of the `max_messages`-th most recent send), the
/// due time, then `(entry id, union, code, surname)` rows (`VALUES` names them `column1`
/// …). A mobile on the suppression list is stored suppressed (counted, never sent); one
/// the cap does not allow at the due time is due when the oldest of its counted sends
/// leaves the window ([`FrequencyCap::next_allowed`] in SQL); a mobile the campaign
/// already has adds nothing; an entry that stopped being a target since it was read
/// (joined, lost its mobile) is left out.
const INSERT_HEAD: &str = "INSERT INTO campaign_messages (campaign_id, org_id, occupation, region_code, \
    surname, mobile_ct, mobile_bidx, invite_code, state, due_at) SELECT ";
const INSERT_STATE: &str = ", v.column2, r.occupation, r.region_code, v.column4, r.mobile_ct, r.mobile_bidx, \
    v.column3, CASE WHEN EXISTS (SELECT 1 FROM campaign_suppressions s WHERE s.mobile_bidx = r.mobile_bidx) \
    THEN 'suppressed' ELSE 'queued' END, MAX(COALESCE((SELECT s.sent_at + ";
const INSERT_SINCE: &str = " FROM campaign_messages s WHERE s.mobile_bidx = r.mobile_bidx AND s.sent_at > ";
const INSERT_NTH: &str = " ORDER BY s.sent_at DESC LIMIT 1 OFFSET ";
const INSERT_DUE: &str = "), 0), ";
const INSERT_VALUES: &str = ") FROM (";
const INSERT_TAIL: &str = ") v JOIN roster_entries r ON r.id = v.column1 \
    WHERE r.state = 'not_member' AND r.mobile_bidx IS NOT NULL ON CONFLICT DO NOTHING";

/// Rows per SQLite statement: four bound values each, under its 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 8_000;

/// PostgreSQL: the batch as four arrays joined to the roster by primary key, inserted in
/// the order given ([`INSERT_HEAD`]'s rules; `$5` the due time, `$6` the window, `$7` the
/// offset).
const INSERT_PG: &str = "INSERT INTO campaign_messages (campaign_id, org_id, occupation, region_code, \
    surname, mobile_ct, mobile_bidx, invite_code, state, due_at) \
    SELECT $1, v.org_id, r.occupation, r.region_code, v.surname, r.mobile_ct, r.mobile_bidx, v.invite_code, \
    CASE WHEN EXISTS (SELECT 1 FROM campaign_suppressions s WHERE s.mobile_bidx = r.mobile_bidx) \
    THEN 'suppressed' ELSE 'queued' END, \
    GREATEST($5, (SELECT s.sent_at + $6 FROM campaign_messages s WHERE s.mobile_bidx = r.mobile_bidx \
    AND s.sent_at > $5 - $6 ORDER BY s.sent_at DESC LIMIT 1 OFFSET $7)) \
    FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $8::text[]) WITH ORDINALITY \
    AS v (entry_id, org_id, invite_code, surname, n) \
    JOIN roster_entries r ON r.id = v.entry_id WHERE r.state = 'not_member' AND r.mobile_bidx IS NOT NULL \
    ORDER BY v.n ON CONFLICT DO NOTHING";

/// A batch is a few thousand primary-key probes of the roster. On analysed tables the
/// plan is that nested loop with or without this (`EXPLAIN ANALYZE` of a 6,000-row batch
/// at 559,305 entries, 2026-12-03); it guards a roster imported moments before, whose
/// statistics still say it is small, against a hash join that reads all of it per batch.
const NO_SEQSCAN: &str = "SET LOCAL enable_seqscan = off";

type TargetRow = (i64, String, Option<String>, String, Option<String>);

pub(super) async fn read(store: &SqlStore, within: &OrgPath) -> Result<Vec<CampaignTarget>> {
    let (low, high) = (within.as_str(), within.subtree_upper_bound());
    let rows: Vec<TargetRow> = match &store.pools {
        Pools::Sqlite { read, .. } => sqlx::query_as(TARGETS).bind(low).bind(&high).fetch_all(read).await?,
        Pools::Postgres(pool) => sqlx::query_as(TARGETS_PG).bind(low).bind(&high).fetch_all(pool).await?,
    };
    rows.into_iter()
        .map(|(id, source, name, occupation, region)| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("roster entry {id}: {what}"));
            Ok(CampaignTarget {
                entry_id: id,
                source,
                name,
                occupation: occupation.parse().map_err(|_| corrupt("occupation"))?,
                region: region.map(|r| r.parse().map_err(|_| corrupt("region"))).transpose()?,
            })
        })
        .collect()
}

pub(super) async fn add(
    store: &SqlStore,
    campaign_id: i64,
    targets: &[NewCampaignTarget],
    due_at: Timestamp,
    cap: FrequencyCap,
) -> Result<u64> {
    let window = cap.window_millis();
    let offset = i64::from(cap.max_messages()) - 1;
    let mut tx = store.begin_write().await?;
    let added = match &mut tx {
        Tx::Sqlite(t) => {
            let mut added = 0;
            for chunk in targets.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(INSERT_HEAD);
                q.push_bind(campaign_id)
                    .push(INSERT_STATE)
                    .push_bind(window)
                    .push(INSERT_SINCE)
                    .push_bind(due_at.millis() - window)
                    .push(INSERT_NTH)
                    .push_bind(offset)
                    .push(INSERT_DUE)
                    .push_bind(due_at.millis())
                    .push(INSERT_VALUES);
                q.push_values(chunk, |mut row, target| {
                    row.push_bind(target.entry_id)
                        .push_bind(target.org.map(|o| o.0))
                        .push_bind(target.invite_code.as_str())
                        .push_bind(target.surname.as_deref());
                });
                q.push(INSERT_TAIL);
                added += q.build().execute(&mut **t).await?.rows_affected();
            }
            added
        }
        Tx::Postgres(t) => {
            sqlx::query(NO_SEQSCAN).execute(&mut **t).await?;
            sqlx::query(INSERT_PG)
                .bind(campaign_id)
                .bind(targets.iter().map(|t| t.entry_id).collect::<Vec<_>>())
                .bind(targets.iter().map(|t| t.org.map(|o| o.0)).collect::<Vec<_>>())
                .bind(targets.iter().map(|t| t.invite_code.as_str()).collect::<Vec<_>>())
                .bind(due_at.millis())
                .bind(window)
                .bind(offset)
                .bind(targets.iter().map(|t| t.surname.as_deref()).collect::<Vec<_>>())
                .execute(&mut **t)
                .await?
                .rows_affected()
        }
    };
    tx.commit().await?;
    Ok(added)
}
