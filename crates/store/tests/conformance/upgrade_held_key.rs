//! A database from before migration 0090 (a partial unique index on the ID number for held
//! memberships beside a plain one for every membership) keeps its memberships; the one
//! index that replaces both still allows one held membership a person and any number of
//! ended ones, and is the only index of the memberships keyed by the ID number.

use huiji_core::MembershipStatus;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{Conflict, SqlStore, StoreError, both_databases};

use crate::upgrade::{index_names, older_database};

/// A union; person a holds one membership and ended two, person b is retained, person c
/// only ended one (ids 10 to 13 and 14).
const OLD_ROWS: [&str; 2] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO memberships (id, member_number, status, home_org_id, home_path, name, id_number_ct, \
     id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at) VALUES \
     (10, 'n-10', 'active', 1, '/1/', '王晓明', $1, 'bidx:id-a', $1, 'bidx:m-a', 'male', 'truck_driver', '34', 3000), \
     (11, 'n-11', 'withdrawn', 1, '/1/', '王晓明', $1, 'bidx:id-a', $1, 'bidx:m-a', 'male', 'truck_driver', '34', 1000), \
     (12, 'n-12', 'expelled', 1, '/1/', '王晓明', $1, 'bidx:id-a', $1, 'bidx:m-a', 'male', 'truck_driver', '34', 2000), \
     (13, 'n-13', 'retained', 1, '/1/', '李强', $1, 'bidx:id-b', $1, 'bidx:m-b', 'male', 'courier', '34', 1000), \
     (14, 'n-14', 'withdrawn', 1, '/1/', '赵敏', $1, 'bidx:id-c', $1, 'bidx:m-c', 'female', 'courier', '34', 1000)",
];

/// A membership of `id_number` with `status`, written as the store's joins write one.
const INSERT: &str = "INSERT INTO memberships (member_number, status, home_org_id, home_path, name, id_number_ct, \
    id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at) \
    VALUES ($1, $2, 1, '/1/', '王晓明', $3, $4, $3, 'bidx:m-new', 'male', 'truck_driver', '34', 5000)";

/// SQLite's plans for the held-membership lookup and for a console search by ID number
/// (PostgreSQL's planner picks by the table's statistics, so a five-row table tells
/// nothing there).
async fn sqlite_plans(url: &str) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let mut plans = Vec::new();
    for sql in [
        "EXPLAIN QUERY PLAN SELECT id FROM memberships WHERE id_number_bidx = 'x' \
         AND status IN ('active', 'retained')",
        "EXPLAIN QUERY PLAN SELECT id FROM memberships WHERE home_path >= '/1/' AND home_path < '/1:' \
         AND id_number_bidx = 'x' ORDER BY id DESC LIMIT 50",
    ] {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        plans.push(rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; "));
    }
    pool.close().await;
    plans
}

/// Writes one membership straight into the table; the error as the store maps it.
async fn insert(url: &str, number: &str, status: &str, id_number: &str) -> Result<(), StoreError> {
    let bidx = format!("bidx:{id_number}");
    macro_rules! run {
        ($pool:expr) => {{
            let pool = $pool;
            let outcome = sqlx::query(INSERT)
                .bind(number)
                .bind(status)
                .bind(b"ct".to_vec())
                .bind(&bidx)
                .execute(&pool)
                .await
                .map(drop);
            pool.close().await;
            outcome
        }};
    }
    let outcome = if url.starts_with("sqlite:") {
        run!(sqlx::SqlitePool::connect(url).await.unwrap())
    } else {
        run!(sqlx::PgPool::connect(url).await.unwrap())
    };
    outcome.map_err(StoreError::from)
}

both_databases!(memberships_from_before_the_one_id_number_index_keep_their_rule, |db: TestDb| async move {
    let url = older_database(&db, "held", |version| version <= 89, &OLD_ROWS).await;
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();

    // Every membership kept, with its id and status; the held ones are found by ID number.
    for (id, status) in [
        (10, MembershipStatus::Active),
        (11, MembershipStatus::Withdrawn),
        (12, MembershipStatus::Expelled),
        (13, MembershipStatus::Retained),
        (14, MembershipStatus::Withdrawn),
    ] {
        assert_eq!(store.membership(id).await.unwrap().map(|m| m.status), Some(status), "membership {id}");
    }
    assert_eq!(store.held_membership("bidx:id-a").await.unwrap().map(|m| m.id), Some(10));
    assert_eq!(store.held_membership("bidx:id-b").await.unwrap().map(|m| m.id), Some(13));
    assert_eq!(store.held_membership("bidx:id-c").await.unwrap().map(|m| m.id), None, "ended only");
    store.close().await;

    // One held membership a person: a second is "already a member", held as active or as
    // retained, and whichever the person holds.
    for (number, status, person) in
        [("x-1", "active", "id-a"), ("x-2", "retained", "id-a"), ("x-3", "active", "id-b")]
    {
        let refused = insert(&url, number, status, person).await.unwrap_err();
        assert!(
            matches!(refused, StoreError::Conflict(Conflict::AlreadyMember)),
            "{status} for {person}: {refused:?}"
        );
    }
    // Ended memberships are not limited, and a person with only ended ones joins again.
    insert(&url, "x-4", "withdrawn", "id-a").await.unwrap();
    insert(&url, "x-5", "deceased", "id-b").await.unwrap();
    insert(&url, "x-6", "active", "id-c").await.unwrap();
    let refused = insert(&url, "x-7", "retained", "id-c").await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(Conflict::AlreadyMember)), "{refused:?}");

    let names = index_names(&url, "memberships").await;
    let keyed: Vec<_> = names.iter().filter(|n| n.contains("id_number") || n.contains("held")).collect();
    assert_eq!(
        keyed,
        ["memberships_one_held_key"],
        "one index keyed by the ID number, no longer two: {names:?}"
    );
    let plans = if url.starts_with("sqlite:") { sqlite_plans(&url).await } else { Vec::new() };
    for plan in plans {
        assert!(plan.contains("USING INDEX memberships_one_held_key (id_number_bidx=?)"), "{plan}");
    }
    if url != db.url {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
        }
    }
});
