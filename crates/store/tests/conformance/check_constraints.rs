//! SQLite's CHECK constraints are OR chains, not IN lists (migration 0085): SQLite builds a
//! temporary B-tree for a constant IN list of three or more values afresh for every row a
//! CHECK tests, and joins and roster imports write such rows by the million. PostgreSQL's
//! constraints are not touched.

use huiji_store::Store;
use huiji_store::testing::TestDb;
use sqlx::Row;

/// The tables huiji made (not SQLite's nor sqlx's own).
const TABLES: &str = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' \
    AND name NOT LIKE '!_sqlx!_%' ESCAPE '!' ORDER BY name";

/// Tables whose INSERT may open a temporary B-tree: `cases_open_due_idx` (open cases by
/// due date) keeps the IN list of its partial WHERE, which the planner matches against a
/// query's WHERE term by term; a case is filed a few times a day.
const PARTIAL_INDEX_IN_LISTS: [&str; 1] = ["cases"];

/// The tables whose INSERT, compiled on the store's writer, opens a temporary B-tree.
async fn tables_with_temporary_trees(db: &TestDb) -> (usize, Vec<String>) {
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(TABLES).fetch_all(&pool).await.unwrap();
    pool.close().await;
    let mut offending = Vec::new();
    for table in &tables {
        // DEFAULT VALUES compiles every constraint of the table, as any INSERT does.
        let opcodes = db.writer_opcodes(&format!("INSERT INTO \"{table}\" DEFAULT VALUES")).await;
        if opcodes.iter().any(|op| op == "OpenEphemeral") && !PARTIAL_INDEX_IN_LISTS.contains(&table.as_str())
        {
            offending.push(table.clone());
        }
    }
    (tables.len(), offending)
}

#[tokio::test]
async fn no_insert_builds_a_temporary_tree_for_its_checks() {
    let db = TestDb::sqlite().await;
    let (tables, offending) = tables_with_temporary_trees(&db).await;
    assert!(tables > 40, "only {tables} tables seen");
    assert!(
        offending.is_empty(),
        "a CHECK with an IN list of three or more values costs every row a temporary B-tree on SQLite; \
         write it as an OR chain (see migration 0085): {offending:?}"
    );
}

/// A database from before 0085 keeps its rows; its checks refuse what they refused and
/// take what they took — on the writer that migrated it and on a new connection.
#[tokio::test]
async fn a_database_from_before_the_or_chains_keeps_its_rows_and_its_rules() {
    let db = TestDb::sqlite_at(84).await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
         VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (_, before) = tables_with_temporary_trees(&db).await;
    assert!(before.contains(&"notices".to_owned()), "0084's notices check builds a tree: {before:?}");

    db.store.migrate().await.unwrap();

    let (_, after) = tables_with_temporary_trees(&db).await;
    assert!(after.is_empty(), "the migrating writer still compiles IN lists for {after:?}");
    let name: String =
        sqlx::query_scalar("SELECT name FROM orgs WHERE id = 1").fetch_one(&pool).await.unwrap();
    assert_eq!(name, "安徽省总工会");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
    assert_eq!(integrity, "ok");

    // A new connection reads the new definitions; each rule still holds.
    let fresh = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let refused = sqlx::query("UPDATE orgs SET auto_approval = 'sometimes' WHERE id = 1")
        .execute(&fresh)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("orgs_auto_approval_check"), "{refused}");
    for value in ["off", "roster_only", "all_verified"] {
        sqlx::query("UPDATE orgs SET auto_approval = $1 WHERE id = 1")
            .bind(value)
            .execute(&fresh)
            .await
            .unwrap();
    }
    let import = "INSERT INTO roster_imports (org_id, org_path, source, file_name, actor, status, started_at) \
        VALUES (1, '/1/', '交通运输局', 'a.csv', 'operator', $1, 0)";
    sqlx::query(import).bind("interrupted").execute(&fresh).await.unwrap();
    let refused = sqlx::query(import).bind("paused").execute(&fresh).await.unwrap_err();
    assert!(refused.to_string().contains("roster_imports_status_check"), "{refused}");
    let row = sqlx::query("SELECT COUNT(*) AS n FROM roster_imports").fetch_one(&fresh).await.unwrap();
    assert_eq!(row.get::<i64, _>("n"), 1);
    fresh.close().await;
    pool.close().await;
}
