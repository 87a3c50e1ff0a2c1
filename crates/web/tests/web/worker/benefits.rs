//! A member's benefits on the phone, on both databases: an on-approval gift granted with
//! the membership shows on `/status` and the card with its hotline; a claim programme
//! offers a claim button after the SMS check, the claim goes through once, a second is
//! refused with the reason, and a rule that keeps a member out is named.

use huiji_app::actor::Actor;
use huiji_app::benefits;
use huiji_core::OrgId;
use huiji_core::benefit::ProgrammeFields;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::console::transfers::county_member;
use crate::support::{TestApp, main_of};

async fn programme(app: &TestApp, name: &str, mode: &str, sex: &str) -> i64 {
    let fields = ProgrammeFields {
        kind: "insurance_gift",
        name,
        provider: "中国人寿",
        hotline: "95519",
        mode,
        quota: "100",
        sex,
        ..ProgrammeFields::default()
    };
    benefits::create(&app.state.app, &Actor::Operator, OrgId(1), &fields, &[]).await.unwrap().0
}

fn token_of(page: &str) -> String {
    let marker = "action=\"/status/benefit\" class=\"join\">\n<input type=\"hidden\" name=\"token\" value=\"";
    let start = page.find(marker).expect("a claim form") + marker.len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

both_databases!(members_see_and_claim_their_benefits, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    programme(&app, "赠送意外险", "on_approval", "").await;
    let claim = programme(&app, "住院医疗保险", "claim", "").await;
    let women = programme(&app, "两癌筛查", "claim", "female").await;
    let (member, _, mobile) = county_member(&app, "340122", 41).await;
    app.advance(61_000);
    let (status, _) = app.post("/status", &[("mobile", &mobile), ("action", "send_code")]).await;
    assert_eq!(status, 200);
    let code = app.sms_code(&mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", &mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains("赠送意外险") && main.contains("tel:95519"), "{main}");
    assert!(main.contains("住院医疗保险") && main.contains("仅限女性会员"), "{main}");
    assert!(page.len() < 30_000, "worker pages stay under 30 KB: {}", page.len());
    let token = token_of(&page);

    let claimed = app.post("/status/benefit", &[("token", &token), ("programme", &claim.to_string())]).await;
    assert_eq!(claimed.0, 200, "{}", main_of(&claimed.1));
    assert!(claimed.1.contains("领取成功") && claimed.1.contains("住院医疗保险"));
    let again = app.post("/status/benefit", &[("token", &token), ("programme", &claim.to_string())]).await;
    assert_eq!(again.0, 409);
    assert!(again.1.contains("您已领取过该项目"), "{}", main_of(&again.1));
    let refused = app.post("/status/benefit", &[("token", &token), ("programme", &women.to_string())]).await;
    assert_eq!(refused.0, 422);
    assert!(refused.1.contains("不符合领取条件：仅限女性会员"), "{}", main_of(&refused.1));
    let forged =
        app.post("/status/benefit", &[("token", "1.forged"), ("programme", &claim.to_string())]).await;
    assert_eq!(forged.0, 403);

    // The card shows both grants, without claim forms.
    let card_token =
        huiji_app::joining::card_token(app.state.app.keys(), member.member_number.as_deref().unwrap());
    let (status, _, card) = app.get(&format!("/card/{card_token}")).await;
    assert_eq!(status, 200);
    let main = main_of(&card);
    assert!(
        main.contains("赠送意外险") && main.contains("住院医疗保险") && !main.contains("/status/benefit"),
        "{main}"
    );
    // The claim's SMS went out with the hotline.
    let outbox = app.store().sms_outbox(50).await.unwrap();
    assert!(outbox.iter().any(|m| m.body.contains("住院医疗保险") && m.body.contains("95519")));
});
