//! What each command does.

use std::io::Write;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use huiji_core::org::OrgKindCode;
use huiji_core::tree_plan::{self, PlanError};
use huiji_core::{Clock, OrgId, RegionCode, RegionTable, Timestamp};
use huiji_store::{OrgFilter, SqlStore, Store, StoreError};
use huiji_web::AppState;
use tokio::net::TcpListener;

use crate::cli::{Command, OrgCommand, OrgListArgs, SeedCommand, ServeArgs};
use crate::config::{DatabaseUrl, Settings};

/// Where `serve`, `migrate`, `seed` and `org` keep data unless told otherwise.
const DEFAULT_DATABASE_URL: &str = "sqlite:data/huiji.db";

/// The demo's own database, so trying the demo never touches real data.
const DEMO_DATABASE_URL: &str = "sqlite:data/demo.db";

/// How many orgs `org list` fetches per query.
const LIST_PAGE: u32 = 1000;

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp(millis)
    }
}

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
    /// The reference data lacks something the seed needs.
    #[error("{0}")]
    Plan(#[from] PlanError),
}

/// Runs one command, writing its output to `out`.
pub async fn execute(
    command: &Command,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match command {
        Command::Serve(args) => serve(settings, args, out).await,
        Command::Demo(args) => demo(settings, args, out).await,
        Command::Migrate => {
            let url = settings.database_url_or(DEFAULT_DATABASE_URL);
            open(&url).await?;
            writeln!(out, "migrations applied to {}", url.redacted())?;
            Ok(())
        }
        Command::Seed(SeedCommand::Anhui) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            seed_anhui(&store, &SystemClock, out).await
        }
        Command::Org(OrgCommand::List(args)) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            list_orgs(&store, args, out).await
        }
    }
}

/// Connects and applies pending migrations; creates the directory of a SQLite file so
/// `sqlite:data/demo.db` works on a fresh clone.
pub async fn open(url: &DatabaseUrl) -> Result<SqlStore, CommandError> {
    if let Some(path) = url.expose().strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
            && path != ":memory:"
        {
            std::fs::create_dir_all(dir)?;
        }
    }
    let store = SqlStore::connect(url.expose()).await?;
    store.migrate().await?;
    Ok(store)
}

/// Loads Anhui's union tree into an empty database and reports what it made.
pub async fn seed_anhui(
    store: &dyn Store,
    clock: &dyn Clock,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let existing = store.count_orgs(&OrgFilter::default()).await?;
    if existing > 0 {
        return Err(CommandError::NotEmpty(existing));
    }
    let started = Instant::now();
    let plan = tree_plan::anhui(RegionTable::national())?;
    let ids = store.create_tree(&plan, clock.now()).await?;
    writeln!(
        out,
        "seeded {} unions of Anhui in {:.2} s (1 province, 16 city and 119 county-level federations, \
         {} industry federations, {} township/street unions)",
        ids.len(),
        started.elapsed().as_secs_f64(),
        plan.orgs
            .iter()
            .filter(|o| o.kind.code() == OrgKindCode::IndustryFederation)
            .count(),
        plan.orgs
            .iter()
            .filter(|o| o.kind.code() == OrgKindCode::Township)
            .count(),
    )?;
    Ok(())
}

/// Prints matching orgs as `id<TAB>kind<TAB>name<TAB>region`, in id order.
pub async fn list_orgs(
    store: &dyn Store,
    args: &OrgListArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let region = match &args.region {
        Some(code) => Some(code.parse::<RegionCode>().map_err(|_| {
            CommandError::InvalidArgument(format!(
                "--region {code}: a region code has 2, 4, 6 or 9 digits"
            ))
        })?),
        None => None,
    };
    let kind = match &args.kind {
        Some(kind) => Some(
            kind.parse::<OrgKindCode>()
                .map_err(|e| CommandError::InvalidArgument(format!("--kind {kind}: {e}")))?,
        ),
        None => None,
    };
    let within = match args.within {
        Some(id) => {
            let org = store.org(OrgId(id)).await?.ok_or_else(|| {
                CommandError::InvalidArgument(format!("--within {id}: no such union"))
            })?;
            Some(org.path)
        }
        None => None,
    };
    let mut filter = OrgFilter {
        within,
        region,
        kind,
        limit: Some(LIST_PAGE),
        ..OrgFilter::default()
    };
    loop {
        let page = store.orgs(&filter).await?;
        for org in &page {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                org.id,
                org.kind.label(),
                org.name,
                org.region
            )?;
        }
        match page.last() {
            Some(last) if page.len() == LIST_PAGE as usize => filter.after = Some(last.id),
            _ => break,
        }
    }
    Ok(())
}

async fn serve(
    settings: &Settings,
    _args: &ServeArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let url = settings.database_url_or(DEFAULT_DATABASE_URL);
    let store = open(&url).await?;
    let listener = TcpListener::bind(settings.listen).await?;
    let address = listener.local_addr()?;
    writeln!(out, "huiji serving http://{address}/ on {}", url.redacted())?;
    out.flush()?;
    run_server(store, listener).await
}

async fn demo(
    settings: &Settings,
    _args: &ServeArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let url = settings.database_url_or(DEMO_DATABASE_URL);
    let store = open(&url).await?;
    if store.count_orgs(&OrgFilter::default()).await? == 0 {
        seed_anhui(&store, &SystemClock, out).await?;
    }
    let unions = store.count_orgs(&OrgFilter::default()).await?;
    let listener = TcpListener::bind(settings.listen).await.map_err(|e| {
        CommandError::InvalidArgument(format!(
            "cannot listen on {}: {e} (choose another address with --listen)",
            settings.listen
        ))
    })?;
    let base = format!("http://{}", listener.local_addr()?);
    writeln!(
        out,
        "\nhuiji demo — database {} ({unions} unions of Anhui)\n",
        url.redacted()
    )?;
    writeln!(out, "  home page  {base}/")?;
    writeln!(out, "  in English {base}/?lang=en")?;
    writeln!(out, "  health     {base}/healthz")?;
    writeln!(out, "  metrics    {base}/metrics")?;
    writeln!(
        out,
        "\nList the unions:  huiji org list --database-url {} --region 3401",
        url.redacted()
    )?;
    writeln!(out, "Stop with Ctrl-C.")?;
    out.flush()?;
    run_server(store, listener).await
}

async fn run_server(store: SqlStore, listener: TcpListener) -> Result<(), CommandError> {
    let store = Arc::new(store);
    let state = AppState::new(store.clone(), Arc::new(SystemClock));
    tracing::info!(address = %listener.local_addr()?, backend = store.backend().name(), "listening");
    huiji_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what service managers send), starting the graceful
/// shutdown.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
