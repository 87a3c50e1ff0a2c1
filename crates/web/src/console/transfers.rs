//! Transfers (接转) in the console. An officer asks for a member into a union of their
//! subtree, by member number or ID number and name; the transfer takes effect only when the
//! outgoing side agrees — an officer whose subtree holds the membership (not the one who
//! asked), or the member on `/status` after an SMS check. A member's own request waits
//! for the receiving side instead. Who may do what is `huiji_core::transfer`'s rule; until
//! the outgoing side agrees, the asking side sees only what it typed.

mod ask;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::transfers::{self, Answered, TransferError};
use huiji_core::{RegionCode, Side, Standing, TransferStatus};
use huiji_store::TransferRecord;
use huiji_vault::Field;
use serde::Deserialize;

use super::notice_query;
use super::pool::{Target, region_choices, targets};
use super::{Act, Empty, Frame, Officer, page};
use crate::http::format::{date, masked, member_number, org_names};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::{WebError, WebState};

/// Most transfers each list shows (newest first).
const LIMIT: u32 = 200;

/// The transfer routes.
pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/transfers", get(list).post(ask::ask))
        .route("/console/transfers/{id}/accept", post(accept))
        .route("/console/transfers/{id}/reject", post(reject))
        .route("/console/transfers/{id}/cancel", post(cancel))
}

/// The buttons of the answer a transfer waits for, in the page's language.
struct Answer {
    agree: &'static str,
    refuse: &'static str,
}

struct Row {
    id: i64,
    name: String,
    /// The member number and masked ID number, once the membership may be shown.
    who: String,
    typed: String,
    from: String,
    to: String,
    status: &'static str,
    requested_by: String,
    reason: String,
    requested: String,
    decided: String,
    answer: Option<Answer>,
    withdrawable: bool,
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
    typed: &'a Typed,
}

/// What the ask form holds: empty, a member number brought from the member's page, or
/// everything as typed before a refusal (nothing is lost to a 422).
#[derive(Clone, Debug, Default)]
pub(super) struct Typed {
    pub member: String,
    pub name: String,
    pub to: String,
    pub to_id: String,
    pub reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    region: String,
    /// A member number to ask for (the member page's 接转 button).
    member: String,
    notice: String,
    sig: String,
}

fn status_label(lang: Lang, status: Option<TransferStatus>) -> &'static str {
    match status {
        Some(TransferStatus::AwaitingConsent) => lang.t("待转出方同意", "Awaiting the member's union"),
        Some(TransferStatus::Requested) => lang.t("待接收", "Awaiting the receiving union"),
        Some(TransferStatus::Accepted) => lang.t("已接收", "Accepted"),
        Some(TransferStatus::Rejected) => lang.t("已拒绝", "Rejected"),
        Some(TransferStatus::Refused) => lang.t("转出方不同意", "Refused by the member's side"),
        Some(TransferStatus::Cancelled) => lang.t("已撤销", "Cancelled"),
        None => "",
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
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let notice = super::signed_notice(&state, params.notice, &params.sig);
    let typed = Typed { member: params.member.trim().to_owned(), ..Typed::default() };
    render(&state, lang, &officer, &params.region, notice, None, &typed).await
}

