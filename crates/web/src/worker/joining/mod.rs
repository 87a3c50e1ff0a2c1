//! The worker's join pages: `/join` (the portal) and `/j/{code}` (one union's own form,
//! 一会一码). Server-rendered and complete without JavaScript: sending the SMS code and
//! narrowing the region choices are ordinary form submissions; `/static/join.js` only
//! makes the region choice quicker where scripts run.

// Outreach: campaigns — the personal invite link's door into this form.
mod invite;
mod text;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use huiji_core::joining::{FieldError, JoinForm};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Channel, Occupation, Org, Region, RegionCode, RegionLevel};
use huiji_store::ConsentVersion;
use serde::Deserialize;

pub(crate) use self::text::WorkerText;
use crate::http::abuse::Throttled;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};
use huiji_app::joining::{self, JoinError, JoinOutcome, MobileProof, SendCodeError};

/// The join routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/join", get(portal_form).post(portal_submit))
        .route("/j/{code}", get(union_form).post(union_submit))
        // Outreach: campaigns.
        .merge(invite::router())
}

/// Which door a join form is behind: the portal, a union's own code, or a personal
/// invite (attributed to its campaign).
#[derive(Clone, Copy)]
enum Door<'a> {
    Portal,
    Union(&'a Org),
    Invite(&'a huiji_app::campaign::invite::Invite),
}

impl<'a> Door<'a> {
    /// The union shown as receiving.
    fn receiving(self) -> Option<&'a Org> {
        match self {
            Door::Portal => None,
            Door::Union(org) => Some(org),
            Door::Invite(invite) => invite.union.as_ref(),
        }
    }

    /// Where the form posts.
    fn action(self) -> String {
        match self {
            Door::Portal => "/join".to_owned(),
            Door::Union(org) => {
                org.join_code.as_ref().map_or_else(|| "/join".to_owned(), |c| format!("/j/{c}"))
            }
            Door::Invite(invite) => format!("/i/{}", invite.code),
        }
    }
}

/// The form as posted. Every field defaults to empty so a partial post re-renders.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinFormData {
    name: String,
    id_number: String,
    mobile: String,
    sms_code: String,
    occupation: String,
    province: String,
    city: String,
    region_code: String,
    employer_name: String,
    employer_credit_code: String,
    consent: Option<String>,
    consent_version: String,
    /// `send_code`, `refresh` or `submit` (the button pressed).
    action: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage<'a> {
    lang: Lang,
    t: &'static WorkerText,
    action: String,
    receiving: Option<&'a Org>,
    form: &'a JoinFormData,
    consent: &'a ConsentVersion,
    occupations: Vec<(&'static str, &'static str)>,
    provinces: &'a [Region],
    cities: &'a [Region],
    counties: &'a [Region],
    province: String,
    city: String,
    errors: Vec<FieldError>,
    notice: Option<String>,
    code_sent: bool,
    /// The invite's unsubscribe link (campaigns).
    unsubscribe: Option<String>,
}

impl JoinPage<'_> {
    /// The error message for a field, in the page's language.
    fn error(&self, field: &str) -> Option<&str> {
        field_error(self.lang, &self.errors, field)
    }
}

/// What a worker form says after asking for an SMS code (the join and legal-aid forms):
/// the field errors, the notice and the status code.
///
/// # Errors
///
/// Our side's failures, logged by [`WebError`].
pub(crate) fn code_answer(
    t: &WorkerText,
    sent: Result<huiji_core::Mobile, SendCodeError>,
) -> Result<(Vec<FieldError>, &'static str, StatusCode), WebError> {
    Ok(match sent {
        Ok(_) => (Vec::new(), t.code_sent, StatusCode::OK),
        Err(SendCodeError::Invalid(error)) => (vec![error], t.fix_errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(SendCodeError::TooSoon) => (Vec::new(), t.code_too_soon, StatusCode::TOO_MANY_REQUESTS),
        Err(SendCodeError::DailyLimit) => (Vec::new(), t.code_daily_limit, StatusCode::TOO_MANY_REQUESTS),
        Err(SendCodeError::Delivery(error)) => {
            tracing::warn!(%error, "verification SMS not sent");
            (Vec::new(), t.code_not_sent, StatusCode::SERVICE_UNAVAILABLE)
        }
        Err(error @ (SendCodeError::Internal(_) | SendCodeError::Store(_))) => {
            return Err(WebError::Internal(error.to_string()));
        }
    })
}

/// The message of a form's error for `field`, in the page's language: what the worker
/// forms (joining, legal aid) show beside a field.
pub(crate) fn field_error<'a>(lang: Lang, errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| match lang {
        Lang::Zh => e.message_zh.as_str(),
        Lang::En => e.message_en.as_str(),
    })
}

