//! What the join doors tell a caller about other people (README "What a caller can
//! learn"): a verified mobile answers for the identity it was first used with only, and a
//! submitter learns about its own applications only — on the H5 form and the API, on
//! both databases.

use std::sync::Arc;

use huiji_app::real_name::OfflineRealName;
use huiji_core::{AutoApproval, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_web::WebState;
use serde_json::{Value, json};

use crate::support::api::{Answer, application, identity};
use crate::support::{TestApp, form, id_number, main_of, with};

/// The memberships recorded with a mobile.
async fn members_with(app: &TestApp, mobile: &str) -> usize {
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
    app.store().memberships_by_mobile(&bidx).await.unwrap().len()
}

/// An app over the Anhui tree whose real-name check knows `people`.
async fn with_register(db: TestDb, people: &[(&str, &str, &str)]) -> TestApp {
    let register = Arc::new(OfflineRealName::new(people.iter().copied()));
    TestApp::seeded_with(db, |state| WebState { app: state.app.with_real_name(register), ..state }).await
}

/// An API answer without the one field that must differ between two new applications.
fn without_id(answer: &Answer) -> (u16, Value) {
    let mut body = answer.body.clone();
    body.as_object_mut().map(|o| o.remove("application_id"));
    (answer.status, body)
}

both_databases!(a_verified_mobile_answers_for_its_first_identity_only, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // A member of 芜湖 (joined with their own mobile).
    let member_id = id_number("340202", "19800101", 1);
    let wuhu = with(with(form(&member_id, "13911110001"), "city", "3402"), "region_code", "340202");
    let (_, joined) = app.join("/j/3402T", &wuhu).await;
    assert!(joined.contains("入会成功") && joined.contains("芜湖"), "{}", main_of(&joined));

    // What the README states is left without a real-name check: a mobile's first use at a
    // union approving at once tells a member's ID from a newcomer's — once per mobile.
    let (_, first_probe) = app.join("/j/340122T", &form(&member_id, "13922220001")).await;
    let (_, first_newcomer) =
        app.join("/j/340122T", &form(&id_number("340122", "19900101", 4), "13922220003")).await;
    assert!(first_probe.contains("申请已提交") && first_newcomer.contains("入会成功"));

    // A prober proves their own mobile with their own ID: a member at once.
    let mobile = "13922220002";
    let (_, own) = app.join("/j/340122T", &form(&id_number("340122", "19900101", 2), mobile)).await;
    assert!(own.contains("入会成功"), "{}", main_of(&own));
    // From then on, with that mobile, a member's ID and a stranger's answer alike.
    let stranger = id_number("340122", "19900101", 3);
    let (s1, probe) = app.join("/j/340122T", &form(&member_id, mobile)).await;
    let (s2, baseline) = app.join("/j/340122T", &form(&stranger, mobile)).await;
    assert_eq!((s1, main_of(&probe)), (s2, main_of(&baseline)), "a member's ID answers like anyone's");
    assert!(baseline.contains("申请已提交"), "{}", main_of(&baseline));
    // Nobody was enrolled under the prober's mobile but the prober.
    assert_eq!(members_with(&app, mobile).await, 1);

    // /status shows the prober what they made with their mobile, nothing of the member's.
    app.advance(61_000);
    app.post("/status", &[("mobile", mobile), ("action", "send_code")]).await;
    let code = app.sms_code(mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200);
    assert_eq!(main_of(&page).matches("/card/").count(), 1, "the prober's own card only");
    assert!(!page.contains("芜湖"), "nothing of the member's union: {}", main_of(&page));
});

both_databases!(an_attested_mobile_answers_for_its_first_identity_only, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (member_id, member_mobile) = identity(1);
    assert_eq!(app.api_apply(&platform.key, &application(&member_id, &member_mobile)).await.status, 201);

    let (own_id, mobile) = identity(2);
    let own = app.api_apply(&platform.key, &application(&own_id, &mobile)).await;
    assert_eq!(own.body["status"], "approved", "{}", own.text);
    let (stranger, _) = identity(3);
    let probe = app.api_apply(&platform.key, &application(&member_id, &mobile)).await;
    let baseline = app.api_apply(&platform.key, &application(&stranger, &mobile)).await;
    let external_ref = |answer: &Answer| answer.body.get("external_ref").cloned();
    assert_eq!((external_ref(&probe), external_ref(&baseline)), (None, None));
    assert_eq!(without_id(&probe), without_id(&baseline), "{} / {}", probe.text, baseline.text);
    assert_eq!(baseline.body["status"], "pending_review");
    assert_eq!(members_with(&app, &mobile).await, 1);
});

both_databases!(a_platform_learns_only_about_applications_it_submitted, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (a, b) = (app.platform("huolala").await, app.platform("meituan").await);
    let unverified = |id: &str, mobile: &str| {
        let mut body = application(id, mobile);
        body["mobile_verified"] = json!(false);
        body
    };
    // A submits a worker; the application waits for review.
    let (id, mobile) = identity(4);
    let first = app.api_apply(&a.key, &unverified(&id, &mobile)).await;
    assert_eq!(first.body["status"], "pending_review", "{}", first.text);
    let first_id = first.body["application_id"].as_i64().unwrap();

    // B submits the same worker: its own application, answered as a newcomer's.
    let (_, b_mobile) = identity(5);
    let second = app.api_apply(&b.key, &unverified(&id, &b_mobile)).await;
    assert_eq!(second.status, 201, "{}", second.text);
    let second_id = second.body["application_id"].as_i64().unwrap();
    assert_ne!(second_id, first_id, "B never sees A's application");
    let (fresh, fresh_mobile) = identity(6);
    let baseline = app.api_apply(&b.key, &unverified(&fresh, &fresh_mobile)).await;
    assert_eq!(without_id(&second), without_id(&baseline));
    let read = app.api_get(&format!("/api/v1/applications/{second_id}"), &b.key).await;
    assert_eq!(read.status, 200, "B reads what it was given: {}", read.text);
    assert_eq!(read.body["receiving_org"], second.body["receiving_org"]);

    // A submitting again (another work region this time) gets its own application back,
    // as stored: the receiving union is the one that reviews it.
    let mut again = unverified(&id, &mobile);
    again["region_code"] = json!("340202");
    again["external_ref"] = json!("retry");
    let again = app.api_apply(&a.key, &again).await;
    assert_eq!(again.body["application_id"], first_id, "{}", again.text);
    assert_eq!(again.body["receiving_org"], first.body["receiving_org"]);
    let stored = app.store().application(first_id).await.unwrap().unwrap();
    assert_eq!(again.body["receiving_org"]["id"], stored.receiving_org_id);
});

