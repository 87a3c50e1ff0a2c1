use super::*;
use crate::time::Timestamp;
use proptest::prelude::*;

fn d(y: i32, m: u8, day: u8) -> CivilDate {
    CivilDate::new(y, m, day).unwrap()
}

/// An instant in China time.
fn at(y: i32, m: u8, day: u8, hour: i64, minute: i64) -> Timestamp {
    Timestamp(Timestamp::china_day_start(d(y, m, day)).0 + (hour * 60 + minute) * 60_000)
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

#[test]
fn the_compiled_data_parses_and_cites_its_notices() {
    let calendar = WorkCalendar::parse(HOLIDAYS_TXT).unwrap();
    let years: Vec<i32> = calendar.notices().iter().map(|n| n.year).collect();
    assert_eq!(years, [2024, 2025, 2026]);
    for notice in calendar.notices() {
        assert_eq!(notice.title, format!("国务院办公厅关于{}年部分节假日安排的通知", notice.year));
        assert_eq!(notice.issued.year(), notice.year - 1);
    }
    assert_eq!(calendar.notices()[0].reference.as_deref(), Some("国办发明电〔2023〕7号"));
    assert_eq!(calendar.notices()[1].reference.as_deref(), Some("国办发明电〔2024〕12号"));
    assert!(calendar.covers(2026) && !calendar.awaits_notice(2026));
    assert!(calendar.covers(2027) && calendar.awaits_notice(2027), "2027: statutory days only");
    assert!(!calendar.covers(2028));
    assert_eq!(calendar.statutory_years().iter().map(|s| s.year).collect::<Vec<_>>(), [2027]);
    assert_eq!(WorkCalendar::china().notices().len(), 3);
}

#[test]
fn holiday_totals_match_the_notices() {
    let china = WorkCalendar::china();
    // Days off per festival as each notice states them (共N天).
    let cases = [
        (Festival::SpringFestival, 2024, 8),
        (Festival::LabourDay, 2024, 5),
        (Festival::NationalDay, 2024, 7),
        (Festival::SpringFestival, 2025, 8),
        (Festival::NationalDay, 2025, 8),
        (Festival::NewYear, 2026, 3),
        (Festival::SpringFestival, 2026, 9),
        (Festival::NationalDay, 2026, 7),
        // 2027, statutory days only (全国年节及纪念日放假办法, 2024 revision).
        (Festival::NewYear, 2027, 1),
        (Festival::SpringFestival, 2027, 4),
        (Festival::LabourDay, 2027, 2),
        (Festival::NationalDay, 2027, 3),
    ];
    for (festival, year, days) in cases {
        let off = (0..366)
            .filter_map(|i| d(year, 1, 1).plus_days(i))
            .filter(|date| date.year() == year && china.day_kind(*date) == DayKind::Holiday(festival))
            .count();
        assert_eq!(off, days, "{festival} {year}");
    }
}

#[test]
fn working_days_weekends_holidays_and_make_up_days() {
    let china = WorkCalendar::china();
    assert_eq!(china.day_kind(d(2026, 9, 30)), DayKind::Workday);
    assert_eq!(china.day_kind(d(2026, 10, 3)), DayKind::Holiday(Festival::NationalDay));
    assert_eq!(china.day_kind(d(2026, 10, 10)), DayKind::MakeUpWorkday(Festival::NationalDay));
    assert_eq!(china.day_kind(d(2026, 10, 11)), DayKind::Weekend);
    assert_eq!(china.day_kind(d(2026, 2, 14)), DayKind::MakeUpWorkday(Festival::SpringFestival));
    assert!(china.is_working_day(d(2026, 2, 14)) && !china.is_working_day(d(2026, 2, 16)));
    assert!(!china.is_working_day(d(2025, 1, 28)), "除夕 is a holiday since 2025");
    assert!(china.is_working_day(d(2024, 2, 9)), "除夕 2024 was a working day");
    // 2027: the statutory days, lunar ones included; no 调休 yet.
    assert!(!china.is_working_day(d(2027, 1, 1)) && !china.is_working_day(d(2027, 10, 2)));
    assert!(china.is_working_day(d(2027, 1, 4)));
    assert_eq!(china.day_kind(d(2027, 2, 5)), DayKind::Holiday(Festival::SpringFestival), "除夕");
    assert_eq!(china.day_kind(d(2027, 2, 8)), DayKind::Holiday(Festival::SpringFestival), "初三, a Monday");
    assert_eq!(china.day_kind(d(2027, 6, 9)), DayKind::Holiday(Festival::DragonBoat));
    assert_eq!(china.day_kind(d(2027, 9, 15)), DayKind::Holiday(Festival::MidAutumn));
    assert_eq!(china.day_kind(d(2027, 4, 5)), DayKind::Holiday(Festival::Qingming));
    // Beyond the data: weekends and the fixed-date holidays only.
    assert!(!china.is_working_day(d(2028, 10, 2)) && china.is_working_day(d(2028, 10, 9)));
}

#[test]
fn a_case_opened_on_the_eve_of_national_day_is_not_overdue_on_the_third() {
    let china = WorkCalendar::china();
    let opened = at(2026, 9, 30, 16, 0);
    let due = china.add_working_days(opened, 1);
    assert_eq!(due, at(2026, 10, 8, 16, 0));
    assert!(at(2026, 10, 3, 12, 0) < due);
    assert_eq!(china.working_time_between(opened, at(2026, 10, 3, 12, 0)), 8 * HOUR);
    // The same in 2024 (Monday 30 September, back on Tuesday 8 October).
    assert_eq!(china.add_working_days(at(2024, 9, 30, 9, 30), 1), at(2024, 10, 8, 9, 30));
}

#[test]
fn a_case_opened_on_the_eve_of_national_day_2027_waits_for_the_statutory_break() {
    let china = WorkCalendar::china();
    // Thursday 30 September 2027; 1–3 October (Friday to Sunday) are the statutory days.
    let opened = at(2027, 9, 30, 16, 0);
    let due = china.add_working_days(opened, 1);
    assert_eq!(due, at(2027, 10, 4, 16, 0), "Monday: 调休 unknown until the notice");
    assert!(at(2027, 10, 3, 12, 0) < due, "not overdue on 10月3日");
    assert_eq!(china.working_time_between(opened, at(2027, 10, 3, 12, 0)), 8 * HOUR);
}

#[test]
fn a_make_up_saturday_counts_as_a_working_day() {
    let china = WorkCalendar::china();
    assert_eq!(china.add_working_days(at(2026, 10, 9, 10, 0), 1), at(2026, 10, 10, 10, 0));
    assert_eq!(china.add_working_days(at(2026, 2, 13, 10, 0), 1), at(2026, 2, 14, 10, 0));
    // An ordinary Friday rolls over the weekend.
    assert_eq!(china.add_working_days(at(2026, 11, 27, 10, 0), 1), at(2026, 11, 30, 10, 0));
    assert_eq!(china.working_time_between(at(2026, 10, 9, 10, 0), at(2026, 10, 12, 10, 0)), 2 * DAY);
}

#[test]
fn time_opened_on_a_holiday_starts_at_the_next_working_day() {
    let china = WorkCalendar::china();
    assert_eq!(china.add_working_days(at(2026, 10, 2, 10, 0), 1), at(2026, 10, 9, 0, 0));
    assert_eq!(china.add_working_hours(at(2026, 10, 2, 10, 0), 8), at(2026, 10, 8, 8, 0));
    assert_eq!(china.add_working_hours(at(2026, 9, 30, 20, 0), 8), at(2026, 10, 8, 4, 0));
    assert_eq!(china.add_working_time(at(2026, 9, 30, 20, 0), 0), at(2026, 9, 30, 20, 0));
    assert_eq!(china.working_time_between(at(2026, 10, 2, 10, 0), at(2026, 10, 7, 10, 0)), 0);
    assert_eq!(china.working_time_between(at(2026, 10, 7, 10, 0), at(2026, 10, 2, 10, 0)), 0);
}

#[test]
fn counting_working_days() {
    let china = WorkCalendar::china();
    // October 2026: 22 weekdays, 5 of them in the break, 1 make-up Saturday.
    assert_eq!(china.working_days_in(d(2026, 10, 1), d(2026, 11, 1)), 18);
    // A whole year, counted both ways.
    let year_2025 = china.working_days_in(d(2025, 1, 1), d(2026, 1, 1));
    let by_day = (0..365).filter(|i| china.is_working_day(d(2025, 1, 1).plus_days(*i).unwrap())).count();
    assert_eq!(year_2025, i64::try_from(by_day).unwrap());
    assert_eq!(china.working_days_in(d(2026, 1, 1), d(2025, 1, 1)), 0);
    // Counted by hand from the notices: weekdays − festival days on weekdays + 调休 days.
    assert_eq!(china.working_days_in(d(2024, 1, 1), d(2025, 1, 1)), 262 - 19 + 8);
    assert_eq!(year_2025, 261 - 18 + 5);
    assert_eq!(china.working_days_in(d(2026, 1, 1), d(2027, 1, 1)), 261 - 19 + 6);
}

#[test]
fn bad_data_lines_are_refused_with_their_line_number() {
    let bad = |text: &str| WorkCalendar::parse(text).unwrap_err();
    let notice = "notice 2026 2025-11-04 - 国务院办公厅关于2026年部分节假日安排的通知\n";
    assert_eq!(bad("off new_year 2026-01-01").problem, "no notice above");
    assert_eq!(bad(&format!("{notice}work new_year 2026-01-05")).line, 2);
    assert_eq!(
        bad(&format!("{notice}work new_year 2026-01-05")).problem,
        "a make-up working day must be a Saturday or Sunday"
    );
    assert_eq!(
        bad(&format!("{notice}off new_year 2026-01-01\noff new_year 2026-01-01")).problem,
        "date listed twice"
    );
    assert_eq!(bad(&format!("{notice}off easter 2026-04-05")).problem, "bad festival");
    assert_eq!(bad(&format!("{notice}off new_year 2026-02-30")).problem, "bad date or range");
    assert_eq!(bad(&format!("{notice}off new_year 2026-01-03..2026-01-01")).problem, "bad date or range");
    assert_eq!(bad(&format!("{notice}off new_year 2029-01-01")).problem, "date far from the notice's year");
    assert_eq!(bad(&format!("{notice}{notice}")).problem, "second notice for a year");
    assert_eq!(bad("holiday 2026-01-01").problem, "unknown keyword");
    assert_eq!(bad("notice 2026 2025-11-04 -").problem, "missing title");
    assert!(WorkCalendar::parse("# nothing\n\n").unwrap().notices().is_empty());
    let statutory = "statutory 2027 全国年节及纪念日放假办法\n";
    assert_eq!(
        bad(&format!("{statutory}work national_day 2027-10-09")).problem,
        "make-up working days come only from a notice"
    );
    assert_eq!(bad("statutory 2027").problem, "missing source");
    assert_eq!(bad(&format!("{statutory}{statutory}")).problem, "second notice for a year");
}

proptest! {
    #[test]
    fn elapsed_working_time_undoes_adding_it(
        start in 1_700_000_000_000i64..1_830_000_000_000,
        millis in 0i64..(40 * DAY),
    ) {
        let china = WorkCalendar::china();
        let from = Timestamp(start);
        let due = china.add_working_time(from, millis);
        prop_assert!(due >= from);
        prop_assert_eq!(china.working_time_between(from, due), millis);
    }

    #[test]
    fn working_days_in_agrees_with_counting_day_by_day(start in 19_000i64..21_000, len in 0i64..120) {
        let china = WorkCalendar::china();
        let from = CivilDate::from_days_since_epoch(start).unwrap();
        let until = from.plus_days(len).unwrap();
        let by_day = (0..len).filter(|i| china.is_working_day(from.plus_days(*i).unwrap())).count();
        prop_assert_eq!(china.working_days_in(from, until), i64::try_from(by_day).unwrap());
    }
}

/// A made-up notice for 2027 (the real one was not available offline): what a deployment
/// would put in its `holidays_file` the day the State Council publishes.
const NOTICE_2027: &str = "\
# the deployment's supplement
notice 2027 2026-11-10 - 国务院办公厅关于2027年部分节假日安排的通知
off new_year 2027-01-01..2027-01-03
off national_day 2027-10-01..2027-10-07
work national_day 2027-09-26
";

#[test]
fn a_supplement_replaces_the_years_it_names_whole_and_keeps_the_rest() {
    let china = WorkCalendar::china();
    let supplemented = china.supplemented(NOTICE_2027).unwrap();
    assert!(supplemented.covers(2027) && !supplemented.awaits_notice(2027));
    assert!(supplemented.statutory_years().is_empty());
    assert_eq!(supplemented.notices().iter().map(|n| n.year).collect::<Vec<_>>(), [2024, 2025, 2026, 2027]);
    // The notice's break and its make-up Sunday.
    assert_eq!(supplemented.day_kind(d(2027, 10, 5)), DayKind::Holiday(Festival::NationalDay));
    assert_eq!(supplemented.day_kind(d(2027, 9, 26)), DayKind::MakeUpWorkday(Festival::NationalDay));
    assert_eq!(china.day_kind(d(2027, 10, 5)), DayKind::Workday, "the compiled-in calendar is unchanged");
    // The statutory block is gone whole: its 除夕 is not in this (made-up) notice.
    assert_eq!(china.day_kind(d(2027, 2, 5)), DayKind::Holiday(Festival::SpringFestival));
    assert_eq!(supplemented.day_kind(d(2027, 2, 5)), DayKind::Workday);
    // Other years as they were.
    for day in 0..(3 * 366) {
        let date = d(2024, 1, 1).plus_days(day).unwrap();
        if date.year() < 2027 {
            assert_eq!(supplemented.day_kind(date), china.day_kind(date), "{date:?}");
        }
    }
    // The eve of 国庆 2027 now waits for the whole break.
    assert_eq!(supplemented.add_working_days(at(2027, 9, 30, 16, 0), 1), at(2027, 10, 8, 16, 0));
}

#[test]
fn a_supplement_may_add_a_year_and_correct_a_notice() {
    let china = WorkCalendar::china();
    // A year beyond the data: before, only its fixed-date holidays.
    assert!(!china.is_working_day(d(2028, 1, 1)) && china.is_working_day(d(2028, 1, 26)));
    let statutory_2028 =
        "statutory 2028 全国年节及纪念日放假办法\noff spring_festival 2028-01-25..2028-01-28\n";
    let with_2028 = china.supplemented(statutory_2028).unwrap();
    assert!(with_2028.covers(2028) && with_2028.awaits_notice(2028));
    assert!(!with_2028.is_working_day(d(2028, 1, 26)));
    // Covered now, so the fixed-date fallback no longer applies: 1 January 2028 is what
    // the block says (nothing), a Saturday, not a festival day.
    assert_eq!(with_2028.day_kind(d(2028, 1, 1)), DayKind::Weekend);
    // A correction of a compiled-in year replaces it too.
    let corrected = china
        .supplemented("notice 2026 2025-11-04 - 国务院办公厅关于2026年部分节假日安排的通知\noff national_day 2026-10-01..2026-10-08\n")
        .unwrap();
    assert_eq!(corrected.day_kind(d(2026, 10, 8)), DayKind::Holiday(Festival::NationalDay));
    assert_eq!(corrected.day_kind(d(2026, 10, 10)), DayKind::Weekend, "its 调休 went with the old notice");
}

#[test]
fn a_bad_supplement_is_refused_with_its_line_number() {
    let china = WorkCalendar::china();
    let twice = format!("{NOTICE_2027}{NOTICE_2027}");
    let error = china.supplemented(&twice).unwrap_err();
    assert_eq!((error.line, error.problem), (7, "second notice for a year"));
    let error = china.supplemented("notice 2027 2026-11-10 - t\nwork national_day 2027-10-08\n").unwrap_err();
    assert_eq!((error.line, error.problem), (2, "a make-up working day must be a Saturday or Sunday"));
    // A date a kept year already lists.
    let error = china.supplemented("notice 2027 2026-11-10 - t\noff national_day 2026-10-01\n").unwrap_err();
    assert_eq!((error.line, error.problem), (2, "date listed twice"));
    // Nor is an empty year refused: a notice may (in principle) list nothing.
    assert!(china.supplemented("notice 2027 2026-11-10 - t\noff new_year 2026-12-31..2027-01-01\n").is_ok());
}
