//! Encryption at rest for huiji member identifiers.
//!
//! See [`vault`] for the ciphertext and key file formats.
//!
//! ```
//! use huiji_vault::{Field, KeyFile, Keyring, OsRandom};
//!
//! # fn main() -> Result<(), huiji_vault::VaultError> {
//! let keyring = Keyring::from_key_file_text(&KeyFile::generate(&mut OsRandom)?)?;
//! let stored = keyring.encrypt(Field::Mobile, "13800138000", &mut OsRandom)?;
//! let lookup = keyring.blind_index(Field::Mobile, "13800138000").to_hex();
//! assert_eq!(keyring.decrypt(Field::Mobile, &stored)?, "13800138000");
//! assert_eq!(lookup.len(), 64);
//! # Ok(())
//! # }
//! ```

pub mod vault;

pub use vault::{
    BlindIndex, BlindIndexKey, BlindIndexer, EncryptionKey, Field, KeyFile, KeyId, Keyring, NonceSource,
    OsRandom, Purpose, VaultError, constant_time_eq, hex, sha256_hex, webhook_signature,
};
