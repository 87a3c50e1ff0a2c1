//! The command-line grammar.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod areas;
mod bench;

pub use areas::{
    CampaignCommand, ContestCommand, ContestCreateArgs, InnovationCommand, QuestionsCommand, RosterCommand,
    StationsCommand, StatsCommand,
};
pub use bench::{BenchContestArgs, BenchRosterArgs, BenchStationsArgs, BenchStoreArgs, GenArgs, Scenario};

/// huiji (会籍): union membership and member services for new-employment-form workers.
#[derive(Debug, Parser)]
#[command(name = "huiji", version, about)]
pub struct Cli {
    /// Database URL: sqlite:PATH or postgres://USER@HOST/DB [env: HUIJI_DATABASE_URL].
    #[arg(long, global = true)]
    pub database_url: Option<String>,

    /// Key file with the encryption and blind-index keys [env: HUIJI_KEY_FILE; default:
    /// data/huiji.keys, data/demo.keys for `demo`].
    #[arg(long, global = true)]
    pub key_file: Option<PathBuf>,

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
    Demo(DemoArgs),
    /// Apply the embedded database migrations and exit.
    Migrate,
    /// Load reference data into an empty database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Inspect unions.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Write a union's join QR code (一会一码) as SVG or PNG.
    Qr(QrArgs),
    /// The SMS outbox.
    #[command(subcommand)]
    Sms(SmsCommand),
    /// Key files.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Officer accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Generate synthetic but realistic members in bulk (seeds the union tree if missing;
    /// loads into a database without members).
    Gen(GenArgs),
    /// Benchmark: join submissions straight into the store from many tasks (the storage
    /// ceiling of `bench/run`); prints one JSON line of figures.
    #[command(name = "bench-store")]
    BenchStore(BenchStoreArgs),
    /// Benchmark aid for `bench/run contest`: loads finished attempts of a contest in bulk
    /// and writes members' contest passes; prints one JSON line of figures.
    #[command(name = "bench-contest")]
    BenchContest(BenchContestArgs),
    /// Benchmark of `bench/run stations`: loads generated stations over China, then times
    /// the nearest search (the app's, as a request runs it) from random positions; prints
    /// one JSON line.
    #[command(name = "bench-stations")]
    BenchStations(BenchStationsArgs),
    // Outreach: real-name rosters.
    /// Benchmark aid of `bench/run roster`: writes a GBK roster CSV of generated rows (20 %
    /// of them the database's members, read with the key file; 5 % invalid; 3 % repeated);
    /// prints one JSON line.
    #[command(name = "bench-roster")]
    BenchRoster(BenchRosterArgs),
    /// Remove the personal data of rejected applications and withdrawn members past the
    /// retention period (a running server also does this daily).
    Purge {
        /// Days to keep [default: retention_days from the configuration, 180].
        #[arg(long)]
        days: Option<u32>,
    },
    /// Copy a SQLite database to a file, online (for PostgreSQL use pg_dump).
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Overwrite a database that already holds unions.
        #[arg(long)]
        force: bool,
    },
    /// Consent texts (个人信息处理规则).
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// The working-time calendar legal-aid deadlines count in: one line per year and
    /// where its days come from, with `holidays_file` (or --file) checked and laid over
    /// the compiled-in notices exactly as the server does.
    Holidays {
        /// A holidays file to check instead of the configured `holidays_file`.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Platform API keys (shown once, stored hashed).
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Platforms and their webhooks.
    #[command(subcommand)]
    Platform(PlatformCommand),
    /// The innovation registry (跟着劳模去创新).
    #[command(subcommand)]
    Innovation(InnovationCommand),
    /// The 安康杯 safety knowledge contest: question bank and contests.
    #[command(subcommand)]
    Contest(ContestCommand),
    /// Service stations (工会服务站, 司机之家, 户外劳动者服务站).
    #[command(subcommand)]
    Stations(StationsCommand),
    /// Benefit programmes (普惠服务: insurance gifts, health checks …).
    #[command(subcommand)]
    Benefit(crate::benefits::BenefitCommand),
    /// Statistics: check or rebuild the rollups behind /console/stats.
    #[command(subcommand)]
    Stats(StatsCommand),
    // Outreach: real-name rosters.
    /// Real-name rosters (实名制花名册): import and match.
    #[command(subcommand)]
    Roster(RosterCommand),
    // Outreach: campaigns.
    /// Campaigns (定向短信邀请): create, send (queue) and show the funnel.
    #[command(subcommand)]
    Campaign(CampaignCommand),
}

