//! Field-level encryption with a blind index for member ID numbers and mobiles.
//!
//! Values are encrypted with XChaCha20-Poly1305: its 24-byte nonce is large
//! enough that random nonces never realistically collide, so no nonce counter
//! has to be stored or coordinated.
//!
//! # Ciphertext layout (version 1)
//!
//! | bytes        | content                                        |
//! |--------------|------------------------------------------------|
//! | 1            | version, always `1`                            |
//! | 1            | key id length `n` (1..=16)                     |
//! | `n`          | key id, ASCII `[a-z0-9_-]`                     |
//! | 24           | random nonce                                   |
//! | rest (≥ 16)  | AEAD ciphertext followed by the 16-byte tag    |
//!
//! Associated data is `field tag || 0x00 || version || n || key id`, so a
//! value cannot be moved to another column and the header cannot be edited.
//!
//! Key ids travel in the clear so a reader can pick the right key during
//! rotation; the blind index uses a separate key so equality lookups never
//! need the encryption keys.

mod aead;
mod error;
mod keyfile;
mod keyring;
mod keys;
mod signing;

pub use error::VaultError;
pub use keyfile::KeyFile;
pub use keyring::{BlindIndex, BlindIndexer, Field, Keyring, Purpose, constant_time_eq};
pub use keys::{BlindIndexKey, EncryptionKey, KeyId, NonceSource, OsRandom};
pub use signing::{hex, sha256_hex, webhook_signature};
