//! `/legal`: a worker — member or not — asks for legal aid (法律援助/维权). The form
//! (category, employer or platform, amount, work region, description, mobile) is
//! complete without JavaScript: sending the SMS code and narrowing the region are
//! ordinary submissions, as on the join form. `app::cases::file` does the rest; the
//! worker follows the case on `/status` (its cases section is [`case_section`]) and
//! rates it there once it is closed (`POST /status/rate`), or withdraws it while it is
//! open (`POST /status/withdraw`).

mod text;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use huiji_app::cases::{self, CaseError, CaseLine, Filed};
use huiji_app::joining;
use huiji_core::case::{CaseCategory, CaseForm, CaseOutcome, Rating};
use huiji_core::joining::FieldError;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Region, RegionCode, RegionLevel};
use serde::Deserialize;

pub(crate) use self::text::LegalText;
use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};

/// The legal-aid routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/legal", get(form).post(submit))
        .route("/status/rate", post(rate))
        .route("/status/withdraw", post(withdraw))
}

/// The form as posted; every field defaults to empty so a partial post re-renders.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct LegalForm {
    category: String,
    party: String,
    amount: String,
    province: String,
    city: String,
    region_code: String,
    description: String,
    mobile: String,
    sms_code: String,
    /// `send_code`, `refresh` or `submit`.
    action: String,
}

#[derive(Template)]
#[template(path = "worker/legal.html")]
struct LegalPage<'a> {
    lang: Lang,
    t: &'static WorkerText,
    l: &'static LegalText,
    form: &'a LegalForm,
    categories: Vec<(&'static str, &'static str)>,
    provinces: &'a [Region],
    cities: &'a [Region],
    counties: &'a [Region],
    province: String,
    city: String,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    code_sent: bool,
}

impl LegalPage<'_> {
    /// The error message for a field, in the page's language.
    fn error(&self, field: &str) -> Option<&str> {
        crate::worker::joining::field_error(self.lang, &self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "worker/legal_filed.html")]
struct FiledPage<'a> {
    lang: Lang,
    l: &'static LegalText,
    filed: &'a Filed,
}

async fn form(State(state): State<WebState>, lang: Lang) -> Result<Response, WebError> {
    render(&state, lang, &LegalForm::default(), Vec::new(), None, false, StatusCode::OK)
}

async fn submit(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<LegalForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    if matches!(form.action.as_str(), "send_code" | "submit")
        && let Err(retry) = crate::http::abuse::check_form(&state, &form.mobile, None).await
    {
        return Ok(crate::http::abuse::too_many(lang, retry, "/legal"));
    }
    match form.action.as_str() {
        "send_code" => {
            let sent = joining::send_code(&state.app, &form.mobile, SmsPurpose::Legal).await;
            let (errors, notice, status) = crate::worker::joining::code_answer(t, sent)?;
            let code_sent = errors.is_empty();
            render(&state, lang, &form, errors, Some(notice), code_sent, status)
        }
        "submit" => file(&state, lang, form).await,
        _ => render(&state, lang, &form, Vec::new(), None, !form.sms_code.is_empty(), StatusCode::OK),
    }
}

async fn file(state: &WebState, lang: Lang, form: LegalForm) -> Result<Response, WebError> {
    let (t, l) = (WorkerText::of(lang), LegalText::of(lang));
    let case_form = CaseForm {
        category: &form.category,
        party: &form.party,
        amount: &form.amount,
        region_code: &form.region_code,
        description: &form.description,
        mobile: &form.mobile,
    };
    let sms_error = |message: &str| FieldError {
        field: "sms_code",
        code: "sms_code",
        message_zh: message.to_owned(),
        message_en: message.to_owned(),
    };
    let (errors, notice) = match cases::file(&state.app, &case_form, &form.sms_code).await {
        Ok(filed) => {
            let page = FiledPage { lang, l, filed: &filed };
            return Ok(Html(page.render()?).into_response());
        }
        Err(CaseError::Invalid(errors)) => (errors, t.fix_errors),
        Err(CaseError::Sms(check)) => {
            let message = match check {
                SmsCheck::Wrong { .. } => t.sms_wrong,
                SmsCheck::Expired => t.sms_expired,
                SmsCheck::Exhausted => t.sms_exhausted,
                SmsCheck::NoCode | SmsCheck::Verified => t.sms_none,
            };
            (vec![sms_error(message)], t.fix_errors)
        }
        Err(CaseError::Unserved) => (Vec::new(), l.unserved),
        Err(error) => return Err(WebError::Internal(error.to_string())),
    };
    render(state, lang, &form, errors, Some(notice), true, StatusCode::UNPROCESSABLE_ENTITY)
}

