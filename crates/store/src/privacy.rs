//! Privacy operations on stored data: retention purges, re-encryption batches of a key
//! rotation (with progress kept, so an interrupted rotation resumes), and the consent
//! texts.

use async_trait::async_trait;
use huiji_core::Timestamp;

use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

mod purge;

/// What a purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    /// Applications whose personal data was removed.
    pub applications: u64,
    /// Memberships whose personal data was removed.
    pub memberships: u64,
    /// Outbox messages deleted.
    pub outbox: u64,
    /// SMS challenges deleted.
    pub challenges: u64,
    /// Ended legal-aid cases whose personal data was removed (`CaseStore::purge_cases`,
    /// which the app's purge runs beside this one).
    pub cases: u64,
    // Outreach: real-name rosters.
    /// Roster entries of people who never joined, not listed within the period
    /// (`RosterStore::purge_roster`, run by the app's purge beside this one).
    pub roster: u64,
}

/// A table holding sealed values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedTable {
    /// `applications`: ID number and mobile.
    Applications,
    /// `memberships`: ID number and mobile.
    Memberships,
    /// `sms_outbox`: the mobile.
    SmsOutbox,
    /// `platforms`: the webhook signing secret (where one is set).
    Platforms,
    /// `cases`: the legal-aid worker's mobile.
    Cases,
    // Outreach: real-name rosters.
    /// `roster_entries`: ID number and mobile (an entry without a mobile reads as an
    /// empty value, which is never re-encrypted).
    Roster,
    /// `officer_profiles`: an officer's mobile (profiles without one are skipped).
    OfficerProfiles,
}

impl SealedTable {
    /// Every table with ciphertext.
    pub const ALL: [SealedTable; 7] = [
        SealedTable::Applications,
        SealedTable::Memberships,
        SealedTable::SmsOutbox,
        SealedTable::Platforms,
        SealedTable::Cases,
        // Outreach: real-name rosters.
        SealedTable::Roster,
        SealedTable::OfficerProfiles,
    ];

    /// The table's name (progress records use it).
    pub const fn name(self) -> &'static str {
        match self {
            SealedTable::Applications => "applications",
            SealedTable::Memberships => "memberships",
            SealedTable::SmsOutbox => "sms_outbox",
            SealedTable::Platforms => "platforms",
            SealedTable::Cases => "cases",
            SealedTable::Roster => "roster_entries",
            SealedTable::OfficerProfiles => "officer_profiles",
        }
    }
}

/// The sealed values of one row.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedRow {
    /// Row id.
    pub id: i64,
    /// The ID number's ciphertext (`None` where the table has none).
    pub id_number_ct: Option<Vec<u8>>,
    /// The row's other sealed value: the mobile, or a platform's webhook secret.
    pub value_ct: Vec<u8>,
}

impl std::fmt::Debug for SealedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedRow").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A row's values re-encrypted: written only if the row still holds `old`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resealed {
    /// What the batch read.
    pub old: SealedRow,
    /// The same values under the new key.
    pub new: SealedRow,
}

/// One consent text.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentVersion {
    /// "1", "2", ...
    pub version: String,
    /// Chinese text.
    pub text_zh: String,
    /// English text.
    pub text_en: String,
}

const START_ROTATION: &str =
    "INSERT INTO key_rotations (key_id, started_at) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING";
const UNFINISHED_ROTATION: &str =
    "SELECT key_id FROM key_rotations WHERE finished_at IS NULL ORDER BY started_at DESC LIMIT 1";
const ROTATION_FINISHED: &str = "SELECT finished_at FROM key_rotations WHERE key_id = $1";
const FINISH_ROTATION: &str = "UPDATE key_rotations SET finished_at = $2 WHERE key_id = $1";
const PROGRESS: &str = "SELECT last_id FROM key_rotation_progress WHERE key_id = $1 AND table_name = $2";
const SAVE_PROGRESS: &str = "INSERT INTO key_rotation_progress (key_id, table_name, last_id) VALUES ($1, $2, $3) \
    ON CONFLICT (key_id, table_name) DO UPDATE SET last_id = excluded.last_id";

