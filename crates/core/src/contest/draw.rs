//! The draw of an attempt's questions: so many from each category, at random but fixed
//! by a seed, so the server can rebuild an attempt's questions from what it stored.

use std::collections::BTreeMap;

use super::Category;

/// A question of the bank, as the draw sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankQuestion {
    /// Its id in the bank.
    pub id: i64,
    /// Its category.
    pub category: Category,
}

/// How many questions to draw from one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryQuota {
    /// The category.
    pub category: Category,
    /// Questions to draw from it.
    pub count: u32,
}

/// Why a draw cannot be made: a contest misconfiguration to show its organiser.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// The bank has fewer questions in a category than its quota.
    #[error("category {category:?} has {available} questions, {wanted} wanted")]
    NotEnough {
        /// The category.
        category: String,
        /// Its quota.
        wanted: u32,
        /// Questions in the bank.
        available: usize,
    },
    /// A category appears twice in the quotas.
    #[error("category {0:?} has two quotas")]
    DuplicateCategory(String),
    /// The quotas add up to no question.
    #[error("no questions to draw")]
    Empty,
}

/// SplitMix64: small, fast and fully determined by its seed (no dependency, no platform
/// difference), which is all a fair, repeatable draw needs.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound ≥ 1), by rejection so no index is favoured.
    fn below(&mut self, bound: usize) -> usize {
        let bound = bound as u64;
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let value = self.next();
            if value < zone {
                return usize::try_from(value % bound).unwrap_or(0);
            }
        }
    }

    /// Moves a uniformly chosen `k`-subset, in random order, to the front of `items`.
    fn partial_shuffle<T>(&mut self, items: &mut [T], k: usize) {
        for i in 0..k.min(items.len()) {
            let j = i + self.below(items.len() - i);
            items.swap(i, j);
        }
    }
}

/// Draws the attempt's question ids: exactly each quota from its category, without
/// repeats, in a random order mixing the categories. The same bank, quotas and seed
/// always give the same questions, whatever order the bank is listed in.
///
/// # Errors
///
/// [`DrawError`] when a category is short, repeated, or nothing is asked.
pub fn draw_questions(
    bank: &[BankQuestion],
    quotas: &[CategoryQuota],
    seed: u64,
) -> Result<Vec<i64>, DrawError> {
    let mut by_category: BTreeMap<&Category, Vec<i64>> = BTreeMap::new();
    for question in bank {
        by_category.entry(&question.category).or_default().push(question.id);
    }
    let mut rng = SplitMix64(seed);
    let mut drawn = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for quota in quotas {
        if !seen.insert(&quota.category) {
            return Err(DrawError::DuplicateCategory(quota.category.as_str().to_owned()));
        }
        let mut ids = by_category.get(&quota.category).cloned().unwrap_or_default();
        ids.sort_unstable();
        ids.dedup();
        let wanted = usize::try_from(quota.count).unwrap_or(usize::MAX);
        if ids.len() < wanted {
            return Err(DrawError::NotEnough {
                category: quota.category.as_str().to_owned(),
                wanted: quota.count,
                available: ids.len(),
            });
        }
        rng.partial_shuffle(&mut ids, wanted);
        drawn.extend_from_slice(&ids[..wanted]);
    }
    if drawn.is_empty() {
        return Err(DrawError::Empty);
    }
    let all = drawn.len();
    rng.partial_shuffle(&mut drawn, all);
    Ok(drawn)
}
