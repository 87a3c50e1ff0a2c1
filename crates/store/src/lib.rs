//! huiji's storage: one trait per area ([`OrgStore`], [`JoinStore`], [`ReviewStore`],
//! [`MemberStore`], …) gathered by the root [`Store`], all implemented for SQLite (the
//! embedded default) and PostgreSQL (the system of record at scale) by [`SqlStore`].
//!
//! Both databases run the same SQL text with `$N` placeholders wherever the dialects
//! agree; where they differ, the adapter says so in one `match` arm per database. A
//! single statement runs through `on_pool!`; a write of several is a plain function over
//! a transaction (`Tx`, `on_tx!`). Each database has its own migrations tree, embedded in
//! the binary and run at start.

mod accounts;
mod audit;
mod backup;
// Group commit (issue 14 item 2).
mod batch;
mod benefits;
mod bulk;
// Outreach: campaigns.
mod campaign;
mod cases;
mod checkpoint;
mod contest;
// Decision SMS and union contacts (issue 13).
mod contacts;
mod db;
mod error;
mod innovation;
// Two instances, one database: background jobs once per period.
mod jobs;
mod joining;
mod members;
// Decision SMS and union contacts (issue 13).
mod notices;
mod orgs;
mod platform;
mod privacy;
mod review;
// Outreach: real-name rosters.
mod roster;
mod sms;
mod stations;
mod stats;
#[cfg(feature = "testing")]
pub mod testing;
mod transfers;
mod tx;
mod webhooks;

use std::fmt;

use async_trait::async_trait;

