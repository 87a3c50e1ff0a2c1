//! When webhook deliveries are retried: exponential backoff with a cap, then give up.

/// Attempts before an event is marked failed: with the delays below, about a day of
/// trying, long enough to outlast a receiver's overnight outage.
pub const MAX_ATTEMPTS: u32 = 15;

/// The first retry waits this long.
const FIRST_DELAY_MILLIS: i64 = 10_000;

/// No wait is longer than this.
const MAX_DELAY_MILLIS: i64 = 6 * 3_600_000;

/// How long to wait after failed attempt number `attempt` (1 for the first), or `None`
/// when that was the last one.
pub fn retry_delay_millis(attempt: u32) -> Option<i64> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = attempt.saturating_sub(1).min(20);
    Some((FIRST_DELAY_MILLIS << doublings).min(MAX_DELAY_MILLIS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_then_stop() {
        assert_eq!(retry_delay_millis(1), Some(10_000));
        assert_eq!(retry_delay_millis(2), Some(20_000));
        assert_eq!(retry_delay_millis(3), Some(40_000));
        assert_eq!(retry_delay_millis(12), Some(20_480_000));
        assert_eq!(retry_delay_millis(13), Some(MAX_DELAY_MILLIS));
        assert_eq!(retry_delay_millis(MAX_ATTEMPTS), None);
        let total: i64 = (1..MAX_ATTEMPTS).filter_map(retry_delay_millis).sum();
        assert!(total > 23 * 3_600_000, "{total}");
    }
}
