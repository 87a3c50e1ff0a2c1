//! `huiji api-key` and `huiji platform`: platform companies' API keys and webhooks.

use std::io::Write;

use huiji_app::platform::api_keys as keys;
use huiji_app::ports::{Clock as _, OsRandomness, Randomness, SystemClock};
use huiji_store::Store;
use huiji_vault::{Field, Keyring, OsRandom};

use crate::cli::{ApiKeyCommand, PlatformCommand};
use crate::error::CommandError;

/// A platform name: what `--platform` takes and lists show.
fn platform_name(name: &str) -> Result<&str, CommandError> {
    let name = name.trim();
    let valid = (1..=64).contains(&name.chars().count())
        && !name.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(name)
    } else {
        Err(CommandError::InvalidArgument("--platform: 1 to 64 characters, no spaces".to_owned()))
    }
}

/// Runs an `api-key` subcommand.
pub async fn api_key(
    store: &dyn Store,
    command: &ApiKeyCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let now = SystemClock.now();
    match command {
        ApiKeyCommand::Create { platform, scopes } => {
            let scopes = keys::parse_scopes(scopes).map_err(CommandError::InvalidArgument)?;
            let platform = store.ensure_platform(platform_name(platform)?, now).await?;
            let issued =
                keys::issue(&OsRandomness).map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
            store.create_api_key(platform.id, &issued.prefix, &issued.hash, &scopes, now).await?;
            writeln!(out, "{}", issued.key)?;
            // The key alone goes to stdout so scripts can capture it; the rest is advice.
            eprintln!(
                "API key for platform {} (scopes: {scopes}) — shown once, store it now; prefix {}",
                platform.name, issued.prefix
            );
            Ok(())
        }
        ApiKeyCommand::List => {
            for key in store.api_keys().await? {
                let state = if key.revoked_at.is_some() { "revoked" } else { "active" };
                let created = huiji_core::Timestamp(key.created_at).china_date();
                writeln!(out, "{}\t{}\t{}\t{created}\t{state}", key.prefix, key.platform_name, key.scopes)?;
            }
            Ok(())
        }
        ApiKeyCommand::Revoke { prefix } => {
            let prefix = prefix.strip_prefix("hj_").unwrap_or(prefix);
            let prefix = prefix.split('_').next().unwrap_or(prefix);
            if store.revoke_api_key(prefix, now).await? {
                writeln!(out, "revoked {prefix}")?;
                Ok(())
            } else {
                Err(CommandError::InvalidArgument(format!("no active key with prefix {prefix}")))
            }
        }
    }
}

/// Runs a `platform` subcommand.
pub async fn platform(
    store: &dyn Store,
    keyring: impl FnOnce() -> Result<Keyring, CommandError>,
    command: &PlatformCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match command {
        PlatformCommand::List => {
            for platform in store.platforms().await? {
                let webhook = platform.webhook_url.as_deref().unwrap_or("-");
                writeln!(out, "{}\t{}\t{webhook}", platform.id, platform.name)?;
            }
            Ok(())
        }
        PlatformCommand::Webhook { platform, url, clear } => {
            let name = platform_name(platform)?;
            let platform = store
                .platform_by_name(name)
                .await?
                .ok_or_else(|| CommandError::InvalidArgument(format!("no platform {name}")))?;
            match (url, clear) {
                (_, true) => {
                    store.set_webhook(platform.id, None, None).await?;
                    writeln!(out, "webhooks off for {name}")?;
                }
                (Some(url), false) => {
                    let url = url.trim();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(CommandError::InvalidArgument("--url: an http(s) URL".to_owned()));
                    }
                    let mut bytes = [0u8; 32];
                    OsRandomness
                        .fill(&mut bytes)
                        .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
                    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    let secret = format!("whsec_{secret}");
                    let sealed = keyring()?
                        .encrypt(Field::WebhookSecret, &secret, &mut OsRandom)
                        .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
                    store.set_webhook(platform.id, Some(url), Some(&sealed)).await?;
                    writeln!(out, "{secret}")?;
                    eprintln!("webhooks for {name} go to {url}; signing secret above — shown once");
                }
                (None, false) => {
                    return Err(CommandError::InvalidArgument("give --url URL or --clear".to_owned()));
                }
            }
            Ok(())
        }
    }
}
