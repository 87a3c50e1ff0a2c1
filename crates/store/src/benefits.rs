//! Benefit programmes in the database: programmes with their quotas (in total and per
//! child union), members' grants and every step of them as events. "One grant per member
//! per programme" is a unique key and "never over quota" a counter raised only while
//! below the quota, in the grant's own transaction — or in the approval's, for
//! `on_approval` programmes ([`grant_on_approval_in`]). Who is eligible is
//! `huiji_core::benefit`'s rule; the store keeps what it decided.

mod approval;
mod row;
mod write;

use async_trait::async_trait;
use huiji_core::benefit::{
    GrantAction, GrantId, GrantMode, GrantStatus, MemberSnapshot, ProgrammeDraft, ProgrammeId, ProgrammeKind,
    ProgrammeRules, Quota,
};
use huiji_core::{Channel, CivilDate, MembershipStatus, Occupation, OrgId, OrgPath, Sex, Timestamp};

pub(crate) use approval::grant_on_approval_in;

use crate::Result;
use crate::db::SqlStore;

/// A programme to store: the checked draft, its sponsor and its child unions' shares.
#[derive(Clone, Debug)]
pub struct NewProgramme {
    /// The sponsor union.
    pub org: OrgId,
    /// What the admin typed, checked.
    pub draft: ProgrammeDraft,
    /// Child unions' shares of the quota.
    pub shares: Vec<(OrgId, u32)>,
    /// Who created it (`user:NAME` or `operator`).
    pub created_by: String,
}

/// A stored programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeRecord {
    /// Its id.
    pub id: ProgrammeId,
    /// The sponsor union.
    pub org: OrgId,
    /// Its path: the members of this subtree may hold grants.
    pub org_path: OrgPath,
    /// What it gives.
    pub kind: ProgrammeKind,
    /// Its name.
    pub name: String,
    /// The insurer or provider.
    pub provider: Option<String>,
    /// Their hotline.
    pub hotline: Option<String>,
    /// Mode, period and eligibility.
    pub rules: ProgrammeRules,
    /// The total quota and the grants counted against it.
    pub quota: Quota,
    /// Days a grant lasts, if not until the programme's end.
    pub valid_days: Option<u32>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

/// A child union's share of a programme's quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareRecord {
    /// The child union.
    pub org: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Its name.
    pub org_name: String,
    /// Its share and the grants counted against it.
    pub quota: Quota,
}

/// What the eligibility rules and a grant need to know about a membership.
#[derive(Clone, PartialEq, Eq)]
pub struct BenefitMember {
    /// The membership.
    pub id: i64,
    /// Its home union's path.
    pub home_path: OrgPath,
    /// Its status.
    pub status: MembershipStatus,
    /// Occupation.
    pub occupation: Occupation,
    /// Work region code.
    pub region_code: String,
    /// When it began.
    pub joined_at: Timestamp,
    /// The application's channel (`offline` for a membership without one).
    pub channel: Channel,
    /// The platform that submitted the application.
    pub platform: Option<String>,
    /// Sex, from the ID number.
    pub sex: Sex,
    /// The ID number, sealed (the app opens it for the birth date).
    pub id_number_ct: Vec<u8>,
}

impl BenefitMember {
    /// What the eligibility rules read; `None` for a work region the store cannot read.
    /// The birth date comes from the opened ID number (`None` where it is sealed).
    pub fn snapshot(&self, birth_date: Option<CivilDate>) -> Option<MemberSnapshot<'_>> {
        Some(MemberSnapshot {
            occupation: self.occupation,
            region: self.region_code.parse().ok()?,
            status: self.status,
            joined_on: self.joined_at.china_date(),
            channel: self.channel,
            platform: self.platform.as_deref(),
            birth_date,
            sex: self.sex,
        })
    }
}

impl std::fmt::Debug for BenefitMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenefitMember").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A grant to make, already allowed by the rules.
#[derive(Clone, Debug)]
pub struct NewGrant {
    /// The programme.
    pub programme: ProgrammeId,
    /// The membership.
    pub membership: i64,
    /// How it is made.
    pub via: GrantMode,
    /// Its last valid day.
    pub valid_until: Option<CivilDate>,
    /// Who makes it (`user:NAME`, `member`, `operator`).
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// What a grant came to: the database's last word on uniqueness and quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granted {
    /// Made.
    Done(GrantId),
    /// The member already holds (or held) a grant of it.
    AlreadyGranted,
    /// The total quota is used up.
    QuotaExhausted,
    /// The member's child union's share is used up.
    ShareExhausted,
    /// The programme or the membership is gone, or the membership is no longer held.
    Gone,
}

