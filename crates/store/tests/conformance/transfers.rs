//! Transfers (接转) on both databases: a member's request waits for the receiving side; a
//! receiving union's request waits for the outgoing side, may name nobody, and is answered
//! once, never by whoever asked; a database of the release before keeps its transfers.

use huiji_core::joining::Landing;
use huiji_core::{Decision, LifecycleAction, Org, Timestamp, TransferStatus};
use huiji_store::testing::TestDb;
use huiji_store::{Backend, Conflict, MembershipRecord, Store, StoreError, TransferAsk, both_databases};

use std::sync::Arc;

use crate::fixtures::{AT, DAY, Tree, by_code, ids, member, to_org, tree};

const AWAITING: TransferStatus = TransferStatus::AwaitingConsent;
const REQUESTED: TransferStatus = TransferStatus::Requested;

/// A member of 肥东县货车司机工会联合会 with this (stand-in) ID number.
async fn feidong_member(store: &Arc<dyn Store>, t: &Tree, id: &str) -> MembershipRecord {
    let new = to_org(&t.feidong_trucks, "王晓明", id, Landing::Union(t.feidong_trucks.id), Decision::Approve);
    member(store, &new, AT).await
}

/// A receiving union's request for a membership (or for nobody), typed as `user:wh` would.
fn ask(membership_id: Option<i64>, to: &Org) -> TransferAsk<'static> {
    TransferAsk {
        membership_id,
        to: to.id,
        requested_by: "user:wh",
        reason: "在芜湖跑车",
        typed_member: "3401**********123X",
        typed_name: "王**",
    }
}

