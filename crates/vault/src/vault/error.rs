use core::fmt;

/// Everything that can go wrong in the vault.
///
/// Variants never carry key material or plaintext, so errors are safe to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultError {
    /// The ciphertext does not follow the documented layout.
    Malformed,
    /// The ciphertext names a key that is not in the keyring (rotation went
    /// too far, or the wrong key file is loaded).
    UnknownKeyId(String),
    /// The AEAD tag did not verify: wrong key, wrong field, or tampering.
    AuthenticationFailed,
    /// A key id does not match `[a-z0-9_-]{1,16}`.
    InvalidKeyId,
    /// Key text is not base64 of exactly 32 bytes.
    InvalidKey,
    /// The key file could not be used; the message says which line or entry.
    KeyFile(String),
    /// The operating system's random source failed.
    Random,
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed ciphertext"),
            Self::UnknownKeyId(id) => write!(f, "ciphertext uses unknown key id {id:?}"),
            Self::AuthenticationFailed => f.write_str("ciphertext failed authentication"),
            Self::InvalidKeyId => f.write_str("key id must match [a-z0-9_-]{1,16}"),
            Self::InvalidKey => f.write_str("key must be base64 encoding of exactly 32 bytes"),
            Self::KeyFile(msg) => write!(f, "key file: {msg}"),
            Self::Random => f.write_str("operating system random source failed"),
        }
    }
}

impl std::error::Error for VaultError {}
