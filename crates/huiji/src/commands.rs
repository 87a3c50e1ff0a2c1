//! What each command does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use huiji_app::App;
use huiji_app::jobs;
use huiji_app::orgs::{join_url, qr};
use huiji_app::ports::{Clock, SystemClock};
use huiji_app::real_name::RealNameProvider;
use huiji_core::org::OrgKindCode;
use huiji_core::rate_limit::Rate;
use huiji_core::{OrgId, RegionCode, Timestamp};
use huiji_store::prelude::*;
use huiji_store::{OrgFilter, SqlStore};
use huiji_web::WebState;
use tokio::net::TcpListener;

use crate::cli::{
    Command, ConsentCommand, DemoArgs, KeysCommand, OrgCommand, OrgListArgs, QrArgs, QrFormat, SeedCommand,
    ServeArgs, SmsCommand,
};
use crate::config::{DatabaseUrl, Settings};
use crate::error::CommandError;
use crate::setup::{create_key_file, key_error, load_keyring, open, open_existing, seed_anhui};
use crate::{innovation, platforms, privacy, users};

/// Where `serve`, `migrate`, `seed` and `org` keep data unless told otherwise.
const DEFAULT_DATABASE_URL: &str = "sqlite:data/huiji.db";

/// The demo's own database, so trying the demo never touches real data.
const DEMO_DATABASE_URL: &str = "sqlite:data/demo.db";

/// The key file `serve` and the other commands use unless told otherwise.
const DEFAULT_KEY_FILE: &str = "data/huiji.keys";

/// The demo's key file, created on first run.
const DEMO_KEY_FILE: &str = "data/demo.keys";

/// The demo's officers: a province admin, a city reviewer and a county viewer, so the
/// subtree scoping can be tried. The password is the demo's, printed at every start.
/// (`None`: the root, the province federation.)
const DEMO_OFFICERS: [(&str, Option<&str>, huiji_core::Role); 3] = [
    ("anhui", None, huiji_core::Role::Admin),
    ("hefei", Some("3401"), huiji_core::Role::Reviewer),
    ("feidong", Some("340122"), huiji_core::Role::Viewer),
];

/// The demo officers' password (demo databases only).
const DEMO_PASSWORD: &str = "huiji-demo-2026";

/// How many orgs `org list` fetches per query.
const LIST_PAGE: u32 = 1000;

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
            let url = settings.database_url_or(DEFAULT_DATABASE_URL);
            let store = open_existing(&url).await?;
            list_orgs(&store, &url, args, out).await
        }
        Command::Qr(args) => {
            let store = open_existing(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            write_qr(&store, args, &settings.public_url(), out).await
        }
        Command::Sms(SmsCommand::Outbox { limit }) => {
            let store = open_existing(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            for message in store.sms_outbox(*limit).await? {
                let when = Timestamp(message.created_at);
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    message.id,
                    when.china_date(),
                    message.mobile_masked,
                    message.body
                )?;
            }
            Ok(())
        }
        Command::User(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            users::execute(&store, command, out).await
        }
        Command::BenchStore(args) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            let keys = settings.key_file.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE));
            crate::bench_store::run(store, load_keyring(&keys)?, args, out).await
        }
        Command::BenchStations(args) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::bench_stations::run(store, &settings.public_url(), args, out).await
        }
        // Outreach: real-name rosters.
        Command::BenchRoster(args) => {
            let store = open_existing(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::bench_roster::run(store, &key_file(settings), args, out).await
        }
        Command::BenchContest(args) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::bench_contest::run(store, &key_file(settings), args, out).await
        }
        Command::Gen(args) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            let keys = settings.key_file.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE));
            crate::generate::run(&store, load_keyring(&keys)?, args, out).await
        }
        Command::ApiKey(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            platforms::api_key(&store, command, out).await
        }
        Command::Innovation(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            innovation::run(&store, command, out).await
        }
        Command::Platform(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            let keys = settings.key_file.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE));
            platforms::platform(&store, || load_keyring(&keys), command, out).await
        }
        Command::Keys(KeysCommand::Init { out: path }) => {
            create_key_file(path)?;
            writeln!(out, "created key file {} — keep it secret and backed up", path.display())?;
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate { batch, settle }) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            privacy::rotate_keys(&store, &key_file(settings), *batch, *settle, out).await
        }
        Command::Purge { days } => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            privacy::purge(&store, days.unwrap_or(settings.retention_days), out).await
        }
        Command::Backup { to } => {
            privacy::backup(&settings.database_url_or(DEFAULT_DATABASE_URL), to, out).await
        }
        Command::Restore { from, force } => {
            privacy::restore(&settings.database_url_or(DEFAULT_DATABASE_URL), from, *force, out).await
        }
        Command::Contest(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::contest::execute(store, &settings.public_url(), command, out).await
        }
        Command::Stations(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::stations::execute(store, &settings.public_url(), command, out).await
        }
        Command::Benefit(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::benefits::execute(store, &settings.public_url(), command, out).await
        }
        Command::Stats(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::stats::execute(store, &settings.public_url(), command, out).await
        }
        // Outreach: real-name rosters.
        Command::Roster(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::roster::execute(store, &key_file(settings), &settings.public_url(), command, out).await
        }
        // Outreach: campaigns.
        Command::Campaign(command) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            crate::campaign::execute(store, &key_file(settings), settings, command, out).await
        }
        Command::Holidays { file } => {
            let calendar = crate::calendar::load(file.as_deref().or(settings.holidays_file.as_deref()))?;
            crate::calendar::show(&calendar, out)
        }
        Command::Consent(ConsentCommand::Publish { file }) => {
            let store = open(&settings.database_url_or(DEFAULT_DATABASE_URL)).await?;
            privacy::publish_consent(&store, file, out).await
        }
    }
}

