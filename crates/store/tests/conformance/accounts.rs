//! Officer accounts and their server-side sessions on both databases.

use huiji_core::{Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{Conflict, StoreError, both_databases};

use crate::fixtures::{AT, ids, one_org, user};

both_databases!(accounts_round_trip_and_are_listed_by_username, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let li = store.create_user(&user("li", org, Role::Reviewer), AT).await.unwrap();
    let an = store.create_user(&user("an", org, Role::Viewer), AT).await.unwrap();
    assert!(zhang != li && li != an && zhang != an);

    let record = store.user_by_username("zhang").await.unwrap().unwrap();
    assert_eq!(record.id, zhang);
    assert_eq!(record.username, "zhang");
    assert_eq!(record.org_id, org.0);
    assert_eq!((record.role.code(), record.role), ("admin", Role::Admin));
    assert_eq!(record.password_hash, user("zhang", org, Role::Admin).password_hash);
    assert!(!record.disabled);
    assert_eq!((record.failed_logins, record.locked_until), (0, None));
    assert_eq!(record.created_at, AT.0);
    assert_eq!(store.user_by_username("li").await.unwrap().unwrap().role, Role::Reviewer);
    assert_eq!(store.user_by_username("an").await.unwrap().unwrap().role, Role::Viewer);
    assert_eq!(store.user_by_username("nobody").await.unwrap(), None);
    assert_eq!(store.user_by_username("ZHANG").await.unwrap(), None, "usernames match exactly");

    let users = store.users().await.unwrap();
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["an", "li", "zhang"]);
    assert_eq!(ids(&users, |u| u.id), [an, li, zhang]);
});

/// A taken username is reported by the constraint's name, and nothing is stored.
async fn a_taken_username_is_a_named_constraint_body(db: TestDb) {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let error = store.create_user(&user("zhang", org, Role::Viewer), AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::UsernameTaken)), "{error:?}");
    assert_eq!(store.users().await.unwrap().len(), 1);
    assert_eq!(store.user_by_username("zhang").await.unwrap().unwrap().role, Role::Admin);
}

mod a_taken_username_is_a_named_constraint {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        a_taken_username_is_a_named_constraint_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            a_taken_username_is_a_named_constraint_body(db).await;
        }
    }
}

both_databases!(sessions_live_until_expiry_and_end_with_the_account, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let li = store.create_user(&user("li", org, Role::Viewer), AT).await.unwrap();
    let expires = Timestamp(AT.0 + 3_600_000);

    store.create_session("hash-1", zhang, "csrf-1", AT, expires).await.unwrap();
    store.create_session("hash-li", li, "csrf-li", AT, expires).await.unwrap();
    let session = store.session("hash-1", AT).await.unwrap().unwrap();
    assert_eq!((session.user.id, session.user.username.as_str()), (zhang, "zhang"));
    assert_eq!(session.user.role, Role::Admin);
    assert_eq!(session.csrf_token, "csrf-1");
    assert_eq!(session.expires_at, expires.0);
    assert!(store.session("hash-1", Timestamp(expires.0 - 1)).await.unwrap().is_some());
    assert!(store.session("hash-1", expires).await.unwrap().is_none(), "expired at expires_at");
    assert!(store.session("hash-1", Timestamp(expires.0 + 1)).await.unwrap().is_none());
    assert!(store.session("no-such-hash", AT).await.unwrap().is_none());
    assert!(store.session("csrf-1", AT).await.unwrap().is_none(), "found by token hash only");

    // Disabling ends the account's sessions (and only its own) and keeps new ones out.
    assert!(store.set_user_disabled("zhang", true).await.unwrap());
    assert!(store.user_by_username("zhang").await.unwrap().unwrap().disabled);
    assert!(store.session("hash-1", AT).await.unwrap().is_none());
    assert!(store.session("hash-li", AT).await.unwrap().is_some());
    store.create_session("hash-2", zhang, "csrf-2", AT, expires).await.unwrap();
    assert!(store.session("hash-2", AT).await.unwrap().is_none(), "a disabled account has no session");
    assert!(!store.set_user_disabled("nobody", true).await.unwrap());
    assert!(!store.set_user_disabled("nobody", false).await.unwrap());

    // Enabled again: the sessions it lost stay lost; a new login works.
    assert!(store.set_user_disabled("zhang", false).await.unwrap());
    assert!(!store.user_by_username("zhang").await.unwrap().unwrap().disabled);
    assert!(store.session("hash-1", AT).await.unwrap().is_none());
    store.create_session("hash-3", zhang, "csrf-3", AT, expires).await.unwrap();
    assert_eq!(store.session("hash-3", AT).await.unwrap().unwrap().csrf_token, "csrf-3");

    // A new password ends every session of the account.
    store.create_session("hash-4", zhang, "csrf-4", AT, expires).await.unwrap();
    store.set_password(zhang, "$argon2id$new").await.unwrap();
    assert_eq!(store.user_by_username("zhang").await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(store.session("hash-3", AT).await.unwrap().is_none());
    assert!(store.session("hash-4", AT).await.unwrap().is_none());
    assert!(store.session("hash-li", AT).await.unwrap().is_some());

    // Logout removes the one session.
    store.create_session("hash-5", zhang, "csrf-5", AT, expires).await.unwrap();
    store.create_session("hash-6", zhang, "csrf-6", AT, expires).await.unwrap();
    store.delete_session("hash-5", AT).await.unwrap();
    assert!(store.session("hash-5", AT).await.unwrap().is_none());
    assert!(store.session("hash-6", AT).await.unwrap().is_some());
    store.delete_session("no-such-hash", AT).await.unwrap();
});

both_databases!(logout_sweeps_expired_sessions, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let short = Timestamp(AT.0 + 1000);
    let long = Timestamp(AT.0 + 3_600_000);
    store.create_session("old", zhang, "csrf-old", AT, short).await.unwrap();
    store.create_session("live", zhang, "csrf-live", AT, long).await.unwrap();
    // While the expired row is still stored its token hash is taken.
    assert!(store.create_session("old", zhang, "again", AT, long).await.is_err());
    store.delete_session("other", short).await.unwrap();
    // Swept: the hash is free again; the live session was not swept.
    store.create_session("old", zhang, "again", short, long).await.unwrap();
    assert_eq!(store.session("old", short).await.unwrap().unwrap().csrf_token, "again");
    assert_eq!(store.session("live", short).await.unwrap().unwrap().csrf_token, "csrf-live");
});