pub use accounts::{AccountStore, Lockout, NewUser, SessionRecord, UserRecord};
// Accounts in the console.
pub use accounts::officers::{OfficerChange, OfficerProfile, OfficerStore, ReviewsWaiting};
pub use audit::{ActorKind, AuditQuery, AuditRecord, AuditStore, NewAuditRecord};
pub use backup::is_huiji_sqlite;
// Group commit (issue 14 item 2).
#[cfg(feature = "testing")]
pub use batch::Probe;
pub use batch::WriteBatches;
pub use benefits::{
    BenefitMember, BenefitStore, ExportRow, GrantChange, GrantEventRecord, GrantRecord, Granted, MemberGrant,
    NewGrant, NewProgramme, ProgrammeRecord, ShareRecord, Updated,
};
pub use bulk::{BulkLoad, BulkMember};
// Outreach: campaigns.
pub use campaign::{
    CampaignMessageRecord, CampaignRecord, CampaignStatus, CampaignStore, CampaignTarget, DueMessage, Funnel,
    InviteRecord, JoinCodeFunnel, NewCampaign, NewCampaignTarget, SendChecks, Settled, SuppressionReason,
};
pub use cases::{
    CaseChange, CaseEventRecord, CaseOfficer, CaseRecord, CaseStore, Changed, Escalated, NewCase,
};
pub use contest::{
    Added, AnswerRecord, AttemptRecord, BoardEntry, ContestRecord, ContestStore, FinishedAttempt, Frozen,
    NewAnswer, NewAttempt, NewContest, QuestionQuery, QuestionRecord, Recorded, Started, UnionBoard,
    UnionTotals,
};
// Decision SMS and union contacts (issue 13).
pub use contacts::{ContactOf, ContactStore};
pub use db::{Backend, SqlStore};
pub use error::{Conflict, StoreError};
pub use innovation::{
    Activity, Attachment, AttachmentMeta, Call, CloseOutcome, EntryRecord, EntryResultRow, EvaluationStore,
    InnovationFigures, InnovationStore, Judge, Mentorship, ModelWorker, NewActivity, NewAttachment, NewCall,
    NewEntry, NewMentorship, NewModelWorker, NewProject, NewStudio, Project, PublicStudioQuery,
    RegistryConflict, RegistryPage, RegistryRef, Saved, ScoreOutcome, ScoreRecord, Studio, Tally,
};
// Two instances, one database: background jobs once per period.
pub use jobs::JobStore;
pub use joining::{
    ApplicationRecord, JoinStore, KeyedSubmit, NewApplication, RenderAnswer, Sealed, SubmitOutcome,
};
// Keyed joins through the group-commit writer (issue 14, figure J).
pub use joining::{MobileBinding, OwnedKeyedRequest, SharedRenderAnswer};
pub use members::{
    EventRecord, HeldMembership, MemberQuery, MemberStore, MembershipDetail, MembershipRecord,
};
// Decision SMS and union contacts (issue 13).
pub use notices::{NoticeAbout, NoticeAttempt, NoticeRecord, NoticeStore};
pub use orgs::{DEFAULT_REVIEW_DAYS, NewOrg, OrgFilter, OrgStore};
pub use platform::{
    ABANDONED_AFTER_MILLIS, ApiKeyRecord, Idempotency, KeyedRequest, PlatformRecord, PlatformStore,
};
pub use privacy::{ConsentVersion, PrivacyStore, PurgeCounts, Resealed, SealedRow, SealedTable};
pub use review::{ApplicationDetail, QueueItem, ReviewOutcome, ReviewStore};
// Outreach: real-name rosters.
pub use roster::{
    CoverageRow, EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterCoverage,
    RosterImportRecord, RosterImportStatus, RosterMatch, RosterPerson, RosterStore,
};
pub use sms::{NewOutboxMessage, OutboxMessage, SmsStore};
pub use stations::{Imported, StationFigures, StationQuery, StationRecord, StationStore, VisitDay};
pub use stats::{
    CaseTally, CategoryCases, ChildTally, ContestTally, FlowTally, MembershipTally, Period, ReviewTally,
    ScreenTokenRecord, StatsMismatch, StatsStore, TargetRecord,
};
pub use transfers::{TransferAsk, TransferRecord, TransferStore};
pub use webhooks::{AfterAttempt, DeliveryRecord, WebhookEvent, WebhookStore};

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything huiji keeps: one trait per area, all implemented by [`SqlStore`].
/// Implementations must behave identically; the conformance suite in `tests/` runs
/// against each database.
#[async_trait]
pub trait Store:
    OrgStore
    + JoinStore
    + ReviewStore
    + MemberStore
    + TransferStore
    + SmsStore
    + AccountStore
    + PlatformStore
    + WebhookStore
    + AuditStore
    + PrivacyStore
    + InnovationStore
    + EvaluationStore
    + ContestStore
    + StationStore
    + CaseStore
    + BenefitStore
    + StatsStore
    // Outreach: real-name rosters.
    + RosterStore
    // Outreach: campaigns.
    + CampaignStore
    // Decision SMS and union contacts (issue 13).
    + NoticeStore
    + ContactStore
    // Accounts in the console.
    + OfficerStore
    // Two instances, one database: background jobs once per period.
    + JobStore
    + Send
    + Sync
    + fmt::Debug
{
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Applies the embedded migrations that have not run yet.
    async fn migrate(&self) -> Result<()>;

    /// Checks the database answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// What the group-commit writer has done since start (batch sizes), for `/metrics`.
    fn write_batches(&self) -> WriteBatches;
}

/// The store's traits, so that their methods can be called on a [`SqlStore`] (or an
/// `Arc` of one): `use huiji_store::prelude::*;`.
pub mod prelude {
    pub use crate::BenefitStore;
    pub use crate::StatsStore;
    pub use crate::{
        AccountStore, AuditStore, CaseStore, ContestStore, EvaluationStore, InnovationStore, JoinStore,
        MemberStore, OrgStore, PlatformStore, PrivacyStore, ReviewStore, SmsStore, StationStore, Store,
        TransferStore, WebhookStore,
    };
    // Outreach: real-name rosters.
    pub use crate::RosterStore;
    // Outreach: campaigns.
    pub use crate::CampaignStore;
    // Decision SMS and union contacts (issue 13).
    pub use crate::{ContactStore, NoticeStore};
    // Accounts in the console.
    pub use crate::OfficerStore;
    // Two instances, one database: background jobs once per period.
    pub use crate::JobStore;
}
