//! Accounts as an admin manages them in the console: officers with a name and a sealed
//! mobile (their `officer_profiles` row), their subtree's list, role, `pii.reveal`,
//! disabling, password resets, the header's counts of waiting reviews and the daily
//! digest's claims.

use async_trait::async_trait;
use huiji_core::{OrgPath, Role, Timestamp};

use super::NewUser;
use super::UserRecord;
use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;

/// Who an officer is, beside the login: kept with the account.
#[derive(Clone, PartialEq, Eq)]
pub struct OfficerProfile {
    /// The officer's name, as the console shows who did something.
    pub full_name: String,
    /// The mobile, sealed.
    pub mobile_ct: Vec<u8>,
    /// The mobile's blind index.
    pub mobile_bidx: String,
}

impl std::fmt::Debug for OfficerProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficerProfile").field("full_name", &self.full_name).finish_non_exhaustive()
    }
}

/// One change an admin makes to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficerChange {
    /// A new role.
    Role(Role),
    /// Grants or withdraws `pii.reveal`.
    CanReveal(bool),
    /// Disables (ending every session) or re-enables the account.
    Disabled(bool),
    /// Opts in to or out of the daily digest.
    Digest(bool),
}

/// Applications waiting for review in a subtree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReviewsWaiting {
    /// Pending review.
    pub pending: u64,
    /// Of those, past their deadline.
    pub overdue: u64,
}

const INSERT_USER: &str = "INSERT INTO users (username, org_id, role, password_hash, created_at, can_reveal) \
    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const INSERT_PROFILE: &str = "INSERT INTO officer_profiles (user_id, full_name, mobile_ct, mobile_bidx, \
    must_change_password) VALUES ($1, $2, $3, $4, TRUE)";
const SELECT_BY_ID: &str =
    concat!("SELECT ", user_columns!(), " FROM ", user_columns!(from), " WHERE u.id = $1");
const SELECT_WITHIN: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM ",
    user_columns!(from),
    " JOIN orgs o ON o.id = u.org_id WHERE o.path >= $1 AND o.path < $2 ORDER BY o.path, u.username"
);
const SET_ROLE: &str = "UPDATE users SET role = $2 WHERE id = $1";
const SET_REVEAL: &str = "UPDATE users SET can_reveal = $2 WHERE id = $1";
const SET_DISABLED: &str = "UPDATE users SET disabled = $2 WHERE id = $1";
// Accounts made at the command line get a profile row the first time one is needed.
const SET_DIGEST: &str = "INSERT INTO officer_profiles (user_id, digest) SELECT id, $2 FROM users WHERE id = $1 \
    ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest";
const DELETE_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
// A reset also lifts a lockout: the officer starts again with the password given to them.
const RESET_PASSWORD: &str =
    "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1";
const MUST_CHANGE: &str = "INSERT INTO officer_profiles (user_id, must_change_password) VALUES ($1, TRUE) \
    ON CONFLICT (user_id) DO UPDATE SET must_change_password = TRUE";
/// The start of [`OfficerStore::officer_names`]: the username list and `)` follow.
const NAMES: &str = "SELECT u.username, f.full_name FROM users u JOIN officer_profiles f ON f.user_id = u.id \
    WHERE f.full_name <> '' AND u.username IN (";
// Both counts in one pass over the partial index of pending reviews.
const WAITING: &str = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN review_deadline < $3 THEN 1 ELSE 0 END), 0) \
    FROM applications WHERE status = 'pending_review' AND reviewer_path >= $1 AND reviewer_path < $2";
const DIGEST_DUE: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM ",
    user_columns!(from),
    " WHERE f.digest AND NOT u.disabled AND f.mobile_ct IS NOT NULL \
     AND (f.digest_on IS NULL OR f.digest_on <> $1) ORDER BY u.id"
);
const CLAIM_DIGEST: &str = "UPDATE officer_profiles SET digest_on = $2 WHERE user_id = $1 AND digest \
    AND (digest_on IS NULL OR digest_on <> $2)";

