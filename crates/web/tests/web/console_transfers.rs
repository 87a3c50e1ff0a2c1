//! Transfers (接转): started by an officer or by the member on /status, decided by the
//! receiving side only, seniority kept.

use huiji_core::{AutoApproval, Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{MembershipRecord, both_databases};

use super::console_pool::post_for_location;
use super::support::{TestApp, form, id_number, main_of, with};

/// A truck driver of 肥东县 joined through 肥东县货车司机工会联合会's code.
async fn feidong_member(app: &TestApp, seq: u32) -> (MembershipRecord, String, String) {
    let id = id_number("340122", "19850505", seq);
    let mobile = format!("1365555{seq:04}");
    let (status, body) = app.join("/j/340122T", &form(&id, &mobile)).await;
    assert!(body.contains("入会成功"), "{status}: {}", main_of(&body));
    let bidx = app.state.keyring.blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    let membership = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    (membership, id, mobile)
}

async fn org(app: &TestApp, code: &str) -> Org {
    app.store().org_by_join_code(code).await.unwrap().unwrap()
}

/// The id of the newest transfer of a membership.
async fn transfer_of(app: &TestApp, membership: &MembershipRecord) -> i64 {
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let transfers = app.store().transfers(&root.path, 100).await.unwrap();
    transfers.iter().find(|t| t.membership_id == membership.id).unwrap().id
}

/// The section of the transfers page between two headings.
fn section<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let start = page.find(from).unwrap();
    let end = page[start..].find(to).map_or(page.len(), |e| start + e);
    &page[start..end]
}

fn incoming(page: &str) -> &str {
    section(page, "转入本会", "从本会转出")
}

fn outgoing(page: &str) -> &str {
    section(page, "从本会转出", "</main>")
}

both_databases!(an_officer_transfer_is_decided_by_the_receiving_side, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, id, _) = feidong_member(&app, 1).await;
    let (feidong_trucks, wuhu_trucks) = (org(&app, "340122T").await, org(&app, "3402T").await);
    assert_eq!(membership.home_org_id, feidong_trucks.id.0);
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let to = wuhu_trucks.id.0.to_string();
    let number = membership.member_number.clone().unwrap();

    // 芜湖 starts it by member number, into its own union.
    let (status, location) = post_for_location(
        &wuhu,
        "/console/transfers",
        &[("member", &number), ("to", &to), ("reason", "搬到芜湖跑车")],
    )
    .await;
    assert_eq!(status, 303);
    assert!(wuhu.get(&location).await.1.contains("已发起接转"));
    let transfer = transfer_of(&app, &membership).await;

    // A second open request is refused.
    let (status, page) = wuhu.post("/console/transfers", &[("member", &number), ("to", &to)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("该会员已有待处理的接转"), "{}", main_of(&page));

    // 肥东县 sees it going out, with no buttons, and cannot decide it.
    let (_, page) = feidong.get("/console/transfers").await;
    let out = outgoing(&page);
    assert!(out.contains("王*") && out.contains(&wuhu_trucks.name) && out.contains("待处理"), "{out}");
    assert!(out.contains("<td>wh</td>") && out.contains("搬到芜湖跑车"));
    assert!(!page.contains(&format!("/console/transfers/{transfer}/accept")));
    assert_eq!(feidong.post(&format!("/console/transfers/{transfer}/accept"), &[]).await.0, 404);
    assert_eq!(feidong.post(&format!("/console/transfers/{transfer}/reject"), &[]).await.0, 404);

    // 芜湖 sees it coming in and accepts.
    let (_, page) = wuhu.get("/console/transfers").await;
    assert!(incoming(&page).contains(&format!("/console/transfers/{transfer}/accept")), "{}", main_of(&page));
    let (status, location) =
        post_for_location(&wuhu, &format!("/console/transfers/{transfer}/accept"), &[]).await;
    assert_eq!(status, 303);
    assert!(wuhu.get(&location).await.1.contains("已接收该会员的会籍"));
    let moved = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.joined_at), (wuhu_trucks.id.0, membership.joined_at));
    let events = app.store().membership_events(membership.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.as_str(), last.actor.as_str()), ("transferred", "user:wh"));
    assert_eq!((last.from_org_id, last.to_org_id), (Some(feidong_trucks.id.0), Some(wuhu_trucks.id.0)));
    // Deciding twice changes nothing.
    let (_, location) = post_for_location(&wuhu, &format!("/console/transfers/{transfer}/reject"), &[]).await;
    assert!(wuhu.get(&location).await.1.contains("该接转已处理"));

    // The outgoing side sees the new status.
    let (_, page) = feidong.get("/console/transfers").await;
    assert!(outgoing(&page).contains("已接收"), "{}", main_of(&page));

    // The member is in 3402T now: another transfer there is pointless.
    let (status, page) = wuhu.post("/console/transfers", &[("member", &number), ("to", &to)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("该会员已在此工会"));

    // The full ID number finds the member too (typed in lower case with spaces), and a
    // union outside the officer's subtree is a 404.
    let typed = format!(" {} ", id.to_lowercase());
    let back = feidong_trucks.id.0.to_string();
    assert_eq!(wuhu.post("/console/transfers", &[("member", &typed), ("to", &back)]).await.0, 404);
    let root = app.officer("ah", None, Role::Admin).await;
    let (status, _) =
        post_for_location(&root, "/console/transfers", &[("member", &typed), ("to_id", &back)]).await;
    assert_eq!(status, 303);
    let (_, page) = wuhu.get("/console/transfers").await;
    assert!(outgoing(&page).contains(&feidong_trucks.name), "{}", main_of(&page));
});

