//! `/console/campaigns/signatures`: the SMS signatures (【…】) federations' campaigns are
//! signed with — set here by admins of the root federation, else from `huiji.toml`, else
//! the federation's name. The rule and the audit are `app::campaign::signatures`'.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use huiji_app::campaign::CampaignError;
use huiji_app::campaign::signatures::{self, SignatureRow};
use huiji_core::OrgId;
use serde::Deserialize;

use super::{Act, Frame, NoticeQuery, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/campaigns/signatures", get(show).post(set))
}

#[derive(Template)]
#[template(path = "console/campaign_signatures.html")]
struct SignaturesPage<'a> {
    frame: Frame<'a>,
    rows: Vec<SignatureRow>,
    form: SignatureForm,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignatureForm {
    org: String,
    signature: String,
}

fn refused(error: CampaignError) -> WebError {
    match error {
        CampaignError::Forbidden => WebError::Forbidden,
        CampaignError::Store(e) => e.into(),
        _ => WebError::NotFound,
    }
}

async fn render(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    form: SignatureForm,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let rows = signatures::signatures(&state.app, &officer.app_actor()).await.map_err(refused)?;
    page(&SignaturesPage { frame: Frame { lang, officer, section: "campaigns" }, rows, form, error, notice })
}

/// `GET /console/campaigns/signatures`
async fn show(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = query.verified(&state).map(|_| lang.t("短信签名已保存", "Signature saved").to_owned());
    render(&state, lang, &officer, SignatureForm::default(), None, notice).await
}

/// `POST /console/campaigns/signatures`: sets (or, blank, removes) a federation's signature.
async fn set(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<SignatureForm>,
) -> Result<Response, WebError> {
    let org = OrgId(form.org.trim().parse().map_err(|_| WebError::BadRequest("org".to_owned()))?);
    match signatures::set_signature(&state.app, &officer.app_actor(), org, &form.signature).await {
        Ok(()) => {
            let query = notice_query(&state, "campaign.signature");
            Ok(Redirect::to(&format!("/console/campaigns/signatures?{query}")).into_response())
        }
        Err(CampaignError::Text(e)) => {
            let message = lang.t(&e.message_zh(), &e.message_en()).to_owned();
            let mut response = render(&state, lang, &officer, form, Some(message), None).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(error) => Err(refused(error)),
    }
}
