//! Logging in and out, and changing one's password: the forms, the cookies and the
//! login form's CSRF guard. The rules (lockout, the dummy hash, sessions) are
//! [`huiji_app::accounts::sessions`].

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use huiji_app::accounts::sessions::{self, AccountError, SESSION_SECONDS};
use serde::Deserialize;

use super::{Empty, Officer, cookie_value, hex, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "huiji_session";

/// The login form's cookie: the nonce its CSRF token signs ([`LoginGuard`]).
const LOGIN_COOKIE: &str = "huiji_login";

/// How long a login form stays valid: an hour.
const LOGIN_FORM_SECONDS: i64 = 3600;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/login", get(login_form).post(login))
        .route("/console/logout", post(logout))
        .route("/console/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    lang: Lang,
    username: &'a str,
    error: Option<&'a str>,
    csrf: &'a str,
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// The login form's CSRF protection. There is no session yet to keep a token in, so
/// it is a signed double submit: the browser keeps a random nonce in a cookie
/// (`SameSite=Strict`, only for this path) and the form carries the nonce's signature
/// under the server's key. A page elsewhere can make a browser post the form (login
/// CSRF: logging a victim into the attacker's account), but it can neither read the
/// cookie nor sign a nonce.
struct LoginGuard {
    nonce: String,
    /// Made now: the request brought no (well-formed) nonce.
    fresh: bool,
}

impl LoginGuard {
    /// The browser's nonce, or a new one.
    fn of(state: &WebState, headers: &HeaderMap) -> Result<LoginGuard, WebError> {
        let carried = cookie_value(headers, LOGIN_COOKIE)
            .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()));
        if let Some(nonce) = carried {
            return Ok(LoginGuard { nonce, fresh: false });
        }
        let mut nonce = [0u8; 16];
        state.app.random().fill(&mut nonce).map_err(|e| WebError::Internal(e.to_string()))?;
        Ok(LoginGuard { nonce: hex(&nonce), fresh: true })
    }

    fn payload(&self) -> String {
        format!("console-login:{}", self.nonce)
    }

    /// The token the form carries.
    fn token(&self, state: &WebState) -> String {
        state.app.keys().card_signature(&self.payload()).to_hex()
    }

    /// Whether a posted token is this browser's.
    fn admits(&self, state: &WebState, token: &str) -> bool {
        !self.fresh && state.app.keys().verify_card_signature(&self.payload(), token)
    }

    /// The login form (again), with the nonce's cookie renewed.
    fn page(
        &self,
        state: &WebState,
        lang: Lang,
        username: &str,
        error: Option<&str>,
        status: StatusCode,
    ) -> Result<Response, WebError> {
        let csrf = self.token(state);
        let mut response = page(&LoginPage { lang, username, error, csrf: &csrf })?;
        *response.status_mut() = status;
        let cookie = cookie(state, LOGIN_COOKIE, "/console/login", &self.nonce, LOGIN_FORM_SECONDS);
        set_cookie(&mut response, &cookie)?;
        Ok(response)
    }
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Secure` behind TLS.
fn cookie(state: &WebState, name: &str, path: &str, value: &str, max_age: i64) -> String {
    let secure = if state.http.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

fn set_cookie(response: &mut Response, cookie: &str) -> Result<(), WebError> {
    let value = header::HeaderValue::from_str(cookie).map_err(|e| WebError::Internal(e.to_string()))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(())
}

fn session_cookie(state: &WebState, value: &str, max_age: i64) -> String {
    cookie(state, SESSION_COOKIE, "/", value, max_age)
}

async fn login_form(
    State(state): State<WebState>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    LoginGuard::of(&state, &headers)?.page(&state, lang, "", None, StatusCode::OK)
}

async fn login(
    State(state): State<WebState>,
    lang: Lang,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let guard = LoginGuard::of(&state, &headers)?;
    if !guard.admits(&state, &form.csrf) {
        let expired =
            lang.t("登录页面已过期，请重新输入", "The login page expired; please enter your details again");
        return guard.page(&state, lang, &form.username, Some(expired), StatusCode::FORBIDDEN);
    }
    let session = match sessions::login(&state.app, &form.username, &form.password).await {
        Ok(session) => session,
        Err(AccountError::Refused) => return refused(&state, lang, &guard, &form.username),
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    let home = if session.user.role.uses_console() { "/console" } else { "/console/judging" };
    let mut response = Redirect::to(home).into_response();
    set_cookie(&mut response, &session_cookie(&state, &session.token, SESSION_SECONDS))?;
    set_cookie(&mut response, &cookie(&state, LOGIN_COOKIE, "/console/login", "", 0))?;
    Ok(response)
}

/// The one answer to a wrong password, an unknown or disabled account and a locked one.
fn refused(state: &WebState, lang: Lang, guard: &LoginGuard, username: &str) -> Result<Response, WebError> {
    let message = lang.t(
        "用户名或密码错误。连续5次错误后，账户将锁定5分钟。",
        "Wrong username or password. Five failures in a row lock the account for five minutes.",
    );
    guard.page(state, lang, username, Some(message), StatusCode::UNAUTHORIZED)
}

async fn logout(
    State(state): State<WebState>,
    super::Signed { officer, .. }: super::Signed<Empty>,
) -> Result<Response, WebError> {
    sessions::logout(&state.app, &officer.token_hash).await?;
    Ok(([(header::SET_COOKIE, session_cookie(&state, "", 0))], Redirect::to("/console/login"))
        .into_response())
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage<'a> {
    frame: super::Frame<'a>,
    message: Option<&'a str>,
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Every account changes its own password here, judge-only ones included.
async fn password_form(lang: Lang, super::Account(officer): super::Account) -> Result<Response, WebError> {
    page(&PasswordPage {
        frame: super::Frame { lang, officer: &officer, section: "password" },
        message: None,
    })
}

async fn change_password(
    State(state): State<WebState>,
    lang: Lang,
    super::Signed { officer, form }: super::Signed<PasswordForm>,
) -> Result<Response, WebError> {
    let outcome =
        sessions::change_password(&state.app, officer.user.id, &form.current, &form.new, &form.repeat);
    let message = match outcome.await {
        // Changing the password ends every session, this one included: log in again.
        Ok(()) => {
            return Ok((
                [(header::SET_COOKIE, session_cookie(&state, "", 0))],
                Redirect::to("/console/login"),
            )
                .into_response());
        }
        Err(AccountError::Locked) => lang.t(
            "当前密码连续输错5次，账户已锁定，请5分钟后再试",
            "Five wrong current passwords in a row have locked the account; try again in 5 minutes",
        ),
        Err(AccountError::WrongPassword | AccountError::Refused) => {
            lang.t("当前密码不正确", "The current password is wrong")
        }
        Err(AccountError::Mismatch) => lang.t("两次输入的新密码不一致", "The new passwords differ"),
        Err(AccountError::TooShort) => {
            lang.t("新密码至少10个字符", "The new password needs at least 10 characters")
        }
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(AccountError::Internal(e)) => return Err(WebError::Internal(e)),
    };
    password_refused(lang, &officer, message)
}

/// The password form again with what was wrong.
fn password_refused(lang: Lang, officer: &Officer, message: &str) -> Result<Response, WebError> {
    let mut response = page(&PasswordPage {
        frame: super::Frame { lang, officer, section: "password" },
        message: Some(message),
    })?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