/// Writes the QR code of a union's join link.
async fn write_qr(
    store: &dyn Store,
    args: &QrArgs,
    public_url: &str,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let org = store
        .org(OrgId(args.org_id))
        .await?
        .ok_or_else(|| CommandError::InvalidArgument(format!("no union with id {}", args.org_id)))?;
    let code = org.join_code.as_deref().ok_or_else(|| {
        CommandError::InvalidArgument(format!(
            "{} does not receive applications and has no join code",
            org.name
        ))
    })?;
    let url = join_url(public_url.trim_end_matches('/'), code);
    let bytes = match args.format {
        QrFormat::Svg => qr::svg(&url, 8).map(String::into_bytes),
        QrFormat::Png => qr::png(&url, 10),
    }
    .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, bytes)?;
            eprintln!("wrote the QR code of {} ({url}) to {}", org.name, path.display());
        }
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

/// Prints matching orgs as `id<TAB>kind<TAB>name<TAB>region`, in id order.
pub async fn list_orgs(
    store: &dyn Store,
    database: &DatabaseUrl,
    args: &OrgListArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let region = match &args.region {
        Some(code) => Some(code.parse::<RegionCode>().map_err(|_| {
            CommandError::InvalidArgument(format!("--region {code}: a region code has 2, 4, 6 or 9 digits"))
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
            let org = store
                .org(OrgId(id))
                .await?
                .ok_or_else(|| CommandError::InvalidArgument(format!("--within {id}: no such union")))?;
            Some(org.path)
        }
        None => None,
    };
    // The arguments are checked first; then an empty database says so rather than
    // printing nothing.
    if store.count_orgs(&OrgFilter::default()).await? == 0 {
        return Err(CommandError::NoUnions(database.redacted()));
    }
    let mut filter = OrgFilter { within, region, kind, limit: Some(LIST_PAGE), ..OrgFilter::default() };
    loop {
        let page = store.orgs(&filter).await?;
        for org in &page {
            writeln!(out, "{}\t{}\t{}\t{}", org.id, org.kind.label(), org.name, org.region)?;
        }
        match page.last() {
            Some(last) if page.len() == LIST_PAGE as usize => filter.after = Some(last.id),
            _ => break,
        }
    }
    Ok(())
}

/// The key file `serve` and the operator commands use.
fn key_file(settings: &Settings) -> PathBuf {
    settings.key_file.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE))
}

async fn serve(settings: &Settings, _args: &ServeArgs, out: &mut dyn Write) -> Result<(), CommandError> {
    let url = settings.database_url_or(DEFAULT_DATABASE_URL);
    let keys = key_file(settings);
    load_keyring(&keys)?;
    let store = open(&url).await?;
    let listener = TcpListener::bind(settings.listen).await?;
    let address = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    writeln!(out, "huiji serving http://{address}/ on {}", url.redacted())?;
    out.flush()?;
    run_server(store, listener, shutdown, &keys, &settings.public_url(), settings, None).await
}

