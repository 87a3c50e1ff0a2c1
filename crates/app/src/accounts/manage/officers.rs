//! Admins manage the officer accounts of their subtree (the console's door): create an
//! account with the officer's name and mobile, change its role and `pii.reveal`, disable
//! and re-enable it, reset its password. A new or reset password is generated, shown
//! once and must be changed at the next login. Every change is in the audit log, scoped
//! to the account's union. The rules are [`huiji_core::account`].

use huiji_core::account::{AccountAdmin, AccountRefusal};
use huiji_core::audit::AuditAction;
use huiji_core::{Mobile, OrgId, OrgPath, PersonName, Role};
use huiji_store::{OfficerChange, OfficerProfile, StoreError, UserRecord};
use huiji_vault::Field;

use super::{NewAccount, NewAccountError, generate_password, prepare};
use crate::App;
use crate::accounts::passwords::{self, PasswordError};
use crate::actor::Officer;
use crate::ports::Nonces;

/// Why an account was not made or changed.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// No such account, or one outside the admin's subtree.
    #[error("not found")]
    NotFound,
    /// The rules refuse it (not an admin, own account, `pii.reveal` not held, a role the
    /// console does not make).
    #[error(transparent)]
    Refused(AccountRefusal),
    /// The username is empty, too long or has spaces.
    #[error("a username has 1 to 64 characters and no spaces")]
    Username,
    /// Another account has the username.
    #[error("the username is taken")]
    UsernameTaken,
    /// Not a person's name.
    #[error("not a name")]
    Name,
    /// Not a mainland mobile.
    #[error("not a mobile")]
    Mobile,
    /// The digest goes by SMS: the account has no mobile.
    #[error("the account has no mobile")]
    NoMobile,
    /// Hashing or randomness failed.
    #[error("{0}")]
    Internal(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountRefusal> for ManageError {
    fn from(refusal: AccountRefusal) -> Self {
        match refusal {
            // Another subtree's account is answered like one that does not exist.
            AccountRefusal::OutOfScope => ManageError::NotFound,
            other => ManageError::Refused(other),
        }
    }
}

impl From<PasswordError> for ManageError {
    fn from(error: PasswordError) -> Self {
        ManageError::Internal(error.to_string())
    }
}

/// An account as the admin's pages show it: the mobile masked.
#[derive(Clone, Debug)]
pub struct AccountView {
    /// The account.
    pub record: UserRecord,
    /// `138****5678`, or empty without a mobile.
    pub mobile_masked: String,
}

/// A new account as an admin fills it in.
#[derive(Clone, Debug)]
pub struct OfficerAccount<'a> {
    /// Login name.
    pub username: &'a str,
    /// The officer's name.
    pub full_name: &'a str,
    /// The officer's mobile.
    pub mobile: &'a str,
    /// Its union (in the admin's subtree).
    pub org: OrgId,
    /// Admin, reviewer or viewer.
    pub role: Role,
    /// `pii.reveal` (only an admin who holds it grants it).
    pub can_reveal: bool,
}

fn rules(officer: &Officer) -> AccountAdmin<'_> {
    AccountAdmin { role: officer.role, scope: &officer.scope, can_reveal: officer.can_reveal }
}

fn subject(username: &str) -> String {
    format!("user:{username}")
}

/// The account's union path, if the admin may manage it.
async fn managed(app: &App, officer: &Officer, id: i64) -> Result<(UserRecord, OrgPath), ManageError> {
    if !officer.role.is_admin() {
        return Err(AccountRefusal::NotAdmin.into());
    }
    let user = app.store().user(id).await?.ok_or(ManageError::NotFound)?;
    let org = app.store().org(OrgId(user.org_id)).await?.ok_or(ManageError::NotFound)?;
    rules(officer).may_manage(&org.path)?;
    Ok((user, org.path))
}

fn view(app: &App, record: UserRecord) -> AccountView {
    let mobile_masked = record
        .mobile_ct
        .as_deref()
        .and_then(|ct| app.keys().decrypt(Field::Mobile, ct).ok())
        .and_then(|plain| Mobile::parse(&plain).ok())
        .map(|m| m.masked())
        .unwrap_or_default();
    AccountView { record, mobile_masked }
}

/// The accounts of the admin's subtree.
///
/// # Errors
///
/// Not an admin, or the store's.
pub async fn list(app: &App, officer: &Officer) -> Result<Vec<AccountView>, ManageError> {
    if !officer.role.is_admin() {
        return Err(AccountRefusal::NotAdmin.into());
    }
    let users = app.store().users_within(&officer.scope).await?;
    Ok(users.into_iter().map(|u| view(app, u)).collect())
}

/// One account of the admin's subtree.
///
/// # Errors
///
/// Not an admin, not found or out of scope, or the store's.
pub async fn show(app: &App, officer: &Officer, id: i64) -> Result<AccountView, ManageError> {
    let (user, _) = managed(app, officer, id).await?;
    Ok(view(app, user))
}

