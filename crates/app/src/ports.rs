//! The ports to the outside that every use case may need, passed in so tests decide what
//! "now" and "random" are: the clock and the random source. (The keyring, the SMS sender
//! and the real-name check are ports too: [`crate::keys`], [`crate::sms`],
//! [`crate::real_name`].)

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use huiji_core::Timestamp;
use huiji_vault::{NonceSource, OsRandom, VaultError};

/// A source of the current time. The binary uses the system clock; tests use a fixed or
/// stepping one.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp(millis)
    }
}

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
pub struct Nonces<'a>(pub &'a dyn Randomness);

impl NonceSource for Nonces<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        self.0.fill(buf)
    }
}
