//! A contest's name and rules as its organiser sets them: how many questions an attempt
//! draws, the time limit and the attempts a member may start per day, each within the
//! bounds a phone contest keeps.

use super::AttemptsPerDay;

/// Most questions one attempt may draw.
pub const MAX_QUESTIONS_PER_ATTEMPT: u32 = 100;

/// Longest time limit, in minutes.
pub const MAX_MINUTES: u32 = 120;

/// Most attempts a member may start per day.
pub const MAX_ATTEMPTS_PER_DAY: u32 = 10;

/// Longest contest name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// What is wrong with a contest's name or rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The name is empty or over 100 characters.
    #[error("the name must be 1 to 100 characters")]
    Name,
    /// Questions per attempt outside 1–100.
    #[error("questions per attempt must be 1 to {MAX_QUESTIONS_PER_ATTEMPT}")]
    Questions,
    /// Time limit outside 1–120 minutes.
    #[error("the time limit must be 1 to {MAX_MINUTES} minutes")]
    Minutes,
    /// Attempts per day outside 1–10.
    #[error("attempts per day must be 1 to {MAX_ATTEMPTS_PER_DAY}")]
    AttemptsPerDay,
    /// The last day is before the first.
    #[error("the last day is before the first")]
    Window,
}

/// A contest's name: trimmed, 1–100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestName(String);

impl ContestName {
    /// Checks a typed name.
    ///
    /// # Errors
    ///
    /// [`RulesError::Name`] when it is empty or too long.
    pub fn parse(text: &str) -> Result<ContestName, RulesError> {
        let text = text.trim();
        match text.chars().count() {
            1..=MAX_NAME_CHARS => Ok(ContestName(text.to_owned())),
            _ => Err(RulesError::Name),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a contest is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContestRules {
    questions_per_attempt: u32,
    minutes: u32,
    attempts_per_day: AttemptsPerDay,
}

impl ContestRules {
    /// Checks the organiser's numbers.
    ///
    /// # Errors
    ///
    /// The first [`RulesError`] found.
    pub fn new(
        questions_per_attempt: u32,
        minutes: u32,
        attempts_per_day: u32,
    ) -> Result<ContestRules, RulesError> {
        if !(1..=MAX_QUESTIONS_PER_ATTEMPT).contains(&questions_per_attempt) {
            return Err(RulesError::Questions);
        }
        if !(1..=MAX_MINUTES).contains(&minutes) {
            return Err(RulesError::Minutes);
        }
        let attempts_per_day = AttemptsPerDay::new(attempts_per_day)
            .filter(|a| a.get() <= MAX_ATTEMPTS_PER_DAY)
            .ok_or(RulesError::AttemptsPerDay)?;
        Ok(ContestRules { questions_per_attempt, minutes, attempts_per_day })
    }

    /// Questions each attempt draws.
    pub const fn questions_per_attempt(self) -> u32 {
        self.questions_per_attempt
    }

    /// The time limit of an attempt, in minutes.
    pub const fn minutes(self) -> u32 {
        self.minutes
    }

    /// Attempts a member may start per day.
    pub const fn attempts_per_day(self) -> AttemptsPerDay {
        self.attempts_per_day
    }
}
