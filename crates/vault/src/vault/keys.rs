use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::VaultError;

/// Source of random bytes for nonces and key generation.
///
/// Injected rather than global so tests can make ciphertexts reproducible.
/// Any `FnMut(&mut [u8])` closure is a source that never fails.
pub trait NonceSource {
    /// Fills `buf` entirely with random bytes.
    ///
    /// # Errors
    /// [`VaultError::Random`] if no randomness is available; callers must not
    /// fall back to a predictable nonce.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError>;
}

impl<F: FnMut(&mut [u8])> NonceSource for F {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        self(buf);
        Ok(())
    }
}

/// The operating system's CSPRNG, for production use.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl NonceSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        getrandom::fill(buf).map_err(|_| VaultError::Random)
    }
}

/// Identifies an encryption key inside ciphertexts and the key file.
///
/// Restricted to `[a-z0-9_-]{1,16}` so it fits the one-byte length prefix and
/// can sit unquoted in the key file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Longest accepted key id, in bytes.
    pub const MAX_LEN: usize = 16;

    /// Validates and wraps a key id.
    ///
    /// # Errors
    /// [`VaultError::InvalidKeyId`] if `id` is empty, too long, or uses other characters.
    pub fn new(id: &str) -> Result<Self, VaultError> {
        if is_valid_key_id(id.as_bytes()) { Ok(Self(id.to_owned())) } else { Err(VaultError::InvalidKeyId) }
    }

    /// The key id text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shared by [`KeyId::new`] and the ciphertext parser so stored ids obey the same rule.
pub(crate) fn is_valid_key_id(id: &[u8]) -> bool {
    (1..=KeyId::MAX_LEN).contains(&id.len())
        && id.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

/// Both key kinds are 32 raw bytes; distinct types stop a blind-index key
/// from ever being used to encrypt, or the reverse.
macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps raw key bytes.
            #[must_use]
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// Parses standard base64 (surrounding whitespace ignored).
            ///
            /// # Errors
            /// [`VaultError::InvalidKey`] unless the text decodes to exactly 32 bytes.
            pub fn from_base64(text: &str) -> Result<Self, VaultError> {
                let bytes = STANDARD
                    .decode(text.trim())
                    .map_err(|_| VaultError::InvalidKey)?;
                <[u8; 32]>::try_from(bytes.as_slice())
                    .map(Self)
                    .map_err(|_| VaultError::InvalidKey)
            }

            /// Standard base64 of the key, for writing the key file.
            #[must_use]
            pub fn to_base64(&self) -> String {
                STANDARD.encode(self.0)
            }

            /// Draws a fresh key from `rng`.
            ///
            /// # Errors
            /// Propagates a failure of the random source.
            pub fn generate(rng: &mut impl NonceSource) -> Result<Self, VaultError> {
                let mut bytes = [0u8; 32];
                rng.fill(&mut bytes)?;
                Ok(Self(bytes))
            }

            pub(crate) const fn bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    };
}

secret_key!(
    /// 256-bit XChaCha20-Poly1305 key. `Debug` never shows the bytes.
    EncryptionKey
);

secret_key!(
    /// 256-bit HMAC-SHA256 key for blind indexes. `Debug` never shows the bytes.
    BlindIndexKey
);
