//! The officer console. Every route acts for an [`Officer`] within the subtree of their
//! org: records outside it are answered exactly like records that do not exist (404), and
//! every state-changing form carries the session's CSRF token ([`Act`]).

// Accounts in the console.
mod accounts;
mod audit;
mod auth;
mod benefits;
mod cases;
mod confirm;
mod contest;
mod innovation;
mod members;
mod orgs;
mod outbox;
mod pool;
mod review;
mod screen;
// Outreach: real-name rosters.
mod roster;
// Outreach: campaigns.
mod campaigns;
// Outreach: campaigns — federations' SMS signatures.
mod campaign_signatures;
mod stations;
mod stats;
mod transfers;
mod webhooks;
mod xlsx;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use huiji_core::{Org, OrgId, OrgPath, Role};
use huiji_store::UserRecord;
use serde::de::DeserializeOwned;

use crate::http::cookies::value as cookie_value;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub use auth::SESSION_COOKIE;

/// The console routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .merge(auth::router())
        .merge(audit::router())
        .merge(members::router())
        .merge(review::router())
        .merge(orgs::router())
        .merge(outbox::router())
        .merge(webhooks::router())
        .merge(pool::router())
        .merge(transfers::router())
        .merge(innovation::router())
        .merge(contest::router())
        .merge(stations::router())
        .merge(cases::router())
        .merge(benefits::router())
        .merge(stats::router())
        .merge(screen::router())
        // Outreach: real-name rosters.
        .merge(roster::router())
        // Outreach: campaigns.
        .merge(campaigns::router())
        .merge(campaign_signatures::router())
        // Accounts in the console.
        .merge(accounts::router())
}

/// The console's question-bank upload: its body is larger than any form's.
pub fn contest_uploads() -> Router<WebState> {
    contest::upload_router()
}

// Outreach: real-name rosters.
/// The upload of a roster file (see [`crate::ROSTER_UPLOAD_LIMIT_BYTES`]).
pub fn roster_uploads() -> Router<WebState> {
    roster::upload_router()
}

/// The upload of an insurer's workbook of policy numbers (benefits).
pub fn benefit_uploads() -> Router<WebState> {
    benefits::upload_router()
}

/// The upload of an innovation entry's attachment (see [`crate::ATTACHMENT_LIMIT_BYTES`]).
pub fn innovation_uploads() -> Router<WebState> {
    innovation::uploads()
}

/// The query string a redirect uses to carry a notice back to a list. The notice is
/// signed, so a link someone else crafted cannot put words on a console page.
pub(crate) fn notice_query(state: &WebState, notice: &str) -> String {
    let sig = state.app.keys().card_signature(&format!("console-notice:{notice}")).to_hex();
    serde_html_form::to_string([("notice", notice), ("sig", &sig)]).unwrap_or_default()
}

/// The query of a page that shows a notice after a redirect ([`notice_query`]).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct NoticeQuery {
    notice: String,
    sig: String,
}

impl NoticeQuery {
    /// The notice, if the server signed it.
    pub(crate) fn verified(self, state: &WebState) -> Option<String> {
        signed_notice(state, self.notice, &self.sig)
    }
}

/// The notice of a list's query, if the server signed it.
pub(crate) fn signed_notice(state: &WebState, notice: String, sig: &str) -> Option<String> {
    let genuine = !notice.is_empty()
        && state.app.keys().verify_card_signature(&format!("console-notice:{notice}"), sig);
    genuine.then_some(notice)
}

/// An occupation in the page's language.
pub(crate) fn occupation_label(lang: Lang, occupation: huiji_core::Occupation) -> &'static str {
    lang.t(occupation.label_zh(), occupation.label_en())
}

/// Lower-case hex of bytes: the vault's, the one hex encoding of the workspace.
pub(crate) use huiji_vault::hex;

/// The stored form of a session token: its SHA-256, so the sessions table opens nothing.
pub(crate) use huiji_app::accounts::sessions::token_hash;

