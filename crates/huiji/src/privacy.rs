//! The privacy commands: `keys rotate`, `purge`, `backup`, `restore`, `consent publish`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use huiji_app::keys::Keys;
use huiji_app::ports::{Clock as _, OsRandomness, SystemClock};
use huiji_store::prelude::*;
use huiji_store::{Backend, OrgFilter, SqlStore};
use huiji_vault::{EncryptionKey, KeyId, Keyring, OsRandom};

use crate::config::DatabaseUrl;
use crate::error::CommandError;
use crate::setup::{key_error, load_keyring, open};

/// What `backup` says for PostgreSQL, where the database's own tools are the right ones.
const PG_DUMP_HELP: &str = "huiji backup copies the embedded SQLite database; back up PostgreSQL with \
    `pg_dump --format=custom --file huiji.dump DATABASE_URL` and restore with `pg_restore --clean \
    --dbname DATABASE_URL huiji.dump` (the dump, like the database, holds ID numbers and mobiles only \
    as ciphertext; keep the key file apart from it)";

/// Appends a record of a command's action to the audit log (scoped to the tree's root).
async fn audit(
    store: &dyn Store,
    actor: &str,
    action: &str,
    subject: String,
    reason: Option<String>,
) -> Result<(), CommandError> {
    huiji_app::audit::record_system(store, SystemClock.now(), actor, action, subject, reason).await?;
    Ok(())
}

/// The next free key id: `k<n+1>` after the highest `k<n>` in the file.
fn next_key_id(keyring: &Keyring) -> Result<KeyId, CommandError> {
    let highest = keyring.key_ids().filter_map(|id| id.as_str().strip_prefix('k')?.parse::<u32>().ok()).max();
    let mut n = highest.unwrap_or(0) + 1;
    loop {
        let id = KeyId::new(&format!("k{n}")).map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
        if !keyring.key_ids().any(|k| *k == id) {
            return Ok(id);
        }
        n += 1;
    }
}

/// Replaces the key file atomically (a new file, owner-only, renamed over the old one),
/// so a server re-reading it never sees half a file.
fn write_key_file(path: &Path, text: &str) -> Result<(), CommandError> {
    let temporary = path.with_extension("rotating");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(|e| key_error(&temporary, e))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path).map_err(|e| key_error(path, e))?;
    Ok(())
}

/// `huiji keys rotate`: a new current key in the file, then every value re-encrypted.
pub async fn rotate_keys(
    store: &SqlStore,
    path: &Path,
    batch: u32,
    settle: u64,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let keyring = load_keyring(path)?;
    let key_id = match store.unfinished_key_rotation().await? {
        Some(id) if id == keyring.current.0.as_str() => {
            writeln!(out, "resuming the unfinished rotation to key {id}")?;
            id
        }
        Some(id) => {
            return Err(key_error(
                path,
                format!(
                    "an unfinished rotation to key {id} exists, but the file's current key is {}",
                    keyring.current.0
                ),
            ));
        }
        None => {
            let id = next_key_id(&keyring)?;
            let key = EncryptionKey::generate(&mut OsRandom).map_err(|e| key_error(path, e))?;
            let rotated = keyring.with_new_current(id.clone(), key);
            write_key_file(path, &rotated.to_key_file_text())?;
            store.start_key_rotation(id.as_str(), SystemClock.now()).await?;
            writeln!(
                out,
                "new current key {id} written to {} (older keys kept); waiting {settle} s for running \
                 servers to load it",
                path.display()
            )?;
            out.flush()?;
            tokio::time::sleep(Duration::from_secs(settle)).await;
            id.to_string()
        }
    };
    let keys = Keys::new(load_keyring(path)?);
    let report = huiji_app::privacy::rotation::reencrypt_all(
        store,
        &keys,
        &key_id,
        &OsRandomness,
        &SystemClock,
        batch,
    )
    .await
    .map_err(|e| CommandError::InvalidArgument(format!("rotation to {key_id} stopped: {e}; run it again")))?;
    audit(store, "huiji keys rotate", "keys.rotate", format!("key:{key_id}"), None).await?;
    writeln!(
        out,
        "re-encrypted {} values under key {key_id} ({} checking sweeps); every stored value now uses it",
        report.resealed, report.sweeps
    )?;
    Ok(())
}

