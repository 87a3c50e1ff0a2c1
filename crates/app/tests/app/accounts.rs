//! Logging in and changing a password: sessions open only with the right password, five
//! wrong ones lock the account (a right one is then refused too), and a new password ends
//! every session.

use huiji_app::accounts::passwords;
use huiji_app::accounts::sessions::{self, AccountError, MAX_FAILURES};
use huiji_app::ports::OsRandomness;
use huiji_core::{Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewUser, both_databases};

use crate::support::{NOW, World};

const PASSWORD: &str = "correct horse battery";

async fn account(w: &World, username: &str) -> i64 {
    let user = NewUser {
        username: username.to_owned(),
        org: w.hefei.id,
        role: Role::Reviewer,
        password_hash: passwords::hash(PASSWORD, &OsRandomness).unwrap(),
        can_reveal: false,
    };
    w.app.store().create_user(&user, NOW).await.unwrap()
}

both_databases!(logins_open_sessions_and_failures_lock, |db: TestDb| async move {
    let w = World::new(db).await;
    let app = &w.app;
    let id = account(&w, "hf-rev").await;

    let opened = sessions::login(app, " hf-rev ", PASSWORD).await.unwrap();
    assert_eq!(opened.user.id, id);
    assert_eq!(opened.token.len(), 64);
    let session = sessions::session(app, &opened.token).await.unwrap().unwrap();
    assert_eq!(session.user.username, "hf-rev");
    assert!(sessions::session(app, "not a token").await.unwrap().is_none());

    assert!(matches!(sessions::login(app, "nobody", PASSWORD).await, Err(AccountError::Refused)));
    for _ in 0..MAX_FAILURES {
        assert!(matches!(sessions::login(app, "hf-rev", "wrong password").await, Err(AccountError::Refused)));
    }
    let locked = sessions::login(app, "hf-rev", PASSWORD).await;
    assert!(matches!(locked, Err(AccountError::Refused)), "locked: the right password is refused too");
    w.clock.0.store(Timestamp(NOW.millis() + 6 * 60 * 1000).0, std::sync::atomic::Ordering::SeqCst);
    assert!(sessions::login(app, "hf-rev", PASSWORD).await.is_ok(), "five minutes later");

    sessions::logout(app, &sessions::token_hash(&opened.token)).await.unwrap();
    assert!(sessions::session(app, &opened.token).await.unwrap().is_none());
});

both_databases!(a_new_password_is_checked_and_ends_every_session, |db: TestDb| async move {
    let w = World::new(db).await;
    let app = &w.app;
    let id = account(&w, "hf-rev").await;
    let opened = sessions::login(app, "hf-rev", PASSWORD).await.unwrap();

    let wrong =
        sessions::change_password(app, id, "nope", "a new long password", "a new long password").await;
    assert!(matches!(wrong, Err(AccountError::WrongPassword)), "{wrong:?}");
    let differ = sessions::change_password(app, id, PASSWORD, "a new long password", "another one!!").await;
    assert!(matches!(differ, Err(AccountError::Mismatch)), "{differ:?}");
    let short = sessions::change_password(app, id, PASSWORD, "short", "short").await;
    assert!(matches!(short, Err(AccountError::TooShort)), "{short:?}");
    assert!(sessions::session(app, &opened.token).await.unwrap().is_some(), "refusals change nothing");

    sessions::change_password(app, id, PASSWORD, "a new long password", "a new long password").await.unwrap();
    assert!(sessions::session(app, &opened.token).await.unwrap().is_none(), "sessions end");
    assert!(matches!(sessions::login(app, "hf-rev", PASSWORD).await, Err(AccountError::Refused)));
    assert!(sessions::login(app, "hf-rev", "a new long password").await.is_ok());
});

both_databases!(the_operator_makes_accounts_with_checked_names, |db: TestDb| async move {
    use huiji_app::accounts::manage::{NewAccount, NewAccountError, create_account};
    use huiji_app::testing::TestRandom;
    let w = World::new(db).await;
    let store = w.app.store().as_ref();
    let random = TestRandom::default();
    let account = |username: &'static str| NewAccount {
        username,
        org: w.hefei.id,
        role: Role::Reviewer,
        password: None,
        can_reveal: false,
    };

    let generated = create_account(store, &random, NOW, account(" hf-rev ")).await.unwrap();
    assert_eq!(generated.chars().count(), 16);
    assert!(!generated.contains(['0', 'O', '1', 'l', 'I']), "no look-alikes: {generated}");
    let stored = store.user_by_username("hf-rev").await.unwrap().unwrap();
    assert!(passwords::verify(&generated, &stored.password_hash), "stored only hashed");
    assert_ne!(stored.password_hash, generated);

    for bad in ["", "two words", "x".repeat(65).leak()] {
        let refused = create_account(store, &random, NOW, account(bad)).await;
        assert!(matches!(refused, Err(NewAccountError::Username)), "{bad:?}: {refused:?}");
    }
    let taken = create_account(store, &random, NOW, account("hf-rev")).await;
    assert!(matches!(taken, Err(NewAccountError::UsernameTaken)), "{taken:?}");
    let nowhere = NewAccount { org: huiji_core::OrgId(9_999), ..account("elsewhere") };
    assert!(matches!(create_account(store, &random, NOW, nowhere).await, Err(NewAccountError::NoSuchOrg)));
    let short = NewAccount { password: Some("short".to_owned()), ..account("shorty") };
    assert!(matches!(create_account(store, &random, NOW, short).await, Err(NewAccountError::Password(_))));
});
