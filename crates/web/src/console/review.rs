//! The review queue: pending applications of the officer's subtree, oldest first, with
//! deadlines; an application's detail; approve, reject, approve in batches.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use huiji_app::review::{self as app_review, ReviewError};
use huiji_core::{ApplicationStatus, OrgId, RealNameCheck};
use huiji_store::{QueueItem, ReviewOutcome};
use huiji_vault::Field;
use serde::Deserialize;

use super::confirm::{self, Confirmation};
use super::occupation_label;
use super::{Act, Empty, Frame, Officer, page};
use crate::http::format::{date, masked, org_names};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::{WebError, WebState};

/// Rows per page.
const PAGE: u32 = 50;

/// Reasons officers pick most; "other" takes free text.
pub(crate) const REJECT_REASONS: [(&str, &str, &str); 4] = [
    ("false_information", "信息不实", "False information"),
    ("not_our_scope", "不属于本会承接范围", "Not this union's to receive"),
    ("duplicate", "重复申请", "Duplicate application"),
    ("other", "其他", "Other"),
];

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/applications") }))
        .route("/console/applications", get(queue))
        .route("/console/applications/batch-approve", post(batch_approve))
        .route("/console/applications/{id}", get(detail))
        .route("/console/applications/{id}/approve", post(approve))
        .route("/console/applications/{id}/reject", post(reject))
}

struct Row {
    id: i64,
    name: String,
    occupation: &'static str,
    receiving: String,
    submitted: String,
    deadline: String,
    overdue: bool,
    escalated: bool,
    /// Why an officer must look at it alone (no batch approval), in both languages.
    concern: Option<(&'static str, &'static str)>,
}

/// The first reason an application needs a closer look, as the queue tags it.
fn concern(item: &QueueItem) -> Option<(&'static str, &'static str)> {
    if item.holds_membership {
        Some(("已有会籍", "holds a membership"))
    } else if item.mobile_bound_elsewhere {
        Some(("手机号已用于他人", "mobile used with another ID"))
    } else if item.real_name().is_concern() {
        Some(("实名核验未通过", "real-name check failed"))
    } else {
        None
    }
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    pending: u64,
    next: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QueueParams {
    after: String,
    notice: String,
    sig: String,
}

async fn queue(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<QueueParams>,
) -> Result<Response, WebError> {
    let after = params
        .after
        .split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .unwrap_or((i64::MIN, 0));
    let items = state.store.review_queue(officer.scope(), after, PAGE).await?;
    let pending = state.store.count_pending(officer.scope()).await?;
    let names = org_names(&state, items.iter().map(|i| i.application.receiving_org_id)).await?;
    let now = state.app.now().millis();
    let next = (items.len() == PAGE as usize)
        .then(|| items.last().map(|i| format!("{}.{}", i.application.created_at, i.application.id)))
        .flatten();
    let rows = items
        .into_iter()
        .map(|item| (concern(&item), item))
        .map(|(concern, QueueItem { application: a, escalated_at, .. })| Row {
            id: a.id,
            name: mask_name(&a.name),
            occupation: occupation_label(lang, a.occupation),
            receiving: names.get(&a.receiving_org_id).cloned().unwrap_or_default(),
            submitted: date(a.created_at),
            deadline: a.review_deadline.map(date).unwrap_or_default(),
            overdue: a.review_deadline.is_some_and(|d| d < now),
            escalated: escalated_at.is_some(),
            concern,
        })
        .collect();
    let notice = super::signed_notice(&state, params.notice, &params.sig);
    page(&QueuePage {
        frame: Frame { lang, officer: &officer, section: "applications" },
        rows,
        pending,
        next,
        notice,
    })
}

#[derive(Template)]
#[template(path = "console/application.html")]
struct DetailPage<'a> {
    frame: Frame<'a>,
    application: huiji_store::ApplicationDetail,
    name: String,
    id_number: String,
    mobile: String,
    occupation: &'static str,
    region: String,
    receiving: String,
    landing: String,
    reviewer: String,
    submitted: String,
    deadline: Option<String>,
    others: Vec<(i64, String, &'static str)>,
    // Outreach: real-name rosters.
    /// The rosters listing the applicant that count for the receiving union: source, date.
    roster: Vec<(String, String)>,
    reasons: &'static [(&'static str, &'static str, &'static str)],
    can_act: bool,
    pending: bool,
    message: Option<&'a str>,
}

async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    render_detail(&state, lang, &officer, id, None).await
}

async fn render_detail(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: i64,
    message: Option<&str>,
) -> Result<Response, WebError> {
    let application = app_review::visible(&state.app, &officer.app_actor(), id).await.map_err(refused)?;
    let a = &application.item.application;
    let others =
        state.store.applications_of_person(&application.id_number_bidx, a.id, officer.scope()).await?;
    let ids = [a.receiving_org_id]
        .into_iter()
        .chain(a.landing_org_id)
        .chain(application.item.reviewer_org_id)
        .chain(others.iter().map(|o| o.application.receiving_org_id));
    let names = org_names(state, ids).await?;
    let name_of = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    let region = a
        .region_code
        .parse()
        .ok()
        .and_then(|code| state.app.regions().name_path(code))
        .unwrap_or_else(|| a.region_code.clone());
    let others = others
        .iter()
        .map(|o| {
            let a = &o.application;
            (
                a.id,
                format!("{} · {}", name_of(Some(a.receiving_org_id)), date(a.created_at)),
                lang.label(a.status),
            )
        })
        .collect();
    let page_data = DetailPage {
        frame: Frame { lang, officer, section: "applications" },
        name: mask_name(&a.name),
        id_number: masked(state, Field::IdNumber, &application.id_number_ct),
        mobile: masked(state, Field::Mobile, &application.mobile_ct),
        occupation: occupation_label(lang, a.occupation),
        region,
        receiving: name_of(Some(a.receiving_org_id)),
        landing: name_of(a.landing_org_id),
        reviewer: name_of(application.item.reviewer_org_id),
        submitted: date(a.created_at),
        deadline: a.review_deadline.map(date),
        others,
        // Outreach: real-name rosters.
        roster: huiji_app::roster::application_matches(
            &state.app,
            &application.id_number_bidx,
            OrgId(a.receiving_org_id),
        )
        .await?
        .into_iter()
        .map(|m| (m.source, date(m.imported_at.0)))
        .collect(),
        reasons: &REJECT_REASONS,
        can_act: officer.role.can_act(),
        pending: a.status == ApplicationStatus::PendingReview,
        message,
        application: application.clone(),
    };
    page(&page_data)
}

