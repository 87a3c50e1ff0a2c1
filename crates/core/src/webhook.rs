//! Webhooks to platforms: what events there are, where a delivery stands, and when a
//! failed delivery is retried (exponential backoff with a cap, then give up).

use crate::labelled::coded_enum;

coded_enum!(
    /// What a webhook event reports; the code is also its `x-huiji-event` header.
    WebhookKind {
        /// A platform's application was approved or rejected.
        ApplicationDecided = "application.decided",
        /// A membership from a platform's application moved union (distributed or
        /// transferred).
        MembershipTransferred = "membership.transferred",
    }
);

coded_enum!(
    /// Where an event's delivery stands.
    DeliveryState {
        /// Not delivered yet; another attempt is due.
        Pending = "pending",
        /// The platform answered 2xx.
        Delivered = "delivered",
        /// Given up after [`MAX_ATTEMPTS`].
        Failed = "failed",
    }
);

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
    fn kinds_and_states_keep_the_stored_codes() {
        let kinds: Vec<_> = WebhookKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(kinds, ["application.decided", "membership.transferred"], "webhook_events_kind_check");
        let states: Vec<_> = DeliveryState::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(states, ["pending", "delivered", "failed"], "webhook_events_delivery_check");
        for kind in WebhookKind::ALL {
            assert_eq!(kind.code().parse(), Ok(*kind));
        }
        for state in DeliveryState::ALL {
            assert_eq!(state.code().parse(), Ok(*state));
        }
        assert!("membership.moved".parse::<WebhookKind>().is_err());
    }

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
