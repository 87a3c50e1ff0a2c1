//! 创新成果评选: an admin opens a call for their subtree ([`open_call`]), officers below
//! enter their unions' results ([`entries`]), appointed judges score them blind
//! ([`judging`]), and closing the call tallies the scores — the trimmed mean, ranks with
//! ties, the award plan — and publishes the result ([`close_call`]).

pub mod entries;
pub mod judging;

use huiji_core::audit::AuditAction;
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::{
    AwardPlan, CallId, CallStatus, CallWindow, Criteria, Criterion, EntryId, parse_categories, results,
    trimmed_mean,
};
use huiji_core::{CivilDate, OrgId, UserId};
use huiji_store::{Call, CloseOutcome, EntryRecord, EntryResultRow, Judge, NewCall, ScoreRecord};

use super::{InnovationError, Result, org_in_scope, require_admin, text};
use crate::App;
use crate::audit::Officer;
use judging::conflicted;

/// What an admin opens a call with, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallForm {
    /// The organising union (the admin's own or one below).
    pub org: OrgId,
    /// Its title.
    pub title: String,
    /// Categories, one per line (or separated by 、).
    pub categories: String,
    /// The first day entries are taken.
    pub opens: CivilDate,
    /// The last.
    pub closes: CivilDate,
    /// What judges mark, with weights.
    pub criteria: Vec<Criterion>,
    /// How many awards of each tier.
    pub plan: AwardPlan,
}

/// A call as an officer sees it, with what they may do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallView {
    /// The call.
    pub call: Call,
    /// Whether the officer runs it (an admin of the organising union's subtree).
    pub manages: bool,
    /// Whether the officer may enter results now (open, within the window, not a viewer).
    pub may_enter: bool,
}

impl CallView {
    fn of(app: &App, officer: &Officer, call: Call) -> Option<CallView> {
        let below = officer.sees(&call.org_path);
        let above = call.org_path.contains(&officer.scope);
        if !below && !above {
            return None;
        }
        let open = call.status == CallStatus::Open && call.call.window.takes_entries(app.now().china_date());
        Some(CallView {
            manages: below && officer.role.is_admin(),
            may_enter: open && officer.role.can_act(),
            call,
        })
    }
}

/// Opens a call for the admin's subtree.
///
/// # Errors
///
/// `Forbidden`, `NotFound` for a union outside the subtree, `Invalid` for `title`,
/// `categories`, `window` or `plan`, `Evaluation` for the criteria.
pub async fn open_call(app: &App, officer: &Officer, form: CallForm) -> Result<CallId> {
    require_admin(officer)?;
    let org = org_in_scope(app, officer, form.org).await?;
    let call = NewCall {
        org: org.id,
        title: text(&form.title, 100, "title")?,
        categories: parse_categories(&form.categories).ok_or(InnovationError::Invalid("categories"))?,
        window: CallWindow::new(form.opens, form.closes).ok_or(InnovationError::Invalid("window"))?,
        criteria: Criteria::new(form.criteria)?,
        plan: form.plan,
        created_by: officer.actor(),
    };
    let awards = [call.plan.first, call.plan.second, call.plan.third, call.plan.excellence];
    if awards.iter().any(|n| *n > 1_000) {
        return Err(InnovationError::Invalid("plan"));
    }
    let id = app.store().create_call(&call, app.now()).await?;
    let store = app.store().as_ref();
    officer
        .record(store, app.now(), &org.path, AuditAction::CallOpen, format!("call:{id}"), Some(call.title))
        .await?;
    Ok(id)
}

/// The calls an officer sees: those of their subtree and those of the unions above them
/// (which their unions may enter), newest first.
///
/// # Errors
///
/// The store's.
pub async fn calls(app: &App, officer: &Officer) -> Result<Vec<CallView>> {
    let calls = app.store().calls().await?;
    Ok(calls.into_iter().filter_map(|call| CallView::of(app, officer, call)).collect())
}

/// One call the officer sees.
///
/// # Errors
///
/// `NotFound` for a call they do not see.
pub async fn call(app: &App, officer: &Officer, id: CallId) -> Result<CallView> {
    let call = app.store().call(id).await?.ok_or(InnovationError::NotFound)?;
    CallView::of(app, officer, call).ok_or(InnovationError::NotFound)
}

/// A call the officer runs.
async fn managed(app: &App, officer: &Officer, id: CallId) -> Result<Call> {
    let view = call(app, officer, id).await?;
    if view.manages { Ok(view.call) } else { Err(InnovationError::Forbidden) }
}