/// A logged-in officer and the org whose subtree they act on.
#[derive(Clone, Debug)]
pub struct Officer {
    /// The account.
    pub user: UserRecord,
    /// Its role.
    pub role: Role,
    /// Its org.
    pub org: Org,
    /// The session's CSRF token.
    pub csrf: String,
    /// The session's token hash (for logout).
    pub(crate) token_hash: String,
    /// Where the request came from (for the audit log).
    pub client: crate::http::client::ClientIp,
    /// Reviews waiting in the subtree, for the header (none counted for judge-only
    /// accounts).
    pub waiting: huiji_store::ReviewsWaiting,
}

impl Officer {
    /// The subtree this officer acts on.
    pub fn scope(&self) -> &OrgPath {
        &self.org.path
    }

    /// Whether a record at `path` lies in this officer's subtree.
    pub fn sees(&self, path: &str) -> bool {
        OrgPath::parse(path).is_some_and(|p| self.org.path.contains(&p))
    }

    /// The record if the officer may see it, else a 404 exactly like a missing one.
    pub fn within<T>(&self, record: Option<T>, path: impl Fn(&T) -> &str) -> Result<T, WebError> {
        record.filter(|r| self.sees(path(r))).ok_or(WebError::NotFound)
    }

    /// The officer's name for the header (the username for accounts without one).
    pub fn display_name(&self) -> &str {
        if self.user.full_name.is_empty() { &self.user.username } else { &self.user.full_name }
    }

    /// Who did it, for records and events.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.username)
    }

    /// Refuses viewers.
    pub fn require_act(&self) -> Result<(), WebError> {
        if self.role.can_act() { Ok(()) } else { Err(WebError::Forbidden) }
    }

    /// Whether the officer holds `pii.reveal`: may reveal full ID numbers and mobiles of
    /// their subtree's members, a reason each time.
    pub fn may_reveal(&self) -> bool {
        self.user.can_reveal
    }

    /// Refuses everyone but admins.
    pub fn require_admin(&self) -> Result<(), WebError> {
        if self.role.is_admin() { Ok(()) } else { Err(WebError::Forbidden) }
    }

    /// An org by id if it is in this officer's subtree.
    pub async fn org_in_scope(&self, state: &WebState, id: OrgId) -> Result<Org, WebError> {
        let org = state.store.org(id).await?;
        self.within(org, |o| o.path.as_str())
    }
}

impl Officer {
    /// The account of the request's session, whatever its role.
    pub(crate) async fn of_session(parts: &mut Parts, state: &WebState) -> Result<Officer, Response> {
        let to_login = || Redirect::to("/console/login").into_response();
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else { return Err(to_login()) };
        let hash = token_hash(&token);
        let session = state
            .store
            .session(&hash, state.app.now())
            .await
            .map_err(|e| WebError::from(e).into_response())?;
        let Some(session) = session else { return Err(to_login()) };
        // A password someone else has seen (a new account, a reset) is replaced before
        // anything else: every page but the password form and logout waits for it.
        if session.user.must_change_password
            && !matches!(parts.uri.path(), "/console/password" | "/console/logout")
        {
            return Err(Redirect::to("/console/password").into_response());
        }
        let org = state
            .store
            .org(OrgId(session.user.org_id))
            .await
            .map_err(|e| WebError::from(e).into_response())?
            .ok_or_else(to_login)?;
        // One counted query over the partial index of pending reviews.
        let waiting = if session.user.role.uses_console() {
            state
                .store
                .reviews_waiting(&org.path, state.app.now())
                .await
                .map_err(|e| WebError::from(e).into_response())?
        } else {
            huiji_store::ReviewsWaiting::default()
        };
        Ok(Officer {
            waiting,
            role: session.user.role,
            user: session.user,
            org,
            csrf: session.csrf_token,
            token_hash: hash,
            client: crate::http::client::client_ip(parts, state.http.trust_proxy),
        })
    }