both_databases!(a_members_request_waits_for_the_receiving_side, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let m = feidong_member(&store, &t, "id-t").await;
    let asked = Timestamp(AT.0 + DAY);
    let id = store.request_transfer(m.id, t.wuhu_trucks.id, "member", "工作调动", asked).await.unwrap();

    let transfer = store.transfer(id).await.unwrap().unwrap();
    assert_eq!((transfer.membership_id, transfer.member_name.as_deref()), (Some(m.id), Some("王晓明")));
    assert_eq!(
        (transfer.from_org_id, transfer.from_path.as_deref()),
        (Some(t.feidong_trucks.id.0), Some(t.feidong_trucks.path.as_str()))
    );
    assert_eq!(
        (transfer.to_org_id, transfer.to_path.as_str()),
        (t.wuhu_trucks.id.0, t.wuhu_trucks.path.as_str())
    );
    assert_eq!((Some(transfer.status), transfer.requested_by.as_str()), (Some(REQUESTED), "member"));
    assert_eq!(transfer.released_by.as_deref(), Some("member"), "the member's request is their consent");
    assert_eq!(transfer.reason.as_deref(), Some("工作调动"));
    assert_eq!((transfer.created_at, transfer.decided_at, transfer.decided_by), (asked.0, None, None));
    assert_eq!((transfer.typed_member, transfer.typed_name), (None, None));
    assert!(store.transfer(id + 1000).await.unwrap().is_none());

    // Seen incoming, outgoing, and not elsewhere.
    let bengbu = by_code(&store, "3403").await;
    let scoped = |org: Org| {
        let store = store.clone();
        async move { ids(&store.transfers(&org.path, 10).await.unwrap(), |t| t.id) }
    };
    for org in [&t.wuhu, &t.wuhu_trucks, &t.feidong, &t.feidong_trucks, &t.root] {
        assert_eq!(scoped(org.clone()).await, [id], "{}", org.name);
    }
    assert!(scoped(bengbu.clone()).await.is_empty());
    assert!(scoped(t.hefei_trucks.clone()).await.is_empty());

    // Only the receiving side's answer is awaited; the member cannot answer their own.
    assert!(!store.answer_transfer(id, AWAITING, true, "user:wang", asked).await.unwrap());
    assert!(!store.answer_transfer(id, REQUESTED, true, "member", asked).await.unwrap());
    // Accepted: the member moves, keeping the date they joined.
    let decided = Timestamp(AT.0 + 2 * DAY);
    assert!(store.answer_transfer(id, REQUESTED, true, "user:wang", decided).await.unwrap());
    let moved = store.membership(m.id).await.unwrap().unwrap();
    assert_eq!(
        (moved.home_org_id, moved.home_path.as_str()),
        (t.wuhu_trucks.id.0, t.wuhu_trucks.path.as_str())
    );
    assert_eq!((moved.joined_at, moved.status.code()), (AT.0, "active"));
    let transfer = store.transfer(id).await.unwrap().unwrap();
    assert_eq!(Some(transfer.status), Some(TransferStatus::Accepted));
    assert_eq!((transfer.decided_by.as_deref(), transfer.decided_at), (Some("user:wang"), Some(decided.0)));
    let events = store.membership_events(m.id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.code()).collect::<Vec<_>>(), ["joined", "transferred"]);
    let transferred = &events[1];
    assert_eq!(
        (transferred.from_org_id, transferred.to_org_id),
        (Some(t.feidong_trucks.id.0), Some(t.wuhu_trucks.id.0))
    );
    assert_eq!((transferred.actor.as_str(), transferred.at), ("user:wang", decided.0));
    assert_eq!(transferred.reason.as_deref(), Some("工作调动"));
    assert_eq!(store.count_members(&t.wuhu.path).await.unwrap(), 1);
    assert_eq!(store.count_members(&t.feidong.path).await.unwrap(), 0);

    // Answered once only.
    for agree in [true, false] {
        assert!(!store.answer_transfer(id, REQUESTED, agree, "user:wang", decided).await.unwrap());
    }
    assert!(!store.answer_transfer(id + 1000, REQUESTED, true, "user:wang", decided).await.unwrap());
    assert_eq!(store.membership_events(m.id).await.unwrap().len(), 2);

    // Rejected: the member stays where they are. Newest transfers come first.
    let back = store.request_transfer(m.id, t.feidong_trucks.id, "member", "回原籍", decided).await.unwrap();
    assert_eq!(scoped(t.feidong.clone()).await, [back, id]);
    assert!(store.answer_transfer(back, REQUESTED, false, "user:zhang", decided).await.unwrap());
    assert_eq!(Some(store.transfer(back).await.unwrap().unwrap().status), Some(TransferStatus::Rejected));
    assert_eq!(store.membership(m.id).await.unwrap().unwrap().home_org_id, t.wuhu_trucks.id.0);
    assert_eq!(store.membership_events(m.id).await.unwrap().len(), 2);

    // Not to the union it is already in; not for an ended membership.
    let error = store.request_transfer(m.id, t.wuhu_trucks.id, "member", "x", decided).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
    let error = store.request_transfer(999_999, t.wuhu_trucks.id, "member", "x", decided).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
    assert!(
        store.apply_lifecycle(m.id, LifecycleAction::Withdraw, "user:zhang", "退会", decided).await.unwrap()
    );
    let error = store.request_transfer(m.id, t.feidong_trucks.id, "member", "x", decided).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
});

both_databases!(one_open_member_request_per_membership, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let m = feidong_member(&store, &t, "id-2t").await;
    let first = store.request_transfer(m.id, t.wuhu_trucks.id, "member", "工作调动", AT).await.unwrap();
    for to in [t.wuhu_trucks.id, t.hefei_trucks.id] {
        let error = store.request_transfer(m.id, to, "member", "again", AT).await.unwrap_err();
        assert!(matches!(error, StoreError::Conflict(Conflict::TransferOpen)), "{error:?}");
    }
    // Unions' requests are not limited: the member chooses among them.
    let asked = store.ask_transfer(&ask(Some(m.id), &t.hefei_trucks), AT).await.unwrap();
    assert_eq!(ids(&store.transfers(&t.root.path, 10).await.unwrap(), |t| t.id), [asked, first]);
    // Once decided, a new request may be made.
    assert!(store.answer_transfer(first, REQUESTED, false, "user:zhang", AT).await.unwrap());
    store.request_transfer(m.id, t.hefei_trucks.id, "member", "again", AT).await.unwrap();
});

