//! Reading the cells of a registry workbook: counts, dates and sums of money as people
//! type them into spreadsheets.

use huiji_core::CivilDate;
use huiji_core::money::Amount;
use huiji_tabular::Cell;

/// The cell as trimmed text (numbers as Excel shows them).
pub(super) fn text(cell: &Cell) -> String {
    cell.to_string().trim().to_owned()
}

/// A count: empty is 0; a whole non-negative number, as a number cell or digits.
pub(super) fn count(cell: &Cell) -> Option<u32> {
    match cell {
        Cell::Empty => Some(0),
        Cell::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX) => {
            format!("{n:.0}").parse().ok()
        }
        Cell::Text(t) if t.trim().is_empty() => Some(0),
        Cell::Text(t) => t.trim().trim_end_matches(['人', '个', '家', '项', '件']).parse().ok(),
        _ => None,
    }
}

/// A date: empty is none; a date cell, or text such as 2019-05-01, 2019/5/1, 2019.5,
/// 2019年5月1日 (a month alone means its first day).
pub(super) fn date(cell: &Cell) -> Option<Option<CivilDate>> {
    match cell {
        Cell::Empty => Some(None),
        Cell::Date(date) | Cell::DateTime { date, .. } => Some(Some(*date)),
        Cell::Text(t) if t.trim().is_empty() => Some(None),
        Cell::Text(t) => {
            let t = t.trim();
            if let Some(date) = CivilDate::parse_iso(t) {
                return Some(Some(date));
            }
            let parts: Vec<&str> = t
                .trim_end_matches('日')
                .split(['-', '/', '.', '年', '月'])
                .filter(|p| !p.is_empty())
                .collect();
            let number = |i: usize| parts.get(i).map(|p| p.parse::<u32>().ok());
            let (year, month, day) = match parts.len() {
                2 => (number(0)??, number(1)??, 1),
                3 => (number(0)??, number(1)??, number(2)??),
                _ => return None,
            };
            let year = i32::try_from(year).ok()?;
            CivilDate::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?).map(Some)
        }
        _ => None,
    }
}

/// A sum of money in yuan: empty is nothing; a number cell, or text such as 12,000,
/// 3.5万 or ¥860.50元.
pub(super) fn amount(cell: &Cell) -> Option<Amount> {
    match cell {
        Cell::Empty => Some(Amount::ZERO),
        Cell::Number(n) if *n >= 0.0 => {
            let fen = (n * 100.0).round();
            if fen > 1e15 { None } else { format!("{fen:.0}").parse().ok().and_then(Amount::from_fen) }
        }
        Cell::Text(t) if t.trim().is_empty() => Some(Amount::ZERO),
        Cell::Text(t) => Amount::parse(t).ok(),
        _ => None,
    }
}

/// Yes unless the cell says no (否, 不公开, no, false, 0).
pub(super) fn yes_unless_no(cell: &Cell) -> bool {
    match cell {
        Cell::Bool(b) => *b,
        Cell::Number(n) => *n != 0.0,
        other => {
            let t = text(other).to_lowercase();
            !matches!(t.as_str(), "否" | "不" | "不公开" | "no" | "n" | "false")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_typed() {
        let t = |s: &str| Cell::Text(s.to_owned());
        assert_eq!(count(&Cell::Number(12.0)), Some(12));
        assert_eq!((count(&Cell::Number(1.5)), count(&Cell::Number(-1.0))), (None, None));
        assert_eq!((count(&t(" 8人")), count(&Cell::Empty), count(&t("很多"))), (Some(8), Some(0), None));
        let d = |y, m, d| Some(Some(CivilDate::new(y, m, d).unwrap()));
        assert_eq!(date(&t("2019/5/1")), d(2019, 5, 1));
        assert_eq!(date(&t("2019年5月")), d(2019, 5, 1));
        assert_eq!(date(&t("2019年5月8日")), d(2019, 5, 8));
        assert_eq!(date(&t("2019-02-30")), None);
        assert_eq!(date(&Cell::Empty), Some(None));
        assert_eq!(amount(&t("3.5万")), Amount::from_yuan(35_000));
        assert_eq!(amount(&Cell::Number(860.5)), Amount::from_fen(86_050));
        assert_eq!(amount(&Cell::Number(-1.0)), None);
        assert!(!yes_unless_no(&t("否")) && yes_unless_no(&t("是")) && yes_unless_no(&Cell::Empty));
    }
}
