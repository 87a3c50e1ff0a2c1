//! Legal-aid cases in the database: filing, the officers' actions as compare-and-set
//! writes with an event each, the worker's rating, escalation of overdue cases to the
//! parent federation, and the purge of ended cases' personal data. Which action is
//! allowed, the deadlines and when a case is overdue are `huiji_core::case`'s rules; the
//! store keeps what they decided.

mod row;
mod write;

use async_trait::async_trait;
use huiji_core::case::{
    CaseAction, CaseCategory, CaseDues, CaseEventKind, CaseId, CaseOutcome, CaseStatus, MissedDeadline,
    Rating, StepKind,
};
use huiji_core::money::Amount;
use huiji_core::{OrgId, OrgPath, RegionCode, Timestamp, UserId};

use crate::Result;
use crate::db::SqlStore;
use crate::joining::Sealed;

/// A checked case to store: the handling federation and the deadlines already chosen.
#[derive(Clone, Debug)]
pub struct NewCase {
    /// What it is about.
    pub category: CaseCategory,
    /// Employer or platform, if named.
    pub party: Option<String>,
    /// Amount involved, if given.
    pub amount: Option<Amount>,
    /// County-level work region.
    pub region: RegionCode,
    /// What happened (personal data).
    pub description: String,
    /// The worker's mobile, sealed.
    pub mobile: Sealed,
    /// The federation that handles it.
    pub org: OrgId,
    /// Its deadlines, from the calendar in force now.
    pub dues: CaseDues,
}

/// A stored case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    /// Its id (the number the worker is told).
    pub id: CaseId,
    /// What it is about.
    pub category: CaseCategory,
    /// Employer or platform (`None` once purged).
    pub party: Option<String>,
    /// Amount involved.
    pub amount: Option<Amount>,
    /// Work region.
    pub region: RegionCode,
    /// What happened (`None` once purged).
    pub description: Option<String>,
    /// The sealed mobile (empty once purged).
    pub mobile_ct: Vec<u8>,
    /// The federation handling it now.
    pub org: OrgId,
    /// Its path: officers above it see the case.
    pub org_path: OrgPath,
    /// The officer it is assigned to.
    pub assignee: Option<UserId>,
    /// Where it stands.
    pub status: CaseStatus,
    /// When it was filed.
    pub submitted_at: Timestamp,
    /// Its deadlines.
    pub dues: CaseDues,
    /// When an officer first acted on it.
    pub first_response_at: Option<Timestamp>,
    /// When it closed or was withdrawn.
    pub ended_at: Option<Timestamp>,
    /// How it closed.
    pub outcome: Option<CaseOutcome>,
    /// The worker's rating.
    pub rating: Option<Rating>,
    /// The deadline whose miss last moved it up.
    pub escalated_for: Option<MissedDeadline>,
    /// When its personal data was purged.
    pub purged_at: Option<Timestamp>,
}

/// One event of a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseEventRecord {
    /// When.
    pub at: Timestamp,
    /// Who: `user:NAME`, `worker` or `system`.
    pub actor: String,
    /// What.
    pub kind: CaseEventKind,
    /// The step, for a step.
    pub step: Option<StepKind>,
    /// The officer's note (`None` once purged).
    pub note: Option<String>,
    /// The handling federation after it (filing, escalation).
    pub org: Option<OrgId>,
    /// The officer assigned (assignment).
    pub assignee: Option<UserId>,
}

/// An officer's action to store, already allowed by `CaseStatus::after`.
#[derive(Clone, Debug)]
pub struct CaseChange {
    /// The case.
    pub case: CaseId,
    /// The status it was read in: the write happens only if it still is.
    pub from: CaseStatus,
    /// The status after.
    pub to: CaseStatus,
    /// What is done.
    pub action: CaseAction,
    /// The officer assigned (assignment).
    pub assignee: Option<UserId>,
    /// The officer's note.
    pub note: Option<String>,
    /// Who: `user:NAME`, `worker` or `system`.
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// What a compare-and-set write came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Changed {
    /// Written, with its event.
    Done,
    /// The case moved on meanwhile (or is gone): nothing written.
    Stale,
}

/// What escalating one case came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escalated {
    /// Moved to this federation.
    To(OrgId),
    /// Its federation is the root: marked, not moved.
    AtTop,
    /// It changed meanwhile: nothing written.
    Stale,
}

