#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;
use crate::id_number::check_char;

const TODAY: (i32, u8, u8) = (2026, 12, 1);

fn ctx() -> RosterContext<'static> {
    RosterContext {
        today: CivilDate::new(TODAY.0, TODAY.1, TODAY.2).unwrap(),
        places: RegionNames::national(),
        scope: Some("34".parse().unwrap()),
        default_occupation: None,
    }
}

/// A valid ID number from its first 17 digits.
fn id(first17: &str) -> String {
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&bytes).unwrap())
}

fn row<'a>(values: &[(RosterColumn, RawValue<'a>)]) -> RosterRow<'a> {
    let mut row = RosterRow::default();
    for &(column, value) in values {
        row.set(column, value);
    }
    row
}

fn rejections(row: &RosterRow<'_>) -> Vec<Rejection> {
    parse_row(row, &ctx()).unwrap_err()
}

fn only_code(row: &RosterRow<'_>) -> (RosterColumn, &'static str) {
    let errors = rejections(row);
    assert_eq!(errors.len(), 1, "{errors:?}");
    (errors[0].column, errors[0].code)
}

use RawValue::{Number, Text};
use RosterColumn as C;

#[test]
fn columns_have_distinct_spellings_and_only_the_id_is_required() {
    let mut all: Vec<&str> = C::ALL.iter().flat_map(|c| c.spellings().iter().copied()).collect();
    let count = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "a spelling names two columns");
    for (column, spelling) in [
        (C::Name, "姓名"),
        (C::IdNumber, "身份证号码"),
        (C::IdNumber, "证件号码"),
        (C::IdNumber, "公民身份号码"),
        (C::Mobile, "手机"),
        (C::Mobile, "联系电话"),
        (C::Occupation, "职业"),
        (C::Region, "区县"),
        (C::Region, "工作地"),
        (C::Employer, "所属企业"),
        (C::Employer, "平台"),
    ] {
        assert!(column.spellings().contains(&spelling), "{spelling}");
    }
    assert_eq!(C::ALL.iter().filter(|c| c.required()).collect::<Vec<_>>(), vec![&C::IdNumber]);
    assert_eq!(C::IdNumber.label_zh(), "身份证号");
    assert_eq!(C::EmployerCreditCode.code(), "employer_credit_code");
}

