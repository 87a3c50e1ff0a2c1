//! Officers' grants: one member from the member's page, or in batch over a filtered
//! member list; and the steps of a grant afterwards — enrolled with the insurer's policy
//! number, used, closed, or revoked with a reason. An officer who may act (not a viewer)
//! on the member's union grants any programme they see whose sponsor's subtree holds the
//! member; every grant and step is audited and an event.

use huiji_core::audit::AuditAction;
use huiji_core::benefit::{
    GrantAction, GrantId, GrantMode, GrantRefusal, PolicyNumber, ProgrammeId, RevocationReason, valid_until,
};
use huiji_store::{GrantChange, MemberGrant, MemberQuery, NewGrant, ProgrammeRecord};

use super::{BenefitError, check, granted, programme_for, visible};
use crate::App;
use crate::actor::Actor;

/// Members one batch looks at, at most: a larger group is granted in several batches.
pub const MAX_BATCH: u32 = 5_000;

/// Members read per page of a batch.
const PAGE: u32 = 500;

/// Grants a programme to one member.
///
/// # Errors
///
/// The programme or member is missing or out of scope, the actor may not act on the
/// member's union, the grant is refused (which rule), or the store's.
pub async fn grant(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    membership: i64,
) -> Result<GrantId, BenefitError> {
    let id = grant_quietly(app, actor, programme, membership).await?;
    let record = programme_for(app, actor, programme).await?;
    actor
        .audit(
            app,
            &record.org_path,
            AuditAction::BenefitGrant,
            format!("benefit:{programme} membership:{membership}"),
        )
        .await?;
    super::notices::deliver_soon(app, id).await;
    Ok(id)
}

/// A member's benefits as their page in the console shows them.
#[derive(Clone, Debug)]
pub struct MemberOffer {
    /// The member's grants, newest first.
    pub grants: Vec<MemberGrant>,
    /// Programmes running today that the officer sees, whose sponsor's subtree holds the
    /// member and which the member does not hold yet: what the grant form offers (the
    /// grant itself still checks every rule and the quota).
    pub grantable: Vec<ProgrammeRecord>,
}

/// The member's grants and the programmes an officer may grant them from their page.
///
/// # Errors
///
/// The member is missing or out of scope, or the store's.
pub async fn for_member(app: &App, actor: &Actor, membership: i64) -> Result<MemberOffer, BenefitError> {
    let member = app
        .store()
        .benefit_member(membership)
        .await?
        .filter(|m| actor.sees(&m.home_path))
        .ok_or(BenefitError::NotFound)?;
    let grants = app.store().member_grants(membership).await?;
    let today = app.now().china_date();
    let grantable = app
        .store()
        .programmes_above(&member.home_path)
        .await?
        .into_iter()
        .filter(|p| visible(actor, p) && p.rules.period.contains(today))
        .filter(|p| !grants.iter().any(|g| g.grant.programme == p.id))
        .collect();
    Ok(MemberOffer { grants, grantable })
}

/// The grant without its audit record (a batch writes one for all).
async fn grant_quietly(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    membership: i64,
) -> Result<GrantId, BenefitError> {
    let record = programme_for(app, actor, programme).await?;
    let member = app
        .store()
        .benefit_member(membership)
        .await?
        .filter(|m| actor.sees(&m.home_path))
        .ok_or(BenefitError::NotFound)?;
    if !actor.acts_on(&member.home_path) {
        return Err(BenefitError::Forbidden);
    }
    check(app, &record, &member, GrantMode::Officer).await?;
    let today = app.now().china_date();
    let new = NewGrant {
        programme,
        membership,
        via: GrantMode::Officer,
        valid_until: valid_until(record.valid_days, record.rules.period, today),
        actor: actor.name(),
        at: app.now(),
    };
    granted(app.store().grant_benefit(&new).await?)
}

/// What a batch came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Members the filter found (up to [`MAX_BATCH`]).
    pub considered: u64,
    /// Grants made.
    pub granted: u64,
    /// Members who already hold one.
    pub already: u64,
    /// Members an eligibility rule (or the sponsor's scope) leaves out.
    pub ineligible: u64,
    /// Members left without one because the quota ran out.
    pub quota_exhausted: u64,
}