/// `huiji purge`.
pub async fn purge(store: &SqlStore, days: u32, out: &mut dyn Write) -> Result<(), CommandError> {
    let counts = huiji_app::privacy::purge(store, &SystemClock, days, "huiji purge").await?;
    writeln!(
        out,
        "purged the personal data of {} applications and {} memberships older than {days} days; deleted {} \
         outbox messages and {} SMS challenges; purged {} legal-aid cases ended before then; removed {} roster \
         entries of people who never joined",
        counts.applications,
        counts.memberships,
        counts.outbox,
        counts.challenges,
        counts.cases,
        counts.roster
    )?;
    Ok(())
}

/// The file of a `sqlite:` URL.
fn sqlite_path(url: &DatabaseUrl) -> Result<&str, CommandError> {
    let rest = url
        .expose()
        .strip_prefix("sqlite:")
        .ok_or_else(|| CommandError::InvalidArgument(PG_DUMP_HELP.to_owned()))?;
    let rest = rest.trim_start_matches("//");
    Ok(rest.split('?').next().unwrap_or(rest))
}

/// `huiji backup --to FILE`.
pub async fn backup(url: &DatabaseUrl, to: &Path, out: &mut dyn Write) -> Result<(), CommandError> {
    if Backend::of_url(url.expose())? == Backend::Postgres {
        return Err(CommandError::InvalidArgument(PG_DUMP_HELP.to_owned()));
    }
    if to.exists() {
        return Err(CommandError::InvalidArgument(format!("{} exists; choose a new file", to.display())));
    }
    let target = to.to_str().ok_or_else(|| CommandError::InvalidArgument("--to: not UTF-8".to_owned()))?;
    let store = open(url).await?;
    store.backup_into(target).await?;
    store.close().await;
    #[cfg(unix)]
    std::fs::set_permissions(to, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    writeln!(
        out,
        "backed up {} to {} — ID numbers and mobiles are in it only as ciphertext; keep the key file apart",
        url.redacted(),
        to.display()
    )?;
    Ok(())
}

/// `huiji restore --from FILE [--force]`.
pub async fn restore(
    url: &DatabaseUrl,
    from: &Path,
    force: bool,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let target = sqlite_path(url)?.to_owned();
    let source =
        from.to_str().ok_or_else(|| CommandError::InvalidArgument("--from: not UTF-8".to_owned()))?;
    if !from.is_file() || !huiji_store::is_huiji_sqlite(source).await? {
        return Err(CommandError::InvalidArgument(format!("{} is not a huiji database", from.display())));
    }
    if Path::new(&target).exists() {
        let store = open(url).await?;
        let unions = store.count_orgs(&OrgFilter::default()).await?;
        store.close().await;
        if unions > 0 && !force {
            return Err(CommandError::InvalidArgument(format!(
                "{} holds {unions} unions; pass --force to replace it (stop the server first)",
                url.redacted()
            )));
        }
    }
    // The old database's write-ahead log must not be replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{target}{suffix}"));
    }
    let temporary = format!("{target}.restoring");
    std::fs::copy(from, &temporary)?;
    std::fs::rename(&temporary, &target)?;
    let store = open(url).await?;
    let unions = store.count_orgs(&OrgFilter::default()).await?;
    store.close().await;
    writeln!(out, "restored {} from {} ({unions} unions)", url.redacted(), from.display())?;
    Ok(())
}

/// `huiji consent publish --file F`.
pub async fn publish_consent(store: &SqlStore, file: &Path, out: &mut dyn Write) -> Result<(), CommandError> {
    let text = std::fs::read_to_string(file)?;
    let mut parts = text.splitn(2, "\n---\n");
    let zh = parts.next().unwrap_or_default().trim();
    let en = parts.next().unwrap_or_default().trim();
    if zh.is_empty() || en.is_empty() {
        return Err(CommandError::InvalidArgument(format!(
            "{}: expected the Chinese text, a line `---`, then the English text",
            file.display()
        )));
    }
    let version = store.publish_consent(zh, en, SystemClock.now()).await?;
    audit(store, "huiji consent publish", "consent.publish", format!("consent:{version}"), None).await?;
    writeln!(out, "published consent version {version}; the join form shows it from now on")?;
    Ok(())
}
