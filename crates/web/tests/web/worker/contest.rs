//! The 安康杯 contest on the member's phone: signing in by SMS code or member card, one
//! question per page on the server's clock, the result with explanations, the public
//! board — each page within the worker pages' 30 KB — and no oracle at the entry.

use huiji_app::actor::Actor;
use huiji_app::contest::organise::{ContestDraft, create};
use huiji_core::OrgId;
use huiji_core::contest::{ContestId, Question, QuestionCells, parse_question};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, form, id_number, main_of};

/// A question whose key is B, with a realistic stem, options and explanation.
fn question(i: usize, category: &str) -> Question {
    let stem = format!(
        "第{i}题：货车驾驶人连续驾驶机动车超过4小时未停车休息或者停车休息时间少于20分钟的，应当如何处理？"
    );
    parse_question(&QuestionCells {
        kind: "单选题",
        stem: &stem,
        options: ["继续驾驶，到达目的地后再休息", "停车休息不少于20分钟", "换一名驾驶人后继续驾驶", "减速慢行", "", ""],
        answer: "B",
        explanation: "《道路交通安全法实施条例》第六十二条：连续驾驶机动车超过4小时应停车休息，停车休息时间不少于20分钟。",
        category,
        difficulty: "易",
    })
    .unwrap()
}

/// A bank of 30 questions at the root, and a contest of `organiser` open today with
/// `questions` questions per attempt and 10 minutes.
pub async fn contest_with(app: &TestApp, organiser: OrgId, questions: u32) -> ContestId {
    let bank: Vec<Question> =
        (0..30).map(|i| question(i, if i % 3 == 0 { "消防安全" } else { "道路交通" })).collect();
    app.store().add_questions(OrgId(1), &bank, app.state.app.now()).await.unwrap();
    let today = app.state.app.now().china_date();
    let draft = ContestDraft {
        org: organiser,
        name: "2026年安康杯安全知识网络竞赛".to_owned(),
        from: today,
        until: today.plus_days(6).unwrap(),
        questions_per_attempt: questions,
        minutes: 10,
        attempts_per_day: 2,
        quotas: None,
    };
    create(&app.state.app, &Actor::Operator, draft).await.unwrap()
}

/// A member of 肥东县货车司机工会联合会 with this mobile (joined through the form).
pub async fn member(app: &TestApp, seq: u32, mobile: &str) -> String {
    let id = id_number("340104", "19850312", seq);
    let (status, body) = app.join("/j/3401T", &form(&id, mobile)).await;
    assert_eq!(status, 200, "{}", main_of(&body));
    let start = body.find("/card/").expect("a card link") + "/card/".len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect()
}

