//! `huiji stats verify` and `huiji stats rebuild`: the statistics' rollups checked against
//! (or replaced by) a recount from the base tables, thin over `huiji_app::stats::rollups`.

use std::io::Write;

use huiji_app::stats::rollups;
use huiji_store::SqlStore;

use crate::cli::StatsCommand;
use crate::contest::app_without_keys;
use crate::error::CommandError;

/// Differences `verify` prints before saying how many more there are.
const SHOWN: usize = 50;

/// Runs a `stats` subcommand.
pub async fn execute(
    store: SqlStore,
    public_url: &str,
    command: &StatsCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = app_without_keys(store, public_url)?;
    match command {
        StatsCommand::Verify => {
            let differences = rollups::verify(&app).await?;
            if differences.is_empty() {
                writeln!(out, "statistics match a recount from the base tables")?;
                return Ok(());
            }
            for d in differences.iter().take(SHOWN) {
                writeln!(out, "{}\t{}\tstored {}\trecounted {}", d.table, d.key, d.stored, d.recounted)?;
            }
            if differences.len() > SHOWN {
                writeln!(out, "… and {} more", differences.len() - SHOWN)?;
            }
            Err(CommandError::StatsMismatch(differences.len()))
        }
        StatsCommand::Rebuild => {
            rollups::rebuild(&app).await?;
            writeln!(out, "statistics rebuilt from the base tables")?;
            Ok(())
        }
    }
}
