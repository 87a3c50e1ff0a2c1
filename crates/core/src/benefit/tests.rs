use super::*;
use crate::id_number::Sex;
use crate::membership::{Channel, MembershipStatus};
use crate::occupation::Occupation;
use proptest::prelude::*;

fn d(y: i32, m: u8, day: u8) -> CivilDate {
    CivilDate::new(y, m, day).unwrap()
}

fn today() -> CivilDate {
    d(2026, 12, 1)
}

/// A 40-year-old male truck driver in 蜀山区 who joined through 卡友地带 in March 2026.
fn driver() -> MemberSnapshot<'static> {
    MemberSnapshot {
        occupation: Occupation::TruckDriver,
        region: "340104".parse().unwrap(),
        status: MembershipStatus::Active,
        joined_on: d(2026, 3, 15),
        channel: Channel::Platform,
        platform: Some("卡友地带"),
        birth_date: Some(d(1986, 6, 1)),
        sex: Sex::Male,
    }
}

fn kayoubao() -> Eligibility {
    Eligibility {
        occupations: vec![Occupation::TruckDriver],
        regions: vec!["34".parse().unwrap()],
        active_only: true,
        joined: Period::new(Some(d(2026, 1, 1)), Some(d(2026, 12, 31))).unwrap(),
        joined_via: Some(JoinedVia::Platform("卡友地带".to_owned())),
        sex: None,
        age: AgeRange::new(Some(18), Some(60)).unwrap(),
    }
}

#[test]
fn an_eligible_member_passes_every_rule() {
    assert_eq!(kayoubao().check(&driver(), today()), Ok(()));
    assert_eq!(Eligibility::default().check(&driver(), today()), Ok(()));
}

#[test]
fn each_rule_fails_alone_and_says_which() {
    let rules = kayoubao();
    let cases: Vec<(MemberSnapshot<'static>, Ineligible)> = vec![
        (MemberSnapshot { status: MembershipStatus::Retained, ..driver() }, Ineligible::Status),
        (MemberSnapshot { occupation: Occupation::Courier, ..driver() }, Ineligible::Occupation),
        (MemberSnapshot { region: "320102".parse().unwrap(), ..driver() }, Ineligible::Region),
        (
            MemberSnapshot { joined_on: d(2025, 12, 31), ..driver() },
            Ineligible::JoinedTooEarly(d(2026, 1, 1)),
        ),
        (
            MemberSnapshot { platform: Some("其他平台"), ..driver() },
            Ineligible::Platform("卡友地带".to_owned()),
        ),
        (
            MemberSnapshot { channel: Channel::Qr, platform: None, ..driver() },
            Ineligible::Platform("卡友地带".to_owned()),
        ),
        (MemberSnapshot { birth_date: Some(d(2008, 12, 2)), ..driver() }, Ineligible::TooYoung(18)),
        (MemberSnapshot { birth_date: Some(d(1965, 12, 1)), ..driver() }, Ineligible::TooOld(60)),
    ];
    for (member, expected) in cases {
        assert_eq!(rules.failures(&member, today()), std::slice::from_ref(&expected), "{expected:?}");
        assert_eq!(rules.check(&member, today()), Err(expected));
    }
    // The age boundaries are inclusive: 18 today and 60 until the 61st birthday.
    assert_eq!(
        rules.check(&MemberSnapshot { birth_date: Some(d(2008, 12, 1)), ..driver() }, today()),
        Ok(())
    );
    assert_eq!(
        rules.check(&MemberSnapshot { birth_date: Some(d(1965, 12, 2)), ..driver() }, today()),
        Ok(())
    );
    let late =
        Eligibility { joined: Period::new(None, Some(d(2026, 3, 14))).unwrap(), ..Eligibility::default() };
    assert_eq!(late.check(&driver(), today()), Err(Ineligible::JoinedTooLate(d(2026, 3, 14))));
    let screening = Eligibility { sex: Some(Sex::Female), ..Eligibility::default() };
    assert_eq!(screening.check(&driver(), today()), Err(Ineligible::Sex(Sex::Female)));
    let portal_only =
        Eligibility { joined_via: Some(JoinedVia::Channel(Channel::Portal)), ..Eligibility::default() };
    assert_eq!(portal_only.check(&driver(), today()), Err(Ineligible::Channel(Channel::Portal)));
    // A retained member is still eligible where active status is not required, a
    // withdrawn one never.
    let anyone = Eligibility::default();
    assert_eq!(
        anyone.check(&MemberSnapshot { status: MembershipStatus::Retained, ..driver() }, today()),
        Ok(())
    );
    assert_eq!(
        anyone.check(&MemberSnapshot { status: MembershipStatus::Withdrawn, ..driver() }, today()),
        Err(Ineligible::Status)
    );
}

#[test]
fn several_failures_are_all_listed_in_order() {
    let member = MemberSnapshot {
        occupation: Occupation::Courier,
        sex: Sex::Male,
        birth_date: Some(d(2010, 1, 1)),
        ..driver()
    };
    let rules = Eligibility { sex: Some(Sex::Female), ..kayoubao() };
    let codes: Vec<_> = rules.failures(&member, today()).iter().map(Ineligible::code).collect();
    assert_eq!(
        codes,
        ["benefit.ineligible.occupation", "benefit.ineligible.sex", "benefit.ineligible.age_min"]
    );
}

