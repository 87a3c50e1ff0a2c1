//! Legal-aid cases in the console: the cases handled within the officer's subtree (the
//! open ones nearest their deadline first, so the overdue lead, then the latest ended),
//! one case with its history, and the actions on it — accept, assign, record a step,
//! close — each a call of `app::cases::act`. A case outside the subtree is a 404 like a
//! missing one; the worker's mobile is shown masked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use huiji_app::cases::{self, CaseError, CaseView, OfficerAction};
use huiji_core::case::{CaseId, CaseOutcome, MissedDeadline, OutcomeKind, StepKind};
use huiji_core::{Timestamp, UserId};
use huiji_store::CaseOfficer;
use serde::Deserialize;

use super::{Act, Frame, NoticeQuery, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/cases", get(list)).route("/console/cases/{id}", get(detail).post(act))
}

/// A case as the console shows it.
struct CaseRow {
    id: i64,
    category: &'static str,
    status: &'static str,
    federation: String,
    region: String,
    amount: String,
    submitted: String,
    /// The next deadline, or what was missed.
    deadline: String,
    overdue: bool,
    outcome: String,
    rating: String,
}

fn time(at: Timestamp) -> String {
    let date = at.china_date();
    let minutes = (at.0 - Timestamp::china_day_start(date).0) / 60_000;
    format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
}