both_databases!(a_unions_request_waits_for_the_outgoing_side, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let m = feidong_member(&store, &t, "id-a").await;
    let id = store.ask_transfer(&ask(Some(m.id), &t.wuhu_trucks), AT).await.unwrap();
    let transfer = store.transfer(id).await.unwrap().unwrap();
    assert_eq!((Some(transfer.status), transfer.released_by.as_deref()), (Some(AWAITING), None));
    assert_eq!((transfer.membership_id, transfer.from_org_id), (Some(m.id), Some(t.feidong_trucks.id.0)));
    assert_eq!(transfer.typed_member.as_deref(), Some("3401**********123X"));
    assert_eq!((transfer.typed_name.as_deref(), transfer.requested_by.as_str()), (Some("王**"), "user:wh"));
    assert_eq!(ids(&store.transfers(&t.feidong.path, 10).await.unwrap(), |t| t.id), [id]);
    assert_eq!(ids(&store.transfers_awaiting_consent(m.id).await.unwrap(), |t| t.id), [id]);

    // Nobody answers their own request, and only the awaited answer counts.
    let later = Timestamp(AT.0 + DAY);
    assert!(!store.answer_transfer(id, AWAITING, true, "user:wh", later).await.unwrap());
    assert!(!store.answer_transfer(id, REQUESTED, true, "user:fd", later).await.unwrap());
    assert_eq!(store.membership(m.id).await.unwrap().unwrap().home_org_id, t.feidong_trucks.id.0);

    // A second union asks too; the outgoing side agrees to the first.
    let other = store.ask_transfer(&ask(Some(m.id), &t.hefei_trucks), AT).await.unwrap();
    assert_eq!(ids(&store.transfers_awaiting_consent(m.id).await.unwrap(), |t| t.id), [id, other]);
    assert!(store.answer_transfer(id, AWAITING, true, "user:fd", later).await.unwrap());
    let transfer = store.transfer(id).await.unwrap().unwrap();
    assert_eq!(Some(transfer.status), Some(TransferStatus::Accepted));
    assert_eq!(
        (transfer.released_by.as_deref(), transfer.decided_by.as_deref()),
        (Some("user:fd"), Some("user:fd"))
    );
    let moved = store.membership(m.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.joined_at), (t.wuhu_trucks.id.0, AT.0));
    let last = store.membership_events(m.id).await.unwrap().pop().unwrap();
    assert_eq!((last.kind.code(), last.actor.as_str()), ("transferred", "user:fd"));
    // The other one is moot now: agreeing to it cancels it, and nothing moves.
    assert!(!store.answer_transfer(other, AWAITING, true, "member", later).await.unwrap());
    let moot = store.transfer(other).await.unwrap().unwrap();
    assert_eq!((Some(moot.status), moot.released_by), (Some(TransferStatus::Cancelled), None));
    assert_eq!(store.membership(m.id).await.unwrap().unwrap().home_org_id, t.wuhu_trucks.id.0);

    // The member refuses a third; the asking side withdraws a fourth.
    let third = store.ask_transfer(&ask(Some(m.id), &t.feidong_trucks), later).await.unwrap();
    assert!(store.answer_transfer(third, AWAITING, false, "member", later).await.unwrap());
    let refused = store.transfer(third).await.unwrap().unwrap();
    assert_eq!((Some(refused.status), refused.released_by), (Some(TransferStatus::Refused), None));
    let fourth = store.ask_transfer(&ask(Some(m.id), &t.feidong_trucks), later).await.unwrap();
    assert!(!store.withdraw_transfer(third, "user:wh", later).await.unwrap(), "closed already");
    assert!(store.withdraw_transfer(fourth, "user:wh", later).await.unwrap());
    assert!(!store.answer_transfer(fourth, AWAITING, true, "member", later).await.unwrap());
    assert_eq!(Some(store.transfer(fourth).await.unwrap().unwrap().status), Some(TransferStatus::Cancelled));
    assert!(store.transfers_awaiting_consent(m.id).await.unwrap().is_empty());
    assert_eq!(store.membership(m.id).await.unwrap().unwrap().home_org_id, t.wuhu_trucks.id.0);
});

