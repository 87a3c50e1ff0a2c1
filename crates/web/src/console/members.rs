//! Members of the officer's subtree: search (ID numbers and mobiles only through their
//! blind indexes), a member's detail with the full history of its events, lifecycle
//! changes (保留会籍, 恢复, 退会, 除名, 去世) and exports of the masked list.

mod export;
// Accounts in the console: the full export for pii.reveal holders.
mod full_export;
mod reveal;
mod search;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use huiji_app::members::{self, MembersError};
use huiji_core::{LifecycleAction, MembershipStatus, Occupation, Sex, Timestamp};
use huiji_store::{EventRecord, MembershipDetail};
use huiji_vault::Field;
use serde::Deserialize;

use self::export::{Row, rows};
use self::search::{Filters, Search, Source, resolve};
use super::benefits::member::{MemberPanel, member_panel};
use super::confirm::{self, Confirmation};
use super::occupation_label;
use super::{Act, Frame, Officer, Own, page};
use crate::http::format::{date, masked, member_number, org_names};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::{WebError, WebState};

/// Rows per page.
const PAGE: u32 = 50;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/members", get(list).post(search))
        .route("/console/members/export.csv", get(export::csv))
        .route("/console/members/export.xlsx", get(export::xlsx))
        .route("/console/members/export-full", post(full_export::export_full))
        .route("/console/members/{id}", get(detail))
        .route("/console/members/{id}/lifecycle", post(lifecycle))
        .route("/console/members/{id}/reveal", post(reveal::reveal))
}

/// The application a `joined` event names: the store writes its reason as
/// `application N`.
fn joined_from(reason: &str) -> Option<i64> {
    reason.strip_prefix("application ")?.parse().ok()
}

/// Who did it, in words.
fn actor_label(lang: Lang, actor: &str) -> String {
    match actor {
        "instant" => lang.t("系统（马上入会）", "System (instant approval)").to_owned(),
        "member" => lang.t("会员本人", "The member").to_owned(),
        other => other.strip_prefix("user:").unwrap_or(other).to_owned(),
    }
}

#[derive(Template)]
#[template(path = "console/members.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    filters: &'a Filters,
    search: &'a Search,
    held: u64,
    rows: Vec<Row>,
    links: String,
    next: Option<String>,
    occupations: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(filters): Query<Filters>,
) -> Result<Response, WebError> {
    list_page(&state, lang, &officer, filters, Source::Link).await
}

/// The search form posts, so a typed full ID number or mobile travels in the body and
/// never lands in a URL, the browser's history or an access log; the page it answers
/// links onwards with the blind-index keys only.
async fn search(
    State(state): State<WebState>,
    lang: Lang,
    Own { officer, form }: Own<Filters>,
) -> Result<Response, WebError> {
    list_page(&state, lang, &officer, form, Source::Form).await
}

async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    filters: Filters,
    source: Source,
) -> Result<Response, WebError> {
    let mut search = resolve(state, lang, officer, &filters, source, PAGE).await?;
    search.query.before_id = filters.before.trim().parse().ok();
    let members = if search.problems.is_empty() {
        state.store.search_members(&search.query).await?
    } else {
        Vec::new()
    };
    let held = state.store.count_members(officer.scope()).await?;
    let links = search.link_query(&filters);
    let next = (members.len() == PAGE as usize).then(|| members.last().map(|m| m.id)).flatten().map(|last| {
        let before = serde_html_form::to_string([("before", last)]).unwrap_or_default();
        if links.is_empty() { before } else { format!("{links}&{before}") }
    });
    let rows = rows(state, lang, &members).await?;
    let occupations =
        Occupation::ALL.iter().map(|o| (o.code(), lang.t(o.label_zh(), o.label_en()))).collect();
    let statuses = MembershipStatus::ALL.iter().map(|s| (s.code(), lang.label(*s))).collect();
    let mut response = page(&ListPage {
        frame: Frame { lang, officer, section: "members" },
        filters: &filters,
        search: &search,
        held,
        rows,
        links,
        next,
        occupations,
        statuses,
    })?;
    if !search.problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// An event of the history, in words.
struct EventRow {
    when: String,
    what: &'static str,
    from: String,
    to: String,
    actor: String,
    reason: String,
    /// The application a join came from, linked instead of the stored `application N`.
    application: Option<i64>,
}

/// A message shown above the detail: a confirmation or a refusal.
pub(super) struct Notice {
    pub(super) ok: bool,
    pub(super) text: String,
}

#[derive(Template)]
#[template(path = "console/member.html")]
struct MemberPage<'a> {
    frame: Frame<'a>,
    id: i64,
    number: String,
    transfer_number: String,
    name: String,
    id_number: String,
    mobile: String,
    sex: &'static str,
    occupation: &'static str,
    region: String,
    status: &'static str,
    joined: String,
    home: String,
    home_org_id: i64,
    in_pool: bool,
    events: Vec<EventRow>,
    actions: Vec<(&'static str, &'static str)>,
    can_act: bool,
    may_reveal: bool,
    notice: Option<Notice>,
    reason: &'a str,
    benefits: MemberPanel,
}

