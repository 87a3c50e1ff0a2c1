//! The leaderboards' order: people by best score then time, unions by participation
//! rate or average score. Ties share a rank ([`crate::ranking`]).

use std::cmp::Ordering;

use crate::ranking::{Ranked, rank_by};

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

impl<P> BestAttempt<P> {
    /// Whether this attempt beats `other`: more right answers, or as many in less time.
    pub fn beats<Q>(&self, other: &BestAttempt<Q>) -> bool {
        (self.correct, std::cmp::Reverse(self.millis)) > (other.correct, std::cmp::Reverse(other.millis))
    }
}

/// The people board: best score first, then the faster; equal on both share a rank.
pub fn rank_people<P>(results: Vec<BestAttempt<P>>) -> Vec<Ranked<BestAttempt<P>>> {
    rank_by(results, |r| (r.correct, std::cmp::Reverse(r.millis)))
}

/// A non-negative fraction compared exactly (no rounding can make two rates tie or
/// part); a zero denominator reads as zero.
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    /// Numerator.
    pub num: u64,
    /// Denominator.
    pub den: u64,
}

impl Ratio {
    /// The fraction in thousandths, rounded half up (what pages show as 12.3 %).
    pub fn per_mille(self) -> u64 {
        if self.den == 0 {
            return 0;
        }
        let value = (u128::from(self.num) * 2000 + u128::from(self.den)) / (2 * u128::from(self.den));
        u64::try_from(value).unwrap_or(u64::MAX)
    }

    fn reduced(self) -> Ratio {
        if self.den == 0 { Ratio { num: 0, den: 1 } } else { self }
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        let (a, b) = (self.reduced(), other.reduced());
        (u128::from(a.num) * u128::from(b.den)).cmp(&(u128::from(b.num) * u128::from(a.den)))
    }
}

/// A union's standing in a contest: its subtree's members, the members who took part
/// and the sum of their best scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionResult<U> {
    /// The union.
    pub union: U,
    /// Members held in its subtree.
    pub members: u64,
    /// Of them, those with a finished attempt.
    pub participants: u64,
    /// Their best attempts' right answers, summed.
    pub correct_sum: u64,
}

impl<U> UnionResult<U> {
    /// Participants ÷ members (more than 1 when members left after taking part).
    pub fn participation(&self) -> Ratio {
        Ratio { num: self.participants, den: self.members }
    }

    /// The participants' average best score as a fraction of the full score, for
    /// attempts of `questions` questions.
    pub fn average(&self, questions: u32) -> Ratio {
        Ratio { num: self.correct_sum, den: self.participants.saturating_mul(u64::from(questions)) }
    }
}

/// What the union board is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnionOrder {
    /// Participation rate first, then average score.
    Participation,
    /// Average score first, then participation rate.
    AverageScore,
}

/// The union board: best first by `order`; equal on both figures share a rank.
pub fn rank_unions<U>(
    results: Vec<UnionResult<U>>,
    order: UnionOrder,
    questions: u32,
) -> Vec<Ranked<UnionResult<U>>> {
    rank_by(results, |r| match order {
        UnionOrder::Participation => (r.participation(), r.average(questions)),
        UnionOrder::AverageScore => (r.average(questions), r.participation()),
    })
}
