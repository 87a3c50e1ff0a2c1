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

const DAY: i64 = 86_400_000;

both_databases!(a_purge_removes_personal_data_and_keeps_counts, |db: TestDb| async move {
    use huiji_core::joining::Landing;
    use huiji_core::{Decision, LifecycleAction, OrgId};
    use huiji_store::SubmitOutcome;

    use crate::fixtures::{application, seeded};
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let landing = Landing::Union(OrgId(receiving));
    let submit = |id: &'static str, mobile: &'static str, decision| {
        let store = store.clone();
        async move {
            let mut new = application(id, mobile, receiving, landing, decision);
            new.employer_name = Some("某物流公司".to_owned());
            store.submit_application(&new, AT).await.unwrap()
        }
    };
    let SubmitOutcome::Approved { membership_id: stays, .. } = submit("id-1", "m-1", Decision::Approve).await
    else {
        panic!()
    };
    let SubmitOutcome::Approved { application_id: left_app, membership_id: left, .. } =
        submit("id-2", "m-2", Decision::Approve).await
    else {
        panic!()
    };
    let SubmitOutcome::Pending { application_id: rejected, .. } =
        submit("id-3", "m-3", Decision::Review).await
    else {
        panic!()
    };
    let SubmitOutcome::Pending { application_id: pending, .. } =
        submit("id-4", "m-4", Decision::Review).await
    else {
        panic!()
    };
    store.reject_application(rejected, "user:x", "duplicate", Timestamp(AT.0 + DAY)).await.unwrap();
    assert!(
        store
            .apply_lifecycle(left, LifecycleAction::Withdraw, "user:x", "moved away", Timestamp(AT.0 + DAY))
            .await
            .unwrap()
    );
    store.push_sms_outbox(&crate::fixtures::sealed("m-1"), "138****0000", "code", AT).await.unwrap();
    let within = store.org(OrgId(1)).await.unwrap().unwrap().path;
    let held_before = store.count_members(&within).await.unwrap();

    // Not yet: the period runs from the decision and the withdrawal.
    let early = store.purge_personal_data(Timestamp(AT.0 + DAY), Timestamp(AT.0 + 2 * DAY)).await.unwrap();
    assert_eq!((early.applications, early.memberships), (0, 0));
    assert_eq!(early.outbox, 1, "the outbox keeps nothing past the period");

    let counts =
        store.purge_personal_data(Timestamp(AT.0 + 2 * DAY), Timestamp(AT.0 + 200 * DAY)).await.unwrap();
    assert_eq!((counts.applications, counts.memberships), (2, 1), "{counts:?}");
    let again =
        store.purge_personal_data(Timestamp(AT.0 + 2 * DAY), Timestamp(AT.0 + 200 * DAY)).await.unwrap();
    assert_eq!((again.applications, again.memberships), (0, 0), "a purge is done once");

    let gone = store.membership_detail(left).await.unwrap().unwrap();
    assert_eq!(gone.record.name, "");
    assert!(gone.id_number_ct.is_empty() && gone.mobile_ct.is_empty());
    assert_eq!(gone.record.status.code(), "withdrawn", "the row and its counts stay");
    assert!(store.memberships_by_mobile("bidx:m-2").await.unwrap().is_empty(), "no blind index left");
    assert_eq!(store.application(left_app).await.unwrap().unwrap().name, "");
    assert_eq!(store.application(rejected).await.unwrap().unwrap().name, "");
    assert_eq!(store.application(rejected).await.unwrap().unwrap().status.code(), "rejected");
    for id in [pending] {
        assert_eq!(store.application(id).await.unwrap().unwrap().name, "王晓明", "open ones are kept");
    }
    assert_eq!(store.membership_detail(stays).await.unwrap().unwrap().record.name, "王晓明");
    assert_eq!(store.count_members(&within).await.unwrap(), held_before);
    // A purged membership cannot come back.
    assert!(
        !store
            .apply_lifecycle(left, LifecycleAction::Reactivate, "user:x", "back", Timestamp(AT.0 + 201 * DAY))
            .await
            .unwrap()
    );
});

