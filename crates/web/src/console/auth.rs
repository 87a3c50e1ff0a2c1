//! Logging in and out, and changing one's password.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{Empty, Officer, Own, hex, page, token_hash};
use crate::i18n::Lang;
use crate::passwords;
use crate::{AppState, WebError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "huiji_session";

/// How long a session lasts: a working day.
const SESSION_MILLIS: i64 = 8 * 3600 * 1000;

/// Failed logins in a row before an account is locked.
const MAX_FAILURES: i32 = 5;

/// How long a locked account waits.
const LOCK_MILLIS: i64 = 5 * 60 * 1000;

/// A valid hash of a random password: unknown usernames are checked against it, so a
/// login takes as long whether or not the account exists.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Xp5hFnr7IdqJ4JOWnVJdpr8ohKHhCBfeYBwq+c3Zy4U";

pub(super) fn router() -> Router<AppState> {
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
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login_form(lang: Lang) -> Result<Response, WebError> {
    page(&LoginPage { lang, username: "", error: None })
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let user = state.store.user_by_username(form.username.trim()).await?;
    let refused = |message| -> Result<Response, WebError> {
        let mut response = page(&LoginPage { lang, username: &form.username, error: Some(message) })?;
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        Ok(response)
    };
    let wrong = lang.t("用户名或密码错误", "Wrong username or password");
    let Some(user) = user.filter(|u| !u.disabled) else {
        passwords::verify_blocking(form.password.clone(), DUMMY_HASH.to_owned()).await;
        return refused(wrong);
    };
    if user.locked_until.is_some_and(|until| until > now.millis()) {
        return refused(
            lang.t("连续登录失败次数过多，请5分钟后再试", "Too many failed logins; try again in 5 minutes"),
        );
    }
    if !passwords::verify_blocking(form.password.clone(), user.password_hash.clone()).await {
        let lock_until = huiji_core::Timestamp(now.millis() + LOCK_MILLIS);
        let failures = state.store.login_failed(user.id, lock_until, MAX_FAILURES).await?;
        tracing::warn!(username = %user.username, failures, "failed console login");
        return refused(wrong);
    }
    state.store.login_succeeded(user.id).await?;
    let mut token = [0u8; 32];
    let mut csrf = [0u8; 16];
    state.random.fill(&mut token).map_err(|e| WebError::Internal(e.to_string()))?;
    state.random.fill(&mut csrf).map_err(|e| WebError::Internal(e.to_string()))?;
    let token = hex(&token);
    let expires = huiji_core::Timestamp(now.millis() + SESSION_MILLIS);
    state.store.create_session(&token_hash(&token), user.id, &hex(&csrf), now, expires).await?;
    tracing::info!(username = %user.username, "console login");
    let set_cookie = cookie(&state, &token, SESSION_MILLIS / 1000);
    Ok(([(header::SET_COOKIE, set_cookie)], Redirect::to("/console")).into_response())
}

async fn logout(
    State(state): State<AppState>,
    Own { officer, .. }: Own<Empty>,
) -> Result<Response, WebError> {
    state.store.delete_session(&officer.token_hash, state.clock.now()).await?;
    Ok(([(header::SET_COOKIE, cookie(&state, "", 0))], Redirect::to("/console/login")).into_response())
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

async fn password_form(lang: Lang, officer: Officer) -> Result<Response, WebError> {
    page(&PasswordPage {
        frame: super::Frame { lang, officer: &officer, section: "password" },
        message: None,
    })
}

async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    Own { officer, form }: Own<PasswordForm>,
) -> Result<Response, WebError> {
    let problem =
        if !passwords::verify_blocking(form.current.clone(), officer.user.password_hash.clone()).await {
            Some(lang.t("当前密码不正确", "The current password is wrong"))
        } else if form.new != form.repeat {
            Some(lang.t("两次输入的新密码不一致", "The new passwords differ"))
        } else {
            None
        };
    let hash = match problem {
        Some(_) => None,
        None => match passwords::hash(&form.new, state.random.as_ref()) {
            Ok(hash) => Some(hash),
            Err(passwords::PasswordError::TooShort) => None,
            Err(e) => return Err(WebError::Internal(e.to_string())),
        },
    };
    let Some(hash) = hash else {
        let message =
            problem.unwrap_or(lang.t("新密码至少10个字符", "The new password needs at least 10 characters"));
        let mut response = page(&PasswordPage {
            frame: super::Frame { lang, officer: &officer, section: "password" },
            message: Some(message),
        })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    // Changing the password ends every session, this one included: log in again.
    state.store.set_password(officer.user.id, &hash).await?;
    Ok(([(header::SET_COOKIE, cookie(&state, "", 0))], Redirect::to("/console/login")).into_response())
}