/// An officer a case can be assigned to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOfficer {
    /// The account.
    pub id: UserId,
    /// Its username.
    pub username: String,
    /// Its union's name.
    pub org_name: String,
}

/// Legal-aid cases.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Stores a filed case and its `submit` event; `NotFound` for a missing federation.
    async fn create_case(&self, case: &NewCase, at: Timestamp) -> Result<CaseId>;
    /// One case.
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>>;
    /// A case's events, oldest first.
    async fn case_events(&self, id: CaseId) -> Result<Vec<CaseEventRecord>>;
    /// Open cases handled within a subtree, the nearest deadline first (so overdue
    /// cases lead), then by id.
    async fn open_cases(&self, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>>;
    /// Ended cases handled within a subtree, the latest ended first.
    async fn ended_cases(&self, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>>;
    /// The cases filed from a mobile (by its blind index), newest first.
    async fn cases_by_mobile(&self, mobile_bidx: &str, limit: u32) -> Result<Vec<CaseRecord>>;
    /// Records an officer's (or the worker's) action if the case is still in `from`.
    async fn change_case(&self, change: &CaseChange) -> Result<Changed>;
    /// Records the worker's rating of a closed, unrated case.
    async fn rate_case(&self, id: CaseId, rating: Rating, at: Timestamp) -> Result<Changed>;
    /// Open cases with a deadline before `now` that have not escalated for their last
    /// deadline yet, oldest first: candidates for escalation (core decides).
    async fn cases_past_due(&self, now: Timestamp, limit: u32) -> Result<Vec<CaseRecord>>;
    /// Moves an open case from `from` to its parent federation for `missed`, if it is
    /// still at `from` and last escalated for `last`; an event records it.
    async fn escalate_case(
        &self,
        id: CaseId,
        from: OrgId,
        last: Option<MissedDeadline>,
        missed: MissedDeadline,
        at: Timestamp,
    ) -> Result<Escalated>;
    /// Officers who may handle cases within `within` (admins and reviewers of its
    /// subtree, not disabled), by username.
    async fn case_officers(&self, within: &OrgPath) -> Result<Vec<CaseOfficer>>;
    /// Empties the description, party, mobile and notes of cases that ended before
    /// `cutoff`; returns how many cases.
    async fn purge_cases(&self, cutoff: Timestamp, at: Timestamp) -> Result<u64>;
}

#[async_trait]
impl CaseStore for SqlStore {
    async fn create_case(&self, case: &NewCase, at: Timestamp) -> Result<CaseId> {
        write::create(self, case, at).await
    }

    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        row::one(self, id).await
    }

    async fn case_events(&self, id: CaseId) -> Result<Vec<CaseEventRecord>> {
        row::events(self, id).await
    }

    async fn open_cases(&self, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>> {
        row::open_in(self, within, limit).await
    }

    async fn ended_cases(&self, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>> {
        row::ended_in(self, within, limit).await
    }

    async fn cases_by_mobile(&self, mobile_bidx: &str, limit: u32) -> Result<Vec<CaseRecord>> {
        row::by_mobile(self, mobile_bidx, limit).await
    }

    async fn change_case(&self, change: &CaseChange) -> Result<Changed> {
        write::change(self, change).await
    }

    async fn rate_case(&self, id: CaseId, rating: Rating, at: Timestamp) -> Result<Changed> {
        write::rate(self, id, rating, at).await
    }

    async fn cases_past_due(&self, now: Timestamp, limit: u32) -> Result<Vec<CaseRecord>> {
        row::past_due(self, now, limit).await
    }

    async fn escalate_case(
        &self,
        id: CaseId,
        from: OrgId,
        last: Option<MissedDeadline>,
        missed: MissedDeadline,
        at: Timestamp,
    ) -> Result<Escalated> {
        write::escalate(self, id, from, last, missed, at).await
    }

    async fn case_officers(&self, within: &OrgPath) -> Result<Vec<CaseOfficer>> {
        row::officers(self, within).await
    }

    async fn purge_cases(&self, cutoff: Timestamp, at: Timestamp) -> Result<u64> {
        write::purge(self, cutoff, at).await
    }
}
