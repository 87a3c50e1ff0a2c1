//! The grammar of the synthetic data generator and the benchmarks' commands.

use std::path::PathBuf;

use clap::Args;

/// Options of `gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// anhui-2021: the article's 412,000 members of the four groups in Anhui (325,000
    /// truck drivers); national: 10,000,000 members across every province.
    #[arg(long, value_enum)]
    pub scenario: Scenario,
    /// How many members (default: the scenario's).
    #[arg(long)]
    pub members: Option<u64>,
    /// The seed: the same seed makes the same people.
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
}

/// Options of `bench-store`.
#[derive(Debug, Args)]
pub struct BenchStoreArgs {
    /// How many applications (unique valid identities).
    #[arg(long, default_value_t = 50_000)]
    pub joins: usize,
    /// Concurrent submitting tasks (the HTTP benchmark's connections).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// The seed of the synthetic people.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

// Outreach: real-name rosters.
/// `bench-roster` options.
#[derive(Debug, Args)]
pub struct BenchRosterArgs {
    /// Data rows to write.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The seed of the generated rows.
    #[arg(long, default_value_t = 15)]
    pub seed: u64,
}

/// Options of `bench-stations`.
#[derive(Debug, Args)]
pub struct BenchStationsArgs {
    /// Generated stations to load first (none when the database already holds that many).
    #[arg(long, default_value_t = 200_000)]
    pub stations: usize,
    /// Searches to time.
    #[arg(long, default_value_t = 2_000)]
    pub queries: usize,
    /// Stations each search asks for.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// The seed of the generated stations and positions.
    #[arg(long, default_value_t = 16)]
    pub seed: u64,
}

/// Options of `bench-contest`.
#[derive(Debug, Args)]
pub struct BenchContestArgs {
    /// The contest's id.
    #[arg(long)]
    pub contest: i64,
    /// Finished attempts to load, spread over the organiser's members.
    #[arg(long, default_value_t = 0)]
    pub attempts: usize,
    /// Members whose contest passes to write (needs the key file).
    #[arg(long, default_value_t = 0)]
    pub passes: usize,
    /// Where the passes go, one a line.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The seed of the random scores and times.
    #[arg(long, default_value_t = 18)]
    pub seed: u64,
}

/// The data sets `gen` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Anhui in 2021.
    #[value(name = "anhui-2021")]
    Anhui2021,
    /// The whole country.
    National,
}
