//! Logging in and out, sessions, and changing one's password.
//!
//! Every attempt to prove a password — a login, or the current password on the password
//! form — is counted *before* the password is checked, in one statement
//! ([`huiji_store::AccountStore::begin_login`]): [`MAX_FAILURES`] in a row lock the
//! account for five minutes, and a burst of parallel guesses cannot all be checked before
//! the lock is seen. A locked, unknown or disabled account is checked against a dummy hash
//! and refused like a wrong password, so neither the answer nor its time tells whether a
//! username exists.

use huiji_core::Timestamp;
use huiji_store::{Lockout, SessionRecord, StoreError, UserRecord};

use crate::App;
use crate::accounts::passwords::{self, PasswordError};

/// How long a session lasts: a working day.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// Failed password checks in a row before an account is locked.
pub const MAX_FAILURES: i32 = 5;

/// How long a locked account waits.
const LOCK_MILLIS: i64 = 5 * 60 * 1000;

/// The lockout an attempt made now counts under.
fn lockout(now: Timestamp) -> Lockout {
    Lockout { max_failures: MAX_FAILURES, lock_until: Timestamp(now.millis() + LOCK_MILLIS) }
}

/// The hash a session token is stored under: a stolen database holds no usable token.
pub fn token_hash(token: &str) -> String {
    huiji_vault::sha256_hex(token.as_bytes())
}

/// A session just opened: the token for the cookie (shown once, stored only hashed).
#[derive(Debug)]
pub struct NewSession {
    /// The cookie's value.
    pub token: String,
    /// The account.
    pub user: UserRecord,
}

/// Why a login or a password change failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Wrong username or password, or an unknown, disabled or locked account: one answer.
    #[error("wrong username or password")]
    Refused,
    /// The current password was wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// Too many wrong current passwords: locked for a while.
    #[error("the account is locked for a while")]
    Locked,
    /// The new password and its repetition differ.
    #[error("the new passwords differ")]
    Mismatch,
    /// The new password is too short.
    #[error("the new password is too short")]
    TooShort,
    /// Hashing or randomness failed.
    #[error("{0}")]
    Internal(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a username and password and opens a session.
pub async fn login(app: &App, username: &str, password: &str) -> Result<NewSession, AccountError> {
    let now = app.now();
    let account = app.store().begin_login(username.trim(), now, lockout(now)).await?;
    // One argon2 check whatever the account: its own hash if it may try, else a dummy.
    let hash = account.as_ref().map_or(passwords::DUMMY_HASH, |u| u.password_hash.as_str()).to_owned();
    let right = passwords::verify_blocking(password.to_owned(), hash).await;
    let user = match account {
        Some(user) if right => user,
        Some(user) => {
            tracing::warn!(username = %user.username, failures = user.failed_logins, "failed console login");
            return Err(AccountError::Refused);
        }
        None => {
            tracing::info!("console login refused: no such account, disabled or locked");
            return Err(AccountError::Refused);
        }
    };
    app.store().login_succeeded(user.id).await?;
    let mut token = [0u8; 32];
    let mut csrf = [0u8; 16];
    app.random().fill(&mut token).map_err(|e| AccountError::Internal(e.to_string()))?;
    app.random().fill(&mut csrf).map_err(|e| AccountError::Internal(e.to_string()))?;
    let token = huiji_vault::hex(&token);
    let expires = Timestamp(now.millis() + SESSION_SECONDS * 1000);
    app.store().create_session(&token_hash(&token), user.id, &huiji_vault::hex(&csrf), now, expires).await?;
    tracing::info!(username = %user.username, "console login");
    Ok(NewSession { token, user })
}

/// The live session a cookie's token opens, if any.
pub async fn session(app: &App, token: &str) -> Result<Option<SessionRecord>, StoreError> {
    app.store().session(&token_hash(token), app.now()).await
}

/// Ends the session stored under `token_hash`.
pub async fn logout(app: &App, token_hash: &str) -> Result<(), StoreError> {
    app.store().delete_session(token_hash, app.now()).await
}

/// Changes an account's own password, which ends all its sessions. The current password
/// counts toward the lockout like a login: a stolen session must not become a way to
/// guess it without limit.
pub async fn change_password(
    app: &App,
    user_id: i64,
    current: &str,
    new: &str,
    repeat: &str,
) -> Result<(), AccountError> {
    let now = app.now();
    let Some(account) = app.store().begin_password_check(user_id, now, lockout(now)).await? else {
        return Err(AccountError::Locked);
    };
    if passwords::verify_blocking(current.to_owned(), account.password_hash.clone()).await {
        app.store().login_succeeded(account.id).await?;
    } else {
        tracing::warn!(username = %account.username, failures = account.failed_logins, "wrong current password");
        return Err(AccountError::WrongPassword);
    }
    if new != repeat {
        return Err(AccountError::Mismatch);
    }
    let hash = passwords::hash(new, app.random()).map_err(|e| match e {
        PasswordError::TooShort => AccountError::TooShort,
        PasswordError::Hashing(e) => AccountError::Internal(e),
    })?;
    app.store().set_password(user_id, &hash).await?;
    Ok(())
}
