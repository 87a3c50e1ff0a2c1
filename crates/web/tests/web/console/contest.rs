//! 安康杯 contests in the console: the question bank's upload and its report, creating a
//! contest (admins only), the boards with drill-down and the XLSX export (audited), and
//! another union's officers kept out.

use std::io::Cursor;

use huiji_app::contest::public_contest;
use huiji_app::contest::taking::{Step, answer, start};
use huiji_core::contest::{ContestId, LetterSet};
use huiji_core::{MembershipId, Role};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, both_databases};
use huiji_tabular::{Cell, Limits, Table};
use rust_xlsxwriter::Workbook;

use crate::support::console::Console;
use crate::support::{TestApp, main_of};
use crate::worker::contest::member;

/// A question file: 12 traffic and 6 fire questions (key B), a rejected row, a repeat.
fn bank_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, title) in (0u16..).zip(["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "分类"])
    {
        sheet.write_string(0, col, title).unwrap();
    }
    let mut line = 1u32;
    let mut row = |cells: [&str; 8]| {
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string(line, col, cell).unwrap();
        }
        line += 1;
    };
    for i in 0..18 {
        let stem = format!("安全知识第{i}题？");
        let category = if i < 12 { "道路交通" } else { "消防安全" };
        row(["单选题", &stem, "甲", "乙", "丙", "B", "解析", category]);
    }
    row(["多选题", "只有一个答案的多选题", "甲", "乙", "丙", "A", "", "消防安全"]);
    row(["单选题", "安全知识第0题", "甲", "乙", "丙", "B", "", "道路交通"]);
    book.save_to_buffer().unwrap()
}

