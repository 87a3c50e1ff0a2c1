//! Two `huiji serve` processes on one PostgreSQL, requests alternating between them as a
//! load balancer would send them (issue 14): a console session made on one is valid on
//! the other; a revoked API key and a disabled account stop on both; each webhook event
//! and each decision SMS is delivered once while both run, and once again after one is
//! killed mid-delivery (the other takes the killed one's claims when their lease ends).
//! With `redis_url`, a platform's rate limit is one bucket for both.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use huiji_core::AutoApproval;
use huiji_store::both_databases;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{huiji, scratch, stdout};

const PASSWORD: &str = "a long enough secret";

/// What the stub SMS gateway and webhook receiver saw.
#[derive(Default)]
struct Seen {
    /// Requests are read and then left unanswered (the sender hangs) while this holds.
    hold: bool,
    /// Requests held: `sms:<mobile>` or `hook:<event id>`.
    held: Vec<String>,
    /// Requests answered 200, by the same names: delivered.
    delivered: HashMap<String, usize>,
}

/// A stub of both outside receivers on one port: `POST /sms` (the SMS gateway) and
/// `POST /hook` (the platform's webhook URL).
async fn stub() -> (String, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = seen.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let seen = shared.clone();
            tokio::spawn(async move {
                let Some(name) = read_request(&mut socket).await else { return };
                if seen.lock().unwrap().hold {
                    seen.lock().unwrap().held.push(name);
                    while seen.lock().unwrap().hold {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    return; // dropped unanswered: not delivered
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                if socket.write_all(answer).await.is_ok() {
                    *seen.lock().unwrap().delivered.entry(name).or_default() += 1;
                }
            });
        }
    });
    (base, seen)
}

/// Reads one request; its name in [`Seen`].
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
    let header = |name: &str| {
        head.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()))
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    if head.starts_with("post /hook") {
        return Some(format!("hook:{}", header("x-huiji-event-id")?));
    }
    let body: Value = serde_json::from_slice(&buffer[head_end..head_end + length]).ok()?;
    Some(format!("sms:{}", body["mobile"].as_str()?))
}

/// A running `huiji serve` and its base URL.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, keys: &std::path::Path, sms: &str) -> Server {
        Server::start_with(url, keys, &[("HUIJI_SMS_GATEWAY_URL", sms)])
    }

    /// Starts with these settings in the environment.
    fn start_with(url: &str, keys: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huiji"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
            .arg("--key-file")
            .arg(keys)
            .env_remove("HUIJI_DATABASE_URL")
            .env_remove("HUIJI_PUBLIC_URL")
            .env_remove("HUIJI_REDIS_URL")
            .env("HUIJI_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run huiji serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base = line
            .strip_prefix("huiji serving ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address: {line}"))
            .trim_end_matches('/')
            .to_owned();
        Server { child, base }
    }

    /// Ends the process at once, as a crash or `kill -9` would.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: one cookie jar for both servers, as behind one host name.
fn browser() -> reqwest::Client {
    huiji_app::outbound::install_crypto_provider();
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value of the page's CSRF field.
fn csrf_of(page: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker)? + marker.len();
    Some(page[start..].split('"').next()?.to_owned())
}

async fn get(http: &reqwest::Client, url: String) -> (u16, String) {
    let response = http.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Logs `username` in on `server`: the browser then holds the session cookie.
async fn login(http: &reqwest::Client, server: &Server, username: &str) {
    let (_, page) = get(http, format!("{}/console/login", server.base)).await;
    let token = csrf_of(&page).unwrap();
    let response = http
        .post(format!("{}/console/login", server.base))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "login of {username}");
}

/// Waits (polling, at most `bound`) until `done` holds.
async fn eventually(what: &str, bound: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < bound, "{what}: not within {bound:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    start.elapsed()
}