/// The review use cases' refusals as HTTP answers.
fn refused(error: ReviewError) -> WebError {
    match error {
        ReviewError::NotFound => WebError::NotFound,
        ReviewError::Forbidden => WebError::Forbidden,
        ReviewError::ReasonMissing => WebError::BadRequest("reason required".to_owned()),
        ReviewError::ReasonTooLong => WebError::BadRequest("reason too long".to_owned()),
        ReviewError::Store(error) => error.into(),
    }
}

fn outcome_message(lang: Lang, outcome: &ReviewOutcome) -> String {
    match outcome {
        ReviewOutcome::Approved { member_number } => {
            format!("{} {}", lang.t("已批准，会员号", "Approved, member number"), member_number.grouped())
        }
        ReviewOutcome::Rejected => lang.t("已拒绝", "Rejected").to_owned(),
        ReviewOutcome::NotPending => lang.t("该申请已处理", "Already decided").to_owned(),
        ReviewOutcome::AlreadyMember => lang
            .t(
                "申请人已持有会籍，不能再次批准；如需转移会籍请发起接转",
                "The applicant already holds a membership; start a transfer instead",
            )
            .to_owned(),
    }
}

async fn approve(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    let outcome = app_review::approve(&state.app, &officer.app_actor(), id).await.map_err(refused)?;
    render_detail(&state, lang, &officer, id, Some(&outcome_message(lang, &outcome))).await
}

#[derive(Deserialize)]
struct RejectForm {
    #[serde(default)]
    preset: String,
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<RejectForm>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    app_review::visible(&state.app, &actor, id).await.map_err(refused)?;
    let preset = REJECT_REASONS.iter().find(|(code, ..)| *code == form.preset);
    let free = form.reason.trim();
    let reason = match (preset, free.is_empty()) {
        (Some((_, zh, _)), true) if form.preset != "other" => (*zh).to_owned(),
        (Some((_, zh, _)), false) => format!("{zh}：{free}"),
        (None, false) => free.to_owned(),
        _ => {
            let message = lang.t("请选择或填写拒绝理由", "Choose or write a reason");
            return render_detail(&state, lang, &officer, id, Some(message)).await;
        }
    };
    let outcome = app_review::reject(&state.app, &actor, id, &reason).await.map_err(refused)?;
    render_detail(&state, lang, &officer, id, Some(&outcome_message(lang, &outcome))).await
}

#[derive(Deserialize)]
struct BatchForm {
    #[serde(default)]
    ids: Vec<i64>,
    /// `yes` once the officer confirmed the batch.
    #[serde(default)]
    confirm: String,
}

async fn batch_approve(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<BatchForm>,
) -> Result<Response, WebError> {
    // Many memberships at one click: say how many first, and approve on the second.
    if !confirm::confirmed(&form.confirm) {
        let count = form.ids.len().min(app_review::BATCH_LIMIT);
        if count == 0 {
            let query = super::notice_query(&state, lang.t("未选择申请", "No application selected"));
            return Ok(axum::response::IntoResponse::into_response(Redirect::to(&format!(
                "/console/applications?{query}"
            ))));
        }
        let confirmation = Confirmation {
            what: format!("{} {count} {}", lang.t("批准所选的", "Approve the"), lang.t("份入会申请", "selected applications")),
            consequence: lang.t(
                "批准后他们即成为会员，各自收到欢迎短信；已被他人处理或需单独核实的申请不会被批准。",
                "Each becomes a member at once and gets the welcome SMS; applications decided meanwhile or flagged for a look of their own are left alone.",
            ),
            reason: String::new(),
            action: "/console/applications/batch-approve".to_owned(),
            fields: form.ids.iter().take(app_review::BATCH_LIMIT).map(|id| ("ids", id.to_string())).collect(),
            back: "/console/applications".to_owned(),
            button: lang.t("确认批准", "Approve them"),
        };
        return confirm::ask(Frame { lang, officer: &officer, section: "applications" }, confirmation);
    }
    let batch =
        app_review::approve_batch(&state.app, &officer.app_actor(), &form.ids).await.map_err(refused)?;
    let (approved, skipped) = (batch.approved, batch.skipped);
    let notice =
        format!("{} {approved} · {} {skipped}", lang.t("已批准", "Approved"), lang.t("未处理", "Skipped"));
    let query = super::notice_query(&state, &notice);
    Ok(axum::response::IntoResponse::into_response(Redirect::to(&format!("/console/applications?{query}"))))
}
