//! The 安康杯 safety knowledge contest: questions and their answer keys, the seeded draw
//! of an attempt's questions, scoring, the server's clock, attempts per day, the window
//! and the leaderboards' ordering.

mod draw;
mod question;

pub use draw::{BankQuestion, CategoryQuota, DrawError, draw_questions};
pub use question::{
    Category, Difficulty, Question, QuestionCells, QuestionError, QuestionKind, duplicate_stems,
    parse_question,
};

use std::fmt;

use crate::civil_date::CivilDate;
use crate::ranking::{Ranked, rank_by};
use crate::time::Timestamp;

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

/// Whether an answer counts, by the server's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerTiming {
    /// In time and humanly paced: scored.
    Counted,
    /// After the attempt's time limit: not scored.
    Late,
    /// Faster than one second per question: flagged, not scored.
    TooFast,
}

/// An attempt's clock, kept by the server from the moment it handed out the questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptClock {
    /// When the questions were served.
    pub started_at: Timestamp,
    /// The contest's time limit, in minutes.
    pub limit_minutes: u32,
}

impl AttemptClock {
    /// The last instant an answer counts.
    pub fn deadline(self) -> Timestamp {
        Timestamp(self.started_at.0 + i64::from(self.limit_minutes) * 60_000)
    }

    /// The timing of a whole answer sheet of `questions` answers submitted at once.
    pub fn sheet_timing(self, submitted_at: Timestamp, questions: u32) -> AnswerTiming {
        if submitted_at > self.deadline() {
            AnswerTiming::Late
        } else if submitted_at.0 - self.started_at.0 < MIN_MILLIS_PER_QUESTION * i64::from(questions) {
            AnswerTiming::TooFast
        } else {
            AnswerTiming::Counted
        }
    }

    /// The timing of one answer, given when its question was shown: late past the
    /// deadline however fast, else too fast under a second.
    pub fn answer_timing(self, shown_at: Timestamp, answered_at: Timestamp) -> AnswerTiming {
        if answered_at > self.deadline() {
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

/// Scores an attempt: `keys[i]` is question i's answer key, `answers[i]` what was given
/// (if anything) and how it was timed. Multiple choice is all or nothing: only the exact
/// set of letters scores. Missing, late and too-fast answers score nothing.
pub fn score(keys: &[LetterSet], answers: &[(Option<LetterSet>, AnswerTiming)]) -> Score {
    let mut result = Score { total: u32::try_from(keys.len()).unwrap_or(u32::MAX), ..Score::default() };
    for (key, (given, timing)) in keys.iter().zip(answers) {
        match timing {
            AnswerTiming::TooFast => result.flagged += 1,
            AnswerTiming::Late => {}
            AnswerTiming::Counted if *given == Some(*key) => result.correct += 1,
            AnswerTiming::Counted => {}
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

/// One person's best attempt, for the people board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BestAttempt<P> {
    /// Who (a member id; the board masks names).
    pub person: P,
    /// The best score.
    pub correct: u32,
    /// How long that attempt took, in milliseconds.
    pub millis: i64,
}

/// The people board: best score first, then the faster; equal on both share a rank.
pub fn rank_people<P>(results: Vec<BestAttempt<P>>) -> Vec<Ranked<BestAttempt<P>>> {
    rank_by(results, |r| (r.correct, std::cmp::Reverse(r.millis)))
}

#[cfg(test)]
mod tests;
