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

/// Nonces from shared [`Randomness`] drawn [`BufferedNonces::CHUNK`] bytes at a time: one
/// call to the generator (a system call for the operating system's) for a hundred and
/// seventy seals instead of one each, where a bulk import seals two values a row. Every
/// byte is handed out once.
pub struct BufferedNonces<'a> {
    source: &'a dyn Randomness,
    buffer: Box<[u8; BufferedNonces::CHUNK]>,
    /// The first byte not handed out yet (`CHUNK` when none are left).
    next: usize,
}

impl<'a> BufferedNonces<'a> {
    /// How many random bytes are drawn at once.
    pub const CHUNK: usize = 4096;

    /// An empty buffer over `source`: nothing is drawn until a nonce is asked for.
    pub fn new(source: &'a dyn Randomness) -> Self {
        BufferedNonces { source, buffer: Box::new([0; Self::CHUNK]), next: Self::CHUNK }
    }
}

impl NonceSource for BufferedNonces<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        if buf.len() > Self::CHUNK {
            return self.source.fill(buf);
        }
        if Self::CHUNK - self.next < buf.len() {
            // What is left is too short: dropped, never handed out in part.
            self.source.fill(&mut self.buffer[..])?;
            self.next = 0;
        }
        let end = self.next + buf.len();
        buf.copy_from_slice(&self.buffer[self.next..end]);
        self.next = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Counts the bytes asked of it and numbers them, so a byte handed out twice shows.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        bytes: AtomicUsize,
    }

    impl Randomness for Counting {
        fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            for b in buf.iter_mut() {
                let n = self.bytes.fetch_add(1, Ordering::Relaxed);
                // Truncated on purpose: the byte's position modulo 256 is enough to see reuse.
                #[allow(clippy::cast_possible_truncation)]
                {
                    *b = n as u8;
                }
            }
            Ok(())
        }
    }

    #[test]
    fn buffered_nonces_draw_once_for_many_and_never_repeat_a_byte() {
        let source = Counting::default();
        let mut nonces = BufferedNonces::new(&source);
        let mut seen = Vec::new();
        for _ in 0..170 {
            let mut nonce = [0u8; 24];
            nonces.fill(&mut nonce).unwrap();
            seen.extend_from_slice(&nonce);
        }
        assert_eq!(source.calls.load(Ordering::Relaxed), 1, "170 nonces of 24 bytes fit one draw");
        // Bytes handed out in the order drawn, each once.
        assert!(seen.iter().enumerate().all(|(i, &b)| usize::from(b) == i % 256));
        let mut nonce = [0u8; 24];
        nonces.fill(&mut nonce).unwrap();
        assert_eq!(source.calls.load(Ordering::Relaxed), 2, "the 16 bytes left are dropped, a new draw made");
        assert_eq!(nonce[0], 0, "the new draw starts at byte 4096 (0 modulo 256)");
        let mut big = vec![0u8; 5000];
        nonces.fill(&mut big).unwrap();
        assert_eq!(
            source.calls.load(Ordering::Relaxed),
            3,
            "a request beyond the buffer goes straight through"
        );
    }

    #[test]
    fn buffered_nonces_pass_a_failing_source_on() {
        #[derive(Debug)]
        struct Broken;
        impl Randomness for Broken {
            fn fill(&self, _: &mut [u8]) -> Result<(), VaultError> {
                Err(VaultError::Random)
            }
        }
        let mut nonces = BufferedNonces::new(&Broken);
        assert!(matches!(nonces.fill(&mut [0u8; 24]), Err(VaultError::Random)));
    }
}