/// Grants a programme to every member the query finds within the actor's subtree (the
/// first [`MAX_BATCH`]), skipping the ineligible and those holding one, counting those
/// left over when the quota runs out. One audit record for the batch.
///
/// # Errors
///
/// The programme is missing or out of sight, the actor is a viewer or the programme
/// is not running or not officer-grantable, or the store's.
pub async fn grant_batch(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    query: &MemberQuery,
) -> Result<BatchReport, BenefitError> {
    let record = programme_for(app, actor, programme).await?;
    let scope = match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    if !actor.acts_on(&scope) {
        return Err(BenefitError::Forbidden);
    }
    // Narrow the query to the actor's subtree.
    let within = match &query.within {
        Some(path) if scope.contains(path) => path.clone(),
        Some(path) if path.contains(&scope) => scope.clone(),
        Some(_) => return Err(BenefitError::NotFound),
        None => scope.clone(),
    };
    let mut report = BatchReport::default();
    let mut before = None;
    while report.considered < u64::from(MAX_BATCH) {
        let page =
            MemberQuery { within: Some(within.clone()), before_id: before, limit: PAGE, ..query.clone() };
        let members = app.store().search_members(&page).await?;
        let Some(last) = members.last() else { break };
        before = Some(last.id);
        for member in &members {
            if report.considered >= u64::from(MAX_BATCH) {
                break;
            }
            report.considered += 1;
            match grant_quietly(app, actor, programme, member.id).await {
                Ok(_) => report.granted += 1,
                Err(BenefitError::Refused(GrantRefusal::AlreadyGranted)) => report.already += 1,
                // Past the quota (or the member's child union's share) the rules still say
                // who holds one already, so the counts stay true.
                Err(BenefitError::Refused(GrantRefusal::QuotaExhausted)) => report.quota_exhausted += 1,
                Err(BenefitError::Refused(GrantRefusal::NotEligible(_) | GrantRefusal::OtherUnion)) => {
                    report.ineligible += 1;
                }
                Err(BenefitError::NotFound | BenefitError::Forbidden) => report.ineligible += 1,
                Err(other) => return Err(other),
            }
        }
        if u32::try_from(members.len()).unwrap_or(u32::MAX) < PAGE {
            break;
        }
    }
    let subject = format!(
        "benefit:{programme} batch within {}: {} granted, {} already, {} ineligible, {} over quota",
        within.as_str(),
        report.granted,
        report.already,
        report.ineligible,
        report.quota_exhausted
    );
    actor.audit(app, &record.org_path, AuditAction::BenefitGrant, subject).await?;
    super::notices::deliver_later(app);
    Ok(report)
}

/// A step an officer takes on a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantStep {
    /// Enrolled with the insurer: its policy number as typed.
    Enrol(String),
    /// Used (the check-up done, the claim paid).
    Use,
    /// Over.
    Close,
    /// Taken back: the reason as typed.
    Revoke(String),
}

/// Takes a step on a grant of the actor's subtree.
///
/// # Errors
///
/// The grant is missing or out of scope, the actor is a viewer, a missing policy number
/// or reason, the step is not allowed in the grant's status, someone changed it
/// meanwhile, or the store's.
pub async fn act(app: &App, actor: &Actor, id: GrantId, step: GrantStep) -> Result<(), BenefitError> {
    let grant =
        app.store().grant(id).await?.filter(|g| actor.sees(&g.home_path)).ok_or(BenefitError::NotFound)?;
    if !actor.acts_on(&grant.home_path) {
        return Err(BenefitError::Forbidden);
    }
    let (action, reason) = match step {
        GrantStep::Enrol(policy) => {
            (GrantAction::Enrol(PolicyNumber::parse(&policy).ok_or(BenefitError::Policy)?), None)
        }
        GrantStep::Use => (GrantAction::Use, None),
        GrantStep::Close => (GrantAction::Close, None),
        GrantStep::Revoke(reason) => {
            let reason = RevocationReason::parse(&reason).ok_or(BenefitError::Reason)?;
            let text = reason.as_str().to_owned();
            (GrantAction::Revoke(reason), Some(text))
        }
    };
    grant.status.after(&action)?;
    let audit = if matches!(action, GrantAction::Revoke(_)) {
        AuditAction::BenefitRevoke
    } else {
        AuditAction::BenefitGrantUpdate
    };
    let subject = format!("benefit:{} grant:{id} {}", grant.programme, action.code());
    let change = GrantChange { grant: id, from: grant.status, action, actor: actor.name(), at: app.now() };
    if !app.store().change_grant(&change).await? {
        return Err(BenefitError::Stale);
    }
    actor.audit_because(app, &grant.home_path, audit, subject, reason.as_deref()).await?;
    Ok(())
}
