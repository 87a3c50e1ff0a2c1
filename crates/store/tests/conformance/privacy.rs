//! The audit log, reveal permission, key-rotation batches and retention purges on both
//! databases.

use huiji_core::{OrgPath, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{ActorKind, AuditQuery, Backend, NewAuditRecord, Store, both_databases};
use sqlx::Connection;

use crate::fixtures::AT;

fn path(text: &str) -> OrgPath {
    OrgPath::parse(text).unwrap()
}

fn record(at: i64, actor: &str, scope: &str, action: &str) -> NewAuditRecord {
    NewAuditRecord {
        at: Timestamp(at),
        actor_kind: ActorKind::Officer,
        actor_id: Some(7),
        actor_name: actor.to_owned(),
        scope: path(scope),
        action: action.to_owned(),
        subject: Some("membership:42".to_owned()),
        reason: Some("会员来电核实 ' OR 1=1 --".to_owned()),
        client_addr: Some("203.0.113.9".to_owned()),
    }
}

fn query(within: &str) -> AuditQuery {
    AuditQuery {
        within: path(within),
        action: None,
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 50,
    }
}

/// Runs one statement straight on the database, past the store, and says whether the
/// database accepted it.
pub async fn raw_statement_succeeds(db: &TestDb, sql: &'static str) -> bool {
    match Store::backend(db.store.as_ref()) {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.is_ok()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.is_ok()
        }
    }
}

both_databases!(audit_records_are_scoped_filtered_and_paged, |db: TestDb| async move {
    let store = db.dyn_store();
    let a = store.record_audit(&record(AT.0, "hefei", "/1/17/240/", "reveal.id_number")).await.unwrap();
    let b = store.record_audit(&record(AT.0 + 1000, "hefei", "/1/17/", "export.members_csv")).await.unwrap();
    let c = store.record_audit(&record(AT.0 + 2000, "fuyang", "/1/18/", "reveal.mobile")).await.unwrap();
    assert!(a < b && b < c);

    let all = store.audit_records(&query("/1/")).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), [c, b, a], "newest first");
    assert_eq!(all[2].actor_kind, "officer");
    assert_eq!(all[2].actor_id, Some(7));
    assert_eq!(all[2].scope_path, "/1/17/240/");
    assert_eq!(all[2].subject.as_deref(), Some("membership:42"));
    assert_eq!(all[2].reason.as_deref(), Some("会员来电核实 ' OR 1=1 --"));
    assert_eq!(all[2].client_addr.as_deref(), Some("203.0.113.9"));

    let hefei = store.audit_records(&query("/1/17/")).await.unwrap();
    assert_eq!(hefei.iter().map(|r| r.id).collect::<Vec<_>>(), [b, a], "a subtree sees its own only");
    assert!(store.audit_records(&query("/1/17/241/")).await.unwrap().is_empty());

    let by_action = AuditQuery { action: Some("reveal.mobile".to_owned()), ..query("/1/") };
    assert_eq!(store.audit_records(&by_action).await.unwrap().len(), 1);
    let by_actor = AuditQuery { actor_name: Some("hefei".to_owned()), ..query("/1/") };
    assert_eq!(store.audit_records(&by_actor).await.unwrap().len(), 2);
    let by_date = AuditQuery { from: Some(AT.0 + 500), to: Some(AT.0 + 1500), ..query("/1/") };
    assert_eq!(store.audit_records(&by_date).await.unwrap()[0].id, b);
    let page = AuditQuery { before_id: Some(c), limit: 1, ..query("/1/") };
    assert_eq!(store.audit_records(&page).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [b]);
    let injected = AuditQuery { action: Some("x' OR '1'='1".to_owned()), ..query("/1/") };
    assert!(store.audit_records(&injected).await.unwrap().is_empty());
});

both_databases!(the_database_refuses_to_edit_or_delete_audit_records, |db: TestDb| async move {
    let store = db.dyn_store();
    store.record_audit(&record(AT.0, "hefei", "/1/", "reveal.id_number")).await.unwrap();
    assert!(!raw_statement_succeeds(&db, "UPDATE audit_log SET reason = 'nothing to see'").await);
    assert!(!raw_statement_succeeds(&db, "DELETE FROM audit_log").await);
    if Store::backend(db.store.as_ref()) == Backend::Postgres {
        assert!(!raw_statement_succeeds(&db, "TRUNCATE audit_log").await);
    }
    let kept = store.audit_records(&query("/1/")).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].reason.as_deref(), Some("会员来电核实 ' OR 1=1 --"));
    assert!(raw_statement_succeeds(&db, "SELECT COUNT(*) FROM audit_log").await);
});

both_databases!(the_reveal_permission_is_granted_and_withdrawn, |db: TestDb| async move {
    let store = db.dyn_store();
    crate::fixtures::seeded(&store).await;
    let user = huiji_store::NewUser {
        username: "auditor".to_owned(),
        org: huiji_core::OrgId(1),
        role: Role::Admin,
        password_hash: "$argon2id$x".to_owned(),
        can_reveal: false,
    };
    store.create_user(&user, AT).await.unwrap();
    assert!(!store.user_by_username("auditor").await.unwrap().unwrap().can_reveal);
    assert!(store.set_user_can_reveal("auditor", true).await.unwrap());
    assert!(store.user_by_username("auditor").await.unwrap().unwrap().can_reveal);
    assert!(store.set_user_can_reveal("auditor", false).await.unwrap());
    assert!(!store.user_by_username("auditor").await.unwrap().unwrap().can_reveal);
    assert!(!store.set_user_can_reveal("nobody", true).await.unwrap());
});
