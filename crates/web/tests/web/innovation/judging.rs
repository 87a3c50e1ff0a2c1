//! The evaluation over HTTP: a call opened in the console, an entry with an attachment,
//! a judge-only account that sees only its judging pages, whose HTML carries no author,
//! studio or union, scores that are audited, and the result published on close.

use huiji_core::Role;
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, both_databases};

use super::registry::{registry, union};
use crate::support::TestApp;
use crate::support::console::{Console, PASSWORD, csrf_of};

/// Logs in a judge-only account: it lands on its judging pages.
async fn judge(app: &TestApp, username: &str) -> Console {
    let org = union(app, "3401").await;
    app.add_officer(username, org.id, Role::Judge).await;
    let http = app.browser();
    let token = app.login_token(&http).await;
    let response = app.post_login(&http, &token, username, PASSWORD).await;
    assert_eq!(response.headers()["location"], "/console/judging");
    let mut console = Console { base: app.base.clone(), http, csrf: String::new() };
    let (status, page) = console.get("/console/judging").await;
    assert_eq!(status, 200, "{page}");
    console.csrf = csrf_of(&page);
    console
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

both_databases!(judges_score_blind_and_the_result_is_published, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let studio = registry(&app).await;
    let hefei = union(&app, "3401").await;
    let province = app.officer("prov", None, Role::Admin).await;
    let officer = app.officer("hf-rev", Some("3401"), Role::Reviewer).await;

    let call = [
        ("title", "2026年度职工创新成果评选"),
        ("org", "1"),
        ("categories", "技术革新、发明创造"),
        ("opens", "2026-11-01"),
        ("closes", "2026-12-31"),
        ("criteria", "创新性 40、实用性 35、经济效益 25"),
        ("first", "1"),
        ("second", "0"),
        ("third", "0"),
        ("excellence", "0"),
    ];
    assert_eq!(province.post("/console/innovation/calls", &call).await.0, 303);
    let (_, calls) = officer.get("/console/innovation/calls").await;
    assert!(calls.contains("2026年度职工创新成果评选"), "a Hefei officer sees the province's call: {calls}");

    let org = hefei.id.to_string();
    let studio = studio.to_string();
    let entry = [
        ("category", "技术革新"),
        ("title", "绝缘杆快速连接装置"),
        ("summary", "缩短带电作业准备时间"),
        ("authors", "赵一、钱二"),
        ("org", org.as_str()),
        ("studio", studio.as_str()),
    ];
    let response = officer
        .http
        .post(format!("{}/console/innovation/calls/1/entries", officer.base))
        .form(&[entry.as_slice(), &[("csrf", officer.csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("/console/innovation/entries/1?"), "{}", location(&response));
    let naming =
        [("category", "技术革新"), ("title", "赵一的工法"), ("authors", "赵一"), ("org", org.as_str())];
    let response = officer
        .http
        .post(format!("{}/console/innovation/calls/1/entries", officer.base))
        .form(&[naming.as_slice(), &[("csrf", officer.csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    let (_, page) = officer.get(&location(&response)).await;
    assert!(page.contains("标题或简介不得出现"), "{page}");

    // An attachment: a small PDF; a file over 5 MB is refused before it is read.
    let pdf = b"%PDF-1.4 zhao-yi signed here".to_vec();
    let upload = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("赵一-成果说明.pdf");
        reqwest::multipart::Form::new().text("csrf", officer.csrf.clone()).part("file", part)
    };
    let url = format!("{}/console/innovation/entries/1/attachments", officer.base);
    let response = officer.http.post(&url).multipart(upload(pdf.clone())).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = officer.get("/console/innovation/entries/1").await;
    assert!(page.contains("赵一-成果说明.pdf"), "officers see the file's name");
    let big = upload(vec![b'x'; 5 * 1024 * 1024 + 100 * 1024]);
    assert_eq!(officer.http.post(&url).multipart(big).send().await.unwrap().status().as_u16(), 413);

    // A judge-only account: appointed, sees nothing of the console.
    let expert = judge(&app, "expert").await;
    assert_eq!(
        province
            .post("/console/innovation/calls/1/judges", &[("username", "expert"), ("studios", "")])
            .await
            .0,
        303
    );
    let response = expert.http.get(format!("{}/console/applications", expert.base)).send().await.unwrap();
    assert_eq!(location(&response), "/console/judging");
    assert_eq!(
        expert.post("/console/innovation/registry/model-workers", &[("name", "x")]).await.0,
        303,
        "sent to judging"
    );

    let (status, panel) = expert.get("/console/judging/calls/1").await;
    assert_eq!(status, 200);
    let (status, entry) = expert.get("/console/judging/entries/1").await;
    assert_eq!(status, 200);
    assert!(entry.contains("绝缘杆快速连接装置") && entry.contains("附件 1"), "{entry}");
    for page in [&panel, &entry] {
        for name in ["赵一", "钱二", "张建国", "张建国劳模创新工作室", "合肥市总工会", "成果说明", "hf-rev"]
        {
            assert!(!page.contains(name), "{name} on a judge's page: {page}");
        }
    }
    let file =
        expert.http.get(format!("{}/console/judging/attachments/1", expert.base)).send().await.unwrap();
    let disposition = file.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(disposition, "attachment; filename=\"attachment-1.pdf\"");
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(officer.get("/console/judging/calls/1").await.0, 404, "not on the panel");

    assert_eq!(
        expert
            .post("/console/judging/entries/1/score", &[("mark0", "90"), ("mark1", "80"), ("mark2", "70")])
            .await
            .0,
        303
    );
    let (_, entry) = expert.get("/console/judging/entries/1").await;
    assert!(entry.contains("已评 81.50"), "{entry}");
    let audit = app
        .store()
        .audit_records(&AuditQuery {
            within: union(&app, "3401").await.path.clone(),
            action: Some("evaluation.score".to_owned()),
            actor_name: Some("expert".to_owned()),
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(audit.is_empty(), "scores are scoped to the call's organiser, not the entrant");
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let audit = app
        .store()
        .audit_records(&AuditQuery {
            within: root.path,
            action: Some("evaluation.score".to_owned()),
            actor_name: Some("expert".to_owned()),
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!((audit.len(), audit[0].reason.as_deref()), (1, Some("81.50 (90,80,70)")));

    // Closing publishes the result.
    assert_eq!(
        officer.post("/console/innovation/calls/1/close", &[]).await.0,
        403,
        "a Hefei reviewer cannot close it"
    );
    assert_eq!(app.get("/innovation/results/1").await.0, 404, "nothing published while open");
    assert_eq!(province.post("/console/innovation/calls/1/close", &[]).await.0, 303);
    let (status, _, result) = app.get("/innovation/results/1").await;
    assert_eq!(status, 200);
    assert!(
        result.contains("绝缘杆快速连接装置") && result.contains("一等奖") && result.contains("81.50"),
        "{result}"
    );
    assert!(!result.contains("赵一"), "authors are not published");
    assert!(app.get("/innovation").await.2.contains("/innovation/results/1"));
});

both_databases!(a_judge_only_account_changes_its_own_password, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let expert = judge(&app, "expert").await;
    let (status, page) = expert.get("/console/password").await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("/console/applications"), "a judge's menu holds only its own pages: {page}");
    assert!(page.contains("/console/judging"));

    let response = expert
        .post(
            "/console/password",
            &[("current", PASSWORD), ("new", "a-new-long-password"), ("repeat", "a-new-long-password")],
        )
        .await;
    assert_eq!(response.0, 303, "{response:?}");
    let http = app.browser();
    let token = app.login_token(&http).await;
    let refused = app.post_login(&http, &token, "expert", PASSWORD).await;
    assert_ne!(refused.headers().get("location").map(|l| l.to_str().unwrap()), Some("/console/judging"));
    let token = app.login_token(&http).await;
    let response = app.post_login(&http, &token, "expert", "a-new-long-password").await;
    assert_eq!(response.headers()["location"], "/console/judging");
});