// The LIMITs' CASTs: see `notices::CLAIM_SQLITE`.
const BATCH_APPLICATIONS: &str =
    "SELECT id, id_number_ct, mobile_ct FROM applications WHERE id > $1 ORDER BY id LIMIT CAST($2 AS BIGINT)";
const BATCH_MEMBERSHIPS: &str =
    "SELECT id, id_number_ct, mobile_ct FROM memberships WHERE id > $1 ORDER BY id LIMIT CAST($2 AS BIGINT)";
const BATCH_OUTBOX: &str =
    "SELECT id, mobile_ct FROM sms_outbox WHERE id > $1 ORDER BY id LIMIT CAST($2 AS BIGINT)";
const BATCH_PLATFORMS: &str = "SELECT id, webhook_secret_ct FROM platforms \
    WHERE id > $1 AND webhook_secret_ct IS NOT NULL ORDER BY id LIMIT CAST($2 AS BIGINT)";
const BATCH_USERS: &str = "SELECT user_id, mobile_ct FROM officer_profiles \
    WHERE user_id > $1 AND mobile_ct IS NOT NULL ORDER BY user_id LIMIT CAST($2 AS BIGINT)";
const RESEAL_USER: &str = "UPDATE officer_profiles SET mobile_ct = $2 WHERE user_id = $1 AND mobile_ct = $3";
const BATCH_CASES: &str =
    "SELECT id, mobile_ct FROM cases WHERE id > $1 ORDER BY id LIMIT CAST($2 AS BIGINT)";
// Outreach: real-name rosters.
const BATCH_ROSTER: &str = "SELECT id, id_number_ct, mobile_ct FROM roster_entries WHERE id > $1 ORDER BY id LIMIT CAST($2 AS BIGINT)";
/// An entry without a mobile keeps none.
const RESEAL_ROSTER: &str = "UPDATE roster_entries SET id_number_ct = $2, \
    mobile_ct = CASE WHEN mobile_ct IS NULL THEN NULL ELSE $3 END \
    WHERE id = $1 AND id_number_ct = $4 AND (mobile_ct IS NULL OR mobile_ct = $5)";
/// Compare-and-set: a row changed since the batch read it keeps its newer value.
const RESEAL_APPLICATION: &str = "UPDATE applications SET id_number_ct = $2, mobile_ct = $3 \
    WHERE id = $1 AND id_number_ct = $4 AND mobile_ct = $5";
const RESEAL_MEMBERSHIP: &str = "UPDATE memberships SET id_number_ct = $2, mobile_ct = $3 \
    WHERE id = $1 AND id_number_ct = $4 AND mobile_ct = $5";
const RESEAL_OUTBOX: &str = "UPDATE sms_outbox SET mobile_ct = $2 WHERE id = $1 AND mobile_ct = $3";
const RESEAL_CASE: &str = "UPDATE cases SET mobile_ct = $2 WHERE id = $1 AND mobile_ct = $3";
const RESEAL_PLATFORM: &str =
    "UPDATE platforms SET webhook_secret_ct = $2 WHERE id = $1 AND webhook_secret_ct = $3";

const CONSENT_VERSIONS: &str =
    "SELECT version, text_zh, text_en FROM consent_versions ORDER BY created_at, version";

const MAX_CONSENT_VERSION: &str =
    "SELECT CAST(COALESCE(MAX(CAST(version AS INTEGER)), 0) AS BIGINT) FROM consent_versions";
const INSERT_CONSENT: &str =
    "INSERT INTO consent_versions (version, text_zh, text_en, created_at) VALUES ($1, $2, $3, $4)";

