//! `huiji gen`: the data it makes is what the real code would have made.

use std::path::{Path, PathBuf};
use std::process::Command;

use huiji_core::org::Level;
use huiji_core::{IdNumber, MemberNumber, Mobile, Occupation, OrgKind, RegionTable};
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{MemberQuery, OrgFilter, both_databases};
use huiji_vault::{Field, Keyring};

fn key_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("huiji-gen-{}-{name}.keys", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let out = Command::new(env!("CARGO_BIN_EXE_huiji"))
        .args(["keys", "init", "--out", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    path
}

fn generate(url: &str, keys: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huiji"))
        .arg("gen")
        .args(args)
        .args(["--database-url", url, "--key-file", keys.to_str().unwrap()])
        .env("HUIJI_LOG", "warn")
        .output()
        .unwrap()
}

fn all(within: &huiji_core::OrgPath, occupation: Option<&str>, status: Option<&str>) -> MemberQuery {
    MemberQuery {
        within: Some(within.clone()),
        occupation: occupation.map(str::to_owned),
        status: status.map(str::to_owned),
        limit: 100_000,
        ..MemberQuery::default()
    }
}

both_databases!(gen_anhui_makes_valid_sealed_members_in_the_real_tree, |db: TestDb| async move {
    let keys = key_file(&format!("anhui-{}", db.store.backend().name()));
    let out = generate(&db.url, &keys, &["--scenario", "anhui-2021", "--members", "3000", "--seed", "9"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("generated 3000 members (anhui-2021)"));
    let keyring = Keyring::from_key_file_text(&std::fs::read_to_string(&keys).unwrap()).unwrap();
    let table = RegionTable::national();
    let today = huiji_core::CivilDate::new(2026, 1, 1).unwrap();

    let root = db.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await.unwrap().remove(0);
    assert_eq!(root.name, "安徽省总工会", "gen seeded the tree");
    let members = db.store.search_members(&all(&root.path, None, None)).await.unwrap();
    assert_eq!(members.len(), 3000);
    let mut ids = std::collections::HashSet::new();
    for member in members.iter().filter(|m| m.id % 10 == 0) {
        let detail = db.store.membership_detail(member.id).await.unwrap().unwrap();
        let number = keyring.decrypt(Field::IdNumber, &detail.id_number_ct).unwrap();
        let id = IdNumber::parse(&number, today, |p| table.province_exists(p)).unwrap();
        assert!(table.lookup(id.area_code()).is_some(), "a real county: {}", id.area_code());
        assert!(ids.insert(number.clone()));
        let mobile = keyring.decrypt(Field::Mobile, &detail.mobile_ct).unwrap();
        Mobile::parse(&mobile).unwrap();
        // The blind index finds the member, so the indexes were rebuilt.
        let by_id = MemberQuery {
            id_number_bidx: Some(keyring.blind_index(Field::IdNumber, &number).to_hex()),
            limit: 5,
            ..all(&root.path, None, None)
        };
        assert_eq!(db.store.search_members(&by_id).await.unwrap()[0].id, member.id);
        let expected = MemberNumber::new("34", 2021, u64::try_from(member.id).unwrap()).unwrap();
        assert_eq!(member.member_number.as_deref(), Some(expected.as_str()));
        assert!(member.region_code.starts_with("34"));
        let home = db.store.org(huiji_core::OrgId(member.home_org_id)).await.unwrap().unwrap();
        assert_eq!(home.path.as_str(), member.home_path);
        if !member.in_pool {
            assert!(home.occupations.contains(&member.occupation), "{}", home.name);
        }
        let events = db.store.membership_events(member.id).await.unwrap();
        assert_eq!(events[0].kind.code(), "joined");
    }

    let withdrawn = db.store.search_members(&all(&root.path, None, Some("withdrawn"))).await.unwrap();
    assert_eq!(db.store.count_members(&root.path).await.unwrap(), 3000 - withdrawn.len() as u64);
    let trucks = db.store.search_members(&all(&root.path, Some("truck_driver"), None)).await.unwrap().len();
    assert!((2250..2480).contains(&trucks), "325/412 of 3000 are truck drivers, not {trucks}");
    let by_occupation = db.store.count_members_by_occupation(&root.path).await.unwrap();
    assert_eq!(by_occupation.len(), 4);
    for occupation in Occupation::MAIN_FOUR {
        let some = db.store.search_members(&all(&root.path, Some(occupation.code()), None)).await.unwrap();
        let held = some.iter().filter(|m| m.status.code() != "withdrawn").count() as u64;
        assert!(held > 0, "{occupation}");
        assert!(
            by_occupation.contains(&(occupation.code().to_owned(), held)),
            "{occupation}: {by_occupation:?}"
        );
    }

    let again = generate(&db.url, &keys, &["--scenario", "anhui-2021", "--members", "10"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // The same seed makes the same people (into another database, under the same keys).
    let other = TestDb::sqlite().await;
    let out = generate(&other.url, &keys, &["--scenario", "anhui-2021", "--members", "3000", "--seed", "9"]);
    assert!(out.status.success());
    for id in [1, 777, 3000] {
        let a = db.store.membership_detail(id).await.unwrap().unwrap();
        let b = other.store.membership_detail(id).await.unwrap().unwrap();
        assert_eq!((a.record.name, a.record.occupation), (b.record.name, b.record.occupation));
        assert_eq!(
            keyring.decrypt(Field::IdNumber, &a.id_number_ct).unwrap(),
            keyring.decrypt(Field::IdNumber, &b.id_number_ct).unwrap()
        );
    }
    let _ = std::fs::remove_file(keys);
});

both_databases!(gen_national_adds_the_other_provinces_and_spreads_members, |db: TestDb| async move {
    let keys = key_file(&format!("national-{}", db.store.backend().name()));
    let out = generate(&db.url, &keys, &["--scenario", "national", "--members", "4000"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let provinces =
        db.store.orgs(&OrgFilter { level: Some(Level::Province), ..OrgFilter::default() }).await.unwrap();
    let provinces: Vec<_> =
        provinces.into_iter().filter(|o| o.kind == OrgKind::Federation(Level::Province)).collect();
    assert_eq!(provinces.len(), 31);
    let mut total = 0;
    for province in &provinces {
        let held = db.store.count_members(&province.path).await.unwrap();
        assert!(held > 0, "{} has members", province.name);
        total += held;
    }
    let guangdong = provinces.iter().find(|p| p.name == "广东省总工会").unwrap();
    let tibet = provinces.iter().find(|p| p.name == "西藏自治区总工会").unwrap();
    assert!(
        db.store.count_members(&guangdong.path).await.unwrap()
            > 10 * db.store.count_members(&tibet.path).await.unwrap()
    );
    assert!(total > 3900);
    let _ = std::fs::remove_file(keys);
});
