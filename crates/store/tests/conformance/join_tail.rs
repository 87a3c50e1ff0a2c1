//! SQLite's `join_tail` trigger (migration 0086) runs the statements the store makes for an
//! instant join's tail: the same macros make PostgreSQL's one-statement tail, so the two
//! databases cannot drift apart while this holds.

use huiji_store::testing::{JOIN_ROW_TRIGGERS, JOIN_TAIL_TRIGGER, TestDb};

#[tokio::test]
async fn the_trigger_runs_the_statements_the_store_makes() {
    let db = TestDb::sqlite().await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'join_tail'")
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert_eq!(
        stored, JOIN_TAIL_TRIGGER,
        "a statement of the join's tail changed (joining::tail): add a SQLite migration that drops and \
         recreates the join_tail trigger with the new text"
    );
}

/// One row into the view runs the trigger (EXPLAIN lists the trigger's program too), and
/// it collects nothing in a temporary B-tree first. One such tree is known and kept: the
/// roster refresh's UPDATE collects the matching entries' rowids before it changes them
/// (`roster_entries` has triggers, so SQLite cannot update in one pass).
#[tokio::test]
async fn the_tail_is_one_statement_without_a_temporary_tree() {
    let db = TestDb::sqlite().await;
    let opcodes = db
        .writer_opcodes(
            "INSERT INTO join_tails (application_id, membership_id, member_number, at, actor, reason, day, month, \
             year, landing_org, notice_kind) VALUES (1, 1, 'n', 0, 'instant', 'r', 1, 1, 1, 1, 'welcome')",
        )
        .await;
    assert!(opcodes.iter().any(|op| op == "Program"), "the trigger is not run: {opcodes:?}");
    let temporary_trees = opcodes.iter().filter(|op| *op == "OpenEphemeral").count();
    assert_eq!(temporary_trees, 1, "{opcodes:?}");
}

/// SQLite's triggers on `join_rows` (migrations 0087, 0091), which write the joins waiting
/// for the writer together (`joining::sqlite`), run the statements the store makes for one
/// join — and they are all the view's triggers.
#[tokio::test]
async fn the_batch_triggers_run_the_statements_the_store_makes() {
    let db = TestDb::sqlite().await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'join_rows' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let mut expected: Vec<(String, String)> =
        JOIN_ROW_TRIGGERS.iter().map(|(name, sql)| ((*name).to_owned(), (*sql).to_owned())).collect();
    expected.sort();
    assert_eq!(
        stored, expected,
        "a statement of the join changed (joining::sqlite, joining::tail): add a SQLite migration that drops \
         and recreates the join_rows triggers with the new text"
    );
}
