//! SQLite's WAL is checkpointed beside the writer (`store::checkpoint`), not only in the
//! commit that takes it past SQLite's 1,000 pages.

use std::time::{Duration, Instant};

use huiji_store::testing::TestDb;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

#[tokio::test]
async fn the_wal_is_checkpointed_beside_the_writer() {
    let db = TestDb::sqlite().await;
    let path = db.url.strip_prefix("sqlite:").unwrap().to_owned();
    // Another writer that never checkpoints itself puts ~2 MB (some 500 pages: below both
    // SQLite's own threshold and the store writer's backstop) into the WAL.
    let mut other = SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut other).await.unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    sqlx::query("CREATE TABLE ballast (b BLOB)").execute(&mut other).await.unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) \
         INSERT INTO ballast SELECT randomblob(4000) FROM n",
    )
    .execute(&mut other)
    .await
    .unwrap();
    // Only a checkpoint copies those pages into the database file.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = std::fs::metadata(&path).unwrap().len();
        if now >= before + 2_000_000 {
            break;
        }
        assert!(Instant::now() < deadline, "no checkpoint within 10 s: the file stayed at {now} bytes");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    other.close().await.unwrap();
}
