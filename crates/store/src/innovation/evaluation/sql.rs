//! The evaluation's statements.

use async_trait::async_trait;
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::{AttachmentId, CallId, CallStatus, EntryId, Hundredths};
use huiji_core::{Timestamp, UserId};

use super::super::rows::{conflict, int};
use super::rows::{AttachmentRow, CallRow, EntryRow, JudgeRow, ScoreRow, studio_list};
use super::{
    Attachment, AttachmentMeta, Call, CloseOutcome, EntryRecord, EvaluationStore, Judge, NewAttachment,
    NewCall, NewEntry, ScoreOutcome, ScoreRecord, Tally,
};
use crate::db::{SqlStore, on_pool};
use crate::innovation::{RegistryConflict, Saved};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

macro_rules! call {
    () => {
        "SELECT c.id, c.org_id, o.name AS org_name, c.org_path, c.title, c.categories, c.opens_on, \
         c.closes_on, c.first_prizes, c.second_prizes, c.third_prizes, c.excellence_awards, c.status, \
         c.created_by, c.created_at, c.closed_by, c.closed_at \
         FROM innovation_calls c JOIN orgs o ON o.id = c.org_id"
    };
}
const CALL: &str = concat!(call!(), " WHERE c.id = $1");
const CALLS: &str = concat!(call!(), " ORDER BY c.id DESC");
const JUDGED_CALLS: &str =
    concat!(call!(), " JOIN innovation_judges j ON j.call_id = c.id WHERE j.user_id = $1 ORDER BY c.id DESC");
const CRITERIA: &str = "SELECT name, weight FROM innovation_criteria WHERE call_id = $1 ORDER BY position";
const INSERT_CALL: &str = "INSERT INTO innovation_calls (org_id, org_path, title, categories, opens_on, \
    closes_on, first_prizes, second_prizes, third_prizes, excellence_awards, created_by, created_at) \
    SELECT o.id, o.path, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM orgs o WHERE o.id = $1 RETURNING id";
const INSERT_CRITERION: &str =
    "INSERT INTO innovation_criteria (call_id, position, name, weight) VALUES ($1, $2, $3, $4)";

macro_rules! entry {
    () => {
        "SELECT e.id, e.call_id, e.category, e.title, e.summary, e.authors, e.studio_id, \
         s.name AS studio_name, e.org_id, o.name AS org_name, e.org_path, e.submitted_by, e.created_at, \
         e.score, e.judges, e.rank, e.award, \
         (SELECT COUNT(*) FROM innovation_attachments a WHERE a.entry_id = e.id) AS attachments \
         FROM innovation_entries e JOIN orgs o ON o.id = e.org_id \
         LEFT JOIN innovation_studios s ON s.id = e.studio_id"
    };
}
const ENTRY: &str = concat!(entry!(), " WHERE e.id = $1");
const ENTRIES: &str = concat!(entry!(), " WHERE e.call_id = $1 ORDER BY e.id");
const INSERT_ENTRY: &str = "INSERT INTO innovation_entries (call_id, category, title, summary, authors, \
    studio_id, org_id, org_path, submitted_by, created_at) \
    SELECT $1, $2, $3, $4, $5, $6, o.id, o.path, $8, $9 FROM orgs o WHERE o.id = $7 RETURNING id";

const INSERT_ATTACHMENT: &str = "INSERT INTO innovation_attachments (entry_id, file_name, kind, size, content, \
    created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const ATTACHMENTS: &str =
    "SELECT id, entry_id, file_name, kind, size FROM innovation_attachments WHERE entry_id = $1 ORDER BY id";
const ATTACHMENT: &str =
    "SELECT id, entry_id, file_name, kind, size FROM innovation_attachments WHERE id = $1";
const ATTACHMENT_CONTENT: &str = "SELECT content FROM innovation_attachments WHERE id = $1";

const APPOINT: &str = "INSERT INTO innovation_judges (call_id, user_id, studios, appointed_by, appointed_at) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id, user_id) DO UPDATE SET studios = excluded.studios, \
    appointed_by = excluded.appointed_by, appointed_at = excluded.appointed_at";
