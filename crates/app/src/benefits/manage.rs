//! Creating a programme (admins of the sponsor's subtree, and the operator; audited),
//! changing or closing it (the same admins; audited), and reading programmes with their figures: quota, granted, remaining, by child union and
//! by status within the reader's subtree.

use huiji_core::OrgId;
use huiji_core::audit::AuditAction;
use huiji_core::benefit::{
    EditFields, GrantStatus, ProgrammeEdit, ProgrammeFields, ProgrammeId, closed_period, parse_edit,
    parse_programme,
};
use huiji_store::{NewProgramme, ProgrammeRecord, ShareRecord, Updated};

use super::{BenefitError, programme_for};
use crate::App;
use crate::actor::Actor;

/// Programmes a list shows at most.
const LISTED: u32 = 200;

/// Creates a programme of `sponsor` from the typed fields, with child unions' shares
/// (`(child union, quota)` as typed).
///
/// # Errors
///
/// The sponsor is missing or out of scope, the actor is not its admin, a field is
/// invalid (all of them listed), a share is not a child union's or exceeds the total,
/// the name is taken, or the store's.
pub async fn create(
    app: &App,
    actor: &Actor,
    sponsor: OrgId,
    fields: &ProgrammeFields<'_>,
    shares: &[(OrgId, &str)],
) -> Result<ProgrammeId, BenefitError> {
    let org =
        app.store().org(sponsor).await?.filter(|o| actor.sees(&o.path)).ok_or(BenefitError::NotFound)?;
    if !actor.administers(&org.path) {
        return Err(BenefitError::Forbidden);
    }
    let draft = parse_programme(fields, app.regions()).map_err(BenefitError::Invalid)?;
    let mut checked = Vec::with_capacity(shares.len());
    for (child, quota) in shares {
        let quota: u32 = quota.trim().parse().map_err(|_| BenefitError::Share)?;
        let is_child = app.store().org(*child).await?.is_some_and(|c| c.parent == Some(org.id));
        if !is_child || quota == 0 || quota > draft.quota || checked.iter().any(|(c, _)| c == child) {
            return Err(BenefitError::Share);
        }
        checked.push((*child, quota));
    }
    let name = draft.name.clone();
    let new = NewProgramme { org: org.id, draft, shares: checked, created_by: actor.name() };
    let id = app.store().create_programme(&new, app.now()).await?.ok_or(BenefitError::NameTaken)?;
    actor.audit(app, &org.path, AuditAction::BenefitCreate, format!("benefit:{id} {name}")).await?;
    Ok(id)
}

/// Programmes the actor sees: sponsored within their subtree or above their union,
/// newest first.
///
/// # Errors
///
/// The store's.
pub async fn programmes(app: &App, actor: &Actor) -> Result<Vec<ProgrammeRecord>, BenefitError> {
    let scope = match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    Ok(app.store().programmes_for(&scope, LISTED).await?)
}

/// A programme with its figures as the actor sees them.
#[derive(Clone, Debug)]
pub struct ProgrammeView {
    /// The programme (its quota counts every grant, wherever).
    pub record: ProgrammeRecord,
    /// The sponsor's name.
    pub sponsor: String,
    /// Child unions' shares.
    pub shares: Vec<ShareRecord>,
    /// Grants per status within the actor's subtree (the sponsor's, if wider).
    pub counts: Vec<(GrantStatus, u64)>,
    /// Whether the actor administers the sponsor (may see every figure and change it).
    pub administers: bool,
}

/// One programme with its figures.
///
/// # Errors
///
/// Not found or out of sight, or the store's.
pub async fn view(app: &App, actor: &Actor, id: ProgrammeId) -> Result<ProgrammeView, BenefitError> {
    let record = programme_for(app, actor, id).await?;
    let sponsor = app.store().org(record.org).await?.map(|o| o.name).unwrap_or_default();
    let shares = app.store().programme_shares(id).await?;
    let within = match actor {
        Actor::Officer(officer) if record.org_path.contains(&officer.scope) => officer.scope.clone(),
        _ => record.org_path.clone(),
    };
    let counts = app.store().grant_counts(id, &within).await?;
    let administers = actor.administers(&record.org_path);
    Ok(ProgrammeView { record, sponsor, shares, counts, administers })
}

/// Changes a programme's name, provider, hotline, last day or quota (admins of the
/// sponsor; audited). Kind, mode and eligibility stay: members were granted under them.
///
/// # Errors
///
/// Missing or out of sight, not the sponsor's admin, a field is invalid (all listed),
/// the quota is below a child union's share or the grants held, the name is taken, or
/// the store's.
pub async fn edit(
    app: &App,
    actor: &Actor,
    id: ProgrammeId,
    fields: &EditFields<'_>,
) -> Result<(), BenefitError> {
    let record = programme_for(app, actor, id).await?;
    if !actor.administers(&record.org_path) {
        return Err(BenefitError::Forbidden);
    }
    let edit = parse_edit(fields, record.rules.period.from()).map_err(BenefitError::Invalid)?;
    if app.store().programme_shares(id).await?.iter().any(|s| s.quota.total > edit.quota) {
        return Err(BenefitError::Share);
    }
    store_change(app, id, &edit).await?;
    let subject = format!("benefit:{id} {} quota {} until {}", edit.name, edit.quota, until_text(&edit));
    actor.audit(app, &record.org_path, AuditAction::BenefitEdit, subject).await?;
    Ok(())
}

/// Closes a programme: it ends yesterday, so nothing is granted or claimed from today;
/// the grants made stay (admins of the sponsor; audited).
///
/// # Errors
///
/// Missing or out of sight, not the sponsor's admin, or the store's.
pub async fn close(app: &App, actor: &Actor, id: ProgrammeId) -> Result<(), BenefitError> {
    let record = programme_for(app, actor, id).await?;
    if !actor.administers(&record.org_path) {
        return Err(BenefitError::Forbidden);
    }
    let today = app.now().china_date();
    let period = closed_period(record.rules.period, today)
        .ok_or_else(|| BenefitError::Store(huiji_store::StoreError::Corrupt("closing period".to_owned())))?;
    let edit = ProgrammeEdit {
        name: record.name.clone(),
        provider: record.provider.clone(),
        hotline: record.hotline.clone(),
        period,
        quota: record.quota.total,
    };
    store_change(app, id, &edit).await?;
    let subject = format!("benefit:{id} {} closed, last day {}", record.name, until_text(&edit));
    actor.audit(app, &record.org_path, AuditAction::BenefitClose, subject).await?;
    Ok(())
}

fn until_text(edit: &ProgrammeEdit) -> String {
    edit.period.until().map_or_else(|| "-".to_owned(), |d| d.to_string())
}

async fn store_change(app: &App, id: ProgrammeId, edit: &ProgrammeEdit) -> Result<(), BenefitError> {
    match app.store().update_programme(id, edit).await? {
        Updated::Done => Ok(()),
        Updated::NameTaken => Err(BenefitError::NameTaken),
        Updated::BelowGranted => Err(BenefitError::BelowGranted),
        Updated::Gone => Err(BenefitError::NotFound),
    }
}
