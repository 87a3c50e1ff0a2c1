//! The working-time calendar a deployment runs with: the compiled-in State Council
//! notices, with `holidays_file` laid over them. A federation adds next year's notice the
//! day it is published (usually November) instead of waiting for a release.

use std::io::Write;
use std::path::Path;

use huiji_core::calendar::WorkCalendar;

use crate::error::CommandError;

/// The compiled-in calendar, supplemented by `file` when one is given.
///
/// # Errors
///
/// The file cannot be read, or one of its lines is wrong (its number and what is wrong):
/// a server does not start on a calendar it would count deadlines in wrongly.
pub fn load(file: Option<&Path>) -> Result<WorkCalendar, CommandError> {
    let china = WorkCalendar::china();
    let Some(path) = file else {
        return Ok(china.clone());
    };
    let fail = |reason: String| CommandError::Holidays { path: path.display().to_string(), reason };
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read the holidays file: {e}")))?;
    let calendar = china.supplemented(&text).map_err(|e| fail(e.to_string()))?;
    tracing::info!(path = %path.display(), "holidays file laid over the compiled-in notices");
    Ok(calendar)
}

/// One line per year the calendar covers, tab-separated: the year, `notice` or
/// `statutory` (awaiting its notice), the issue date, the document number (`-` when not
/// confirmed) and the title or source.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn show(calendar: &WorkCalendar, out: &mut dyn Write) -> Result<(), CommandError> {
    let mut lines: Vec<(i32, String)> = calendar
        .notices()
        .iter()
        .map(|n| {
            let reference = n.reference.as_deref().unwrap_or("-");
            (n.year, format!("{}\tnotice\t{}\t{reference}\t{}", n.year, n.issued, n.title))
        })
        .chain(
            calendar
                .statutory_years()
                .iter()
                .map(|s| (s.year, format!("{}\tstatutory\t-\t-\t{}", s.year, s.source))),
        )
        .collect();
    lines.sort();
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
