//! 创新成果评选: weighted criteria, each judge's weighted score, the trimmed mean across
//! judges, the ranked result with ties, and the award tiers. Blindness (judges never see
//! whose entry it is) is kept by what the app shows; the conflict rule is here, and so
//! are the rules of an entry ([`entry`]: attachments, identifying text).

pub mod entry;

use std::fmt;

use crate::civil_date::CivilDate;
use crate::ids::id_newtype;
use crate::labelled::{coded_enum, labelled_enum};
use crate::ranking::{Ranked, rank_by};

id_newtype! {
    /// A call for innovation results (创新成果评选).
    CallId;
    /// An entry to a call.
    EntryId;
    /// A file attached to an entry.
    AttachmentId;
}

coded_enum!(
    /// Where a call stands: open (entries and scores are taken) until an admin closes it,
    /// which computes the result and publishes it.
    CallStatus {
        /// Taking entries (within its window) and scores.
        Open = "open",
        /// Scored, ranked, awarded and published; nothing changes any more.
        Closed = "closed",
    }
);

/// Most categories a call may have.
const MAX_CATEGORIES: usize = 10;

/// A call's categories (e.g. 技术革新, 发明创造, 合理化建议): 1–10 distinct names of up to 20
/// characters, written one per line or separated by 、 or commas; `None` otherwise.
pub fn parse_categories(text: &str) -> Option<Vec<String>> {
    super::parse_list(text, MAX_CATEGORIES).filter(|c| !c.is_empty())
}

/// The days a call takes entries, both included, in China's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallWindow {
    /// The first day.
    pub opens: CivilDate,
    /// The last day.
    pub closes: CivilDate,
}

impl CallWindow {
    /// `None` when the window closes before it opens.
    pub fn new(opens: CivilDate, closes: CivilDate) -> Option<CallWindow> {
        (opens <= closes).then_some(CallWindow { opens, closes })
    }

    /// Whether an entry may be submitted on `today`.
    pub fn takes_entries(self, today: CivilDate) -> bool {
        self.opens <= today && today <= self.closes
    }
}

/// With this many judges or more, the highest and the lowest score are dropped.
pub const TRIM_FROM_JUDGES: usize = 5;

/// Most criteria a call may have.
const MAX_CRITERIA: usize = 10;

/// A score in hundredths of a point, 0.00–100.00: exact, so ties are real ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(u32);

impl Hundredths {
    /// `None` above 100.00.
    pub const fn new(hundredths: u32) -> Option<Hundredths> {
        if hundredths <= 10_000 { Some(Hundredths(hundredths)) } else { None }
    }

    /// The value in hundredths (what the database stores).
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Hundredths {
    /// `86.25`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// One criterion and its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criterion {
    /// e.g. 创新性, 实用性, 经济效益.
    pub name: String,
    /// Relative weight, 1–100.
    pub weight: u32,
}

/// A call's criteria: 1–10, named uniquely, weights 1–100.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria(Vec<Criterion>);

/// Why criteria or a score sheet are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    /// No criteria, or more than ten.
    #[error("a call has 1 to 10 criteria")]
    CriteriaCount,
    /// A criterion without a name, or two with the same.
    #[error("criteria need distinct names")]
    CriterionName,
    /// A weight outside 1–100.
    #[error("weights are 1 to 100")]
    Weight,
    /// A sheet with another number of marks than criteria.
    #[error("one mark per criterion")]
    MarkCount,
    /// A mark above 100.
    #[error("marks are 0 to 100")]
    Mark,
}

