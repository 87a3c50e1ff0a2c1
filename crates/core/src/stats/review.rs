//! Times to an officer's decision as the review rollup keeps them: a histogram of
//! buckets, fine where decisions are quick and coarse where they are slow (10 minutes
//! up to an hour, hours up to a day, 6 hours up to a week, days up to 30 days, then one
//! bucket), so a month of a province's decisions is a few dozen rows per union and day
//! instead of a row per application. The median and 90th percentile are read from it as
//! the middle of the bucket holding that rank — within 5 minutes under an hour, 30
//! minutes under a day, 3 hours under a week.
//!
//! The store computes the same buckets in SQL (`huiji_store`'s `review_bucket!`); its
//! conformance tests hold the two to each other.

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Each range of buckets: its first bucket, where it starts (ms) and each bucket's width.
const RANGES: [(i64, i64, i64); 4] =
    [(0, 0, 10 * MINUTE), (6, HOUR, HOUR), (29, DAY, 6 * HOUR), (53, 7 * DAY, DAY)];
/// The last bucket: 30 days and longer.
pub const LAST_BUCKET: i64 = 76;
/// Where the last bucket starts.
const LAST_START: i64 = 30 * DAY;

/// The bucket of a time to decision (ms; a negative time counts as none).
pub fn review_bucket(millis: i64) -> i64 {
    let t = millis.max(0);
    if t >= LAST_START {
        return LAST_BUCKET;
    }
    RANGES
        .iter()
        .rev()
        .find(|(_, start, _)| t >= *start)
        .map_or(0, |(first, start, width)| first + (t - start) / width)
}

/// The middle of a bucket (ms); the last bucket's start.
pub fn bucket_middle(bucket: i64) -> i64 {
    if bucket >= LAST_BUCKET {
        return LAST_START;
    }
    RANGES
        .iter()
        .rev()
        .find(|(first, _, _)| bucket >= *first)
        .map_or(0, |(first, start, width)| start + (bucket - first) * width + width / 2)
}

/// The time at percentile `p` (0–100) of a histogram `(bucket, decisions)` by nearest
/// rank, as its bucket's middle; `None` without decisions.
pub fn histogram_percentile(histogram: &[(i64, i64)], p: u32) -> Option<i64> {
    let mut sorted: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = (i64::from(p.min(100)) * total + 99) / 100;
    let rank = rank.max(1);
    let mut seen = 0;
    for (bucket, n) in &sorted {
        seen += n;
        if seen >= rank {
            return Some(bucket_middle(*bucket));
        }
    }
    sorted.last().map(|(bucket, _)| bucket_middle(*bucket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_fine_when_quick_and_coarse_when_slow() {
        assert_eq!(review_bucket(-5), 0);
        assert_eq!(review_bucket(9 * MINUTE), 0);
        assert_eq!(review_bucket(10 * MINUTE), 1);
        assert_eq!(review_bucket(59 * MINUTE), 5);
        assert_eq!(review_bucket(HOUR), 6);
        assert_eq!(review_bucket(23 * HOUR + 59 * MINUTE), 28);
        assert_eq!(review_bucket(DAY), 29);
        assert_eq!(review_bucket(7 * DAY - 1), 52);
        assert_eq!(review_bucket(7 * DAY), 53);
        assert_eq!(review_bucket(30 * DAY - 1), 75);
        assert_eq!(review_bucket(30 * DAY), LAST_BUCKET);
        // Every bucket's middle lies in it.
        for bucket in 0..=LAST_BUCKET {
            assert_eq!(review_bucket(bucket_middle(bucket)), bucket, "{bucket}");
        }
    }

    #[test]
    fn percentiles_by_nearest_rank_over_the_buckets() {
        assert_eq!(histogram_percentile(&[], 50), None);
        // Ten decisions: 5 within 10 minutes, 4 at 2–3 hours, 1 after 2 days.
        let h = [(29 + 4, 1), (7, 4), (0, 5)];
        assert_eq!(histogram_percentile(&h, 50), Some(5 * MINUTE));
        assert_eq!(histogram_percentile(&h, 90), Some(2 * HOUR + 30 * MINUTE));
        assert_eq!(histogram_percentile(&h, 100), Some(DAY + 4 * 6 * HOUR + 3 * HOUR));
    }
}