#[test]
fn a_full_row_becomes_an_entry() {
    let number = id("34010419900101123");
    let entry = parse_row(
        &row(&[
            (C::Name, Text(" 张三 ")),
            (C::IdNumber, Text(&number)),
            (C::Mobile, Text("+86 138-1234-5678")),
            (C::Occupation, Text("货车司机")),
            (C::Address, Text("安徽省合肥市蜀山区长江西路100号")),
            (C::Employer, Text("合肥某某物流有限公司")),
        ]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(entry.name.unwrap().as_str(), "张三");
    assert_eq!(entry.id_number.as_str(), number);
    assert_eq!(entry.mobile.unwrap().as_str(), "13812345678");
    assert_eq!(entry.occupation, Occupation::TruckDriver);
    assert_eq!(entry.region, Some("340104".parse().unwrap()));
    assert_eq!(entry.employer.unwrap().name, "合肥某某物流有限公司");
}

#[test]
fn optional_columns_may_be_empty_and_the_default_occupation_fills_in() {
    let number = id("34010419900101123");
    let context = RosterContext { default_occupation: Some(Occupation::Courier), ..ctx() };
    let entry = parse_row(&row(&[(C::IdNumber, Text(&number)), (C::Mobile, Text("  "))]), &context).unwrap();
    assert_eq!((entry.name, entry.mobile, entry.region, entry.employer), (None, None, None, None));
    assert_eq!(entry.occupation, Occupation::Courier);
    // The row's own occupation wins over the default.
    let own = parse_row(&row(&[(C::IdNumber, Text(&number)), (C::Occupation, Text("外卖骑手"))]), &context);
    assert_eq!(own.unwrap().occupation, Occupation::DeliveryRider);
}

#[test]
fn numbers_that_excel_holds_exactly_are_read() {
    let number = id("34010419900101123");
    let entry = parse_row(
        &row(&[
            (C::IdNumber, Text(&number)),
            (C::Mobile, Number(13_812_345_678.0)),
            (C::Region, Number(340_104.0)),
            (C::Occupation, Text("truck_driver")),
        ]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(entry.mobile.unwrap().as_str(), "13812345678");
    assert_eq!(entry.region.unwrap().to_string(), "340104");
}

#[test]
fn an_id_in_scientific_notation_is_its_own_reason() {
    for value in [
        Number(340_104_199_001_011_234.0),
        Text("3.40104E+17"),
        Text("3.40104e17"),
        Text("３.４０１０４Ｅ＋１７"),
    ] {
        let errors = rejections(&row(&[(C::IdNumber, value), (C::Occupation, Text("快递员"))]));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "id_number.scientific", "{value:?}");
        assert!(errors[0].message_zh.contains("科学计数法"));
        assert!(errors[0].message_en.contains("scientific notation"));
    }
    let shown = &rejections(&row(&[
        (C::IdNumber, Number(3.401_041_990_010_112e17)),
        (C::Occupation, Text("快递员")),
    ]))[0];
    assert_eq!(shown.value_masked, "3.40***E+17");
}

#[test]
fn every_rejection_reason_names_its_column() {
    let good = id("34010419900101123");
    let occupation = (C::Occupation, Text("快递员"));
    let mut bad_checksum = good.clone();
    bad_checksum.replace_range(17.., if good.ends_with('0') { "1" } else { "0" });
    let cases: Vec<(RosterRow<'_>, RosterColumn, &str)> = vec![
        (row(&[occupation]), C::IdNumber, "id_number.missing"),
        (row(&[(C::IdNumber, Text("3401041990")), occupation]), C::IdNumber, "id_number.length"),
        (row(&[(C::IdNumber, Text(&bad_checksum)), occupation]), C::IdNumber, "id_number.checksum"),
        (row(&[(C::IdNumber, Text(&good)), (C::Name, Text("张三3")), occupation]), C::Name, "name.format"),
        (
            row(&[(C::IdNumber, Text(&good)), (C::Mobile, Text("1381234")), occupation]),
            C::Mobile,
            "mobile.format",
        ),
        (row(&[(C::IdNumber, Text(&good))]), C::Occupation, "occupation.missing"),
        (
            row(&[(C::IdNumber, Text(&good)), (C::Occupation, Text("教师"))]),
            C::Occupation,
            "occupation.unknown",
        ),
        (
            row(&[(C::IdNumber, Text(&good)), (C::Region, Text("349999")), occupation]),
            C::Region,
            "region.unknown",
        ),
        (
            row(&[(C::IdNumber, Text(&good)), (C::Address, Text("火星基地1号")), occupation]),
            C::Address,
            "region.not_found",
        ),
        (
            row(&[(C::IdNumber, Text(&good)), (C::Region, Text("安徽省")), occupation]),
            C::Region,
            "region.too_vague",
        ),
        (
            row(&[(C::IdNumber, Text(&good)), (C::EmployerCreditCode, Text("12345")), occupation]),
            C::EmployerCreditCode,
            "employer.credit_code.format",
        ),
    ];
    for (row, column, code) in cases {
        let errors = rejections(&row);
        assert_eq!(errors.len(), 1, "{code}: {errors:?}");
        assert_eq!((errors[0].column, errors[0].code), (column, code));
        assert!(!errors[0].message_zh.is_empty() && !errors[0].message_en.is_empty());
    }
    let long_name = "某".repeat(101);
    assert_eq!(
        only_code(&row(&[(C::IdNumber, Text(&good)), (C::Employer, Text(&long_name)), occupation])),
        (C::Employer, "employer.name")
    );
}

#[test]
fn ambiguous_places_list_the_candidates_and_a_scope_settles_them() {
    let good = id("34010419900101123");
    let the_row =
        row(&[(C::IdNumber, Text(&good)), (C::Region, Text("朝阳区")), (C::Occupation, Text("快递员"))]);
    let errors = rejections(&the_row);
    assert_eq!(errors[0].code, "region.ambiguous");
    assert!(
        errors[0].message_zh.contains("北京市 / 朝阳区")
            && errors[0].message_zh.contains("吉林省 / 长春市 / 朝阳区")
    );
    let beijing = RosterContext { scope: Some("11".parse().unwrap()), ..ctx() };
    assert_eq!(parse_row(&the_row, &beijing).unwrap().region.unwrap().to_string(), "110105");
    // The region column wins over the address.
    let both = row(&[
        (C::IdNumber, Text(&good)),
        (C::Region, Text("340104")),
        (C::Address, Text("朝阳区")),
        (C::Occupation, Text("快递员")),
    ]);
    assert_eq!(parse_row(&both, &ctx()).unwrap().region.unwrap().to_string(), "340104");
}

#[test]
fn every_problem_of_a_row_is_reported_masked() {
    let errors = rejections(&row(&[
        (C::Name, Text("张三3")),
        (C::IdNumber, Text("340104199001011230")),
        (C::Mobile, Text("13812345")),
        (C::Occupation, Text("教师")),
    ]));
    let columns: Vec<RosterColumn> = errors.iter().map(|e| e.column).collect();
    assert_eq!(columns, vec![C::IdNumber, C::Name, C::Mobile, C::Occupation]);
    assert_eq!(errors[0].value_masked, "3401**********1230");
    assert_eq!(errors[1].value_masked, "张**");
    assert_eq!(errors[2].value_masked, "138*****");
    assert_eq!(errors[3].value_masked, "教师");
    let long = rejections(&row(&[(C::IdNumber, Text("x")), (C::Mobile, Text("+86 12812345678"))]));
    assert_eq!(long[1].value_masked, "+86********5678");
}

#[test]
fn roster_states() {
    assert_eq!(RosterState::from_facts(true, true), RosterState::Member);
    assert_eq!(RosterState::from_facts(false, true), RosterState::Pending);
    assert_eq!(RosterState::from_facts(false, false), RosterState::NotMember);
    for state in [RosterState::Member, RosterState::Pending, RosterState::NotMember] {
        assert_eq!(state.code().parse(), Ok(state));
        assert_eq!(state.to_string(), state.code());
        assert!(!state.label_zh().is_empty() && !state.label_en().is_empty());
    }
    assert_eq!("members".parse::<RosterState>(), Err(UnknownRosterState));
}

#[test]
fn a_roster_counts_for_its_union_its_ancestors_imports_and_its_descendants_imports() {
    use crate::OrgId;
    let province = OrgPath::root(OrgId(1));
    let city = province.child(OrgId(5));
    let county = city.child(OrgId(9));
    let other_city = province.child(OrgId(6));
    assert!(roster_counts_for(&city, &city));
    assert!(roster_counts_for(&province, &county), "a province-wide list counts everywhere");
    assert!(roster_counts_for(&county, &city), "a county's list counts for its city");
    assert!(!roster_counts_for(&other_city, &county));
    assert!(!roster_counts_for(&county, &other_city));
}

proptest! {
    #[test]
    fn a_refused_id_number_is_never_shown_whole(digits in "[1-6][0-9]{16}[0-9X]") {
        let errors = parse_row(&row(&[(C::IdNumber, Text(&digits)), (C::Occupation, Text("快递员"))]), &ctx());
        if let Err(errors) = errors {
            for e in errors {
                prop_assert!(!e.value_masked.contains(&digits[4..14]));
            }
        }
    }

    #[test]
    fn parse_row_never_panics(name in any::<String>(), id_text in any::<String>(), place in any::<String>(), n in any::<f64>()) {
        let _ = parse_row(
            &row(&[(C::Name, Text(&name)), (C::IdNumber, Text(&id_text)), (C::Address, Text(&place)), (C::Mobile, Number(n))]),
            &ctx(),
        );
    }
}