/// The accounts an admin manages, and what the console header and the digest count.
#[async_trait]
pub trait OfficerStore: Send + Sync {
    /// Creates an account with its officer's name and mobile; the password is one to be
    /// changed at the first login. A taken username is `Conflict::UsernameTaken`.
    async fn create_officer(&self, user: &NewUser, profile: &OfficerProfile, at: Timestamp) -> Result<i64>;
    /// One account by id.
    async fn user(&self, id: i64) -> Result<Option<UserRecord>>;
    /// The accounts of the unions of a subtree, by union path and username.
    async fn users_within(&self, within: &OrgPath) -> Result<Vec<UserRecord>>;
    /// Applies a change; `false` if no such account. Disabling ends every session.
    async fn change_officer(&self, id: i64, change: OfficerChange) -> Result<bool>;
    /// Replaces the password with one the officer must change at the next login, lifts a
    /// lockout and ends every session.
    async fn reset_password(&self, id: i64, password_hash: &str) -> Result<()>;
    /// Usernames and officers' names, of these usernames' accounts that have a name.
    async fn officer_names(&self, usernames: &[String]) -> Result<Vec<(String, String)>>;
    /// Reviews pending in a subtree, and how many of them are past their deadline `now`.
    async fn reviews_waiting(&self, within: &OrgPath, now: Timestamp) -> Result<ReviewsWaiting>;
    /// Enabled accounts with a mobile that opted in to the digest and have not had
    /// today's (`today`: the China date, `YYYY-MM-DD`).
    async fn digest_due(&self, today: &str) -> Result<Vec<UserRecord>>;
    /// Claims today's digest of an account: `true` for exactly one caller a day, so any
    /// number of instances send it once.
    async fn claim_digest(&self, id: i64, today: &str) -> Result<bool>;
}

#[async_trait]
impl OfficerStore for SqlStore {
    async fn create_officer(&self, user: &NewUser, profile: &OfficerProfile, at: Timestamp) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT_USER)
            .bind(&user.username)
            .bind(user.org.0)
            .bind(user.role.code())
            .bind(&user.password_hash)
            .bind(at.millis())
            .bind(user.can_reveal)
            .fetch_one(c)
            .await?);
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_PROFILE)
                .bind(id)
                .bind(&profile.full_name)
                .bind(&profile.mobile_ct)
                .bind(&profile.mobile_bidx)
                .execute(c)
                .await?;
        });
        tx.commit().await?;
        Ok(id)
    }

    async fn user(&self, id: i64) -> Result<Option<UserRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_BY_ID).bind(id).fetch_optional(p).await?))
    }

    async fn users_within(&self, within: &OrgPath) -> Result<Vec<UserRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_WITHIN)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_all(p)
            .await?))
    }

    async fn change_officer(&self, id: i64, change: OfficerChange) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let changed = match change {
            OfficerChange::Role(role) => on_tx!(&mut tx, |c| sqlx::query(SET_ROLE)
                .bind(id)
                .bind(role.code())
                .execute(c)
                .await?
                .rows_affected()),
            OfficerChange::CanReveal(on) | OfficerChange::Disabled(on) | OfficerChange::Digest(on) => {
                let sql = match change {
                    OfficerChange::CanReveal(_) => SET_REVEAL,
                    OfficerChange::Disabled(_) => SET_DISABLED,
                    _ => SET_DIGEST,
                };
                on_tx!(&mut tx, |c| sqlx::query(sql).bind(id).bind(on).execute(c).await?.rows_affected())
            }
        };
        // A new role or a withdrawn permission takes effect at once: sessions read the
        // account on every request. A disabled account must not keep one.
        if change == OfficerChange::Disabled(true) {
            on_tx!(&mut tx, |c| {
                sqlx::query(DELETE_SESSIONS).bind(id).execute(c).await?;
            });
        }
        tx.commit().await?;
        Ok(changed > 0)
    }

    async fn reset_password(&self, id: i64, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(RESET_PASSWORD).bind(id).bind(password_hash).execute(c).await?;
        });
        on_tx!(&mut tx, |c| {
            sqlx::query(MUST_CHANGE).bind(id).execute(c).await?;
        });
        on_tx!(&mut tx, |c| {
            sqlx::query(DELETE_SESSIONS).bind(id).execute(c).await?;
        });
        tx.commit().await
    }

    async fn officer_names(&self, usernames: &[String]) -> Result<Vec<(String, String)>> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(&self.pools, read, |p| {
            let mut qb = sqlx::QueryBuilder::new(NAMES);
            let mut list = qb.separated(", ");
            for username in usernames {
                list.push_bind(username.clone());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(p).await?
        }))
    }

    async fn reviews_waiting(&self, within: &OrgPath, now: Timestamp) -> Result<ReviewsWaiting> {
        let (pending, overdue): (i64, i64) = on_pool!(&self.pools, read, |p| sqlx::query_as(WAITING)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(now.millis())
            .fetch_one(p)
            .await?);
        Ok(ReviewsWaiting {
            pending: u64::try_from(pending).unwrap_or(0),
            overdue: u64::try_from(overdue).unwrap_or(0),
        })
    }

    async fn digest_due(&self, today: &str) -> Result<Vec<UserRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(DIGEST_DUE).bind(today).fetch_all(p).await?))
    }

    async fn claim_digest(&self, id: i64, today: &str) -> Result<bool> {
        let claimed = on_pool!(&self.pools, write, |p| sqlx::query(CLAIM_DIGEST)
            .bind(id)
            .bind(today)
            .execute(p)
            .await?
            .rows_affected());
        Ok(claimed == 1)
    }
}
