//! The huiji command line: `serve`, `demo`, `migrate`, `seed`, `org`. `main.rs` only
//! calls [`run`], so the commands are testable as library functions.

mod bench_contest;
// Outreach: real-name rosters.
mod bench_roster;
mod bench_stations;
mod bench_store;
mod benefits;
// Outreach: campaigns.
mod calendar;
mod campaign;
mod cli;
mod commands;
mod config;
mod contest;
mod demo;
mod error;
mod generate;
mod innovation;
mod platforms;
mod ports;
mod privacy;
// Outreach: real-name rosters.
mod roster;
mod setup;
mod stations;
mod stats;
mod users;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use cli::{Cli, Command};
pub use config::{DatabaseUrl, Settings};
pub use error::CommandError;

/// Parses the arguments, runs the command, and turns failure into a message on stderr
/// and a non-zero exit code.
pub async fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let settings = match Settings::load(&cli) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("huiji: configuration: {error}");
            return ExitCode::from(2);
        }
    };
    config::init_logging(&settings);
    let mut stdout = std::io::stdout().lock();
    match commands::execute(&cli.command, &settings, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`huiji org list | head`) is not a failure.
        Err(CommandError::Io(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("huiji: {error}");
            ExitCode::FAILURE
        }
    }
}
