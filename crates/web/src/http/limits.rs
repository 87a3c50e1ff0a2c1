//! Keyed rate limiters over [`huiji_core::rate_limit`]: one bucket per API key, client
//! address, mobile or ID blind index.
//!
//! Buckets live in this process's memory. With several instances behind a balancer each
//! enforces its own share, which is what a limit against abuse needs; nothing about a
//! member depends on them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use huiji_core::Timestamp;
use huiji_core::rate_limit::{Rate, RetryAfter, TokenBucket};

/// Above this many tracked callers, full buckets are forgotten before a new one is added,
/// so a flood of distinct addresses cannot grow memory without bound.
const PRUNE_ABOVE: usize = 100_000;

/// Token buckets for many callers at one rate.
#[derive(Debug)]
pub struct Limiter<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limiter allowing `rate` to each key.
    pub fn new(rate: Rate) -> Limiter<K> {
        Limiter { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// The rate each key gets.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Spends one token of `key`'s bucket, or says when to come back.
    pub fn check(&self, key: &K, now: Timestamp) -> Result<(), RetryAfter> {
        // A panic elsewhere while holding the lock leaves the map usable: buckets are
        // plain numbers, never half-updated.
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            return bucket.take(self.rate, now);
        }
        if buckets.len() >= PRUNE_ABOVE {
            let rate = self.rate;
            buckets.retain(|_, bucket| !bucket.is_full(rate, now));
        }
        let mut bucket = TokenBucket::full(self.rate, now);
        let taken = bucket.take(self.rate, now);
        buckets.insert(key.clone(), bucket);
        taken
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_key_has_its_own_bucket() {
        let limiter = Limiter::new(Rate::per_minute(1, 2));
        let now = Timestamp(0);
        assert!(limiter.check(&"a", now).is_ok());
        assert!(limiter.check(&"a", now).is_ok());
        assert_eq!(limiter.check(&"a", now).unwrap_err().seconds(), 60);
        assert!(limiter.check(&"b", now).is_ok());
        assert!(limiter.check(&"a", Timestamp(60_000)).is_ok());
    }
}
