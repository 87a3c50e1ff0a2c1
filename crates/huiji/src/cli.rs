//! The command-line grammar.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// huiji (会籍): union membership and member services for new-employment-form workers.
#[derive(Debug, Parser)]
#[command(name = "huiji", version, about)]
pub struct Cli {
    /// Database URL: sqlite:PATH or postgres://USER@HOST/DB [env: HUIJI_DATABASE_URL].
    #[arg(long, global = true)]
    pub database_url: Option<String>,

    /// Optional TOML configuration file [env: HUIJI_CONFIG; default: huiji.toml if present].
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrations run first).
    Serve(ServeArgs),
    /// Build a demo on an embedded SQLite database with Anhui's union tree, and serve it.
    Demo(ServeArgs),
    /// Apply the embedded database migrations and exit.
    Migrate,
    /// Load reference data into an empty database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Inspect unions.
    #[command(subcommand)]
    Org(OrgCommand),
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 [env: HUIJI_LISTEN].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// What `seed` can load.
#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// Anhui's real union tree: the province federation, 16 city and 119 county-level
    /// federations, every township/street union, and 164 industry federations.
    Anhui,
}

/// `org` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Print unions as tab-separated lines: id, kind, name, region code.
    List(OrgListArgs),
}

/// Filters of `org list`.
#[derive(Debug, Args)]
pub struct OrgListArgs {
    /// Only unions whose region lies within this GB/T 2260 code (e.g. 3401 for 合肥市).
    #[arg(long)]
    pub region: Option<String>,
    /// Only unions of this kind: federation, industry_federation, township, community,
    /// enterprise.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this union and the unions below it.
    #[arg(long)]
    pub within: Option<i64>,
}
