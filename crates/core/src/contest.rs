//! The 安康杯 safety knowledge contest: questions and their answer keys, the seeded draw
//! of an attempt's questions, scoring, the server's clock, attempts per day, the window
//! and the leaderboards' ordering.

mod board;
mod draw;
mod question;
mod rules;

pub use board::{BestAttempt, Ratio, UnionOrder, UnionResult, rank_people, rank_unions};
pub use draw::{BankQuestion, CategoryQuota, DrawError, default_quotas, draw_questions};
pub use question::{
    Category, Difficulty, Question, QuestionCells, QuestionError, QuestionKind, duplicate_stems,
    parse_question, stem_key,
};
pub use rules::{ContestName, ContestRules, RulesError};

use std::fmt;

use crate::civil_date::CivilDate;
use crate::ids::id_newtype;
use crate::labelled::coded_enum;
use crate::time::Timestamp;

id_newtype! {
    /// A contest (one 安康杯 round of an organiser union).
    ContestId;
    /// A question of the bank.
    QuestionId;
    /// One member's attempt at a contest.
    AttemptId;
}

/// An answer given faster than this per question is faster than a person can read it:
/// flagged, not scored.
pub const MIN_MILLIS_PER_QUESTION: i64 = 1_000;

/// The options' letters, A–F.
pub const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// A set of option letters: an answer key or a given answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LetterSet(u8);

impl LetterSet {
    /// No letter.
    pub const EMPTY: LetterSet = LetterSet(0);

    /// The set holding the letter at `index` (0 = A); `None` past F.
    pub fn single(index: usize) -> Option<LetterSet> {
        (index < LETTERS.len()).then(|| LetterSet(1 << index))
    }

    /// Parses letters as typed or stored: “ABD”, “A,B,D”, “a b”, “Ａ、Ｂ”; order and
    /// repetition do not matter. `None` for anything but letters A–F and separators, or
    /// no letter at all.
    pub fn parse(text: &str) -> Option<LetterSet> {
        let mut set = 0u8;
        for c in text.chars() {
            let c = match c {
                'Ａ'..='Ｆ' | 'ａ'..='ｆ' => char::from_u32(u32::from(c) - 0xFEE0)?,
                other => other,
            };
            match c.to_ascii_uppercase() {
                letter @ 'A'..='F' => set |= 1 << (u32::from(letter) - u32::from('A')),
                ',' | '，' | '、' | ' ' | ';' | '；' => {}
                _ => return None,
            }
        }
        (set != 0).then_some(LetterSet(set))
    }

    /// How many letters.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the letter at `index` (0 = A) is in the set.
    pub fn contains(self, index: usize) -> bool {
        index < LETTERS.len() && self.0 & (1 << index) != 0
    }

    /// The highest letter's index, if any.
    fn highest(self) -> Option<usize> {
        (0..LETTERS.len()).rev().find(|i| self.contains(*i))
    }
}

impl fmt::Display for LetterSet {
    /// `ABD`: the stored form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters: String =
            LETTERS.iter().enumerate().filter(|(i, _)| self.contains(*i)).map(|(_, c)| c).collect();
        f.write_str(&letters)
    }
}

coded_enum!(
    /// Whether an answer counts, by the server's clock.
    AnswerTiming {
        /// In time and humanly paced: scored.
        Counted = "counted",
        /// After the attempt's time limit: not scored.
        Late = "late",
        /// Faster than one second per question: flagged, not scored.
        TooFast = "too_fast",
    }
);

/// An attempt's clock, kept by the server from the moment it handed out the questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptClock {
    /// When the questions were served.
    pub started_at: Timestamp,
    /// The last instant an answer counts.
    pub deadline: Timestamp,
}