/// `consent` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Publish a new version of the consent text; the join form shows it from now on and
    /// each application records the version it accepted.
    Publish {
        /// A UTF-8 file: the Chinese text, a line `---`, the English text.
        #[arg(long)]
        file: PathBuf,
    },
}

/// `api-key` subcommands.
#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key for a platform (created if new); the key alone is printed on stdout.
    Create {
        /// The platform's name, e.g. huolala.
        #[arg(long)]
        platform: String,
        /// Comma-separated scopes: applications, memberships.verify, orgs.
        #[arg(long, default_value = "applications,memberships.verify,orgs")]
        scopes: String,
    },
    /// List keys: prefix, platform, scopes, created, state.
    List,
    /// Revoke a key by its prefix (or the whole key).
    Revoke {
        /// The prefix shown by `api-key list`.
        prefix: String,
    },
}

/// `platform` subcommands.
#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// List platforms: id, name, webhook URL.
    List,
    /// Set where a platform's webhooks go; prints a new signing secret once.
    Webhook {
        /// The platform's name.
        #[arg(long)]
        platform: String,
        /// The receiving URL.
        #[arg(long)]
        url: Option<String>,
        /// Stop sending webhooks.
        #[arg(long)]
        clear: bool,
    },
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an officer account acting on the subtree of an org.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// The org id (see `huiji org list`).
        #[arg(long)]
        org: i64,
        /// admin, reviewer, viewer, or judge (a judge-only account for the innovation
        /// awards: it scores entries of the calls it is appointed to and sees nothing else).
        #[arg(long)]
        role: String,
        /// Read the password from standard input (first line) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Grant `pii.reveal`: the officer may reveal full ID numbers and mobiles of
        /// members in their subtree, giving a reason each time (audited).
        #[arg(long)]
        can_reveal: bool,
    },
    /// Grant `pii.reveal` to an account.
    GrantReveal {
        /// Login name.
        username: String,
    },
    /// Withdraw `pii.reveal` from an account.
    RevokeReveal {
        /// Login name.
        username: String,
    },
    /// List accounts: username, role, org id, org name, state.
    List,
    /// Disable an account and end its sessions.
    Disable {
        /// Login name.
        username: String,
    },
}

/// Options of `qr`.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// The union's id (see `huiji org list`).
    pub org_id: i64,
    /// Image format.
    #[arg(long, value_enum, default_value = "svg")]
    pub format: QrFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// QR image formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum QrFormat {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics.
    Png,
}

/// `sms` subcommands.
#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Show the newest messages the outbox provider holds (mobiles masked).
    Outbox {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new key file (encryption, blind-index and card-signing keys). Refuses to
    /// overwrite: losing a key file loses every encrypted value.
    Init {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a new encryption key, make it current, and re-encrypt every stored value under
    /// it in batches while servers run (they re-read the key file every 5 s). Resumable:
    /// run it again after an interruption and it continues. The blind-index key is kept.
    Rotate {
        /// Rows per batch.
        #[arg(long, default_value_t = 500)]
        batch: u32,
        /// Seconds to wait after writing the new key, so running servers load it before
        /// the re-encryption starts.
        #[arg(long, default_value_t = 10)]
        settle: u64,
    },
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 [env: HUIJI_LISTEN].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to listen, as for `serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Start without the sample casework (applications in every state, members, a pool,
    /// a transfer): the browser tests count what they make themselves.
    #[arg(long)]
    pub no_samples: bool,
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
