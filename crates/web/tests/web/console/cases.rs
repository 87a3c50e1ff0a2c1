//! Legal-aid cases in the console, on both databases: scoping (another county's officer
//! gets 404 and cannot act, the city sees its counties'), viewers and forged forms
//! refused, the list leading with overdue cases, and refusals shown on the case page.

use huiji_core::Role;
use huiji_core::case::CaseStatus;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, main_of};
use crate::worker::legal::{case_number, file_case, legal_form};

both_databases!(officers_see_and_act_only_within_their_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, page) = file_case(&app, &legal_form("13912340011")).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let id = case_number(&page);
    let path = format!("/console/cases/{id}");

    let neighbour = app.officer("changfeng", Some("340121"), Role::Admin).await;
    let wuhu = app.officer("wuhu", Some("3402"), Role::Admin).await;
    for outsider in [&neighbour, &wuhu] {
        assert_eq!(outsider.get(&path).await.0, 404);
        assert_eq!(outsider.post(&path, &[("action", "accept")]).await.0, 404);
        let (status, list) = outsider.get("/console/cases").await;
        assert_eq!(status, 200);
        assert!(!list.contains(&format!("href=\"{path}\"")));
    }
    assert_eq!(app.store().case(id).await.unwrap().unwrap().status, CaseStatus::Submitted);

    let viewer = app.officer("feidong-viewer", Some("340122"), Role::Viewer).await;
    let (status, page) = viewer.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("139****0011") && !page.contains("13912340011"), "masked: {}", main_of(&page));
    assert!(page.contains("两个月工资没有发") && !page.contains("value=\"accept\""));
    assert_eq!(viewer.post(&path, &[("action", "accept")]).await.0, 403);

    let city = app.officer("hefei", Some("3401"), Role::Admin).await;
    let (status, list) = city.get("/console/cases").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("href=\"{path}\"")) && list.contains("肥东县总工会"));

    let mine = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    assert_eq!(mine.post_raw(&path, &[("action", "accept")]).await.0, 403, "no CSRF token");
    let (status, page) = mine.post(&path, &[("action", "step"), ("step", "mediation")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("案件当前状态下不能这样操作"), "{}", main_of(&page));
    assert_eq!(mine.post(&path, &[("action", "accept")]).await.0, 303);
    let (status, page) = mine.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("已受理") && page.contains("value=\"assign\""), "{}", main_of(&page));
    let (status, page) =
        mine.post(&path, &[("action", "close"), ("outcome", "recovered"), ("amount", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("追回款项须填写金额"), "{}", main_of(&page));
    assert_eq!(mine.post(&path, &[("action", "close"), ("outcome", "settled")]).await.0, 303);
    let (_, list) = mine.get("/console/cases").await;
    assert!(list.contains("和解"), "{}", main_of(&list));
});

both_databases!(the_list_leads_with_overdue_cases, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (_, page) = file_case(&app, &legal_form("13912340021")).await;
    let first = case_number(&page);
    let mine = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    assert_eq!(mine.post(&format!("/console/cases/{first}"), &[("action", "accept")]).await.0, 303);
    // Filed a day later, never answered: past its first-response deadline a day after.
    app.advance(86_400_000);
    let (_, page) = file_case(&app, &legal_form("13912340022")).await;
    let second = case_number(&page);
    app.advance(2 * 86_400_000);
    // Sessions expire meanwhile: the officer signs in again.
    let mine = app.login("feidong", crate::support::console::PASSWORD).await.unwrap();

    let (status, list) = mine.get("/console/cases").await;
    assert_eq!(status, 200);
    let at = |id| list.find(&format!("href=\"/console/cases/{id}\"")).unwrap();
    assert!(at(second) < at(first), "overdue first: {}", main_of(&list));
    assert!(list.contains("class=\"overdue\"") && list.contains("超期未响应"));

    // The escalation job moves it to 合肥市总工会: out of 肥东's list.
    assert_eq!(huiji_app::cases::escalate_overdue(&app.state.app).await.unwrap(), 1);
    let (_, list) = mine.get("/console/cases").await;
    assert!(!list.contains(&format!("href=\"/console/cases/{second}\"")));
    let city = app.officer("hefei", Some("3401"), Role::Admin).await;
    let (_, page) = city.get(&format!("/console/cases/{second}")).await;
    assert!(page.contains("超期上报上级工会 → 合肥市总工会"), "{}", main_of(&page));
    // The history says who acted in words: the worker, the escalation job.
    assert!(
        page.contains("<td>职工本人</td>") && page.contains("<td>系统（超期自动上报）</td>"),
        "{}",
        main_of(&page)
    );
    assert!(!page.contains("<td>worker</td>") && !page.contains("<td>system</td>"));
});
