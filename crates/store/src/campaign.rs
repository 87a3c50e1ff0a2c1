//! Campaigns in the database: the campaign (an officer's text for a subtree and its
//! filters), one message per target (sealed mobile and its blind index, the personal
//! invite code, where it stands), and the suppression list of opted-out mobiles (blind
//! indexes only). Every write a provider may repeat — a send, a receipt, a reply — is
//! idempotent: a named unique key or an update guarded by the state it expects. The
//! rules (texts, quiet hours, the cap, what a receipt does) are `huiji_core::campaign`'s.

mod funnel;
mod messages;
mod read;
mod signatures;
mod targets;
mod write;

use async_trait::async_trait;
use huiji_core::campaign::{FrequencyCap, MessageState, Receipt};
use huiji_core::{Occupation, OrgId, OrgPath, RegionCode, Timestamp};

use crate::db::SqlStore;
use crate::{Result, StoreError};

pub use messages::{SendChecks, Settled};
pub use targets::{CampaignTarget, NewCampaignTarget};

/// Whether a campaign's messages have been queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    /// Made, not sent yet.
    Draft,
    /// Its targets are queued (sending follows the rules).
    Queued,
}

impl CampaignStatus {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Queued => "queued",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        [Self::Draft, Self::Queued].into_iter().find(|s| s.code() == code)
    }
}

/// A campaign to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaign {
    /// The union whose subtree is targeted.
    pub org: OrgId,
    /// The officer's name for it.
    pub name: String,
    /// The checked template (with `{link}`).
    pub template: String,
    /// The signature in force (without brackets).
    pub signature: String,
    /// The opt-out note in force.
    pub opt_out_text: String,
    /// Only this occupation, when set.
    pub occupation: Option<Occupation>,
    /// Only this region (and below), when set.
    pub region: Option<RegionCode>,
    /// Only this roster source, when set.
    pub source: Option<String>,
    /// Who made it (`operator`, `user:NAME`).
    pub actor: String,
    /// When its invite links stop working.
    pub expires_at: Timestamp,
}

/// A stored campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRecord {
    /// Its id.
    pub id: i64,
    /// The targeted union.
    pub org: OrgId,
    /// That union's path.
    pub org_path: OrgPath,
    /// Its name.
    pub name: String,
    /// The template.
    pub template: String,
    /// The signature.
    pub signature: String,
    /// The opt-out note.
    pub opt_out_text: String,
    /// Occupation filter.
    pub occupation: Option<Occupation>,
    /// Region filter.
    pub region: Option<RegionCode>,
    /// Source filter.
    pub source: Option<String>,
    /// Who made it.
    pub actor: String,
    /// Draft or queued.
    pub status: CampaignStatus,
    /// When it was made.
    pub created_at: Timestamp,
    /// When its targets were queued.
    pub queued_at: Option<Timestamp>,
    /// When its links expire.
    pub expires_at: Timestamp,
}

/// A message claimed for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueMessage {
    /// Its id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The mobile's ciphertext.
    pub mobile_ct: Vec<u8>,
    /// The mobile's blind index.
    pub mobile_bidx: String,
    /// The surname, when known.
    pub surname: Option<String>,
    /// The invite code.
    pub invite_code: String,
    /// Failed sends so far.
    pub attempts: u32,
}

/// What an invite code leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    /// The message.
    pub message_id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The receiving union picked for the target.
    pub org: Option<OrgId>,
    /// The target's occupation.
    pub occupation: Occupation,
    /// The target's work region.
    pub region: Option<RegionCode>,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// The mobile's blind index (for the unsubscribe link).
    pub mobile_bidx: String,
}

/// A message as the console lists it (the mobile sealed: the app masks it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignMessageRecord {
    /// Its id.
    pub id: i64,
    /// The receiving union.
    pub org: Option<OrgId>,
    /// The mobile's ciphertext.
    pub mobile_ct: Vec<u8>,
    /// Where it stands.
    pub state: MessageState,
    /// When it is (or was) due.
    pub due_at: Timestamp,
    /// When it was handed to the provider.
    pub sent_at: Option<Timestamp>,
    /// When the link was first opened.
    pub clicked_at: Option<Timestamp>,
}