const JUDGES: &str = "SELECT j.call_id, j.user_id, u.username, u.role, u.org_id, j.studios, j.appointed_by \
    FROM innovation_judges j JOIN users u ON u.id = j.user_id WHERE j.call_id = $1 ORDER BY u.username";

const RECUSE: &str = "INSERT INTO innovation_recusals (entry_id, user_id, reason, at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (entry_id, user_id) DO NOTHING";
const RECUSALS: &str = "SELECT r.entry_id, r.user_id FROM innovation_recusals r \
    JOIN innovation_entries e ON e.id = r.entry_id WHERE e.call_id = $1 ORDER BY r.entry_id, r.user_id";

macro_rules! call_status_of_entry {
    () => {
        "SELECT c.status FROM innovation_entries e JOIN innovation_calls c ON c.id = e.call_id WHERE e.id = $1"
    };
}
/// PostgreSQL: closing updates the call's row, so it waits for every score holding this.
const CALL_STATUS_OF_ENTRY_SHARED: &str = concat!(call_status_of_entry!(), " FOR SHARE OF c");
const UPSERT_SCORE: &str = "INSERT INTO innovation_scores (entry_id, user_id, marks, score, scored_at) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (entry_id, user_id) DO UPDATE SET marks = excluded.marks, \
    score = excluded.score, scored_at = excluded.scored_at";
const SCORES: &str = "SELECT sc.entry_id, sc.user_id, sc.marks, sc.score, sc.scored_at FROM innovation_scores sc \
    JOIN innovation_entries e ON e.id = sc.entry_id WHERE e.call_id = $1 ORDER BY sc.entry_id, sc.user_id";

const CLOSE: &str = "UPDATE innovation_calls SET status = 'closed', closed_by = $2, closed_at = $3 \
    WHERE id = $1 AND status = 'open'";
const CALL_EXISTS: &str = "SELECT COUNT(*) FROM innovation_calls WHERE id = $1";
const WRITE_RESULT: &str = "UPDATE innovation_entries SET score = $2, judges = $3, rank = $4, award = $5 \
    WHERE id = $1 AND call_id = $6";

impl SqlStore {
    async fn with_criteria(&self, rows: Vec<CallRow>) -> Result<Vec<Call>> {
        let mut calls = Vec::with_capacity(rows.len());
        for row in rows {
            let criteria: Vec<(String, i32)> =
                on_pool!(&self.pools, read, |p| sqlx::query_as(CRITERIA).bind(row.id).fetch_all(p).await?);
            calls.push(row.into_call(criteria)?);
        }
        Ok(calls)
    }
}

/// Reads a call's scores inside a transaction.
async fn scores_in(tx: &mut Tx, call: CallId) -> Result<Vec<ScoreRecord>> {
    let rows: Vec<ScoreRow> = on_tx!(tx, |c| sqlx::query_as(SCORES).bind(call.0).fetch_all(c).await?);
    rows.into_iter().map(ScoreRecord::try_from).collect()
}

