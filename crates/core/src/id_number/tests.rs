use super::*;
use proptest::prelude::*;

const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

fn known(code: &str) -> bool {
    PROVINCES.contains(&code)
}

fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).unwrap()
}

fn today() -> CivilDate {
    date(2026, 6, 15)
}

/// Appends the correct check character to 17 digits.
fn with_check(first17: &str) -> String {
    let arr: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&arr).unwrap())
}

/// A valid number in Beijing Dongcheng born on `birth`.
fn born(birth: CivilDate) -> IdNumber {
    let s = with_check(&format!("110101{:04}{:02}{:02}123", birth.year(), birth.month(), birth.day()));
    IdNumber::parse(&s, today(), known).unwrap()
}

fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
    IdNumber::parse(s, today(), known)
}

#[test]
fn reference_number_is_valid_female() {
    let id = parse("11010519491231002X").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.birth_date(), date(1949, 12, 31));
    assert_eq!(id.sex(), Sex::Female);
    assert_eq!(id.province_code(), "11");
    assert_eq!(id.area_code(), "110105");
}

#[test]
fn odd_17th_digit_is_male() {
    let id = parse(&with_check("11010519491231001")).unwrap();
    assert_eq!(id.sex(), Sex::Male);
}

#[test]
fn sexes_keep_the_stored_codes() {
    // What the join service, `huiji gen` and `bench-store` store today.
    let codes: Vec<_> = Sex::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(codes, ["male", "female"]);
    assert_eq!("female".parse(), Ok(Sex::Female));
    assert!("Male".parse::<Sex>().is_err());
}

#[test]
fn lowercase_x_is_normalised() {
    let id = parse("11010519491231002x").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
}

#[test]
fn full_width_digits_and_spaces_are_normalised() {
    let id = parse("  １１０１０５ １９４９\u{3000}１２３１\t００２ｘ\n").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    let id = parse("110105 19491231 002Ｘ").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
}

#[test]
fn changed_check_char_is_checksum_error() {
    assert_eq!(parse("１１０１０５ １９４９１２３１ ００２1"), Err(IdNumberError::BadChecksum));
    assert_eq!(parse("110105194912310020"), Err(IdNumberError::BadChecksum));
}

#[test]
fn empty_and_blank_are_missing() {
    assert_eq!(parse(""), Err(IdNumberError::Missing));
    assert_eq!(parse(" \u{3000}\t "), Err(IdNumberError::Missing));
}

#[test]
fn wrong_length() {
    assert_eq!(parse("11010519491231002"), Err(IdNumberError::WrongLength { len: 17 }));
    assert_eq!(parse("11010519491231002X1"), Err(IdNumberError::WrongLength { len: 19 }));
    // 15-digit first-generation numbers are not accepted.
    assert_eq!(parse("110105491231002"), Err(IdNumberError::WrongLength { len: 15 }));
}

#[test]
fn letters_or_wide_chars_are_format_errors() {
    assert_eq!(parse("1101051949123A002X"), Err(IdNumberError::BadCharacters));
    assert_eq!(parse("X1010519491231002X"), Err(IdNumberError::BadCharacters));
    assert_eq!(parse("11010519491231002Y"), Err(IdNumberError::BadCharacters));
    // 18 chars but multi-byte: must not be mistaken for a length error.
    assert_eq!(parse("11010519491231002中"), Err(IdNumberError::BadCharacters));
    assert_eq!(parse("身份证号身份证号身份证号身份证号身份"), Err(IdNumberError::BadCharacters));
}

#[test]
fn unknown_province_is_region_error() {
    let s = with_check("99010519491231002");
    assert_eq!(parse(&s), Err(IdNumberError::UnknownProvince));
    // Region is checked before the date.
    let s = with_check("99010519490230002");
    assert_eq!(parse(&s), Err(IdNumberError::UnknownProvince));
}

