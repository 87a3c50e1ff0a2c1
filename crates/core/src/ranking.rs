//! Ranking with ties (standard competition ranking, “1, 2, 2, 4”): one rule for the
//! innovation awards' results and the contest's leaderboards.

/// An item and its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked<T> {
    /// 1 for the best; items with equal keys share a rank, and the next rank skips.
    pub rank: u32,
    /// The ranked item.
    pub item: T,
}

/// Orders `items` best first by `key` (a greater key is better) and gives each its rank;
/// items with equal keys share the rank of the first of them and keep their input order
/// (the sort is stable), so callers break ties deliberately in the key or not at all.
pub fn rank_by<T, K: Ord>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<Ranked<T>> {
    items.sort_by_key(|item| std::cmp::Reverse(key(item)));
    let mut ranked: Vec<Ranked<T>> = Vec::with_capacity(items.len());
    for (position, item) in (1u32..).zip(items) {
        let rank = match ranked.last() {
            Some(previous) if key(&previous.item) == key(&item) => previous.rank,
            _ => position,
        };
        ranked.push(Ranked { rank, item });
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let ranked = rank_by(vec![("a", 80), ("b", 95), ("c", 80), ("d", 70)], |(_, s)| *s);
        let places: Vec<_> = ranked.iter().map(|r| (r.item.0, r.rank)).collect();
        assert_eq!(places, [("b", 1), ("a", 2), ("c", 2), ("d", 4)]);
        assert!(rank_by(Vec::<u8>::new(), |x| *x).is_empty());
    }

    proptest! {
        #[test]
        fn ranks_count_the_strictly_better(scores in proptest::collection::vec(0u8..10, 0..40)) {
            let ranked = rank_by(scores.clone(), |s| *s);
            for r in &ranked {
                let better = scores.iter().filter(|s| **s > r.item).count();
                prop_assert_eq!(r.rank as usize, better + 1);
            }
        }
    }
}
