//! Opening hours: round the clock, or the same ranges every day, read from what unions
//! write in an import's 开放时间 cell (“24小时”, “8:00-20:00”, “8:30～12:00，14:00～17:30”).

use std::fmt;

use crate::time::Timestamp;

/// Minutes in a day.
const DAY_MINUTES: u16 = 24 * 60;

/// More ranges than this in one day is a typo, not a timetable.
const MAX_RANGES: usize = 4;

/// When a station is open, every day alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpeningHours {
    /// Open round the clock (24小时).
    AllDay,
    /// Open in these ranges, in the order written.
    Daily(Vec<TimeRange>),
}

/// One daily range, in minutes since midnight China time; a range whose close is not
/// after its open runs past midnight (20:00–06:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    open: u16,
    close: u16,
}

/// Why a 开放时间 cell could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// The cell is empty.
    #[error("no opening hours given")]
    Empty,
    /// Not “24小时” nor ranges like 8:00-20:00 (weekday-specific hours are not kept).
    #[error("opening hours not understood")]
    Unrecognised,
    /// A time that does not exist (25:00, 8:60) or a range that opens when it closes.
    #[error("impossible time")]
    BadTime,
    /// More than four ranges.
    #[error("too many ranges")]
    TooManyRanges,
}

impl HoursError {
    /// Stable code for the import report, e.g. `hours.format`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Empty => "hours.missing",
            Self::Unrecognised => "hours.format",
            Self::BadTime => "hours.time",
            Self::TooManyRanges => "hours.too_many",
        }
    }
}

impl TimeRange {
    /// A range from `open` to `close`, minutes since midnight (`close` may be 1440).
    ///
    /// # Errors
    ///
    /// [`HoursError::BadTime`] if a time is past midnight or the range is empty.
    pub fn new(open: u16, close: u16) -> Result<TimeRange, HoursError> {
        if open >= DAY_MINUTES || close > DAY_MINUTES || open == close || (open == 0 && close == DAY_MINUTES)
        {
            return Err(HoursError::BadTime);
        }
        Ok(TimeRange { open, close })
    }

    /// Whether the range covers `minute` (0–1439); the close minute itself is closed.
    pub fn contains(self, minute: u16) -> bool {
        if self.open < self.close {
            (self.open..self.close).contains(&minute)
        } else {
            minute >= self.open || minute < self.close
        }
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.open), hm(self.close))
    }
}

impl OpeningHours {
    /// Reads a 开放时间 cell. Accepts “24小时”/“全天”/“24h”/“00:00-24:00”, and one to
    /// four ranges `H:MM-H:MM` separated by 、，,；; or spaces, with 至/到/~/～/—/– for the
    /// dash (and 次日 before a time past midnight), full-width digits and colons, and an optional leading 每天/每日.
    ///
    /// # Errors
    ///
    /// [`HoursError`]; weekday-specific timetables (“周一至周五”) are refused rather
    /// than half understood.
    pub fn parse(cell: &str) -> Result<OpeningHours, HoursError> {
        let text: String = cell
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
                '：' => ':',
                '至' | '到' | '~' | '～' | '—' | '–' | '－' | '−' => '-',
                '、' | '，' | '；' | ';' | '　' => ',',
                other => other.to_ascii_lowercase(),
            })
            .collect();
        // “20:00至次日6:00”: a range ending before it starts already runs past midnight.
        let text = text.replace("次日", "");
        let text = text.trim();
        let text =
            text.trim_start_matches("每天").trim_start_matches("每日").trim_start_matches("daily").trim();
        if text.is_empty() {
            return Err(HoursError::Empty);
        }
        let all_day = [
            "24小时",
            "24h",
            "全天",
            "全天24小时",
            "24小时营业",
            "24小时开放",
            "24/7",
            "00:00-24:00",
            "0:00-24:00",
        ];
        if all_day.contains(&text) {
            return Ok(OpeningHours::AllDay);
        }
        let ranges = text
            .split([',', ' '])
            .filter(|part| !part.is_empty())
            .map(parse_range)
            .collect::<Result<Vec<_>, _>>()?;
        if ranges.len() > MAX_RANGES {
            return Err(HoursError::TooManyRanges);
        }
        Ok(OpeningHours::Daily(ranges))
    }

    /// Whether the station is open at `minute` since midnight (0–1439).
    pub fn is_open_at_minute(&self, minute: u16) -> bool {
        match self {
            OpeningHours::AllDay => true,
            OpeningHours::Daily(ranges) => ranges.iter().any(|r| r.contains(minute)),
        }
    }

    /// Whether the station is open at this instant (China time).
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.is_open_at_minute(at.china_minute_of_day())
    }

    /// What Chinese pages show: “24小时” or the ranges.
    pub fn label_zh(&self) -> String {
        match self {
            OpeningHours::AllDay => "24小时".to_owned(),
            OpeningHours::Daily(_) => self.to_string(),
        }
    }

    /// What English pages show: “Open 24 hours” or the ranges.
    pub fn label_en(&self) -> String {
        match self {
            OpeningHours::AllDay => "Open 24 hours".to_owned(),
            OpeningHours::Daily(_) => self.to_string(),
        }
    }
}

