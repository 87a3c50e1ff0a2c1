//! Creating contests: an organiser union of the actor's subtree, a window, the rules and
//! the category quotas (given, or in proportion to the bank), checked against the bank
//! the contest will draw from.

use huiji_core::audit::AuditAction;
use huiji_core::contest::{
    CategoryQuota, ContestId, ContestName, ContestRules, ContestWindow, RulesError, default_quotas,
    draw_questions,
};
use huiji_core::{CivilDate, OrgId};
use huiji_store::{ContestRecord, NewContest};

use super::ContestError;
use crate::App;
use crate::actor::Actor;

/// Contests a list shows at most.
const LISTED: u32 = 200;

/// A contest as the organiser describes it.
#[derive(Clone, Debug)]
pub struct ContestDraft {
    /// The organiser union: its subtree's members take part.
    pub org: OrgId,
    /// The name, e.g. 2026年安康杯安全知识网络竞赛.
    pub name: String,
    /// The first day (China).
    pub from: CivilDate,
    /// The last day.
    pub until: CivilDate,
    /// Questions each attempt draws.
    pub questions_per_attempt: u32,
    /// The time limit in minutes.
    pub minutes: u32,
    /// Attempts a member may start per day.
    pub attempts_per_day: u32,
    /// Questions per category; `None` draws each category of the bank in proportion
    /// to its size.
    pub quotas: Option<Vec<CategoryQuota>>,
}

/// Creates a contest. Admins of the organiser's subtree and the operator may; the
/// bank the organiser draws from (its own and its ancestors') must hold the quotas.
///
/// # Errors
///
/// An unknown or unseen organiser, an actor who may not, rules or a window out of
/// bounds, quotas that do not add up or cannot be drawn, or the store's.
pub async fn create(app: &App, actor: &Actor, draft: ContestDraft) -> Result<ContestId, ContestError> {
    let org =
        app.store().org(draft.org).await?.filter(|o| actor.sees(&o.path)).ok_or(ContestError::NotFound)?;
    if !actor.administers(&org.path) {
        return Err(ContestError::Forbidden);
    }
    let name = ContestName::parse(&draft.name)?;
    let rules = ContestRules::new(draft.questions_per_attempt, draft.minutes, draft.attempts_per_day)?;
    let window = ContestWindow::new(draft.from, draft.until).ok_or(RulesError::Window)?;
    let lineage = org.path.lineage();
    let quotas = match draft.quotas {
        Some(quotas) => {
            let sum = quotas.iter().map(|q| q.count).sum::<u32>();
            if sum != rules.questions_per_attempt() {
                return Err(ContestError::QuotaTotal {
                    quotas: sum,
                    questions: rules.questions_per_attempt(),
                });
            }
            draw_questions(&app.store().bank(&lineage).await?, &quotas, 0)?;
            quotas
        }
        None => default_quotas(&app.store().bank_categories(&lineage).await?, rules.questions_per_attempt())?,
    };
    let new = NewContest { org: org.id, name, window, rules, quotas, created_by: actor.name() };
    let id = app.store().create_contest(&new, app.now()).await?;
    let subject = format!("contest:{id} {} ({} – {})", new.name.as_str(), window.from(), window.until());
    actor.audit(app, &org.path, AuditAction::ContestCreate, subject).await?;
    Ok(id)
}

/// Contests organised within the actor's subtree, newest first.
///
/// # Errors
///
/// The store's.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<ContestRecord>, ContestError> {
    let within = match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    Ok(app.store().contests(&within, LISTED).await?)
}