/// What changing a programme came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Updated {
    /// Changed.
    Done,
    /// The sponsor has another programme of that name.
    NameTaken,
    /// More grants are held than the new quota allows.
    BelowGranted,
    /// No such programme.
    Gone,
}

/// A stored grant, with the member's name and number for lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRecord {
    /// Its id.
    pub id: GrantId,
    /// The programme.
    pub programme: ProgrammeId,
    /// The membership.
    pub membership: i64,
    /// The member's name (lists mask it).
    pub member_name: String,
    /// The member number.
    pub member_number: Option<String>,
    /// The membership's home path when granted.
    pub home_path: OrgPath,
    /// Where it stands.
    pub status: GrantStatus,
    /// How it was made.
    pub via: GrantMode,
    /// The insurer's policy number.
    pub policy_number: Option<String>,
    /// Its last valid day.
    pub valid_until: Option<CivilDate>,
    /// When it was made.
    pub granted_at: Timestamp,
    /// Who made it.
    pub granted_by: String,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
}

/// A member's grant as the card and status pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberGrant {
    /// The grant.
    pub grant: GrantRecord,
    /// The programme's name.
    pub programme_name: String,
    /// What it gives.
    pub kind: ProgrammeKind,
    /// The insurer or provider.
    pub provider: Option<String>,
    /// Their hotline.
    pub hotline: Option<String>,
}

/// One step of a grant's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantEventRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: String,
    /// `grant`, `enrol`, `use`, `close` or `revoke`.
    pub kind: String,
    /// The policy number or the reason.
    pub note: Option<String>,
}

/// A change to a grant, already allowed by `GrantStatus::after`.
#[derive(Clone, Debug)]
pub struct GrantChange {
    /// The grant.
    pub grant: GrantId,
    /// The status it was read in: the write happens only if it still is.
    pub from: GrantStatus,
    /// What is done.
    pub action: GrantAction,
    /// Who.
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// A grant's row for the insurer's list: sealed identifiers the app opens or masks.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// The grant.
    pub grant: GrantRecord,
    /// The member's home union's name.
    pub union: String,
    /// The ID number, sealed.
    pub id_number_ct: Vec<u8>,
    /// The mobile, sealed.
    pub mobile_ct: Vec<u8>,
}

impl std::fmt::Debug for ExportRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRow").field("grant", &self.grant.id).finish_non_exhaustive()
    }
}