impl fmt::Display for OpeningHours {
    /// The stored form, which [`OpeningHours::parse`] reads back: `24h` or
    /// `08:00-12:00,14:00-18:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpeningHours::AllDay => f.write_str("24h"),
            OpeningHours::Daily(ranges) => {
                let parts: Vec<String> = ranges.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

/// `H:MM-H:MM` (also `H-H` in whole hours).
fn parse_range(text: &str) -> Result<TimeRange, HoursError> {
    let (open, close) = text.split_once('-').ok_or(HoursError::Unrecognised)?;
    TimeRange::new(parse_time(open)?, parse_time(close)?)
}

/// `H:MM`, `HH:MM` or a bare hour, as minutes since midnight (24:00 allowed).
fn parse_time(text: &str) -> Result<u16, HoursError> {
    let (hour, minute) = text.split_once(':').unwrap_or((text, "00"));
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (Some(hour), Some(minute)) = (digits(hour, 2), digits(minute, 2)) else {
        return Err(HoursError::Unrecognised);
    };
    if minute >= 60 || hour > 24 || (hour == 24 && minute > 0) {
        return Err(HoursError::BadTime);
    }
    Ok(hour * 60 + minute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hours(text: &str) -> Result<String, HoursError> {
        OpeningHours::parse(text).map(|h| h.to_string())
    }

    #[test]
    fn what_unions_write_is_read() {
        for all_day in ["24小时", " 全天 ", "24H", "00:00-24:00", "每天24小时", "０:００至２４:００"]
        {
            assert_eq!(OpeningHours::parse(all_day), Ok(OpeningHours::AllDay), "{all_day}");
        }
        assert_eq!(hours("8:00-20:00"), Ok("08:00-20:00".into()));
        assert_eq!(hours("每天 8:30～12:00，14:00～17:30"), Ok("08:30-12:00,14:00-17:30".into()));
        assert_eq!(hours("８：００—２０：００"), Ok("08:00-20:00".into()));
        assert_eq!(hours("9-17"), Ok("09:00-17:00".into()));
        assert_eq!(hours("20:00至次日6:00"), Ok("20:00-06:00".into()));
        assert_eq!(hours("20:00-6:00"), Ok("20:00-06:00".into()));
        assert_eq!(hours("周一至周五 9:00-17:00"), Err(HoursError::Unrecognised));
        assert_eq!(hours(""), Err(HoursError::Empty));
        assert_eq!(hours("8:00-8:00"), Err(HoursError::BadTime));
        assert_eq!(hours("8:60-9:00"), Err(HoursError::BadTime));
        assert_eq!(hours("25:00-26:00"), Err(HoursError::BadTime));
        assert_eq!(hours("1-2,3-4,5-6,7-8,9-10"), Err(HoursError::TooManyRanges));
        assert_eq!(HoursError::Unrecognised.code(), "hours.format");
    }

    #[test]
    fn open_and_closed_minutes() {
        let split = OpeningHours::parse("8:30-12:00,14:00-17:30").unwrap();
        assert!(!split.is_open_at_minute(8 * 60 + 29));
        assert!(split.is_open_at_minute(8 * 60 + 30));
        assert!(!split.is_open_at_minute(12 * 60));
        assert!(split.is_open_at_minute(17 * 60 + 29));
        let night = OpeningHours::parse("20:00-6:00").unwrap();
        assert!(
            night.is_open_at_minute(23 * 60)
                && night.is_open_at_minute(0)
                && !night.is_open_at_minute(6 * 60)
        );
        assert!(OpeningHours::AllDay.is_open_at_minute(0));
        // 2026-11-30 10:00 China time.
        let ten = Timestamp(1_796_004_000_000);
        assert!(split.is_open(ten) && !night.is_open(ten));
        assert_eq!(OpeningHours::AllDay.label_zh(), "24小时");
        assert_eq!(OpeningHours::AllDay.label_en(), "Open 24 hours");
        assert_eq!(split.label_en(), "08:30-12:00,14:00-17:30");
    }

    proptest! {
        #[test]
        fn the_stored_form_parses_back(ranges in proptest::collection::vec((0u16..1440, 1u16..=1440), 1..=4)) {
            let ranges: Vec<TimeRange> = ranges.into_iter().filter_map(|(o, c)| TimeRange::new(o, c).ok()).collect();
            prop_assume!(!ranges.is_empty());
            let hours = OpeningHours::Daily(ranges);
            prop_assert_eq!(OpeningHours::parse(&hours.to_string()), Ok(hours));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = OpeningHours::parse(&text);
        }
    }
}