/// Retention, key rotation and consent texts.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Removes the personal data (name, ciphertexts, blind indexes, employer) of
    /// applications rejected before `cutoff` and of memberships withdrawn before it (and
    /// their applications); deletes SMS outbox messages and challenges older than it.
    /// Rows stay, so counts by status, union, occupation and date are kept.
    async fn purge_personal_data(&self, cutoff: Timestamp, at: Timestamp) -> Result<PurgeCounts>;

    /// Records that a rotation to `key_id` started (nothing if it already had).
    async fn start_key_rotation(&self, key_id: &str, at: Timestamp) -> Result<()>;
    /// The newest rotation not finished yet.
    async fn unfinished_key_rotation(&self) -> Result<Option<String>>;
    /// Whether the rotation to `key_id` finished (`None`: never started).
    async fn key_rotation_finished(&self, key_id: &str) -> Result<Option<bool>>;
    /// Marks a rotation finished.
    async fn finish_key_rotation(&self, key_id: &str, at: Timestamp) -> Result<()>;
    /// The last row id a rotation finished in a table (0 before it starts there).
    async fn key_rotation_progress(&self, key_id: &str, table: SealedTable) -> Result<i64>;
    /// Up to `limit` rows of a table with ids above `after`, in id order.
    async fn sealed_batch(&self, table: SealedTable, after: i64, limit: u32) -> Result<Vec<SealedRow>>;
    /// Writes re-encrypted rows (each only if unchanged since read) and, with a
    /// `progress` of `(key_id, last_id)`, the rotation's progress, in one transaction.
    /// Returns how many rows were written.
    async fn reseal(
        &self,
        table: SealedTable,
        rows: &[Resealed],
        progress: Option<(&str, i64)>,
    ) -> Result<u64>;

    /// The consent texts, oldest first; the last is current.
    async fn consent_versions(&self) -> Result<Vec<ConsentVersion>>;

    /// Stores a new consent text as the next version ("2" after "1"); returns it.
    async fn publish_consent(&self, text_zh: &str, text_en: &str, at: Timestamp) -> Result<String>;
}

#[async_trait]
impl PrivacyStore for SqlStore {
    async fn purge_personal_data(&self, cutoff: Timestamp, at: Timestamp) -> Result<PurgeCounts> {
        purge::purge_personal_data(self, cutoff, at).await
    }