/// A campaign funnel: how many targets got how far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Funnel {
    /// Picked by the filters.
    pub targeted: u64,
    /// On the suppression list (never sent).
    pub suppressed: u64,
    /// Waiting for their send time.
    pub queued: u64,
    /// Handed to the provider.
    pub sent: u64,
    /// Confirmed delivered.
    pub delivered: u64,
    /// Reported undeliverable (or refused by the provider).
    pub failed: u64,
    /// Opened the link.
    pub clicked: u64,
    /// Applied through it.
    pub applied: u64,
    /// Approved: new members.
    pub approved: u64,
}

impl Funnel {
    /// Adds another group's counts.
    pub fn add(&mut self, other: &Funnel) {
        self.targeted += other.targeted;
        self.suppressed += other.suppressed;
        self.queued += other.queued;
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.clicked += other.clicked;
        self.applied += other.applied;
        self.approved += other.approved;
    }
}

/// A join code's funnel (QR codes): scans → applications → approvals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinCodeFunnel {
    /// The union.
    pub org: OrgId,
    /// Its code.
    pub join_code: String,
    /// Times its join page was opened.
    pub scans: u64,
    /// Applications through it.
    pub applications: u64,
    /// Of them, approved.
    pub approvals: u64,
}

/// Why a mobile is on the suppression list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuppressionReason {
    /// An opt-out reply (退订, T, TD, R …).
    Reply,
    /// The unsubscribe link.
    Link,
}

impl SuppressionReason {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Link => "link",
        }
    }
}

