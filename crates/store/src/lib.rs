//! huiji's storage: one [`Store`] trait, implemented for SQLite (the embedded default) and
//! PostgreSQL (the system of record at scale) by [`SqlStore`].
//!
//! Both databases run the same SQL text with `$N` placeholders wherever the dialects
//! agree; where they differ, the adapter says so in one `match` arm per database. Each
//! database has its own migrations tree, embedded in the binary and run at start.

mod accounts;
mod audit;
mod backup;
mod bulk;
mod db;
mod error;
mod joining;
mod members;
mod orgs;
mod platform;
mod privacy;
mod review;
mod sms;
#[cfg(feature = "testing")]
pub mod testing;
mod transfers;
mod tx;
mod webhooks;

use std::fmt;

use async_trait::async_trait;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{
    AutoApproval, CreditCode, Occupation, Org, OrgId, OrgKind, OrgPath, RegionCode, Timestamp, TreePlan,
};

pub use accounts::{AccountStore, Lockout, NewUser, SessionRecord, UserRecord};
pub use audit::{ActorKind, AuditQuery, AuditRecord, AuditStore, NewAuditRecord};
pub use backup::is_huiji_sqlite;
pub use bulk::{BulkLoad, BulkMember};
pub use db::{Backend, SqlStore};
pub use error::StoreError;
pub use joining::{
    ApplicationRecord, ConsentVersion, MembershipRecord, NewApplication, Sealed, SubmitOutcome,
};
pub use members::{EventRecord, MemberQuery, MemberStore, MembershipDetail};
pub use orgs::DEFAULT_REVIEW_DAYS;
pub use platform::{
    ABANDONED_AFTER_MILLIS, ApiKeyRecord, HeldMembership, Idempotency, PlatformRecord, PlatformStore,
};
pub use privacy::{PrivacyStore, PurgeCounts, Resealed, SealedRow, SealedTable};
pub use review::{ApplicationDetail, QueueItem, ReviewOutcome, ReviewStore};
pub use sms::OutboxMessage;
pub use transfers::{TransferAsk, TransferRecord, TransferStore};
pub use webhooks::{AfterAttempt, DeliveryRecord, WebhookEvent, WebhookStore};

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A union to create under an existing parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrg {
    /// The union above it; `None` creates a root.
    pub parent: Option<OrgId>,
    /// Kind and level.
    pub kind: OrgKind,
    /// Official name, unique among its siblings.
    pub name: String,
    /// Where it is.
    pub region: RegionCode,
    /// Occupations served (industry federations).
    pub occupations: Vec<Occupation>,
    /// Whether it keeps a turnover pool.
    pub turnover_pool: bool,
    /// Its join code, for orgs that receive applications.
    pub join_code: Option<String>,
    /// An enterprise union's credit code (checked: GB 32100), unique province-wide.
    pub credit_code: Option<CreditCode>,
    /// Its auto-approval policy.
    pub auto_approval: AutoApproval,
    /// Days to review before escalation.
    pub review_days: u16,
}

/// Which orgs a listing returns. Every condition is optional; together they are ANDed.
#[derive(Clone, Debug, Default)]
pub struct OrgFilter {
    /// Only this org and its descendants (the officer's scope).
    pub within: Option<OrgPath>,
    /// Only orgs whose region lies within this division.
    pub region: Option<RegionCode>,
    /// Only orgs of this kind (any level).
    pub kind: Option<OrgKindCode>,
    /// Only federations or industry federations of this level.
    pub level: Option<Level>,
    /// Keyset pagination: only ids above this one.
    pub after: Option<OrgId>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
}

/// Everything huiji keeps. Implementations must behave identically; the conformance
/// suite in `tests/` runs against each.
#[async_trait]
pub trait Store:
    AccountStore
    + AuditStore
    + PrivacyStore
    + ReviewStore
    + MemberStore
    + TransferStore
    + PlatformStore
    + WebhookStore
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

    /// Creates one union under its parent.
    async fn create_org(&self, org: &NewOrg, at: Timestamp) -> Result<Org>;

    /// Creates a whole tree in one transaction: all of it or nothing. Returns the new ids
    /// in plan order.
    async fn create_tree(&self, plan: &TreePlan, at: Timestamp) -> Result<Vec<OrgId>>;

    /// One union by id.
    async fn org(&self, id: OrgId) -> Result<Option<Org>>;

    /// Unions matching the filter, by id.
    async fn orgs(&self, filter: &OrgFilter) -> Result<Vec<Org>>;

    /// How many unions match the filter (ignoring `after` and `limit`).
    async fn count_orgs(&self, filter: &OrgFilter) -> Result<u64>;

    /// The org behind a 一会一码 join code.
    async fn org_by_join_code(&self, code: &str) -> Result<Option<Org>>;

    /// Enterprise unions of a city (their own or one of its places') that may be an
    /// employer's: the one with the credit code when given, else those with exactly this
    /// name. Which of them the member lands at is `huiji_core::joining::employer_union`'s
    /// rule.
    async fn enterprise_unions(
        &self,
        credit_code: Option<&str>,
        name: &str,
        city: RegionCode,
    ) -> Result<Vec<Org>>;

    /// Sets a receiving org's auto-approval policy and review deadline (days).
    async fn set_review_policy(&self, org: OrgId, policy: AutoApproval, review_days: u16) -> Result<()>;

    /// The consent texts, oldest first; the last is current.
    async fn consent_versions(&self) -> Result<Vec<ConsentVersion>>;

    /// Stores an application and, when approved, its membership, in one transaction.
    /// A person who holds a membership and proved its mobile gets
    /// [`SubmitOutcome::AlreadyMember`] and nothing is stored; anyone else typing their ID
    /// gets a review, flagged `holds_membership`. A person with an open application from
    /// the same submitter (platform, or on the H5 form the same mobile) gets that one back;
    /// another submitter's is never looked at. The database's unique indexes make this
    /// hold under concurrent submissions too.
    async fn submit_application(&self, application: &NewApplication, at: Timestamp) -> Result<SubmitOutcome>;

    /// Whether a mobile is bound to an identity other than this ID number: on record with
    /// another ID in a verified application or a membership. A mobile answers for the
    /// identity it was first joined or applied with, so a different ID with it is reviewed.
    async fn mobile_bound_elsewhere(&self, mobile_bidx: &str, id_number_bidx: &str) -> Result<bool>;

    /// One application.
    async fn application(&self, id: i64) -> Result<Option<ApplicationRecord>>;

    /// The latest applications made with a mobile (by its blind index).
    async fn applications_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<ApplicationRecord>>;

    /// The memberships recorded with a mobile (by its blind index).
    async fn memberships_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<MembershipRecord>>;

    /// A membership by its member number.
    async fn membership_by_number(&self, number: &str) -> Result<Option<MembershipRecord>>;

    /// A membership by id.
    async fn membership(&self, id: i64) -> Result<Option<MembershipRecord>>;

    /// Records a newly sent SMS code (its hash), valid for 5 minutes from `at`.
    async fn create_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<()>;

    /// How many codes were sent to a mobile since `since` (for send limits).
    async fn sms_challenges_since(&self, mobile_bidx: &str, since: Timestamp) -> Result<u64>;

    /// Checks a typed code against the latest unused one; uses it up when right and
    /// counts the try when wrong.
    async fn check_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<SmsCheck>;

    /// Queues a message in the outbox SMS provider's table.
    async fn push_sms_outbox(&self, mobile: &Sealed, masked: &str, body: &str, at: Timestamp) -> Result<()>;

    /// The newest outbox messages.
    async fn sms_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
}
