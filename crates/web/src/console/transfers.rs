//! Transfers (接转): a membership moves between unions, keeping its seniority. Officers see
//! the transfers into and out of their subtree, start one for a member they identify by
//! member number or ID number, and the receiving side accepts or rejects.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_core::{IdNumber, MemberNumber, OrgId, RegionCode};
use huiji_store::{MemberQuery, MembershipRecord, StoreError, TransferRecord};
use huiji_vault::Field;
use serde::Deserialize;

use super::notice_query;
use super::pool::{Target, region_choices, targets};
use super::review::{date, org_names};
use super::{Act, Empty, Frame, Officer, page};
use crate::card::mask_name;
use crate::i18n::Lang;
use crate::{AppState, WebError};

/// Most transfers each list shows (newest first).
const LIMIT: u32 = 200;

/// Longest reason kept.
const REASON_CHARS: usize = 500;

/// The transfer routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/transfers", get(list).post(start))
        .route("/console/transfers/{id}/accept", post(accept))
        .route("/console/transfers/{id}/reject", post(reject))
}

struct Row {
    id: i64,
    name: String,
    from: String,
    to: String,
    status: &'static str,
    requested_by: String,
    reason: String,
    requested: String,
    decided: String,
    decidable: bool,
}

#[derive(Template)]
#[template(path = "console/transfers.html")]
struct TransfersPage<'a> {
    frame: Frame<'a>,
    incoming: Vec<Row>,
    outgoing: Vec<Row>,
    targets: Vec<Target>,
    regions: Vec<(String, String)>,
    region: String,
    notice: Option<String>,
    error: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    region: String,
    notice: String,
    sig: String,
}

fn status_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "requested" => lang.t("待处理", "Requested"),
        "accepted" => lang.t("已接收", "Accepted"),
        "rejected" => lang.t("已拒绝", "Rejected"),
        "cancelled" => lang.t("已撤销", "Cancelled"),
        _ => "",
    }
}

fn requester(lang: Lang, requested_by: &str) -> String {
    match requested_by.strip_prefix("user:") {
        Some(username) => username.to_owned(),
        None if requested_by == "member" => lang.t("会员本人（member）", "the member (member)").to_owned(),
        None => requested_by.to_owned(),
    }
}

async fn list(
    State(state): State<AppState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let notice = super::signed_notice(&state, params.notice, &params.sig);
    render(&state, lang, &officer, &params.region, notice, None).await
}

async fn render(
    state: &AppState,
    lang: Lang,
    officer: &Officer,
    region: &str,
    notice: Option<String>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let transfers = state.store.transfers(officer.scope(), LIMIT).await?;
    let ids = transfers.iter().flat_map(|t| [t.from_org_id, t.to_org_id]);
    let names = org_names(state, ids).await?;
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let can_act = officer.role.can_act();
    let row = |t: &TransferRecord, incoming: bool| Row {
        id: t.id,
        name: mask_name(&t.member_name),
        from: name_of(t.from_org_id),
        to: name_of(t.to_org_id),
        status: status_label(lang, &t.status),
        requested_by: requester(lang, &t.requested_by),
        reason: t.reason.clone().unwrap_or_default(),
        requested: date(t.created_at),
        decided: t.decided_at.map(date).unwrap_or_default(),
        decidable: incoming && can_act && t.status == "requested",
    };
    // A transfer within the subtree is listed once, as incoming: that is where it is decided.
    let incoming = transfers.iter().filter(|t| officer.sees(&t.to_path)).map(|t| row(t, true)).collect();
    let outgoing = transfers
        .iter()
        .filter(|t| officer.sees(&t.from_path) && !officer.sees(&t.to_path))
        .map(|t| row(t, false))
        .collect();
    let region_code = region.parse::<RegionCode>().ok();
    let mut choices = targets(state, officer.scope(), region_code).await?;
    // The officer's own union first: members often move straight into it.
    choices.retain(|t| t.id != officer.org.id.0);
    choices.insert(0, Target { id: officer.org.id.0, name: officer.org.name.clone() });
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let response = page(&TransfersPage {
        frame: Frame { lang, officer, section: "transfers" },
        incoming,
        outgoing,
        targets: choices,
        regions: region_choices(state, officer),
        region: region_code.map(|r| r.to_string()).unwrap_or_default(),
        notice,
        error,
    })?;
    Ok((status, response).into_response())
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    to_id: String,
    #[serde(default)]
    reason: String,
}