/// The campaigns area of the store.
#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Stores a draft campaign (`NotFound` without the union).
    async fn create_campaign(&self, new: &NewCampaign, at: Timestamp) -> Result<i64>;
    /// One campaign.
    async fn campaign(&self, id: i64) -> Result<Option<CampaignRecord>>;
    /// The campaigns of unions within `within`, newest first.
    async fn campaigns(&self, within: &OrgPath, limit: u32) -> Result<Vec<CampaignRecord>>;
    /// The roster non-members with a mobile within `within` (not deceased), in the order
    /// of their mobile's blind index: what queueing a campaign reads once.
    async fn campaign_targets(&self, within: &OrgPath) -> Result<Vec<CampaignTarget>>;
    /// Queues a batch of targets in one transaction, completing each from its roster entry
    /// (sealed mobile, occupation, region): a mobile on the suppression list is stored
    /// suppressed, a mobile the campaign already has is skipped, a mobile the `cap` does
    /// not allow at `due_at` is due when the cap lets it (the sender checks again), and an
    /// entry no longer a non-member with a mobile is left out. Returns how many were added.
    async fn add_campaign_targets(
        &self,
        campaign_id: i64,
        targets: &[NewCampaignTarget],
        due_at: Timestamp,
        cap: FrequencyCap,
    ) -> Result<u64>;
    /// Marks a campaign queued (the first time only).
    async fn mark_campaign_queued(&self, campaign_id: i64, at: Timestamp) -> Result<()>;
    /// Claims up to `limit` queued messages due at `now` until `lease_until` (claims of
    /// other senders that lapsed are taken over).
    async fn claim_campaign_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueMessage>>;
    /// When campaign messages were sent to a mobile after `since`.
    async fn campaign_sends_since(&self, mobile_bidx: &str, since: Timestamp) -> Result<Vec<Timestamp>>;
    /// For a round of claimed messages at once: which of their mobiles opted out, and the
    /// sends to each after `since` (one read, not two per message).
    async fn campaign_send_checks(&self, mobile_bidxs: &[String], since: Timestamp) -> Result<SendChecks>;
    /// Records how each claimed message left the sender's round (sent, ended, put back),
    /// in one short transaction of a few statements; each write is guarded like its
    /// one-message twin, so a repeat changes nothing.
    async fn settle_campaign_messages(&self, settled: &[(i64, Settled)]) -> Result<()>;
    /// Records that a message was handed to the provider (a repeat changes nothing).
    async fn mark_campaign_sent(&self, message_id: i64, at: Timestamp) -> Result<()>;
    /// Puts a queued message back with a new due time; `failed_attempt` counts a failed
    /// send.
    async fn reschedule_campaign_message(
        &self,
        message_id: i64,
        due_at: Timestamp,
        failed_attempt: bool,
    ) -> Result<()>;
    /// Ends a queued message as `Failed` or `Suppressed` without sending it.
    async fn end_campaign_message(&self, message_id: i64, state: MessageState) -> Result<()>;
    /// Applies a delivery receipt ([`MessageState::after_receipt`]); the state it leaves,
    /// `None` for an unknown message.
    async fn apply_campaign_receipt(
        &self,
        message_id: i64,
        receipt: Receipt,
        at: Timestamp,
    ) -> Result<Option<MessageState>>;
    /// Puts a mobile on the suppression list and suppresses its queued messages; whether
    /// it was new there.
    async fn suppress_mobile(
        &self,
        mobile_bidx: &str,
        reason: SuppressionReason,
        at: Timestamp,
    ) -> Result<bool>;
    /// Whether a mobile is on the suppression list.
    async fn is_suppressed(&self, mobile_bidx: &str) -> Result<bool>;
    /// The message behind an invite code.
    async fn invite(&self, code: &str) -> Result<Option<InviteRecord>>;
    /// Records the first opening of a message's link; whether this was it.
    async fn record_campaign_click(&self, message_id: i64, at: Timestamp) -> Result<bool>;
    /// A campaign's funnel, per receiving union (`None`: no union served the target), from
    /// its rollup.
    async fn campaign_funnel(&self, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>>;
    /// The same funnel counted again from the messages and their applications (a scan of
    /// every message: for checking the rollup, not for pages).
    async fn campaign_funnel_recount(&self, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>>;
    /// The funnel of every campaign of unions within `within`.
    async fn subtree_campaign_funnel(&self, within: &OrgPath) -> Result<Funnel>;
    /// A page of a campaign's messages, by id after `after`.
    async fn campaign_messages(
        &self,
        campaign_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<CampaignMessageRecord>>;
    /// Counts an opening of a join code's page once per visitor (a keyed hash) and day
    /// (`YYYYMMDD`); whether this one counted. Earlier days' visitors are forgotten.
    async fn count_join_code_scan(&self, join_code: &str, day: i64, visitor: &str) -> Result<bool>;
    /// The join codes of unions within `within` with scans, applications and approvals,
    /// most scanned first.
    async fn join_code_funnel(&self, within: &OrgPath, limit: u32) -> Result<Vec<JoinCodeFunnel>>;
    /// Sets a federation's SMS signature (without brackets), or removes it (`None`).
    async fn set_campaign_signature(
        &self,
        org: OrgId,
        signature: Option<&str>,
        by: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// Every signature set in the console, by federation.
    async fn campaign_signatures(&self) -> Result<Vec<(OrgId, String)>>;
}

#[async_trait]
impl CampaignStore for SqlStore {
    async fn create_campaign(&self, new: &NewCampaign, at: Timestamp) -> Result<i64> {
        write::create(self, new, at).await
    }

    async fn campaign(&self, id: i64) -> Result<Option<CampaignRecord>> {
        read::campaign(self, id).await
    }

    async fn campaigns(&self, within: &OrgPath, limit: u32) -> Result<Vec<CampaignRecord>> {
        read::campaigns(self, within, limit).await
    }

    async fn campaign_targets(&self, within: &OrgPath) -> Result<Vec<CampaignTarget>> {
        targets::read(self, within).await
    }

    async fn add_campaign_targets(
        &self,
        campaign_id: i64,
        targets: &[NewCampaignTarget],
        due_at: Timestamp,
        cap: FrequencyCap,
    ) -> Result<u64> {
        targets::add(self, campaign_id, targets, due_at, cap).await
    }

    async fn mark_campaign_queued(&self, campaign_id: i64, at: Timestamp) -> Result<()> {
        write::mark_queued(self, campaign_id, at).await
    }

    async fn claim_campaign_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueMessage>> {
        messages::claim(self, now, lease_until, limit).await
    }

    async fn campaign_sends_since(&self, mobile_bidx: &str, since: Timestamp) -> Result<Vec<Timestamp>> {
        messages::sends_since(self, mobile_bidx, since).await
    }

    async fn campaign_send_checks(&self, mobile_bidxs: &[String], since: Timestamp) -> Result<SendChecks> {
        messages::send_checks(self, mobile_bidxs, since).await
    }

    async fn settle_campaign_messages(&self, settled: &[(i64, Settled)]) -> Result<()> {
        messages::settle(self, settled).await
    }

    async fn mark_campaign_sent(&self, message_id: i64, at: Timestamp) -> Result<()> {
        messages::mark_sent(self, message_id, at).await
    }

    async fn reschedule_campaign_message(
        &self,
        message_id: i64,
        due_at: Timestamp,
        failed_attempt: bool,
    ) -> Result<()> {
        messages::reschedule(self, message_id, due_at, failed_attempt).await
    }

    async fn end_campaign_message(&self, message_id: i64, state: MessageState) -> Result<()> {
        messages::end(self, message_id, state).await
    }

    async fn apply_campaign_receipt(
        &self,
        message_id: i64,
        receipt: Receipt,
        at: Timestamp,
    ) -> Result<Option<MessageState>> {
        messages::receipt(self, message_id, receipt, at).await
    }

    async fn suppress_mobile(
        &self,
        mobile_bidx: &str,
        reason: SuppressionReason,
        at: Timestamp,
    ) -> Result<bool> {
        write::suppress(self, mobile_bidx, reason, at).await
    }

    async fn is_suppressed(&self, mobile_bidx: &str) -> Result<bool> {
        read::is_suppressed(self, mobile_bidx).await
    }

    async fn invite(&self, code: &str) -> Result<Option<InviteRecord>> {
        read::invite(self, code).await
    }

    async fn record_campaign_click(&self, message_id: i64, at: Timestamp) -> Result<bool> {
        messages::click(self, message_id, at).await
    }

    async fn campaign_funnel(&self, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>> {
        funnel::campaign(self, campaign_id).await
    }

    async fn campaign_funnel_recount(&self, campaign_id: i64) -> Result<Vec<(Option<OrgId>, Funnel)>> {
        funnel::recount(self, campaign_id).await
    }

    async fn subtree_campaign_funnel(&self, within: &OrgPath) -> Result<Funnel> {
        funnel::subtree(self, within).await
    }

    async fn campaign_messages(
        &self,
        campaign_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<CampaignMessageRecord>> {
        read::messages(self, campaign_id, after, limit).await
    }

    async fn count_join_code_scan(&self, join_code: &str, day: i64, visitor: &str) -> Result<bool> {
        funnel::count_scan(self, join_code, day, visitor).await
    }

    async fn join_code_funnel(&self, within: &OrgPath, limit: u32) -> Result<Vec<JoinCodeFunnel>> {
        funnel::join_codes(self, within, limit).await
    }

    async fn set_campaign_signature(
        &self,
        org: OrgId,
        signature: Option<&str>,
        by: &str,
        at: Timestamp,
    ) -> Result<()> {
        signatures::set(self, org, signature, by, at).await
    }

    async fn campaign_signatures(&self) -> Result<Vec<(OrgId, String)>> {
        signatures::all(self).await
    }
}

/// A count from the database as the unsigned number it is.
fn count(n: Option<i64>) -> u64 {
    u64::try_from(n.unwrap_or(0)).unwrap_or(0)
}

/// A stored message state read back.
fn message_state(code: &str) -> Result<MessageState> {
    code.parse().map_err(|_| StoreError::Corrupt(format!("campaign message state {code}")))
}
