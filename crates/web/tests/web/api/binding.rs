//! A proven mobile answers for the identity it was first used with: through the API, a
//! second identity with it is reviewed, flagged — whether the join read the mobile's
//! binding before deciding or left it to the store to check as it writes (SQLite's joins
//! written together), on both databases.

use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::TestApp;
use crate::support::api::{application, identity};

both_databases!(a_second_identity_with_a_proven_mobile_is_reviewed_flagged, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (first, mobile) = identity(40);
    let member = app.api_apply(&platform.key, &application(&first, &mobile)).await;
    assert_eq!((member.status, member.body["status"].as_str()), (201, Some("approved")), "{}", member.text);

    let (second, _) = identity(41);
    let body = application(&second, &mobile);
    let answer = app.api_apply(&platform.key, &body).await;
    assert_eq!(
        (answer.status, answer.body["status"].as_str()),
        (201, Some("pending_review")),
        "{}",
        answer.text
    );
    assert!(answer.body.get("member_number").is_none());
    let application_id = answer.body["application_id"].as_i64().unwrap();
    let detail = app.store().application_detail(application_id).await.unwrap().unwrap();
    assert!(detail.item.mobile_bound_elsewhere && detail.item.flagged(), "{:?}", detail.item);

    // Its key holds that answer: the same request again replays it, byte for byte.
    let again = app.api_apply(&platform.key, &body).await;
    assert_eq!((again.status, &again.text), (201, &answer.text));

    // A free mobile with that identity's neighbour is still a member at once.
    let (third, free) = identity(42);
    let answer = app.api_apply(&platform.key, &application(&third, &free)).await;
    assert_eq!((answer.status, answer.body["status"].as_str()), (201, Some("approved")), "{}", answer.text);
    assert!(app.store().verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});
