//! Statistics (issue 17): the pure parts of the figures an officer sees — the day and
//! month keys the rollups are kept under, flows and their net, members on a past date
//! from the members now and the flows after it, percentiles of review times, the last
//! twelve weeks, and Anhui's sixteen cities as a tile map.
//!
//! The rollups themselves live in the store; everything here is arithmetic on what they
//! return, so it is tested without a database.

pub mod review;
pub mod tiles;

use crate::CivilDate;

/// A China date as the rollups key it: `YYYYMMDD` (20251231), so ranges of days are
/// ranges of integers and a month's days share the key divided by 100.
pub fn day_key(date: CivilDate) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// A month as the rollups key it: `YYYYMM`.
pub fn month_key(date: CivilDate) -> i64 {
    i64::from(date.year()) * 100 + i64::from(date.month())
}

/// The date of a day key, if it names one.
pub fn date_of_day_key(key: i64) -> Option<CivilDate> {
    let year = i32::try_from(key / 10_000).ok()?;
    let month = u8::try_from(key / 100 % 100).ok()?;
    let day = u8::try_from(key % 100).ok()?;
    CivilDate::new(year, month, day)
}

/// The month key `months` before (negative) or after the month of `key`.
pub fn shift_month(key: i64, months: i64) -> i64 {
    let index = key / 100 * 12 + (key % 100 - 1) + months;
    index.div_euclid(12) * 100 + index.rem_euclid(12) + 1
}

/// The last `count` month keys up to and including the month of `today`, oldest first.
pub fn last_months(today: CivilDate, count: u32) -> Vec<i64> {
    let this = month_key(today);
    (0..i64::from(count)).rev().map(|back| shift_month(this, -back)).collect()
}

/// A week of the last twelve: Monday to Sunday, China dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    /// Its Monday.
    pub first: CivilDate,
    /// Its Sunday (in the future for the current week).
    pub last: CivilDate,
}

/// Days from 1970-01-01 (a Thursday) to a Monday, modulo 7.
const MONDAY_OFFSET: i64 = 4;

/// The `count` weeks (Monday to Sunday) up to and including the one of `today`, oldest
/// first.
pub fn last_weeks(today: CivilDate, count: u32) -> Vec<Week> {
    let from_monday = (today.days_since_epoch() - MONDAY_OFFSET).rem_euclid(7);
    let monday = today.plus_days(-from_monday).unwrap_or(today);
    (0..i64::from(count))
        .rev()
        .filter_map(|back| {
            let first = monday.plus_days(-7 * back)?;
            Some(Week { first, last: first.plus_days(6)? })
        })
        .collect()
}

/// Changes of a subtree's held memberships over a period. Transfers count only those
/// across the subtree's edge (a move between two of its unions changes nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    /// New memberships (入会).
    pub joined: i64,
    /// 退会
    pub withdrawn: i64,
    /// 除名
    pub expelled: i64,
    /// Deaths.
    pub deceased: i64,
    /// Transfers and distributions in from outside the subtree (转入).
    pub moved_in: i64,
    /// Transfers and distributions out of the subtree (转出).
    pub moved_out: i64,
}

impl Flows {
    /// Members who left: withdrawn, expelled or deceased.
    pub fn left(&self) -> i64 {
        self.withdrawn + self.expelled + self.deceased
    }

    /// Net growth: joins and transfers in, less leavings and transfers out.
    pub fn net(&self) -> i64 {
        self.joined - self.left() + self.moved_in - self.moved_out
    }

    /// Adds another period's or group's flows.
    pub fn add(&mut self, other: &Flows) {
        self.joined += other.joined;
        self.withdrawn += other.withdrawn;
        self.expelled += other.expelled;
        self.deceased += other.deceased;
        self.moved_in += other.moved_in;
        self.moved_out += other.moved_out;
    }
}

/// Members held on a past date: the members now less the net growth after that date.
/// Exact as long as every change since then is in the flows (it is: they are kept in the
/// same transaction as each change).
pub fn members_on(now: i64, net_after: i64) -> i64 {
    now - net_after
}

/// Where the flows after `date` are: the years after its year (the yearly rollup), the
/// months after its month within its year (the monthly one), and the rest of its own
/// month (the daily one) — at most a few dozen periods however far back the date lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct After {
    /// The first year wholly after the date.
    pub years_from: i64,
    /// The first and last month keys after the date within its year (an empty range in
    /// December).
    pub months: (i64, i64),
    /// The first and last day keys after the date within its month (an empty range on
    /// its month's last day; the last may name no real day, which no row has).
    pub days: (i64, i64),
}

