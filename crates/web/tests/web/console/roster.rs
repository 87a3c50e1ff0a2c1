//! Rosters in the console: an officer uploads a GBK file, the background job imports it
//! (the list shows who, when, source and counts; the report downloads); a file without an
//! ID column is refused naming its headers; viewers cannot upload; coverage and the
//! masked non-members; the export needs `pii.reveal` and a reason and is audited; the
//! application page shows the roster match.

use std::time::Duration;

use huiji_core::Role;
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, both_databases};

use crate::support::TestApp;
use crate::support::api::{application, identity};
use crate::support::console::Console;
use crate::support::main_of;

/// A multipart body of the upload form.
fn multipart(csrf: &str, source: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----huijirosterboundary0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"source\"\r\n\r\n{source}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"occupation\"\r\n\r\ntruck_driver\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"花名册.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(console: &Console, source: &str, file: &[u8]) -> (u16, String) {
    let (content_type, body) = multipart(&console.csrf, source, file);
    let response = console
        .http
        .post(format!("{}/console/roster/imports", console.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The roster page once no import is running.
async fn settled(console: &Console) -> String {
    for _ in 0..200 {
        let (status, page) = console.get("/console/roster").await;
        assert_eq!(status, 200);
        if !page.contains("导入中") {
            // The page's figures were read before its list: read it again once settled.
            return console.get("/console/roster").await.1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

both_databases!(officers_upload_rosters_and_reach_non_members, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (listed, _) = identity(1);
    let (other, _) = identity(2);
    let text = format!(
        "姓名,身份证号码,手机号,所在地\r\n张三,{listed},13800138000,340104\r\n李四,{other},,合肥市瑶海区\r\n王五,3.40104E+17,,340104\r\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (status, page) = upload(&admin, "市交通运输局", &gbk).await;
    assert_eq!(status, 303, "{}", main_of(&page));
    let page = settled(&admin).await;
    let main = main_of(&page);
    assert!(
        main.contains("市交通运输局") && main.contains("花名册.csv") && main.contains("user:hefei-admin"),
        "{main}"
    );
    assert!(
        main.contains("<td>3</td><td>2</td><td>0</td><td>0</td><td>1</td>"),
        "rows, added, repeated, listed, rejected: {main}"
    );
    assert!(main.contains("花名册人数 <b>2</b>") && main.contains("货车司机"), "{main}");
    let id = app.store().roster_imports(&admin_scope(&app).await, 10).await.unwrap()[0].id;
    let (status, report) = admin.get(&format!("/console/roster/imports/{id}/report")).await;
    assert_eq!(status, 200);
    assert!(report.contains("4,身份证号,3.40***E+17,id_number.scientific"), "{report}");

    // The non-members, masked; the export needs pii.reveal and a reason.
    let (status, people) = admin.get("/console/roster/people").await;
    assert_eq!(status, 200);
    assert!(
        people.contains("张*") && people.contains("138****8000") && !people.contains(&listed),
        "{}",
        main_of(&people)
    );
    assert!(!people.contains("导出外联名单"), "no export form without pii.reveal");
    assert_eq!(admin.post("/console/roster/export", &[("org", ""), ("reason", "入会动员")]).await.0, 403);
    app.store().set_user_can_reveal("hefei-admin", true).await.unwrap();
    assert_eq!(admin.post("/console/roster/export", &[("org", ""), ("reason", "")]).await.0, 422);
    let (status, csv) = admin.post("/console/roster/export", &[("org", ""), ("reason", "入会动员")]).await;
    assert_eq!(status, 200);
    assert!(csv.contains(&listed) && csv.contains("13800138000"), "{csv}");
    let query = AuditQuery {
        within: admin_scope(&app).await,
        action: Some("export.roster_non_members".to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    assert_eq!(app.store().audit_records(&query).await.unwrap().len(), 1);

    // An application of a listed person shows the roster match.
    let platform = app.platform("货拉拉").await;
    let answer = app.api_apply(&platform.key, &application(&listed, "13800138000")).await;
    let application_id = answer.body["application_id"].as_i64().unwrap();
    let (status, detail) = admin.get(&format!("/console/applications/{application_id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("市交通运输局（导入于"), "{}", main_of(&detail));
});

async fn admin_scope(app: &TestApp) -> huiji_core::OrgPath {
    app.store().org_by_join_code("3401").await.unwrap().unwrap().path
}

both_databases!(unreadable_files_and_viewers_are_refused, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (status, page) = upload(&admin, "x", "姓名,手机\r\n张三,13800138000\r\n".as_bytes()).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("身份证号") && page.contains("手机"),
        "the headers seen are named: {}",
        main_of(&page)
    );
    assert!(app.store().roster_imports(&admin_scope(&app).await, 10).await.unwrap().is_empty());
    let viewer = app.officer("hefei-viewer", Some("3401"), Role::Viewer).await;
    let (status, _) = upload(&viewer, "x", "身份证号\r\n".as_bytes()).await;
    assert_eq!(status, 403);
    let (status, page) = viewer.get("/console/roster").await;
    assert_eq!(status, 200);
    assert!(!page.contains("上传并导入"), "no upload form for viewers");
});
