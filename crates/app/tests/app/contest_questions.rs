//! Importing a question bank: rejected rows with every problem, duplicates in the file
//! and against the bank, CSV as well as XLSX, and who may.

use std::io::Cursor;

use huiji_app::actor::Actor;
use huiji_app::contest::ContestError;
use huiji_app::contest::questions::{Duplicate, DuplicateOf, Rejected, import};
use huiji_core::Role;
use huiji_core::contest::{Category, QuestionError};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, QuestionQuery, both_databases};
use huiji_tabular::{Limits, Table};
use rust_xlsxwriter::Workbook;

use crate::contest_support::{Setup, officer};

fn table(bytes: Vec<u8>) -> Table {
    Table::from_reader(Cursor::new(bytes), None, Limits::default()).unwrap()
}

/// A workbook as question banks come: a title row, then the header, then questions.
fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2026年安康杯安全知识竞赛题库").unwrap();
    let header = ["序号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分类", "难度"];
    for (col, title) in (0u16..).zip(header) {
        sheet.write_string(1, col, title).unwrap();
    }
    let rows: [[&str; 11]; 7] = [
        [
            "1",
            "单选题",
            "货车驾驶人连续驾驶不得超过几小时？",
            "2小时",
            "4小时",
            "6小时",
            "8小时",
            "B",
            "《道路交通安全法实施条例》第六十二条",
            "道路交通",
            "易",
        ],
        [
            "2",
            "多选题",
            "下列哪些属于劳动防护用品？",
            "安全帽",
            "反光背心",
            "手机",
            "护目镜",
            "ABD",
            "",
            "职业健康",
            "中",
        ],
        ["3", "判断题", "发现火灾应立即拨打119。", "", "", "", "", "对", "", "消防安全", ""],
        ["4", "单选题", "单选题却有两个答案", "甲", "乙", "", "", "AB", "", "消防安全", "易"],
        ["5", "填空题", "没有分类的题", "甲", "乙", "", "", "A", "", "", "易"],
        [
            "6",
            "单选题",
            "货车驾驶人连续驾驶，不得超过几小时",
            "2小时",
            "4小时",
            "",
            "",
            "B",
            "",
            "道路交通",
            "易",
        ],
        ["7", "单选题", "已经在题库里的题目？", "是", "否", "", "", "A", "", "道路交通", "难"],
    ];
    for (line, row) in (2u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row) {
            if !cell.is_empty() {
                sheet.write_string(line, col, cell).unwrap();
            }
        }
    }
    // A true/false answer typed as a boolean, a blank line, and options Excel stored as numbers.
    sheet.write_string(9, 1, "判断题").unwrap();
    sheet.write_string(9, 2, "酒后可以驾驶货车。").unwrap();
    sheet.write_boolean(9, 7, false).unwrap();
    sheet.write_string(9, 9, "道路交通").unwrap();
    sheet.write_string(11, 1, "单选题").unwrap();
    sheet.write_string(11, 2, "火警电话是多少？").unwrap();
    sheet.write_number(11, 3, 119).unwrap();
    sheet.write_number(11, 4, 110).unwrap();
    sheet.write_string(11, 7, "A").unwrap();
    sheet.write_string(11, 9, "消防安全").unwrap();
    book.save_to_buffer().unwrap()
}

