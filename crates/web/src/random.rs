//! Randomness as a value passed in, so tests decide what "random" is.

use std::fmt;

use huiji_vault::{NonceSource, OsRandom, VaultError};

/// A source of random bytes shared by all requests.
pub trait Randomness: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError>;

    /// A random `u32`.
    fn next_u32(&self) -> Result<u32, VaultError> {
        let mut bytes = [0u8; 4];
        self.fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }
}

/// The operating system's generator.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError> {
        OsRandom.fill(buf)
    }
}

/// Adapts shared [`Randomness`] to the vault's `&mut` nonce source.
pub(crate) struct Nonces<'a>(pub &'a dyn Randomness);

impl NonceSource for Nonces<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        self.0.fill(buf)
    }
}
