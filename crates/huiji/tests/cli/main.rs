//! The huiji binary, run as a process against its own database on each backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use huiji_core::OrgKind;
use huiji_core::org::Level;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};

mod benefits;
mod contest;
mod demo;
mod generate;
mod holidays;
mod innovation;
// Two instances, one PostgreSQL (issue 14).
mod multi;
mod privacy;
// Outreach: real-name rosters.
mod roster;
// Outreach: campaigns.
mod campaign;
mod stations;
mod stats;

fn huiji(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(args)
        .arg("--database-url")
        .arg(url)
        .env_remove("HUIJI_DATABASE_URL")
        .env("HUIJI_LOG", "warn")
        .output()
        .expect("run huiji")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "huiji failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

both_databases!(seed_anhui_then_list_orgs, |db: TestDb| async move {
    let seeded = stdout(&huiji(&db.url, &["seed", "anhui"]));
    assert!(seeded.starts_with("seeded 1985 unions of Anhui"), "{seeded}");
    assert_eq!(db.store.count_orgs(&OrgFilter::default()).await.unwrap(), 1985);

    // A second seed refuses and changes nothing.
    let again = huiji(&db.url, &["seed", "anhui"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds 1985 unions"));
    assert_eq!(db.store.count_orgs(&OrgFilter::default()).await.unwrap(), 1985);

    // Every line: id, kind, name, region code; the id first so scripts can cut it.
    let all = stdout(&huiji(&db.url, &["org", "list"]));
    let lines: Vec<Vec<&str>> = all.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 1985);
    assert!(lines.iter().all(|fields| fields.len() == 4 && fields[0].parse::<i64>().is_ok()));
    assert_eq!(lines[0][1..], ["federation/province", "安徽省总工会", "34"]);

    let hefei_industry =
        stdout(&huiji(&db.url, &["org", "list", "--region", "3401", "--kind", "industry_federation"]));
    let names: Vec<&str> = hefei_industry.lines().map(|l| l.split('\t').nth(2).unwrap()).collect();
    assert!(names.contains(&"合肥市货车司机工会联合会"));
    assert!(names.contains(&"肥东县货车司机工会联合会"));
    assert!(hefei_industry.lines().all(|l| l.split('\t').nth(3).unwrap().starts_with("3401")));

    // --within takes an id printed by an earlier listing.
    let county = all.lines().find(|l| l.contains("\t肥东县总工会\t")).unwrap();
    let county_id = county.split('\t').next().unwrap();
    let within = stdout(&huiji(&db.url, &["org", "list", "--within", county_id]));
    let county_orgs = db
        .store
        .orgs(&OrgFilter { region: Some("340122".parse().unwrap()), ..OrgFilter::default() })
        .await
        .unwrap();
    assert_eq!(within.lines().count(), county_orgs.len());
    assert!(county_orgs.iter().any(|o| o.kind == OrgKind::Federation(Level::County)));
});

both_databases!(bad_arguments_are_explained, |db: TestDb| async move {
    for (args, message) in [
        (&["org", "list", "--region", "34x"][..], "--region 34x"),
        (&["org", "list", "--kind", "club"][..], "--kind club"),
        (&["org", "list", "--within", "424242"][..], "no such union"),
    ] {
        let output = huiji(&db.url, args);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
});

#[test]
fn unsupported_urls_are_refused() {
    let output = huiji("mysql://localhost/huiji", &["migrate"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unsupported database URL"));
}

#[test]
fn migrate_creates_the_sqlite_directory() {
    let dir = std::env::temp_dir().join(format!("huiji-cli-{}", std::process::id()));
    let url = format!("sqlite:{}/nested/huiji.db", dir.display());
    let out = stdout(&huiji(&url, &["migrate"]));
    assert!(out.contains("migrations applied"));
    assert!(dir.join("nested/huiji.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn commands_that_read_never_create_a_database() {
    let dir = scratch("no-database");
    let path = dir.join("typo.db");
    let url = format!("sqlite:{}", path.display());
    for args in [&["org", "list", "--region", "3401"][..], &["sms", "outbox"][..], &["qr", "1"][..]] {
        let output = huiji(&url, args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no database at") && stderr.contains("typo.db"), "{args:?}: {stderr}");
        assert!(!path.exists(), "{args:?} created the file");
    }
    // A database without unions says what to do instead of printing nothing.
    stdout(&huiji(&url, &["migrate"]));
    let empty = huiji(&url, &["org", "list"]);
    assert!(!empty.status.success());
    assert!(
        String::from_utf8_lossy(&empty.stderr).contains("holds no unions: load them with `huiji seed anhui`")
    );
    let _ = std::fs::remove_dir_all(dir);
}

both_databases!(a_reader_that_stops_early_is_no_failure, |db: TestDb| async move {
    use std::io::BufRead as _;
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    // `huiji org list | head -1`: 1,985 lines are more than a pipe holds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["org", "list", "--database-url", &db.url])
        .env_remove("HUIJI_DATABASE_URL")
        .env("HUIJI_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("安徽省总工会"));
    drop(lines);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("Broken pipe"));
});

both_databases!(qr_codes_of_receiving_unions, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let union = db.store.org_by_join_code("3401T").await.unwrap().unwrap();
    let id = union.id.to_string();
    let svg = stdout(&huiji(&db.url, &["qr", &id, "--format", "svg"]));
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    let expected = huiji_app::orgs::qr::svg("http://127.0.0.1:8080/j/3401T", 8).unwrap();
    assert_eq!(svg, expected, "the default public URL is the listen address");

    let file = std::env::temp_dir().join(format!(
        "huiji-qr-{}-{}.png",
        std::process::id(),
        db.store.backend().name()
    ));
    let out = huiji(&db.url, &["qr", &id, "--format", "png", "--out", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(std::fs::read(&file).unwrap().starts_with(b"\x89PNG"));
    let _ = std::fs::remove_file(&file);

    // A township union receives no applications, so it has no code.
    let township = db
        .store
        .orgs(&OrgFilter { kind: Some("township".parse().unwrap()), limit: Some(1), ..OrgFilter::default() })
        .await
        .unwrap();
    let refused = huiji(&db.url, &["qr", &township[0].id.to_string()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("has no join code"));
});

#[test]
fn keys_init_writes_a_private_file_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("huiji-keys-{}", std::process::id()));
    let path = dir.join("k.keys");
    let out = huiji("sqlite::memory:", &["keys", "init", "--out", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(huiji_vault::Keyring::from_key_file_text(&text).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = huiji("sqlite::memory:", &["keys", "init", "--out", path.to_str().unwrap()]);
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the old keys survive");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_without_a_key_file_says_how_to_make_one() {
    let out = huiji(
        "sqlite::memory:",
        &["serve", "--key-file", "/nonexistent/huiji.keys", "--listen", "127.0.0.1:0"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("huiji keys init --out /nonexistent/huiji.keys"));
}

both_databases!(officer_accounts_from_the_command_line, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let county = db.store.org_by_join_code("340122").await.unwrap().unwrap();
    let org = county.id.to_string();

    // A generated password is shown once.
    let created = stdout(&huiji(
        &db.url,
        &["user", "add", "--username", "feidong", "--org", &org, "--role", "reviewer"],
    ));
    let password = created.lines().find_map(|l| l.strip_prefix("password (shown once): ")).unwrap();
    assert_eq!(password.len(), 16);
    let user = db.store.user_by_username("feidong").await.unwrap().unwrap();
    assert!(huiji_app::accounts::passwords::verify(password, &user.password_hash));
    assert_eq!((user.role.code(), user.org_id), ("reviewer", county.id.0));

    // A password on stdin is used and not printed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["user", "add", "--username", "viewer1", "--org", &org, "--role", "viewer", "--password-stdin"])
        .args(["--database-url", &db.url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"a long enough secret\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stdout).contains("a long enough secret"));
    let viewer = db.store.user_by_username("viewer1").await.unwrap().unwrap();
    assert!(huiji_app::accounts::passwords::verify("a long enough secret", &viewer.password_hash));

    let list = stdout(&huiji(&db.url, &["user", "list"]));
    assert!(list.contains("feidong\treviewer\t") && list.contains("肥东县总工会\tactive"), "{list}");

    for (args, message) in [
        (&["user", "add", "--username", "feidong", "--org", &org, "--role", "viewer"][..], "taken"),
        (&["user", "add", "--username", "x", "--org", "999999", "--role", "viewer"][..], "no such union"),
        (
            &["user", "add", "--username", "y", "--org", &org, "--role", "boss"][..],
            "admin, reviewer, viewer or judge",
        ),
        (&["user", "disable", "nobody"][..], "no user nobody"),
    ] {
        let out = huiji(&db.url, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{args:?}");
    }

    stdout(&huiji(&db.url, &["user", "disable", "feidong"]));
    assert!(db.store.user_by_username("feidong").await.unwrap().unwrap().disabled);
    assert!(stdout(&huiji(&db.url, &["user", "list"])).contains("feidong\treviewer\t"));
});

both_databases!(api_keys_are_shown_once_listed_and_revoked, |db: TestDb| async move {
    use huiji_store::PlatformStore as _;
    let created =
        huiji(&db.url, &["api-key", "create", "--platform", "huolala", "--scopes", "applications,orgs"]);
    let key = stdout(&created).trim().to_owned();
    assert!(key.starts_with("hj_") && key.len() == 3 + 12 + 1 + 64, "{key}");
    assert!(String::from_utf8_lossy(&created.stderr).contains("shown once"));
    let prefix = &key[3..15];
    let stored = db.store.api_key_by_prefix(prefix).await.unwrap().unwrap();
    assert_eq!((stored.platform_name.as_str(), stored.scopes.as_str()), ("huolala", "applications orgs"));
    assert_ne!(stored.key_hash, key, "only a hash is stored");

    let list = stdout(&huiji(&db.url, &["api-key", "list"]));
    assert!(list.starts_with(&format!("{prefix}\thuolala\tapplications orgs\t")), "{list}");
    assert!(list.trim_end().ends_with("active") && !list.contains(&key[16..]), "{list}");

    let bad = huiji(&db.url, &["api-key", "create", "--platform", "x", "--scopes", "admin"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown scope"));

    assert!(stdout(&huiji(&db.url, &["api-key", "revoke", &key])).contains(prefix));
    assert!(stdout(&huiji(&db.url, &["api-key", "list"])).trim_end().ends_with("revoked"));
    assert!(!huiji(&db.url, &["api-key", "revoke", prefix]).status.success(), "revoking twice is an error");
});

both_databases!(a_platform_webhook_gets_a_secret_shown_once, |db: TestDb| async move {
    use huiji_store::PlatformStore as _;
    let keys = scratch("webhook").join("k.keys").to_str().unwrap().to_owned();
    stdout(&huiji(&db.url, &["keys", "init", "--out", &keys]));
    stdout(&huiji(&db.url, &["api-key", "create", "--platform", "huolala"]));
    let args = [
        "--key-file",
        keys.as_str(),
        "platform",
        "webhook",
        "--platform",
        "huolala",
        "--url",
        "https://hooks.example/huiji",
    ];
    let secret = stdout(&huiji(&db.url, &args)).trim().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let platform = db.store.platform_by_name("huolala").await.unwrap().unwrap();
    assert_eq!(platform.webhook_url.as_deref(), Some("https://hooks.example/huiji"));
    let sealed = platform.webhook_secret_ct.unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains(&secret[6..]), "the secret is stored encrypted");
    let listed = stdout(&huiji(&db.url, &["platform", "list"]));
    assert!(listed.contains("huolala\thttps://hooks.example/huiji") && !listed.contains(&secret), "{listed}");
    let unknown = huiji(
        &db.url,
        &["--key-file", &keys, "platform", "webhook", "--platform", "nobody", "--url", "https://x"],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no platform nobody"));
    stdout(&huiji(&db.url, &["platform", "webhook", "--platform", "huolala", "--clear"]));
    assert_eq!(db.store.platform_by_name("huolala").await.unwrap().unwrap().webhook_url, None);
});

/// A fresh directory for one test (the tests of this binary run in parallel, the SQLite
/// and PostgreSQL variants of one test at the same time).
fn scratch(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("huiji-cli-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
