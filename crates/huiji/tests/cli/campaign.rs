//! `huiji campaign create|send|show|verify` run as processes: the id printed, the
//! queueing's JSON line, the funnel's JSON line with the issue's keys in order, a
//! non-zero exit with a clear message for a text without `{link}`, and `verify` finding a
//! tampered rollup.

use huiji_core::id_number::check_char;
use huiji_store::both_databases;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;

use super::{huiji, scratch, stdout};

fn id(n: u32) -> String {
    let first17 = format!("34012219900101{n:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&bytes).unwrap())
}

both_databases!(campaigns_are_created_queued_and_shown, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let dir = scratch("campaign");
    let keys = dir.join("huiji.keys");
    let keys = keys.to_str().unwrap();
    stdout(&huiji(&db.url, &["keys", "init", "--out", keys]));
    let text = format!(
        "姓名,身份证号,手机号,从业类型,区县代码\n张三,{},13800138001,货车司机,340122\n李四,{},13800138002,快递员,340122\n王五,{},,货车司机,340122\n",
        id(1),
        id(2),
        id(3)
    );
    let file = dir.join("roster.csv");
    std::fs::write(&file, text).unwrap();
    stdout(&huiji(
        &db.url,
        &["roster", "import", file.to_str().unwrap(), "--source", "交通", "--key-file", keys],
    ));

    let refused = huiji(
        &db.url,
        &["campaign", "create", "--org", "1", "--name", "邀请", "--text", "欢迎入会", "--key-file", keys],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("{link}"));

    let created = stdout(&huiji(
        &db.url,
        &[
            "campaign",
            "create",
            "--org",
            "1",
            "--name",
            "货车司机入会邀请",
            "--text",
            "{surname}师傅您好，诚邀您加入工会：{link}",
            "--occupation",
            "truck_driver",
            "--region",
            "3401",
            "--key-file",
            keys,
        ],
    ));
    let campaign = created.trim();
    assert!(campaign.parse::<i64>().is_ok(), "{created}");
    let sent: serde_json::Value = serde_json::from_str(
        stdout(&huiji(&db.url, &["campaign", "send", campaign, "--key-file", keys])).trim(),
    )
    .unwrap();
    assert_eq!((sent["added"].as_i64(), sent["targeted"].as_i64()), (Some(1), Some(1)), "{sent}");
    let again: serde_json::Value = serde_json::from_str(
        stdout(&huiji(&db.url, &["campaign", "send", campaign, "--key-file", keys])).trim(),
    )
    .unwrap();
    assert_eq!(again["added"].as_i64(), Some(0));

    let shown = stdout(&huiji(&db.url, &["campaign", "show", campaign, "--key-file", keys]));
    assert_eq!(
        shown.trim(),
        r#"{"targeted":1,"suppressed":0,"queued":1,"sent":0,"delivered":0,"failed":0,"clicked":0,"applied":0,"approved":0}"#
    );
    let missing = huiji(&db.url, &["campaign", "show", "999", "--key-file", keys]);
    assert!(!missing.status.success());
    let verified = stdout(&huiji(&db.url, &["campaign", "verify", campaign, "--key-file", keys]));
    assert!(verified.contains("matches a recount"), "{verified}");
    // A rollup changed behind the store's back is found and named.
    let tamper = "UPDATE campaign_funnels SET clicked = clicked + 1";
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
    let drift = huiji(&db.url, &["campaign", "verify", campaign, "--key-file", keys]);
    assert!(!drift.status.success());
    let printed = String::from_utf8_lossy(&drift.stdout);
    assert!(printed.contains(r#"stored {"targeted":1"#) && printed.contains(r#""clicked":1"#), "{printed}");
    assert!(String::from_utf8_lossy(&drift.stderr).contains("differs from a recount"));
    let _ = std::fs::remove_dir_all(dir);
});