fn render(
    state: &WebState,
    lang: Lang,
    form: &LegalForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    code_sent: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
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
    let page = LegalPage {
        lang,
        t: WorkerText::of(lang),
        l: LegalText::of(lang),
        form,
        categories: CaseCategory::ALL
            .iter()
            .map(|c| (c.code(), lang.t(c.label_zh(), c.label_en())))
            .collect(),
        provinces: regions.all(RegionLevel::Province),
        cities: province.map_or(&[], |p| regions.children(p)),
        counties: city.map_or(&[], |c| regions.children(c)),
        province: province.map(|p| p.to_string()).unwrap_or_default(),
        city: city.map(|c| c.to_string()).unwrap_or_default(),
        errors,
        notice,
        code_sent,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// A case as its worker sees it on `/status`.
pub(crate) struct CaseRow {
    /// The case number.
    pub(crate) id: i64,
    pub(crate) category: &'static str,
    pub(crate) status: &'static str,
    pub(crate) federation: String,
    /// Filed on (China date).
    pub(crate) date: String,
    /// The outcome, with the amount recovered.
    pub(crate) outcome: Option<String>,
    /// What was done, oldest first: (date, what).
    pub(crate) steps: Vec<(String, String)>,
    pub(crate) rating: Option<u8>,
    pub(crate) rating_token: Option<String>,
    pub(crate) withdraw_token: Option<String>,
}

/// The cases part of `/status`: its words and rows.
pub(crate) struct CaseSection {
    pub(crate) text: &'static LegalText,
    pub(crate) rows: Vec<CaseRow>,
}

/// The worker's cases as `/status` shows them; `None` without any.
pub(crate) fn case_section(lines: Vec<CaseLine>, lang: Lang) -> Option<CaseSection> {
    if lines.is_empty() {
        return None;
    }
    let label = |zh: &'static str, en: &'static str| lang.t(zh, en);
    let rows = lines
        .into_iter()
        .map(|line| {
            let record = line.record;
            let outcome = record.outcome.map(|o| {
                let kind = o.kind();
                let name = label(kind.label_zh(), kind.label_en());
                match o {
                    CaseOutcome::Recovered(amount) => format!("{name} ¥{amount}"),
                    _ => name.to_owned(),
                }
            });
            let steps = line
                .events
                .iter()
                .map(|e| {
                    let what = match e.step {
                        Some(step) => format!(
                            "{} · {}",
                            label(e.kind.label_zh(), e.kind.label_en()),
                            label(step.label_zh(), step.label_en())
                        ),
                        None => label(e.kind.label_zh(), e.kind.label_en()).to_owned(),
                    };
                    (e.at.china_date().to_string(), what)
                })
                .collect();
            CaseRow {
                id: record.id.0,
                category: label(record.category.label_zh(), record.category.label_en()),
                status: label(record.status.label_zh(), record.status.label_en()),
                federation: line.federation,
                date: record.submitted_at.china_date().to_string(),
                outcome,
                steps,
                rating: record.rating.map(Rating::stars),
                rating_token: line.rating_token,
                withdraw_token: line.withdraw_token,
            }
        })
        .collect();
    Some(CaseSection { text: LegalText::of(lang), rows })
}

/// The rating as posted from `/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RateForm {
    token: String,
    stars: String,
}

#[derive(Template)]
#[template(path = "worker/legal_rated.html")]
struct RatedPage {
    lang: Lang,
    l: &'static LegalText,
    done: bool,
}

/// `POST /status/rate`: the worker rates a closed case with the token `/status` gave.
async fn rate(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<RateForm>,
) -> Result<Response, WebError> {
    let l = LegalText::of(lang);
    let Some(stars) = Rating::parse(&form.stars) else {
        let page = RatedPage { lang, l, done: false };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    match cases::rate(&state.app, &form.token, stars).await {
        Ok(_) => Ok(Html(RatedPage { lang, l, done: true }.render()?).into_response()),
        Err(CaseError::NotRatable) => {
            let page = RatedPage { lang, l, done: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(WebError::Internal(error.to_string())),
    }
}

/// The withdrawal as posted from `/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WithdrawForm {
    token: String,
}

#[derive(Template)]
#[template(path = "worker/legal_withdrawn.html")]
struct WithdrawnPage {
    lang: Lang,
    l: &'static LegalText,
    done: bool,
}

/// `POST /status/withdraw`: the worker withdraws an open case with the token `/status`
/// gave.
async fn withdraw(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    let l = LegalText::of(lang);
    match cases::withdraw(&state.app, &form.token).await {
        Ok(_) => Ok(Html(WithdrawnPage { lang, l, done: true }.render()?).into_response()),
        Err(CaseError::NotWithdrawable | CaseError::Stale) => {
            let page = WithdrawnPage { lang, l, done: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(WebError::Internal(error.to_string())),
    }
}