/// The held membership of the person a member number or full ID number names, wherever
/// it is. Looked up by exact number or blind index only; `None` for a malformed number,
/// an unknown person and a person who holds no membership alike.
async fn held_membership(state: &AppState, typed: &str) -> Result<Option<MembershipRecord>, WebError> {
    let mut query = MemberQuery { limit: 5, ..MemberQuery::default() };
    if let Some(number) = MemberNumber::parse(typed) {
        query.member_number = Some(number.as_str().to_owned());
    } else {
        let today = state.clock.now().china_date();
        let Ok(id_number) = IdNumber::parse(typed, today, |p| state.regions.province_exists(p)) else {
            return Ok(None);
        };
        query.id_number_bidx = Some(state.keyring.blind_index(Field::IdNumber, id_number.as_str()).to_hex());
    }
    let found = state.store.search_members(&query).await?;
    Ok(found.into_iter().find(|m| m.status().is_some_and(|s| s.is_held())))
}

async fn start(
    State(state): State<AppState>,
    lang: Lang,
    Act { officer, form }: Act<StartForm>,
) -> Result<Response, WebError> {
    let fail = |message: &'static str| render(&state, lang, &officer, "", None, Some(message));
    let typed_target = if form.to_id.trim().is_empty() { form.to.trim() } else { form.to_id.trim() };
    let Ok(to) = typed_target.parse::<i64>() else {
        return fail(lang.t("请选择或填写接收工会", "Choose or enter the receiving union")).await;
    };
    // The receiving union must be the officer's own subtree; anything else is a 404.
    let target = officer.org_in_scope(&state, OrgId(to)).await?;
    let reason = form.reason.trim();
    if reason.chars().count() > REASON_CHARS {
        return fail(lang.t("接转原因不超过500字", "Keep the reason under 500 characters")).await;
    }
    // One neutral answer for "no such person" and "not a member": the form is no oracle.
    let not_found = lang.t("未找到可接转的会籍", "No membership that can be transferred was found");
    let Some(membership) = held_membership(&state, form.member.trim()).await? else {
        return fail(not_found).await;
    };
    if membership.home_org_id == target.id.0 {
        return fail(lang.t("该会员已在此工会", "The member already belongs to this union")).await;
    }
    let now = state.clock.now();
    match state.store.request_transfer(membership.id, target.id, &officer.actor(), reason, now).await {
        Ok(_) => {
            let notice =
                format!("{} {}", lang.t("已发起接转，接收工会：", "Transfer requested to"), target.name);
            Ok(Redirect::to(&format!("/console/transfers?{}", notice_query(&state, &notice))).into_response())
        }
        Err(StoreError::NotFound(_)) => fail(not_found).await,
        Err(StoreError::Constraint("transfers_one_open_key")) => {
            fail(lang.t("该会员已有待处理的接转", "The member already has an open transfer")).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn decide(
    state: &AppState,
    lang: Lang,
    officer: &Officer,
    id: i64,
    accept: bool,
) -> Result<Response, WebError> {
    // Only the receiving side decides; for anyone else the transfer does not exist.
    let transfer = state.store.transfer(id).await?;
    officer.within(transfer, |t| t.to_path.as_str())?;
    let decided = state.store.decide_transfer(id, accept, &officer.actor(), state.clock.now()).await?;
    let notice = match (decided, accept) {
        (true, true) => lang.t("已接收该会员的会籍", "Accepted: the membership moved here"),
        (true, false) => lang.t("已拒绝该接转", "Transfer rejected"),
        (false, _) => lang.t("该接转已处理或会籍已变更", "Already decided, or the membership changed"),
    };
    Ok(Redirect::to(&format!("/console/transfers?{}", notice_query(state, notice))).into_response())
}

async fn accept(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    decide(&state, lang, &officer, id, true).await
}

async fn reject(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    decide(&state, lang, &officer, id, false).await
}
