//! China's working-time calendar: which days are working days, given the weekends, the
//! public holidays and the make-up working days (调休) the State Council announces each
//! year, and arithmetic in working time for deadlines ("first response within 1 working
//! day"). The years come from `data/holidays.txt`, compiled in and checked by the tests.

mod working_time;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::civil_date::CivilDate;
use crate::labelled::labelled_enum;

const HOLIDAYS_TXT: &str = include_str!("../data/holidays.txt");

/// The fixed-date statutory holidays (全国年节及纪念日放假办法) that count in a year
/// without a notice: 1 January, 1–2 May, 1–3 October.
const FIXED_HOLIDAYS: [(u8, u8, Festival); 6] = [
    (1, 1, Festival::NewYear),
    (5, 1, Festival::LabourDay),
    (5, 2, Festival::LabourDay),
    (10, 1, Festival::NationalDay),
    (10, 2, Festival::NationalDay),
    (10, 3, Festival::NationalDay),
];

/// The longest run of days one `off` line may span (the longest break so far is 9).
const MAX_BREAK_DAYS: i64 = 12;

labelled_enum!(
    /// The public holidays (全国年节及纪念日放假办法) a notice arranges.
    Festival {
        /// 元旦
        NewYear = "new_year", "元旦", "New Year's Day";
        /// 春节
        SpringFestival = "spring_festival", "春节", "Spring Festival";
        /// 清明节
        Qingming = "qingming", "清明节", "Qingming Festival";
        /// 劳动节
        LabourDay = "labour_day", "劳动节", "Labour Day";
        /// 端午节
        DragonBoat = "dragon_boat", "端午节", "Dragon Boat Festival";
        /// 中秋节
        MidAutumn = "mid_autumn", "中秋节", "Mid-Autumn Festival";
        /// 国庆节
        NationalDay = "national_day", "国庆节", "National Day";
    }
);

/// What kind of day a date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// An ordinary Monday to Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A day off for a festival (possibly a weekend day inside the break).
    Holiday(Festival),
    /// A Saturday or Sunday worked to make up for a festival's break (调休上班).
    MakeUpWorkday(Festival),
}

impl DayKind {
    /// Whether deadlines count this day.
    pub const fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday(_))
    }
}

/// One year's notice, cited so anyone can check the data against its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The year it arranges.
    pub year: i32,
    /// The day it was issued.
    pub issued: CivilDate,
    /// Its document number (e.g. 国办发明电〔2023〕7号), if confirmed.
    pub reference: Option<String>,
    /// Its title.
    pub title: String,
}

/// A line of the data file that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("holidays line {line}: {problem}")]
pub struct CalendarDataError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// A year whose State Council notice is not out yet: its statutory holidays computed
/// from the law alone, cited so anyone can check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statutory {
    /// The year.
    pub year: i32,
    /// Where its days come from (the law and how the lunar dates were found).
    pub source: String,
}

/// The calendar: the notices' days, and weekends everywhere else.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    /// Days that are not what the weekday alone says (and festival days on weekends), with
    /// the year whose notice (or statutory block) lists them — a supplement that replaces
    /// a year drops exactly those.
    days: BTreeMap<CivilDate, (DayKind, i32)>,
    notices: Vec<Notice>,
    statutory: Vec<Statutory>,
}

