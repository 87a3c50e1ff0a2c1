//! `huiji holidays`: the calendar's years and their sources, a holidays file checked and
//! laid over the compiled-in notices as `serve` does, and a wrong file refused with its line.

use std::process::Command;

use super::scratch;

fn holidays(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huiji"))
        .arg("holidays")
        .args(args)
        .env_remove("HUIJI_HOLIDAYS_FILE")
        .env_remove("HUIJI_CONFIG")
        .env("HUIJI_LOG", "warn")
        .output()
        .expect("run huiji")
}

#[test]
fn the_calendar_lists_its_years_and_a_holidays_file_replaces_one() {
    let compiled = holidays(&[]);
    assert!(compiled.status.success(), "{}", String::from_utf8_lossy(&compiled.stderr));
    let text = String::from_utf8(compiled.stdout).unwrap();
    let years: Vec<String> =
        text.lines().map(|l| l.split('\t').take(2).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(years, ["2024 notice", "2025 notice", "2026 notice", "2027 statutory"]);
    assert!(text.lines().next().unwrap().contains("国办发明电〔2023〕7号"), "{text}");

    let dir = scratch("holidays");
    let file = dir.join("holidays-2027.txt");
    std::fs::write(
        &file,
        "notice 2027 2026-11-10 - 国务院办公厅关于2027年部分节假日安排的通知\noff national_day 2027-10-01..2027-10-07\n",
    )
    .unwrap();
    let supplemented = holidays(&["--file", file.to_str().unwrap()]);
    assert!(supplemented.status.success(), "{}", String::from_utf8_lossy(&supplemented.stderr));
    let text = String::from_utf8(supplemented.stdout).unwrap();
    assert_eq!(
        text.lines().last().unwrap(),
        "2027\tnotice\t2026-11-10\t-\t国务院办公厅关于2027年部分节假日安排的通知"
    );

    std::fs::write(&file, "notice 2027 2026-11-10 - t\nwork national_day 2027-10-08\n").unwrap();
    let refused = holidays(&["--file", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(error.contains("line 2: a make-up working day must be a Saturday or Sunday"), "{error}");
    let missing = holidays(&["--file", dir.join("none.txt").to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("holidays file"));
}