/// A valid ID number and mobile, the `n`th.
fn identity(n: u32) -> (String, String) {
    let first17 = format!("34010419900101{n:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    (format!("{first17}{}", huiji_core::id_number::check_char(&bytes).unwrap()), format!("139{n:08}"))
}

/// Submits the `n`th person's application through `server`'s API; its id.
async fn apply(http: &reqwest::Client, server: &Server, key: &str, n: u32) -> i64 {
    let (id, mobile) = identity(n);
    let body = json!({
        "name": "王晓明", "id_number": id, "mobile": mobile, "occupation": "truck_driver",
        "region_code": "340104", "consent": {"version": "1", "accepted_at": "2026-11-30T09:58:00+08:00"},
        "mobile_verified": true, "external_ref": format!("driver-{n}"),
    });
    let response = http
        .post(format!("{}/api/v1/applications", server.base))
        .bearer_auth(key)
        .header("Idempotency-Key", format!("apply-{n}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    assert!(status == 201 || status == 202, "{status} {answer}");
    answer["application_id"].as_i64().unwrap_or_else(|| panic!("{answer}"))
}

/// The officer approves these applications in one batch on `server`.
async fn approve(http: &reqwest::Client, base: &str, ids: &[i64]) -> u16 {
    let (_, page) = get(http, format!("{base}/console/applications")).await;
    let csrf = csrf_of(&page).unwrap();
    let mut form: Vec<(&str, String)> = ids.iter().map(|id| ("ids", id.to_string())).collect();
    form.extend([("confirm", "yes".to_owned()), ("csrf", csrf)]);
    let sent = http.post(format!("{base}/console/applications/batch-approve")).form(&form).send();
    sent.await.map(|r| r.status().as_u16()).unwrap_or(0)
}

/// Runs a command with a password on stdin.
fn with_password(url: &str, args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(args)
        .args(["--password-stdin", "--database-url", url])
        .env_remove("HUIJI_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait_with_output().unwrap().status.success(), "{args:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgresql() {
    let Some(db) = TestDb::postgres().await else { return };
    let url = db.url.clone();
    let dir = scratch("multi");
    let keys = dir.join("huiji.keys");
    let keys_arg = keys.to_str().unwrap();
    stdout(&huiji(&url, &["keys", "init", "--out", keys_arg]));
    stdout(&huiji(&url, &["seed", "anhui"]));
    for username in ["boss", "clerk"] {
        with_password(&url, &["user", "add", "--username", username, "--org", "1", "--role", "admin"]);
    }
    let platform_key =
        stdout(&huiji(&url, &["api-key", "create", "--platform", "huolala"])).trim().to_owned();
    let maps_key = stdout(&huiji(&url, &["api-key", "create", "--platform", "maps"])).trim().to_owned();
    let (stub_base, seen) = stub().await;
    let hook = format!("{stub_base}/hook");
    let args = ["--key-file", keys_arg, "platform", "webhook", "--platform", "huolala", "--url", &hook];
    stdout(&huiji(&url, &args));
    // Every application waits for an officer, so the test decides when decisions happen.
    let truckers = db.store.org_by_join_code("3401T").await.unwrap().unwrap();
    db.store.set_review_policy(truckers.id, AutoApproval::Off, 3).await.unwrap();

    let sms = format!("{stub_base}/sms");
    let a = Server::start(&url, &keys, &sms);
    let b = Server::start(&url, &keys, &sms);
    let servers = [&a, &b];

    // A console session made on one is valid on the other, request after request.
    let boss = browser();
    login(&boss, &a, "boss").await;
    for round in 0..4 {
        let (status, page) = get(&boss, format!("{}/console/applications", servers[round % 2].base)).await;
        assert_eq!(status, 200, "round {round}: {page}");
    }
    let clerk = browser();
    login(&clerk, &b, "clerk").await;
    assert_eq!(get(&clerk, format!("{}/console/applications", a.base)).await.0, 200);

    // A disabled account stops on both.
    stdout(&huiji(&url, &["user", "disable", "clerk"]));
    for server in servers {
        let console = format!("{}/console/applications", server.base);
        eventually("disabled account refused", Duration::from_secs(3), async || {
            get(&clerk, console.clone()).await.0 != 200
        })
        .await;
    }
    // A revoked API key stops on both within the key cache's second.
    let api = browser();
    let orgs = |server: &Server| format!("{}/api/v1/orgs", server.base);
    for server in servers {
        assert_eq!(api.get(orgs(server)).bearer_auth(&maps_key).send().await.unwrap().status(), 200);
    }
    stdout(&huiji(&url, &["api-key", "revoke", &maps_key]));
    for server in servers {
        let waited = eventually("revoked key refused", Duration::from_secs(3), async || {
            api.get(orgs(server)).bearer_auth(&maps_key).send().await.unwrap().status() == 401
        })
        .await;
        assert!(waited < Duration::from_millis(1500), "{waited:?}");
    }

    // Both running: applications through either, one batch approved; every welcome SMS
    // and every webhook event arrives once.
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(apply(&api, servers[n as usize % 2], &platform_key, n).await);
    }
    assert_eq!(approve(&boss, &b.base, &ids).await, 303);
    let delivered = |prefix: &'static str| {
        let seen = seen.clone();
        move || seen.lock().unwrap().delivered.keys().filter(|k| k.starts_with(prefix)).count()
    };
    let (sms_count, hook_count) = (delivered("sms:"), delivered("hook:"));
    eventually("4 SMS and 4 events", Duration::from_secs(20), async || sms_count() == 4 && hook_count() == 4)
        .await;

    // One instance is killed while it delivers: the stub holds its requests unanswered.
    drop(b);
    let mut a = a;
    seen.lock().unwrap().hold = true;
    let mut late = Vec::new();
    for n in 4..7 {
        late.push(apply(&api, &a, &platform_key, n).await);
    }
    let approving = {
        let (boss, a_base) = (boss.clone(), a.base.clone());
        let late = late.clone();
        tokio::spawn(async move { approve(&boss, &a_base, &late).await })
    };
    let held = |prefix: &'static str| {
        let seen = seen.clone();
        move || seen.lock().unwrap().held.iter().any(|k| k.starts_with(prefix))
    };
    let (sms_held, hook_held) = (held("sms:"), held("hook:"));
    eventually("a held SMS and a held event", Duration::from_secs(8), async || sms_held() && hook_held())
        .await;
    a.kill();
    let _ = approving.await;
    seen.lock().unwrap().hold = false;

    // What the killed instance committed before it died (a batch approves one application
    // after another, each telling its applicant before the next): every notice and event
    // of it is owed.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let count = async |sql: &'static str| -> usize {
        usize::try_from(sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap()).unwrap()
    };
    let owed_sms = count("SELECT COUNT(*) FROM notices").await;
    let owed_events = count("SELECT COUNT(*) FROM webhook_events").await;
    assert!(owed_sms > 4 && owed_events > 4, "{owed_sms} {owed_events}");

    // Two instances again (the survivor's part is played by fresh ones): the killed one's
    // claims are taken when their lease (60 s) ends, and delivered once.
    let c = Server::start(&url, &keys, &sms);
    let d = Server::start(&url, &keys, &sms);
    eventually("every notice and event delivered", Duration::from_secs(150), async || {
        sms_count() == owed_sms && hook_count() == owed_events
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count("SELECT COUNT(*) FROM notices WHERE delivery <> 'sent'").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM webhook_events WHERE delivery <> 'delivered'").await, 0);
    let seen = seen.lock().unwrap();
    assert!(seen.delivered.values().all(|&n| n == 1), "{:?}", seen.delivered);
    assert_eq!(seen.delivered.len(), owed_sms + owed_events);
    drop((c, d));
}

both_databases!(rate_limits_are_shared_through_redis, |db: TestDb| async move {
    let url = db.url.clone();
    let dir = scratch("redis");
    let keys = dir.join("huiji.keys");
    stdout(&huiji(&url, &["keys", "init", "--out", keys.to_str().unwrap()]));
    stdout(&huiji(&url, &["seed", "anhui"]));
    let key = stdout(&huiji(&url, &["api-key", "create", "--platform", "maps"])).trim().to_owned();
    // One request a second, bursts of two, per key; this run's own keys in Redis.
    let prefix = format!("huiji-test-{}-{}", std::process::id(), dir.file_name().unwrap().to_str().unwrap());
    let slow = [("HUIJI_API_RATE_PER_SECOND", "1"), ("HUIJI_REDIS_PREFIX", prefix.as_str())];
    let api = browser();
    // How many of four requests, alternating between the two, are served at once.
    let served = async |pair: [&Server; 2]| {
        let mut served = 0;
        for n in 0..4 {
            let answer = api.get(format!("{}/api/v1/orgs", pair[n % 2].base)).bearer_auth(&key).send().await;
            let status = answer.unwrap().status().as_u16();
            assert!(status == 200 || status == 429, "{status}");
            served += usize::from(status == 200);
        }
        served
    };

    // Without Redis each instance has its own bucket: both bursts are served.
    let (a, b) = (Server::start_with(&url, &keys, &slow), Server::start_with(&url, &keys, &slow));
    assert_eq!(served([&a, &b]).await, 4);
    drop((a, b));

    // With Redis, one bucket for both: the burst of two, then 429 on either.
    let redis = [("HUIJI_REDIS_URL", "redis://127.0.0.1:6379/0"), slow[0], slow[1]];
    let (a, b) = (Server::start_with(&url, &keys, &redis), Server::start_with(&url, &keys, &redis));
    assert_eq!(served([&a, &b]).await, 2);
    drop((a, b));

    // A Redis that does not answer: each instance falls back to its own buckets and serves.
    let gone = [("HUIJI_REDIS_URL", "redis://127.0.0.1:1/0"), slow[0], slow[1]];
    tokio::time::sleep(Duration::from_secs(3)).await; // the buckets above fill up again
    let (a, b) = (Server::start_with(&url, &keys, &gone), Server::start_with(&url, &keys, &gone));
    assert_eq!(served([&a, &b]).await, 4);
});
