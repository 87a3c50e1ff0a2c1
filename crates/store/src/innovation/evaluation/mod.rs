//! 创新成果评选 in the database: calls, entries and their attachments, judges, scores,
//! recusals, and the result written when a call closes.
//!
//! Closing and scoring cannot cross: a score is written only while its call is open,
//! under a lock on the call's row that closing must wait for, and closing reads the
//! scores after it took that row, in the same transaction that writes the result.

mod rows;
mod sql;

use async_trait::async_trait;
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::entry::AttachmentKind;
use huiji_core::innovation::evaluation::{
    AttachmentId, Award, AwardPlan, CallId, CallStatus, CallWindow, Criteria, EntryId, Hundredths,
};
use huiji_core::{OrgId, OrgPath, Role, Timestamp, UserId};

use super::Saved;
use crate::Result;

/// A call to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    /// The organising union: entries come from its subtree.
    pub org: OrgId,
    /// e.g. 2025年度全省职工创新成果评选.
    pub title: String,
    /// The categories entries are made in.
    pub categories: Vec<String>,
    /// The days it takes entries.
    pub window: CallWindow,
    /// What judges mark, with weights.
    pub criteria: Criteria,
    /// How many awards of each tier.
    pub plan: AwardPlan,
    /// `user:NAME`.
    pub created_by: String,
}

/// A call as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Id.
    pub id: CallId,
    /// What it was opened with.
    pub call: NewCall,
    /// The organising union's name.
    pub org_name: String,
    /// Its path (the call's scope).
    pub org_path: OrgPath,
    /// Open or closed.
    pub status: CallStatus,
    /// Opened.
    pub created_at: Timestamp,
    /// Who closed it, and when.
    pub closed: Option<(String, Timestamp)>,
}

/// An entry to submit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// The call.
    pub call: CallId,
    /// One of the call's categories.
    pub category: String,
    /// The result's title.
    pub title: String,
    /// What it is and what it achieved.
    pub summary: String,
    /// Who made it (names, as entered): never shown to a judge.
    pub authors: String,
    /// The studio it comes from, if any: never shown to a judge.
    pub studio: Option<StudioId>,
    /// The union entering it: never shown to a judge.
    pub org: OrgId,
    /// `user:NAME`.
    pub submitted_by: String,
}

/// An entry's place in a closed call's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryResultRow {
    /// The entry.
    pub entry: EntryId,
    /// Its trimmed mean.
    pub score: Hundredths,
    /// How many judges' scores it had.
    pub judges: u32,
    /// Its rank (ties share).
    pub rank: u32,
    /// Its award, if any.
    pub award: Option<Award>,
}

/// An entry as stored: everything, for officers. Judges get a blind view the app makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRecord {
    /// Id.
    pub id: EntryId,
    /// What was submitted.
    pub entry: NewEntry,
    /// The studio's name.
    pub studio_name: Option<String>,
    /// The entering union's name.
    pub org_name: String,
    /// Its path.
    pub org_path: OrgPath,
    /// Submitted.
    pub created_at: Timestamp,
    /// Files attached.
    pub attachments: u32,
    /// The result, once the call closed (an entry nobody scored has none).
    pub result: Option<EntryResultRow>,
}

/// A file to attach (already checked: kind and size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    /// The name it came with (officers only).
    pub file_name: String,
    /// What it is.
    pub kind: AttachmentKind,
    /// The bytes.
    pub content: Vec<u8>,
}

/// An attachment without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Id.
    pub id: AttachmentId,
    /// Its entry.
    pub entry: EntryId,
    /// The name it came with.
    pub file_name: String,
    /// What it is.
    pub kind: AttachmentKind,
    /// Bytes.
    pub size: u32,
}

/// An attachment with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// What it is.
    pub meta: AttachmentMeta,
    /// The bytes.
    pub content: Vec<u8>,
}

