//! `huiji stations import`: a station file (CSV/XLSX) as the operator, thin over
//! `huiji_app::stations::import`; and the demo's generated Anhui stations.

use std::io::Write;

use huiji_app::actor::Actor;
use huiji_app::stations::import::{self, ImportReport};
use huiji_core::OrgId;
use huiji_core::stations::StationCode;
use huiji_store::{SqlStore, StationQuery, StationStore};
use huiji_tabular::Table;

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
            let report = import::import(&app, &Actor::Operator, org.map(OrgId), table).await?;
            print_report(&report, out)
        }
    }
}

/// `R rows: A added, D duplicates, X rejected`, then a line per duplicate, rejected row
/// and unrecognised 服务项目 item, and the columns not used.
fn print_report(report: &ImportReport, out: &mut dyn Write) -> Result<(), CommandError> {
    writeln!(
        out,
        "{} rows: {} added, {} duplicates, {} rejected",
        report.rows,
        report.added,
        report.duplicates.len(),
        report.rejected.len()
    )?;
    for duplicate in &report.duplicates {
        writeln!(out, "row {}\tduplicate of station {}", duplicate.row, StationCode::of(duplicate.of))?;
    }
    for rejected in &report.rejected {
        writeln!(out, "row {}\trejected: {}", rejected.row, rejected.problems.join(", "))?;
    }
    for (row, items) in &report.unrecognised {
        writeln!(out, "row {row}\tservices not recognised: {}", items.join("、"))?;
    }
    if !report.unused_headers.is_empty() {
        writeln!(out, "columns not used: {}", report.unused_headers.join(", "))?;
    }
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
