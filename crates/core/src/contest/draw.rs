//! The draw of an attempt's questions: so many from each category, at random but fixed
//! by a seed, so the server can rebuild an attempt's questions from what it stored.

use std::collections::BTreeMap;

use super::{Category, QuestionId};

/// A question of the bank, as the draw sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankQuestion {
    /// Its id in the bank.
    pub id: QuestionId,
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
    /// The whole bank has fewer questions than an attempt asks.
    #[error("the bank has {available} questions, {wanted} wanted")]
    BankTooSmall {
        /// Questions per attempt.
        wanted: u32,
        /// Questions in the bank.
        available: u64,
    },
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

/// Quotas for `wanted` questions when the organiser named none: each category of the
/// bank (`(category, questions in it)`) in proportion to its size, the remaining
/// questions going to the largest remainders (then the larger category, then the name),
/// so every quota fits its category and they add up to `wanted`.
///
/// # Errors
///
/// [`DrawError::Empty`] for no question wanted; [`DrawError::BankTooSmall`] when the
/// bank holds fewer than `wanted`.
pub fn default_quotas(bank: &[(Category, u64)], wanted: u32) -> Result<Vec<CategoryQuota>, DrawError> {
    let available: u64 = bank.iter().map(|(_, n)| n).sum();
    if wanted == 0 {
        return Err(DrawError::Empty);
    }
    if available < u64::from(wanted) {
        return Err(DrawError::BankTooSmall { wanted, available });
    }
    let wanted64 = u64::from(wanted);
    let mut shares: Vec<(u64, u64, &Category, u64)> = bank
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(category, n)| {
            let exact = u128::from(wanted64) * u128::from(*n);
            let floor = u64::try_from(exact / u128::from(available)).unwrap_or(0);
            let remainder = u64::try_from(exact % u128::from(available)).unwrap_or(0);
            (floor, remainder, category, *n)
        })
        .collect();
    let mut left = wanted64 - shares.iter().map(|s| s.0).sum::<u64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&shares[a], &shares[b]);
        y.1.cmp(&x.1).then(y.3.cmp(&x.3)).then(x.2.cmp(y.2))
    });
    for index in order {
        if left == 0 {
            break;
        }
        if shares[index].0 < shares[index].3 {
            shares[index].0 += 1;
            left -= 1;
        }
    }
    shares.sort_by(|a, b| a.2.cmp(b.2));
    Ok(shares
        .into_iter()
        .filter(|s| s.0 > 0)
        .map(|(count, _, category, _)| CategoryQuota {
            category: category.clone(),
            count: u32::try_from(count).unwrap_or(u32::MAX),
        })
        .collect())
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
) -> Result<Vec<QuestionId>, DrawError> {
    let mut by_category: BTreeMap<&Category, Vec<QuestionId>> = BTreeMap::new();
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