both_databases!(a_request_naming_nobody_is_stored_alike, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let m = feidong_member(&store, &t, "id-n").await;
    // Nobody, a membership already in the union asked for, an ended membership.
    let nobody = store.ask_transfer(&ask(None, &t.wuhu_trucks), AT).await.unwrap();
    let same_union = store.ask_transfer(&ask(Some(m.id), &t.feidong_trucks), AT).await.unwrap();
    assert!(store.apply_lifecycle(m.id, LifecycleAction::Withdraw, "user:fd", "退会", AT).await.unwrap());
    let ended = store.ask_transfer(&ask(Some(m.id), &t.wuhu_trucks), AT).await.unwrap();
    for id in [nobody, same_union, ended] {
        let transfer = store.transfer(id).await.unwrap().unwrap();
        assert_eq!(
            (transfer.membership_id, transfer.from_org_id, transfer.from_path.as_deref()),
            (None, None, None)
        );
        assert_eq!((Some(transfer.status), transfer.member_name.as_deref()), (Some(AWAITING), None));
        assert_eq!(transfer.typed_member.as_deref(), Some("3401**********123X"));
        // Nobody can agree to it; the asking side can withdraw it.
        assert!(!store.answer_transfer(id, AWAITING, true, "member", AT).await.unwrap());
    }
    assert_eq!(ids(&store.transfers(&t.wuhu.path, 10).await.unwrap(), |t| t.id), [ended, nobody]);
    assert!(store.transfers(&t.feidong.path, 10).await.unwrap().iter().all(|t| t.id == same_union));
    assert!(store.withdraw_transfer(nobody, "user:wh", AT).await.unwrap());
    let error = store.ask_transfer(&ask(None, &Org { id: huiji_core::OrgId(999_999), ..t.wuhu }), AT).await;
    assert!(matches!(error, Err(StoreError::NotFound(_))), "{error:?}");
});

/// A transfer row as the release before (migrations up to 0010) wrote it.
async fn old_transfer(
    db: &TestDb,
    m: &MembershipRecord,
    to: &Org,
    status: &str,
    requested_by: &str,
    decided_by: Option<&str>,
) -> i64 {
    const INSERT: &str = "INSERT INTO transfers (membership_id, from_org_id, from_path, to_org_id, to_path, \
        status, requested_by, reason, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'x', $8, $9) \
        RETURNING id";
    macro_rules! insert {
        ($pool:expr) => {{
            let pool = $pool;
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(m.id)
                .bind(m.home_org_id)
                .bind(&m.home_path)
                .bind(to.id.0)
                .bind(to.path.as_str())
                .bind(status)
                .bind(requested_by)
                .bind(decided_by)
                .bind(AT.0)
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            id
        }};
    }
    match db.dyn_store().backend() {
        Backend::Sqlite => insert!(sqlx::SqlitePool::connect(&db.url).await.unwrap()),
        Backend::Postgres => insert!(sqlx::PgPool::connect(&db.url).await.unwrap()),
    }
}