/// A judge of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judge {
    /// The call.
    pub call: CallId,
    /// The account.
    pub user: UserId,
    /// Its username.
    pub username: String,
    /// Its role (`Judge` for a judge-only account).
    pub role: Role,
    /// The account's org.
    pub org: OrgId,
    /// The studios the judge belongs to (conflicts of interest).
    pub studios: Vec<StudioId>,
    /// `user:NAME` of the admin who appointed them.
    pub appointed_by: String,
}

/// One judge's score of one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRecord {
    /// The entry.
    pub entry: EntryId,
    /// The judge.
    pub judge: UserId,
    /// The marks, one per criterion.
    pub marks: Vec<u32>,
    /// Their weighted mean.
    pub score: Hundredths,
    /// When (the last time, if changed).
    pub scored_at: Timestamp,
}

/// What became of a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreOutcome {
    /// Written (or replaced the judge's earlier score).
    Recorded,
    /// The call is closed: nothing changes any more.
    CallClosed,
    /// No such entry.
    Missing,
}

/// What closing a call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseOutcome {
    /// Closed now, with this result.
    Closed(Vec<EntryResultRow>),
    /// It was closed before.
    AlreadyClosed,
    /// No such call.
    Missing,
}

/// The result of a call from its scores: the rules (conflicts, the trimmed mean, ranks,
/// awards) are the app's to pass in.
pub type Tally = dyn Fn(&[ScoreRecord]) -> Vec<EntryResultRow> + Send + Sync;

/// Calls, entries, judges and scores.
#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Opens a call (`NotFound` when the union is gone).
    async fn create_call(&self, call: &NewCall, at: Timestamp) -> Result<CallId>;
    /// One call.
    async fn call(&self, id: CallId) -> Result<Option<Call>>;
    /// Every call, newest first (a federation opens a few a year).
    async fn calls(&self) -> Result<Vec<Call>>;
    /// Submits an entry: `Duplicate` for a title the call has, `Missing` for a call,
    /// studio or union that is gone.
    async fn add_entry(&self, entry: &NewEntry, at: Timestamp) -> Saved<EntryId>;
    /// One entry.
    async fn entry(&self, id: EntryId) -> Result<Option<EntryRecord>>;
    /// A call's entries, by id.
    async fn entries(&self, call: CallId) -> Result<Vec<EntryRecord>>;
    /// Attaches a file to an entry.
    async fn add_attachment(
        &self,
        entry: EntryId,
        file: &NewAttachment,
        at: Timestamp,
    ) -> Result<AttachmentId>;
    /// An entry's attachments, in order.
    async fn attachments(&self, entry: EntryId) -> Result<Vec<AttachmentMeta>>;
    /// One attachment with its bytes.
    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;
    /// Appoints an account to judge a call, declaring its studios (again: replaces them).
    async fn appoint_judge(
        &self,
        call: CallId,
        user: UserId,
        studios: &[StudioId],
        by: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// A call's judges, by username.
    async fn judges(&self, call: CallId) -> Result<Vec<Judge>>;
    /// The calls an account judges, newest first.
    async fn judged_calls(&self, user: UserId) -> Result<Vec<Call>>;
    /// Records that a judge stands aside from an entry (once; a repeat is ignored).
    async fn recuse(&self, entry: EntryId, user: UserId, reason: &str, at: Timestamp) -> Result<()>;
    /// The (entry, judge) pairs of a call where the judge stood aside.
    async fn recusals(&self, call: CallId) -> Result<Vec<(EntryId, UserId)>>;
    /// Writes a judge's score of an entry while its call is open.
    async fn record_score(
        &self,
        entry: EntryId,
        judge: UserId,
        marks: &[u32],
        score: Hundredths,
        at: Timestamp,
    ) -> Result<ScoreOutcome>;
    /// A call's scores.
    async fn scores(&self, call: CallId) -> Result<Vec<ScoreRecord>>;
    /// Closes an open call: its scores, read once no score can change, are tallied and
    /// the result written, in one transaction.
    async fn close_call(&self, call: CallId, by: &str, at: Timestamp, tally: &Tally) -> Result<CloseOutcome>;
}