#[test]
fn impossible_dates_are_date_errors() {
    for first17 in [
        "11010519490230002", // 30 Feb
        "11010518991231002", // before 1900
        "11010519490229002", // 1949 is not a leap year
        "11010519001301002", // month 13
        "11010519490100002", // day 0
        "11010519000229002", // 1900 is not a leap year
    ] {
        assert_eq!(parse(&with_check(first17)), Err(IdNumberError::InvalidBirthDate), "{first17}");
    }
    assert!(parse(&with_check("11010520000229002")).is_ok());
    assert!(parse(&with_check("11010519000101002")).is_ok());
}

#[test]
fn future_birth_date_is_rejected_even_with_correct_check() {
    let s = with_check("11010520991231002");
    assert_eq!(parse(&s), Err(IdNumberError::BirthDateInFuture));
    let tomorrow = with_check("11010520260616002");
    assert_eq!(parse(&tomorrow), Err(IdNumberError::BirthDateInFuture));
    let born_today = parse(&with_check("11010520260615002")).unwrap();
    assert_eq!(born_today.age_on(today()), 0);
}

#[test]
fn turns_sixteen_tomorrow_is_too_young() {
    let id = born(date(2010, 6, 16));
    assert_eq!(id.age_on(today()), 15);
    assert_eq!(id.check_min_age(today(), 16), Err(IdNumberError::TooYoung { min_years: 16 }));
    assert_eq!(id.check_min_age(date(2026, 6, 16), 16), Ok(()));
}

#[test]
fn exactly_sixteen_today_is_ok() {
    let id = born(date(2010, 6, 15));
    assert_eq!(id.age_on(today()), 16);
    assert_eq!(id.check_min_age(today(), 16), Ok(()));
}

#[test]
fn birthday_boundary_from_brief() {
    let id = born(date(2010, 12, 1));
    assert_eq!(id.age_on(date(2026, 11, 30)), 15);
    assert_eq!(id.age_on(date(2026, 12, 1)), 16);
}

#[test]
fn feb_29_birthdays() {
    let id = born(date(2008, 2, 29));
    // Common year: a year older on 1 March, not on 28 February.
    assert_eq!(id.age_on(date(2023, 2, 28)), 14);
    assert_eq!(id.age_on(date(2023, 3, 1)), 15);
    // Leap year: a year older on 29 February itself.
    assert_eq!(id.age_on(date(2024, 2, 28)), 15);
    assert_eq!(id.age_on(date(2024, 2, 29)), 16);
    assert!(id.check_min_age(date(2024, 2, 28), 16).is_err());
    assert!(id.check_min_age(date(2024, 2, 29), 16).is_ok());
    // Before birth the age saturates at zero.
    assert_eq!(id.age_on(date(2000, 1, 1)), 0);
}

#[test]
fn masked_and_debug_hide_the_number() {
    let id = parse(&with_check("34010219800101123")).unwrap();
    assert_eq!(id.masked(), format!("3401**********123{}", &id.as_str()[17..]));
    let x = parse("11010519491231002X").unwrap();
    assert_eq!(x.masked(), "1101**********002X");
    let dbg = format!("{x:?}");
    assert_eq!(dbg, "IdNumber(\"1101**********002X\")");
    assert!(!dbg.contains("19491231"));
}

#[test]
fn error_codes_and_messages() {
    let cases = [
        (IdNumberError::Missing, "id_number.missing"),
        (IdNumberError::WrongLength { len: 17 }, "id_number.length"),
        (IdNumberError::BadCharacters, "id_number.format"),
        (IdNumberError::UnknownProvince, "id_number.region"),
        (IdNumberError::InvalidBirthDate, "id_number.date"),
        (IdNumberError::BirthDateInFuture, "id_number.date"),
        (IdNumberError::BadChecksum, "id_number.checksum"),
        (IdNumberError::TooYoung { min_years: 16 }, "id_number.age"),
    ];
    for (err, code) in cases {
        assert_eq!(err.code(), code);
        assert!(!err.message_zh().is_empty());
        assert_eq!(err.to_string(), err.message_en());
    }
    assert_eq!(IdNumberError::BadChecksum.message_zh(), "身份证号校验位不正确");
    assert_eq!(IdNumberError::BadChecksum.message_en(), "The ID number's check character is wrong");
    assert!(IdNumberError::TooYoung { min_years: 16 }.message_zh().contains("16"));
    let boxed: Box<dyn std::error::Error> = Box::new(IdNumberError::Missing);
    assert_eq!(boxed.to_string(), "Please enter an ID number");
}