#[derive(Template)]
#[template(path = "join_result.html")]
struct ResultPage<'a> {
    lang: Lang,
    t: &'static WorkerText,
    outcome: &'a JoinOutcome,
    /// Whom to ask: the home or reviewing union's contact details (or the nearest above).
    contact: Option<huiji_store::ContactOf>,
}

impl ResultPage<'_> {
    fn date(&self, millis: &huiji_core::Timestamp) -> String {
        millis.china_date().to_string()
    }
}

async fn portal_form(State(state): State<WebState>, lang: Lang) -> Result<Response, WebError> {
    render_form(&state, lang, Door::Portal, &JoinFormData::default(), Vec::new(), None, false, StatusCode::OK)
        .await
}

async fn union_form(
    State(state): State<WebState>,
    lang: Lang,
    client: crate::http::client::ClientIp,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let org = union_of(&state, &code).await?;
    // Outreach: campaigns — a QR scan counts for the join code's funnel, once a visitor a day.
    let address = client.text();
    let visitor = huiji_app::campaign::funnel::ScanVisitor {
        address: address.as_deref(),
        user_agent: headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()),
    };
    if let Err(error) = huiji_app::campaign::funnel::count_scan(&state.app, &code, visitor).await {
        tracing::warn!(%error, "join code scan not counted");
    }
    let mut form = JoinFormData::default();
    preset_region(&mut form, org.region);
    render_form(&state, lang, Door::Union(&org), &form, Vec::new(), None, false, StatusCode::OK).await
}

async fn portal_submit(
    State(state): State<WebState>,
    lang: Lang,
    throttled: Option<Extension<Throttled>>,
    Form(form): Form<JoinFormData>,
) -> Result<Response, WebError> {
    handle_post(&state, lang, Door::Portal, form, throttled.map(|Extension(t)| t)).await
}

async fn union_submit(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
    throttled: Option<Extension<Throttled>>,
    Form(form): Form<JoinFormData>,
) -> Result<Response, WebError> {
    let org = union_of(&state, &code).await?;
    handle_post(&state, lang, Door::Union(&org), form, throttled.map(|Extension(t)| t)).await
}

/// The union behind a join code; unknown codes and orgs that do not receive applications
/// are a 404, like any unknown page.
async fn union_of(state: &WebState, code: &str) -> Result<Org, WebError> {
    joining::receiving_union(&state.app, code).await?.ok_or(WebError::NotFound)
}

/// A union's form starts at its place: a county's union fixes the county, a city's the city.
fn preset_region(form: &mut JoinFormData, code: RegionCode) {
    if let Some(province) = code.ancestor_at(RegionLevel::Province) {
        form.province = province.to_string();
    }
    if let Some(city) = code.ancestor_at(RegionLevel::City) {
        form.city = city.to_string();
    }
    if code.level() == RegionLevel::County {
        form.region_code = code.to_string();
    }
}

/// The form as the core parses it.
fn join_form(form: &JoinFormData) -> JoinForm<'_> {
    JoinForm {
        name: &form.name,
        id_number: &form.id_number,
        mobile: &form.mobile,
        occupation: &form.occupation,
        region_code: &form.region_code,
        employer_name: &form.employer_name,
        employer_credit_code: &form.employer_credit_code,
        consent_version: form.consent.as_ref().map(|_| form.consent_version.as_str()),
    }
}