    /// The officer as the use cases see them.
    pub fn acting(&self) -> huiji_app::actor::Officer {
        huiji_app::actor::Officer {
            user: huiji_core::UserId(self.user.id),
            username: self.user.username.clone(),
            role: self.role,
            org: self.org.id,
            scope: self.org.path.clone(),
            client_addr: self.client.text(),
            can_reveal: self.user.can_reveal,
        }
    }

    /// The officer as the use cases the operator also runs see them.
    pub fn app_actor(&self) -> huiji_app::actor::Actor {
        huiji_app::actor::Actor::Officer(Box::new(self.acting()))
    }
}

impl FromRequestParts<WebState> for Officer {
    type Rejection = Response;

    /// A console session; a judge-only account is sent to its judging pages.
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let officer = Officer::of_session(parts, state).await?;
        if officer.role.uses_console() {
            Ok(officer)
        } else {
            Err(Redirect::to("/console/judging").into_response())
        }
    }
}

/// Any logged-in account, judge-only ones included: the judging pages (which the app
/// opens only to a call's judges).
pub struct Account(pub Officer);

impl FromRequestParts<WebState> for Account {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        Officer::of_session(parts, state).await.map(Account)
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A state-changing console form: an officer who may act (not a viewer), a matching CSRF
/// token, and the form's fields (repeated keys become lists: `ids=1&ids=2`).
pub struct Act<T> {
    /// Who acts.
    pub officer: Officer,
    /// What they sent.
    pub form: T,
}

/// Like [`Act`], for forms every console role may send.
pub struct Own<T> {
    /// Who acts.
    pub officer: Officer,
    /// What they sent.
    pub form: T,
}

/// The session's account and its form, after the CSRF check; `console` refuses judge-only
/// accounts.
async fn checked_form<T: DeserializeOwned>(
    req: Request,
    state: &WebState,
    console: bool,
) -> Result<(Officer, T), Response> {
    let (mut parts, body) = req.into_parts();
    let officer = if console {
        Officer::from_request_parts(&mut parts, state).await?
    } else {
        Officer::of_session(&mut parts, state).await?
    };
    let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(IntoResponse::into_response)?;
    let token: CsrfField =
        serde_html_form::from_bytes(&bytes).map_err(|_| WebError::Forbidden.into_response())?;
    if !huiji_vault::constant_time_eq(token.csrf.as_bytes(), officer.csrf.as_bytes()) {
        return Err(WebError::Forbidden.into_response());
    }
    let form = serde_html_form::from_bytes(&bytes)
        .map_err(|e| WebError::BadRequest(format!("malformed form: {e}")).into_response())?;
    Ok((officer, form))
}

impl<T: DeserializeOwned + Send> FromRequest<WebState> for Act<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (officer, form) = checked_form(req, state, true).await?;
        officer.require_act().map_err(IntoResponse::into_response)?;
        Ok(Act { officer, form })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<WebState> for Own<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (officer, form) = checked_form(req, state, true).await?;
        Ok(Own { officer, form })
    }
}

/// Like [`Own`], for forms every account may send, judge-only ones included (logout, own
/// password, a judge's scores: the app checks who may do what).
pub struct Signed<T> {
    /// Who acts.
    pub officer: Officer,
    /// What they sent.
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<WebState> for Signed<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (officer, form) = checked_form(req, state, false).await?;
        Ok(Signed { officer, form })
    }
}

/// A form with no fields but the CSRF token.
#[derive(serde::Deserialize)]
pub struct Empty {}

/// What every console page shows around its content.
pub struct Frame<'a> {
    /// Page language.
    pub lang: Lang,
    /// The officer.
    pub officer: &'a Officer,
    /// Which nav entry is current.
    pub section: &'static str,
}

/// Renders a console page.
pub(crate) fn page(template: &impl Template) -> Result<Response, WebError> {
    // Console pages show personal data: never cache them.
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(template.render()?)).into_response())
}
