//! A case's deadlines: the first response within working days, the resolution within
//! calendar days; an open case past either is overdue and escalates.

use crate::calendar::WorkCalendar;
use crate::labelled::coded_enum;
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

coded_enum!(
    /// Which deadline a case missed; a case escalates once per missed deadline, the
    /// first response's before the resolution's.
    MissedDeadline {
        /// No officer responded in time.
        FirstResponse = "first_response",
        /// Not resolved in time.
        Resolution = "resolution",
    }
);

impl Overdue {
    /// When the missed deadline fell due.
    pub const fn due(self) -> Timestamp {
        match self {
            Overdue::FirstResponse { due } | Overdue::Resolution { due } => due,
        }
    }

    /// Which deadline it is.
    pub const fn missed(self) -> MissedDeadline {
        match self {
            Overdue::FirstResponse { .. } => MissedDeadline::FirstResponse,
            Overdue::Resolution { .. } => MissedDeadline::Resolution,
        }
    }
}

/// A case's deadlines fixed when it was filed, as the store keeps them: the calendar in
/// force then decided them, and a later change to the data file does not move them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseDues {
    /// The first response is due then.
    pub response: Timestamp,
    /// Resolution is due then.
    pub resolution: Timestamp,
}

impl CaseDues {
    /// Whether a case is overdue at `now`; a missed first response is reported before
    /// a missed resolution, and an ended case is never overdue. A deadline instant itself
    /// is still in time.
    pub fn overdue(&self, clock: &CaseClock, now: Timestamp) -> Option<Overdue> {
        if clock.ended_at.is_some() {
            return None;
        }
        if clock.first_response_at.is_none() && now > self.response {
            return Some(Overdue::FirstResponse { due: self.response });
        }
        (now > self.resolution).then_some(Overdue::Resolution { due: self.resolution })
    }

    /// The deadline whose miss moves the case up now, given the one it last escalated
    /// for: each deadline moves a case up once (so at most two levels), the first
    /// response's before the resolution's; `None` when it is in time, ended, or has
    /// escalated for both.
    pub fn escalation(
        &self,
        clock: &CaseClock,
        now: Timestamp,
        last: Option<MissedDeadline>,
    ) -> Option<Overdue> {
        if clock.ended_at.is_some() {
            return None;
        }
        let first = (clock.first_response_at.is_none() && now > self.response)
            .then_some(Overdue::FirstResponse { due: self.response });
        let resolution = (now > self.resolution).then_some(Overdue::Resolution { due: self.resolution });
        match last {
            None => first.or(resolution),
            Some(MissedDeadline::FirstResponse) => resolution,
            Some(MissedDeadline::Resolution) => None,
        }
    }

    /// The next deadline the case has to meet while open: the first response's until
    /// someone responds, then the resolution's (the earlier of the two if both wait).
    pub fn next(&self, clock: &CaseClock) -> Timestamp {
        match clock.first_response_at {
            None => self.response.min(self.resolution),
            Some(_) => self.resolution,
        }
    }
}

impl CaseDeadlines {
    /// Both deadlines of a case filed at `submitted_at`.
    pub fn dues(&self, submitted_at: Timestamp, calendar: &WorkCalendar) -> CaseDues {
        CaseDues {
            response: self.first_response_due(submitted_at, calendar),
            resolution: self.resolution_due(submitted_at),
        }
    }

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
        self.dues(clock.submitted_at, calendar).overdue(clock, now)
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
    fn each_missed_deadline_escalates_once() {
        let first = Some(Overdue::FirstResponse { due: at(10, 8, 16) });
        let resolution = Some(Overdue::Resolution { due: at(10, 30, 16) });
        let dues = CaseDeadlines::default().dues(at(9, 30, 16), WorkCalendar::china());
        let open = CaseClock { submitted_at: at(9, 30, 16), first_response_at: None, ended_at: None };
        let answered = CaseClock { first_response_at: Some(at(10, 8, 9)), ..open };
        let (late, later) = (at(10, 9, 0), at(10, 31, 0));
        use MissedDeadline::{FirstResponse, Resolution};
        assert_eq!(dues.escalation(&open, at(10, 8, 16), None), None, "the deadline itself is in time");
        assert_eq!(dues.escalation(&open, late, None), first);
        assert_eq!(dues.escalation(&open, late, Some(FirstResponse)), None);
        assert_eq!(dues.escalation(&open, later, None), first, "the first response's miss first");
        assert_eq!(
            dues.escalation(&open, later, Some(FirstResponse)),
            resolution,
            "never answered, still unresolved"
        );
        assert_eq!(dues.escalation(&open, later, Some(Resolution)), None);
        assert_eq!(dues.escalation(&answered, late, None), None);
        assert_eq!(dues.escalation(&answered, later, None), resolution);
        let ended = CaseClock { ended_at: Some(at(10, 20, 0)), ..answered };
        assert_eq!(dues.escalation(&ended, later, None), None);
        assert_eq!(dues.next(&open), at(10, 8, 16));
        assert_eq!(dues.next(&answered), at(10, 30, 16));
        assert_eq!("resolution".parse(), Ok(MissedDeadline::Resolution));
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
