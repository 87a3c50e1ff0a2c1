//! `huiji stations import` run as a process: a CSV and an XLSX with the report —
//! counts on stdout, duplicates and rejected rows with every problem in the report file
//! beside the input — and a second run adding nothing.

use huiji_store::StationQuery;
use huiji_store::both_databases;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;

use super::{huiji, scratch, stdout};

const ROWS: &str = "名称,类型,地址,区县,经度,纬度,电话,开放时间,服务项目\n\
肥东县司机之家（示例）,司机之家,肥东县物流园 1 号,340122,117.47,31.88,0551-12351,24小时,休息、淋浴、图书角\n\
,加油站,,,31.82,117.227,,周一至周五,\n\
蜀山区户外劳动者服务站（示例）,户外劳动者驿站,合肥市蜀山区 2 号,合肥市蜀山区,117.227,31.820,,8:00-20:00,饮水\n\
肥东县司机之家（示例）,司机之家,肥东县物流园 1 号,340122,117.47,31.88,,24小时,休息\n";

both_databases!(a_station_file_is_imported_with_its_report, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let dir = scratch("stations");
    let utf8 = dir.join("驿站.csv");
    std::fs::write(&utf8, ROWS).unwrap();
    let report = stdout(&huiji(&db.url, &["stations", "import", utf8.to_str().unwrap()]));
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "4 rows: 2 added, 1 duplicates, 1 rejected", "{report}");
    // The rows' report is a file beside the input, named in the output.
    let written = dir.join("驿站.report.csv");
    assert_eq!(lines[1], format!("report: {}", written.display()), "{report}");
    let file = std::fs::read_to_string(&written).unwrap();
    let rows: Vec<&str> = file.strip_prefix('\u{feff}').unwrap().lines().collect();
    assert_eq!(rows[0], "row,outcome,detail");
    assert_eq!(rows[1], "2,services_not_recognised,图书角");
    assert_eq!(
        rows[2],
        "3,rejected,name.missing kind.unknown address.missing county.missing location.latitude hours.format"
    );
    assert!(rows[3].starts_with("5,duplicate,"), "{file}");
    assert_eq!(rows.len(), 4, "{file}");
    let all =
        StationQuery { within: None, region: None, kind: None, open_only: false, after: None, limit: 10 };
    let stored = db.store.stations(&all).await.unwrap();
    assert_eq!(stored.len(), 2);
    let feidong = db.store.org_by_join_code("340122").await.unwrap().unwrap();
    assert_eq!(stored[0].org, feidong.id, "owned by the county's federation");

    // The same rows as a workbook: nothing new.
    let xlsx = dir.join("驿站.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (line, row) in (0u32..).zip(ROWS.lines()) {
        for (col, cell) in (0u16..).zip(row.split(',')) {
            if !cell.is_empty() {
                sheet.write_string(line, col, cell).unwrap();
            }
        }
    }
    book.save(&xlsx).unwrap();
    let again = stdout(&huiji(&db.url, &["stations", "import", xlsx.to_str().unwrap()]));
    assert!(again.starts_with("4 rows: 0 added, 3 duplicates, 1 rejected"), "{again}");
    assert!(again.contains(&format!("report: {}", dir.join("驿站.report.csv").display())), "{again}");
    let file = std::fs::read_to_string(dir.join("驿站.report.csv")).unwrap();
    assert_eq!(file.lines().filter(|l| l.contains(",duplicate,")).count(), 3, "{file}");

    let missing = huiji(&db.url, &["stations", "import", dir.join("none.csv").to_str().unwrap()]);
    assert!(!missing.status.success());
    let _ = std::fs::remove_dir_all(dir);
});