    async fn start_key_rotation(&self, key_id: &str, at: Timestamp) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(START_ROTATION).bind(key_id).bind(at.millis()).execute(p).await?;
        });
        Ok(())
    }

    async fn unfinished_key_rotation(&self) -> Result<Option<String>> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_scalar(UNFINISHED_ROTATION)
            .fetch_optional(p)
            .await?))
    }

    async fn key_rotation_finished(&self, key_id: &str) -> Result<Option<bool>> {
        let row: Option<Option<i64>> =
            on_pool!(&self.pools, write, |p| sqlx::query_scalar(ROTATION_FINISHED)
                .bind(key_id)
                .fetch_optional(p)
                .await?);
        Ok(row.map(|finished| finished.is_some()))
    }

    async fn finish_key_rotation(&self, key_id: &str, at: Timestamp) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(FINISH_ROTATION).bind(key_id).bind(at.millis()).execute(p).await?;
        });
        Ok(())
    }

    async fn key_rotation_progress(&self, key_id: &str, table: SealedTable) -> Result<i64> {
        let last: Option<i64> = on_pool!(&self.pools, write, |p| sqlx::query_scalar(PROGRESS)
            .bind(key_id)
            .bind(table.name())
            .fetch_optional(p)
            .await?);
        Ok(last.unwrap_or(0))
    }

    async fn sealed_batch(&self, table: SealedTable, after: i64, limit: u32) -> Result<Vec<SealedRow>> {
        let limit = i64::from(limit);
        Ok(match table {
            SealedTable::Applications | SealedTable::Memberships => {
                let sql =
                    if table == SealedTable::Applications { BATCH_APPLICATIONS } else { BATCH_MEMBERSHIPS };
                let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = on_pool!(&self.pools, read, |p| sqlx::query_as(sql)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(p)
                    .await?);
                rows.into_iter()
                    .map(|(id, id_number_ct, value_ct)| SealedRow {
                        id,
                        id_number_ct: Some(id_number_ct),
                        value_ct,
                    })
                    .collect()
            }
            // Outreach: real-name rosters.
            SealedTable::Roster => {
                let rows: Vec<(i64, Vec<u8>, Option<Vec<u8>>)> =
                    on_pool!(&self.pools, read, |p| sqlx::query_as(BATCH_ROSTER)
                        .bind(after)
                        .bind(limit)
                        .fetch_all(p)
                        .await?);
                rows.into_iter()
                    .map(|(id, id_number_ct, mobile_ct)| SealedRow {
                        id,
                        id_number_ct: Some(id_number_ct),
                        value_ct: mobile_ct.unwrap_or_default(),
                    })
                    .collect()
            }
            SealedTable::SmsOutbox
            | SealedTable::Platforms
            | SealedTable::Cases
            | SealedTable::OfficerProfiles => {
                let sql = match table {
                    SealedTable::SmsOutbox => BATCH_OUTBOX,
                    SealedTable::Cases => BATCH_CASES,
                    SealedTable::OfficerProfiles => BATCH_USERS,
                    _ => BATCH_PLATFORMS,
                };
                let rows: Vec<(i64, Vec<u8>)> = on_pool!(&self.pools, read, |p| sqlx::query_as(sql)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(p)
                    .await?);
                rows.into_iter()
                    .map(|(id, value_ct)| SealedRow { id, id_number_ct: None, value_ct })
                    .collect()
            }
        })
    }

    async fn reseal(
        &self,
        table: SealedTable,
        rows: &[Resealed],
        progress: Option<(&str, i64)>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut written = 0;
        for row in rows {
            if row.old.id != row.new.id {
                return Err(StoreError::Corrupt("resealed row ids differ".to_owned()));
            }
            let done = match (table, &row.new.id_number_ct, &row.old.id_number_ct) {
                (
                    SealedTable::SmsOutbox
                    | SealedTable::Platforms
                    | SealedTable::Cases
                    | SealedTable::OfficerProfiles,
                    _,
                    _,
                ) => {
                    let sql = match table {
                        SealedTable::SmsOutbox => RESEAL_OUTBOX,
                        SealedTable::Cases => RESEAL_CASE,
                        SealedTable::OfficerProfiles => RESEAL_USER,
                        _ => RESEAL_PLATFORM,
                    };
                    on_tx!(&mut tx, |c| sqlx::query(sql)
                        .bind(row.new.id)
                        .bind(&row.new.value_ct)
                        .bind(&row.old.value_ct)
                        .execute(c)
                        .await?
                        .rows_affected())
                }
                (_, Some(new_id), Some(old_id)) => {
                    let sql = match table {
                        SealedTable::Applications => RESEAL_APPLICATION,
                        // Outreach: real-name rosters.
                        SealedTable::Roster => RESEAL_ROSTER,
                        _ => RESEAL_MEMBERSHIP,
                    };
                    on_tx!(&mut tx, |c| sqlx::query(sql)
                        .bind(row.new.id)
                        .bind(new_id)
                        .bind(&row.new.value_ct)
                        .bind(old_id)
                        .bind(&row.old.value_ct)
                        .execute(c)
                        .await?
                        .rows_affected())
                }
                _ => return Err(StoreError::Corrupt("an ID number ciphertext is missing".to_owned())),
            };
            written += done;
        }
        if let Some((key_id, last_id)) = progress {
            on_tx!(&mut tx, |c| {
                sqlx::query(SAVE_PROGRESS).bind(key_id).bind(table.name()).bind(last_id).execute(c).await?;
            });
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn consent_versions(&self) -> Result<Vec<ConsentVersion>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(CONSENT_VERSIONS).fetch_all(p).await?))
    }

    async fn publish_consent(&self, text_zh: &str, text_en: &str, at: Timestamp) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let newest: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(MAX_CONSENT_VERSION).fetch_one(c).await?);
        let version = (newest + 1).to_string();
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_CONSENT)
                .bind(&version)
                .bind(text_zh)
                .bind(text_en)
                .bind(at.millis())
                .execute(c)
                .await?;
        });
        tx.commit().await?;
        Ok(version)
    }
}