/// Where the flows after `date` are read (see [`After`]).
pub fn after(date: CivilDate) -> After {
    let month = month_key(date);
    let year = i64::from(date.year());
    After {
        years_from: year + 1,
        months: (month + 1, year * 100 + 12),
        days: (day_key(date) + 1, month * 100 + 31),
    }
}

/// The value at percentile `p` (0–100) of ascending values, by nearest rank; `None` when
/// there are none.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u128::from(p.min(100)) * n as u128).div_ceil(100).max(1);
    let index = usize::try_from(rank).map_or(n - 1, |r| r - 1).min(n - 1);
    sorted.get(index).copied()
}

/// A share in per mille of a whole, for display as a percentage with one decimal; `None`
/// when the whole is zero.
pub fn per_mille(part: i64, whole: i64) -> Option<i64> {
    (whole != 0).then(|| {
        let scaled = part * 1000;
        let half = whole.abs() / 2;
        if (scaled < 0) == (whole < 0) {
            (scaled.abs() + half) / whole.abs()
        } else {
            -((scaled.abs() + half) / whole.abs())
        }
    })
}

/// A per-mille share as `41.2%` (one decimal), or `—` without one.
pub fn percent_text(per_mille: Option<i64>) -> String {
    match per_mille {
        Some(v) => {
            let sign = if v < 0 { "-" } else { "" };
            format!("{sign}{}.{}%", v.abs() / 10, v.abs() % 10)
        }
        None => "—".to_owned(),
    }
}

/// A duration in milliseconds as hours with one decimal (`26.5`), the unit review times
/// are shown in.
pub fn hours_text(millis: i64) -> String {
    let tenths = (millis + 180_000) / 360_000;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> CivilDate {
        CivilDate::new(y, m, day).unwrap_or(CivilDate::EPOCH)
    }

    #[test]
    fn keys_round_trip_and_months_shift_across_years() {
        assert_eq!(day_key(d(2025, 12, 31)), 20251231);
        assert_eq!(month_key(d(2025, 12, 31)), 202512);
        assert_eq!(date_of_day_key(20240229), Some(d(2024, 2, 29)));
        assert_eq!(date_of_day_key(20230229), None);
        assert_eq!(shift_month(202512, 1), 202601);
        assert_eq!(shift_month(202601, -1), 202512);
        assert_eq!(shift_month(202603, -15), 202412);
        assert_eq!(last_months(d(2026, 2, 10), 3), vec![202512, 202601, 202602]);
    }

    #[test]
    fn the_flows_after_a_date_are_the_later_months_and_the_rest_of_its_month() {
        let end = After { years_from: 2026, months: (202513, 202512), days: (20251232, 20251231) };
        assert_eq!(after(d(2025, 12, 31)), end);
        let early = After { years_from: 2026, months: (202503, 202512), days: (20250211, 20250231) };
        assert_eq!(after(d(2025, 2, 10)), early);
        assert_eq!(members_on(100, 7), 93);
    }

    #[test]
    fn weeks_run_monday_to_sunday_oldest_first() {
        // 2026-12-02 is a Wednesday.
        let weeks = last_weeks(d(2026, 12, 2), 12);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11], Week { first: d(2026, 11, 30), last: d(2026, 12, 6) });
        assert_eq!(weeks[0].first, d(2026, 9, 14));
        assert!(weeks.windows(2).all(|w| w[0].last.plus_days(1) == Some(w[1].first)));
    }

    #[test]
    fn net_growth_counts_leavings_and_crossings() {
        let mut f = Flows { joined: 10, withdrawn: 2, expelled: 1, deceased: 1, moved_in: 3, moved_out: 4 };
        assert_eq!((f.left(), f.net()), (4, 5));
        f.add(&Flows { joined: 1, ..Flows::default() });
        assert_eq!(f.net(), 6);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[5], 90), Some(5));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(
            (percentile(&v, 50), percentile(&v, 90), percentile(&v, 100)),
            (Some(5), Some(9), Some(10))
        );
        assert_eq!(percentile(&[1, 2, 3], 0), Some(1));
    }

    #[test]
    fn shares_and_hours_read_as_people_write_them() {
        assert_eq!(percent_text(per_mille(412, 1000)), "41.2%");
        assert_eq!(percent_text(per_mille(1, 3)), "33.3%");
        assert_eq!(percent_text(per_mille(-5, 100)), "-5.0%");
        assert_eq!(percent_text(per_mille(1, 0)), "—");
        assert_eq!(hours_text(95_400_000), "26.5");
        assert_eq!(hours_text(0), "0.0");
    }
}