/// Makes an account in the admin's subtree; returns its id and its one-time password
/// (shown once, to be changed at the first login).
///
/// # Errors
///
/// The rules', a bad username, name or mobile, a taken username, or the store's.
pub async fn create(
    app: &App,
    officer: &Officer,
    account: OfficerAccount<'_>,
) -> Result<(i64, String), ManageError> {
    let org = app.store().org(account.org).await?.ok_or(ManageError::NotFound)?;
    rules(officer).may_manage(&org.path)?;
    rules(officer).may_grant(account.role, account.can_reveal)?;
    let name = PersonName::parse(account.full_name).map_err(|_| ManageError::Name)?;
    let mobile = Mobile::parse(account.mobile).map_err(|_| ManageError::Mobile)?;
    let sealed = app
        .keys()
        .seal(Field::Mobile, mobile.as_str(), &mut Nonces(app.random()))
        .map_err(|e| ManageError::Internal(e.to_string()))?;
    let new = NewAccount {
        username: account.username,
        org: account.org,
        role: account.role,
        password: None,
        can_reveal: account.can_reveal,
    };
    let (user, password) = prepare(app.store().as_ref(), app.random(), new).await.map_err(|e| match e {
        NewAccountError::Username => ManageError::Username,
        NewAccountError::UsernameTaken => ManageError::UsernameTaken,
        NewAccountError::NoSuchOrg => ManageError::NotFound,
        NewAccountError::Password(e) => e.into(),
        NewAccountError::Store(e) => ManageError::Store(e),
    })?;
    let profile = OfficerProfile {
        full_name: name.as_str().to_owned(),
        mobile_ct: sealed.ciphertext,
        mobile_bidx: sealed.blind_index,
    };
    let id = app.store().create_officer(&user, &profile, app.now()).await.map_err(|e| match e {
        StoreError::Conflict(huiji_store::Conflict::UsernameTaken) => ManageError::UsernameTaken,
        other => ManageError::Store(other),
    })?;
    let detail = format!(
        "{} {}{}",
        account.role.code(),
        name.as_str(),
        if account.can_reveal { " pii.reveal" } else { "" }
    );
    officer
        .record(
            app.store().as_ref(),
            app.now(),
            &org.path,
            AuditAction::AccountCreate,
            subject(&user.username),
            Some(detail),
        )
        .await?;
    tracing::info!(username = %user.username, by = %officer.username, "officer account created in the console");
    Ok((id, password))
}

/// Changes an account of the admin's subtree (the account's own officer may only turn
/// their digest on or off).
///
/// # Errors
///
/// The rules', not found or out of scope, a digest without a mobile, or the store's.
pub async fn change(app: &App, officer: &Officer, id: i64, change: OfficerChange) -> Result<(), ManageError> {
    let own = id == officer.user.0;
    let (user, path) = if own && matches!(change, OfficerChange::Digest(_)) {
        let user = app.store().user(id).await?.ok_or(ManageError::NotFound)?;
        (user, officer.scope.clone())
    } else {
        managed(app, officer, id).await?
    };
    let action = match change {
        _ if own && !matches!(change, OfficerChange::Digest(_)) => {
            return Err(AccountRefusal::OwnAccount.into());
        }
        OfficerChange::Role(role) => {
            rules(officer).may_grant(role, false)?;
            AuditAction::AccountRole
        }
        OfficerChange::CanReveal(_) => {
            rules(officer).may_grant(user.role, true)?;
            AuditAction::AccountReveal
        }
        OfficerChange::Disabled(true) => AuditAction::AccountDisable,
        OfficerChange::Disabled(false) => AuditAction::AccountEnable,
        OfficerChange::Digest(on) => {
            if on && user.mobile_ct.is_none() {
                return Err(ManageError::NoMobile);
            }
            AuditAction::AccountDigest
        }
    };
    if !app.store().change_officer(id, change).await? {
        return Err(ManageError::NotFound);
    }
    let detail = match change {
        OfficerChange::Role(role) => format!("{} → {}", user.role.code(), role.code()),
        OfficerChange::CanReveal(on) | OfficerChange::Digest(on) => if on { "on" } else { "off" }.to_owned(),
        OfficerChange::Disabled(_) => String::new(),
    };
    let detail = (!detail.is_empty()).then_some(detail);
    officer.record(app.store().as_ref(), app.now(), &path, action, subject(&user.username), detail).await?;
    Ok(())
}

/// Resets an account's password to a generated one-time password, returned to be shown
/// once; the officer must change it at the next login. Their sessions end.
///
/// # Errors
///
/// The rules' (an admin changes their own password on the password form), not found or
/// out of scope, or the store's.
pub async fn reset_password(app: &App, officer: &Officer, id: i64) -> Result<String, ManageError> {
    if id == officer.user.0 {
        return Err(AccountRefusal::OwnAccount.into());
    }
    let (user, path) = managed(app, officer, id).await?;
    let password = generate_password(app.random())?;
    let hash = passwords::hash(&password, app.random())?;
    app.store().reset_password(id, &hash).await?;
    officer
        .record(
            app.store().as_ref(),
            app.now(),
            &path,
            AuditAction::AccountResetPassword,
            subject(&user.username),
            None,
        )
        .await?;
    tracing::info!(username = %user.username, by = %officer.username, "officer password reset");
    Ok(password)
}
