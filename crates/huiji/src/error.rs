//! The one error of the command line: what a command reports before exiting non-zero.

use huiji_fixtures::tree::PlanError;
use huiji_store::StoreError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The database refused.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Writing output or binding the listener failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `seed` only loads into an empty database.
    #[error("the database already holds {0} unions; seed loads into an empty database only")]
    NotEmpty(u64),
    /// An argument has the wrong form.
    #[error("{0}")]
    InvalidArgument(String),
    /// An innovation use case refused (an import whose workbook cannot be read).
    #[error("{0}")]
    Innovation(#[from] huiji_app::innovation::InnovationError),
    /// The reference data lacks something the seed needs.
    #[error("{0}")]
    Plan(#[from] PlanError),
    /// Encryption failed (no randomness).
    #[error("vault: {0}")]
    Vault(#[from] huiji_vault::VaultError),
    /// A contest use case refused.
    #[error("{0}")]
    Contest(#[from] huiji_app::contest::ContestError),
    /// `huiji stats verify` found rollups that differ from a recount.
    #[error("the statistics differ from a recount in {0} places")]
    StatsMismatch(usize),
    /// `huiji campaign verify` found a funnel rollup that differs from a recount.
    #[error("the campaign funnel differs from a recount for {0} unions")]
    CampaignFunnelMismatch(usize),
    /// A stations use case refused.
    #[error("{0}")]
    Stations(#[from] huiji_app::stations::StationError),
    // Outreach: real-name rosters.
    /// A roster use case refused (a file that cannot be read at all).
    #[error("{0}")]
    Roster(#[from] huiji_app::roster::RosterError),
    // Outreach: campaigns.
    /// A campaign use case refused.
    #[error("{0}")]
    Campaign(#[from] huiji_app::campaign::CampaignError),
    /// A command that reads named a SQLite file that does not exist.
    #[error(
        "no database at {0}: name one with --database-url (or HUIJI_DATABASE_URL), or create it with `huiji seed anhui`"
    )]
    NoDatabase(String),
    /// The database holds no union tree yet.
    #[error("the database {0} holds no unions: load them with `huiji seed anhui`")]
    NoUnions(String),
    /// The holidays file cannot be read or has a wrong line.
    #[error("{path}: {reason}")]
    Holidays {
        /// Which file.
        path: String,
        /// What is wrong (the line and the problem).
        reason: String,
    },
    /// The key file is missing or malformed.
    #[error("key file {path}: {reason}")]
    Keys {
        /// Which file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}
