//! The officers' side: the cases of their subtree (overdue first), one case with its
//! history, and the actions — accept, assign, record a step, close — each allowed by
//! core's state machine, written as a compare-and-set and audited; the worker's SMS
//! (accepted, a step, closed) is queued with the change and sent before the page
//! returns. A case outside the officer's subtree is "not found", never "forbidden", so
//! its existence does not leak.

use huiji_core::audit::AuditAction;
use huiji_core::case::{self, CaseAction, CaseClock, CaseEventKind, CaseId, Overdue, StepKind};
use huiji_core::money::Amount;
use huiji_core::{Mobile, OrgId, OrgPath, UserId};
use huiji_store::{CaseChange, CaseEventRecord, CaseOfficer, CaseRecord, Changed, NoticeAbout};
use huiji_vault::Field;

use super::CaseError;
use crate::App;
use crate::actor::Actor;

/// Cases a list shows at most, open and ended each.
const LISTED: u32 = 200;

/// A case as an officer of its subtree sees it.
#[derive(Clone, Debug)]
pub struct CaseView {
    /// The stored case (its mobile still sealed).
    pub record: CaseRecord,
    /// The handling federation's name.
    pub federation: String,
    /// The assignee's username.
    pub assignee: Option<String>,
    /// The mobile masked (138****8000); empty once purged.
    pub mobile_masked: String,
    /// Which deadline it has missed, if open and overdue now.
    pub overdue: Option<Overdue>,
    /// Its history, oldest first (filled by [`view`], empty in lists).
    pub events: Vec<CaseEventRecord>,
}

/// What an officer does to a case, as typed on the case page.
#[derive(Clone, Debug)]
pub enum OfficerAction {
    /// Take it on.
    Accept,
    /// Hand it to an officer of the subtree.
    Assign(UserId),
    /// Record a step, with an optional note.
    Step(StepKind, String),
    /// Close it: the outcome's code, the amount recovered as typed (for `recovered`),
    /// an optional note.
    Close {
        /// An `OutcomeKind` code.
        outcome: String,
        /// Yuan, for a recovery.
        amount: String,
        /// What was agreed or decided.
        note: String,
    },
}

/// The path an actor's lists cover.
async fn scope_of(app: &App, actor: &Actor) -> Result<OrgPath, CaseError> {
    Ok(match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    })
}

fn clock_of(record: &CaseRecord) -> CaseClock {
    CaseClock {
        submitted_at: record.submitted_at,
        first_response_at: record.first_response_at,
        ended_at: record.ended_at,
    }
}

/// The summary of a case for an officer (no history).
async fn summary(app: &App, record: CaseRecord) -> Result<CaseView, CaseError> {
    let federation = app.store().org(record.org).await?.map(|o| o.name).unwrap_or_default();
    let mobile_masked = if record.mobile_ct.is_empty() {
        String::new()
    } else {
        let plain = app.keys().decrypt(Field::Mobile, &record.mobile_ct)?;
        Mobile::parse(&plain).map(|m| m.masked()).unwrap_or_default()
    };
    let overdue = record.dues.overdue(&clock_of(&record), app.now());
    Ok(CaseView { record, federation, assignee: None, mobile_masked, overdue, events: Vec::new() })
}

/// The open cases of the actor's subtree, the nearest deadline first (so the overdue
/// lead), then the latest ended ones.
///
/// # Errors
///
/// The store's, or a mobile that cannot be opened.
pub async fn cases(app: &App, actor: &Actor) -> Result<(Vec<CaseView>, Vec<CaseView>), CaseError> {
    let within = scope_of(app, actor).await?;
    let (open, ended) =
        tokio::try_join!(app.store().open_cases(&within, LISTED), app.store().ended_cases(&within, LISTED))?;
    let mut views = (Vec::with_capacity(open.len()), Vec::with_capacity(ended.len()));
    for record in open {
        views.0.push(summary(app, record).await?);
    }
    for record in ended {
        views.1.push(summary(app, record).await?);
    }
    Ok(views)
}