fn row(state: &WebState, lang: Lang, view: &CaseView) -> CaseRow {
    let r = &view.record;
    let deadline = match view.overdue {
        Some(overdue) => {
            let what = match overdue.missed() {
                MissedDeadline::FirstResponse => lang.t("超期未响应", "No response in time"),
                MissedDeadline::Resolution => lang.t("超期未办结", "Not resolved in time"),
            };
            format!("{what} ({})", time(overdue.due()))
        }
        None if r.status.is_open() => {
            let clock = huiji_core::case::CaseClock {
                submitted_at: r.submitted_at,
                first_response_at: r.first_response_at,
                ended_at: r.ended_at,
            };
            time(r.dues.next(&clock))
        }
        None => String::new(),
    };
    let outcome = r.outcome.map_or_else(String::new, |o| match o {
        CaseOutcome::Recovered(amount) => {
            format!("{} ¥{amount}", lang.t(o.kind().label_zh(), o.kind().label_en()))
        }
        _ => lang.t(o.kind().label_zh(), o.kind().label_en()).to_owned(),
    });
    CaseRow {
        id: r.id.0,
        category: lang.t(r.category.label_zh(), r.category.label_en()),
        status: lang.t(r.status.label_zh(), r.status.label_en()),
        federation: view.federation.clone(),
        region: state
            .app
            .regions()
            .get(r.region)
            .map_or_else(|| r.region.to_string(), |g| g.name.to_string()),
        amount: r.amount.map(|a| format!("¥{a}")).unwrap_or_default(),
        submitted: time(r.submitted_at),
        deadline,
        overdue: view.overdue.is_some(),
        outcome,
        rating: r.rating.map(|s| format!("{}/5", s.stars())).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "console/cases.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    open: Vec<CaseRow>,
    ended: Vec<CaseRow>,
}

fn web_error(error: CaseError) -> WebError {
    match error {
        CaseError::NotFound => WebError::NotFound,
        CaseError::Forbidden => WebError::Forbidden,
        other => WebError::Internal(other.to_string()),
    }
}

/// `GET /console/cases`
async fn list(State(state): State<WebState>, lang: Lang, officer: Officer) -> Result<Response, WebError> {
    let (open, ended) = cases::cases(&state.app, &officer.app_actor()).await.map_err(web_error)?;
    let open = open.iter().map(|v| row(&state, lang, v)).collect();
    let ended = ended.iter().map(|v| row(&state, lang, v)).collect();
    page(&ListPage { frame: Frame { lang, officer: &officer, section: "cases" }, open, ended })
}

/// Who did it, in words: the worker who filed the case, the escalation job, or an
/// officer whose account has no display name (its username).
fn actor_label(lang: Lang, actor: &str) -> String {
    match actor {
        "worker" => lang.t("职工本人", "The worker").to_owned(),
        "system" => lang.t("系统（超期自动上报）", "System (overdue escalation)").to_owned(),
        other => other.strip_prefix("user:").unwrap_or(other).to_owned(),
    }
}

/// One event of the history as shown.
struct EventRow {
    at: String,
    what: String,
    actor: String,
    note: String,
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePage<'a> {
    frame: Frame<'a>,
    case: CaseRow,
    party: String,
    description: Option<String>,
    mobile: String,
    assignee: String,
    events: Vec<EventRow>,
    open: bool,
    accepted: bool,
    officers: Vec<CaseOfficer>,
    steps: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: CaseId,
    notice: Option<String>,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let view = cases::view(&state.app, &actor, id).await.map_err(web_error)?;
    let officers = cases::officers(&state.app, &actor, id).await.map_err(web_error)?;
    // Officers by name, as the member history shows them.
    let names = super::accounts::officer_names(
        state,
        view.events.iter().filter_map(|e| e.actor.strip_prefix("user:")),
    )
    .await?;
    let mut events = Vec::with_capacity(view.events.len());
    for e in &view.events {
        let mut what = lang.t(e.kind.label_zh(), e.kind.label_en()).to_owned();
        if let Some(step) = e.step {
            what = format!("{what} · {}", lang.t(step.label_zh(), step.label_en()));
        }
        if let Some(org) = cases::handle::moved_to(e) {
            let name = state.store.org(org).await?.map(|o| o.name).unwrap_or_default();
            what = format!("{what} → {name}");
        }
        if let Some(user) = e.assignee {
            let name = officers
                .iter()
                .find(|o| o.id == user)
                .map_or_else(|| format!("#{user}"), |o| o.username.clone());
            what = format!("{what} → {name}");
        }
        events.push(EventRow {
            at: time(e.at),
            what,
            actor: e
                .actor
                .strip_prefix("user:")
                .and_then(|u| names.get(u).cloned())
                .unwrap_or_else(|| actor_label(lang, &e.actor)),
            note: e.note.clone().unwrap_or_default(),
        });
    }
    let r = &view.record;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let case_page = CasePage {
        frame: Frame { lang, officer, section: "cases" },
        case: row(state, lang, &view),
        party: r.party.clone().unwrap_or_default(),
        description: r.description.clone(),
        mobile: view.mobile_masked.clone(),
        assignee: view.assignee.clone().unwrap_or_default(),
        events,
        open: r.status.is_open(),
        accepted: r.first_response_at.is_some()
            && r.status.is_open()
            && r.status != huiji_core::case::CaseStatus::Submitted,
        officers,
        steps: StepKind::ALL.iter().map(|s| (s.code(), lang.t(s.label_zh(), s.label_en()))).collect(),
        outcomes: OutcomeKind::ALL.iter().map(|o| (o.code(), lang.t(o.label_zh(), o.label_en()))).collect(),
        notice,
        error,
    };
    let mut response = page(&case_page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/cases/{id}`
async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = notice.verified(&state);
    detail_page(&state, lang, &officer, CaseId(id), notice, None).await
}

/// An action's form: `action` is `accept`, `assign`, `step` or `close`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    action: String,
    assignee: String,
    step: String,
    outcome: String,
    amount: String,
    note: String,
}

/// `POST /console/cases/{id}`: an officer who may act does one thing to the case.
async fn act(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<ActionForm>,
) -> Result<Response, WebError> {
    let id = CaseId(id);
    let bad = || WebError::BadRequest("unknown case action".to_owned());
    let action = match form.action.as_str() {
        "accept" => OfficerAction::Accept,
        "assign" => OfficerAction::Assign(UserId(form.assignee.trim().parse().map_err(|_| bad())?)),
        "step" => OfficerAction::Step(form.step.parse::<StepKind>().map_err(|_| bad())?, form.note),
        "close" => OfficerAction::Close { outcome: form.outcome, amount: form.amount, note: form.note },
        _ => return Err(bad()),
    };
    let problem = match cases::act(&state.app, &officer.app_actor(), id, action).await {
        Ok(()) => {
            let done = lang.t("已保存", "Saved");
            return Ok(
                Redirect::to(&format!("/console/cases/{id}?{}", notice_query(&state, done))).into_response()
            );
        }
        Err(CaseError::Illegal(_)) => {
            lang.t("案件当前状态下不能这样操作", "Not possible in the case's current status")
        }
        Err(CaseError::Stale) => lang
            .t("案件刚被他人更新，请查看后重试", "Someone else just changed the case; check and try again"),
        Err(CaseError::Note(_)) => {
            lang.t("备注不能超过500字，且不能含控制字符", "The note is at most 500 characters of plain text")
        }
        Err(CaseError::Amount) => lang.t(
            "请选择办结结果；追回款项须填写金额（元）",
            "Choose an outcome; a recovery needs the amount in yuan",
        ),
        Err(CaseError::UnknownOfficer) => {
            lang.t("只能指派给本级及下级工会的经办人", "Assign only to an officer of the handling subtree")
        }
        Err(other) => return Err(web_error(other)),
    };
    detail_page(&state, lang, &officer, id, None, Some(problem)).await
}
