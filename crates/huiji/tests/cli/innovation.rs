//! `huiji innovation import` run as a process: a workbook loads, refused rows are
//! printed with their numbers, and judge-only accounts are made with `user add`.

use huiji_core::Role;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};
use rust_xlsxwriter::Workbook;

use super::{huiji, stdout};

both_databases!(a_registry_workbook_is_imported, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let root = db.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await.unwrap().remove(0);
    // Its own directory: the SQLite and PostgreSQL variants run at the same time.
    let dir = crate::scratch("innovation");
    let path = dir.join("registry.xlsx");
    let mut book = Workbook::new();
    let workers = book.add_worksheet();
    workers.set_name("劳模").unwrap();
    for (r, row) in (0u32..).zip([
        ["姓名", "荣誉", "工会"],
        ["张建国", "江淮工匠", "合肥市总工会"],
        ["李四", "劳模", "合肥市总工会"],
    ]) {
        for (c, cell) in (0u16..).zip(row) {
            workers.write_string(r, c, cell).unwrap();
        }
    }
    let studios = book.add_worksheet();
    studios.set_name("工作室").unwrap();
    for (r, row) in (0u32..)
        .zip([["名称", "级别", "领办人", "工会"], ["张建国工匠创新工作室", "省级", "张建国", "合肥市总工会"]])
    {
        for (c, cell) in (0u16..).zip(row) {
            studios.write_string(r, c, cell).unwrap();
        }
    }
    book.save(&path).unwrap();

    let org = root.id.to_string();
    let out = stdout(&huiji(&db.url, &["innovation", "import", "--org", &org, path.to_str().unwrap()]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "劳模\tsheet 劳模\t1 added\t1 refused",
            "  row 3\t荣誉“劳模”无法识别",
            "工作室\tsheet 工作室\t1 added\t0 refused",
            "项目\tno such sheet, skipped",
            "师带徒\tno such sheet, skipped",
            "活动\tno such sheet, skipped",
        ]
    );
    let figures = db.store.innovation_figures(&root.path).await.unwrap();
    assert_eq!((figures.model_workers_total(), figures.studios_total()), (1, 1));

    let missing = huiji(&db.url, &["innovation", "import", "--org", "999999", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such union"));
    let csv = path.with_extension("csv");
    std::fs::write(&csv, "姓名,荣誉,工会\n").unwrap();
    let refused = huiji(&db.url, &["innovation", "import", "--org", &org, csv.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("XLSX workbook"));
    let _ = std::fs::remove_dir_all(&dir);

    stdout(&huiji(&db.url, &["user", "add", "--username", "expert", "--org", &org, "--role", "judge"]));
    assert_eq!(db.store.user_by_username("expert").await.unwrap().unwrap().role, Role::Judge);
});