both_databases!(a_second_mobile_learns_nothing_of_an_open_application, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    let id = id_number("340122", "19850505", 7);
    let (_, first) = app.join("/j/340122T", &form(&id, "13933330001")).await;
    assert!(first.contains("2026-12-03"), "due in 3 days: {}", main_of(&first));

    // Two days later another mobile submits the same ID: a newcomer's answer, with a
    // deadline of its own.
    app.advance(2 * 86_400_000);
    let (s1, probe) = app.join("/j/340122T", &form(&id, "13933330002")).await;
    let fresh = id_number("340122", "19850505", 8);
    let (s2, baseline) = app.join("/j/340122T", &form(&fresh, "13933330003")).await;
    assert_eq!(
        (s1, main_of(&probe)),
        (s2, main_of(&baseline)),
        "an open application is no one else's business"
    );
    assert!(baseline.contains("2026-12-05"), "{}", main_of(&baseline));

    // The first mobile's owner is shown their own application as it stands.
    let (_, own) = app.join("/j/340122T", &form(&id, "13933330001")).await;
    assert!(own.contains("2026-12-03"), "{}", main_of(&own));
});

both_databases!(with_a_real_name_check_a_strangers_id_never_joins_at_once, |db: TestDb| async move {
    let (member_id, own_id) = (id_number("340122", "19800101", 11), id_number("340122", "19900101", 12));
    let app =
        with_register(db, &[("王晓明", &member_id, "13911110011"), ("王晓明", &own_id, "13922220012")]).await;
    let (_, joined) = app.join("/j/340122T", &form(&member_id, "13911110011")).await;
    assert!(joined.contains("入会成功"), "{}", main_of(&joined));

    // Fresh mobiles, never used before: a member's ID and a stranger's wait alike.
    let stranger = id_number("340122", "19900101", 13);
    let (s1, probe) = app.join("/j/340122T", &form(&member_id, "13944440001")).await;
    let (s2, baseline) = app.join("/j/340122T", &form(&stranger, "13944440002")).await;
    assert_eq!((s1, main_of(&probe)), (s2, main_of(&baseline)), "a member's ID answers like anyone's");
    assert!(baseline.contains("申请已提交"), "{}", main_of(&baseline));
    assert_eq!(members_with(&app, "13944440002").await, 0, "no stranger is enrolled under a prober's mobile");
    // Whoever's name, ID number and mobile belong together joins at once.
    let (_, own) = app.join("/j/340122T", &form(&own_id, "13922220012")).await;
    assert!(own.contains("入会成功"), "{}", main_of(&own));

    // The officer sees why the stranger's application waits, and must decide it alone.
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13944440002").to_hex();
    let waiting = app.store().applications_by_mobile(&bidx).await.unwrap().remove(0).id;
    let officer = app.officer("feidong_trucks", Some("340122T"), Role::Reviewer).await;
    let (_, queue) = officer.get("/console/applications").await;
    assert!(queue.contains("实名核验未通过") && queue.contains("已有会籍"), "{}", main_of(&queue));
    let (_, detail) = officer.get(&format!("/console/applications/{waiting}")).await;
    assert!(detail.contains("运营商实名核验") && detail.contains("不一致"), "{}", main_of(&detail));
    let (status, _) = officer
        .post("/console/applications/batch-approve", &[("ids", &waiting.to_string()), ("confirm", "yes")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(app.store().application(waiting).await.unwrap().unwrap().status.code(), "pending_review");
});

both_databases!(with_a_real_name_check_attested_mobiles_are_checked_too, |db: TestDb| async move {
    let ((member_id, member_mobile), (own_id, own_mobile)) = (identity(21), identity(22));
    let app =
        with_register(db, &[("王晓明", &member_id, &member_mobile), ("王晓明", &own_id, &own_mobile)]).await;
    let platform = app.platform("huolala").await;
    let joined = app.api_apply(&platform.key, &application(&member_id, &member_mobile)).await;
    assert_eq!(joined.body["status"], "approved", "{}", joined.text);

    // A platform vouching for mobiles it made up learns nothing and enrols no one.
    let (stranger, _) = identity(23);
    let probe = app.api_apply(&platform.key, &application(&member_id, "13955550001")).await;
    let baseline = app.api_apply(&platform.key, &application(&stranger, "13955550002")).await;
    assert_eq!(without_id(&probe), without_id(&baseline), "{} / {}", probe.text, baseline.text);
    assert_eq!(baseline.body["status"], "pending_review");
    assert_eq!(members_with(&app, "13955550002").await, 0);
    let own = app.api_apply(&platform.key, &application(&own_id, &own_mobile)).await;
    assert_eq!(own.body["status"], "approved", "{}", own.text);
});
