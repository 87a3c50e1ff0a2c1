//! Officers' accounts and their server-side sessions; an admin's management of the
//! accounts of their subtree is [`officers`].

use async_trait::async_trait;
use huiji_core::{OrgId, Role, Timestamp};

use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;

/// A new officer account; the password is already hashed (argon2id).
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// The org whose subtree the officer acts on.
    pub org: OrgId,
    /// What the officer may do there.
    pub role: Role,
    /// PHC string of the password hash.
    pub password_hash: String,
    /// May reveal full ID numbers and mobiles (`pii.reveal`).
    pub can_reveal: bool,
}

/// An officer account as stored.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRecord {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Their org.
    pub org_id: i64,
    /// Role.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// PHC string.
    pub password_hash: String,
    /// Disabled accounts cannot log in and lose their sessions.
    pub disabled: bool,
    /// Consecutive failed logins.
    pub failed_logins: i32,
    /// Logins refused until then (ms).
    pub locked_until: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// May reveal full ID numbers and mobiles (`pii.reveal`), giving a reason each time.
    pub can_reveal: bool,
    /// The officer's name ('' for accounts made at the command line).
    #[sqlx(default)]
    pub full_name: String,
    /// The officer's mobile, sealed (`None` for accounts made at the command line).
    #[sqlx(default)]
    pub mobile_ct: Option<Vec<u8>>,
    /// A reset or new password the officer must replace before any other console page.
    #[sqlx(default)]
    pub must_change_password: bool,
    /// Opted in to the daily SMS digest of waiting reviews.
    #[sqlx(default)]
    pub digest: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("org_id", &self.org_id)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("can_reveal", &self.can_reveal)
            .field("must_change_password", &self.must_change_password)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

/// A live session and its officer.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    /// The officer.
    pub user: UserRecord,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When it ends (ms).
    pub expires_at: i64,
}

/// The lockout an attempt to prove a password is counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    /// Failed attempts in a row that lock the account.
    pub max_failures: i32,
    /// Until when the attempt that reaches `max_failures` locks it.
    pub lock_until: Timestamp,
}

macro_rules! user_columns {
    () => {
        "u.id, u.username, u.org_id, u.role, u.password_hash, u.disabled, u.failed_logins, u.locked_until, \
         u.created_at, u.can_reveal, COALESCE(f.full_name, '') AS full_name, f.mobile_ct, \
         COALESCE(f.must_change_password, FALSE) AS must_change_password, COALESCE(f.digest, FALSE) AS digest"
    };
    // What every `user_columns!()` query reads from: the account and its officer's
    // profile, if it has one (migration 0015).
    (from) => {
        "users u LEFT JOIN officer_profiles f ON f.user_id = u.id"
    };
    // Unqualified, for `RETURNING` (SQLite does not let it name a table alias); the
    // profile's fields are left at their defaults.
    (bare) => {
        "id, username, org_id, role, password_hash, disabled, failed_logins, locked_until, created_at, can_reveal"
    };
}

/// Counts an attempt on one account (`$account`: by name or id, `$1`) and returns it, if
/// it is enabled and not locked at `$2`; the attempt reaching `$4` failures locks it
/// until `$3`. One statement: concurrent attempts queue on the row and each sees the
/// count the previous one left, so no more than `$4` get through before the lock.
macro_rules! count_attempt {
    ($account:literal) => {
        concat!(
            "UPDATE users SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $4 THEN $3 ELSE locked_until END \
             WHERE ",
            $account,
            " AND NOT disabled AND (locked_until IS NULL OR locked_until <= $2) RETURNING ",
            user_columns!(bare)
        )
    };
}

const INSERT_USER: &str = "INSERT INTO users (username, org_id, role, password_hash, created_at, can_reveal) \
    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const SET_CAN_REVEAL: &str = "UPDATE users SET can_reveal = $2 WHERE username = $1";
const SELECT_USERS: &str =
    concat!("SELECT ", user_columns!(), " FROM ", user_columns!(from), " ORDER BY u.username");
const SELECT_USER: &str =
    concat!("SELECT ", user_columns!(), " FROM ", user_columns!(from), " WHERE u.username = $1");
const SET_DISABLED: &str = "UPDATE users SET disabled = $2 WHERE username = $1";
const BEGIN_LOGIN: &str = count_attempt!("username = $1");
const BEGIN_PASSWORD_CHECK: &str = count_attempt!("id = $1");
const LOGIN_SUCCEEDED: &str = "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1";
const SET_PASSWORD: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
// The officer's own choice: no longer a password someone else has seen.
const CHOSEN_PASSWORD: &str = "UPDATE officer_profiles SET must_change_password = FALSE WHERE user_id = $1";
const INSERT_SESSION: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
const SELECT_SESSION: &str = concat!(
    "SELECT ",
    user_columns!(),
    ", s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
     LEFT JOIN officer_profiles f ON f.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
);
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
const DELETE_USER_SESSIONS_BY_NAME: &str =
    "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)";
const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRecord,
    csrf_token: String,
    expires_at: i64,
}

