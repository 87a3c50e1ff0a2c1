//! The evaluation's rows as the database returns them, read into typed records.

use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::{
    AttachmentId, AwardPlan, CallId, CallWindow, Criteria, Criterion, EntryId, Hundredths,
};
use huiji_core::{CivilDate, OrgId, Role, Timestamp, UserId};

use super::super::rows::{code, count, path};
use super::{AttachmentMeta, Call, EntryRecord, EntryResultRow, Judge, NewCall, NewEntry, ScoreRecord};
use crate::{Result, StoreError};

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("innovation evaluation: {what}"))
}

fn day(text: &str) -> Result<CivilDate> {
    CivilDate::parse_iso(text).ok_or_else(|| corrupt("date"))
}

/// A score in hundredths as stored.
pub(super) fn hundredths(n: i32) -> Result<Hundredths> {
    u32::try_from(n).ok().and_then(Hundredths::new).ok_or_else(|| corrupt("score"))
}

/// A studio list as stored (comma-joined ids).
pub(super) fn studio_list(studios: &[StudioId]) -> String {
    studios.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

#[derive(sqlx::FromRow)]
pub(super) struct CallRow {
    pub(super) id: i64,
    org_id: i64,
    org_name: String,
    org_path: String,
    title: String,
    categories: String,
    opens_on: String,
    closes_on: String,
    first_prizes: i32,
    second_prizes: i32,
    third_prizes: i32,
    excellence_awards: i32,
    status: String,
    created_by: String,
    created_at: i64,
    closed_by: Option<String>,
    closed_at: Option<i64>,
}

impl CallRow {
    /// The call, with its criteria (name, weight) in order.
    pub(super) fn into_call(self, criteria: Vec<(String, i32)>) -> Result<Call> {
        let criteria = criteria
            .into_iter()
            .map(|(name, weight)| Ok(Criterion { name, weight: count(weight)? }))
            .collect::<Result<Vec<_>>>()?;
        let window =
            CallWindow::new(day(&self.opens_on)?, day(&self.closes_on)?).ok_or_else(|| corrupt("window"))?;
        Ok(Call {
            id: CallId(self.id),
            call: NewCall {
                org: OrgId(self.org_id),
                title: self.title,
                categories: self.categories.lines().map(str::to_owned).collect(),
                window,
                criteria: Criteria::new(criteria).map_err(|_| corrupt("criteria"))?,
                plan: AwardPlan {
                    first: count(self.first_prizes)?,
                    second: count(self.second_prizes)?,
                    third: count(self.third_prizes)?,
                    excellence: count(self.excellence_awards)?,
                },
                created_by: self.created_by,
            },
            org_name: self.org_name,
            org_path: path(&self.org_path)?,
            status: code(&self.status, "call status")?,
            created_at: Timestamp(self.created_at),
            closed: self.closed_by.zip(self.closed_at.map(Timestamp)),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct EntryRow {
    id: i64,
    call_id: i64,
    category: String,
    title: String,
    summary: String,
    authors: String,
    studio_id: Option<i64>,
    studio_name: Option<String>,
    org_id: i64,
    org_name: String,
    org_path: String,
    submitted_by: String,
    created_at: i64,
    score: Option<i32>,
    judges: Option<i32>,
    rank: Option<i32>,
    award: Option<String>,
    attachments: i64,
}

impl TryFrom<EntryRow> for EntryRecord {
    type Error = StoreError;

    fn try_from(r: EntryRow) -> Result<EntryRecord> {
        let id = EntryId(r.id);
        let result = match (r.score, r.judges, r.rank) {
            (Some(score), Some(judges), Some(rank)) => Some(EntryResultRow {
                entry: id,
                score: hundredths(score)?,
                judges: count(judges)?,
                rank: count(rank)?,
                award: r.award.as_deref().map(|a| code(a, "award")).transpose()?,
            }),
            _ => None,
        };
        Ok(EntryRecord {
            id,
            entry: NewEntry {
                call: CallId(r.call_id),
                category: r.category,
                title: r.title,
                summary: r.summary,
                authors: r.authors,
                studio: r.studio_id.map(StudioId),
                org: OrgId(r.org_id),
                submitted_by: r.submitted_by,
            },
            studio_name: r.studio_name,
            org_name: r.org_name,
            org_path: path(&r.org_path)?,
            created_at: Timestamp(r.created_at),
            attachments: count(r.attachments)?,
            result,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AttachmentRow {
    id: i64,
    entry_id: i64,
    file_name: String,
    kind: String,
    size: i32,
}

impl TryFrom<AttachmentRow> for AttachmentMeta {
    type Error = StoreError;

    fn try_from(r: AttachmentRow) -> Result<AttachmentMeta> {
        Ok(AttachmentMeta {
            id: AttachmentId(r.id),
            entry: EntryId(r.entry_id),
            file_name: r.file_name,
            kind: code(&r.kind, "attachment kind")?,
            size: count(r.size)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct JudgeRow {
    call_id: i64,
    user_id: i64,
    username: String,
    role: String,
    org_id: i64,
    studios: String,
    appointed_by: String,
}

impl TryFrom<JudgeRow> for Judge {
    type Error = StoreError;

    fn try_from(r: JudgeRow) -> Result<Judge> {
        let studios = r
            .studios
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| corrupt("judge studios")))
            .collect::<Result<Vec<StudioId>>>()?;
        Ok(Judge {
            call: CallId(r.call_id),
            user: UserId(r.user_id),
            username: r.username,
            role: code::<Role>(&r.role, "role")?,
            org: OrgId(r.org_id),
            studios,
            appointed_by: r.appointed_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ScoreRow {
    entry_id: i64,
    user_id: i64,
    marks: String,
    score: i32,
    scored_at: i64,
}

impl TryFrom<ScoreRow> for ScoreRecord {
    type Error = StoreError;

    fn try_from(r: ScoreRow) -> Result<ScoreRecord> {
        let marks = r
            .marks
            .split(',')
            .map(|m| m.parse().map_err(|_| corrupt("marks")))
            .collect::<Result<Vec<u32>>>()?;
        Ok(ScoreRecord {
            entry: EntryId(r.entry_id),
            judge: UserId(r.user_id),
            marks,
            score: hundredths(r.score)?,
            scored_at: Timestamp(r.scored_at),
        })
    }
}
