//! `/legal` and the worker's side of a case on `/status`, on both databases: the form
//! with its SMS code and field errors, the case routed to the work region's federation,
//! its progress on `/status` after an officer acts, the one rating once it closed, and the
//! worker's withdrawal of an open case.

use huiji_core::Role;
use huiji_core::case::{CaseId, CaseStatus};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, main_of};

pub(crate) const MOBILE: &str = "13912340001";

/// A complete `/legal` form for a courier working in 肥东县.
pub(crate) fn legal_form(mobile: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("category", "wage_arrears"),
        ("party", "某快递网点"),
        ("amount", "6800"),
        ("province", "34"),
        ("city", "3401"),
        ("region_code", "340122"),
        ("description", "两个月工资没有发，站点负责人不接电话。"),
        ("mobile", mobile),
    ]
}

/// Sends the code and files the form; the response.
pub(crate) async fn file_case(app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    app.join("/legal", fields).await
}

/// The case number on the filed page.
pub(crate) fn case_number(page: &str) -> CaseId {
    let marker = "id=\"case-number\">";
    let start = page.find(marker).expect("a case number") + marker.len();
    CaseId(page[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap())
}

/// The worker's /status page after an SMS check.
pub(crate) async fn status_page(app: &TestApp, mobile: &str) -> String {
    app.advance(61_000);
    let (status, _) = app.post("/status", &[("mobile", mobile), ("action", "send_code")]).await;
    assert_eq!(status, 200);
    let code = app.sms_code(mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    page
}

fn rating_token(page: &str) -> Option<String> {
    let form = page.find("action=\"/status/rate")?;
    let marker = "name=\"token\" value=\"";
    let start = page[form..].find(marker)? + form + marker.len();
    Some(page[start..].chars().take_while(|c| *c != '"').collect())
}

both_databases!(a_worker_files_a_case_and_follows_it_on_status, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, _, page) = app.get("/legal").await;
    assert_eq!(status, 200);
    assert!(page.contains("法律援助") && page.contains("12351") && page.contains("name=\"sms_code\""));
    for category in ["欠薪", "工伤", "劳动关系/合同", "平台规则与算法", "交通事故", "保险", "其他"]
    {
        assert!(page.contains(category), "{category}");
    }
    let css = app.get("/static/site.css").await.2.len();
    assert!(page.len() + css < 30 * 1024, "worker pages stay small: {}", page.len() + css);
    let (_, _, english) = app.get("/legal?lang=en").await;
    assert!(english.contains("Legal aid") && english.contains("Wage arrears"));
    for home in ["/", "/status"] {
        assert!(app.get(home).await.2.contains("href=\"/legal\""), "{home} links to /legal");
    }

    // Every bad field is named; a wrong code keeps the form.
    let mut bad = legal_form(MOBILE);
    bad[0] = ("category", "fraud");
    bad[6] = ("description", "");
    let (status, page) = file_case(&app, &bad).await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择求助类别") && page.contains("请描述遇到的问题"), "{}", main_of(&page));
    // The code sent for the refused filing is still good: type another one.
    let sent = app.sms_code(MOBILE).await;
    let wrong = if sent == "111111" { "222222" } else { "111111" };
    let mut wrong_code = legal_form(MOBILE);
    wrong_code.extend([("sms_code", wrong), ("action", "submit")]);
    let (status, page) = app.post("/legal", &wrong_code).await;
    assert_eq!(status, 422, "{}", main_of(&page));
    assert!(page.contains("验证码不正确") && page.contains("某快递网点"), "{}", main_of(&page));

    let (status, page) = file_case(&app, &legal_form(MOBILE)).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("求助已提交") && page.contains("肥东县总工会"));
    let id = case_number(&page);
    let case = app.store().case(id).await.unwrap().unwrap();
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    assert_eq!((case.org, case.status), (feidong.id, CaseStatus::Submitted));

    // On /status, after the SMS proof: the case, submitted.
    let page = status_page(&app, MOBILE).await;
    assert!(page.contains(&format!("id=\"case-{id}\"")) && page.contains("已提交"), "{}", main_of(&page));
    assert!(page.contains("欠薪") && page.contains("肥东县总工会") && rating_token(&page).is_none());

    // An officer of 肥东 accepts, mediates and closes it with a recovery.
    let officer = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    let path = format!("/console/cases/{id}");
    for fields in [
        vec![("action", "accept")],
        vec![("action", "step"), ("step", "mediation"), ("note", "约定周三调解")],
        vec![("action", "close"), ("outcome", "recovered"), ("amount", "6800"), ("note", "已全额追回")],
    ] {
        let (status, page) = officer.post(&path, &fields).await;
        assert_eq!(status, 303, "{fields:?}: {}", main_of(&page));
    }

    let page = status_page(&app, MOBILE).await;
    assert!(
        page.contains("已办结") && page.contains("调解") && page.contains("追回款项 ¥6800.00"),
        "{}",
        main_of(&page)
    );
    assert!(!page.contains("约定周三调解"), "officers' notes stay in the console");
    let token = rating_token(&page).expect("a closed case can be rated");
    let (status, page) = app.post("/status/rate", &[("token", &token), ("stars", "9")]).await;
    assert_eq!(status, 422, "{}", main_of(&page));
    let (status, page) = app.post("/status/rate", &[("token", &token), ("stars", "4")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("感谢您的评价"));
    let (status, page) = app.post("/status/rate", &[("token", &token), ("stars", "1")]).await;
    assert_eq!(status, 422, "rated once: {}", main_of(&page));
    assert_eq!(app.store().case(id).await.unwrap().unwrap().rating.map(|r| r.stars()), Some(4));
    let page = status_page(&app, MOBILE).await;
    assert!(page.contains("4/5") && rating_token(&page).is_none());
    // Another mobile sees nothing of it.
    let other = status_page(&app, "13912340002").await;
    assert!(!other.contains(&format!("id=\"case-{id}\"")));
});

