//! Campaigns in the console (定向短信邀请): the officer's subtree's campaigns with their
//! funnels, a new campaign for a union of the subtree (occupation, region and source
//! filters), queueing it, and one campaign's funnel — in total, per receiving union — with
//! its messages, mobiles masked. The join codes' funnel (QR scans → applications →
//! approvals) is on the list page. Every rule is `app::campaign`'s.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::campaign::{self, CampaignError, CreateRequest, funnel};
use huiji_core::campaign::{FunnelStage, MessageState};
use huiji_core::org::OrgKindCode;
use huiji_core::{Occupation, OrgId};
use huiji_store::{CampaignStatus, Funnel, OrgFilter};
use serde::Deserialize;

use super::{Act, Empty, Frame, NoticeQuery, Officer, notice_query, occupation_label, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Campaigns the list shows.
const LISTED: u32 = 50;

/// Messages a campaign page shows at a time.
const MESSAGES_SHOWN: u32 = 100;

/// The text a new campaign starts from.
const DEFAULT_TEXT: &str = "{surname}师傅您好，诚邀您加入工会，入会后可享受普惠保障、法律援助等服务：{link}";

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/campaigns", get(list).post(create))
        .route("/console/campaigns/{id}", get(show))
        .route("/console/campaigns/{id}/send", post(send))
}

/// A refusal on a page without a form: what the officer may not see or do.
fn refused(lang: Lang, error: CampaignError) -> WebError {
    web_error(lang, error).err().unwrap_or_else(|| WebError::BadRequest("campaign".to_owned()))
}

/// A use case's refusal as the console answers it: the form's message (`Ok`) when the
/// form is at fault, else the error page.
fn web_error(lang: Lang, error: CampaignError) -> Result<String, WebError> {
    match error {
        CampaignError::NotFound => Err(WebError::NotFound),
        CampaignError::Forbidden => Err(WebError::Forbidden),
        CampaignError::Text(e) => Ok(lang.t(&e.message_zh(), &e.message_en()).to_owned()),
        CampaignError::InvalidName => {
            Ok(lang.t("请填写活动名称（60字以内）", "Name the campaign (up to 60 characters)").to_owned())
        }
        CampaignError::InvalidFilter(what) => Ok(match what {
            "region" => lang.t("地区代码无效", "Unknown region code"),
            _ => lang.t("从业类型无效", "Unknown occupation"),
        }
        .to_owned()),
        CampaignError::NoSignature => Ok(lang
            .t(
                "本级总工会尚未配置短信签名，请联系管理员",
                "No SMS signature is configured for this federation",
            )
            .to_owned()),
        CampaignError::Store(e) => Err(e.into()),
        CampaignError::Vault(e) => Err(WebError::Internal(e.to_string())),
    }
}

/// One funnel as a table row.
struct Stages {
    label: String,
    counts: [u64; 9],
}

fn counts(f: &Funnel) -> [u64; 9] {
    [f.targeted, f.suppressed, f.queued, f.sent, f.delivered, f.failed, f.clicked, f.applied, f.approved]
}

/// The funnel's column headings, in the order of [`counts`].
fn headings(lang: Lang) -> Vec<&'static str> {
    let stage = |s: FunnelStage| lang.t(s.label_zh(), s.label_en());
    vec![
        stage(FunnelStage::Targeted),
        lang.t("已退订", "Opted out"),
        lang.t("待发送", "Queued"),
        stage(FunnelStage::Sent),
        stage(FunnelStage::Delivered),
        lang.t("发送失败", "Failed"),
        stage(FunnelStage::Clicked),
        stage(FunnelStage::Applied),
        stage(FunnelStage::Approved),
    ]
}

fn message_state_label(lang: Lang, state: MessageState) -> &'static str {
    match state {
        MessageState::Queued => lang.t("待发送", "Queued"),
        MessageState::Suppressed => lang.t("已退订", "Opted out"),
        MessageState::Sent => lang.t("已发送", "Sent"),
        MessageState::Delivered => lang.t("已送达", "Delivered"),
        MessageState::Failed => lang.t("发送失败", "Failed"),
    }
}

struct CampaignRow {
    id: i64,
    name: String,
    org: String,
    created: String,
    queued: bool,
    funnel: [u64; 9],
}

struct CodeRow {
    org: String,
    code: String,
    scans: u64,
    applications: u64,
    approvals: u64,
}

#[derive(Template)]
#[template(path = "console/campaigns.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    headings: Vec<&'static str>,
    campaigns: Vec<CampaignRow>,
    total: [u64; 9],
    codes: Vec<CodeRow>,
    unions: Vec<(i64, String)>,
    occupations: Vec<(&'static str, &'static str)>,
    form: CreateForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    org: String,
    name: String,
    text: String,
    occupation: String,
    region: String,
    source: String,
}

async fn union_name(state: &WebState, id: Option<OrgId>, lang: Lang) -> Result<String, WebError> {
    Ok(match id {
        Some(id) => state.store.org(id).await?.map(|o| o.name).unwrap_or_default(),
        None => lang.t("（无承接工会）", "(no receiving union)").to_owned(),
    })
}

