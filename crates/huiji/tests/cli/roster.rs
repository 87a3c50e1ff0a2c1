//! `huiji roster import` run as a process: a GBK file, the one JSON line with every count
//! in the contract's order, the report beside the file, a second run adding nothing, and
//! a non-zero exit with a clear message for a file that cannot be read.

use huiji_core::id_number::check_char;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use super::{huiji, scratch, stdout};

fn id(n: u32) -> String {
    let first17 = format!("34010419900101{n:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&bytes).unwrap())
}

both_databases!(a_roster_file_is_imported_with_its_json_line_and_report, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let dir = scratch("roster");
    let keys = dir.join("huiji.keys");
    stdout(&huiji(&db.url, &["keys", "init", "--out", keys.to_str().unwrap()]));
    let (a, b) = (id(1), id(2));
    let text = format!(
        "姓名,身份证号,手机号,地址\n张三,{a},13800138000,安徽省合肥市蜀山区某路1号\n李四,{b},,340104\n张三,{a},,\n赵六,3.40104E+17,,\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = dir.join("货车司机.csv");
    std::fs::write(&file, &gbk).unwrap();
    let run = |source: &str| {
        huiji(
            &db.url,
            &[
                "roster",
                "import",
                file.to_str().unwrap(),
                "--source",
                source,
                "--occupation",
                "truck_driver",
                "--key-file",
                keys.to_str().unwrap(),
            ],
        )
    };
    let out = stdout(&run("交通运输局"));
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let keys_in_order: Vec<&str> = out
        .trim()
        .trim_matches(['{', '}'])
        .split(',')
        .map(|kv| kv.split(':').next().unwrap().trim_matches('"'))
        .collect();
    assert_eq!(
        keys_in_order,
        [
            "import_id",
            "rows",
            "imported",
            "duplicates_in_file",
            "already_on_roster",
            "rejected",
            "members",
            "pending",
            "not_members",
            "seconds",
            "report"
        ]
    );
    let counts: Vec<i64> =
        ["rows", "imported", "duplicates_in_file", "already_on_roster", "rejected", "not_members"]
            .iter()
            .map(|k| line[k].as_i64().unwrap())
            .collect();
    assert_eq!(counts, [4, 2, 1, 0, 1, 2], "{out}");
    let report_path = dir.join("货车司机.report.csv");
    assert_eq!(line["report"].as_str().unwrap(), report_path.to_str().unwrap());
    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(
        report.contains("4,身份证号,3401**********")
            && report.contains("5,身份证号,3.40***E+17,id_number.scientific"),
        "{report}"
    );

    // The same file again: nothing added.
    let again: serde_json::Value = serde_json::from_str(stdout(&run("交通运输局")).trim()).unwrap();
    assert_eq!((again["imported"].as_i64(), again["already_on_roster"].as_i64()), (Some(0), Some(2)));

    // A file without an ID column: non-zero, naming the headers it saw.
    std::fs::write(&file, "姓名,电话\n张三,13800138000\n").unwrap();
    let refused = run("交通运输局");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("身份证号") && message.contains("电话"), "{message}");
    let _ = std::fs::remove_dir_all(dir);
});
