//! Token buckets: the one rule behind every rate limit (platform API keys, public join,
//! SMS-code and status endpoints). Time is passed in, so the rule is tested without
//! sleeping.

use crate::time::Timestamp;

/// How fast a bucket refills and how much burst it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Tokens a full bucket holds: the burst a caller may spend at once.
    pub burst: u32,
    /// Milliseconds to earn one token back.
    pub millis_per_token: u32,
}

impl Rate {
    /// `per_minute` requests a minute, with bursts up to `burst`.
    pub const fn per_minute(per_minute: u32, burst: u32) -> Rate {
        let per_minute = if per_minute == 0 { 1 } else { per_minute };
        Rate { burst, millis_per_token: 60_000 / per_minute }
    }

    /// `per_second` requests a second, with bursts up to `burst`.
    pub const fn per_second(per_second: u32, burst: u32) -> Rate {
        let per_second = if per_second == 0 { 1 } else { per_second };
        Rate { burst, millis_per_token: 1_000 / per_second }
    }
}

/// One caller's bucket. Tokens are counted in milli-tokens so slow rates refill smoothly
/// without floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    milli_tokens: u64,
    updated: Timestamp,
}

/// A refused request: when to try again, for a `Retry-After` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    /// Milliseconds until one token is back.
    pub millis: u64,
}

impl RetryAfter {
    /// Whole seconds, rounded up, never zero (what `Retry-After` carries).
    pub fn seconds(self) -> u64 {
        self.millis.div_ceil(1000).max(1)
    }
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(rate: Rate, now: Timestamp) -> TokenBucket {
        TokenBucket { milli_tokens: u64::from(rate.burst) * 1000, updated: now }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, rate: Rate, now: Timestamp) -> Result<(), RetryAfter> {
        self.refill(rate, now);
        if self.milli_tokens >= 1000 {
            self.milli_tokens -= 1000;
            Ok(())
        } else {
            let missing = 1000 - self.milli_tokens;
            let per_milli = u64::from(rate.millis_per_token.max(1));
            Err(RetryAfter { millis: (missing * per_milli).div_ceil(1000) })
        }
    }

    /// Whether the bucket is full again at `now`: a full bucket carries no state and can
    /// be forgotten.
    pub fn is_full(&self, rate: Rate, now: Timestamp) -> bool {
        let mut copy = *self;
        copy.refill(rate, now);
        copy.milli_tokens >= u64::from(rate.burst) * 1000
    }

    fn refill(&mut self, rate: Rate, now: Timestamp) {
        // A clock that steps back must not mint tokens, nor panic.
        let elapsed = u64::try_from(now.0 - self.updated.0).unwrap_or(0);
        let earned = elapsed * 1000 / u64::from(rate.millis_per_token.max(1));
        self.milli_tokens = (self.milli_tokens + earned).min(u64::from(rate.burst) * 1000);
        if now.0 > self.updated.0 {
            self.updated = now;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const T0: Timestamp = Timestamp(1_000_000);

    #[test]
    fn a_full_bucket_allows_its_burst_then_refuses() {
        let rate = Rate::per_second(10, 3);
        let mut bucket = TokenBucket::full(rate, T0);
        for _ in 0..3 {
            assert!(bucket.take(rate, T0).is_ok());
        }
        let refused = bucket.take(rate, T0).unwrap_err();
        assert_eq!(refused.millis, 100);
        assert_eq!(refused.seconds(), 1);
    }

    #[test]
    fn tokens_come_back_at_the_rate() {
        let rate = Rate::per_minute(6, 1);
        let mut bucket = TokenBucket::full(rate, T0);
        bucket.take(rate, T0).unwrap();
        assert_eq!(bucket.take(rate, Timestamp(T0.0 + 4_000)).unwrap_err().millis, 6_000);
        assert!(bucket.take(rate, Timestamp(T0.0 + 10_000)).is_ok());
        assert!(!bucket.is_full(rate, Timestamp(T0.0 + 10_000)));
        assert!(bucket.is_full(rate, Timestamp(T0.0 + 20_000)));
    }

    #[test]
    fn refill_never_exceeds_the_burst_and_a_backwards_clock_mints_nothing() {
        let rate = Rate::per_second(1, 2);
        let mut bucket = TokenBucket::full(rate, T0);
        assert!(bucket.take(rate, Timestamp(T0.0 + 3_600_000)).is_ok());
        assert!(bucket.take(rate, Timestamp(T0.0 + 3_600_000)).is_ok());
        assert!(bucket.take(rate, Timestamp(T0.0 + 3_600_000)).is_err());
        assert!(bucket.take(rate, Timestamp(T0.0)).is_err());
    }
}
