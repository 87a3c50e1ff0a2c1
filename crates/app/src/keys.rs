//! The keys in force, replaceable while the server runs: a key rotation (`huiji keys
//! rotate`) writes a new current key into the key file, and every server picks it up —
//! within [`RELOAD_EVERY`] by the reload job, or at once when it meets a ciphertext under
//! a key id it does not know yet — without a restart. Old keys stay in the file, so rows
//! not yet re-encrypted stay readable.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use huiji_store::Sealed;
use huiji_vault::{BlindIndex, BlindIndexer, Field, Keyring, NonceSource, VaultError};

/// How often a server re-reads its key file.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// The keyring in force and where it came from.
#[derive(Debug)]
pub struct Keys {
    current: RwLock<Arc<Keyring>>,
    /// The key file and the text last read from it.
    file: Mutex<Option<(PathBuf, String)>>,
}

impl Keys {
    /// Fixed keys (tests, or a server that never reloads).
    pub fn new(keyring: Keyring) -> Keys {
        Keys { current: RwLock::new(Arc::new(keyring)), file: Mutex::new(None) }
    }

    /// The keyring now. Each operation takes it once, so it sees one consistent set.
    pub fn get(&self) -> Arc<Keyring> {
        self.current.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |k| k.clone())
    }

    /// Replaces the keyring (a rotation in this process).
    pub fn replace(&self, keyring: Keyring) {
        let mut current = self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *current = Arc::new(keyring);
    }

    /// Reloads from `path` from now on: reads it now, and again on [`Keys::reload`].
    pub fn watch(&self, path: PathBuf) -> Result<(), String> {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let keyring = Keyring::from_key_file_text(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        self.replace(keyring);
        *self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((path, text));
        Ok(())
    }

    /// Re-reads the watched key file; `Ok(true)` when it changed and was loaded. A file
    /// that cannot be read or parsed (half-written by an editor) leaves the keys in force.
    pub fn reload(&self) -> Result<bool, String> {
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some((path, last)) = file.as_mut() else { return Ok(false) };
        let text = std::fs::read_to_string(&*path).map_err(|e| format!("{}: {e}", path.display()))?;
        if text == *last {
            return Ok(false);
        }
        let keyring = Keyring::from_key_file_text(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if keyring.blind.to_base64() != self.get().blind.to_base64() {
            // The blind-index key never changes: a different one would orphan every
            // stored index and card. Refuse it rather than break lookups.
            return Err(format!(
                "{}: the blind-index key differs; keeping the keys in force",
                path.display()
            ));
        }
        self.replace(keyring);
        *last = text;
        Ok(true)
    }

    /// Encrypts under the current key.
    pub fn encrypt(
        &self,
        field: Field,
        plaintext: &str,
        nonces: &mut impl NonceSource,
    ) -> Result<Vec<u8>, VaultError> {
        self.get().encrypt(field, plaintext, nonces)
    }

    /// Decrypts; a ciphertext under a key id this process does not know yet makes it
    /// re-read the key file once (another process rotated the keys) and try again.
    pub fn decrypt(&self, field: Field, ciphertext: &[u8]) -> Result<String, VaultError> {
        match self.get().decrypt(field, ciphertext) {
            Err(VaultError::UnknownKeyId(id)) => {
                if let Err(error) = self.reload() {
                    tracing::warn!(%error, "key file not reloaded");
                }
                self.get().decrypt(field, ciphertext).map_err(|e| match e {
                    VaultError::UnknownKeyId(_) => VaultError::UnknownKeyId(id),
                    other => other,
                })
            }
            other => other,
        }
    }

    /// Encrypts a normalised value and computes its blind index, for storing.
    pub fn seal(
        &self,
        field: Field,
        value: &str,
        nonces: &mut impl NonceSource,
    ) -> Result<Sealed, VaultError> {
        Ok(Sealed {
            ciphertext: self.encrypt(field, value, nonces)?,
            blind_index: self.blind_index(field, value).to_hex(),
        })
    }

    /// Seals many values with the keyring in force now (a roster import's batch): one
    /// read of the keys, and each field's blind-index HMAC keyed once.
    pub fn sealer(&self) -> Sealer {
        let keyring = self.get();
        Sealer {
            id_number: keyring.blind_indexer(Field::IdNumber),
            mobile: keyring.blind_indexer(Field::Mobile),
            webhook_secret: keyring.blind_indexer(Field::WebhookSecret),
            keyring,
        }
    }

    /// The blind index of a normalised value.
    pub fn blind_index(&self, field: Field, normalised: &str) -> BlindIndex {
        self.get().blind_index(field, normalised)
    }

    /// A card (or notice) signature.
    pub fn card_signature(&self, payload: &str) -> BlindIndex {
        self.get().card_signature(payload)
    }

    /// Checks a card (or notice) signature.
    pub fn verify_card_signature(&self, payload: &str, signature_hex: &str) -> bool {
        self.get().verify_card_signature(payload, signature_hex)
    }

    /// `{id}.{expires_ms}.{signature}`: a short-lived token standing for a record (a
    /// membership) after its owner proved who they are; `purpose` keeps one kind of token
    /// from passing as another.
    pub fn expiring_token(&self, purpose: &str, id: i64, expires_ms: i64) -> String {
        let signature = self.card_signature(&format!("{purpose}:{id}:{expires_ms}")).to_hex();
        format!("{id}.{expires_ms}.{signature}")
    }

    /// The id a genuine [`Keys::expiring_token`] of this purpose stands for, if it has
    /// not expired at `now_ms`.
    pub fn verify_expiring_token(&self, purpose: &str, token: &str, now_ms: i64) -> Option<i64> {
        let mut parts = token.splitn(3, '.');
        let id: i64 = parts.next()?.parse().ok()?;
        let expires: i64 = parts.next()?.parse().ok()?;
        let genuine = self.verify_card_signature(&format!("{purpose}:{id}:{expires}"), parts.next()?);
        (genuine && now_ms <= expires).then_some(id)
    }
}

/// [`Keys::seal`] for many values under one keyring ([`Keys::sealer`]); the same
/// ciphertexts' layout and the same blind indexes.
#[derive(Debug)]
pub struct Sealer {
    keyring: Arc<Keyring>,
    id_number: BlindIndexer,
    mobile: BlindIndexer,
    webhook_secret: BlindIndexer,
}

impl Sealer {
    /// Encrypts a normalised value and computes its blind index, for storing.
    pub fn seal(
        &self,
        field: Field,
        value: &str,
        nonces: &mut impl NonceSource,
    ) -> Result<Sealed, VaultError> {
        let indexer = match field {
            Field::IdNumber => &self.id_number,
            Field::Mobile => &self.mobile,
            Field::WebhookSecret => &self.webhook_secret,
        };
        Ok(Sealed {
            ciphertext: self.keyring.encrypt(field, value, nonces)?,
            blind_index: indexer.index(value).to_hex(),
        })
    }
}
