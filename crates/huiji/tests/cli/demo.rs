//! `huiji demo` as a newcomer runs it: it seeds Anhui, the demo officers, a generated
//! innovation registry and generated service stations, prints where everything is,
//! the sample casework (applications in every state, members, a pool, a transfer), prints
//! where everything is, serves it — and a second start adds nothing.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};

use super::scratch;

/// Starts the demo on a free port; returns the process and everything it printed up to
/// "Stop with Ctrl-C.".
fn start(dir: &std::path::Path) -> (Child, String) {
    let url = format!("sqlite:{}", dir.join("demo.db").display());
    start_on(&url, &dir.join("demo.keys"), &[])
}

/// Starts the demo on the database at `url` with the key file `keys` and more options.
fn start_on(url: &str, keys: &std::path::Path, options: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["demo", "--listen", "127.0.0.1:0", "--database-url", url])
        .args(options)
        .arg("--key-file")
        .arg(keys)
        .env_remove("HUIJI_DATABASE_URL")
        .env_remove("HUIJI_PUBLIC_URL")
        .env("HUIJI_LOG", "warn")
        .stdout(Stdio::piped())
        // To a file, not a pipe: nobody reads it while the server runs.
        .stderr(std::fs::File::create(format!("{}.stderr", keys.display())).expect("stderr file"))
        .spawn()
        .expect("run huiji demo");
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    (child, printed)
}

/// A page of the running demo, as HTTP/1.0 so the answer ends with the connection.
fn get(base: &str, path: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn the_demo_seeds_and_serves_what_it_prints() {
    let dir = scratch("demo");
    let (mut child, printed) = start(&dir);
    assert!(printed.contains("seeded 1985 unions of Anhui"), "{printed}");
    assert!(printed.contains("innovation registry (16 studios"), "{printed}");
    assert!(printed.contains("seeded 524 generated service stations and driver homes"), "{printed}");
    assert!(printed.contains("seeded 3 benefit programmes"), "{printed}");
    assert!(
        printed.contains(
            "seeded sample casework: 6 applications waiting (2 escalated past their deadline), 2 rejected, \
             7 members (3 in 合肥市's turnover pool), 1 transfer waiting"
        ),
        "{printed}"
    );
    let base = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("home page").map(|url| url.trim().trim_end_matches('/')))
        .unwrap_or_else(|| panic!("no home page line: {printed}"))
        .to_owned();
    let innovation = get(&base, "/innovation");
    assert!(innovation.starts_with("HTTP/1.0 200") || innovation.starts_with("HTTP/1.1 200"), "{innovation}");
    assert!(innovation.contains("演示"), "the generated studios are listed: {innovation}");
    let stations = get(&base, "/stations?county=340104");
    assert!(
        stations.contains("合肥市蜀山区户外劳动者服务站（示例）"),
        "the generated stations are listed: {stations}"
    );
    let join = get(&base, "/j/3401T");
    assert!(join.contains("合肥市货车司机工会联合会"), "{join}");
    child.kill().unwrap();
    child.wait().unwrap();

    // A second start finds everything in place and seeds nothing again …
    let (child, printed) = start(&dir);
    assert!(!printed.contains("seeded"), "{printed}");
    // … and stops as a service manager stops it: SIGTERM, exit 0, nothing logged on the
    // way out (its jobs end before its pools close).
    stops_cleanly(child, &dir.join("demo.keys.stderr"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends SIGTERM to `child` and checks it exits with success within 30 s, having logged
/// no warning or error (`stderr` is its log).
fn stops_cleanly(mut child: Child, stderr: &std::path::Path) {
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
    assert!(term.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(stderr).unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
}

both_databases!(the_demo_casework_is_real_work_on_either_database, |db: TestDb| async move {
    let dir = scratch("demo-casework");
    let (mut child, printed) = start_on(&db.url, &dir.join("demo.keys"), &[]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(printed.contains("seeded sample casework"), "{printed}");
    let root = db.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await.unwrap();
    let root = &root[0].path;
    // What it printed is what the database holds, made by the use cases: the queue, the
    // members, the pool, the transfer, and the officer's decisions in the audit log.
    assert_eq!(db.store.count_pending(root).await.unwrap(), 6);
    assert_eq!(db.store.count_members(root).await.unwrap(), 7);
    let transfers = db.store.transfers(root, 10).await.unwrap();
    assert_eq!(transfers.len(), 1, "{transfers:?}");
    let rejections = db
        .store
        .audit_records(&huiji_store::AuditQuery {
            within: root.clone(),
            action: Some("application.reject".to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(rejections.len(), 2, "{rejections:?}");
    assert!(
        rejections
            .iter()
            .all(|r| r.actor_name == "anhui" && r.reason.as_deref().is_some_and(|t| t.contains("重新提交")))
    );

    // A second start adds nothing.
    let (mut child, printed) = start_on(&db.url, &dir.join("demo.keys"), &[]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!printed.contains("seeded"), "{printed}");
    assert_eq!(db.store.count_pending(root).await.unwrap(), 6);
    let _ = std::fs::remove_dir_all(dir);
});

both_databases!(the_demo_without_samples_starts_with_no_casework, |db: TestDb| async move {
    let dir = scratch("demo-no-samples");
    let (mut child, printed) = start_on(&db.url, &dir.join("demo.keys"), &["--no-samples"]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(printed.contains("seeded 1985 unions"), "{printed}");
    assert!(!printed.contains("sample casework"), "{printed}");
    let root = db.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await.unwrap();
    assert_eq!(db.store.count_pending(&root[0].path).await.unwrap(), 0);
    assert_eq!(db.store.count_members(&root[0].path).await.unwrap(), 0);
    let _ = std::fs::remove_dir_all(dir);
});
