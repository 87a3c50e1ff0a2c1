//! Time as the domain sees it: a value passed in, never read from a clock here, so tests
//! decide what "now" is.

use crate::civil_date::CivilDate;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Milliseconds as stored, as the store decodes a column.
impl From<i64> for Timestamp {
    fn from(millis: i64) -> Self {
        Timestamp(millis)
    }
}

/// One day in milliseconds: what a review deadline or a retention period counts in. Days
/// here are fixed lengths of time (China keeps no daylight saving).
pub const DAY_MILLIS: i64 = 86_400_000;

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
        Timestamp(self.0 + days * DAY_MILLIS)
    }

    /// Midnight in China at the start of `date`: where a day's range begins when an
    /// officer filters by dates.
    pub fn china_day_start(date: CivilDate) -> Timestamp {
        Timestamp((date.days_since_epoch() * 86_400 - CHINA_OFFSET_SECONDS) * 1000)
    }

    /// Minutes since midnight in China (0–1439): what opening hours are compared with.
    pub fn china_minute_of_day(self) -> u16 {
        let minutes = (self.0.div_euclid(1000) + CHINA_OFFSET_SECONDS).rem_euclid(86_400) / 60;
        u16::try_from(minutes).unwrap_or(0)
    }

    /// `YYYY-MM-DD HH:MM` in China: how the console shows when something happened.
    pub fn china_minute(self) -> String {
        let of_day = (self.0.div_euclid(1000) + CHINA_OFFSET_SECONDS).rem_euclid(86_400);
        format!("{} {:02}:{:02}", self.china_date(), of_day / 3600, of_day % 3600 / 60)
    }

    /// This instant in China Standard Time as RFC 3339, e.g.
    /// `2026-11-30T10:00:00+08:00`: how the API reports times.
    pub fn to_rfc3339_china(self) -> String {
        let local = self.0.div_euclid(1000) + CHINA_OFFSET_SECONDS;
        let date = self.china_date();
        let of_day = local.rem_euclid(86_400);
        format!("{date}T{:02}:{:02}:{:02}+08:00", of_day / 3600, of_day % 3600 / 60, of_day % 60)
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses an RFC 3339 date-time with an explicit offset, as the platform API
    /// receives them: `2026-11-30T10:00:00+08:00`, `2026-11-30T02:00:00.5Z`. A time
    /// without an offset is refused rather than guessed.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        let (date, rest) = (text.get(..10)?, text.get(10..)?);
        let date = CivilDate::parse_iso(date)?;
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let hms = rest.get(..8)?;
        let mut parts = hms.split(':');
        let hour: i64 = two_digits(parts.next()?)?;
        let minute: i64 = two_digits(parts.next()?)?;
        let second: i64 = two_digits(parts.next()?)?;
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut rest = rest.get(8..)?;
        let mut millis = 0i64;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let padded = format!("{:0<3}", fraction.get(..digits.min(3))?);
            millis = padded.parse().ok()?;
            rest = fraction.get(digits..)?;
        }
        let offset_seconds = match rest {
            "Z" | "z" => 0,
            _ => {
                let sign = match rest.get(..1)? {
                    "+" => 1,
                    "-" => -1,
                    _ => return None,
                };
                let (h, m) = rest.get(1..)?.split_once(':')?;
                let (h, m) = (two_digits(h)?, two_digits(m)?);
                if h > 23 || m > 59 {
                    return None;
                }
                sign * (h * 3600 + m * 60)
            }
        };
        // A leap second reads as the last second of its minute.
        let seconds =
            date.days_since_epoch() * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_seconds;
        Some(Timestamp(seconds * 1000 + millis))
    }
}

fn two_digits(text: &str) -> Option<i64> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) { text.parse().ok() } else { None }
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
        assert_eq!(DAY_MILLIS, 24 * 3_600_000);
    }

    #[test]
    fn rfc3339_times_with_offsets_parse_to_the_same_instant() {
        let utc = Timestamp::parse_rfc3339("2026-11-30T02:00:00Z").unwrap();
        assert_eq!(utc, Timestamp(1_796_004_000_000));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-30T10:00:00+08:00"), Some(utc));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-29T21:30:00-04:30"), Some(utc));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-30T02:00:00.25Z"), Some(Timestamp(utc.0 + 250)));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-30T02:00:00.123456Z"), Some(Timestamp(utc.0 + 123)));
        assert_eq!(utc.unix_seconds(), 1_796_004_000);
        assert_eq!(utc.to_rfc3339_china(), "2026-11-30T10:00:00+08:00");
        assert_eq!(Timestamp(utc.0 + 59_999).china_minute(), "2026-11-30 10:00");
        assert_eq!(Timestamp(utc.0 + 59_999).china_minute_of_day(), 600);
        assert_eq!(Timestamp(utc.0 - 2 * 3_600_000 - 1).china_minute_of_day(), 479);
        let day = CivilDate::new(2026, 11, 30).unwrap();
        assert_eq!(Timestamp::china_day_start(day), Timestamp(utc.0 - 10 * 3_600_000));
        assert_eq!(
            Timestamp(Timestamp::china_day_start(day).0 - 1).china_date(),
            CivilDate::new(2026, 11, 29).unwrap()
        );
        assert_eq!(
            Timestamp::parse_rfc3339(&Timestamp(utc.0 + 3_599_999).to_rfc3339_china()),
            Some(Timestamp(utc.0 + 3_599_000))
        );
    }

    #[test]
    fn malformed_rfc3339_times_are_refused() {
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T10:00:00",
            "2026-11-30T24:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-11-30T10:00:00+8:00",
            "2026-11-30T10:00:00.Z",
            "2026-11-30T10:00Z",
            "２０２６-11-30T10:00:00Z",
            "2026-11-30T10:00:00+08:00trailing",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