/// A phone: its own cookie jar.
pub fn phone() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub async fn get(app: &TestApp, http: &reqwest::Client, path: &str) -> (u16, String, String) {
    let response = http.get(format!("{}{path}", app.base)).send().await.unwrap();
    let status = response.status().as_u16();
    let location =
        response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

pub async fn post(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let response = http.post(format!("{}{path}", app.base)).form(fields).send().await.unwrap();
    let status = response.status().as_u16();
    let location =
        response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// Signs a phone in with the SMS code sent to `mobile`.
pub async fn sign_in(
    app: &TestApp,
    http: &reqwest::Client,
    contest: ContestId,
    mobile: &str,
) -> (u16, String, String) {
    let enter = format!("/contest/{contest}/enter");
    app.advance(61_000);
    let (status, _, _) = post(app, http, &enter, &[("mobile", mobile), ("action", "send_code")]).await;
    assert_eq!(status, 200);
    let code = app.sms_code(mobile).await;
    post(app, http, &enter, &[("mobile", mobile), ("sms_code", &code), ("action", "verify")]).await
}

/// The form action and position on a question page.
pub fn question_form(page: &str) -> (String, String) {
    let action_at = page.find("action=\"/contest/").expect("a question form") + "action=\"".len();
    let action: String = page[action_at..].chars().take_while(|c| *c != '"').collect();
    let n_at = page.find("name=\"n\" value=\"").expect("a position") + "name=\"n\" value=\"".len();
    (action, page[n_at..].chars().take_while(|c| *c != '"').collect())
}

/// Page and stylesheet together under the worker pages' budget.
fn within_budget(css: usize, name: &str, html: &str) {
    let total = html.len() + css;
    assert!(total < 30 * 1024, "{name}: {total} bytes");
}

both_databases!(a_member_signs_in_by_sms_takes_the_contest_and_sees_the_board, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let contest = contest_with(&app, hefei.id, 5).await;
    member(&app, 31, "13912345678").await;
    let css = app.get("/static/site.css").await.2.len();
    let http = phone();

    let (status, _, intro) = get(&app, &http, &format!("/contest/{contest}")).await;
    assert_eq!(status, 200);
    assert!(intro.contains("2026年安康杯安全知识网络竞赛") && intro.contains("合肥市总工会"));
    assert!(intro.contains("name=\"mobile\"") && !intro.contains("开始答题"));
    within_budget(css, "intro", &intro);

    let (status, location, _) = sign_in(&app, &http, contest, "13912345678").await;
    assert_eq!((status, location.as_str()), (303, format!("/contest/{contest}").as_str()));
    let (_, _, intro) = get(&app, &http, &format!("/contest/{contest}")).await;
    assert!(intro.contains("王**") && !intro.contains("王晓明"), "masked");
    assert!(intro.contains("开始答题") && !intro.contains("name=\"mobile\""));

    let (status, _, mut page) = post(&app, &http, &format!("/contest/{contest}/start"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("第1/5题") && page.contains("停车休息不少于20分钟"));
    within_budget(css, "question", &page);
    let mut result_location = String::new();
    for expected in 0..5 {
        let (action, n) = question_form(&page);
        assert_eq!(n, expected.to_string());
        app.advance(3_000);
        let letter = if expected == 4 { "A" } else { "B" };
        let (status, location, next) = post(&app, &http, &action, &[("n", &n), ("a", letter)]).await;
        if expected < 4 {
            assert_eq!(status, 200, "{}", main_of(&next));
            page = next;
        } else {
            assert_eq!(status, 303);
            result_location = location;
        }
    }
    let (status, _, result) = get(&app, &http, &result_location).await;
    assert_eq!(status, 200);
    assert!(result.contains("本次得分 80") && result.contains("4/5"), "{}", main_of(&result));
    assert!(result.contains("《道路交通安全法实施条例》第六十二条"), "the explanations");
    assert!(result.contains("排名第 1名"));
    within_budget(css, "result", &result);

    let (status, _, board) = get(&app, &http, &format!("/contest/{contest}/board")).await;
    assert_eq!(status, 200);
    assert!(
        board.contains("肥东县总工会") && board.contains("王**") && board.contains("4/5"),
        "{}",
        main_of(&board)
    );
    assert!(board.contains("100.0%"), "肥东's one member took part");
    within_budget(css, "board", &board);
    let (_, _, english) = get(&app, &http, &format!("/contest/{contest}/board?lang=en")).await;
    assert!(english.contains("Leaderboards") && english.contains("By participation"));
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let (status, _, down) = get(&app, &http, &format!("/contest/{contest}/board?org={}", feidong.id)).await;
    assert_eq!(status, 200);
    assert!(down.contains("肥东县货车司机工会联合会") && down.contains("返回上级"));
    let wuhu = app.store().org_by_join_code("3402").await.unwrap().unwrap();
    assert_eq!(get(&app, &http, &format!("/contest/{contest}/board?org={}", wuhu.id)).await.0, 404);
    assert_eq!(get(&app, &http, "/contest/999999/board").await.0, 404);
});

both_databases!(stale_and_late_answers_change_nothing, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let contest = contest_with(&app, OrgId(1), 3).await;
    member(&app, 32, "13912345600").await;
    let http = phone();
    sign_in(&app, &http, contest, "13912345600").await;
    let (_, _, page) = post(&app, &http, &format!("/contest/{contest}/start"), &[]).await;
    let (action, _) = question_form(&page);
    app.advance(2_000);
    let (_, _, second) = post(&app, &http, &action, &[("n", "0"), ("a", "B")]).await;
    assert_eq!(question_form(&second).1, "1");
    // The same answer posted again (a reload): still at question 2.
    let (status, _, again) = post(&app, &http, &action, &[("n", "0"), ("a", "B")]).await;
    assert_eq!((status, question_form(&again).1.as_str()), (200, "1"));
    // Tapping start again goes back to the running attempt.
    let (_, _, resumed) = post(&app, &http, &format!("/contest/{contest}/start"), &[]).await;
    assert_eq!(question_form(&resumed), (action.clone(), "1".to_owned()));
    // Eleven minutes later the answer is late: the attempt ends with one right.
    app.advance(11 * 60_000);
    let (status, location, _) = post(&app, &http, &action, &[("n", "1"), ("a", "B")]).await;
    assert_eq!(status, 303);
    let (_, _, result) = get(&app, &http, &location).await;
    assert!(result.contains("1/3") && result.contains("未作答"), "{}", main_of(&result));
    let (status, location, _) = get(&app, &http, &action).await;
    assert_eq!((status, location.ends_with("/result")), (303, true));

    // Another member's phone reaches neither the attempt nor its result.
    member(&app, 33, "13912345601").await;
    let other = phone();
    sign_in(&app, &other, contest, "13912345601").await;
    assert_eq!(get(&app, &other, &action).await.0, 404);
    assert_eq!(get(&app, &other, &location).await.0, 404);
    assert_eq!(post(&app, &other, &action, &[("n", "2"), ("a", "B")]).await.0, 404);
    // Without a pass, the attempt's pages send the phone to the entry.
    let stranger = phone();
    let (status, location, _) = get(&app, &stranger, &action).await;
    assert_eq!((status, location), (303, format!("/contest/{contest}")));
});

both_databases!(the_entry_is_no_oracle_and_the_card_opens_the_contest, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let contest = contest_with(&app, OrgId(1), 3).await;
    let card = member(&app, 34, "13912345602").await;
    let enter = format!("/contest/{contest}/enter");

    // A wrong code: the same answer for a member's mobile and anyone else's.
    let mut answers = Vec::new();
    for mobile in ["13912345602", "13912349999"] {
        app.advance(61_000);
        post(&app, &phone(), &enter, &[("mobile", mobile), ("action", "send_code")]).await;
        let (status, _, page) =
            post(&app, &phone(), &enter, &[("mobile", mobile), ("sms_code", "000000"), ("action", "verify")])
                .await;
        answers.push((status, main_of(&page).replace(mobile, "")));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 422);
    // A verified mobile with no membership learns so; nothing is set.
    let http = phone();
    let (status, location, page) = sign_in(&app, &http, contest, "13912349999").await;
    assert_eq!((status, location.as_str()), (403, ""));
    assert!(page.contains("不在本次竞赛"));

    // The member card lists the contest and its link signs the holder in.
    let (_, _, card_page) = app.get(&format!("/card/{card}")).await;
    let link = format!("/contest/{contest}/card/{card}");
    assert!(card_page.contains(&link) && card_page.contains("2026年安康杯安全知识网络竞赛"));
    let (status, location, _) = get(&app, &http, &link).await;
    assert_eq!((status, location), (303, format!("/contest/{contest}")));
    assert!(get(&app, &http, &format!("/contest/{contest}")).await.2.contains("开始答题"));
    let forged = format!("/contest/{contest}/card/{card}0");
    assert_eq!(get(&app, &phone(), &forged).await.0, 404);

    // A pass is the server's: an altered one signs nobody in.
    let tampered = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = tampered
        .get(format!("{}/contest/{contest}", app.base))
        .header("cookie", "huiji_contest=1.99999999999999.00")
        .send()
        .await
        .unwrap();
    assert!(response.text().await.unwrap().contains("name=\"mobile\""));
    // After four hours the pass has lapsed.
    app.advance(4 * 3600 * 1000 + 1);
    assert!(get(&app, &http, &format!("/contest/{contest}")).await.2.contains("name=\"mobile\""));
});
