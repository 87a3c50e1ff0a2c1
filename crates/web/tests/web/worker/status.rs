//! Transfers and the member, on `/status` after an SMS check: they ask to move their
//! membership (the receiving union decides), and they agree to or refuse a union's
//! request to take it over, which reaches them by SMS with a link to `/status`.

use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::console::pool::post_for_location;
use crate::console::transfers::{county_member, incoming, newest_into, org, row};
use crate::support::{TestApp, main_of};

/// The transfer token on a /status result page.
fn token_of(page: &str) -> String {
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).expect("a transfer form") + marker.len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

/// The member's /status page after an SMS check.
async fn status_page(app: &TestApp, mobile: &str) -> String {
    app.advance(61_000);
    let (status, _) = app.post("/status", &[("mobile", mobile), ("action", "send_code")]).await;
    assert_eq!(status, 200);
    let code = app.sms_code(mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    page
}

/// Waits for an outbox message to `mobile` containing `text` (it is sent after the
/// officer's answer, so the answer's timing says nothing about whom it reached).
async fn sms_containing(app: &TestApp, mobile: &str, text: &str) -> String {
    let masked = format!("{}****{}", &mobile[..3], &mobile[7..]);
    for _ in 0..100 {
        let outbox = app.store().sms_outbox(1000).await.unwrap();
        if let Some(message) = outbox.iter().find(|m| m.mobile_masked == masked && m.body.contains(text)) {
            return message.body.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no SMS to {masked} containing {text}");
}

both_databases!(a_member_requests_a_transfer_after_sms_verification, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, mobile) = county_member(&app, "340122", 3).await;
    let wuhu_trucks = org(&app, "3402T").await;
    let page = status_page(&app, &mobile).await;
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

    // A reason over 200 characters is refused, not cut, keeping the form (the officers'
    // rule: huiji_core::transfer::reason).
    let long = "字".repeat(201);
    let (status, page) =
        app.post("/status/transfer", &[("token", &token), ("join_code", "3402T"), ("reason", &long)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("转移原因不超过200字") && token_of(&page) == token, "{}", main_of(&page));

    // The real one works, once.
    let (status, page) = app
        .post("/status/transfer", &[("token", &token), ("join_code", "3402t"), ("reason", "换城市了")])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("转移申请已提交") && page.contains(&wuhu_trucks.name), "{}", main_of(&page));
    let (status, page) = app.post("/status/transfer", &[("token", &token), ("join_code", "3402T")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("您已有一个待处理的转移申请"));

    // 芜湖 sees a request by the member, with where it comes from, and accepts it.
    let transfer = newest_into(&app, &wuhu_trucks).await;
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let (_, page) = wuhu.get("/console/transfers").await;
    let theirs = row(incoming(&page), transfer);
    assert!(theirs.contains("会员本人（member）") && theirs.contains("换城市了"), "{theirs}");
    assert!(theirs.contains("肥东县货车司机工会联合会") && theirs.contains("待接收"), "{theirs}");
    let stored = app.store().transfer(transfer).await.unwrap().unwrap();
    assert_eq!((stored.requested_by.as_str(), stored.to_org_id), ("member", wuhu_trucks.id.0));
    let (status, location) =
        post_for_location(&wuhu, &format!("/console/transfers/{transfer}/accept"), &[]).await;
    assert_eq!(status, 303);
    assert!(wuhu.get(&location).await.1.contains("已接收该会员的会籍"));
    let moved = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.joined_at), (wuhu_trucks.id.0, membership.joined_at));

    // Fifteen minutes later the proof has expired.
    app.advance(16 * 60 * 1000);
    let (status, _) = app.post("/status/transfer", &[("token", &token), ("join_code", "3401T")]).await;
    assert_eq!(status, 403);
});

