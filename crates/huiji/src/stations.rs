//! `huiji stations import`: a station file (CSV/XLSX) as the operator, thin over
//! `huiji_app::stations::import`, with a progress bar on stderr, the summary on stdout and
//! the row-by-row report in a file beside the input (as `huiji roster import` does); and
//! the demo's generated Anhui stations.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use huiji_app::actor::Actor;
use huiji_app::stations::import::{self, ImportReport};
use huiji_core::OrgId;
use huiji_core::stations::StationCode;
use huiji_store::{SqlStore, StationQuery, StationStore};
use huiji_tabular::{Progress, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::StationsCommand;
use crate::contest::app_without_keys;
use crate::error::CommandError;

/// Runs a `stations` subcommand.
pub async fn execute(
    store: SqlStore,
    public_url: &str,
    command: &StationsCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = app_without_keys(store, public_url)?;
    match command {
        StationsCommand::Import { file, org, sheet } => {
            let table = Table::open(file, sheet.as_deref())
                .map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", file.display())))?;
            let report_path = report_path(file);
            let progress = table.progress();
            let report =
                with_progress(progress, import::import(&app, &Actor::Operator, org.map(OrgId), table))
                    .await??;
            write_report_file(&report, &report_path)?;
            print_summary(&report, &report_path, out)
        }
    }
}

/// `stations.csv` → `stations.report.csv` beside it.
fn report_path(file: &Path) -> PathBuf {
    let stem =
        file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "stations".to_owned());
    file.with_file_name(format!("{stem}.report.csv"))
}

/// Runs the import under a progress bar of the file's bytes read (the rows are read
/// before any is written, so the bar fills first and the batches follow).
async fn with_progress<T>(progress: Progress, import: impl Future<Output = T>) -> Result<T, CommandError> {
    let bar = ProgressBar::with_draw_target(Some(progress.total_bytes()), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta})",
        )
        .map_err(|e| CommandError::InvalidArgument(e.to_string()))?
        .progress_chars("=> "),
    );
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.bytes_read());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let done = import.await;
    ticker.abort();
    bar.finish_and_clear();
    Ok(done)
}

/// The report's header line: the row as the spreadsheet numbers it, what became of it,
/// and the details (the station repeated, the problems' codes, the services not known).
const REPORT_HEADER: &str = "row,outcome,detail\r\n";

/// One CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The report's lines, by row: every duplicate, rejected row and unrecognised 服务项目.
fn report_lines(report: &ImportReport) -> Vec<(u64, &'static str, String)> {
    let mut lines: Vec<(u64, &'static str, String)> = Vec::new();
    for duplicate in &report.duplicates {
        lines.push((duplicate.row, "duplicate", StationCode::of(duplicate.of).to_string()));
    }
    for rejected in &report.rejected {
        lines.push((rejected.row, "rejected", rejected.problems.join(" ")));
    }
    for (row, items) in &report.unrecognised {
        lines.push((*row, "services_not_recognised", items.join("、")));
    }
    lines.sort_by_key(|line| line.0);
    lines
}

/// Writes the report (UTF-8 with a BOM, so Excel and WPS open the Chinese correctly).
fn write_report_file(report: &ImportReport, path: &Path) -> Result<(), CommandError> {
    let mut text = String::from("\u{feff}");
    text.push_str(REPORT_HEADER);
    for (row, outcome, detail) in report_lines(report) {
        text.push_str(&format!("{row},{outcome},{}\r\n", csv_field(&detail)));
    }
    std::fs::write(path, text).map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", path.display())))
}

/// `R rows: A added, D duplicates, X rejected`, the columns not used, and where the
/// report is.
fn print_summary(report: &ImportReport, path: &Path, out: &mut dyn Write) -> Result<(), CommandError> {
    writeln!(
        out,
        "{} rows: {} added, {} duplicates, {} rejected",
        report.rows,
        report.added,
        report.duplicates.len(),
        report.rejected.len()
    )?;
    if !report.unused_headers.is_empty() {
        writeln!(out, "columns not used: {}", report.unused_headers.join(", "))?;
    }
    writeln!(out, "report: {}", path.display())?;
    Ok(())
}

/// Seeds Anhui's generated stations (443 service stations, 81 driver homes, names marked
/// “（示例）”) when the database has none; returns how many it added.
///
/// # Errors
///
/// The store's.
pub async fn seed_demo(store: &SqlStore, public_url: &str) -> Result<u64, CommandError> {
    let any =
        StationQuery { within: None, region: None, kind: None, open_only: false, after: None, limit: 1 };
    if !store.stations(&any).await?.is_empty() {
        return Ok(0);
    }
    let app = app_without_keys(store.clone(), public_url)?;
    let drafts =
        huiji_fixtures::stations::anhui(app.regions()).into_iter().zip(1u64..).map(|(d, n)| (n, d)).collect();
    let report = import::import_drafts(&app, &Actor::Operator, None, drafts).await?;
    Ok(report.added)
}
