//! Benefit programmes (普惠服务, 互助保障; DESIGN.md "Services"): admins of a sponsor
//! union create a programme for their subtree ([`manage`]); grants are made on approval
//! (in the store's approval transaction), claimed by members from `/status` after the SMS
//! check ([`claim`]), or given by officers one by one or in batch ([`grant`]); officers
//! move a grant on — enrolled with the insurer's policy number, used, closed, or revoked
//! with a reason ([`grant::act`]); the insurer's list goes out masked, or in full with
//! `pii.reveal`, a reason and an audit record, and policy numbers come back from the
//! insurer's workbook ([`insurer`]); each grant's SMS is queued in the grant's
//! transaction and delivered by the notice job with retries ([`notices`]). The rules are `huiji_core::benefit`'s; quota and "one grant per
//! member" are the database's.

pub mod claim;
pub mod grant;
pub mod insurer;
pub mod manage;
mod notices;

pub use claim::{Claimable, MemberBenefits, benefits_of_member, claim, claim_token};
pub use grant::{BatchReport, GrantStep, MemberOffer, act, for_member, grant, grant_batch};
pub use insurer::{EnrolReport, InsurerRow, enrol_import, insurer_rows};
pub use manage::{ProgrammeView, close, create, edit, programmes, view};

use huiji_core::benefit::{GrantRefusal, IllegalGrantTransition, MemberSnapshot, ProgrammeRules};
use huiji_core::joining::FieldError;
use huiji_core::{CivilDate, IdNumber};
use huiji_store::{BenefitMember, ProgrammeRecord, StoreError};
use huiji_vault::{Field, VaultError};

use crate::App;
use crate::actor::Actor;

/// Why a benefit use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BenefitError {
    /// Fields of the programme are wrong (each says which and why).
    #[error("invalid programme")]
    Invalid(Vec<FieldError>),
    /// The sponsor already has a programme of that name.
    #[error("the sponsor already has a programme of that name")]
    NameTaken,
    /// A child-union share names no child union of the sponsor, or a bad number.
    #[error("a share must name a child union of the sponsor and a quota up to the total")]
    Share,
    /// A new quota below the grants already held.
    #[error("the quota is below the grants held")]
    BelowGranted,
    /// No such programme, grant or member — or one outside the actor's subtree.
    #[error("not found")]
    NotFound,
    /// The actor sees it but may not do this.
    #[error("not allowed")]
    Forbidden,
    /// The grant is refused: the rule that says why.
    #[error("refused: {}", .0.code())]
    Refused(GrantRefusal),
    /// The change is not allowed in the grant's status.
    #[error("{0}")]
    Illegal(#[from] IllegalGrantTransition),
    /// Someone else changed the grant meanwhile.
    #[error("the grant changed meanwhile")]
    Stale,
    /// A revocation or a full export without a reason, or one too long.
    #[error("a reason of 1 to 200 characters is required")]
    Reason,
    /// A policy number that is empty, too long or not plain.
    #[error("invalid policy number")]
    Policy,
    /// The claim token is forged or expired (the SMS check is to be done again).
    #[error("the claim token is not valid")]
    BadToken,
    /// The insurer's workbook cannot be read.
    #[error("cannot read the workbook: {0}")]
    Sheet(String),
    /// Opening a sealed value failed.
    #[error("vault: {0}")]
    Vault(#[from] VaultError),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Whether the actor sees the programme: its sponsor is in the actor's subtree, or
/// above the actor's union (a province programme reaches the city's officers).
pub(crate) fn visible(actor: &Actor, programme: &ProgrammeRecord) -> bool {
    match actor {
        Actor::Officer(officer) => {
            officer.scope.contains(&programme.org_path) || programme.org_path.contains(&officer.scope)
        }
        Actor::Operator => true,
    }
}

/// A programme the actor sees, else `NotFound`.
pub(crate) async fn programme_for(
    app: &App,
    actor: &Actor,
    id: huiji_core::benefit::ProgrammeId,
) -> Result<ProgrammeRecord, BenefitError> {
    app.store().programme(id).await?.filter(|p| visible(actor, p)).ok_or(BenefitError::NotFound)
}

/// The member's birth date, from the opened ID number (`None` once purged).
pub(crate) fn birth_date(app: &App, member: &BenefitMember, today: CivilDate) -> Option<CivilDate> {
    let number = app.keys().decrypt(Field::IdNumber, &member.id_number_ct).ok()?;
    IdNumber::parse(&number, today, |_| true).ok().map(|id| id.birth_date())
}

/// Checks a grant by `mode` against the programme's scope, period, mode, the member's
/// grants, eligibility and quota — in the order a member wants to hear them.
pub(crate) async fn check(
    app: &App,
    programme: &ProgrammeRecord,
    member: &BenefitMember,
    mode: huiji_core::benefit::GrantMode,
) -> Result<(), BenefitError> {
    let today = app.now().china_date();
    if !programme.org_path.contains(&member.home_path) {
        return Err(BenefitError::Refused(GrantRefusal::OtherUnion));
    }
    let held = app.store().member_grants(member.id).await?.iter().any(|g| g.grant.programme == programme.id);
    let snapshot = member
        .snapshot(birth_date(app, member, today))
        .ok_or_else(|| StoreError::Corrupt(format!("membership {}: region", member.id)))?;
    rules_check(&programme.rules, mode, &snapshot, today, held, programme.quota)
}

fn rules_check(
    rules: &ProgrammeRules,
    mode: huiji_core::benefit::GrantMode,
    member: &MemberSnapshot<'_>,
    today: CivilDate,
    held: bool,
    quota: huiji_core::benefit::Quota,
) -> Result<(), BenefitError> {
    rules.check_grant(mode, member, today, held, quota).map_err(BenefitError::Refused)
}

/// Turns the store's last word on a grant into the use case's answer.
pub(crate) fn granted(outcome: huiji_store::Granted) -> Result<huiji_core::benefit::GrantId, BenefitError> {
    use huiji_store::Granted;
    match outcome {
        Granted::Done(id) => Ok(id),
        Granted::AlreadyGranted => Err(BenefitError::Refused(GrantRefusal::AlreadyGranted)),
        Granted::QuotaExhausted | Granted::ShareExhausted => {
            Err(BenefitError::Refused(GrantRefusal::QuotaExhausted))
        }
        Granted::Gone => Err(BenefitError::NotFound),
    }
}
