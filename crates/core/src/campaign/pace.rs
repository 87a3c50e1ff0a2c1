//! The sender's pace: at most the configured number of campaign messages handed to the
//! provider in each second of the clock. Rounds may follow each other back to back
//! while the second still has allowance (a slow round, or one whose messages were mostly
//! held or ended, does not cost the rest of the second); once the allowance is spent the
//! sender waits for the next second.

use crate::time::Timestamp;

const SECOND_MILLIS: i64 = 1_000;

/// What one sender has handed to the provider in the current second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendBudget {
    /// The second (milliseconds since the epoch ÷ 1,000) `spent` counts in.
    second: i64,
    /// Messages handed over in it.
    spent: u32,
}

impl SendBudget {
    /// Nothing spent yet.
    pub const fn new() -> SendBudget {
        SendBudget { second: i64::MIN, spent: 0 }
    }

    /// How many more messages may go out in the second `now` falls in, at `rate` per second.
    pub fn allowance(&self, rate: u32, now: Timestamp) -> u32 {
        if second_of(now) == self.second { rate.saturating_sub(self.spent) } else { rate }
    }

    /// Records `count` messages handed over in the second `now` falls in (a new second
    /// starts from nothing; so does a clock set back, which only ever gives more time).
    pub fn spend(&mut self, now: Timestamp, count: u32) {
        let second = second_of(now);
        if second != self.second {
            self.second = second;
            self.spent = 0;
        }
        self.spent = self.spent.saturating_add(count);
    }

    /// How long (ms) to wait at `now` before the next round: none while the second has
    /// allowance left, else until the next second begins.
    pub fn wait_millis(&self, rate: u32, now: Timestamp) -> i64 {
        if self.allowance(rate, now) > 0 { 0 } else { until_next_second(now) }
    }
}

/// Milliseconds from `now` to the start of the next second (1 to 1,000).
pub fn until_next_second(now: Timestamp) -> i64 {
    SECOND_MILLIS - now.millis().rem_euclid(SECOND_MILLIS)
}

fn second_of(at: Timestamp) -> i64 {
    at.millis().div_euclid(SECOND_MILLIS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_second_allows_the_rate_and_no_more() {
        let mut budget = SendBudget::new();
        let start = Timestamp(1_796_054_400_250);
        assert_eq!(budget.allowance(200, start), 200);
        assert_eq!(budget.wait_millis(200, start), 0);
        budget.spend(start, 150);
        assert_eq!(budget.allowance(200, Timestamp(start.millis() + 700)), 50, "the same second");
        budget.spend(start, 50);
        assert_eq!(budget.allowance(200, start), 0);
        assert_eq!(budget.wait_millis(200, start), 750, "until the next second");
        let next = Timestamp(start.millis() + 750);
        assert_eq!((budget.allowance(200, next), budget.wait_millis(200, next)), (200, 0));
        // A round that overran its second leaves the next second's allowance whole.
        assert_eq!(budget.allowance(200, Timestamp(start.millis() + 5_000)), 200);
    }

    #[test]
    fn waiting_ends_at_the_next_second() {
        assert_eq!(until_next_second(Timestamp(5_000)), 1_000);
        assert_eq!(until_next_second(Timestamp(5_999)), 1);
        assert_eq!(until_next_second(Timestamp(-1)), 1);
    }

    proptest! {
        /// Whatever rounds ask for, what is spent in any one second never exceeds the rate
        /// when each round spends at most its allowance.
        #[test]
        fn no_second_exceeds_the_rate(
            rate in 1u32..500,
            rounds in proptest::collection::vec((0i64..400, 0u32..600), 1..60),
        ) {
            let mut budget = SendBudget::new();
            let mut now = 1_796_054_400_000i64;
            let mut per_second = std::collections::BTreeMap::<i64, u32>::new();
            for (advance, wanted) in rounds {
                now += advance;
                let at = Timestamp(now);
                let spent = wanted.min(budget.allowance(rate, at));
                budget.spend(at, spent);
                *per_second.entry(now.div_euclid(1_000)).or_default() += spent;
            }
            prop_assert!(per_second.values().all(|&n| n <= rate));
        }
    }
}
