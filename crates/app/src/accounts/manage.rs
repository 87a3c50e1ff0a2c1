//! Officer accounts as the operator makes and changes them at the command line:
//! usernames, generated passwords, `pii.reveal`, disabling. Admins manage the accounts of
//! their subtree in the console through [`officers`], on the same checks and passwords.

pub mod officers;

use huiji_core::{OrgId, Role, Timestamp};
use huiji_store::{Conflict, NewUser, Store, StoreError};

use crate::accounts::passwords::{self, PasswordError};
use crate::ports::Randomness;

/// Longest username.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Characters of generated passwords: no look-alikes (0/O, 1/l/I), easy to read aloud.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// An account to make.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    /// Login name as typed (trimmed here).
    pub username: &'a str,
    /// Its union.
    pub org: OrgId,
    /// Its role.
    pub role: Role,
    /// The password; one is generated when `None`.
    pub password: Option<String>,
    /// Whether it may reveal full ID numbers and mobiles (`pii.reveal`).
    pub can_reveal: bool,
}

/// Why an account was not made.
#[derive(Debug, thiserror::Error)]
pub enum NewAccountError {
    /// Empty, too long, or with spaces.
    #[error("a username has 1 to {MAX_USERNAME_CHARS} characters and no spaces")]
    Username,
    /// The union does not exist.
    #[error("no such union")]
    NoSuchOrg,
    /// Another account has the name.
    #[error("the username is taken")]
    UsernameTaken,
    /// The password is too short, or hashing failed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for NewAccountError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(Conflict::UsernameTaken) => NewAccountError::UsernameTaken,
            other => NewAccountError::Store(other),
        }
    }
}

/// A random 16-character password from an alphabet without look-alikes.
pub fn generate_password(random: &dyn Randomness) -> Result<String, PasswordError> {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(PASSWORD_ALPHABET[usize::from(*b) % PASSWORD_ALPHABET.len()]))
        .collect())
}

/// Makes an account and returns its password (the one given, or a generated one, which
/// is shown once and stored only hashed).
pub async fn create_account(
    store: &dyn Store,
    random: &dyn Randomness,
    at: Timestamp,
    account: NewAccount<'_>,
) -> Result<String, NewAccountError> {
    let (user, password) = prepare(store, random, account).await?;
    store.create_user(&user, at).await?;
    tracing::info!(username = %user.username, role = %user.role, org = %user.org, "officer account created");
    Ok(password)
}

/// The checked username, the union, and the password (given or generated) hashed: what
/// every door's new account is made of.
pub(crate) async fn prepare(
    store: &dyn Store,
    random: &dyn Randomness,
    account: NewAccount<'_>,
) -> Result<(NewUser, String), NewAccountError> {
    let username = account.username.trim();
    if username.is_empty()
        || username.chars().count() > MAX_USERNAME_CHARS
        || username.chars().any(char::is_whitespace)
    {
        return Err(NewAccountError::Username);
    }
    store.org(account.org).await?.ok_or(NewAccountError::NoSuchOrg)?;
    let password = match account.password {
        Some(password) => password,
        None => generate_password(random)?,
    };
    let password_hash = passwords::hash(&password, random)?;
    let user = NewUser {
        username: username.to_owned(),
        org: account.org,
        role: account.role,
        password_hash,
        can_reveal: account.can_reveal,
    };
    Ok((user, password))
}
