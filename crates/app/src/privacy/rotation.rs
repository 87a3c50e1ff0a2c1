//! Re-encrypting every sealed value under the current key (the second half of `huiji
//! keys rotate`), in batches, while servers keep serving.
//!
//! The pass walks each table in id order and records the last id done with every batch,
//! so an interrupted rotation resumes where it stopped. Writes are compare-and-set: a row
//! changed meanwhile keeps its newer value. Rows written under an old key during the pass
//! (a server that had not reloaded the key file yet, or a membership copied from an
//! application the pass had not reached) are caught by sweeps over everything, repeated
//! until one finds nothing left under an old key; only then is the rotation finished.

use huiji_store::{Resealed, SealedRow, SealedTable, Store, StoreError};
use huiji_vault::{Field, Keyring, VaultError};

use crate::keys::Keys;
use crate::ports::{Clock, Nonces, Randomness};

/// Sweeps before giving up on a rotation that keeps finding old ciphertext (a server
/// still encrypting under an old key: restart it, then run the rotation again).
const MAX_SWEEPS: u32 = 20;

/// Why a rotation stopped.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A stored value could not be decrypted with any key in the file (a key is missing),
    /// or the random source failed.
    #[error("{table} row {id}: {error}")]
    Vault {
        /// Which table.
        table: &'static str,
        /// Which row.
        id: i64,
        /// What failed.
        error: VaultError,
    },
    /// The key file's current key is not the one being rotated to.
    #[error("the key file's current key is {current}, not {expected}")]
    WrongKey {
        /// In the file.
        current: String,
        /// Being rotated to.
        expected: String,
    },
    /// Sweeps kept finding values under old keys.
    #[error(
        "values under old keys keep appearing after {0} sweeps: is a server still using an old key file?"
    )]
    Unsettled(u32),
}

/// What a rotation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Rows re-encrypted.
    pub resealed: u64,
    /// Sweeps after the pass (the last found nothing).
    pub sweeps: u32,
}

/// Whether a stored value needs re-encrypting: not under the current key, and not empty
/// (a purged value has nothing left to encrypt).
fn stale(keyring: &Keyring, ciphertext: &[u8]) -> bool {
    !ciphertext.is_empty() && keyring.needs_rotation(ciphertext)
}

/// The field a table's [`SealedRow::value_ct`] was sealed as.
pub fn value_field(table: SealedTable) -> Field {
    match table {
        SealedTable::Platforms => Field::WebhookSecret,
        SealedTable::Applications
        | SealedTable::Memberships
        | SealedTable::SmsOutbox
        | SealedTable::Cases
        | SealedTable::Roster
        | SealedTable::OfficerProfiles => Field::Mobile,
    }
}

/// The batch's rows that need re-encrypting, re-encrypted.
fn reseal_rows(
    table: SealedTable,
    keyring: &Keyring,
    rows: &[SealedRow],
    random: &dyn Randomness,
) -> Result<Vec<Resealed>, RotationError> {
    let mut nonces = Nonces(random);
    let mut out = Vec::new();
    for row in rows {
        let id_stale = row.id_number_ct.as_deref().is_some_and(|ct| stale(keyring, ct));
        if !id_stale && !stale(keyring, &row.value_ct) {
            continue;
        }
        let vault = |error| RotationError::Vault { table: table.name(), id: row.id, error };
        let again = |field, ct: &[u8], nonces: &mut Nonces<'_>| -> Result<Vec<u8>, RotationError> {
            if stale(keyring, ct) {
                keyring.reencrypt(field, ct, nonces).map_err(vault)
            } else {
                Ok(ct.to_vec())
            }
        };
        let id_number_ct = match &row.id_number_ct {
            Some(ct) => Some(again(Field::IdNumber, ct, &mut nonces)?),
            None => None,
        };
        let value_ct = again(value_field(table), &row.value_ct, &mut nonces)?;
        out.push(Resealed { old: row.clone(), new: SealedRow { id: row.id, id_number_ct, value_ct } });
    }
    Ok(out)
}

/// One walk over a table from `after`; with `key_id`, the walk records its progress.
/// Returns (rows needing it, rows written).
async fn walk(
    store: &dyn Store,
    keyring: &Keyring,
    random: &dyn Randomness,
    table: SealedTable,
    progress: Option<&str>,
    batch: u32,
) -> Result<(u64, u64), RotationError> {
    let mut after = match progress {
        Some(key_id) => store.key_rotation_progress(key_id, table).await?,
        None => 0,
    };
    let (mut found, mut written) = (0, 0);
    loop {
        let rows = store.sealed_batch(table, after, batch).await?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        let resealed = reseal_rows(table, keyring, &rows, random)?;
        found += resealed.len() as u64;
        if !resealed.is_empty() || progress.is_some() {
            written += store.reseal(table, &resealed, progress.map(|k| (k, last))).await?;
        }
        after = last;
    }
    Ok((found, written))
}

/// Re-encrypts everything under the current key of `keys`, which must be `key_id`, and
/// marks the rotation finished. Safe to run again after an interruption.
pub async fn reencrypt_all(
    store: &dyn Store,
    keys: &Keys,
    key_id: &str,
    random: &dyn Randomness,
    clock: &dyn Clock,
    batch: u32,
) -> Result<RotationReport, RotationError> {
    let keyring = keys.get();
    if keyring.current.0.as_str() != key_id {
        return Err(RotationError::WrongKey {
            current: keyring.current.0.to_string(),
            expected: key_id.to_owned(),
        });
    }
    store.start_key_rotation(key_id, clock.now()).await?;
    let mut report = RotationReport::default();
    for table in SealedTable::ALL {
        let (_, written) = walk(store, &keyring, random, table, Some(key_id), batch).await?;
        report.resealed += written;
    }
    loop {
        if report.sweeps >= MAX_SWEEPS {
            return Err(RotationError::Unsettled(report.sweeps));
        }
        report.sweeps += 1;
        let mut found = 0;
        for table in SealedTable::ALL {
            let (stale, written) = walk(store, &keyring, random, table, None, batch).await?;
            found += stale;
            report.resealed += written;
        }
        if found == 0 {
            break;
        }
    }
    store.finish_key_rotation(key_id, clock.now()).await?;
    Ok(report)
}
