//! When a campaign message may go out: not in quiet hours (China time), and not to a
//! mobile that already had its share of campaign messages in the cap's window.

use std::fmt;

use crate::time::{DAY_MILLIS, Timestamp};

const MINUTES_PER_DAY: u16 = 24 * 60;
const MILLIS_PER_MINUTE: i64 = 60_000;
const CHINA_OFFSET_MILLIS: i64 = 8 * 3_600_000;

/// A daily window, in China time, when no campaign message is sent; messages wait for
/// its end. It may wrap midnight (21:00–08:00); equal ends mean no quiet hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    start: u16,
    end: u16,
}

impl QuietHours {
    /// 21:00–08:00: marketing SMS only go out in the day.
    pub const DEFAULT: QuietHours = QuietHours { start: 21 * 60, end: 8 * 60 };

    /// From minutes after midnight; `None` past 23:59.
    pub const fn new(start_minute: u16, end_minute: u16) -> Option<QuietHours> {
        if start_minute < MINUTES_PER_DAY && end_minute < MINUTES_PER_DAY {
            Some(QuietHours { start: start_minute, end: end_minute })
        } else {
            None
        }
    }

    /// Reads `21:00-08:00` (also with `–` or `~`), as configuration writes it.
    pub fn parse(text: &str) -> Option<QuietHours> {
        let (start, end) = text.trim().split_once(['-', '–', '~'])?;
        QuietHours::new(minute_of_day(start)?, minute_of_day(end)?)
    }

    /// Whether `at` falls in the quiet window.
    pub fn is_quiet(&self, at: Timestamp) -> bool {
        let minute = china_minute_of_day(at);
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => (self.start..self.end).contains(&minute),
            std::cmp::Ordering::Greater => minute >= self.start || minute < self.end,
        }
    }

    /// `at` itself when sending is allowed then, else the end of the quiet window.
    pub fn next_allowed(&self, at: Timestamp) -> Timestamp {
        if !self.is_quiet(at) {
            return at;
        }
        let local = at.millis() + CHINA_OFFSET_MILLIS;
        let day_start = local - local.rem_euclid(DAY_MILLIS);
        let mut end = day_start + i64::from(self.end) * MILLIS_PER_MINUTE;
        if end <= local {
            end += DAY_MILLIS;
        }
        Timestamp(end - CHINA_OFFSET_MILLIS)
    }
}

impl Default for QuietHours {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

fn minute_of_day(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && text.trim().len() <= 5).then_some(h * 60 + m)
}

fn china_minute_of_day(at: Timestamp) -> u16 {
    let minute = (at.millis() + CHINA_OFFSET_MILLIS).rem_euclid(DAY_MILLIS) / MILLIS_PER_MINUTE;
    u16::try_from(minute).unwrap_or(0)
}

/// At most `max_messages` campaign messages to one mobile within any `window_days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrequencyCap {
    max_messages: u32,
    window_days: u32,
}

impl FrequencyCap {
    /// One message in 7 days.
    pub const DEFAULT: FrequencyCap = FrequencyCap { max_messages: 1, window_days: 7 };

    /// `None` for a cap of zero messages or a zero-day window (neither is a cap).
    pub const fn new(max_messages: u32, window_days: u32) -> Option<FrequencyCap> {
        if max_messages > 0 && window_days > 0 {
            Some(FrequencyCap { max_messages, window_days })
        } else {
            None
        }
    }

    /// Messages allowed per window.
    pub const fn max_messages(&self) -> u32 {
        self.max_messages
    }

    /// The window in days.
    pub const fn window_days(&self) -> u32 {
        self.window_days
    }

    /// Messages sent after this instant count against `now` (for the query that fetches
    /// a mobile's recent sends).
    pub const fn window_start(&self, now: Timestamp) -> Timestamp {
        Timestamp(now.millis() - self.window_millis())
    }

    /// The window in milliseconds (for the store, which applies the cap when queueing).
    pub const fn window_millis(&self) -> i64 {
        self.window_days as i64 * DAY_MILLIS
    }

    /// The first instant from `now` on when one more message is within the cap, given the
    /// times of the messages already sent to the mobile (any order; old ones ignored).
    pub fn next_allowed(&self, sent: &[Timestamp], now: Timestamp) -> Timestamp {
        let start = self.window_start(now);
        let mut recent: Vec<Timestamp> = sent.iter().copied().filter(|&t| t > start).collect();
        let excess = recent.len().saturating_sub(self.max_messages as usize - 1);
        if excess == 0 {
            return now;
        }
        recent.sort_unstable();
        // Once the `excess` oldest have left the window, one more fits.
        let leaving = recent[excess - 1];
        Timestamp(leaving.millis() + self.window_millis()).max(now)
    }

    /// Whether a message may go to the mobile at `now`.
    pub fn allows(&self, sent: &[Timestamp], now: Timestamp) -> bool {
        self.next_allowed(sent, now) == now
    }
}

