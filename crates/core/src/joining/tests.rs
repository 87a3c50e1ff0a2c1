#![allow(clippy::unwrap_used)]

use super::*;
use crate::membership::AutoApproval;
use crate::org::OrgPath;
use crate::time::Timestamp;

fn today() -> CivilDate {
    CivilDate::new(2026, 11, 30).unwrap()
}

fn versions() -> Vec<String> {
    vec!["1".to_owned(), "2".to_owned()]
}

fn good() -> JoinForm<'static> {
    JoinForm {
        name: "王晓明",
        id_number: "11010519491231002X",
        mobile: "13800138000",
        occupation: "truck_driver",
        region_code: "340122",
        employer_name: "",
        employer_credit_code: "",
        consent_version: Some("1"),
    }
}

fn check(form: &JoinForm<'_>) -> Result<JoinRequest, Vec<FieldError>> {
    let versions = versions();
    let ctx = JoinContext { today: today(), regions: RegionTable::national(), consent_versions: &versions };
    parse_join(form, &ctx)
}

fn codes(form: &JoinForm<'_>) -> Vec<&'static str> {
    check(form).unwrap_err().into_iter().map(|e| e.code).collect()
}

#[test]
fn a_good_form_parses_and_normalises() {
    let request = check(&JoinForm {
        id_number: "11010519491231002x",
        mobile: "+86 138-0013-8000",
        employer_name: " 安徽顺风物流有限公司 ",
        ..good()
    })
    .unwrap();
    assert_eq!(request.id_number.as_str(), "11010519491231002X");
    assert_eq!(request.mobile.as_str(), "13800138000");
    assert_eq!(request.occupation, Occupation::TruckDriver);
    assert_eq!(request.region.to_string(), "340122");
    assert_eq!(request.employer.unwrap().name, "安徽顺风物流有限公司");
    assert_eq!(request.consent_version, "1");
}

#[test]
fn every_field_reports_its_own_error() {
    let cases: Vec<(JoinForm<'static>, &str)> = vec![
        (JoinForm { name: "", ..good() }, "name.missing"),
        (JoinForm { name: "王2", ..good() }, "name.format"),
        (JoinForm { id_number: "", ..good() }, "id_number.missing"),
        (JoinForm { id_number: "11010519491231002", ..good() }, "id_number.length"),
        (JoinForm { id_number: "11010519491231002Y", ..good() }, "id_number.format"),
        (JoinForm { id_number: "11010519491231003X", ..good() }, "id_number.checksum"),
        (JoinForm { id_number: "990105194912310021", ..good() }, "id_number.region"),
        (JoinForm { mobile: "", ..good() }, "mobile.missing"),
        (JoinForm { mobile: "12800138000", ..good() }, "mobile.format"),
        (JoinForm { occupation: "", ..good() }, "occupation.missing"),
        (JoinForm { occupation: "astronaut", ..good() }, "occupation.unknown"),
        (JoinForm { region_code: "", ..good() }, "region_code.missing"),
        (JoinForm { region_code: "3401", ..good() }, "region_code.unknown"),
        (JoinForm { region_code: "349999", ..good() }, "region_code.unknown"),
        (JoinForm { employer_credit_code: "9144030071526726X", ..good() }, "employer.credit_code.format"),
        (JoinForm { consent_version: None, ..good() }, "consent.missing"),
        (JoinForm { consent_version: Some("9"), ..good() }, "consent.version"),
    ];
    for (form, code) in cases {
        assert_eq!(codes(&form), vec![code], "{form:?}");
    }
}

#[test]
fn the_age_rule_uses_the_birth_date_in_the_id() {
    // Born 2010-12-01: 16 tomorrow, not today.
    let first17 = b"34010220101201001";
    let id = format!(
        "{}{}",
        std::str::from_utf8(first17).unwrap(),
        crate::id_number::check_char(first17).unwrap()
    );
    let form = JoinForm { id_number: Box::leak(id.into_boxed_str()), ..good() };
    assert_eq!(codes(&form), vec!["id_number.age"]);
}

#[test]
fn all_problems_are_reported_at_once() {
    let form = JoinForm { name: "", mobile: "123", occupation: "x", consent_version: None, ..good() };
    let errors = check(&form).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "mobile", "occupation", "consent"]);
    assert!(errors.iter().all(|e| !e.message_zh.is_empty() && !e.message_en.is_empty()));
}

fn org(id: i64, kind: OrgKind, region: &str, occupations: &[Occupation]) -> Org {
    Org {
        id: OrgId(id),
        parent: None,
        kind,
        name: format!("org {id}"),
        region: region.parse().unwrap(),
        occupations: occupations.to_vec(),
        turnover_pool: kind == OrgKind::Federation(Level::City),
        path: OrgPath::root(OrgId(id)),
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::AllVerified,
        review_days: 3,
        created_at: Timestamp(0),
    }
}

/// Hefei: the city federation, a city-level truck federation and courier federation, and
/// a county-level truck federation in 肥东县 (340122).
fn hefei() -> Vec<Org> {
    vec![
        org(1, OrgKind::Federation(Level::City), "3401", &[]),
        org(2, OrgKind::IndustryFederation(Level::City), "3401", &[Occupation::TruckDriver]),
        org(3, OrgKind::IndustryFederation(Level::City), "3401", &[Occupation::Courier]),
        org(4, OrgKind::IndustryFederation(Level::County), "340122", &[Occupation::TruckDriver]),
        org(5, OrgKind::Federation(Level::County), "340122", &[]),
    ]
}