impl WorkCalendar {
    /// The compiled-in calendar, parsed once. The file is checked by the tests; were it
    /// ever unreadable, only the weekends and fixed-date holidays would count.
    pub fn china() -> &'static WorkCalendar {
        static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
        CALENDAR.get_or_init(|| WorkCalendar::parse(HOLIDAYS_TXT).unwrap_or_default())
    }

    /// Parses the data file's format (see `data/holidays.txt`).
    ///
    /// # Errors
    ///
    /// The first wrong line: an unknown keyword or festival, a bad date, a make-up
    /// working day that is not a weekend day, a date listed twice, a date far from its
    /// notice's year, a second notice for a year, an off/work line before any notice, or
    /// a make-up working day under a `statutory` year (only a notice arranges 调休).
    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarDataError> {
        WorkCalendar::read(WorkCalendar::default(), text, false)
    }

    /// This calendar with `text` (the data file's format) laid over it: each year the text
    /// has — a notice or a statutory block — replaces this calendar's year whole. A
    /// deployment loads next year's State Council notice this way (`holidays_file`) the
    /// day it is published, without waiting for a release that compiles it in.
    ///
    /// # Errors
    ///
    /// As [`WorkCalendar::parse`], for the text's own lines; a text's date that another,
    /// kept year of this calendar already lists is "date listed twice".
    pub fn supplemented(&self, text: &str) -> Result<WorkCalendar, CalendarDataError> {
        WorkCalendar::read(self.clone(), text, true)
    }

    /// Reads `text` onto `calendar`; with `replace`, a year `calendar` covers is dropped
    /// when the text starts it (a year twice within the text is still an error).
    fn read(
        mut calendar: WorkCalendar,
        text: &str,
        replace: bool,
    ) -> Result<WorkCalendar, CalendarDataError> {
        // The years this text has started, so a second block for one is caught.
        let mut started: Vec<i32> = Vec::new();
        // The year the off/work lines belong to, and whether a notice arranged it.
        let mut current: Option<(i32, bool)> = None;
        for (index, raw) in text.lines().enumerate() {
            let fail = |problem| CalendarDataError { line: index + 1, problem };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            match words.next() {
                Some("notice") => {
                    let year = words.next().and_then(|y| y.parse().ok()).ok_or(fail("bad year"))?;
                    let issued = words.next().and_then(CivilDate::parse_iso).ok_or(fail("bad issue date"))?;
                    let reference = words.next().ok_or(fail("missing reference"))?;
                    let title = words.collect::<Vec<_>>().join(" ");
                    if title.is_empty() {
                        return Err(fail("missing title"));
                    }
                    calendar.start_year(year, replace, &mut started).map_err(fail)?;
                    let reference = (reference != "-").then(|| reference.to_owned());
                    calendar.notices.push(Notice { year, issued, reference, title });
                    current = Some((year, true));
                }
                Some("statutory") => {
                    let year = words.next().and_then(|y| y.parse().ok()).ok_or(fail("bad year"))?;
                    let source = words.collect::<Vec<_>>().join(" ");
                    if source.is_empty() {
                        return Err(fail("missing source"));
                    }
                    calendar.start_year(year, replace, &mut started).map_err(fail)?;
                    calendar.statutory.push(Statutory { year, source });
                    current = Some((year, false));
                }
                Some(keyword @ ("off" | "work")) => {
                    let (year, noticed) = current.ok_or(fail("no notice above"))?;
                    if keyword == "work" && !noticed {
                        return Err(fail("make-up working days come only from a notice"));
                    }
                    let festival: Festival =
                        words.next().and_then(|f| f.parse().ok()).ok_or(fail("bad festival"))?;
                    let dates = words.next().and_then(parse_span).ok_or(fail("bad date or range"))?;
                    if words.next().is_some() {
                        return Err(fail("trailing text"));
                    }
                    for date in dates {
                        if (date.year() - year).abs() > 1 {
                            return Err(fail("date far from the notice's year"));
                        }
                        let kind = if keyword == "off" {
                            DayKind::Holiday(festival)
                        } else if date.weekday().is_weekend() {
                            DayKind::MakeUpWorkday(festival)
                        } else {
                            return Err(fail("a make-up working day must be a Saturday or Sunday"));
                        };
                        if calendar.days.insert(date, (kind, year)).is_some() {
                            return Err(fail("date listed twice"));
                        }
                    }
                }
                _ => return Err(fail("unknown keyword")),
            }
        }
        Ok(calendar)
    }

    /// Begins `year`'s block: refused if this text has begun it already, or if the
    /// calendar covers it and `replace` is off; with `replace`, the old year is dropped.
    fn start_year(&mut self, year: i32, replace: bool, started: &mut Vec<i32>) -> Result<(), &'static str> {
        if started.contains(&year) || (!replace && self.covers(year)) {
            return Err("second notice for a year");
        }
        started.push(year);
        self.notices.retain(|n| n.year != year);
        self.statutory.retain(|s| s.year != year);
        self.days.retain(|_, (_, of)| *of != year);
        Ok(())
    }

    /// The festival of `date` if it is one of the [`FIXED_HOLIDAYS`].
    fn fixed_holiday(date: CivilDate) -> Option<Festival> {
        FIXED_HOLIDAYS
            .iter()
            .find(|(month, day, _)| (*month, *day) == (date.month(), date.day()))
            .map(|(_, _, festival)| *festival)
    }

    /// Whether `year`'s holidays are in the data — a notice's, or the statutory days
    /// awaiting one: if not, its lunar holidays and 调休 are unknown and deadlines in it
    /// may come out early. The app warns about it.
    pub fn covers(&self, year: i32) -> bool {
        self.notices.iter().any(|n| n.year == year) || self.statutory.iter().any(|s| s.year == year)
    }

    /// Whether `year` has only its statutory days: the notice's bridging days and 调休
    /// are still unknown, so a deadline across a long break may come out a little early.
    pub fn awaits_notice(&self, year: i32) -> bool {
        self.statutory.iter().any(|s| s.year == year)
    }

    /// The notices the calendar comes from, in the file's order.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// The years with statutory days only, in the file's order.
    pub fn statutory_years(&self) -> &[Statutory] {
        &self.statutory
    }

    /// What kind of day `date` is.
    pub fn day_kind(&self, date: CivilDate) -> DayKind {
        match self.days.get(&date) {
            Some((kind, _)) => *kind,
            // A year without a notice still has the fixed-date statutory holidays.
            None => match WorkCalendar::fixed_holiday(date).filter(|_| !self.covers(date.year())) {
                Some(festival) => DayKind::Holiday(festival),
                None if date.weekday().is_weekend() => DayKind::Weekend,
                None => DayKind::Workday,
            },
        }
    }

    /// Whether `date` is a working day in China.
    pub fn is_working_day(&self, date: CivilDate) -> bool {
        self.day_kind(date).is_working()
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD` (inclusive, at most [`MAX_BREAK_DAYS`]).
fn parse_span(text: &str) -> Option<Vec<CivilDate>> {
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (CivilDate::parse_iso(a)?, CivilDate::parse_iso(b)?),
        None => {
            let day = CivilDate::parse_iso(text)?;
            (day, day)
        }
    };
    let span = last.days_since_epoch() - first.days_since_epoch();
    if !(0..MAX_BREAK_DAYS).contains(&span) {
        return None;
    }
    (0..=span).map(|offset| first.plus_days(offset)).collect()
}

#[cfg(test)]
mod tests;