/// A multipart body of the import form.
fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----huijiboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"题库.xlsx\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(console: &Console, csrf: &str, file: &[u8]) -> (u16, String) {
    let (content_type, body) = multipart(csrf, file);
    let response = console
        .http
        .post(format!("{}/console/contests/questions/import", console.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Creates a contest through the console's form; its id.
async fn create(console: &Console, quotas: &str) -> (u16, String) {
    let today = "2026-11-30";
    let fields = [
        ("name", "合肥市安康杯知识竞赛"),
        ("from", today),
        ("until", "2026-12-06"),
        ("questions", "3"),
        ("minutes", "10"),
        ("per_day", "2"),
        ("quotas", quotas),
    ];
    let response = console
        .http
        .post(format!("{}/console/contests", console.base))
        .form(&[&fields[..], &[("csrf", console.csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    (status, location.unwrap_or(response.text().await.unwrap()))
}

async fn audited(app: &TestApp, action: &str) -> Vec<String> {
    let query = AuditQuery {
        within: app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap().path,
        action: Some(action.to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    app.store().audit_records(&query).await.unwrap().into_iter().filter_map(|r| r.subject).collect()
}

both_databases!(an_admin_imports_the_bank_and_creates_a_contest, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (status, bank) = admin.get("/console/contests/questions").await;
    assert_eq!(status, 200);
    assert!(bank.contains("本单位题库还是空的"));

    let (status, report) = upload(&admin, &admin.csrf, &bank_xlsx()).await;
    assert_eq!(status, 200, "{}", main_of(&report));
    assert!(report.contains("共 20 行，导入 18 题，重复 1 行，不合格 1行"), "{}", main_of(&report));
    assert!(report.contains("多选题至少两个答案 (question.multiple_one)"));
    assert!(report.contains("与第2行题干重复"));
    assert!(report.contains("道路交通 12") && report.contains("消防安全 6"));
    assert_eq!(audited(&app, "contest.questions_import").await.len(), 1);
    // A forged form and a reviewer are refused; nothing is added.
    assert_eq!(upload(&admin, "not-the-token", &bank_xlsx()).await.0, 403);
    let reviewer = app.officer("hefei-reviewer", Some("3401"), Role::Reviewer).await;
    assert_eq!(upload(&reviewer, &reviewer.csrf, &bank_xlsx()).await.0, 403);
    let (status, not_a_sheet) = upload(&admin, &admin.csrf, b"PK\x03\x04 not really a workbook").await;
    assert_eq!(status, 422, "{}", main_of(&not_a_sheet));

    let (status, problem) = create(&admin, "道路交通=2，消防安全=2").await;
    assert_eq!(status, 422);
    assert!(problem.contains("配额合计4题，与每次题数3不符"), "{}", main_of(&problem));
    assert_eq!(create(&reviewer, "").await.0, 403);
    let (status, location) = create(&admin, "道路交通=2, 消防安全=1").await;
    assert_eq!(status, 303, "{location}");
    let id: i64 = location.trim_start_matches("/console/contests/").parse().unwrap();
    let contest = public_contest(&app.state.app, ContestId(id)).await.unwrap();
    assert_eq!(
        (contest.org.0, contest.rules.questions_per_attempt()),
        (app.store().org_by_join_code("3401").await.unwrap().unwrap().id.0, 3)
    );
    let (status, detail) = admin.get(&location).await;
    assert_eq!(status, 200);
    assert!(
        detail.contains("合肥市安康杯知识竞赛")
            && detail.contains("道路交通 2")
            && detail.contains("3题 · 10分钟 · 每天2次")
    );
    let (_, list) = reviewer.get("/console/contests").await;
    assert!(list.contains(&location) && !list.contains("发起竞赛"), "reviewers see, admins create");
    assert_eq!(audited(&app, "contest.create").await.len(), 1);

    // Another city's officers see none of it.
    let wuhu = app.officer("wuhu-admin", Some("3402"), Role::Admin).await;
    assert_eq!(wuhu.get(&location).await.0, 404);
    assert_eq!(wuhu.get(&format!("{location}/export.xlsx")).await.0, 404);
    assert!(!wuhu.get("/console/contests").await.1.contains(&location));
});

both_databases!(the_board_drills_down_and_exports_for_the_organiser, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    upload(&admin, &admin.csrf, &bank_xlsx()).await;
    let (_, location) = create(&admin, "").await;
    let id: i64 = location.trim_start_matches("/console/contests/").parse().unwrap();
    let contest = public_contest(&app.state.app, ContestId(id)).await.unwrap();
    // Two members of 肥东 take it: one all right, one with one right.
    member(&app, 41, "13900000041").await;
    member(&app, 42, "13900000042").await;
    for (mobile, right) in [("13900000041", 3), ("13900000042", 1)] {
        let held =
            app.store().membership_by_number(&member_number(&app, mobile).await).await.unwrap().unwrap();
        let m = MembershipId(held.id);
        let mut step = start(&app.state.app, &contest, m).await.unwrap();
        for position in 0..3u32 {
            app.advance(2_000);
            let Step::Ask(ask) = step else { panic!("over early") };
            let letters = if position < right { "B" } else { "A" };
            step =
                answer(&app.state.app, m, ask.attempt.id, position, LetterSet::parse(letters)).await.unwrap();
        }
    }
    let (status, page) = admin.get(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("参赛 2/2"), "{}", main_of(&page));
    assert!(page.contains("肥东县总工会") && page.contains("100.0%") && page.contains("66.7%"));
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let (status, down) = admin.get(&format!("{location}?org={}", feidong.id)).await;
    assert_eq!(status, 200);
    assert!(down.contains("肥东县货车司机工会联合会") && down.contains("返回上级"));
    assert!(down.contains("王**") && !down.contains("王晓明"));

    let response = admin.http.get(format!("{}{location}/export.xlsx", app.base)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut unions =
        Table::from_reader(Cursor::new(bytes.clone()), Some("单位排名"), Limits::default()).unwrap();
    let rows: Vec<Vec<Cell>> = unions.rows().unwrap().map(|r| r.unwrap().cells).collect();
    assert_eq!(rows[1][1], Cell::Text("肥东县总工会".to_owned()));
    assert_eq!(rows[1][3], Cell::Text("2".to_owned()));
    let mut people = Table::from_reader(Cursor::new(bytes), Some("个人排名"), Limits::default()).unwrap();
    let rows: Vec<Vec<Cell>> = people.rows().unwrap().map(|r| r.unwrap().cells).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[1][0].to_string(), rows[1][1].to_string(), rows[1][4].to_string()),
        ("1".to_owned(), "王**".to_owned(), "3/3".to_owned())
    );
    assert_eq!(
        rows[1][2].to_string(),
        member_number(&app, "13900000041").await,
        "member numbers, for the prizes"
    );
    let exports = audited(&app, "export.contest_xlsx").await;
    assert_eq!(exports.len(), 1);
    assert!(exports[0].contains(&format!("contest:{id}")) && exports[0].contains("2 people"));
    let (_, audit_page) = admin.get("/console/audit").await;
    assert!(audit_page.contains("导出竞赛成绩（XLSX）"));
});

/// The member number of the member with this mobile (from /status).
async fn member_number(app: &TestApp, mobile: &str) -> String {
    let sealed = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
    let held = app.store().memberships_by_mobile(&sealed).await.unwrap();
    held[0].member_number.clone().unwrap()
}
