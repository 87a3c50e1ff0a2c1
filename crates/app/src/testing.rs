//! Test doubles for the ports, shared by every crate's tests: a clock tests move,
//! repeatable randomness and fixed keys.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use huiji_core::Timestamp;
use huiji_vault::{KeyFile, Keyring, VaultError};

use crate::ports::{Clock, Randomness};

/// A clock tests can move.
#[derive(Debug)]
pub struct TestClock(pub AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// Deterministic, never-repeating bytes (splitmix64).
#[derive(Debug, Default)]
pub struct TestRandom(AtomicU64);

impl TestRandom {
    /// A sequence of its own for each `name` (FNV-1a of it as the seed).
    ///
    /// Apps under test run side by side in one process and share the machine's temporary
    /// directory (a roster upload is staged there under a random name): each app draws
    /// from its own sequence, named after its own database, so their names never meet.
    pub fn seeded_by(name: &str) -> TestRandom {
        let seed = name.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
        });
        TestRandom(AtomicU64::new(seed))
    }
}

impl Randomness for TestRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError> {
        for chunk in buf.chunks_mut(8) {
            let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::SeqCst);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// Fixed keys, so tests are repeatable.
#[allow(clippy::expect_used)]
pub fn test_keyring() -> Keyring {
    let mut n = 0u8;
    let text = KeyFile::generate(&mut |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_add(37);
            *b = n;
        }
    })
    .expect("a key file from fixed bytes");
    Keyring::from_key_file_text(&text).expect("the key file just generated")
}
