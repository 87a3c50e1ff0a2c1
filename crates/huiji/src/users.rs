//! `huiji user`: officer accounts from the command line.

use std::io::{BufRead, Write};

use huiji_app::accounts::passwords;
use huiji_app::ports::{OsRandomness, Randomness, SystemClock};
use huiji_core::{OrgId, Role};
use huiji_store::{Conflict, NewUser, Store, StoreError};

use crate::cli::UserCommand;
use crate::commands::CommandError;

/// Characters of generated passwords: no look-alikes (0/O, 1/l/I), easy to read aloud.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random 16-character password.
pub fn generate_password(random: &dyn Randomness) -> Result<String, CommandError> {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes).map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(PASSWORD_ALPHABET[usize::from(*b) % PASSWORD_ALPHABET.len()]))
        .collect())
}

/// Creates an account; returns the password (generated unless given).
pub async fn add_user(
    store: &dyn Store,
    username: &str,
    org: OrgId,
    role: Role,
    password: Option<String>,
    can_reveal: bool,
) -> Result<String, CommandError> {
    use huiji_app::ports::Clock as _;
    let username = username.trim();
    if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_whitespace) {
        return Err(CommandError::InvalidArgument("--username: 1 to 64 characters, no spaces".to_owned()));
    }
    store
        .org(org)
        .await?
        .ok_or_else(|| CommandError::InvalidArgument(format!("--org {org}: no such union")))?;
    let password = match password {
        Some(password) => password,
        None => generate_password(&OsRandomness)?,
    };
    let hash = passwords::hash(&password, &OsRandomness)
        .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
    let user = NewUser { username: username.to_owned(), org, role, password_hash: hash, can_reveal };
    match store.create_user(&user, SystemClock.now()).await {
        Ok(_) => Ok(password),
        Err(StoreError::Conflict(Conflict::UsernameTaken)) => {
            Err(CommandError::InvalidArgument(format!("username {username} is taken")))
        }
        Err(other) => Err(other.into()),
    }
}

/// Runs a `user` subcommand.
pub async fn execute(
    store: &dyn Store,
    command: &UserCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match command {
        UserCommand::Add { username, org, role, password_stdin, can_reveal } => {
            let role: Role = role.parse().map_err(|_| {
                CommandError::InvalidArgument(format!("--role {role}: admin, reviewer, viewer or judge"))
            })?;
            let given = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let generated = given.is_none();
            let password = add_user(store, username, OrgId(*org), role, given, *can_reveal).await?;
            let reveal = if *can_reveal { " (may reveal ID numbers and mobiles)" } else { "" };
            writeln!(out, "created {role} {username} for org {org}{reveal}")?;
            if generated {
                writeln!(out, "password (shown once): {password}")?;
            }
            Ok(())
        }
        UserCommand::List => {
            for user in store.users().await? {
                let org = store.org(OrgId(user.org_id)).await?.map(|o| o.name).unwrap_or_default();
                let state = if user.disabled { "disabled" } else { "active" };
                let reveal = if user.can_reveal { "\tpii.reveal" } else { "" };
                writeln!(out, "{}\t{}\t{}\t{org}\t{state}{reveal}", user.username, user.role, user.org_id)?;
            }
            Ok(())
        }
        UserCommand::GrantReveal { username } | UserCommand::RevokeReveal { username } => {
            let grant = matches!(command, UserCommand::GrantReveal { .. });
            if store.set_user_can_reveal(username, grant).await? {
                let what = if grant { "may now reveal" } else { "may no longer reveal" };
                writeln!(out, "{username} {what} full ID numbers and mobiles (pii.reveal)")?;
                Ok(())
            } else {
                Err(CommandError::InvalidArgument(format!("no user {username}")))
            }
        }
        UserCommand::Disable { username } => {
            if store.set_user_disabled(username, true).await? {
                writeln!(out, "disabled {username}; their sessions are ended")?;
                Ok(())
            } else {
                Err(CommandError::InvalidArgument(format!("no user {username}")))
            }
        }
    }
}