both_databases!(unknown_people_and_non_members_look_alike, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // A person who applied (pending review) but is not a member.
    let hefei_trucks = org(&app, "3401T").await;
    app.store().set_review_policy(hefei_trucks.id, AutoApproval::Off, 3).await.unwrap();
    let applicant = id_number("340104", "19880808", 7);
    let fields = with(with(form(&applicant, "13655550007"), "city", "3401"), "region_code", "340104");
    let (_, body) = app.join("/j/3401T", &fields).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));
    let stranger = id_number("340104", "19880808", 9);

    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let to = org(&app, "3402T").await.id.0.to_string();
    let mut answers = Vec::new();
    for typed in [applicant.as_str(), stranger.as_str(), "3426000000000", "not a number"] {
        let (status, page) = wuhu.post("/console/transfers", &[("member", typed), ("to", &to)]).await;
        assert_eq!(status, 422);
        assert!(page.contains("未找到可接转的会籍"), "{}", main_of(&page));
        answers.push(main_of(&page).to_owned());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "the same page whoever was typed");
});

both_databases!(viewers_cannot_start_or_decide_transfers, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = feidong_member(&app, 2).await;
    let to = org(&app, "3402T").await.id.0.to_string();
    let number = membership.member_number.clone().unwrap();
    let viewer = app.officer("whv", Some("3402T"), Role::Viewer).await;
    let (status, page) = viewer.get("/console/transfers").await;
    assert_eq!(status, 200);
    assert!(!page.contains("name=\"member\""), "no form for viewers");
    assert_eq!(viewer.post("/console/transfers", &[("member", &number), ("to", &to)]).await.0, 403);
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let (status, _) =
        post_for_location(&wuhu, "/console/transfers", &[("member", &number), ("to", &to)]).await;
    assert_eq!(status, 303);
    let transfer = transfer_of(&app, &membership).await;
    let (_, page) = viewer.get("/console/transfers").await;
    assert!(incoming(&page).contains("王*") && !page.contains("/accept\""));
    assert_eq!(viewer.post(&format!("/console/transfers/{transfer}/accept"), &[]).await.0, 403);
    assert_eq!(app.store().transfer(transfer).await.unwrap().unwrap().status, "requested");
});

/// The transfer token on a /status result page.
fn token_of(page: &str) -> String {
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).expect("a transfer form") + marker.len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

both_databases!(a_member_requests_a_transfer_after_sms_verification, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, mobile) = feidong_member(&app, 3).await;
    let wuhu_trucks = org(&app, "3402T").await;
    app.advance(61_000);
    let (status, _) = app.post("/status", &[("mobile", &mobile), ("action", "send_code")]).await;
    assert_eq!(status, 200);
    let code = app.sms_code(&mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", &mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("申请转移会籍"), "{}", main_of(&page));
    let token = token_of(&page);
    assert!(token.starts_with(&format!("{}.", membership.id)));

    // An unknown code, and a code of a union that is not theirs to receive, keep the form.
    let (status, page) =
        app.post("/status/transfer", &[("token", &token), ("join_code", "9999X"), ("reason", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("没有找到使用这个入会码的工会") && token_of(&page) == token, "{}", main_of(&page));
    let (status, page) = app.post("/status/transfer", &[("token", &token), ("join_code", "340122T")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("您的会籍已在这个工会"));

    // A tampered token is refused.
    let mut forged = token.clone();
    let last = if forged.ends_with('0') { '1' } else { '0' };
    forged.pop();
    forged.push(last);
    let (status, page) = app.post("/status/transfer", &[("token", &forged), ("join_code", "3402T")]).await;
    assert_eq!(status, 403);
    assert!(page.contains("验证已过期") && !page.contains("name=\"token\""));
    let other = format!("{}{}", membership.id + 1, &token[membership.id.to_string().len()..]);
    assert_eq!(app.post("/status/transfer", &[("token", &other), ("join_code", "3402T")]).await.0, 403);

    // The real one works, once.
    let (status, page) = app
        .post("/status/transfer", &[("token", &token), ("join_code", "3402t"), ("reason", "换城市了")])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("转移申请已提交") && page.contains(&wuhu_trucks.name), "{}", main_of(&page));
    let (status, page) = app.post("/status/transfer", &[("token", &token), ("join_code", "3402T")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("您已有一个待处理的转移申请"));

    // 芜湖 sees a request by the member.
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let (_, page) = wuhu.get("/console/transfers").await;
    let inbox = incoming(&page);
    assert!(inbox.contains("会员本人（member）") && inbox.contains("换城市了"), "{inbox}");
    let transfer = app.store().transfer(transfer_of(&app, &membership).await).await.unwrap().unwrap();
    assert_eq!((transfer.requested_by.as_str(), transfer.to_org_id), ("member", wuhu_trucks.id.0));

    // Fifteen minutes later the proof has expired.
    app.advance(16 * 60 * 1000);
    let (status, _) = app.post("/status/transfer", &[("token", &token), ("join_code", "3402T")]).await;
    assert_eq!(status, 403);
});