impl AttemptClock {
    /// The clock of an attempt started at `started_at`: the contest's time limit, but
    /// never past the window's close, so nothing counts after the results are final.
    pub fn start(started_at: Timestamp, limit_minutes: u32, window: ContestWindow) -> AttemptClock {
        let limit = Timestamp(started_at.0 + i64::from(limit_minutes) * 60_000);
        AttemptClock { started_at, deadline: limit.min(window.closes_at()) }
    }

    /// The timing of one answer, given when its question was shown: late past the
    /// deadline however fast, else too fast under a second.
    pub fn answer_timing(self, shown_at: Timestamp, answered_at: Timestamp) -> AnswerTiming {
        if answered_at > self.deadline {
            AnswerTiming::Late
        } else if answered_at.0 - shown_at.0 < MIN_MILLIS_PER_QUESTION {
            AnswerTiming::TooFast
        } else {
            AnswerTiming::Counted
        }
    }
}

/// An attempt's result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Questions answered right (and counted).
    pub correct: u32,
    /// Questions in the attempt.
    pub total: u32,
    /// Answers not scored because they came too fast.
    pub flagged: u32,
}

impl Score {
    /// 0–100, rounded half up: what the result page and the board show.
    pub fn percent(self) -> u32 {
        if self.total == 0 { 0 } else { (self.correct * 200 + self.total) / (2 * self.total) }
    }
}

/// Whether one answer scores: counted by the clock and exactly the key's letters
/// (multiple choice is all or nothing).
pub fn is_correct(key: LetterSet, given: Option<LetterSet>, timing: AnswerTiming) -> bool {
    timing == AnswerTiming::Counted && given == Some(key)
}

/// Scores an attempt: `keys[i]` is question i's answer key, `answers[i]` what was given
/// (if anything) and how it was timed. Missing, late and too-fast answers score nothing
/// ([`is_correct`]); too-fast ones are counted as flagged.
pub fn score(keys: &[LetterSet], answers: &[(Option<LetterSet>, AnswerTiming)]) -> Score {
    let mut result = Score { total: u32::try_from(keys.len()).unwrap_or(u32::MAX), ..Score::default() };
    for (key, (given, timing)) in keys.iter().zip(answers) {
        if *timing == AnswerTiming::TooFast {
            result.flagged += 1;
        }
        if is_correct(*key, *given, *timing) {
            result.correct += 1;
        }
    }
    result
}

/// How many attempts a member may start per day (China time), at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptsPerDay(u32);

impl AttemptsPerDay {
    /// `None` for zero.
    pub const fn new(attempts: u32) -> Option<AttemptsPerDay> {
        if attempts == 0 { None } else { Some(AttemptsPerDay(attempts)) }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Whether another attempt may start, given those started today.
    pub const fn allows_another(self, started_today: u32) -> bool {
        started_today < self.0
    }
}

/// Where a contest stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContestPhase {
    /// Before the first day.
    NotStarted,
    /// Attempts may start.
    Open,
    /// After the last day: results are final and the boards frozen.
    Closed,
}

/// The days a contest runs, inclusive, in China time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContestWindow {
    from: CivilDate,
    until: CivilDate,
}

impl ContestWindow {
    /// `None` when `until` is before `from`.
    pub fn new(from: CivilDate, until: CivilDate) -> Option<ContestWindow> {
        (from <= until).then_some(ContestWindow { from, until })
    }

    /// The first day.
    pub fn from(self) -> CivilDate {
        self.from
    }

    /// The last day.
    pub fn until(self) -> CivilDate {
        self.until
    }

    /// The instant the window closes: midnight after the last day, China time.
    pub fn closes_at(self) -> Timestamp {
        Timestamp::china_day_start(self.until).plus_days(1)
    }

    /// The phase at `now`.
    pub fn phase(self, now: Timestamp) -> ContestPhase {
        let today = now.china_date();
        if today < self.from {
            ContestPhase::NotStarted
        } else if today > self.until {
            ContestPhase::Closed
        } else {
            ContestPhase::Open
        }
    }
}

#[cfg(test)]
mod tests;