both_databases!(an_import_reports_every_rejected_row_and_duplicate, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let root = s.root().await;
    let admin = officer(&root, Role::Admin);
    // The bank already holds one question (from a CSV file, in GBK as Excel saves it
    // would be just as well: UTF-8 here).
    let csv = "题型,题干,选项A,选项B,答案,分类\n单选题,已经在题库里的题目？,是,否,A,道路交通\n";
    let first = import(&s.app, &admin, root.id, table(csv.as_bytes().to_vec())).await.unwrap();
    assert_eq!((first.rows, first.added), (1, 1));
    let banked = s
        .store()
        .questions(&QuestionQuery { owners: vec![root.id], category: None, after: None, limit: 10 })
        .await
        .unwrap();
    assert_eq!(banked.len(), 1);

    let report = import(&s.app, &admin, root.id, table(workbook())).await.unwrap();
    assert_eq!((report.rows, report.added), (9, 5), "{report:?}");
    assert_eq!(
        report.rejected,
        [
            Rejected { row: 6, problems: vec![QuestionError::SingleWithSeveralAnswers] },
            Rejected { row: 7, problems: vec![QuestionError::UnknownKind, QuestionError::BadCategory] },
        ]
    );
    assert_eq!(
        report.duplicates,
        [
            Duplicate { row: 8, of: DuplicateOf::Row(3) },
            Duplicate { row: 9, of: DuplicateOf::Bank(banked[0].id) }
        ]
    );
    assert_eq!(report.unused_headers, ["序号"]);

    let all = s
        .store()
        .questions(&QuestionQuery { owners: vec![root.id], category: None, after: None, limit: 10 })
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    let stems: Vec<_> = all.iter().map(|q| q.question.stem.as_str()).collect();
    assert!(stems.contains(&"酒后可以驾驶货车。") && stems.contains(&"火警电话是多少？"));
    let fire = all.iter().find(|q| q.question.stem == "火警电话是多少？").unwrap();
    assert_eq!(fire.question.options, ["119", "110"], "numbers read as Excel shows them");
    let drunk = all.iter().find(|q| q.question.stem == "酒后可以驾驶货车。").unwrap();
    assert_eq!(drunk.question.answer.to_string(), "B", "FALSE is 错");
    let categories = s.store().bank_categories(&[root.id]).await.unwrap();
    let categories: Vec<_> = categories.iter().map(|(c, n)| (c.as_str().to_owned(), *n)).collect();
    assert_eq!(
        categories,
        [("消防安全".to_owned(), 2), ("职业健康".to_owned(), 1), ("道路交通".to_owned(), 3)]
    );

    // Importing the same workbook again adds nothing: every row is a duplicate or rejected.
    let again = import(&s.app, &admin, root.id, table(workbook())).await.unwrap();
    assert_eq!((again.added, again.duplicates.len(), again.rejected.len()), (0, 7, 2));

    let audit = s
        .store()
        .audit_records(&AuditQuery {
            within: root.path.clone(),
            action: Some("contest.questions_import".to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 3);
    assert!(audit[0].subject.as_deref().unwrap().contains("added:0 duplicates:7 rejected:2 rows:9"));
    assert_eq!(Category::parse("消防安全").unwrap().as_str(), "消防安全");
});

both_databases!(only_admins_import_and_only_within_their_subtree, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let hefei = s.org("3401").await;
    let wuhu = s.org("3402").await;
    let csv = || table("题型,题干,选项A,选项B,答案,分类\n单选题,题目,是,否,A,道路交通\n".as_bytes().to_vec());
    let refused = import(&s.app, &officer(&hefei, Role::Reviewer), hefei.id, csv()).await;
    assert!(matches!(refused, Err(ContestError::Forbidden)), "{refused:?}");
    let elsewhere = import(&s.app, &officer(&wuhu, Role::Admin), hefei.id, csv()).await;
    assert!(matches!(elsewhere, Err(ContestError::NotFound)), "{elsewhere:?}");
    let missing =
        import(&s.app, &Actor::Operator, hefei.id, table("题干,答案\n题目,A\n".as_bytes().to_vec())).await;
    assert!(
        matches!(missing, Err(ContestError::File(huiji_tabular::Error::MissingColumns { .. }))),
        "{missing:?}"
    );
    let report = import(&s.app, &officer(&hefei, Role::Admin), hefei.id, csv()).await.unwrap();
    assert_eq!(report.added, 1);
    let operator = import(&s.app, &Actor::Operator, wuhu.id, csv()).await.unwrap();
    assert_eq!(operator.added, 1, "each union's bank is its own");
});
