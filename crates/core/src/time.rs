//! Time as the domain sees it: a value passed in, never read from a clock here, so tests
//! decide what "now" is.

use crate::civil_date::CivilDate;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// China Standard Time is UTC+8 all year (no daylight saving).
const CHINA_OFFSET_SECONDS: i64 = 8 * 3600;

impl Timestamp {
    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// The calendar date in China at this instant: what "today", a deadline or "member
    /// since" mean to the people using the system.
    pub fn china_date(self) -> CivilDate {
        let seconds = self.0.div_euclid(1000) + CHINA_OFFSET_SECONDS;
        CivilDate::from_unix_seconds(seconds).unwrap_or(CivilDate::EPOCH)
    }

    /// This instant plus whole days.
    pub const fn plus_days(self, days: i64) -> Timestamp {
        Timestamp(self.0 + days * 86_400_000)
    }
}

/// A source of the current time. The binary uses the system clock; tests use a fixed or
/// stepping one.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn china_dates_are_utc_plus_eight() {
        // 2026-11-30 16:00 UTC is already 2026-12-01 in China.
        let late = Timestamp(1_796_054_400_000);
        assert_eq!(late.china_date(), CivilDate::new(2026, 12, 1).unwrap());
        assert_eq!(Timestamp(1_796_054_400_000 - 1).china_date(), CivilDate::new(2026, 11, 30).unwrap());
        assert_eq!(Timestamp(0).plus_days(2), Timestamp(172_800_000));
    }
}