fn withdraw_token(page: &str) -> Option<String> {
    let form = page.find("action=\"/status/withdraw")?;
    let marker = "name=\"token\" value=\"";
    let start = page[form..].find(marker)? + form + marker.len();
    Some(page[start..].chars().take_while(|c| *c != '"').collect())
}

both_databases!(a_worker_withdraws_an_open_case_and_the_history_says_who_acted, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, page) = file_case(&app, &legal_form(MOBILE)).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let id = case_number(&page);
    // An officer with a name on file accepts it.
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let user = huiji_store::NewUser {
        username: "fd-li".to_owned(),
        org: feidong.id,
        role: Role::Reviewer,
        password_hash: huiji_app::accounts::passwords::hash(
            crate::support::console::PASSWORD,
            &huiji_app::ports::OsRandomness,
        )
        .unwrap(),
        can_reveal: false,
    };
    let profile = huiji_store::OfficerProfile {
        full_name: "李建国".to_owned(),
        mobile_ct: Vec::new(),
        mobile_bidx: String::new(),
    };
    app.store().create_officer(&user, &profile, huiji_core::Timestamp(0)).await.unwrap();
    // A new account chooses its own password first.
    let http = app.browser();
    let login = app.login_token(&http).await;
    let password = crate::support::console::PASSWORD;
    assert_eq!(app.post_login(&http, &login, "fd-li", password).await.status().as_u16(), 303);
    let first = crate::support::console::Console { base: app.base.clone(), http, csrf: String::new() };
    let csrf = crate::support::console::csrf_of(&first.get("/console/password").await.1);
    let own = "a long password of his own";
    let fields = [("current", password), ("new", own), ("repeat", own), ("csrf", csrf.as_str())];
    assert_eq!(first.post_raw("/console/password", &fields).await.0, 303);
    let officer = app.login("fd-li", own).await.unwrap();
    let path = format!("/console/cases/{id}");
    assert_eq!(officer.post(&path, &[("action", "accept")]).await.0, 303);

    // The open case offers a withdrawal on /status; a forged token is refused.
    let page = status_page(&app, MOBILE).await;
    let token = withdraw_token(&page).expect("an open case can be withdrawn");
    assert!(page.contains("撤回求助"), "{}", main_of(&page));
    let (status, page) = app.post("/status/withdraw", &[("token", "forged")]).await;
    assert_eq!(status, 422, "{}", main_of(&page));
    assert!(page.contains("该案件无法撤回"));
    let (status, page) = app.post("/status/withdraw", &[("token", &token)]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("求助已撤回"));
    let case = app.store().case(id).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Withdrawn);
    assert!(case.ended_at.is_some(), "its deadlines stop");
    // Once: the token of an ended case withdraws nothing, and no new one is offered.
    assert_eq!(app.post("/status/withdraw", &[("token", &token)]).await.0, 422);
    let page = status_page(&app, MOBILE).await;
    assert!(page.contains("已撤回") && withdraw_token(&page).is_none(), "{}", main_of(&page));
    // Officers can no longer act on it.
    assert_eq!(officer.post(&path, &[("action", "step"), ("step", "mediation")]).await.0, 422);

    // The console's history names who acted: the worker, the officer by name.
    let (status, page) = officer.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("<td>职工本人</td>") && page.contains("<td>李建国</td>"), "{}", main_of(&page));
    assert!(!page.contains("<td>worker</td>") && !page.contains("user:fd-li"), "{}", main_of(&page));
});

both_databases!(a_description_keeps_its_paragraphs_and_nothing_else, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // A tab is still no text the door lets through, even in a paragraph.
    let mut tabbed = legal_form(MOBILE);
    tabbed[6] = ("description", "工资\t未发");
    tabbed.push(("action", "send_code"));
    let (status, page) = app.post("/legal", &tabbed).await;
    assert_eq!(status, 422, "{}", main_of(&page));
    assert!(page.contains("description"), "{}", main_of(&page));

    // Line breaks as a browser sends them from the textarea (CR LF) are kept as lines.
    let mut form = legal_form(MOBILE);
    form[6] = ("description", "两个月工资没有发。\r\n站点负责人不接电话。");
    let (status, page) = file_case(&app, &form).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let id = case_number(&page);
    let officer = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    let (status, page) = officer.get(&format!("/console/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<p class=\"description\">两个月工资没有发。\n站点负责人不接电话。</p>"),
        "{}",
        main_of(&page)
    );
    let (_, _, form_page) = app.get("/legal").await;
    assert!(form_page.contains("<textarea name=\"description\""));
});
