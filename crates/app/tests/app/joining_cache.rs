//! Joining's cached reads (issue 14 item 4): a city's unions and the consent versions are
//! forgotten at once when an admin changes a union on this instance, and a change made
//! elsewhere (another instance, the command line) shows once the entry expires.

use std::sync::atomic::Ordering;

use huiji_app::joining::{self, JoinError, JoinOutcome, MobileProof};
use huiji_app::orgs::manage::set_review_policy;
use huiji_core::joining::JoinForm;
use huiji_core::{AutoApproval, Channel, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::roster_support::id;
use crate::support::{World, truckers};

const TTL: i64 = 2_000;

async fn join(app: &huiji_app::App, n: u32, consent: &str) -> Result<JoinOutcome, JoinError> {
    let id_number = id(n);
    let mobile = format!("138{n:08}");
    let form = JoinForm {
        name: "王晓明",
        id_number: &id_number,
        mobile: &mobile,
        occupation: "truck_driver",
        region_code: "340104",
        employer_name: "",
        employer_credit_code: "",
        consent_version: Some(consent),
    };
    joining::join(app, &form, Channel::Portal, None, None, MobileProof::Attested, None).await
}

fn approved(outcome: &Result<JoinOutcome, JoinError>) -> bool {
    matches!(outcome, Ok(JoinOutcome::Approved { .. }))
}

both_databases!(cached_unions_are_forgotten_on_change_and_expire_for_others, |db: TestDb| async move {
    let world = World::new(db).await;
    let app = world.app.clone().with_join_cache(TTL);
    let trucks = truckers(&world, AutoApproval::Off).await;
    // The city's unions are read once and kept: the federation reviews (policy off).
    assert!(matches!(join(&app, 1, "1").await, Ok(JoinOutcome::Pending { .. })));
    // An admin of this instance changes the policy: the next join sees it at once.
    let admin = world.officer("admin", &world.hefei, Role::Admin).await;
    set_review_policy(&app, &admin, trucks.id, Some(AutoApproval::AllVerified), 3).await.unwrap();
    assert!(approved(&join(&app, 2, "1").await), "forgotten on this instance's change");
    // Another instance turns it off again: this one learns when its entry expires.
    app.store().set_review_policy(trucks.id, AutoApproval::Off, 3).await.unwrap();
    assert!(approved(&join(&app, 3, "1").await), "still cached within the TTL");
    world.clock.0.fetch_add(TTL, Ordering::SeqCst);
    assert!(matches!(join(&app, 4, "1").await, Ok(JoinOutcome::Pending { .. })), "expired");
    // An app without the cache (App::new) reads every time.
    world.app.store().set_review_policy(trucks.id, AutoApproval::AllVerified, 3).await.unwrap();
    assert!(approved(&join(&world.app, 5, "1").await));
});

both_databases!(cached_consent_versions_expire, |db: TestDb| async move {
    let world = World::new(db).await;
    let app = world.app.clone().with_join_cache(TTL);
    truckers(&world, AutoApproval::Off).await;
    assert!(join(&app, 1, "1").await.is_ok());
    // `huiji consent publish` is another process: its version counts after the TTL.
    let version = app.store().publish_consent("第二版", "second", app.now()).await.unwrap();
    assert!(matches!(join(&app, 2, &version).await, Err(JoinError::Invalid(_))), "not yet known here");
    world.clock.0.fetch_add(TTL, Ordering::SeqCst);
    assert!(join(&app, 3, &version).await.is_ok(), "known once the entry expired");
});
