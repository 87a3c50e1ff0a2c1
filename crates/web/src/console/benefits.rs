//! Benefit programmes in the console: the programmes an officer sees (their subtree's
//! and those above their union) with a creation form for admins, and one programme's
//! page — its figures (quota, granted, remaining, by child union and by status), its
//! grants with masked names, and the forms to grant (one member by member number, or a
//! batch over a filtered member list), to move a grant on or revoke it, and to export
//! the insurer's list ([`grants`]). Every action is a call of `app::benefits`.

mod change;
mod enrol;
mod grants;
pub(super) mod member;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::benefits::{self, BenefitError, ProgrammeView};
use huiji_core::benefit::{GrantMode, GrantStatus, ProgrammeFields, ProgrammeId, ProgrammeKind};
use huiji_core::{Occupation, OrgId};
use huiji_store::ProgrammeRecord;
use serde::Deserialize;

use super::{Act, Frame, NoticeQuery, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/benefits", get(list).post(create))
        .route("/console/benefits/{id}", get(detail))
        .route("/console/benefits/{id}/grant", post(grants::grant_one))
        .route("/console/benefits/{id}/batch", post(grants::batch))
        .route("/console/benefits/{id}/export.xlsx", get(grants::export_masked))
        .route("/console/benefits/{id}/insurer.xlsx", post(grants::export_full))
        .route("/console/benefits/grants/{grant}", post(grants::step))
        .route("/console/benefits/{id}/edit", post(change::edit))
        .route("/console/benefits/{id}/close", post(change::close))
        .route("/console/members/{id}/benefits", post(member::grant))
}

/// The upload of the insurer's workbook: its body is larger than any form's.
pub(super) fn upload_router() -> Router<WebState> {
    Router::new().route("/console/benefits/{id}/enrol", post(enrol::enrol))
}

/// Back to the programme's page with a signed notice.
pub(super) fn back_to(state: &WebState, id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/console/benefits/{id}?{}", notice_query(state, notice))).into_response()
}

/// A use case's refusal as the console answers it.
pub(super) fn web_error(error: BenefitError) -> WebError {
    match error {
        BenefitError::NotFound => WebError::NotFound,
        BenefitError::Forbidden => WebError::Forbidden,
        other => WebError::Internal(other.to_string()),
    }
}

/// A programme as the list shows it.
struct ProgrammeRow {
    id: i64,
    name: String,
    kind: &'static str,
    mode: &'static str,
    period: String,
    quota: u32,
    granted: u32,
    remaining: u32,
}

fn period(record: &ProgrammeRecord, lang: Lang) -> String {
    let day = |d: Option<huiji_core::CivilDate>| d.map_or_else(String::new, |d| d.to_string());
    match (record.rules.period.from(), record.rules.period.until()) {
        (None, None) => lang.t("长期", "Open-ended").to_owned(),
        (from, until) => format!("{} – {}", day(from), day(until)),
    }
}

fn programme_row(record: &ProgrammeRecord, lang: Lang) -> ProgrammeRow {
    ProgrammeRow {
        id: record.id.0,
        name: record.name.clone(),
        kind: lang.t(record.kind.label_zh(), record.kind.label_en()),
        mode: lang.t(record.rules.mode.label_zh(), record.rules.mode.label_en()),
        period: period(record, lang),
        quota: record.quota.total,
        granted: record.quota.granted,
        remaining: record.quota.remaining(),
    }
}

/// The creation form as typed, kept on a refused submission.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateForm {
    org: String,
    kind: String,
    name: String,
    provider: String,
    hotline: String,
    mode: String,
    from: String,
    until: String,
    quota: String,
    valid_days: String,
    occupations: Vec<String>,
    regions: String,
    active_only: String,
    joined_from: String,
    joined_until: String,
    channel: String,
    platform: String,
    sex: String,
    age_min: String,
    age_max: String,
    /// Child unions' shares, one `ORG_ID=N` per line or comma.
    shares: String,
}

#[derive(Template)]
#[template(path = "console/benefits.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    rows: Vec<ProgrammeRow>,
    form: CreateForm,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    occupations: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    notice: Option<String>,
}