async fn render(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    region: &str,
    notice: Option<String>,
    error: Option<&str>,
    typed: &Typed,
) -> Result<Response, WebError> {
    let transfers = state.store.transfers(officer.scope(), LIMIT).await?;
    let ids = transfers.iter().flat_map(|t| t.from_org_id.into_iter().chain([t.to_org_id]));
    let names = org_names(state, ids).await?;
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let can_act = officer.role.can_act();
    let actor = officer.app_actor();
    let row = |t: &TransferRecord, standing: Standing| {
        let status = Some(t.status);
        // The asking side sees the membership only once the outgoing side agreed.
        let disclosed = standing.sees_membership(t.released_by.is_some());
        let answer = status.filter(|s| can_act && standing.may_answer(*s)).and_then(|s| match s.awaits() {
            Some(Side::Outgoing) => Some(Answer {
                agree: lang.t("同意转出", "Agree to release"),
                refuse: lang.t("不同意", "Refuse"),
            }),
            Some(Side::Receiving) => {
                Some(Answer { agree: lang.t("接收", "Accept"), refuse: lang.t("拒绝", "Reject") })
            }
            None => None,
        });
        Row {
            id: t.id,
            name: match (&t.member_name, &t.typed_name) {
                (Some(name), _) if disclosed => mask_name(name),
                (_, Some(typed)) => typed.clone(),
                _ => "—".to_owned(),
            },
            who: if disclosed {
                let id = t.member_id_number_ct.as_deref().map(|ct| masked(state, Field::IdNumber, ct));
                [member_number(t.member_number.as_deref()), id.unwrap_or_default()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ")
            } else {
                String::new()
            },
            typed: t.typed_member.clone().unwrap_or_default(),
            from: t.from_org_id.filter(|_| disclosed).map_or_else(|| "—".to_owned(), name_of),
            to: name_of(t.to_org_id),
            status: status_label(lang, status),
            requested_by: requester(lang, &t.requested_by),
            reason: t.reason.clone().unwrap_or_default(),
            requested: date(t.created_at),
            decided: t.decided_at.map(date).unwrap_or_default(),
            answer,
            withdrawable: can_act && status.is_some_and(|s| standing.may_withdraw(s)),
        }
    };
    // A transfer within the subtree is listed once, as incoming.
    let (mut incoming, mut outgoing) = (Vec::new(), Vec::new());
    for t in &transfers {
        let standing = transfers::standing(&actor, t);
        if standing.receiving {
            incoming.push(row(t, standing));
        } else if standing.outgoing {
            outgoing.push(row(t, standing));
        }
    }
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
        typed,
    })?;
    Ok((status, response).into_response())
}

/// Back to the list with a notice.
fn done(state: &WebState, notice: &str) -> Response {
    Redirect::to(&format!("/console/transfers?{}", notice_query(state, notice))).into_response()
}

/// The transfer use cases' refusals that have no page of their own, as HTTP answers.
fn refused(error: TransferError) -> WebError {
    match error {
        TransferError::NotFound => WebError::NotFound,
        TransferError::Forbidden => WebError::Forbidden,
        TransferError::Store(error) => error.into(),
        other => WebError::BadRequest(other.to_string()),
    }
}

async fn answer(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: i64,
    agree: bool,
) -> Result<Response, WebError> {
    let answered = transfers::answer(&state.app, &officer.app_actor(), id, agree).await.map_err(refused)?;
    let notice = match answered {
        Answered::AlreadyDecided => {
            lang.t("该接转已处理或会籍已变更", "Already decided, or the membership changed")
        }
        Answered::Done { side: Side::Outgoing, agree: true } => {
            lang.t("已同意转出，会籍已转入接收工会", "Released: the membership moved")
        }
        Answered::Done { side: Side::Outgoing, agree: false } => {
            lang.t("已拒绝转出", "Refused: the membership stays")
        }
        Answered::Done { side: Side::Receiving, agree: true } => {
            lang.t("已接收该会员的会籍", "Accepted: the membership moved here")
        }
        Answered::Done { side: Side::Receiving, agree: false } => lang.t("已拒绝该接转", "Transfer rejected"),
    };
    Ok(done(state, notice))
}

async fn accept(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    answer(&state, lang, &officer, id, true).await
}

async fn reject(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    answer(&state, lang, &officer, id, false).await
}

/// The asking side withdraws its request while it waits.
async fn cancel(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    let withdrawn = transfers::withdraw(&state.app, &officer.app_actor(), id).await.map_err(refused)?;
    let notice = if withdrawn {
        lang.t("已撤回该接转请求", "Request withdrawn")
    } else {
        lang.t("该接转已处理或会籍已变更", "Already decided, or the membership changed")
    };
    Ok(done(&state, notice))
}