/// Accounts and sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account; a taken username is `Conflict::UsernameTaken`.
    async fn create_user(&self, user: &NewUser, at: Timestamp) -> Result<i64>;
    /// Every account, by username.
    async fn users(&self) -> Result<Vec<UserRecord>>;
    /// One account by username.
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
    /// Disables or enables an account; disabling ends its sessions. `false` if no such user.
    async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<bool>;
    /// Grants or withdraws `pii.reveal`; `false` if no such user.
    async fn set_user_can_reveal(&self, username: &str, can_reveal: bool) -> Result<bool>;
    /// Counts a login attempt *before* its password is checked, and returns the account
    /// to check it against — `None` for an unknown, disabled or locked account, which
    /// is not counted. The attempt that reaches `max_failures` locks the account; a right
    /// password then clears the count ([`AccountStore::login_succeeded`]). Counting
    /// first, in one statement, is what keeps a burst of parallel attempts from all being
    /// checked before the lock is seen: at most `max_failures` get through per lock.
    async fn begin_login(
        &self,
        username: &str,
        now: Timestamp,
        lockout: Lockout,
    ) -> Result<Option<UserRecord>>;
    /// [`AccountStore::begin_login`] for an account by id: the password form's check of
    /// the current password, which counts toward the same lockout.
    async fn begin_password_check(
        &self,
        user_id: i64,
        now: Timestamp,
        lockout: Lockout,
    ) -> Result<Option<UserRecord>>;
    /// Clears the failure count (and any lock) after a right password.
    async fn login_succeeded(&self, user_id: i64) -> Result<()>;
    /// Replaces the password hash (the officer's own choice, so no longer one to change)
    /// and ends every session of the account.
    async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()>;
    /// Stores a session under the hash of its token.
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        at: Timestamp,
        expires: Timestamp,
    ) -> Result<()>;
    /// The live session with this token hash, unless expired or its account disabled.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionRecord>>;
    /// Ends a session (logout); also sweeps expired ones.
    async fn delete_session(&self, token_hash: &str, now: Timestamp) -> Result<()>;
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, user: &NewUser, at: Timestamp) -> Result<i64> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_USER)
            .bind(&user.username)
            .bind(user.org.0)
            .bind(user.role.code())
            .bind(&user.password_hash)
            .bind(at.millis())
            .bind(user.can_reveal)
            .fetch_one(p)
            .await?))
    }

    async fn set_user_can_reveal(&self, username: &str, can_reveal: bool) -> Result<bool> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(SET_CAN_REVEAL)
            .bind(username)
            .bind(can_reveal)
            .execute(p)
            .await?
            .rows_affected());
        Ok(changed > 0)
    }

    async fn users(&self) -> Result<Vec<UserRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_USERS).fetch_all(p).await?))
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_USER)
            .bind(username)
            .fetch_optional(p)
            .await?))
    }

    async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let changed = on_tx!(&mut tx, |c| sqlx::query(SET_DISABLED)
            .bind(username)
            .bind(disabled)
            .execute(c)
            .await?
            .rows_affected());
        if disabled {
            on_tx!(&mut tx, |c| {
                sqlx::query(DELETE_USER_SESSIONS_BY_NAME).bind(username).execute(c).await?;
            });
        }
        tx.commit().await?;
        Ok(changed > 0)
    }

    async fn begin_login(
        &self,
        username: &str,
        now: Timestamp,
        lockout: Lockout,
    ) -> Result<Option<UserRecord>> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_as(BEGIN_LOGIN)
            .bind(username)
            .bind(now.millis())
            .bind(lockout.lock_until.millis())
            .bind(lockout.max_failures)
            .fetch_optional(p)
            .await?))
    }

    async fn begin_password_check(
        &self,
        user_id: i64,
        now: Timestamp,
        lockout: Lockout,
    ) -> Result<Option<UserRecord>> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_as(BEGIN_PASSWORD_CHECK)
            .bind(user_id)
            .bind(now.millis())
            .bind(lockout.lock_until.millis())
            .bind(lockout.max_failures)
            .fetch_optional(p)
            .await?))
    }

    async fn login_succeeded(&self, user_id: i64) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(LOGIN_SUCCEEDED).bind(user_id).execute(p).await?;
        });
        Ok(())
    }

    async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(SET_PASSWORD).bind(user_id).bind(password_hash).execute(c).await?;
        });
        on_tx!(&mut tx, |c| {
            sqlx::query(CHOSEN_PASSWORD).bind(user_id).execute(c).await?;
        });
        on_tx!(&mut tx, |c| {
            sqlx::query(DELETE_USER_SESSIONS).bind(user_id).execute(c).await?;
        });
        tx.commit().await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        at: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(INSERT_SESSION)
                .bind(token_hash)
                .bind(user_id)
                .bind(csrf)
                .bind(at.millis())
                .bind(expires.millis())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionRecord>> {
        let row: Option<SessionRow> = on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_SESSION)
            .bind(token_hash)
            .bind(now.millis())
            .fetch_optional(p)
            .await?);
        Ok(row.map(|r| SessionRecord { user: r.user, csrf_token: r.csrf_token, expires_at: r.expires_at }))
    }

    async fn delete_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(DELETE_SESSION).bind(token_hash).execute(p).await?;
        });
        on_pool!(&self.pools, write, |p| {
            sqlx::query(DELETE_EXPIRED_SESSIONS).bind(now.millis()).execute(p).await?;
        });
        Ok(())
    }
}

// Last: it uses `user_columns!`, which must be defined before it.
pub(crate) mod officers;