async fn handle_post(
    state: &WebState,
    lang: Lang,
    door: Door<'_>,
    form: JoinFormData,
    throttled: Option<Throttled>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    // A refused burst keeps the half-filled form and says how long to wait, whether the
    // client address ran out (`Throttled`, set by the middleware) or the mobile or ID.
    let mut refused = throttled.map(|Throttled(retry)| retry);
    if refused.is_none() && matches!(form.action.as_str(), "send_code" | "submit") {
        let id_number = (form.action == "submit").then_some(form.id_number.as_str());
        refused = crate::http::abuse::check_form(state, &form.mobile, id_number).await.err();
    }
    if let Some(retry) = refused {
        let seconds = retry.seconds();
        let notice = format!("{}{seconds}{}", t.wait_seconds.0, t.wait_seconds.1);
        let code_sent = !form.sms_code.is_empty();
        let mut response = render_form(
            state,
            lang,
            door,
            &form,
            Vec::new(),
            Some(notice),
            code_sent,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await?;
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    match form.action.as_str() {
        "send_code" => {
            let errors = joining::identity_errors(&state.app, &join_form(&form)).await?;
            if !errors.is_empty() {
                let notice = Some(t.fix_before_code.to_owned());
                return render_form(
                    state,
                    lang,
                    door,
                    &form,
                    errors,
                    notice,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let sent = joining::send_code(&state.app, &form.mobile, SmsPurpose::Join).await;
            let (errors, notice, status) = code_answer(t, sent)?;
            let code_sent = errors.is_empty();
            render_form(state, lang, door, &form, errors, Some(notice.to_owned()), code_sent, status).await
        }
        "submit" => submit(state, lang, door, form).await,
        // "refresh" and anything else: show the form again with narrower region choices.
        _ => {
            render_form(state, lang, door, &form, Vec::new(), None, !form.sms_code.is_empty(), StatusCode::OK)
                .await
        }
    }
}

async fn submit(
    state: &WebState,
    lang: Lang,
    door: Door<'_>,
    form: JoinFormData,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let proof = MobileProof::SmsCode(form.sms_code.clone());
    let sms_error = |message: String| FieldError {
        field: "sms_code",
        code: "sms_code",
        message_zh: message.clone(),
        message_en: message,
    };
    let joined = match door {
        Door::Portal => {
            joining::join(&state.app, &join_form(&form), Channel::Portal, None, None, proof, None).await
        }
        Door::Union(org) => {
            let source = org.join_code.clone();
            joining::join(&state.app, &join_form(&form), Channel::Qr, Some(org), source, proof, None).await
        }
        Door::Invite(invite) => {
            huiji_app::campaign::invite::join(&state.app, invite, &join_form(&form), proof).await
        }
    };
    let (errors, notice) = match joined {
        Ok(outcome) => {
            let union = match &outcome {
                JoinOutcome::Approved { landing, .. } => Some(landing.path.clone()),
                JoinOutcome::Pending { receiving, .. } => Some(receiving.path.clone()),
                JoinOutcome::AlreadyMember { .. } => None,
            };
            let contact = match union {
                Some(path) => huiji_app::orgs::contact::contact_at(&state.app, &path).await?,
                None => None,
            };
            let page = ResultPage { lang, t, outcome: &outcome, contact };
            return Ok(Html(page.render()?).into_response());
        }
        Err(JoinError::Invalid(errors)) => (errors, t.fix_errors),
        Err(JoinError::Sms(check)) => {
            let message = match check {
                SmsCheck::Wrong { attempts_left } => {
                    format!("{}{}{attempts_left}{}", t.sms_wrong, t.sms_tries_left.0, t.sms_tries_left.1)
                }
                SmsCheck::Expired => t.sms_expired.to_owned(),
                SmsCheck::Exhausted => t.sms_exhausted.to_owned(),
                SmsCheck::NoCode | SmsCheck::Verified => t.sms_none.to_owned(),
            };
            (vec![sms_error(message)], t.fix_errors)
        }
        Err(JoinError::Unserved) => (Vec::new(), t.unserved),
        Err(error @ (JoinError::Internal(_) | JoinError::Store(_) | JoinError::Vault(_))) => {
            return Err(WebError::Internal(error.to_string()));
        }
    };
    let notice = Some(notice.to_owned());
    render_form(state, lang, door, &form, errors, notice, true, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &WebState,
    lang: Lang,
    door: Door<'_>,
    form: &JoinFormData,
    errors: Vec<FieldError>,
    notice: Option<String>,
    code_sent: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let versions = state.store.consent_versions().await?;
    let consent = versions.last().ok_or_else(|| WebError::Internal("no consent text".to_owned()))?;
    let regions = state.app.regions();
    let parse = |text: &str| text.parse::<RegionCode>().ok().filter(|c| regions.get(*c).is_some());
    // The chosen county implies its city and province, whatever the other selects say.
    let county = parse(&form.region_code).filter(|c| c.level() == RegionLevel::County);
    let city = county
        .and_then(|c| c.parent())
        .or_else(|| parse(&form.city).filter(|c| c.level() == RegionLevel::City));
    let province = city
        .and_then(|c| c.parent())
        .or_else(|| parse(&form.province).filter(|c| c.level() == RegionLevel::Province));
    let city = city.filter(|c| province.is_some_and(|p| p.contains(*c)));
    let page = JoinPage {
        lang,
        t: WorkerText::of(lang),
        action: door.action(),
        receiving: door.receiving(),
        form,
        consent,
        occupations: Occupation::ALL
            .iter()
            .map(|o| (o.code(), if lang == Lang::Zh { o.label_zh() } else { o.label_en() }))
            .collect(),
        provinces: regions.all(RegionLevel::Province),
        cities: province.map_or(&[], |p| regions.children(p)),
        counties: city.map_or(&[], |c| regions.children(c)),
        province: province.map(|p| p.to_string()).unwrap_or_default(),
        city: city.map(|c| c.to_string()).unwrap_or_default(),
        errors,
        notice,
        code_sent,
        unsubscribe: match door {
            Door::Invite(invite) => Some(format!("/i/{}/unsubscribe", invite.code)),
            _ => None,
        },
    };
    Ok((status, Html(page.render()?)).into_response())
}
