//! `huiji contest` run as a process: a question file imported with its report, a
//! contest created with the id alone on stdout, and arguments of the wrong form explained.

use huiji_core::contest::{Category, CategoryQuota, ContestId};
use huiji_core::{CivilDate, OrgId};
use huiji_store::both_databases;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;

use super::{huiji, scratch, stdout};

/// A bank as a CSV file: five traffic questions, three fire, a rejected row and a repeat.
fn bank_file() -> std::path::PathBuf {
    let mut text = String::from("题型,题干,选项A,选项B,选项C,答案,解析,分类,难度\n");
    for i in 0..5 {
        text.push_str(&format!("单选题,交通安全题{i}？,对,错,不知道,A,因为,道路交通,易\n"));
    }
    for i in 0..3 {
        text.push_str(&format!("判断题,消防安全题{i}。,,,,对,,消防安全,中\n"));
    }
    text.push_str("单选题,两个答案的单选题,甲,乙,,AB,,消防安全,易\n");
    text.push_str("单选题,交通安全题0,对,错,,A,,道路交通,易\n");
    let path = scratch("contest").join("题库.csv");
    std::fs::write(&path, text).unwrap();
    path
}

both_databases!(questions_are_imported_and_a_contest_created, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let file = bank_file();
    let report = stdout(&huiji(&db.url, &["contest", "questions", "import", file.to_str().unwrap()]));
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "10 rows: 8 added, 1 duplicates, 1 rejected", "{report}");
    assert_eq!(lines[1], "row 11\tduplicate of row 2");
    assert_eq!(lines[2], "row 10\trejected: question.single_several");
    assert_eq!(db.store.bank_categories(&[OrgId(1)]).await.unwrap().len(), 2);

    let hefei = db.store.org_by_join_code("3401").await.unwrap().unwrap();
    let org = hefei.id.to_string();
    let created = stdout(&huiji(
        &db.url,
        &[
            "contest",
            "create",
            "--org",
            &org,
            "--name",
            "2026年安康杯安全知识网络竞赛",
            "--from",
            "2026-12-01",
            "--until",
            "2026-12-31",
            "--questions-per-attempt",
            "4",
            "--minutes",
            "10",
        ],
    ));
    let id: i64 = created.trim().parse().unwrap_or_else(|_| panic!("only the id: {created:?}"));
    assert_eq!(created, format!("{id}\n"));
    let contest = db.store.contest(ContestId(id)).await.unwrap().unwrap();
    assert_eq!((contest.org, contest.name.as_str()), (hefei.id, "2026年安康杯安全知识网络竞赛"));
    assert_eq!(contest.window.from(), CivilDate::new(2026, 12, 1).unwrap());
    assert_eq!(contest.window.until(), CivilDate::new(2026, 12, 31).unwrap());
    assert_eq!((contest.rules.questions_per_attempt(), contest.rules.minutes()), (4, 10));
    assert_eq!((contest.rules.attempts_per_day().get(), contest.created_by.as_str()), (1, "operator"));
    let quota = |c: &str, n| CategoryQuota { category: Category::parse(c).unwrap(), count: n };
    assert_eq!(
        db.store.contest_quotas(contest.id).await.unwrap(),
        [quota("消防安全", 1), quota("道路交通", 3)]
    );

    let given = stdout(&huiji(
        &db.url,
        &[
            "contest",
            "create",
            "--org",
            "1",
            "--name",
            "全省竞赛",
            "--from",
            "2026-12-01",
            "--until",
            "2026-12-07",
            "--questions-per-attempt",
            "4",
            "--minutes",
            "15",
            "--attempts-per-day",
            "3",
            "--quota",
            "道路交通=2",
            "--quota",
            "消防安全=2",
        ],
    ));
    let second = ContestId(given.trim().parse().unwrap());
    assert_eq!(db.store.contest_quotas(second).await.unwrap(), [quota("消防安全", 2), quota("道路交通", 2)]);
    let listed = stdout(&huiji(&db.url, &["contest", "list"]));
    assert_eq!(
        listed.lines().next().unwrap(),
        format!("{second}\t1\t全省竞赛\t2026-12-01\t2026-12-07\t4\t15\t3")
    );
    assert_eq!(listed.lines().count(), 2);
});

both_databases!(contest_arguments_are_explained, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let base = ["contest", "create", "--org", "1", "--name", "竞赛", "--questions-per-attempt", "4"];
    let dates = ["--from", "2026-12-01", "--until", "2026-12-31"];
    for (extra, message) in [
        (
            &["--from", "2026-12-1", "--until", "2026-12-31", "--minutes", "10"][..],
            "--from 2026-12-1: expected YYYY-MM-DD",
        ),
        (
            &["--from", "2026-12-31", "--until", "2026-12-01", "--minutes", "10"][..],
            "the last day is before the first",
        ),
        (
            &[&dates[..], &["--minutes", "10", "--quota", "交通"]].concat()[..],
            "--quota 交通: expected CATEGORY=N",
        ),
        (&[&dates[..], &["--minutes", "10"]].concat()[..], "the bank has 0 questions, 4 wanted"),
        (&[&dates[..], &["--minutes", "0"]].concat()[..], "the time limit must be 1 to 120 minutes"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let output = huiji(&db.url, &args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let missing = huiji(&db.url, &["contest", "questions", "import", "/nonexistent/题库.xlsx"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/题库.xlsx"));
});
