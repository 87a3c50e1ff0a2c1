//! `huiji stats verify`: after `huiji gen` the rollups equal a recount (so every figure
//! of the page is right at scale), the month totals are the members the load made, and a
//! tampered rollup is reported with a non-zero exit until `huiji stats rebuild`.

use std::process::Command;

use huiji_core::stats::Flows;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, Period, both_databases};

use crate::{huiji, stdout};

fn key_file(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("huiji-stats-{}-{name}.keys", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let out = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["keys", "init", "--out", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    path
}

both_databases!(rollups_equal_a_recount_after_gen_and_verify_reports_drift, |db: TestDb| async move {
    let keys = key_file(db.store.backend().name());
    let out = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["gen", "--scenario", "anhui-2021", "--members", "2000", "--seed", "5"])
        .args(["--database-url", &db.url, "--key-file", keys.to_str().unwrap()])
        .env("HUIJI_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let verified = huiji(&db.url, &["stats", "verify"]);
    assert!(verified.status.success(), "{}{}", stdout(&verified), String::from_utf8_lossy(&verified.stderr));
    assert!(stdout(&verified).contains("statistics match a recount"));

    // Every member joined in 2021; the withdrawn ones left later: the year's flows and
    // the members held now agree.
    let root = db.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await.unwrap().remove(0);
    let months = db.store.flow_tallies(&root.path, Period::Month, 202101, 202612).await.unwrap();
    let mut total = Flows::default();
    for m in &months {
        total.add(&m.flows);
        assert!((202101..=202612).contains(&m.period));
    }
    assert_eq!(total.joined, 2000);
    assert!(total.withdrawn > 0, "the load writes its withdrawn members' leavings");
    let held = i64::try_from(db.store.count_members(&root.path).await.unwrap()).unwrap();
    assert_eq!(total.net(), held);
    let joined_2021: i64 = months.iter().filter(|m| m.period / 100 == 2021).map(|m| m.flows.joined).sum();
    assert_eq!(joined_2021, 2000);

    // A rollup changed behind the store's back is found, and a rebuild repairs it.
    let tamper = "UPDATE stats_memberships SET members = members + 1 WHERE status = 'active'";
    match db.store.backend() {
        huiji_store::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query(tamper).execute(&pool).await.unwrap();
            pool.close().await;
        }
        huiji_store::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query(tamper).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
    let drift = huiji(&db.url, &["stats", "verify"]);
    assert!(!drift.status.success());
    let printed = String::from_utf8_lossy(&drift.stdout);
    assert!(printed.contains("stats_memberships"), "{printed}");
    assert!(String::from_utf8_lossy(&drift.stderr).contains("differ from a recount"));
    let rebuilt = huiji(&db.url, &["stats", "rebuild"]);
    assert!(rebuilt.status.success());
    assert!(huiji(&db.url, &["stats", "verify"]).status.success());
});