async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    form: CreateForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let mut campaigns = Vec::new();
    for c in campaign::list(&state.app, &actor, LISTED).await.map_err(|e| refused(lang, e))? {
        let view = campaign::funnel(&state.app, &actor, c.id).await.map_err(|e| refused(lang, e))?;
        campaigns.push(CampaignRow {
            id: c.id,
            name: c.name.clone(),
            org: union_name(state, Some(c.org), lang).await?,
            created: c.created_at.china_minute(),
            queued: c.status == CampaignStatus::Queued,
            funnel: counts(&view.total),
        });
    }
    let total = campaign::subtree_funnel(&state.app, officer.scope()).await?;
    let mut codes = Vec::new();
    for row in funnel::join_codes(&state.app, officer.scope(), 20).await? {
        codes.push(CodeRow {
            org: union_name(state, Some(row.org), lang).await?,
            code: row.join_code,
            scans: row.scans,
            applications: row.applications,
            approvals: row.approvals,
        });
    }
    let mut unions = vec![(officer.org.id.0, officer.org.name.to_owned())];
    for kind in [OrgKindCode::Federation, OrgKindCode::IndustryFederation] {
        let filter = OrgFilter {
            within: Some(officer.scope().clone()),
            kind: Some(kind),
            limit: Some(300),
            ..OrgFilter::default()
        };
        for org in state.store.orgs(&filter).await? {
            if org.id != officer.org.id {
                unions.push((org.id.0, org.name));
            }
        }
    }
    let form = if form.text.is_empty() { CreateForm { text: DEFAULT_TEXT.to_owned(), ..form } } else { form };
    page(&ListPage {
        frame: Frame { lang, officer, section: "campaigns" },
        headings: headings(lang),
        campaigns,
        total: counts(&total),
        codes,
        unions,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), occupation_label(lang, *o))).collect(),
        form,
        error,
    })
}

/// `GET /console/campaigns`
async fn list(State(state): State<WebState>, lang: Lang, officer: Officer) -> Result<Response, WebError> {
    list_page(&state, lang, &officer, CreateForm::default(), None).await
}

/// `POST /console/campaigns`: a new campaign (a draft), then its page.
async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<CreateForm>,
) -> Result<Response, WebError> {
    let request = CreateRequest {
        org: form.org.trim().parse().ok().map(OrgId).or(Some(officer.org.id)),
        name: form.name.clone(),
        text: form.text.clone(),
        occupation: Some(form.occupation.clone()),
        region: Some(form.region.clone()),
        source: Some(form.source.clone()),
    };
    match campaign::create(&state.app, &officer.app_actor(), &request).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/campaigns/{id}")).into_response()),
        Err(error) => {
            let message = web_error(lang, error)?;
            let mut response = list_page(&state, lang, &officer, form, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

struct MessageRow {
    mobile: String,
    union: String,
    state: &'static str,
    due: String,
    sent: String,
    clicked: String,
}

#[derive(Template)]
#[template(path = "console/campaign.html")]
struct ShowPage<'a> {
    frame: Frame<'a>,
    id: i64,
    name: String,
    org: String,
    text: String,
    filters: String,
    expires: String,
    queued: bool,
    headings: Vec<&'static str>,
    total: [u64; 9],
    by_union: Vec<Stages>,
    messages: Vec<MessageRow>,
    next: Option<i64>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    after: i64,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /console/campaigns/{id}[?after=MESSAGE]`
async fn show(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let fail = |e| refused(lang, e);
    let view = campaign::funnel(&state.app, &actor, id).await.map_err(fail)?;
    let rows = funnel::messages(&state.app, &actor, id, query.after, MESSAGES_SHOWN).await.map_err(fail)?;
    let mut by_union = Vec::new();
    for (org, f) in &view.by_union {
        by_union.push(Stages { label: union_name(&state, *org, lang).await?, counts: counts(f) });
    }
    let mut messages = Vec::new();
    for m in &rows {
        messages.push(MessageRow {
            mobile: m.mobile.clone(),
            union: union_name(&state, m.org, lang).await?,
            state: message_state_label(lang, m.state),
            due: m.due_at.china_minute(),
            sent: m.sent_at.map(|t| t.china_minute()).unwrap_or_default(),
            clicked: m.clicked_at.map(|t| t.china_minute()).unwrap_or_default(),
        });
    }
    let c = &view.campaign;
    let filters = [
        c.occupation.map(|o| occupation_label(lang, o).to_owned()),
        c.region.map(|r| state.app.regions().get(r).map_or_else(|| r.to_string(), |g| g.name.to_owned())),
        c.source.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let notice = query.notice.verified(&state).map(|n| match n.as_str() {
        "campaign.queued" => lang
            .t(
                "已加入发送队列：短信将按发送速率在非静默时段发出",
                "Queued: messages go out at the sending rate outside quiet hours",
            )
            .to_owned(),
        _ => String::new(),
    });
    page(&ShowPage {
        frame: Frame { lang, officer: &officer, section: "campaigns" },
        id: c.id,
        name: c.name.clone(),
        org: union_name(&state, Some(c.org), lang).await?,
        text: format!("【{}】{} {}", c.signature, c.template, c.opt_out_text),
        filters,
        expires: c.expires_at.china_minute(),
        queued: c.status == CampaignStatus::Queued,
        headings: headings(lang),
        total: counts(&view.total),
        by_union,
        next: (rows.len() == MESSAGES_SHOWN as usize).then(|| rows.last().map(|m| m.id)).flatten(),
        messages,
        notice,
    })
}

/// `POST /console/campaigns/{id}/send`: queues the campaign.
async fn send(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form: Empty {} }: Act<Empty>,
) -> Result<Response, WebError> {
    campaign::queue(&state.app, &officer.app_actor(), id).await.map_err(|e| refused(lang, e))?;
    let query = notice_query(&state, "campaign.queued");
    Ok(Redirect::to(&format!("/console/campaigns/{id}?{query}")).into_response())
}