both_databases!(reseal_writes_unchanged_rows_and_keeps_progress, |db: TestDb| async move {
    use huiji_core::joining::Landing;
    use huiji_core::{Decision, OrgId};
    use huiji_store::{Resealed, SealedRow, SealedTable};

    use crate::fixtures::{application, seeded};
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    for (id, mobile) in [("id-1", "m-1"), ("id-2", "m-2"), ("id-3", "m-3")] {
        let new = application(id, mobile, receiving, Landing::Union(OrgId(receiving)), Decision::Review);
        store.submit_application(&new, AT).await.unwrap();
    }
    assert_eq!(store.unfinished_key_rotation().await.unwrap(), None);
    store.start_key_rotation("k2", AT).await.unwrap();
    store.start_key_rotation("k2", AT).await.unwrap();
    assert_eq!(store.unfinished_key_rotation().await.unwrap().as_deref(), Some("k2"));
    assert_eq!(store.key_rotation_finished("k2").await.unwrap(), Some(false));
    assert_eq!(store.key_rotation_finished("k9").await.unwrap(), None);
    assert_eq!(store.key_rotation_progress("k2", SealedTable::Applications).await.unwrap(), 0);

    let batch = store.sealed_batch(SealedTable::Applications, 0, 2).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(batch[0].id_number_ct.as_deref(), Some(b"ct:id-1".as_slice()));
    let resealed: Vec<Resealed> = batch
        .iter()
        .map(|old| Resealed {
            old: old.clone(),
            new: SealedRow {
                id: old.id,
                id_number_ct: Some(b"new-id".to_vec()),
                value_ct: b"new-m".to_vec(),
            },
        })
        .collect();
    // The second row changed meanwhile: it keeps its newer value.
    let mut stale = resealed.clone();
    stale[1].old.value_ct = b"something else".to_vec();
    let written = store.reseal(SealedTable::Applications, &stale, Some(("k2", batch[1].id))).await.unwrap();
    assert_eq!(written, 1);
    assert_eq!(store.key_rotation_progress("k2", SealedTable::Applications).await.unwrap(), batch[1].id);
    let rest = store.sealed_batch(SealedTable::Applications, 0, 10).await.unwrap();
    assert_eq!(rest[0].value_ct, b"new-m");
    assert_eq!(rest[1].value_ct, b"ct:m-2");
    assert_eq!(store.sealed_batch(SealedTable::Applications, batch[1].id, 10).await.unwrap().len(), 1);

    store.push_sms_outbox(&crate::fixtures::sealed("m-9"), "138****0000", "hi", AT).await.unwrap();
    let outbox = store.sealed_batch(SealedTable::SmsOutbox, 0, 10).await.unwrap();
    assert_eq!(outbox[0].id_number_ct, None);
    let row = Resealed {
        old: outbox[0].clone(),
        new: SealedRow { id: outbox[0].id, id_number_ct: None, value_ct: b"new".to_vec() },
    };
    assert_eq!(store.reseal(SealedTable::SmsOutbox, &[row], None).await.unwrap(), 1);
    store.finish_key_rotation("k2", AT).await.unwrap();
    assert_eq!(store.unfinished_key_rotation().await.unwrap(), None);
    assert_eq!(store.key_rotation_finished("k2").await.unwrap(), Some(true));
});

both_databases!(a_new_consent_text_is_the_next_version, |db: TestDb| async move {
    let store = db.dyn_store();
    assert_eq!(store.publish_consent("第2版", "Version 2", AT).await.unwrap(), "2");
    assert_eq!(store.publish_consent("第3版", "Version 3", Timestamp(AT.0 + 1)).await.unwrap(), "3");
    let versions = store.consent_versions().await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
    assert_eq!(versions.last().unwrap().text_en, "Version 3");
});

both_databases!(a_purge_larger_than_one_write_chunk_purges_every_row_once, |db: TestDb| async move {
    use huiji_core::joining::Landing;
    use huiji_core::{Decision, LifecycleAction, OrgId};
    use huiji_store::SubmitOutcome;

    use crate::fixtures::{application, seeded};
    // The purge writes in chunks of a few hundred rows (so a join never waits for the
    // whole purge): more than one chunk's worth must all go, each exactly once.
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let landing = Landing::Union(OrgId(receiving));
    let mut left = Vec::new();
    for n in 0..600 {
        let new = application(&format!("id-{n}"), &format!("m-{n}"), receiving, landing, Decision::Approve);
        let SubmitOutcome::Approved { membership_id, .. } = store.submit_application(&new, AT).await.unwrap()
        else {
            panic!()
        };
        if n % 10 != 0 {
            let withdrawn = store
                .apply_lifecycle(
                    membership_id,
                    LifecycleAction::Withdraw,
                    "user:x",
                    "moved",
                    Timestamp(AT.0 + DAY),
                )
                .await
                .unwrap();
            assert!(withdrawn);
            left.push(membership_id);
        }
    }
    let counts =
        store.purge_personal_data(Timestamp(AT.0 + 2 * DAY), Timestamp(AT.0 + 200 * DAY)).await.unwrap();
    assert_eq!((counts.memberships, counts.applications), (540, 540), "{counts:?}");
    for id in [left[0], left[499], left[500], left[539]] {
        assert_eq!(store.membership_detail(id).await.unwrap().unwrap().record.name, "", "{id:?}");
    }
    let again =
        store.purge_personal_data(Timestamp(AT.0 + 2 * DAY), Timestamp(AT.0 + 200 * DAY)).await.unwrap();
    assert_eq!((again.memberships, again.applications), (0, 0));
});
