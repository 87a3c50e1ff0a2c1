//! A minimal proleptic-Gregorian calendar date.
//!
//! The pure core deliberately avoids a date crate: all it needs is "is this a
//! real date", ordering, and conversion from a Unix timestamp to a UTC day.

use std::fmt;

/// Seconds in a civil (UTC, leap-second-free) day, as Unix time counts them.
const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar date (proleptic Gregorian, no time zone).
///
/// Fields are private so every value is a real date; the derived `Ord` is
/// chronological because the fields are declared year, month, day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`; `None` for an invalid month.
pub fn days_in_month(year: i32, month: u8) -> Option<u8> {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if is_leap_year(year) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

impl CivilDate {
    /// 1970-01-01, the Unix epoch.
    pub const EPOCH: CivilDate = CivilDate { year: 1970, month: 1, day: 1 };

    /// Builds a date, or `None` if it does not exist (e.g. 2023-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let max = days_in_month(year, month)?;
        (1..=max).contains(&day).then_some(CivilDate { year, month, day })
    }

    /// The year (may be zero or negative in the proleptic calendar).
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-based.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date `days` after 1970-01-01; `None` if the year overflows `i32`.
    ///
    /// Howard Hinnant's `civil_from_days`, computed in `i128` so that no
    /// `i64` input can overflow the intermediate arithmetic.
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        let z = i128::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097); // [0, 146096]
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], March-based
        let mp = (5 * doy + 2) / 153; // [0, 11], 0 = March
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i128::from(month <= 2);
        Some(CivilDate {
            year: i32::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// Days from 1970-01-01 to this date (negative before the epoch).
    ///
    /// Howard Hinnant's `days_from_civil`; `i64` cannot overflow for any
    /// `i32` year.
    pub fn days_since_epoch(self) -> i64 {
        let m = i64::from(self.month);
        let d = i64::from(self.day);
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400); // [0, 399]
        let mp = if m > 2 { m - 3 } else { m + 9 }; // March-based month
        let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        era * 146_097 + doe - 719_468
    }

    /// The UTC calendar date containing Unix time `secs`.
    ///
    /// Uses floor division so that e.g. -1 s is 1969-12-31, not 1970-01-01.
    pub fn from_unix_seconds(secs: i64) -> Option<Self> {
        Self::from_days_since_epoch(secs.div_euclid(SECONDS_PER_DAY))
    }

    /// Parses strict ISO 8601 `YYYY-MM-DD` (four-digit year); `None` otherwise.
    pub fn parse_iso(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = parse_digits(&b[0..4])?;
        let month = parse_digits(&b[5..7])?;
        let day = parse_digits(&b[8..10])?;
        Self::new(i32::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }
}

/// A day of the week.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Weekday {
    /// 周一
    Monday,
    /// 周二
    Tuesday,
    /// 周三
    Wednesday,
    /// 周四
    Thursday,
    /// 周五
    Friday,
    /// 周六
    Saturday,
    /// 周日
    Sunday,
}

impl Weekday {
    /// Saturday or Sunday: a rest day unless a notice makes it a make-up working day.
    pub const fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

impl CivilDate {
    /// The day of the week (1970-01-01 was a Thursday).
    pub fn weekday(self) -> Weekday {
        const FROM_THURSDAY: [Weekday; 7] = [
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
        ];
        FROM_THURSDAY[self.days_since_epoch().rem_euclid(7) as usize]
    }

    /// The date `days` later (earlier when negative); `None` past the calendar's range.
    pub fn plus_days(self, days: i64) -> Option<CivilDate> {
        Self::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }

    /// Whole years from this date to `date` (an age when this is a birth date); 0 if
    /// `date` is earlier. A 29 February anniversary counts as reached on 1 March in
    /// common years, because (3, 1) sorts after (2, 29).
    pub fn whole_years_until(self, date: CivilDate) -> u32 {
        let mut years = i64::from(date.year) - i64::from(self.year);
        if (date.month, date.day) < (self.month, self.day) {
            years -= 1;
        }
        u32::try_from(years.max(0)).unwrap_or(0)
    }
}

/// Parses a run of ASCII digits; `None` if any byte is not a digit.
///
/// Hand-rolled because `str::parse` also accepts a leading `+`.
pub(crate) fn parse_digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        let digit = char::from(b).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(digit)
    })
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> CivilDate {
        CivilDate::new(y, m, day).unwrap()
    }

    #[test]
    fn new_rejects_impossible_dates() {
        assert!(CivilDate::new(2023, 2, 29).is_none());
        assert!(CivilDate::new(1900, 2, 29).is_none());
        assert!(CivilDate::new(2000, 2, 29).is_some());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(2024, 4, 31).is_none());
        assert!(CivilDate::new(2024, 13, 1).is_none());
        assert!(CivilDate::new(2024, 0, 1).is_none());
        assert!(CivilDate::new(2024, 1, 0).is_none());
        assert!(CivilDate::new(2024, 12, 31).is_some());
    }

    #[test]
    fn epoch_conversions_known_values() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(1970, 1, 2).days_since_epoch(), 1);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(1900, 1, 1).days_since_epoch(), -25_567);
        assert_eq!(CivilDate::from_days_since_epoch(19_782), Some(d(2024, 2, 29)));
        assert_eq!(CivilDate::from_days_since_epoch(i64::MAX), None);
        assert_eq!(CivilDate::from_days_since_epoch(i64::MIN), None);
    }

    #[test]
    fn unix_seconds_floor_to_utc_day() {
        assert_eq!(CivilDate::from_unix_seconds(0), Some(d(1970, 1, 1)));
        assert_eq!(CivilDate::from_unix_seconds(-1), Some(d(1969, 12, 31)));
        assert_eq!(CivilDate::from_unix_seconds(86_399), Some(d(1970, 1, 1)));
        // 2026-03-01T12:00:00Z
        assert_eq!(CivilDate::from_unix_seconds(1_772_366_400), Some(d(2026, 3, 1)));
    }

    #[test]
    fn parse_and_display_iso() {
        assert_eq!(CivilDate::parse_iso("2024-02-29"), Some(d(2024, 2, 29)));
        assert_eq!(CivilDate::parse_iso("2023-02-29"), None);
        assert_eq!(CivilDate::parse_iso("2024-2-29"), None);
        assert_eq!(CivilDate::parse_iso("+024-02-29"), None);
        assert_eq!(CivilDate::parse_iso("2024/02/29"), None);
        assert_eq!(CivilDate::parse_iso("２０２４-02-29"), None);
        assert_eq!(CivilDate::parse_iso(""), None);
        assert_eq!(d(2024, 2, 9).to_string(), "2024-02-09");
        assert_eq!(d(987, 1, 1).to_string(), "0987-01-01");
    }

    #[test]
    fn weekdays_and_day_arithmetic() {
        assert_eq!(d(1970, 1, 1).weekday(), Weekday::Thursday);
        assert_eq!(d(2026, 10, 1).weekday(), Weekday::Thursday);
        assert_eq!(d(2026, 2, 14).weekday(), Weekday::Saturday);
        assert_eq!(d(1969, 12, 28).weekday(), Weekday::Sunday);
        assert!(Weekday::Sunday.is_weekend() && !Weekday::Friday.is_weekend());
        assert_eq!(d(2024, 2, 28).plus_days(2), Some(d(2024, 3, 1)));
        assert_eq!(d(2024, 3, 1).plus_days(-1), Some(d(2024, 2, 29)));
        assert_eq!(d(2024, 3, 1).plus_days(i64::MAX), None);
        assert_eq!(d(2008, 2, 29).whole_years_until(d(2024, 2, 28)), 15);
        assert_eq!(d(2008, 2, 29).whole_years_until(d(2024, 2, 29)), 16);
        assert_eq!(d(2008, 2, 29).whole_years_until(d(2001, 1, 1)), 0);
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(d(2024, 1, 31) < d(2024, 2, 1));
        assert!(d(2023, 12, 31) < d(2024, 1, 1));
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -1_000_000i64..1_000_000) {
            let date = CivilDate::from_days_since_epoch(days).unwrap();
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert!(CivilDate::new(date.year(), date.month(), date.day()).is_some());
        }

        #[test]
        fn consecutive_days_are_ordered(days in -1_000_000i64..1_000_000) {
            let a = CivilDate::from_days_since_epoch(days).unwrap();
            let b = CivilDate::from_days_since_epoch(days + 1).unwrap();
            prop_assert!(a < b);
        }

        #[test]
        fn display_parse_round_trip(days in -25_567i64..2_932_896) {
            let date = CivilDate::from_days_since_epoch(days).unwrap();
            prop_assert_eq!(CivilDate::parse_iso(&date.to_string()), Some(date));
        }

        #[test]
        fn from_unix_seconds_never_panics(secs in any::<i64>()) {
            let _ = CivilDate::from_unix_seconds(secs);
        }

        #[test]
        fn parse_iso_never_panics(s in "\\PC*") {
            let _ = CivilDate::parse_iso(&s);
        }
    }
}
