//! Accounts as admins manage them in the console (migration 0015): officers' profiles,
//! the subtree's list, changes, resets, names, the header's counts and the digest's
//! claims, on both databases.

use huiji_core::joining::Landing;
use huiji_core::{Decision, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Conflict, Lockout, OfficerChange, OfficerProfile, ReviewsWaiting, SealedTable, StoreError, both_databases,
};

use crate::fixtures::{AT, DAY, pending, to_org, tree, user};

fn profile(name: &str, mobile: &str) -> OfficerProfile {
    OfficerProfile {
        full_name: name.to_owned(),
        mobile_ct: format!("ct:{mobile}").into_bytes(),
        mobile_bidx: format!("bidx:{mobile}"),
    }
}

both_databases!(officers_have_profiles_and_are_listed_by_subtree, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let li = store
        .create_officer(&user("li", t.feidong.id, Role::Reviewer), &profile("李建国", "1"), AT)
        .await
        .unwrap();
    let wang =
        store.create_officer(&user("wang", t.wuhu.id, Role::Admin), &profile("王芳", "2"), AT).await.unwrap();
    let cli = store.create_user(&user("cli", t.hefei.id, Role::Admin), AT).await.unwrap();

    let record = store.user(li).await.unwrap().unwrap();
    assert_eq!((record.username.as_str(), record.full_name.as_str()), ("li", "李建国"));
    assert_eq!(record.mobile_ct.as_deref(), Some(&b"ct:1"[..]));
    assert!(record.must_change_password && !record.digest);
    let plain = store.user(cli).await.unwrap().unwrap();
    assert!(plain.full_name.is_empty() && plain.mobile_ct.is_none() && !plain.must_change_password);
    assert_eq!(store.user(9_999).await.unwrap(), None);
    // Sessions and the by-name lookup carry the profile too.
    assert_eq!(store.user_by_username("li").await.unwrap().unwrap(), record);

    let within = |org: huiji_core::Org| {
        let store = store.clone();
        async move { store.users_within(&org.path).await.unwrap().into_iter().map(|u| u.id).collect::<Vec<_>>() }
    };
    assert_eq!(within(t.hefei.clone()).await, [cli, li], "by union path, then username");
    assert_eq!(within(t.feidong.clone()).await, [li]);
    assert_eq!(within(t.wuhu.clone()).await, [wang]);
    assert_eq!(within(t.root.clone()).await.len(), 3);

    let taken = store.create_officer(&user("li", t.wuhu.id, Role::Viewer), &profile("李四", "3"), AT).await;
    assert!(matches!(taken, Err(StoreError::Conflict(Conflict::UsernameTaken))), "{taken:?}");
    assert_eq!(within(t.wuhu.clone()).await, [wang], "nothing half-made");

    let names = store.officer_names(&["li".to_owned(), "cli".to_owned(), "nobody".to_owned()]).await.unwrap();
    assert_eq!(names, [("li".to_owned(), "李建国".to_owned())]);
    assert!(store.officer_names(&[]).await.unwrap().is_empty());
});

both_databases!(changes_resets_and_the_forced_password_change, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let li = store
        .create_officer(&user("li", t.feidong.id, Role::Reviewer), &profile("李建国", "1"), AT)
        .await
        .unwrap();
    // Choosing one's own password clears the flag.
    store.set_password(li, "$argon2id$own").await.unwrap();
    assert!(!store.user(li).await.unwrap().unwrap().must_change_password);

    assert!(store.change_officer(li, OfficerChange::Role(Role::Admin)).await.unwrap());
    assert!(store.change_officer(li, OfficerChange::CanReveal(true)).await.unwrap());
    assert!(store.change_officer(li, OfficerChange::Digest(true)).await.unwrap());
    let record = store.user(li).await.unwrap().unwrap();
    assert!(record.role == Role::Admin && record.can_reveal && record.digest);
    assert!(!store.change_officer(9_999, OfficerChange::Disabled(true)).await.unwrap());

    // Disabling ends the sessions.
    store.create_session("tok", li, "csrf", AT, Timestamp(AT.0 + DAY)).await.unwrap();
    assert!(store.session("tok", AT).await.unwrap().is_some());
    assert!(store.change_officer(li, OfficerChange::Disabled(true)).await.unwrap());
    assert!(store.session("tok", AT).await.unwrap().is_none());
    assert!(store.change_officer(li, OfficerChange::Disabled(false)).await.unwrap());

    // A reset: the new hash, the flag, no lockout, no sessions.
    let lockout = Lockout { max_failures: 1, lock_until: Timestamp(AT.0 + DAY) };
    store.begin_login("li", AT, lockout).await.unwrap();
    assert!(store.user(li).await.unwrap().unwrap().locked_until.is_some());
    store.create_session("tok2", li, "csrf", AT, Timestamp(AT.0 + DAY)).await.unwrap();
    store.reset_password(li, "$argon2id$reset").await.unwrap();
    let record = store.user(li).await.unwrap().unwrap();
    assert_eq!(record.password_hash, "$argon2id$reset");
    assert!(record.must_change_password && record.locked_until.is_none() && record.failed_logins == 0);
    assert!(store.session("tok2", AT).await.unwrap().is_none());

    // An account made at the command line gets a profile when one is needed.
    let cli = store.create_user(&user("cli", t.hefei.id, Role::Admin), AT).await.unwrap();
    store.reset_password(cli, "$argon2id$reset").await.unwrap();
    assert!(store.user(cli).await.unwrap().unwrap().must_change_password);
    assert!(store.change_officer(cli, OfficerChange::Digest(true)).await.unwrap());
    assert!(store.user(cli).await.unwrap().unwrap().digest);
});

