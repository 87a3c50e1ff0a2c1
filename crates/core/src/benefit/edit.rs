//! Changing a programme once it runs: its name, provider, hotline, last day and quota —
//! never its kind, mode or eligibility, which members were granted under. Closing it is
//! ending it yesterday: no grant or claim from today, the grants made kept.

use super::draft::{MAX_NAME_CHARS, MAX_PROVIDER_CHARS, check_hotline, date, error, number, text};
use super::{MAX_QUOTA, Period};
use crate::civil_date::CivilDate;
use crate::joining::FieldError;

/// The changeable fields as typed; an empty last day leaves the programme open-ended.
#[derive(Clone, Debug, Default)]
pub struct EditFields<'a> {
    /// What members see.
    pub name: &'a str,
    /// The insurer or provider.
    pub provider: &'a str,
    /// Their hotline.
    pub hotline: &'a str,
    /// Last day (YYYY-MM-DD).
    pub until: &'a str,
    /// Total grants allowed (at least those granted: the database has the last word).
    pub quota: &'a str,
}

/// A checked change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeEdit {
    /// The name.
    pub name: String,
    /// The insurer or provider.
    pub provider: Option<String>,
    /// Their hotline.
    pub hotline: Option<String>,
    /// The period: the first day kept, the last day as typed.
    pub period: Period,
    /// Total grants allowed.
    pub quota: u32,
}

/// Checks the fields against the programme's first day; all problems at once.
///
/// # Errors
///
/// Each field's problem, in form order.
pub fn parse_edit(
    fields: &EditFields<'_>,
    from: Option<CivilDate>,
) -> Result<ProgrammeEdit, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text("name", fields.name, MAX_NAME_CHARS, &mut errors);
    if name.is_none() && !errors.iter().any(|e| e.field == "name") {
        errors.push(error("name", "benefit.name", "请填写项目名称", "the programme needs a name"));
    }
    let provider = text("provider", fields.provider, MAX_PROVIDER_CHARS, &mut errors);
    let hotline = fields.hotline.trim();
    check_hotline(hotline, &mut errors);
    let until = date("until", fields.until, &mut errors);
    let period = Period::new(from, until);
    if period.is_none() {
        errors.push(error(
            "until",
            "benefit.period",
            "结束日期早于开始日期",
            "the last day is before the first",
        ));
    }
    let quota = number("quota", fields.quota, 1..=MAX_QUOTA, &mut errors);
    if quota.is_none() && fields.quota.trim().is_empty() {
        errors.push(error("quota", "benefit.quota", "请填写名额总数", "the programme needs a quota"));
    }
    match (name, period, quota) {
        (Some(name), Some(period), Some(quota)) if errors.is_empty() => Ok(ProgrammeEdit {
            name: name.to_owned(),
            provider: provider.map(str::to_owned),
            hotline: (!hotline.is_empty()).then(|| hotline.to_owned()),
            period,
            quota,
        }),
        _ => Err(errors),
    }
}

/// The period of a programme closed on `today`: it ended yesterday; one that had not
/// begun never does (both days yesterday).
pub fn closed_period(period: Period, today: CivilDate) -> Option<Period> {
    let yesterday = today.plus_days(-1)?;
    let from = period.from().map(|f| if f > yesterday { yesterday } else { f });
    Period::new(from, Some(yesterday))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> CivilDate {
        CivilDate::parse_iso(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn fields() -> EditFields<'static> {
        EditFields {
            name: " 意外伤害保险 ",
            provider: "中国人寿",
            hotline: "95519",
            until: "2026-12-31",
            quota: "200000",
        }
    }

    #[test]
    fn a_change_parses_keeping_the_first_day() {
        let edit = parse_edit(&fields(), Some(day("2026-01-01"))).unwrap();
        assert_eq!(edit.name, "意外伤害保险");
        assert_eq!(
            (edit.period.from(), edit.period.until()),
            (Some(day("2026-01-01")), Some(day("2026-12-31")))
        );
        assert_eq!(edit.quota, 200_000);
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let bad = EditFields { name: "", hotline: "call us", until: "2025-12-31", quota: "0", ..fields() };
        let errors = parse_edit(&bad, Some(day("2026-01-01"))).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "hotline", "until", "quota"]);
    }

    #[test]
    fn closing_ends_the_period_yesterday() {
        let running = Period::new(Some(day("2026-01-01")), Some(day("2026-12-31"))).unwrap();
        let closed = closed_period(running, day("2026-06-10")).unwrap();
        assert_eq!((closed.from(), closed.until()), (Some(day("2026-01-01")), Some(day("2026-06-09"))));
        assert!(!closed.contains(day("2026-06-10")));
        let later = Period::new(Some(day("2026-09-01")), None).unwrap();
        let closed = closed_period(later, day("2026-06-10")).unwrap();
        assert_eq!((closed.from(), closed.until()), (Some(day("2026-06-09")), Some(day("2026-06-09"))));
        assert!(!closed.contains(day("2026-06-10")));
    }
}
