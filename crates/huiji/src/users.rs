//! `huiji user`: officer accounts from the command line.

use std::io::{BufRead, Write};

use huiji_app::accounts::manage::{self, NewAccount, NewAccountError};
use huiji_app::ports::{Clock, OsRandomness, SystemClock};
use huiji_core::{OrgId, Role};
use huiji_store::Store;

use crate::cli::UserCommand;
use crate::error::CommandError;

/// Creates an account; returns the password (generated unless given).
pub async fn add_user(
    store: &dyn Store,
    username: &str,
    org: OrgId,
    role: Role,
    password: Option<String>,
    can_reveal: bool,
) -> Result<String, CommandError> {
    let account = NewAccount { username, org, role, password, can_reveal };
    manage::create_account(store, &OsRandomness, SystemClock.now(), account).await.map_err(|e| match e {
        NewAccountError::Store(e) => CommandError::Store(e),
        NewAccountError::Username => {
            CommandError::InvalidArgument("--username: 1 to 64 characters, no spaces".to_owned())
        }
        NewAccountError::NoSuchOrg => CommandError::InvalidArgument(format!("--org {org}: no such union")),
        NewAccountError::UsernameTaken => {
            CommandError::InvalidArgument(format!("username {} is taken", username.trim()))
        }
        NewAccountError::Password(e) => CommandError::InvalidArgument(e.to_string()),
    })
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