/// The membership if it lies in the officer's subtree, else a 404 like a missing one.
pub(super) async fn member_in_scope(
    state: &WebState,
    officer: &Officer,
    id: i64,
) -> Result<MembershipDetail, WebError> {
    members::in_scope(&state.app, &officer.app_actor(), id).await.map_err(refused_by)
}

async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let member = member_in_scope(&state, &officer, id).await?;
    render_detail(&state, lang, &officer, member, None, "").await
}

pub(super) async fn render_detail(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    member: MembershipDetail,
    notice: Option<Notice>,
    reason: &str,
) -> Result<Response, WebError> {
    let m = &member.record;
    let events: Vec<EventRecord> = state.store.membership_events(m.id).await?;
    let ids = std::iter::once(m.home_org_id)
        .chain(events.iter().flat_map(|e| e.from_org_id.into_iter().chain(e.to_org_id)));
    let names = org_names(state, ids).await?;
    let name_of = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    let region = m
        .region_code
        .parse()
        .ok()
        .and_then(|code| state.app.regions().name_path(code))
        .unwrap_or_else(|| m.region_code.clone());
    let actions = LifecycleAction::ALL
        .iter()
        .filter(|a| a.applies_to(m.status))
        .map(|a| (a.code(), lang.label(*a)))
        .collect();
    // Officers by name (accounts in the console).
    let officers =
        super::accounts::officer_names(state, events.iter().filter_map(|e| e.actor.strip_prefix("user:")))
            .await?;
    let events = events
        .iter()
        .map(|e| EventRow {
            when: Timestamp(e.at).china_minute(),
            what: lang.label(e.kind),
            from: name_of(e.from_org_id),
            to: name_of(e.to_org_id),
            actor: e
                .actor
                .strip_prefix("user:")
                .and_then(|u| officers.get(u).cloned())
                .unwrap_or_else(|| actor_label(lang, &e.actor)),
            application: e.reason.as_deref().and_then(joined_from),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let benefits = member_panel(state, lang, officer, m.id).await?;
    page(&MemberPage {
        frame: Frame { lang, officer, section: "members" },
        id: m.id,
        number: member_number(m.member_number.as_deref()),
        // The 接转 button asks for a held membership by its 13 digits.
        transfer_number: m.member_number.clone().filter(|_| m.status.is_held()).unwrap_or_default(),
        name: mask_name(&m.name),
        id_number: masked(state, Field::IdNumber, &member.id_number_ct),
        mobile: masked(state, Field::Mobile, &member.mobile_ct),
        sex: match member.sex {
            Sex::Male => lang.t("男", "Male"),
            Sex::Female => lang.t("女", "Female"),
        },
        occupation: occupation_label(lang, m.occupation),
        region,
        status: lang.label(m.status),
        joined: date(m.joined_at),
        home: name_of(Some(m.home_org_id)),
        home_org_id: m.home_org_id,
        in_pool: m.in_pool,
        events,
        actions,
        can_act: officer.role.can_act(),
        may_reveal: officer.may_reveal(),
        notice,
        reason,
        benefits,
    })
}

#[derive(Deserialize)]
struct LifecycleForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// `yes` once the officer confirmed a change that ends the membership.
    #[serde(default)]
    confirm: String,
}

async fn lifecycle(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<LifecycleForm>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let reason = form.reason.trim();
    // An unknown action is refused like one that does not apply.
    let result = match form.action.parse::<LifecycleAction>() {
        // A change that ends the membership is checked, then shown for confirmation.
        Ok(action) if action.ends_membership() && !confirm::confirmed(&form.confirm) => {
            match members::check_change(&state.app, &actor, id, action, reason).await {
                Ok(()) => {
                    let member = member_in_scope(&state, &officer, id).await?;
                    let confirmation = end_confirmation(lang, &member, action, &form);
                    return confirm::ask(Frame { lang, officer: &officer, section: "members" }, confirmation);
                }
                Err(error) => Err(error),
            }
        }
        Ok(action) => members::change(&state.app, &actor, id, action, reason).await.map(|()| action),
        Err(_) => members::in_scope(&state.app, &actor, id).await.and(Err(MembersError::NotApplicable)),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (status, text) = match result {
        Ok(action) => {
            let member = member_in_scope(&state, &officer, id).await?;
            let text = format!("{}：{}", lang.t("已办理", "Done"), lang.label(action));
            return render_detail(&state, lang, &officer, member, Some(Notice { ok: true, text }), "").await;
        }
        Err(MembersError::NotApplicable) => (
            unprocessable,
            lang.t("该操作不适用于当前会籍状态", "That change does not apply to this membership's status"),
        ),
        Err(MembersError::ReasonMissing) => (unprocessable, lang.t("请填写理由", "Give a reason")),
        Err(MembersError::ReasonTooLong) => {
            (unprocessable, lang.t("理由不能超过200字", "The reason is limited to 200 characters"))
        }
        Err(MembersError::Changed) => (
            unprocessable,
            lang.t(
                "会籍状态已变化，该操作不再适用",
                "The membership changed meanwhile; that no longer applies",
            ),
        ),
        Err(MembersError::AlreadyMember) => (
            StatusCode::CONFLICT,
            lang.t(
                "此人已持有另一会籍，不能恢复；如需转移，请在那一会籍上发起接转",
                "This person holds another membership; it cannot be reactivated",
            ),
        ),
        Err(error) => return Err(refused_by(error)),
    };
    let member = member_in_scope(&state, &officer, id).await?;
    let notice = Notice { ok: false, text: text.to_owned() };
    refused(&state, lang, &officer, member, status, notice, reason).await
}

/// The confirmation of a change that ends a membership: whom, what, and what follows.
fn end_confirmation(
    lang: Lang,
    member: &MembershipDetail,
    action: LifecycleAction,
    form: &LifecycleForm,
) -> Confirmation {
    let m = &member.record;
    let consequence = match action {
        LifecycleAction::Withdraw => lang.t(
            "退会后会籍终止，电子会员证随即失效，且不能恢复；本人如需再入会，须重新申请。",
            "The membership ends and the member card stops being valid at once; it cannot be undone — to be a member again the person applies anew.",
        ),
        LifecycleAction::Expel => lang.t(
            "除名后会籍终止，电子会员证随即失效，且不能恢复；除名及理由记入会籍记录和审计日志。",
            "The membership ends and the member card stops being valid at once; it cannot be undone. The expulsion and its reason go into the history and the audit log.",
        ),
        _ => lang.t(
            "会籍将记为去世并终止，电子会员证随即失效，且不能恢复。",
            "The membership is recorded as ended by death and the member card stops being valid; it cannot be undone.",
        ),
    };
    Confirmation {
        what: format!(
            "{} {} {}：{}",
            lang.t("为会员", "For member"),
            mask_name(&m.name),
            member_number(m.member_number.as_deref()),
            lang.label(action)
        ),
        consequence,
        reason: form.reason.trim().to_owned(),
        action: format!("/console/members/{}/lifecycle", m.id),
        fields: vec![("action", action.code().to_owned()), ("reason", form.reason.clone())],
        back: format!("/console/members/{}", m.id),
        button: lang.t("确认办理", "Confirm"),
    }
}

/// The members use cases' refusals that have no page of their own, as HTTP answers.
pub(super) fn refused_by(error: MembersError) -> WebError {
    match error {
        MembersError::NotFound => WebError::NotFound,
        MembersError::Forbidden => WebError::Forbidden,
        MembersError::Store(error) => error.into(),
        other => WebError::BadRequest(other.to_string()),
    }
}

/// The detail again with a refusal, its status code, and the reason as typed.
pub(super) async fn refused(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    member: MembershipDetail,
    status: StatusCode,
    notice: Notice,
    reason: &str,
) -> Result<Response, WebError> {
    let mut response = render_detail(state, lang, officer, member, Some(notice), reason).await?;
    *response.status_mut() = status;
    Ok(response)
}