#[test]
fn check_char_rejects_non_digits() {
    assert_eq!(check_char(b"1101051949123100A"), None);
    assert_eq!(check_char(b"11010519491231002"), Some('X'));
}

/// 17 digits with a known province and a real birth date in [1900, today].
fn valid_first17() -> impl Strategy<Value = String> {
    let first = date(1900, 1, 1).days_since_epoch();
    let last = today().days_since_epoch();
    (proptest::sample::select(PROVINCES.to_vec()), "[0-9]{4}", first..=last, "[0-9]{3}").prop_map(
        |(prov, area, days, seq)| {
            let b = CivilDate::from_days_since_epoch(days).unwrap();
            format!("{prov}{area}{:04}{:02}{:02}{seq}", b.year(), b.month(), b.day())
        },
    )
}

/// Re-spells ASCII digits and X as full-width and sprinkles whitespace.
fn disguise(s: &str, spaces: &[bool]) -> String {
    let mut out = String::new();
    for (c, &space) in s.chars().zip(spaces.iter().cycle()) {
        out.push(match c {
            '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap(),
            _ => 'ｘ',
        });
        if space {
            out.push('\u{3000}');
        }
    }
    out
}

proptest! {
    #[test]
    fn valid_generated_numbers_parse(first17 in valid_first17()) {
        let s = with_check(&first17);
        let id = parse(&s).unwrap();
        prop_assert_eq!(id.as_str(), s.as_str());
        prop_assert_eq!(id.birth_date().to_string().replace('-', ""), &s[6..14]);
        let male = (s.as_bytes()[16] - b'0') % 2 == 1;
        prop_assert_eq!(id.sex() == Sex::Male, male);
    }

    #[test]
    fn disguised_numbers_normalise(
        first17 in valid_first17(),
        spaces in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let s = with_check(&first17);
        let id = parse(&disguise(&s, &spaces)).unwrap();
        prop_assert_eq!(id.as_str(), s.as_str());
    }

    #[test]
    fn any_single_change_is_rejected(
        first17 in valid_first17(),
        idx in 0usize..18,
        k in 1usize..10,
    ) {
        let s = with_check(&first17);
        let mut chars: Vec<char> = s.chars().collect();
        // The check position may also hold X; the others only digits.
        let alphabet: Vec<char> = if idx == 17 { "0123456789X" } else { "0123456789" }
            .chars()
            .collect();
        let pos = alphabet.iter().position(|&c| c == chars[idx]).unwrap();
        chars[idx] = alphabet[(pos + k) % alphabet.len()];
        let changed: String = chars.into_iter().collect();
        prop_assert_ne!(&changed, &s);
        prop_assert!(parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn masked_never_shows_middle(first17 in valid_first17()) {
        let id = parse(&with_check(&first17)).unwrap();
        let masked = id.masked();
        prop_assert_eq!(masked.chars().count(), 18);
        prop_assert_eq!(&masked[..4], &id.as_str()[..4]);
        prop_assert_eq!(&masked[4..14], "**********");
        prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
        let dbg = format!("{id:?}");
        prop_assert!(!dbg.contains(id.as_str()));
        prop_assert!(!dbg.contains(&id.as_str()[6..14]));
    }

    #[test]
    fn parse_never_panics_on_unicode(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn parse_never_panics_on_id_like_text(s in "[0-9xX０-９Ｘｘ 　中]{0,25}") {
        if let Ok(id) = parse(&s) {
            prop_assert_eq!(id.as_str().len(), 18);
        }
    }
}

#[test]
fn mask_works_on_stored_text() {
    assert_eq!(super::mask("11010519491231002X"), "1101**********002X");
    assert_eq!(super::mask("12345678"), "********");
    assert_eq!(super::mask(""), "");
}