impl Default for FrequencyCap {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// When a message to a mobile may go out at the earliest: after the cap allows it, and
/// out of quiet hours.
pub fn next_send_time(quiet: QuietHours, cap: FrequencyCap, sent: &[Timestamp], now: Timestamp) -> Timestamp {
    quiet.next_allowed(cap.next_allowed(sent, now))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    /// 2026-12-01 00:00 China time.
    const DEC_1: i64 = 1_796_054_400_000;
    const HOUR: i64 = 3_600_000;

    fn china(hour: i64, minute: i64) -> Timestamp {
        Timestamp(DEC_1 + hour * HOUR + minute * MILLIS_PER_MINUTE)
    }

    #[test]
    fn default_quiet_hours_are_nine_in_the_evening_to_eight_in_the_morning() {
        let quiet = QuietHours::DEFAULT;
        assert_eq!(quiet.to_string(), "21:00-08:00");
        assert!(!quiet.is_quiet(china(8, 0)));
        assert!(!quiet.is_quiet(china(20, 59)));
        assert!(quiet.is_quiet(china(21, 0)));
        assert!(quiet.is_quiet(china(7, 59)));
        assert_eq!(quiet.next_allowed(china(12, 0)), china(12, 0));
        assert_eq!(quiet.next_allowed(china(21, 30)), china(32, 0));
        assert_eq!(quiet.next_allowed(china(2, 0)), china(8, 0));
        assert_eq!(quiet.next_allowed(china(7, 59)), china(8, 0));
    }

    #[test]
    fn configured_windows_parse_and_behave() {
        let lunch = QuietHours::parse("12:00-13:30").unwrap();
        assert!(lunch.is_quiet(china(12, 45)));
        assert!(!lunch.is_quiet(china(13, 30)));
        assert_eq!(lunch.next_allowed(china(12, 0)), china(13, 30));
        let none = QuietHours::parse("00:00~00:00").unwrap();
        assert!(!none.is_quiet(china(3, 0)));
        assert_eq!(QuietHours::parse("22:00–07:00").unwrap().to_string(), "22:00-07:00");
        for bad in ["", "21:00", "24:00-08:00", "21:60-08:00", "9-8", "21:00-08:00:00"] {
            assert_eq!(QuietHours::parse(bad), None, "{bad}");
        }
        assert_eq!(QuietHours::new(1440, 0), None);
    }

    #[test]
    fn one_message_in_seven_days() {
        let cap = FrequencyCap::DEFAULT;
        let now = china(10, 0);
        assert!(cap.allows(&[], now));
        let sent = [Timestamp(now.millis() - 3 * DAY_MILLIS)];
        assert!(!cap.allows(&sent, now));
        assert_eq!(cap.next_allowed(&sent, now), Timestamp(now.millis() + 4 * DAY_MILLIS));
        let old = [Timestamp(now.millis() - 7 * DAY_MILLIS)];
        assert!(cap.allows(&old, now));
        assert_eq!(cap.window_start(now), old[0]);
    }

    #[test]
    fn larger_caps_wait_for_the_oldest_counted_message() {
        let cap = FrequencyCap::new(2, 30).unwrap();
        let now = china(10, 0);
        let day = |d: i64| Timestamp(now.millis() - d * DAY_MILLIS);
        assert!(cap.allows(&[day(5)], now));
        assert_eq!(
            cap.next_allowed(&[day(5), day(20), day(40)], now),
            Timestamp(day(20).millis() + 30 * DAY_MILLIS)
        );
        assert_eq!(
            cap.next_allowed(&[day(1), day(2), day(3)], now),
            Timestamp(day(2).millis() + 30 * DAY_MILLIS)
        );
        assert_eq!(FrequencyCap::new(0, 7), None);
        assert_eq!(FrequencyCap::new(1, 0), None);
    }

    #[test]
    fn the_cap_and_quiet_hours_together() {
        // Allowed by the cap at 22:00 four days on: held until 08:00 the next morning.
        let now = china(22, 0);
        let sent = [Timestamp(now.millis() - 3 * DAY_MILLIS)];
        let at = next_send_time(QuietHours::DEFAULT, FrequencyCap::DEFAULT, &sent, now);
        assert_eq!(at, china(4 * 24 + 24 + 8, 0));
    }

    proptest! {
        #[test]
        fn next_allowed_is_the_first_allowed_instant(
            start in 0u16..1440, end in 0u16..1440, offset in 0i64..(30 * DAY_MILLIS)
        ) {
            let quiet = QuietHours::new(start, end).unwrap();
            let at = Timestamp(DEC_1 + offset);
            let next = quiet.next_allowed(at);
            prop_assert!(next >= at);
            prop_assert!(!quiet.is_quiet(next));
            prop_assert!(next.millis() - at.millis() <= DAY_MILLIS);
            if next != at {
                prop_assert!(quiet.is_quiet(Timestamp(next.millis() - 1)));
                prop_assert!(quiet.is_quiet(at));
            }
        }

        #[test]
        fn the_cap_is_never_exceeded(
            max in 1u32..4, days in 1u32..10,
            sent in proptest::collection::vec(0i64..(20 * DAY_MILLIS), 0..8),
        ) {
            let cap = FrequencyCap::new(max, days).unwrap();
            let now = Timestamp(DEC_1 + 20 * DAY_MILLIS);
            let sent: Vec<Timestamp> = sent.iter().map(|&o| Timestamp(DEC_1 + o)).collect();
            let next = cap.next_allowed(&sent, now);
            prop_assert!(next >= now);
            let in_window = sent.iter().filter(|&&t| t > cap.window_start(next)).count();
            prop_assert!(in_window < max as usize);
            if next > now {
                let earlier = Timestamp(next.millis() - 1);
                let then = sent.iter().filter(|&&t| t > cap.window_start(earlier)).count();
                prop_assert!(then >= max as usize);
            }
        }
    }
}