/// Benefit programmes and grants.
#[async_trait]
pub trait BenefitStore: Send + Sync {
    /// Stores a programme with its shares; `None` when the sponsor already has a
    /// programme of that name. `NotFound` for a missing sponsor or share union.
    async fn create_programme(&self, programme: &NewProgramme, at: Timestamp) -> Result<Option<ProgrammeId>>;
    /// One programme.
    async fn programme(&self, id: ProgrammeId) -> Result<Option<ProgrammeRecord>>;
    /// Programmes sponsored within `within` or by a union above it, newest first.
    async fn programmes_for(&self, within: &OrgPath, limit: u32) -> Result<Vec<ProgrammeRecord>>;
    /// Programmes a member of `home` may hold (sponsored by their union or one above it),
    /// newest first.
    async fn programmes_above(&self, home: &OrgPath) -> Result<Vec<ProgrammeRecord>>;
    /// Changes a programme's name, provider, hotline, period and quota, in one
    /// statement that refuses a quota below the grants held.
    async fn update_programme(
        &self,
        id: ProgrammeId,
        edit: &huiji_core::benefit::ProgrammeEdit,
    ) -> Result<Updated>;
    /// A programme's child-union shares, by union name.
    async fn programme_shares(&self, id: ProgrammeId) -> Result<Vec<ShareRecord>>;
    /// A programme's grants per status, counted within `within`.
    async fn grant_counts(&self, id: ProgrammeId, within: &OrgPath) -> Result<Vec<(GrantStatus, u64)>>;
    /// What eligibility needs to know about a membership.
    async fn benefit_member(&self, membership: i64) -> Result<Option<BenefitMember>>;
    /// Makes a grant if the member holds the membership and has none of the programme
    /// and quota (total and share) remains; with its event.
    async fn grant_benefit(&self, grant: &NewGrant) -> Result<Granted>;
    /// One grant.
    async fn grant(&self, id: GrantId) -> Result<Option<GrantRecord>>;
    /// A programme's grants to members of `within`, by id, after `after`.
    async fn programme_grants(
        &self,
        id: ProgrammeId,
        within: &OrgPath,
        after: i64,
        limit: u32,
    ) -> Result<Vec<GrantRecord>>;
    /// A membership's grants with their programmes, newest first.
    async fn member_grants(&self, membership: i64) -> Result<Vec<MemberGrant>>;
    /// A grant's history, oldest first.
    async fn grant_events(&self, id: GrantId) -> Result<Vec<GrantEventRecord>>;
    /// Applies a change if the grant is still in `from` (a revocation gives its quota
    /// back); `false` when it moved on meanwhile.
    async fn change_grant(&self, change: &GrantChange) -> Result<bool>;
    /// The grant of the programme held by the member whose ID number has this blind
    /// index (the enrolment import's lookup).
    async fn grant_by_id_number(&self, id: ProgrammeId, id_number_bidx: &str) -> Result<Option<GrantRecord>>;
    /// A programme's grants to members of `within` with sealed identifiers, by id.
    async fn export_rows(&self, id: ProgrammeId, within: &OrgPath) -> Result<Vec<ExportRow>>;
}

#[async_trait]
impl BenefitStore for SqlStore {
    async fn create_programme(&self, programme: &NewProgramme, at: Timestamp) -> Result<Option<ProgrammeId>> {
        write::create(self, programme, at).await
    }

    async fn update_programme(
        &self,
        id: ProgrammeId,
        edit: &huiji_core::benefit::ProgrammeEdit,
    ) -> Result<Updated> {
        write::update(self, id, edit).await
    }

    async fn programme(&self, id: ProgrammeId) -> Result<Option<ProgrammeRecord>> {
        row::programme(self, id).await
    }

    async fn programmes_for(&self, within: &OrgPath, limit: u32) -> Result<Vec<ProgrammeRecord>> {
        row::programmes_for(self, within, limit).await
    }

    async fn programmes_above(&self, home: &OrgPath) -> Result<Vec<ProgrammeRecord>> {
        row::programmes_above(self, home).await
    }

    async fn programme_shares(&self, id: ProgrammeId) -> Result<Vec<ShareRecord>> {
        row::shares(self, id).await
    }

    async fn grant_counts(&self, id: ProgrammeId, within: &OrgPath) -> Result<Vec<(GrantStatus, u64)>> {
        row::counts(self, id, within).await
    }

    async fn benefit_member(&self, membership: i64) -> Result<Option<BenefitMember>> {
        row::member(self, membership).await
    }

    async fn grant_benefit(&self, grant: &NewGrant) -> Result<Granted> {
        write::grant(self, grant).await
    }

    async fn grant(&self, id: GrantId) -> Result<Option<GrantRecord>> {
        row::grant(self, id).await
    }

    async fn programme_grants(
        &self,
        id: ProgrammeId,
        within: &OrgPath,
        after: i64,
        limit: u32,
    ) -> Result<Vec<GrantRecord>> {
        row::programme_grants(self, id, within, after, limit).await
    }

    async fn member_grants(&self, membership: i64) -> Result<Vec<MemberGrant>> {
        row::member_grants(self, membership).await
    }

    async fn grant_events(&self, id: GrantId) -> Result<Vec<GrantEventRecord>> {
        row::events(self, id).await
    }

    async fn change_grant(&self, change: &GrantChange) -> Result<bool> {
        write::change(self, change).await
    }

    async fn grant_by_id_number(&self, id: ProgrammeId, id_number_bidx: &str) -> Result<Option<GrantRecord>> {
        row::by_id_number(self, id, id_number_bidx).await
    }

    async fn export_rows(&self, id: ProgrammeId, within: &OrgPath) -> Result<Vec<ExportRow>> {
        row::export(self, id, within).await
    }
}
