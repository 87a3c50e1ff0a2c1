//! Keyed rate limiters over [`huiji_core::rate_limit`]: one bucket per API key, client
//! address, mobile or ID blind index.
//!
//! Buckets live in this process's memory, unless `redis_url` is configured: then every
//! instance spends from one bucket per caller in Redis ([`huiji_app::limits`]), and this
//! process's buckets are the fallback while Redis does not answer. Without Redis, each
//! instance behind a balancer enforces its own share; nothing about a member depends on
//! them.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::sync::Mutex;

use huiji_app::App;
use huiji_app::limits::SharedTake;
use huiji_core::Timestamp;
use huiji_core::rate_limit::{Rate, RetryAfter, TokenBucket};

/// Above this many tracked callers, full buckets are forgotten before a new one is added,
/// so a flood of distinct addresses cannot grow memory without bound.
const PRUNE_ABOVE: usize = 100_000;

/// Token buckets for many callers at one rate.
#[derive(Debug)]
pub struct Limiter<K> {
    /// Names its buckets in Redis (`api`, `ip`, `mobile`, `id`).
    name: &'static str,
    rate: Rate,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

impl<K: Hash + Eq + Clone + Display> Limiter<K> {
    /// A limiter allowing `rate` to each key; `name` tells its buckets from other
    /// limiters' where they are shared.
    pub fn new(name: &'static str, rate: Rate) -> Limiter<K> {
        Limiter { name, rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Spends one token of `key`'s bucket — the one shared through Redis when the app
    /// has it and it answers, else this process's — or says when to come back.
    pub async fn take(&self, app: &App, key: &K) -> Result<(), RetryAfter> {
        if let Some(shared) = app.shared_limits() {
            match shared.take(&format!("{}:{key}", self.name), self.rate).await {
                SharedTake::Allowed => return Ok(()),
                SharedTake::Refused(retry) => return Err(retry),
                SharedTake::Unavailable => {}
            }
        }
        self.check(key, app.now())
    }

    /// The rate each key gets.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Spends one token of `key`'s bucket in this process, or says when to come back.
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
        let limiter = Limiter::new("test", Rate::per_minute(1, 2));
        let now = Timestamp(0);
        assert!(limiter.check(&"a", now).is_ok());
        assert!(limiter.check(&"a", now).is_ok());
        assert_eq!(limiter.check(&"a", now).unwrap_err().seconds(), 60);
        assert!(limiter.check(&"b", now).is_ok());
        assert!(limiter.check(&"a", Timestamp(60_000)).is_ok());
    }
}