async fn demo(settings: &Settings, args: &DemoArgs, out: &mut dyn Write) -> Result<(), CommandError> {
    let url = settings.database_url_or(DEMO_DATABASE_URL);
    let keys = settings.key_file.clone().unwrap_or_else(|| PathBuf::from(DEMO_KEY_FILE));
    if !keys.exists() {
        create_key_file(&keys)?;
        writeln!(out, "created the demo key file {}", keys.display())?;
    }
    let keyring = load_keyring(&keys)?;
    let store = open(&url).await?;
    if store.count_orgs(&OrgFilter::default()).await? == 0 {
        seed_anhui(&store, &SystemClock, out).await?;
    }
    let unions = store.count_orgs(&OrgFilter::default()).await?;
    let mut officers = Vec::new();
    for (username, code, role) in DEMO_OFFICERS {
        let org = match code {
            Some(code) => store.org_by_join_code(code).await?,
            None => {
                store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?.into_iter().next()
            }
        };
        if let Some(org) = org {
            officers.push((username, role, org));
        }
    }
    if store.users().await?.is_empty() {
        for (username, role, org) in &officers {
            users::add_user(
                &store,
                username,
                org.id,
                *role,
                Some(DEMO_PASSWORD.to_owned()),
                *role == huiji_core::Role::Admin,
            )
            .await?;
        }
    }
    if !args.no_samples {
        let admin = DEMO_OFFICERS[0].0;
        let now = SystemClock.now();
        if let Some(c) =
            crate::demo::seed_casework(&store, keyring, &settings.public_url(), admin, now).await?
        {
            writeln!(
                out,
                "seeded sample casework: {} applications waiting ({} escalated past their deadline), \
                 {} rejected, {} members ({} in 合肥市's turnover pool), {} transfer waiting",
                c.pending, c.escalated, c.rejected, c.members, c.pooled, c.transfers
            )?;
        }
    }
    let studios = crate::demo::seed_innovation(&store, SystemClock.now()).await?;
    if studios > 0 {
        writeln!(out, "seeded a generated innovation registry ({studios} studios, names marked 演示)")?;
    }
    let stations = crate::stations::seed_demo(&store, &settings.public_url()).await?;
    if stations > 0 {
        writeln!(
            out,
            "seeded {stations} generated service stations and driver homes (names marked （示例）)"
        )?;
    }
    let programmes = crate::benefits::seed_demo(&store, &settings.public_url()).await?;
    if programmes > 0 {
        writeln!(out, "seeded {programmes} benefit programmes (names marked （示例）)")?;
    }
    let listener = TcpListener::bind(settings.listen).await.map_err(|e| {
        CommandError::InvalidArgument(format!(
            "cannot listen on {}: {e} (choose another address with --listen)",
            settings.listen
        ))
    })?;
    let local = format!("http://{}", listener.local_addr()?);
    let base = settings.public_url.clone().unwrap_or(local);
    let base = base.trim_end_matches('/');
    let db = url.redacted();
    writeln!(out, "\nhuiji demo — database {db} ({unions} unions of Anhui)\n")?;
    writeln!(out, "  home page           {base}/")?;
    writeln!(out, "  join (portal)       {base}/join")?;
    writeln!(out, "  join by QR code     {base}/j/3401T  (合肥市货车司机工会联合会)")?;
    writeln!(out, "  its printable poster {base}/qr/3401T/poster")?;
    writeln!(out, "  application status  {base}/status")?;
    writeln!(out, "  innovation studios  {base}/innovation")?;
    writeln!(out, "  service stations    {base}/stations?county=340104  (合肥市蜀山区)")?;
    writeln!(out, "  health, metrics     {base}/healthz  {base}/metrics")?;
    writeln!(out, "  officer console    {base}/console  (password {DEMO_PASSWORD} for each of:")?;
    for (username, role, org) in &officers {
        writeln!(out, "                       {username:<8} {role:<8} {}", org.name)?;
    }
    writeln!(out, "                     )")?;
    writeln!(out, "\nThe demo sends no SMS: read the codes from the outbox with")?;
    writeln!(out, "  cargo run --release -- sms outbox --database-url {db}")?;
    writeln!(out, "Platform API ({base}/api/openapi.json): make a key with")?;
    writeln!(out, "  cargo run --release -- api-key create --platform NAME --database-url {db}")?;
    writeln!(out, "The demo's offline real-name check knows these people (name, ID number, mobile);")?;
    writeln!(out, "they join at once, anyone else waits for review in the console:")?;
    for (name, id_number, mobile) in crate::demo::DEMO_PEOPLE {
        writeln!(out, "  {name}\t{id_number}\t{mobile}")?;
    }
    let shutdown = shutdown_signal()?;
    writeln!(out, "Stop with Ctrl-C.")?;
    out.flush()?;
    let register: Arc<dyn RealNameProvider> = Arc::new(crate::demo::real_name_register());
    run_server(store, listener, shutdown, &keys, base, settings, Some(register)).await
}