#[async_trait]
impl EvaluationStore for SqlStore {
    async fn create_call(&self, call: &NewCall, at: Timestamp) -> Result<CallId> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT_CALL)
            .bind(call.org.0)
            .bind(&call.title)
            .bind(call.categories.join("\n"))
            .bind(call.window.opens.to_string())
            .bind(call.window.closes.to_string())
            .bind(int(call.plan.first))
            .bind(int(call.plan.second))
            .bind(int(call.plan.third))
            .bind(int(call.plan.excellence))
            .bind(&call.created_by)
            .bind(at.millis())
            .fetch_optional(c)
            .await?);
        let id = id.ok_or(StoreError::NotFound("org"))?;
        for (position, criterion) in (0i32..).zip(call.criteria.as_slice()) {
            on_tx!(&mut tx, |c| {
                sqlx::query(INSERT_CRITERION)
                    .bind(id)
                    .bind(position)
                    .bind(&criterion.name)
                    .bind(int(criterion.weight))
                    .execute(c)
                    .await?;
            });
        }
        tx.commit().await?;
        Ok(CallId(id))
    }

    async fn call(&self, id: CallId) -> Result<Option<Call>> {
        let row: Option<CallRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(CALL).bind(id.0).fetch_optional(p).await?);
        Ok(self.with_criteria(row.into_iter().collect()).await?.pop())
    }

    async fn calls(&self) -> Result<Vec<Call>> {
        let rows: Vec<CallRow> = on_pool!(&self.pools, read, |p| sqlx::query_as(CALLS).fetch_all(p).await?);
        self.with_criteria(rows).await
    }

    async fn add_entry(&self, entry: &NewEntry, at: Timestamp) -> Saved<EntryId> {
        let written: sqlx::Result<Option<i64>> =
            on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_ENTRY)
                .bind(entry.call.0)
                .bind(&entry.category)
                .bind(&entry.title)
                .bind(&entry.summary)
                .bind(&entry.authors)
                .bind(entry.studio.map(|s| s.0))
                .bind(entry.org.0)
                .bind(&entry.submitted_by)
                .bind(at.millis())
                .fetch_optional(p)
                .await);
        match written {
            Ok(Some(id)) => Ok(Ok(EntryId(id))),
            Ok(None) => Ok(Err(RegistryConflict::Missing)),
            Err(error) => conflict(error, RegistryConflict::Missing).map(Err),
        }
    }

    async fn entry(&self, id: EntryId) -> Result<Option<EntryRecord>> {
        let row: Option<EntryRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(ENTRY).bind(id.0).fetch_optional(p).await?);
        row.map(EntryRecord::try_from).transpose()
    }

    async fn entries(&self, call: CallId) -> Result<Vec<EntryRecord>> {
        let rows: Vec<EntryRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(ENTRIES).bind(call.0).fetch_all(p).await?);
        rows.into_iter().map(EntryRecord::try_from).collect()
    }

    async fn add_attachment(
        &self,
        entry: EntryId,
        file: &NewAttachment,
        at: Timestamp,
    ) -> Result<AttachmentId> {
        let size =
            i32::try_from(file.content.len()).map_err(|_| StoreError::Unsupported("attachment size"))?;
        let id: i64 = on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_ATTACHMENT)
            .bind(entry.0)
            .bind(&file.file_name)
            .bind(file.kind.code())
            .bind(size)
            .bind(file.content.as_slice())
            .bind(at.millis())
            .fetch_one(p)
            .await?);
        Ok(AttachmentId(id))
    }

    async fn attachments(&self, entry: EntryId) -> Result<Vec<AttachmentMeta>> {
        let rows: Vec<AttachmentRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(ATTACHMENTS).bind(entry.0).fetch_all(p).await?);
        rows.into_iter().map(AttachmentMeta::try_from).collect()
    }

    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>> {
        let row: Option<AttachmentRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(ATTACHMENT).bind(id.0).fetch_optional(p).await?);
        let Some(row) = row else { return Ok(None) };
        let content: Vec<u8> = on_pool!(&self.pools, read, |p| sqlx::query_scalar(ATTACHMENT_CONTENT)
            .bind(id.0)
            .fetch_one(p)
            .await?);
        Ok(Some(Attachment { meta: row.try_into()?, content }))
    }

    async fn appoint_judge(
        &self,
        call: CallId,
        user: UserId,
        studios: &[StudioId],
        by: &str,
        at: Timestamp,
    ) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(APPOINT)
                .bind(call.0)
                .bind(user.0)
                .bind(studio_list(studios))
                .bind(by)
                .bind(at.millis())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn judges(&self, call: CallId) -> Result<Vec<Judge>> {
        let rows: Vec<JudgeRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(JUDGES).bind(call.0).fetch_all(p).await?);
        rows.into_iter().map(Judge::try_from).collect()
    }

    async fn judged_calls(&self, user: UserId) -> Result<Vec<Call>> {
        let rows: Vec<CallRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(JUDGED_CALLS).bind(user.0).fetch_all(p).await?);
        self.with_criteria(rows).await
    }

    async fn recuse(&self, entry: EntryId, user: UserId, reason: &str, at: Timestamp) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(RECUSE).bind(entry.0).bind(user.0).bind(reason).bind(at.millis()).execute(p).await?;
        });
        Ok(())
    }

    async fn recusals(&self, call: CallId) -> Result<Vec<(EntryId, UserId)>> {
        let rows: Vec<(i64, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(RECUSALS).bind(call.0).fetch_all(p).await?);
        Ok(rows.into_iter().map(|(e, u)| (EntryId(e), UserId(u))).collect())
    }

    async fn record_score(
        &self,
        entry: EntryId,
        judge: UserId,
        marks: &[u32],
        score: Hundredths,
        at: Timestamp,
    ) -> Result<ScoreOutcome> {
        let mut tx = self.begin_write().await?;
        let status: Option<String> = match &mut tx {
            Tx::Sqlite(t) => {
                sqlx::query_scalar(call_status_of_entry!()).bind(entry.0).fetch_optional(&mut **t).await?
            }
            Tx::Postgres(t) => {
                sqlx::query_scalar(CALL_STATUS_OF_ENTRY_SHARED).bind(entry.0).fetch_optional(&mut **t).await?
            }
        };
        match status.as_deref().map(str::parse::<CallStatus>) {
            None => return Ok(ScoreOutcome::Missing),
            Some(Ok(CallStatus::Open)) => {}
            Some(Ok(CallStatus::Closed)) => return Ok(ScoreOutcome::CallClosed),
            Some(Err(_)) => return Err(StoreError::Corrupt("call status".to_owned())),
        }
        let marks: Vec<String> = marks.iter().map(ToString::to_string).collect();
        let score = i32::try_from(score.get()).map_err(|_| StoreError::Corrupt("score".to_owned()))?;
        on_tx!(&mut tx, |c| {
            sqlx::query(UPSERT_SCORE)
                .bind(entry.0)
                .bind(judge.0)
                .bind(marks.join(","))
                .bind(score)
                .bind(at.millis())
                .execute(c)
                .await?;
        });
        tx.commit().await?;
        Ok(ScoreOutcome::Recorded)
    }

    async fn scores(&self, call: CallId) -> Result<Vec<ScoreRecord>> {
        let rows: Vec<ScoreRow> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(SCORES).bind(call.0).fetch_all(p).await?);
        rows.into_iter().map(ScoreRecord::try_from).collect()
    }

    async fn close_call(&self, call: CallId, by: &str, at: Timestamp, tally: &Tally) -> Result<CloseOutcome> {
        let mut tx = self.begin_write().await?;
        let closed = on_tx!(&mut tx, |c| sqlx::query(CLOSE)
            .bind(call.0)
            .bind(by)
            .bind(at.millis())
            .execute(c)
            .await?
            .rows_affected());
        if closed == 0 {
            let exists: i64 =
                on_tx!(&mut tx, |c| sqlx::query_scalar(CALL_EXISTS).bind(call.0).fetch_one(c).await?);
            return Ok(if exists > 0 { CloseOutcome::AlreadyClosed } else { CloseOutcome::Missing });
        }
        let results = tally(&scores_in(&mut tx, call).await?);
        for result in &results {
            let score =
                i32::try_from(result.score.get()).map_err(|_| StoreError::Corrupt("score".to_owned()))?;
            on_tx!(&mut tx, |c| {
                sqlx::query(WRITE_RESULT)
                    .bind(result.entry.0)
                    .bind(score)
                    .bind(int(result.judges))
                    .bind(int(result.rank))
                    .bind(result.award.map(|a| a.code()))
                    .bind(call.0)
                    .execute(c)
                    .await?;
            });
        }
        tx.commit().await?;
        Ok(CloseOutcome::Closed(results))
    }
}