/// A member of 肥东县货车司机工会联合会 written as the schema before the transfer-consent
/// migration (0010) has it: the store of today writes columns that schema lacks.
async fn old_member(db: &TestDb, t: &Tree, n: i64) -> i64 {
    const INSERT: &str = "INSERT INTO memberships (member_number, status, home_org_id, home_path, name, \
        id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at) \
        VALUES ($1, 'active', $2, $3, '王晓明', $4, $5, $4, $6, 'male', 'truck_driver', '340122', $7) \
        RETURNING id";
    let org = &t.feidong_trucks;
    macro_rules! insert {
        ($pool:expr) => {{
            let pool = $pool;
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(format!("old-{n}"))
                .bind(org.id.0)
                .bind(org.path.as_str())
                .bind(b"ct".to_vec())
                .bind(format!("bidx:id-u{n}"))
                .bind(format!("bidx:m-u{n}"))
                .bind(AT.0)
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            id
        }};
    }
    match db.dyn_store().backend() {
        Backend::Sqlite => insert!(sqlx::SqlitePool::connect(&db.url).await.unwrap()),
        Backend::Postgres => insert!(sqlx::PgPool::connect(&db.url).await.unwrap()),
    }
}

/// Officers' open requests of the release before could be accepted by the receiving side
/// alone: after the upgrade they wait for the outgoing side; nothing else changes.
async fn an_earlier_database_keeps_its_transfers_body(db: TestDb) {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let mut members = Vec::new();
    for n in 1..=3 {
        let id = old_member(&db, &t, n).await;
        members.push(store.membership(id).await.unwrap().unwrap());
    }
    let by_member = old_transfer(&db, &members[0], &t.wuhu_trucks, "requested", "member", None).await;
    let by_officer = old_transfer(&db, &members[1], &t.wuhu_trucks, "requested", "user:wh", None).await;
    let accepted =
        old_transfer(&db, &members[2], &t.hefei_trucks, "accepted", "user:hf", Some("user:hf")).await;

    store.migrate().await.unwrap();
    let read = |id: i64| {
        let store = store.clone();
        async move { store.transfer(id).await.unwrap().unwrap() }
    };
    let (a, b, c) = (read(by_member).await, read(by_officer).await, read(accepted).await);
    assert_eq!((Some(a.status), a.released_by.as_deref()), (Some(REQUESTED), Some("member")));
    assert_eq!((Some(b.status), b.released_by.as_deref()), (Some(AWAITING), None));
    assert_eq!((Some(c.status), c.released_by.as_deref()), (Some(TransferStatus::Accepted), Some("user:hf")));
    for (transfer, m) in [(&a, &members[0]), (&b, &members[1]), (&c, &members[2])] {
        assert_eq!(transfer.membership_id, Some(m.id));
        assert_eq!(transfer.from_path.as_deref(), Some(t.feidong_trucks.path.as_str()));
        assert_eq!((transfer.reason.as_deref(), transfer.created_at), (Some("x"), AT.0));
    }

    // The receiving side cannot accept the officer's request any more; the member's can be.
    assert!(!store.answer_transfer(by_officer, REQUESTED, true, "user:wh2", AT).await.unwrap());
    assert!(!store.answer_transfer(by_officer, AWAITING, true, "user:wh", AT).await.unwrap());
    assert_eq!(store.membership(members[1].id).await.unwrap().unwrap().home_org_id, t.feidong_trucks.id.0);
    assert!(store.answer_transfer(by_officer, AWAITING, true, "user:fd", AT).await.unwrap());
    assert!(store.answer_transfer(by_member, REQUESTED, true, "user:wh", AT).await.unwrap());
    // One open member's request per membership still; new ids follow the old ones.
    let again = store.request_transfer(members[0].id, t.hefei_trucks.id, "member", "x", AT).await.unwrap();
    assert!(again > accepted);
    let error =
        store.request_transfer(members[0].id, t.feidong_trucks.id, "member", "x", AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::TransferOpen)), "{error:?}");
}

/// The last migration before transfers needed both sides' consent.
const BEFORE_CONSENT: i64 = 10;

mod an_earlier_database_keeps_its_transfers {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        an_earlier_database_keeps_its_transfers_body(TestDb::sqlite_at(BEFORE_CONSENT).await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres_at(BEFORE_CONSENT).await {
            an_earlier_database_keeps_its_transfers_body(db).await;
        }
    }
}
