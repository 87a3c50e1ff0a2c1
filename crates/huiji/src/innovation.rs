//! `huiji innovation`: the innovation registry from the command line.

use std::io::Write;

use huiji_app::innovation::InnovationError;
use huiji_app::innovation::import::import_registry;
use huiji_app::ports::{Clock, SystemClock};
use huiji_core::OrgId;
use huiji_store::Store;

use crate::cli::InnovationCommand;
use crate::error::CommandError;

/// Runs an `innovation` subcommand.
pub async fn run(
    store: &dyn Store,
    command: &InnovationCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match command {
        InnovationCommand::Import { org, file } => {
            let report = match import_registry(store, SystemClock.now(), OrgId(*org), file).await {
                Err(InnovationError::NotFound) => {
                    return Err(CommandError::InvalidArgument(format!("--org {org}: no such union")));
                }
                other => other?,
            };
            for (kind, sheet) in report.sheets() {
                let Some(name) = &sheet.sheet else {
                    writeln!(out, "{kind}\tno such sheet, skipped")?;
                    continue;
                };
                writeln!(
                    out,
                    "{kind}\tsheet {name}\t{} added\t{} refused",
                    sheet.created,
                    sheet.rejected.len()
                )?;
                for problem in &sheet.rejected {
                    writeln!(out, "  row {}\t{}", problem.row, problem.problem)?;
                }
            }
            Ok(())
        }
    }
}