#[test]
fn grants_are_refused_with_a_reason() {
    let rules = ProgrammeRules {
        mode: GrantMode::Claim,
        period: Period::new(Some(d(2026, 1, 1)), Some(d(2026, 12, 31))).unwrap(),
        eligibility: kayoubao(),
    };
    let quota = Quota { total: 10, granted: 3 };
    assert_eq!(rules.check_grant(GrantMode::Claim, &driver(), today(), false, quota), Ok(()));
    assert_eq!(rules.check_grant(GrantMode::Officer, &driver(), today(), false, quota), Ok(()));
    assert_eq!(
        rules.check_grant(GrantMode::Claim, &driver(), d(2027, 1, 1), false, quota),
        Err(GrantRefusal::OutsidePeriod)
    );
    assert_eq!(
        rules.check_grant(GrantMode::OnApproval, &driver(), today(), false, quota),
        Err(GrantRefusal::NotClaimable)
    );
    assert_eq!(
        rules.check_grant(GrantMode::Claim, &driver(), today(), true, quota),
        Err(GrantRefusal::AlreadyGranted)
    );
    let full = Quota { total: 10, granted: 10 };
    assert_eq!(
        rules.check_grant(GrantMode::Claim, &driver(), today(), false, full),
        Err(GrantRefusal::QuotaExhausted)
    );
    let courier = MemberSnapshot { occupation: Occupation::Courier, ..driver() };
    let refusal = rules.check_grant(GrantMode::Claim, &courier, today(), false, quota).unwrap_err();
    assert_eq!(refusal.code(), "benefit.ineligible.occupation");
    assert_eq!(refusal.message_zh(), "不符合领取条件：您的从业类型不在本项目范围内");
    assert_eq!(refusal.message_en(), "Not eligible: your occupation is not covered");
    assert_eq!(Quota { total: 3, granted: 5 }.remaining(), 0);
}

#[test]
fn periods_and_age_ranges_refuse_inverted_bounds() {
    assert_eq!(Period::new(Some(d(2026, 2, 1)), Some(d(2026, 1, 1))), None);
    assert_eq!(AgeRange::new(Some(60), Some(18)), None);
    let p = Period::new(Some(d(2026, 1, 1)), None).unwrap();
    assert!(p.contains(d(2099, 1, 1)) && !p.contains(d(2025, 12, 31)));
    assert!(Period::ALWAYS.contains(d(1900, 1, 1)));
    assert_eq!(p.from(), Some(d(2026, 1, 1)));
    assert_eq!(p.until(), None);
    assert_eq!(Ineligible::TooOld(60).message_zh(), "仅限60周岁及以下");
    assert_eq!(Ineligible::Channel(Channel::Qr).message_zh(), "仅限通过工会二维码入会的会员");
}

proptest! {
    #[test]
    fn check_fails_exactly_when_some_rule_fails(
        occupation in 0usize..10,
        birth in 0i64..30_000,
        joined in 19_000i64..21_000,
        female in any::<bool>(),
    ) {
        let member = MemberSnapshot {
            occupation: Occupation::ALL[occupation],
            birth_date: CivilDate::from_days_since_epoch(birth - 10_000),
            joined_on: CivilDate::from_days_since_epoch(joined).unwrap(),
            sex: if female { Sex::Female } else { Sex::Male },
            ..driver()
        };
        let rules = kayoubao();
        let failures = rules.failures(&member, today());
        prop_assert_eq!(rules.check(&member, today()).err(), failures.first().cloned());
        let age = member.birth_date.unwrap().whole_years_until(today());
        prop_assert_eq!(failures.contains(&Ineligible::TooYoung(18)), age < 18);
        prop_assert_eq!(failures.contains(&Ineligible::TooOld(60)), age > 60);
    }
}

#[test]
fn an_unknown_birth_date_fails_an_age_rule_only() {
    let unknown = MemberSnapshot { birth_date: None, ..driver() };
    assert_eq!(kayoubao().check(&unknown, today()), Err(Ineligible::TooYoung(18)));
    let no_age = Eligibility { age: AgeRange::default(), ..kayoubao() };
    assert_eq!(no_age.check(&unknown, today()), Ok(()));
    let max_only = Eligibility { age: AgeRange::new(None, Some(60)).unwrap(), ..kayoubao() };
    assert_eq!(max_only.check(&unknown, today()), Err(Ineligible::TooOld(60)));
}

#[test]
fn the_grant_sms_names_the_programme_its_validity_and_hotline() {
    assert_eq!(
        grant_text("意外伤害保险", Some(d(2027, 3, 1)), Some("95519")),
        "【会籍】工会为您发放了“意外伤害保险”，有效期至2027-03-01，咨询电话95519。可在会员卡页面查看。"
    );
    assert_eq!(grant_text("体检", None, None), "【会籍】工会为您发放了“体检”。可在会员卡页面查看。");
}
