//! Abuse limits of the public endpoints (join, SMS codes, status): token buckets per
//! client address, per mobile and per ID number (both by blind index, so no plaintext is
//! kept even in memory). A refused request gets a 429 with `Retry-After` and a page in the
//! worker's language.
//!
//! They sit beside the SMS rules of `huiji_app::joining::send_code` (one code a minute, ten a
//! day per mobile, kept in the database), which bound what an SMS costs; these bound how
//! fast anyone can probe the forms.

use std::net::IpAddr;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use huiji_core::rate_limit::{Rate, RetryAfter};
use huiji_vault::Field;

use crate::http::client::client_ip;
use crate::http::i18n::Lang;
use crate::http::limits::Limiter;
use crate::{WebError, WebState};

/// The limiters of the public endpoints.
#[derive(Debug)]
pub struct PublicLimits {
    per_ip: Limiter<IpAddr>,
    per_mobile: Limiter<String>,
    per_id: Limiter<String>,
    // Stations (issue 16): the nearest search, per client address.
    stations: Limiter<IpAddr>,
}

impl Default for PublicLimits {
    /// A campaign day behind one NAT (a logistics park, a meeting scanning one poster) is
    /// hundreds of workers on one address, three posts each: the per-address limit allows
    /// that, and stops scripted floods. One person needs a few posts a minute at most.
    fn default() -> PublicLimits {
        PublicLimits::new(Rate::per_minute(120, 300), Rate::per_minute(6, 12), Rate::per_minute(3, 6))
    }
}

impl PublicLimits {
    /// Limits per client address, per mobile and per ID number.
    pub fn new(per_ip: Rate, per_mobile: Rate, per_id: Rate) -> PublicLimits {
        PublicLimits {
            per_ip: Limiter::new("ip", per_ip),
            per_mobile: Limiter::new("mobile", per_mobile),
            per_id: Limiter::new("id", per_id),
            stations: Limiter::new("stations", STATIONS_RATE),
        }
    }

    // Stations (issue 16).
    /// Uses another rate for the nearest-station search (tests).
    #[must_use]
    pub fn with_stations(mut self, rate: Rate) -> PublicLimits {
        self.stations = Limiter::new("stations", rate);
        self
    }
}

// Stations (issue 16).
/// The nearest search per client address: a worker looks a few times an hour, a map
/// page or a mini program a few times a minute; a logistics park behind one address is
/// many workers, so a second a search with a burst of 120 — and a script walking the
/// country for the station list is stopped.
const STATIONS_RATE: Rate = Rate::per_minute(60, 120);

/// Spends a token of the client address for a nearest-station search (`/stations` with a
/// position, `/stations/nearest`); an unknown address is not limited.
pub(crate) async fn check_stations(state: &WebState, ip: Option<IpAddr>) -> Result<(), RetryAfter> {
    match ip {
        Some(ip) => state.limits.stations.take(&state.app, &ip).await,
        None => Ok(()),
    }
}

#[derive(Template)]
#[template(path = "too_many.html")]
struct TooManyPage {
    lang: Lang,
    seconds: u64,
    back: String,
}

/// The 429 answer: `Retry-After` and a friendly page.
pub(crate) fn too_many(lang: Lang, retry: RetryAfter, back: &str) -> Response {
    let seconds = retry.seconds();
    let page = TooManyPage { lang, seconds, back: back.to_owned() };
    let mut response = match page.render() {
        Ok(html) => (StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response(),
        Err(error) => return WebError::from(error).into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The page a refused form goes back to: the path it was posted to.
fn back_of(request: &Request) -> String {
    request.uri().path().to_owned()
}

/// A refused post to the join form, handed on to its handler instead of answered here:
/// the join form re-renders itself with what the worker typed and the wait, rather than
/// losing a half-filled form to a bare 429 page. The handler must check it first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Throttled(pub RetryAfter);

/// The join form's paths (`/join`, `/j/{code}`), whose handler honours [`Throttled`].
fn keeps_its_form(path: &str) -> bool {
    path == "/join" || path.strip_prefix("/j/").is_some_and(|code| !code.is_empty() && !code.contains('/'))
}

/// Middleware: every POST to a public form spends a token of the client address. A
/// request whose address is unknown (no peer recorded) is not limited here; the
/// per-mobile and per-ID limits still apply.
pub(crate) async fn per_ip(State(state): State<WebState>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let ip = client_ip(&parts, state.http.trust_proxy);
        let mut request = Request::from_parts(parts, body);
        if let Some(ip) = ip.0
            && let Err(retry) = state.limits.per_ip.take(&state.app, &ip).await
        {
            if keeps_its_form(request.uri().path()) {
                tracing::info!(%ip, "public form rate limit reached");
                request.extensions_mut().insert(Throttled(retry));
                return next.run(request).await;
            }
            let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
            let lang = Lang::negotiate(request.uri().query(), accept);
            tracing::info!(%ip, "public form rate limit reached");
            return too_many(lang, retry, &back_of(&request));
        }
        return next.run(request).await;
    }
    next.run(request).await
}

/// Spends a token of a mobile (by its blind index).
async fn check_mobile(state: &WebState, mobile_bidx: &str) -> Result<(), RetryAfter> {
    state.limits.per_mobile.take(&state.app, &mobile_bidx.to_owned()).await
}

/// Spends a token of an ID number (by its blind index).
async fn check_id(state: &WebState, id_bidx: &str) -> Result<(), RetryAfter> {
    state.limits.per_id.take(&state.app, &id_bidx.to_owned()).await
}

/// Spends a token of the form's mobile and, when given, of its ID number. Values that do
/// not parse are not counted: the form refuses them anyway, and no bucket is made for
/// every typo.
pub(crate) async fn check_form(
    state: &WebState,
    mobile: &str,
    id_number: Option<&str>,
) -> Result<(), RetryAfter> {
    if let Ok(mobile) = huiji_core::Mobile::parse(mobile) {
        check_mobile(state, &state.app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex()).await?;
    }
    let today = state.app.now().china_date();
    if let Some(Ok(id)) =
        id_number.map(|id| huiji_core::IdNumber::parse(id, today, |p| state.app.regions().province_exists(p)))
    {
        check_id(state, &state.app.keys().blind_index(Field::IdNumber, id.as_str()).to_hex()).await?;
    }
    Ok(())
}