both_databases!(the_member_answers_a_unions_request_from_an_sms_link, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, mobile) = county_member(&app, "340122", 8).await;
    let (feidong_trucks, wuhu_trucks) = (org(&app, "340122T").await, org(&app, "3402T").await);
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let number = membership.member_number.clone().unwrap();
    let to = wuhu_trucks.id.0.to_string();
    let fields =
        [("member", number.as_str()), ("name", "王晓明"), ("to", to.as_str()), ("reason", "在芜湖上班")];

    // The first request: the member hears of it by SMS, and refuses it on /status.
    assert_eq!(post_for_location(&wuhu, "/console/transfers", &fields).await.0, 303);
    let first = newest_into(&app, &wuhu_trucks).await;
    let sms = sms_containing(&app, &mobile, &wuhu_trucks.name).await;
    assert!(sms.contains(&format!("{}/status", app.base)), "{sms}");
    // Asking again while the first waits tells the member no second time.
    assert_eq!(post_for_location(&wuhu, "/console/transfers", &fields).await.0, 303);
    let duplicate = newest_into(&app, &wuhu_trucks).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let outbox = app.store().sms_outbox(1000).await.unwrap();
    assert_eq!(outbox.iter().filter(|m| m.body.contains(&wuhu_trucks.name)).count(), 1);
    let withdraw = format!("/console/transfers/{duplicate}/cancel");
    assert_eq!(post_for_location(&wuhu, &withdraw, &[]).await.0, 303);
    let page = status_page(&app, &mobile).await;
    let request = section_of(&page, "待您同意的接转");
    assert!(request.contains(&wuhu_trucks.name) && request.contains("在芜湖上班"), "{}", main_of(&page));
    let token = token_of(request);
    let answer = |answer: &'static str, transfer: i64, token: String| {
        let app = &app;
        async move {
            let transfer = transfer.to_string();
            app.post(
                "/status/transfer/answer",
                &[("token", &token), ("transfer", &transfer), ("answer", answer)],
            )
            .await
        }
    };
    // The token stands for this membership only, and must be genuine.
    let forged = format!("{}{}", membership.id + 1, &token[membership.id.to_string().len()..]);
    assert_eq!(answer("agree", first, forged).await.0, 403);
    let (status, page) = answer("refuse", first, token.clone()).await;
    assert_eq!(status, 200);
    assert!(page.contains("您已拒绝"), "{}", main_of(&page));
    assert_eq!(app.store().transfer(first).await.unwrap().unwrap().status.code(), "refused");
    let (status, _) = answer("agree", first, token.clone()).await;
    assert_eq!(status, 409, "answered once");
    let (_, page) = wuhu.get("/console/transfers").await;
    assert!(row(incoming(&page), first).contains("转出方不同意"));

    // The second: the member agrees, and the membership moves at once.
    assert_eq!(post_for_location(&wuhu, "/console/transfers", &fields).await.0, 303);
    let second = newest_into(&app, &wuhu_trucks).await;
    let page = status_page(&app, &mobile).await;
    let token = token_of(section_of(&page, "待您同意的接转"));
    let (status, page) = answer("agree", second, token).await;
    assert_eq!(status, 200);
    assert!(page.contains("会籍已转入") && page.contains(&wuhu_trucks.name), "{}", main_of(&page));
    let moved = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.joined_at), (wuhu_trucks.id.0, membership.joined_at));
    let events = app.store().membership_events(membership.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.code(), last.actor.as_str()), ("transferred", "member"));
    assert_eq!((last.from_org_id, last.to_org_id), (Some(feidong_trucks.id.0), Some(wuhu_trucks.id.0)));
    let page = status_page(&app, &mobile).await;
    assert!(!page.contains("待您同意的接转"), "nothing left to answer");
});

/// The part of a page from a heading on.
fn section_of<'a>(page: &'a str, heading: &str) -> &'a str {
    let start = page.find(heading).unwrap_or_else(|| panic!("no {heading}: {}", main_of(page)));
    &page[start..]
}
