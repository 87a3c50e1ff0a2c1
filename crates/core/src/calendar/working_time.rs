//! Arithmetic in working time. A working day counts whole (midnight to midnight, China
//! time), other days not at all: "1 working day" from Wednesday 16:00 before a holiday is
//! the next working day's 16:00. Office hours are deliberately not modelled — the rules
//! speak of working days, and people file cases at any hour.

use super::{FIXED_HOLIDAYS, WorkCalendar};
use crate::civil_date::CivilDate;
use crate::time::{DAY_MILLIS, Timestamp};

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

/// Monday = 0 … Sunday = 6 for a day number since the epoch (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

impl WorkCalendar {
    /// Working days in `[from, until)`.
    pub fn working_days_in(&self, from: CivilDate, until: CivilDate) -> i64 {
        let (a, b) = (from.days_since_epoch(), until.days_since_epoch());
        if b <= a {
            return 0;
        }
        let span = b - a;
        let tail_start = a + span / 7 * 7;
        let tail = (tail_start..b).filter(|d| weekday_index(*d) < 5).count();
        let ordinary = span / 7 * 5 + i64::try_from(tail).unwrap_or(0);
        let adjustment: i64 = self
            .days
            .range(from..until)
            .map(|(date, (kind, _))| match (date.weekday().is_weekend(), kind.is_working()) {
                (false, false) => -1,
                (true, true) => 1,
                _ => 0,
            })
            .sum();
        // Years without a notice: their fixed-date holidays on weekdays.
        let fallback = (from.year()..=until.year())
            .filter(|year| !self.covers(*year))
            .flat_map(|year| FIXED_HOLIDAYS.iter().filter_map(move |(m, d, _)| CivilDate::new(year, *m, *d)))
            .filter(|date| (from..until).contains(date) && !date.weekday().is_weekend())
            .filter(|date| !self.days.contains_key(date))
            .count();
        ordinary + adjustment - i64::try_from(fallback).unwrap_or(0)
    }

    /// The `n`-th working day (1-based) on or after `start`; `None` for `n` = 0 or past
    /// the calendar's range.
    fn nth_working_day(&self, start: CivilDate, n: i64) -> Option<CivilDate> {
        if n <= 0 {
            return None;
        }
        let enough = |offset: i64| -> Option<bool> {
            Some(self.working_days_in(start, start.plus_days(offset.checked_add(1)?)?) >= n)
        };
        // At least 5 of every 7 days work outside a break of under two weeks.
        let mut high = n.checked_mul(2)?.checked_add(30)?;
        while !enough(high)? {
            high = high.checked_mul(2)?;
        }
        let mut low = 0;
        while low < high {
            let middle = low + (high - low) / 2;
            if enough(middle)? {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        start.plus_days(low)
    }

    /// The instant at which `millis` of working time have passed since `from` (the
    /// instant itself for zero or less). Saturates at the end of representable time.
    pub fn add_working_time(&self, from: Timestamp, millis: i64) -> Timestamp {
        self.try_add_working_time(from, millis).unwrap_or(Timestamp(i64::MAX))
    }

    fn try_add_working_time(&self, from: Timestamp, millis: i64) -> Option<Timestamp> {
        if millis <= 0 {
            return Some(from);
        }
        let date = from.china_date();
        let next_day = date.plus_days(1)?;
        let mut remaining = millis;
        if self.is_working_day(date) {
            let left_today = Timestamp::china_day_start(next_day).0 - from.0;
            if remaining <= left_today {
                return Some(Timestamp(from.0 + remaining));
            }
            remaining -= left_today;
        }
        // Whole days end at midnight: 24 h from a day's start is that day's end.
        let (days, into_last) = match (remaining / DAY_MILLIS, remaining % DAY_MILLIS) {
            (full, 0) => (full, DAY_MILLIS),
            (full, part) => (full + 1, part),
        };
        let last = self.nth_working_day(next_day, days)?;
        Timestamp::china_day_start(last).0.checked_add(into_last).map(Timestamp)
    }

    /// [`WorkCalendar::add_working_time`] in working days.
    pub fn add_working_days(&self, from: Timestamp, days: u32) -> Timestamp {
        self.add_working_time(from, i64::from(days) * DAY_MILLIS)
    }

    /// [`WorkCalendar::add_working_time`] in working hours.
    pub fn add_working_hours(&self, from: Timestamp, hours: u32) -> Timestamp {
        self.add_working_time(from, i64::from(hours) * HOUR_MS)
    }

    /// Working time, in milliseconds, between two instants (0 if `to` is not after
    /// `from`): how long a case has really waited.
    pub fn working_time_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (from.china_date(), to.china_date());
        if first == last {
            return if self.is_working_day(first) { to.0 - from.0 } else { 0 };
        }
        let Some(after_first) = first.plus_days(1) else { return 0 };
        let mut total = self.working_days_in(after_first, last).saturating_mul(DAY_MILLIS);
        if self.is_working_day(first) {
            total += Timestamp::china_day_start(after_first).0 - from.0;
        }
        if self.is_working_day(last) {
            total += to.0 - Timestamp::china_day_start(last).0;
        }
        total
    }
}