async fn run_server(
    store: SqlStore,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    keys: &Path,
    public_url: &str,
    settings: &Settings,
    real_name: Option<Arc<dyn RealNameProvider>>,
) -> Result<(), CommandError> {
    let store = Arc::new(store);
    let keyring = load_keyring(keys)?;
    let tls = settings.secure_cookies.unwrap_or_else(|| public_url.starts_with("https://"));
    let app = App::new(store.clone(), Arc::new(SystemClock), keyring, public_url)
        .with_case_deadlines(settings.case_deadlines())
        // The write path: consent versions and cities' unions cached (another instance's change shows within the TTL).
        .with_join_cache(huiji_app::joining::cache::SERVE_TTL_MILLIS)
        // The contest's answers: contests cached (a freeze shows within the TTL), questions never change.
        .with_contest_cache(huiji_app::contest::cache::SERVE_TTL_MILLIS)
        .with_calendar(crate::calendar::load(settings.holidays_file.as_deref())?);
    // A key rotation by `huiji keys rotate` reaches this server through the file.
    app.keys().watch(keys.to_path_buf()).map_err(|e| key_error(keys, e))?;
    let app = crate::ports::connect(app, settings, real_name)?;
    // Outreach: campaigns.
    let app = app.with_campaigns(crate::campaign::settings(settings)?);
    let state =
        WebState::new(app.clone()).with_tls(tls, tls).with_trust_proxy(settings.trust_proxy).with_api_rate(
            Rate::per_second(settings.api_rate_per_second, settings.api_rate_per_second.saturating_mul(2)),
        );
    tracing::info!(address = %listener.local_addr()?, backend = store.backend().name(), "listening");
    // Overdue reviews move up to the parent federation; every instance may run this.
    let escalation = jobs::spawn_escalation(app.clone(), std::time::Duration::from_secs(5 * 60));
    let retention = jobs::spawn_retention(
        app.clone(),
        settings.retention_days,
        std::time::Duration::from_secs(24 * 3600),
    );
    let reload = jobs::spawn_key_reload(app.clone());
    // Attempts members walked away from are finished, closed contests frozen.
    let contests = huiji_app::contest::boards::spawn_closing(app.clone(), std::time::Duration::from_secs(60));
    let idempotency = jobs::spawn_idempotency_purge(app.clone(), std::time::Duration::from_secs(600));
    // Outreach: campaigns — due campaign messages, one batch a second.
    let campaigns = huiji_app::campaign::deliver::spawn_delivery(app.clone());
    // Decision SMS left undelivered by their request (escalations, provider failures,
    // benefit grants made on approval or in batch).
    let decision_sms = huiji_app::notices::spawn_delivery(app.clone(), std::time::Duration::from_secs(30));
    // Outreach: rosters — imports whose server stopped mid-way are marked interrupted.
    let roster_jobs = huiji_app::roster::jobs::spawn_sweep(app.clone(), std::time::Duration::from_secs(60));
    // Officers' daily digests of waiting reviews (opt-in per account).
    let digests = jobs::spawn_review_digest(app.clone(), std::time::Duration::from_secs(10 * 60));
    let webhooks = jobs::spawn_webhook_delivery(app, std::time::Duration::from_secs(1))
        .map_err(|e| CommandError::InvalidArgument(format!("webhook client: {e}")))?;
    let served = huiji_web::serve(listener, state, shutdown).await;
    let jobs = [
        escalation,
        retention,
        reload,
        contests,
        idempotency,
        webhooks,
        campaigns,
        decision_sms,
        roster_jobs,
        digests,
    ];
    for job in &jobs {
        job.abort();
    }
    // Gone before the pools close: an abort takes effect at the job's next wait, and a job
    // busy draining a backlog (the welcome SMS after a burst) otherwise went on to meet
    // the closed pool and logged a failure at every such shutdown.
    for job in jobs {
        let _ = job.await;
    }
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what service managers send), starting the graceful
/// shutdown. The handlers are installed here, before the caller says it is serving: a
/// signal that came before a lazily installed handler ended the process at once, with
/// no graceful shutdown.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, CommandError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

/// Completes on Ctrl-C, starting the graceful shutdown.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, CommandError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}