impl Criteria {
    /// Checks the list.
    ///
    /// # Errors
    ///
    /// [`EvaluationError`] for the count, a name or a weight.
    pub fn new(criteria: Vec<Criterion>) -> Result<Criteria, EvaluationError> {
        if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
            return Err(EvaluationError::CriteriaCount);
        }
        for (i, c) in criteria.iter().enumerate() {
            if c.name.trim().is_empty()
                || criteria[..i].iter().any(|other| other.name.trim() == c.name.trim())
            {
                return Err(EvaluationError::CriterionName);
            }
            if !(1..=100).contains(&c.weight) {
                return Err(EvaluationError::Weight);
            }
        }
        Ok(Criteria(criteria))
    }

    /// The criteria in order.
    pub fn as_slice(&self) -> &[Criterion] {
        &self.0
    }

    /// One judge's score of one entry: the weighted mean of the marks (0–100 each, one
    /// per criterion in order), rounded half up to hundredths.
    ///
    /// # Errors
    ///
    /// [`EvaluationError::MarkCount`] or [`EvaluationError::Mark`].
    pub fn weighted_score(&self, marks: &[u32]) -> Result<Hundredths, EvaluationError> {
        if marks.len() != self.0.len() {
            return Err(EvaluationError::MarkCount);
        }
        if marks.iter().any(|m| *m > 100) {
            return Err(EvaluationError::Mark);
        }
        let total_weight: u64 = self.0.iter().map(|c| u64::from(c.weight)).sum();
        let weighted: u64 = self.0.iter().zip(marks).map(|(c, m)| u64::from(c.weight) * u64::from(*m)).sum();
        let hundredths = (weighted * 200 + total_weight) / (2 * total_weight);
        Hundredths::new(u32::try_from(hundredths).unwrap_or(u32::MAX)).ok_or(EvaluationError::Mark)
    }
}

/// The entry's score across judges: the mean, rounded half up, after dropping one
/// highest and one lowest score when there are at least [`TRIM_FROM_JUDGES`] judges;
/// `None` without scores.
pub fn trimmed_mean(scores: &[Hundredths]) -> Option<Hundredths> {
    let mut sorted: Vec<u64> = scores.iter().map(|s| u64::from(s.0)).collect();
    sorted.sort_unstable();
    let kept = if sorted.len() >= TRIM_FROM_JUDGES { &sorted[1..sorted.len() - 1] } else { &sorted[..] };
    let count = u64::try_from(kept.len()).ok().filter(|n| *n > 0)?;
    let sum: u64 = kept.iter().sum();
    Hundredths::new(u32::try_from((sum * 2 + count) / (2 * count)).ok()?)
}

/// Whether a judge may not score an entry: the entry comes from one of the judge's own
/// studios (or the judge is among its authors — pass their ids as `judge_affiliations`).
pub fn conflict_of_interest<T: PartialEq>(judge_affiliations: &[T], entry_affiliations: &[T]) -> bool {
    judge_affiliations.iter().any(|a| entry_affiliations.contains(a))
}

labelled_enum!(
    /// An award tier.
    Award {
        /// 一等奖
        First = "first", "一等奖", "First prize";
        /// 二等奖
        Second = "second", "二等奖", "Second prize";
        /// 三等奖
        Third = "third", "三等奖", "Third prize";
        /// 优秀奖
        Excellence = "excellence", "优秀奖", "Excellence award";
    }
);

/// How many awards of each tier a call gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwardPlan {
    /// 一等奖
    pub first: u32,
    /// 二等奖
    pub second: u32,
    /// 三等奖
    pub third: u32,
    /// 优秀奖
    pub excellence: u32,
}

impl AwardPlan {
    /// The award for a rank: the first `first` ranks win first prizes, and so on. Tied
    /// entries share a rank, so a tie across a boundary gives all of them the higher
    /// award (and the next tier starts later: ranks skip).
    pub fn award_for(self, rank: u32) -> Option<Award> {
        let mut limit = 0u32;
        for (count, award) in [
            (self.first, Award::First),
            (self.second, Award::Second),
            (self.third, Award::Third),
            (self.excellence, Award::Excellence),
        ] {
            limit = limit.saturating_add(count);
            if rank <= limit {
                return Some(award);
            }
        }
        None
    }
}

/// One entry's place in the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryResult<E> {
    /// The entry.
    pub entry: E,
    /// Its trimmed-mean score.
    pub score: Hundredths,
    /// Its rank (ties share).
    pub rank: u32,
    /// Its award, if any.
    pub award: Option<Award>,
}

/// The ranked result of a call, best first.
pub fn results<E>(scored: Vec<(E, Hundredths)>, plan: AwardPlan) -> Vec<EntryResult<E>> {
    rank_by(scored, |(_, score)| *score)
        .into_iter()
        .map(|Ranked { rank, item: (entry, score) }| EntryResult {
            entry,
            score,
            rank,
            award: plan.award_for(rank),
        })
        .collect()
}

#[cfg(test)]
mod tests;
