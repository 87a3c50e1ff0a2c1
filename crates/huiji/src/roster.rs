//! `huiji roster import`: a roster file as the operator, thin over
//! `huiji_app::roster::import`, with a progress bar on stderr and one JSON line on stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use huiji_app::App;
use huiji_app::actor::Actor;
use huiji_app::ports::SystemClock;
use huiji_app::roster::import::{self, CancelFlag, ImportRequest, ImportSummary};
use huiji_core::{Occupation, OrgId};
use huiji_store::SqlStore;
use huiji_tabular::Table;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::RosterCommand;
use crate::error::CommandError;
use crate::setup::load_keyring;

/// Runs a `roster` subcommand.
pub async fn execute(
    store: SqlStore,
    key_file: &Path,
    public_url: &str,
    command: &RosterCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match command {
        RosterCommand::Import { file, source, org, occupation, sheet } => {
            let default_occupation = occupation
                .as_deref()
                .map(|code| {
                    code.parse::<Occupation>()
                        .map_err(|_| CommandError::InvalidArgument(format!("unknown occupation code {code}")))
                })
                .transpose()?;
            let app = App::new(Arc::new(store), Arc::new(SystemClock), load_keyring(key_file)?, public_url);
            let table = Table::open(file, sheet.as_deref())
                .map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", file.display())))?;
            let report_path = report_path(file);
            let request = ImportRequest {
                org: org.map(OrgId),
                source: source.clone(),
                file_name: file.display().to_string(),
                report_name: report_path.display().to_string(),
                default_occupation,
            };
            let summary = run(&app, request, table, &report_path).await.inspect_err(|_| {
                // Nothing was imported: leave no empty report behind.
                let _ = std::fs::remove_file(&report_path);
            })?;
            print_summary(&summary, &report_path, out)
        }
    }
}

/// `roster.csv` → `roster.report.csv` beside it.
fn report_path(file: &Path) -> PathBuf {
    let stem =
        file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "roster".to_owned());
    file.with_file_name(format!("{stem}.report.csv"))
}

/// The import with a progress bar: of the bytes read, then of the rows written (the file is
/// read whole before its rows are written in key order).
async fn run(
    app: &App,
    request: ImportRequest,
    table: Table,
    report: &Path,
) -> Result<ImportSummary, CommandError> {
    let bar =
        ProgressBar::with_draw_target(Some(table.progress().total_bytes()), ProgressDrawTarget::stderr());
    let style = |template: &str| {
        ProgressStyle::with_template(template)
            .map(|style| style.progress_chars("=> "))
            .map_err(|e| CommandError::InvalidArgument(e.to_string()))
    };
    bar.set_style(style("{elapsed_precise} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta}) {msg}")?);
    let writing_style =
        style("{elapsed_precise} [{bar:40}] {human_pos}/{human_len} rows written ({eta}) {msg}")?;
    bar.set_message(request.source.clone());
    let writer = std::fs::File::create(report)
        .map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", report.display())))?;
    let started =
        import::begin(app, &Actor::Operator, &request, table, Box::new(writer), CancelFlag::default())
            .await?;
    let progress = started.progress();
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            let mut reading = true;
            loop {
                match progress.to_write() {
                    0 => bar.set_position(progress.bytes_read()),
                    total => {
                        if reading {
                            reading = false;
                            bar.set_position(0);
                            bar.set_style(writing_style.clone());
                            bar.set_length(total);
                            bar.reset_eta();
                        }
                        bar.set_position(progress.written());
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let summary = started.finish().await;
    ticker.abort();
    bar.finish_and_clear();
    Ok(summary?)
}

/// The one JSON line of the contract, its keys in the contract's order.
#[derive(serde::Serialize)]
struct Line<'a> {
    import_id: i64,
    rows: u64,
    imported: u64,
    duplicates_in_file: u64,
    already_on_roster: u64,
    rejected: u64,
    members: u64,
    pending: u64,
    not_members: u64,
    seconds: f64,
    report: &'a str,
}

/// Prints the JSON line.
fn print_summary(summary: &ImportSummary, report: &Path, out: &mut dyn Write) -> Result<(), CommandError> {
    let c = &summary.counts;
    let report = report.display().to_string();
    let line = Line {
        import_id: summary.import_id,
        rows: c.rows,
        imported: c.imported,
        duplicates_in_file: c.duplicates_in_file,
        already_on_roster: c.already_on_roster,
        rejected: c.rejected,
        members: c.members,
        pending: c.pending,
        not_members: c.not_members,
        seconds: (summary.seconds * 1000.0).round() / 1000.0,
        report: &report,
    };
    let text = serde_json::to_string(&line).map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}
