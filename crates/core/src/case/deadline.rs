//! A case's deadlines: the first response within working days, the resolution within
//! calendar days; an open case past either is overdue and escalates.

use crate::calendar::WorkCalendar;
use crate::time::Timestamp;

/// The two deadlines, configurable per federation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseDeadlines {
    /// Working days until an officer must first respond (default 1).
    pub first_response_working_days: u32,
    /// Calendar days until the case should be resolved (default 30).
    pub resolution_days: u32,
}

impl Default for CaseDeadlines {
    fn default() -> Self {
        CaseDeadlines { first_response_working_days: 1, resolution_days: 30 }
    }
}

/// The instants that decide a case's deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseClock {
    /// When the worker filed it.
    pub submitted_at: Timestamp,
    /// When an officer first acted on it (accepted, recorded a step or closed it).
    pub first_response_at: Option<Timestamp>,
    /// When it closed or was withdrawn.
    pub ended_at: Option<Timestamp>,
}

/// Which deadline an open case has missed, and when it fell due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overdue {
    /// Nobody has responded in time.
    FirstResponse {
        /// When the response was due.
        due: Timestamp,
    },
    /// Responded to, but not resolved in time.
    Resolution {
        /// When resolution was due.
        due: Timestamp,
    },
}

impl CaseDeadlines {
    /// When the first response is due, in China's working time.
    pub fn first_response_due(&self, submitted_at: Timestamp, calendar: &WorkCalendar) -> Timestamp {
        calendar.add_working_days(submitted_at, self.first_response_working_days)
    }

    /// When resolution is due: calendar days, holidays included.
    pub fn resolution_due(&self, submitted_at: Timestamp) -> Timestamp {
        submitted_at.plus_days(i64::from(self.resolution_days))
    }

    /// Whether the case is overdue at `now`; a missed first response is reported before
    /// a missed resolution, and an ended case is never overdue. A deadline instant itself
    /// is still in time.
    pub fn overdue(&self, clock: &CaseClock, now: Timestamp, calendar: &WorkCalendar) -> Option<Overdue> {
        if clock.ended_at.is_some() {
            return None;
        }
        let first_due = self.first_response_due(clock.submitted_at, calendar);
        if clock.first_response_at.is_none() && now > first_due {
            return Some(Overdue::FirstResponse { due: first_due });
        }
        let resolution_due = self.resolution_due(clock.submitted_at);
        (now > resolution_due).then_some(Overdue::Resolution { due: resolution_due })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil_date::CivilDate;

    fn at(m: u8, d: u8, hour: i64) -> Timestamp {
        let day = CivilDate::new(2026, m, d).unwrap();
        Timestamp(Timestamp::china_day_start(day).0 + hour * 3_600_000)
    }

    #[test]
    fn a_case_filed_before_national_day_waits_for_the_first_working_day() {
        let rules = CaseDeadlines::default();
        let china = WorkCalendar::china();
        let clock = CaseClock { submitted_at: at(9, 30, 16), first_response_at: None, ended_at: None };
        assert_eq!(rules.first_response_due(clock.submitted_at, china), at(10, 8, 16));
        assert_eq!(rules.overdue(&clock, at(10, 3, 12), china), None);
        assert_eq!(rules.overdue(&clock, at(10, 8, 16), china), None);
        assert_eq!(
            rules.overdue(&clock, at(10, 8, 17), china),
            Some(Overdue::FirstResponse { due: at(10, 8, 16) })
        );
        let answered = CaseClock { first_response_at: Some(at(10, 8, 9)), ..clock };
        assert_eq!(rules.overdue(&answered, at(10, 8, 17), china), None);
        // Thirty calendar days, the holiday included.
        assert_eq!(rules.resolution_due(clock.submitted_at), at(10, 30, 16));
        assert_eq!(
            rules.overdue(&answered, at(10, 31, 0), china),
            Some(Overdue::Resolution { due: at(10, 30, 16) })
        );
        let closed = CaseClock { ended_at: Some(at(10, 20, 9)), ..answered };
        assert_eq!(rules.overdue(&closed, at(12, 1, 0), china), None);
    }

    #[test]
    fn deadlines_are_configurable() {
        let rules = CaseDeadlines { first_response_working_days: 2, resolution_days: 15 };
        let china = WorkCalendar::china();
        // Friday 9 October 2026: Saturday 10th is a make-up working day.
        assert_eq!(rules.first_response_due(at(10, 9, 10), china), at(10, 12, 10));
        assert_eq!(rules.resolution_due(at(10, 9, 10)), at(10, 24, 10));
    }
}