async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    form: CreateForm,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let records = benefits::programmes(&state.app, &officer.app_actor()).await.map_err(web_error)?;
    let list = ListPage {
        frame: Frame { lang, officer, section: "benefits" },
        rows: records.iter().map(|r| programme_row(r, lang)).collect(),
        form: CreateForm {
            org: if form.org.is_empty() { officer.org.id.to_string() } else { form.org.clone() },
            ..form
        },
        kinds: ProgrammeKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_zh(), k.label_en()))).collect(),
        modes: GrantMode::ALL.iter().map(|m| (m.code(), lang.t(m.label_zh(), m.label_en()))).collect(),
        occupations: Occupation::ALL.iter().map(|o| (o.code(), lang.t(o.label_zh(), o.label_en()))).collect(),
        errors,
        notice,
    };
    let status = if list.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = page(&list)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/benefits`
async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = notice.verified(&state);
    list_page(&state, lang, &officer, CreateForm::default(), Vec::new(), notice).await
}

/// `POST /console/benefits`: an admin creates a programme of a union of their subtree.
async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<CreateForm>,
) -> Result<Response, WebError> {
    officer.require_admin()?;
    let sponsor = form.org.trim().parse().map(OrgId).map_err(|_| WebError::NotFound)?;
    let fields = ProgrammeFields {
        kind: &form.kind,
        name: &form.name,
        provider: &form.provider,
        hotline: &form.hotline,
        mode: &form.mode,
        from: &form.from,
        until: &form.until,
        quota: &form.quota,
        valid_days: &form.valid_days,
        occupations: form.occupations.iter().map(String::as_str).collect(),
        regions: &form.regions,
        active_only: !form.active_only.is_empty(),
        joined_from: &form.joined_from,
        joined_until: &form.joined_until,
        channel: &form.channel,
        platform: &form.platform,
        sex: &form.sex,
        age_min: &form.age_min,
        age_max: &form.age_max,
    };
    let mut shares = Vec::new();
    let mut errors = Vec::new();
    for line in form.shares.split([',', '\n', '，']).map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=').and_then(|(org, n)| Some((OrgId(org.trim().parse().ok()?), n))) {
            Some(share) => shares.push(share),
            None => errors.push(lang.t("分配名额格式：工会编号=名额", "Shares are ORG_ID=N").to_owned()),
        }
    }
    if errors.is_empty() {
        match benefits::create(&state.app, &officer.app_actor(), sponsor, &fields, &shares).await {
            Ok(id) => {
                let done = lang.t("项目已创建", "Programme created");
                let to = format!("/console/benefits/{id}?{}", notice_query(&state, done));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(BenefitError::Invalid(problems)) => {
                errors.extend(
                    problems.into_iter().map(|e| if lang == Lang::Zh { e.message_zh } else { e.message_en }),
                );
            }
            Err(BenefitError::NameTaken) => {
                errors.push(
                    lang.t("该工会已有同名项目", "The union already has a programme of that name").to_owned(),
                );
            }
            Err(BenefitError::Share) => errors.push(
                lang.t(
                    "分配名额须给主办工会的直属下级工会，且不超过总名额",
                    "A share goes to a child union of the sponsor and is at most the total quota",
                )
                .to_owned(),
            ),
            Err(other) => return Err(web_error(other)),
        }
    }
    list_page(&state, lang, &officer, form, errors, None).await
}

/// A grant as the programme's page shows it (name masked).
struct GrantRow {
    id: i64,
    name: String,
    number: String,
    status: &'static str,
    status_code: &'static str,
    via: &'static str,
    policy: String,
    granted: String,
    valid_until: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "console/benefit.html")]
struct DetailPage<'a> {
    frame: Frame<'a>,
    view: ProgrammeView,
    kind: &'static str,
    mode: &'static str,
    period: String,
    rules: Vec<String>,
    counts: Vec<(&'static str, u64)>,
    grants: Vec<GrantRow>,
    next: Option<i64>,
    occupations: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
    /// The last day for the edit form (`YYYY-MM-DD`, empty when open-ended).
    until: String,
}

/// The eligibility rules in words.
fn rules(record: &ProgrammeRecord, lang: Lang) -> Vec<String> {
    let e = &record.rules.eligibility;
    let mut lines = Vec::new();
    if !e.occupations.is_empty() {
        let names: Vec<_> = e.occupations.iter().map(|o| lang.t(o.label_zh(), o.label_en())).collect();
        lines.push(format!("{}{}", lang.t("从业类型：", "Occupations: "), names.join("、")));
    }
    if !e.regions.is_empty() {
        let codes: Vec<_> = e.regions.iter().map(ToString::to_string).collect();
        lines.push(format!("{}{}", lang.t("工作地区：", "Regions: "), codes.join("、")));
    }
    if e.active_only {
        lines.push(lang.t("仅限会籍正常的会员", "Active members only").to_owned());
    }
    if let Some(from) = e.joined.from() {
        lines.push(format!("{}{from}", lang.t("入会不早于：", "Joined on or after: ")));
    }
    if let Some(until) = e.joined.until() {
        lines.push(format!("{}{until}", lang.t("入会不晚于：", "Joined on or before: ")));
    }
    match &e.joined_via {
        Some(huiji_core::benefit::JoinedVia::Channel(c)) => {
            lines.push(format!("{}{}", lang.t("入会渠道：", "Channel: "), c.code()));
        }
        Some(huiji_core::benefit::JoinedVia::Platform(p)) => {
            lines.push(format!("{}{p}", lang.t("入会平台：", "Platform: ")));
        }
        None => {}
    }
    if let Some(sex) = e.sex {
        lines.push(
            lang.t(
                if sex == huiji_core::Sex::Female { "仅限女性" } else { "仅限男性" },
                if sex == huiji_core::Sex::Female { "Women only" } else { "Men only" },
            )
            .to_owned(),
        );
    }
    match (e.age.min(), e.age.max()) {
        (None, None) => {}
        (min, max) => lines.push(format!(
            "{}{}–{}",
            lang.t("年龄：", "Age: "),
            min.map_or_else(String::new, |m| m.to_string()),
            max.map_or_else(String::new, |m| m.to_string())
        )),
    }
    lines
}

/// Grants listed per page.
const GRANTS_PER_PAGE: u32 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailQuery {
    after: String,
    notice: String,
    sig: String,
}

pub(super) async fn detail_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: ProgrammeId,
    after: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = benefits::view(&state.app, &officer.app_actor(), id).await.map_err(web_error)?;
    let within = if view.record.org_path.contains(officer.scope()) {
        officer.scope().clone()
    } else {
        view.record.org_path.clone()
    };
    let records = state.store.programme_grants(id, &within, after, GRANTS_PER_PAGE + 1).await?;
    let next = (records.len() > GRANTS_PER_PAGE as usize).then(|| records[GRANTS_PER_PAGE as usize - 1].id.0);
    let grants = records
        .iter()
        .take(GRANTS_PER_PAGE as usize)
        .map(|g| GrantRow {
            id: g.id.0,
            name: crate::worker::card::mask_name(&g.member_name),
            number: g.member_number.clone().unwrap_or_default(),
            status: lang.t(g.status.label_zh(), g.status.label_en()),
            status_code: g.status.code(),
            via: lang.t(g.via.label_zh(), g.via.label_en()),
            policy: g.policy_number.clone().unwrap_or_default(),
            granted: g.granted_at.china_date().to_string(),
            valid_until: g.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            reason: g.revoke_reason.clone().unwrap_or_default(),
        })
        .collect();
    let counts = GrantStatus::ALL
        .iter()
        .map(|s| {
            let n = view.counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n);
            (lang.t(s.label_zh(), s.label_en()), n)
        })
        .collect();
    let record = &view.record;
    let detail = DetailPage {
        frame: Frame { lang, officer, section: "benefits" },
        kind: lang.t(record.kind.label_zh(), record.kind.label_en()),
        mode: lang.t(record.rules.mode.label_zh(), record.rules.mode.label_en()),
        period: period(record, lang),
        until: record.rules.period.until().map(|d| d.to_string()).unwrap_or_default(),
        rules: rules(record, lang),
        counts,
        grants,
        next,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), lang.t(o.label_zh(), o.label_en()))).collect(),
        notice,
        error,
        view,
    };
    let failed = detail.error.is_some();
    let mut response = page(&detail)?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /console/benefits/{id}`
async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, WebError> {
    let notice = super::signed_notice(&state, query.notice, &query.sig);
    let after = query.after.trim().parse().unwrap_or(0);
    detail_page(&state, lang, &officer, ProgrammeId(id), after, notice, None).await
}