/// Appoints an account (an officer's or a judge-only one) to judge an open call,
/// declaring the studios it belongs to; appointing again replaces them.
///
/// # Errors
///
/// `Forbidden` unless the officer runs the call, `Invalid("username")` for an unknown or
/// disabled account, `Invalid("studios")` for a studio that does not exist,
/// `CallClosed`.
pub async fn appoint_judge(
    app: &App,
    officer: &Officer,
    id: CallId,
    username: &str,
    studios: &[StudioId],
) -> Result<()> {
    let call = managed(app, officer, id).await?;
    if call.status == CallStatus::Closed {
        return Err(InnovationError::CallClosed);
    }
    let user = app.store().user_by_username(username.trim()).await?;
    let user = user.filter(|u| !u.disabled).ok_or(InnovationError::Invalid("username"))?;
    for studio in studios {
        app.store().studio(*studio).await?.ok_or(InnovationError::Invalid("studios"))?;
    }
    let mut studios = studios.to_vec();
    studios.sort_unstable();
    studios.dedup();
    app.store().appoint_judge(id, UserId(user.id), &studios, &officer.actor(), app.now()).await?;
    let subject = format!("call:{id}");
    let store = app.store().as_ref();
    officer
        .record(store, app.now(), &call.org_path, AuditAction::JudgeAppoint, subject, Some(user.username))
        .await?;
    Ok(())
}

/// A call's judges, for the officer who runs it.
///
/// # Errors
///
/// `Forbidden`, `NotFound`.
pub async fn judges(app: &App, officer: &Officer, id: CallId) -> Result<Vec<Judge>> {
    managed(app, officer, id).await?;
    Ok(app.store().judges(id).await?)
}

/// A call's scores, for the officer who runs it (who scored what, for the audit of a
/// result; judges' pages never show another judge's score).
///
/// # Errors
///
/// `Forbidden`, `NotFound`.
pub async fn scores(app: &App, officer: &Officer, id: CallId) -> Result<Vec<ScoreRecord>> {
    managed(app, officer, id).await?;
    Ok(app.store().scores(id).await?)
}

/// The tally rule: each entry's score is the trimmed mean of the scores of judges still on
/// the panel, without a conflict of interest and not recused; entries nobody scored
/// have no result; ranks share ties and awards follow the plan.
fn tally(
    plan: AwardPlan,
    entries: Vec<EntryRecord>,
    judges: Vec<Judge>,
    recusals: Vec<(EntryId, UserId)>,
) -> impl Fn(&[ScoreRecord]) -> Vec<EntryResultRow> + Send + Sync {
    move |scores: &[ScoreRecord]| {
        let counted = |entry: &EntryRecord, score: &ScoreRecord| {
            judges
                .iter()
                .find(|j| j.user == score.judge)
                .is_some_and(|judge| !conflicted(judge, entry) && !recusals.contains(&(entry.id, judge.user)))
        };
        let scored: Vec<((EntryId, u32), _)> = entries
            .iter()
            .filter_map(|entry| {
                let mine: Vec<_> = scores
                    .iter()
                    .filter(|s| s.entry == entry.id && counted(entry, s))
                    .map(|s| s.score)
                    .collect();
                let judges = u32::try_from(mine.len()).unwrap_or(u32::MAX);
                trimmed_mean(&mine).map(|mean| ((entry.id, judges), mean))
            })
            .collect();
        results(scored, plan)
            .into_iter()
            .map(|r| EntryResultRow {
                entry: r.entry.0,
                judges: r.entry.1,
                score: r.score,
                rank: r.rank,
                award: r.award,
            })
            .collect()
    }
}

/// Closes a call: no entry or score is taken any more, the result is tallied from the
/// scores there are and published.
///
/// # Errors
///
/// `Forbidden` unless the officer runs it, `NotFound`, `CallClosed` when it was closed.
pub async fn close_call(app: &App, officer: &Officer, id: CallId) -> Result<Vec<EntryResultRow>> {
    let call = managed(app, officer, id).await?;
    let entries = app.store().entries(id).await?;
    let judges = app.store().judges(id).await?;
    let recusals = app.store().recusals(id).await?;
    let rule = tally(call.call.plan, entries, judges, recusals);
    let outcome = app.store().close_call(id, &officer.actor(), app.now(), &rule).await?;
    let results = match outcome {
        CloseOutcome::Closed(results) => results,
        CloseOutcome::AlreadyClosed => return Err(InnovationError::CallClosed),
        CloseOutcome::Missing => return Err(InnovationError::NotFound),
    };
    let reason = format!("{} entries ranked", results.len());
    let store = app.store().as_ref();
    officer
        .record(store, app.now(), &call.org_path, AuditAction::CallClose, format!("call:{id}"), Some(reason))
        .await?;
    Ok(results)
}

/// A closed call's published result: its entries that have one, best first.
///
/// # Errors
///
/// `NotFound` for no such call, `CallOpen` while it is open.
pub async fn published_result(app: &App, id: CallId) -> Result<(Call, Vec<EntryRecord>)> {
    let call = app.store().call(id).await?.ok_or(InnovationError::NotFound)?;
    if call.status == CallStatus::Open {
        return Err(InnovationError::CallOpen);
    }
    let mut entries: Vec<EntryRecord> =
        app.store().entries(id).await?.into_iter().filter(|e| e.result.is_some()).collect();
    entries.sort_by_key(|e| e.result.map(|r| (r.rank, e.id)));
    Ok((call, entries))
}

/// The closed calls, newest first: what the public page lists.
///
/// # Errors
///
/// The store's.
pub async fn closed_calls(app: &App) -> Result<Vec<Call>> {
    Ok(app.store().calls().await?.into_iter().filter(|c| c.status == CallStatus::Closed).collect())
}
