//! `huiji benefit create` and `huiji benefit show` run as a process: the id printed
//! alone, the figures as one JSON line, and refusals with what is wrong.

use huiji_store::both_databases;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;

use super::{huiji, scratch, stdout};

both_databases!(a_programme_is_created_and_shown, |db: TestDb| async move {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let hefei = db.store.org_by_join_code("3401").await.unwrap().unwrap();
    let feidong = db.store.org_by_join_code("340122").await.unwrap().unwrap();
    let org = hefei.id.to_string();
    let share = format!("{}=500", feidong.id);
    let created = stdout(&huiji(
        &db.url,
        &[
            "benefit",
            "create",
            "--org",
            &org,
            "--name",
            "卡友保",
            "--kind",
            "insurance_gift",
            "--quota",
            "20000",
            "--occupation",
            "truck_driver",
            "--grant",
            "claim",
            "--platform",
            "卡友地带",
            "--hotline",
            "95519",
            "--until",
            "2027-12-31",
            "--share",
            &share,
        ],
    ));
    let id: i64 = created.trim().parse().unwrap_or_else(|_| panic!("not an id: {created}"));
    let programme = db.store.programme(huiji_core::benefit::ProgrammeId(id)).await.unwrap().unwrap();
    assert_eq!((programme.name.as_str(), programme.org), ("卡友保", hefei.id));
    assert_eq!(
        programme.rules.eligibility.joined_via,
        Some(huiji_core::benefit::JoinedVia::Platform("卡友地带".to_owned()))
    );
    let shown = stdout(&huiji(&db.url, &["benefit", "show", created.trim()]));
    assert_eq!(shown.lines().count(), 1, "{shown}");
    assert!(shown.starts_with(r#"{"quota":20000,"granted":0,"remaining":20000,"#), "{shown}");
    assert!(
        shown.contains(r#""grant_mode":"claim""#) && shown.contains(r#""sponsor":"合肥市总工会""#),
        "{shown}"
    );
    assert!(
        shown.contains(r#""by_union":[{"org":"#)
            && shown.contains(r#""quota":500,"granted":0,"remaining":500}"#),
        "{shown}"
    );
    assert!(
        shown.contains(r#""by_status":{"closed":0,"enrolled":0,"granted":0,"revoked":0,"used":0}"#),
        "{shown}"
    );

    // The default grant mode is an officer's; every field problem is said.
    let plain = stdout(&huiji(
        &db.url,
        &["benefit", "create", "--org", &org, "--name", "体检", "--kind", "health_check", "--quota", "10"],
    ));
    let plain = db
        .store
        .programme(huiji_core::benefit::ProgrammeId(plain.trim().parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plain.rules.mode, huiji_core::benefit::GrantMode::Officer);
    let bad = huiji(
        &db.url,
        &["benefit", "create", "--org", &org, "--name", "x", "--kind", "lottery", "--quota", "0"],
    );
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("kind") && said.contains("quota"), "{said}");
    let taken = huiji(
        &db.url,
        &["benefit", "create", "--org", &org, "--name", "体检", "--kind", "health_check", "--quota", "10"],
    );
    assert!(!taken.status.success());
    let missing = huiji(&db.url, &["benefit", "show", "999999"]);
    assert!(!missing.status.success());

    // The insurer's file: a row without a grant is refused with its number.
    let dir = scratch("benefits");
    let file = dir.join("保单.csv");
    std::fs::write(&file, "身份证号,保单号\n11010519491231002X,PA2026000001\n").unwrap();
    let report = stdout(&huiji(&db.url, &["benefit", "enrol", created.trim(), file.to_str().unwrap()]));
    assert_eq!(report, "1 rows: 0 enrolled, 0 unchanged, 1 refused\nrow 2\trefused: grant.not_found\n");
    let _ = std::fs::remove_dir_all(dir);
});