/// A case the actor sees, or `NotFound`.
async fn seen(app: &App, actor: &Actor, id: CaseId) -> Result<CaseRecord, CaseError> {
    app.store().case(id).await?.filter(|c| actor.sees(&c.org_path)).ok_or(CaseError::NotFound)
}

/// One case of the actor's subtree with its history.
///
/// # Errors
///
/// `NotFound` for a case outside the subtree, or the store's.
pub async fn view(app: &App, actor: &Actor, id: CaseId) -> Result<CaseView, CaseError> {
    let record = seen(app, actor, id).await?;
    let mut view = summary(app, record).await?;
    view.events = app.store().case_events(id).await?;
    if let Some(assignee) = view.record.assignee {
        let officers = app.store().case_officers(&view.record.org_path).await?;
        view.assignee = officers.into_iter().find(|o| o.id == assignee).map(|o| o.username);
    }
    Ok(view)
}

/// The officers a case may be assigned to: admins and reviewers of the handling
/// federation's subtree.
///
/// # Errors
///
/// `NotFound` for a case outside the actor's subtree, or the store's.
pub async fn officers(app: &App, actor: &Actor, id: CaseId) -> Result<Vec<CaseOfficer>, CaseError> {
    let record = seen(app, actor, id).await?;
    Ok(app.store().case_officers(&record.org_path).await?)
}

/// Does `action` to a case of the actor's subtree: allowed by core's state machine,
/// written only if nobody moved the case meanwhile, audited.
///
/// # Errors
///
/// `NotFound` outside the subtree, `Forbidden` for a viewer, an illegal transition, a
/// bad note or amount, an assignee from elsewhere, `Stale`, or the store's.
pub async fn act(app: &App, actor: &Actor, id: CaseId, action: OfficerAction) -> Result<(), CaseError> {
    let record = seen(app, actor, id).await?;
    if !actor.acts_on(&record.org_path) {
        return Err(CaseError::Forbidden);
    }
    let (core_action, assignee, note, audit) = match action {
        OfficerAction::Accept => (CaseAction::Accept, None, None, AuditAction::CaseAccept),
        OfficerAction::Assign(user) => {
            let officers = app.store().case_officers(&record.org_path).await?;
            if !officers.iter().any(|o| o.id == user) {
                return Err(CaseError::UnknownOfficer);
            }
            (CaseAction::Assign, Some(user), None, AuditAction::CaseAssign)
        }
        OfficerAction::Step(step, note) => {
            (CaseAction::RecordStep(step), None, case::parse_note(&note)?, AuditAction::CaseStep)
        }
        OfficerAction::Close { outcome, amount, note } => {
            let kind: case::OutcomeKind = outcome.parse().map_err(|_| CaseError::Amount)?;
            let amount = match kind {
                case::OutcomeKind::Recovered => Some(Amount::parse(&amount).map_err(|_| CaseError::Amount)?),
                _ => None,
            };
            let outcome = case::CaseOutcome::from_parts(kind, amount).ok_or(CaseError::Amount)?;
            (CaseAction::Close(outcome), None, case::parse_note(&note)?, AuditAction::CaseClose)
        }
    };
    let to = record.status.after(core_action)?;
    let change = CaseChange {
        case: id,
        from: record.status,
        to,
        action: core_action,
        assignee,
        note,
        actor: actor.name(),
        at: app.now(),
    };
    if app.store().change_case(&change).await? == Changed::Stale {
        return Err(CaseError::Stale);
    }
    let subject = match core_action {
        CaseAction::RecordStep(step) => format!("case:{id} {}", step.code()),
        CaseAction::Close(outcome) => format!("case:{id} {}", outcome.kind().code()),
        CaseAction::Assign => format!("case:{id} user:{}", assignee.map_or(0, |u| u.0)),
        _ => format!("case:{id}"),
    };
    actor.audit(app, &record.org_path, audit, subject).await?;
    crate::notices::deliver_about(app, NoticeAbout { case: Some(id.0), ..NoticeAbout::default() }).await;
    Ok(())
}

/// The federation an event moved a case to, for pages naming it.
pub fn moved_to(event: &CaseEventRecord) -> Option<OrgId> {
    matches!(event.kind, CaseEventKind::Submit | CaseEventKind::Escalate).then_some(event.org).flatten()
}