both_databases!(reviews_waiting_and_digest_claims, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let fd = |name: &str, id: &str| {
        to_org(&t.feidong_trucks, name, id, Landing::Union(t.feidong_trucks.id), Decision::Review)
    };
    pending(&store, &fd("王晓明", "id-a"), AT).await;
    let later =
        huiji_store::NewApplication { review_deadline: Timestamp(AT.0 + 5 * DAY), ..fd("王小红", "id-b") };
    pending(&store, &later, Timestamp(AT.0 + 2 * DAY)).await;
    // The deadlines: three days after AT, and five.
    let now = Timestamp(AT.0 + 4 * DAY);
    assert_eq!(
        store.reviews_waiting(&t.feidong.path, now).await.unwrap(),
        ReviewsWaiting { pending: 2, overdue: 1 }
    );
    assert_eq!(
        store.reviews_waiting(&t.root.path, AT).await.unwrap(),
        ReviewsWaiting { pending: 2, overdue: 0 }
    );
    assert_eq!(store.reviews_waiting(&t.wuhu.path, now).await.unwrap(), ReviewsWaiting::default());

    let li = store
        .create_officer(&user("li", t.feidong.id, Role::Reviewer), &profile("李建国", "1"), AT)
        .await
        .unwrap();
    let quiet = store
        .create_officer(&user("qian", t.feidong.id, Role::Reviewer), &profile("钱七", "2"), AT)
        .await
        .unwrap();
    let cli = store.create_user(&user("cli", t.hefei.id, Role::Admin), AT).await.unwrap();
    store.change_officer(li, OfficerChange::Digest(true)).await.unwrap();
    store.change_officer(cli, OfficerChange::Digest(true)).await.unwrap();
    let due = |day: &'static str| {
        let store = store.clone();
        async move { store.digest_due(day).await.unwrap().into_iter().map(|u| u.id).collect::<Vec<_>>() }
    };
    assert_eq!(due("2025-12-01").await, [li], "opted in, with a mobile");
    assert!(store.claim_digest(li, "2025-12-01").await.unwrap());
    assert!(!store.claim_digest(li, "2025-12-01").await.unwrap(), "once a day");
    assert!(!store.claim_digest(quiet, "2025-12-01").await.unwrap(), "not opted in");
    assert!(due("2025-12-01").await.is_empty());
    assert_eq!(due("2025-12-02").await, [li]);
    store.change_officer(li, OfficerChange::Disabled(true)).await.unwrap();
    assert!(due("2025-12-02").await.is_empty(), "not for a disabled account");
});

both_databases!(officers_mobiles_are_resealed_by_a_key_rotation, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let li = store
        .create_officer(&user("li", t.feidong.id, Role::Reviewer), &profile("李建国", "1"), AT)
        .await
        .unwrap();
    store.create_user(&user("cli", t.hefei.id, Role::Admin), AT).await.unwrap();
    let batch = store.sealed_batch(SealedTable::OfficerProfiles, 0, 10).await.unwrap();
    assert_eq!(batch.len(), 1, "accounts without a mobile are skipped");
    assert_eq!((batch[0].id, batch[0].value_ct.as_slice()), (li, &b"ct:1"[..]));
    let new = huiji_store::SealedRow { value_ct: b"ct2:1".to_vec(), ..batch[0].clone() };
    let resealed = [huiji_store::Resealed { old: batch[0].clone(), new }];
    assert_eq!(store.reseal(SealedTable::OfficerProfiles, &resealed, None).await.unwrap(), 1);
    assert_eq!(
        store.reseal(SealedTable::OfficerProfiles, &resealed, None).await.unwrap(),
        0,
        "changed since read"
    );
    assert_eq!(store.user(li).await.unwrap().unwrap().mobile_ct.as_deref(), Some(&b"ct2:1"[..]));
});
