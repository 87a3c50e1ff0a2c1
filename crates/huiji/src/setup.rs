//! What commands open before they run: the database (migrated, created only where a
//! command may create it), the key file, and the seed tree.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use huiji_app::ports::Clock;
use huiji_core::RegionTable;
use huiji_core::org::OrgKindCode;
use huiji_fixtures::tree;
use huiji_store::prelude::*;
use huiji_store::{OrgFilter, SqlStore};
use huiji_vault::{KeyFile, Keyring, OsRandom};

use crate::config::DatabaseUrl;
use crate::error::CommandError;

/// A key file that cannot be read, written or parsed, named with why.
pub fn key_error(path: &Path, reason: impl ToString) -> CommandError {
    CommandError::Keys { path: path.display().to_string(), reason: reason.to_string() }
}

/// Writes a new key file readable by its owner only; never overwrites one.
pub fn create_key_file(path: &Path) -> Result<(), CommandError> {
    let text = KeyFile::generate(&mut OsRandom).map_err(|e| key_error(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| key_error(path, e))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Reads the keyring from a key file.
pub fn load_keyring(path: &Path) -> Result<Keyring, CommandError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        key_error(path, format!("{e} (create one with `huiji keys init --out {}`)", path.display()))
    })?;
    Keyring::from_key_file_text(&text).map_err(|e| key_error(path, e))
}

/// Connects and applies pending migrations; creates the directory of a SQLite file so
/// `sqlite:data/demo.db` works on a fresh clone.
pub async fn open(url: &DatabaseUrl) -> Result<SqlStore, CommandError> {
    create_sqlite_directory(url)?;
    let store = SqlStore::connect(url.expose()).await?;
    store.migrate().await?;
    Ok(store)
}

/// The SQLite file a URL names (`None` for PostgreSQL and in-memory databases).
fn sqlite_file(url: &DatabaseUrl) -> Option<&str> {
    let path = url.expose().strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    (path != ":memory:").then_some(path)
}

/// Opens a database that must exist already: commands that only read never create one (a
/// mistyped or forgotten `--database-url` would otherwise answer from a new empty file).
pub async fn open_existing(url: &DatabaseUrl) -> Result<SqlStore, CommandError> {
    if let Some(path) = sqlite_file(url)
        && !std::path::Path::new(path).exists()
    {
        return Err(CommandError::NoDatabase(path.to_owned()));
    }
    open(url).await
}

/// Makes the directory of a SQLite file, so `--database-url sqlite:data/x.db` works on a
/// fresh clone.
fn create_sqlite_directory(url: &DatabaseUrl) -> Result<(), CommandError> {
    if let Some(dir) = sqlite_file(url).and_then(|path| std::path::Path::new(path).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Loads Anhui's union tree into an empty database and reports what it made.
pub async fn seed_anhui(
    store: &dyn Store,
    clock: &dyn Clock,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let existing = store.count_orgs(&OrgFilter::default()).await?;
    if existing > 0 {
        return Err(CommandError::NotEmpty(existing));
    }
    let started = Instant::now();
    let plan = tree::anhui(RegionTable::national())?;
    let ids = store.create_tree(&plan, clock.now()).await?;
    writeln!(
        out,
        "seeded {} unions of Anhui in {:.2} s (1 province, 16 city and 119 county-level federations, \
         {} industry federations, {} township/street unions)",
        ids.len(),
        started.elapsed().as_secs_f64(),
        plan.orgs.iter().filter(|o| o.kind.code() == OrgKindCode::IndustryFederation).count(),
        plan.orgs.iter().filter(|o| o.kind.code() == OrgKindCode::Township).count(),
    )?;
    Ok(())
}
