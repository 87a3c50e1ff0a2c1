//! The lockout of officer accounts on both databases: an attempt is counted before its
//! password is checked, in one statement, so the fifth attempt locks the account however
//! many arrive at once, and a locked, unknown or disabled account is not let through.

use huiji_core::{Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{Lockout, both_databases};
use tokio::task::JoinSet;

use crate::fixtures::{AT, one_org, user};

const LOCK_MILLIS: i64 = 15 * 60_000;

fn lockout(now: Timestamp) -> Lockout {
    Lockout { max_failures: 5, lock_until: Timestamp(now.0 + LOCK_MILLIS) }
}

both_databases!(attempts_are_counted_before_the_check_and_the_fifth_locks, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let id = store.create_user(&user("zhang", org, Role::Reviewer), AT).await.unwrap();
    let other = store.create_user(&user("li", org, Role::Reviewer), AT).await.unwrap();
    for attempt in 1..=4 {
        let account = store.begin_login("zhang", AT, lockout(AT)).await.unwrap().unwrap();
        assert_eq!((account.id, account.failed_logins, account.locked_until), (id, attempt, None));
        assert!(account.password_hash.starts_with("$argon2id$"), "the hash to check against");
    }
    let fifth = store.begin_login("zhang", AT, lockout(AT)).await.unwrap().unwrap();
    let lock = AT.0 + LOCK_MILLIS;
    assert_eq!(
        (fifth.failed_logins, fifth.locked_until),
        (5, Some(lock)),
        "the fifth is let through and locks"
    );
    // Locked: no attempt is let through, by name or by id, and none is counted.
    assert!(store.begin_login("zhang", AT, lockout(AT)).await.unwrap().is_none());
    assert!(store.begin_password_check(id, Timestamp(lock - 1), lockout(AT)).await.unwrap().is_none());
    let record = store.user_by_username("zhang").await.unwrap().unwrap();
    assert_eq!((record.failed_logins, record.locked_until), (5, Some(lock)));
    let li = store.user_by_username("li").await.unwrap().unwrap();
    assert_eq!((li.id, li.failed_logins, li.locked_until), (other, 0, None), "another account untouched");

    // When the lock has passed, one attempt is let through, and it locks again at once.
    let later = Timestamp(lock);
    let account = store.begin_password_check(id, later, lockout(later)).await.unwrap().unwrap();
    assert_eq!((account.failed_logins, account.locked_until), (6, Some(later.0 + LOCK_MILLIS)));
    assert!(store.begin_login("zhang", later, lockout(later)).await.unwrap().is_none());

    // A right password clears the count; counting starts again from one.
    store.login_succeeded(id).await.unwrap();
    let record = store.user_by_username("zhang").await.unwrap().unwrap();
    assert_eq!((record.failed_logins, record.locked_until), (0, None));
    assert_eq!(
        store.begin_password_check(id, later, lockout(later)).await.unwrap().unwrap().failed_logins,
        1
    );

    // Unknown and disabled accounts are not let through, and nothing is counted.
    assert!(store.begin_login("nobody", AT, lockout(AT)).await.unwrap().is_none());
    assert!(store.begin_password_check(999_999, AT, lockout(AT)).await.unwrap().is_none());
    assert!(store.set_user_disabled("li", true).await.unwrap());
    assert!(store.begin_login("li", AT, lockout(AT)).await.unwrap().is_none());
    assert!(store.begin_password_check(other, AT, lockout(AT)).await.unwrap().is_none());
    assert_eq!(store.user_by_username("li").await.unwrap().unwrap().failed_logins, 0);
    assert!(store.begin_login("ZHANG", AT, lockout(AT)).await.unwrap().is_none(), "names match exactly");
});

both_databases!(a_burst_of_attempts_lets_five_through, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    store.create_user(&user("zhang", org, Role::Reviewer), AT).await.unwrap();
    let mut attempts = JoinSet::new();
    for _ in 0..60 {
        let store = store.clone();
        attempts.spawn(async move { store.begin_login("zhang", AT, lockout(AT)).await.unwrap().is_some() });
    }
    let through = attempts.join_all().await.into_iter().filter(|&through| through).count();
    assert_eq!(through, 5);
    let record = store.user_by_username("zhang").await.unwrap().unwrap();
    assert_eq!((record.failed_logins, record.locked_until), (5, Some(AT.0 + LOCK_MILLIS)));
});