fn at(code: &str) -> RegionCode {
    code.parse().unwrap()
}

#[test]
fn receiving_prefers_the_qr_then_county_then_city_industry_then_the_city() {
    let orgs = hefei();
    let id = |o: Option<&Org>| o.map(|o| o.id.0);
    assert_eq!(id(receiving_org(Some(&orgs[4]), &orgs, Occupation::Courier, at("340122"))), Some(5));
    assert_eq!(id(receiving_org(None, &orgs, Occupation::TruckDriver, at("340122"))), Some(4));
    assert_eq!(id(receiving_org(None, &orgs, Occupation::TruckDriver, at("340104"))), Some(2));
    assert_eq!(id(receiving_org(None, &orgs, Occupation::Courier, at("340122"))), Some(3));
    assert_eq!(id(receiving_org(None, &orgs, Occupation::CareWorker, at("340122"))), Some(1));
    // An enterprise union's code never makes it the reviewer.
    let enterprise = org(9, OrgKind::Enterprise, "340122", &[]);
    assert_eq!(id(receiving_org(Some(&enterprise), &orgs, Occupation::CareWorker, at("340122"))), Some(1));
    // A city without a federation in the system has nobody to receive.
    assert_eq!(id(receiving_org(None, &orgs, Occupation::TruckDriver, at("320102"))), None);
}

#[test]
fn landing_prefers_the_employer_then_industry_then_the_pool() {
    let orgs = hefei();
    let enterprise = org(9, OrgKind::Enterprise, "340104", &[]);
    let land = |employer: Option<&Org>, occupation, region| landing(employer, &orgs, occupation, at(region));
    assert_eq!(land(Some(&enterprise), Occupation::TruckDriver, "340104"), Some(Landing::Union(OrgId(9))));
    // Never out of the work region's tree: 蜀山区's union does not take 肥东县's workers.
    assert_eq!(land(Some(&enterprise), Occupation::TruckDriver, "340122"), Some(Landing::Union(OrgId(4))));
    assert_eq!(land(None, Occupation::TruckDriver, "340122"), Some(Landing::Union(OrgId(4))));
    assert_eq!(land(None, Occupation::TruckDriver, "340104"), Some(Landing::Union(OrgId(2))));
    assert_eq!(land(None, Occupation::DeliveryRider, "340104"), Some(Landing::Pool(OrgId(1))));
    assert_eq!(land(None, Occupation::DeliveryRider, "320102"), None);
    // Only an enterprise union can be an employer's union.
    assert_eq!(land(Some(&orgs[4]), Occupation::DeliveryRider, "340104"), Some(Landing::Pool(OrgId(1))));
    assert_eq!(Landing::Pool(OrgId(1)).org(), OrgId(1));
}

#[test]
fn an_employer_union_serves_its_county_or_its_whole_city_only() {
    let county = org(9, OrgKind::Enterprise, "340122", &[]);
    let township = org(10, OrgKind::Enterprise, "340122100", &[]);
    let city = org(11, OrgKind::Enterprise, "3401", &[]);
    let province = org(12, OrgKind::Enterprise, "34", &[]);
    assert!(serves_work_region(&county, at("340122")) && !serves_work_region(&county, at("340123")));
    assert!(serves_work_region(&township, at("340122")) && !serves_work_region(&township, at("340104")));
    assert!(serves_work_region(&city, at("340123")) && !serves_work_region(&city, at("340202")));
    assert!(!serves_work_region(&province, at("340122")), "a province-wide union is no employer's");
    assert!(!serves_work_region(&org(13, OrgKind::Township, "340122", &[]), at("340122")));
}

#[test]
fn an_employer_union_is_found_by_code_else_by_name_within_the_work_region() {
    let named = |id: i64, region: &str, name: &str, code: Option<&str>| Org {
        name: name.to_owned(),
        credit_code: code.map(str::to_owned),
        ..org(id, OrgKind::Enterprise, region, &[])
    };
    let candidates = [
        named(1, "340122", "顺丰速运有限公司", None),
        named(2, "3401", "顺丰速运有限公司", None),
        named(3, "340123", "顺丰速运有限公司", Some("914403001922038216")),
    ];
    let by_name = Employer { name: "顺丰速运有限公司".to_owned(), credit_code: None };
    let by_code = Employer { name: String::new(), credit_code: CreditCode::parse("914403001922038216").ok() };
    let found =
        |employer: &Employer, region: &str| employer_union(&candidates, employer, at(region)).map(|o| o.id.0);
    assert_eq!(found(&by_name, "340122"), Some(1), "the county's own before the city's");
    assert_eq!(found(&by_name, "340104"), Some(2), "else the city's");
    assert_eq!(found(&by_name, "340202"), None, "another city's never");
    assert_eq!(found(&by_code, "340123"), Some(3));
    assert_eq!(found(&by_code, "340122"), None, "a code of another county's union lands nobody there");
    let both = Employer { name: "顺丰速运有限公司".to_owned(), ..by_code.clone() };
    assert_eq!(found(&both, "340122"), None, "a code given is not replaced by the name");
    assert_eq!(found(&Employer { name: String::new(), credit_code: None }, "340122"), None);
}
