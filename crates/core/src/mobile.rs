//! Mainland China mobile phone number.
//!
//! Members type numbers in many shapes (`+86 138-1234-5678`, full-width
//! digits from a Chinese IME, `0086…`); parsing folds them all into the bare
//! 11-digit form so one member cannot register twice under two spellings.

use std::fmt;

/// A validated 11-digit mainland mobile number matching `1[3-9]\d{9}`.
///
/// `Debug` prints only the masked form and there is deliberately no
/// `Display`: the number is personal data and must not leak into logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

/// Why a mobile number was rejected; see [`MobileError::code`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MobileError {
    /// Nothing left after removing separators.
    Missing,
    /// Not an 11-digit mainland mobile number (after removing any +86).
    Format,
}

impl MobileError {
    /// Stable API error code, e.g. `mobile.format`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "mobile.missing",
            Self::Format => "mobile.format",
        }
    }

    /// User-facing message in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Missing => "请填写手机号",
            Self::Format => "手机号格式不正确，应为11位中国大陆手机号",
        }
        .to_owned()
    }

    /// User-facing message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Missing => "Please enter a mobile number",
            Self::Format => "The mobile number must be an 11-digit mainland China mobile number",
        }
        .to_owned()
    }
}

impl fmt::Display for MobileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for MobileError {}

/// Drops whitespace and dashes (ASCII and full-width); maps full-width
/// digits and plus sign to ASCII. Anything else is kept so it fails later.
fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|&c| !c.is_whitespace() && !matches!(c, '-' | '－' | '‐' | '–' | '—'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
            '＋' => '+',
            other => other,
        })
        .collect()
}

/// Removes a China country-code prefix.
///
/// A bare `86` is only treated as a prefix when it leaves exactly 11 digits,
/// because a national number could in principle start with other digits.
fn strip_country_code(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("+86") {
        rest
    } else if let Some(rest) = s.strip_prefix("0086").filter(|r| r.len() == 11) {
        rest
    } else if let Some(rest) = s.strip_prefix("86").filter(|r| r.len() == 11) {
        rest
    } else {
        s
    }
}

/// Whether `s` matches `1[3-9]\d{9}`.
fn is_mainland_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

impl Mobile {
    /// Normalises and validates `input`.
    ///
    /// # Errors
    ///
    /// [`MobileError::Missing`] if blank, [`MobileError::Format`] otherwise.
    pub fn parse(input: &str) -> Result<Mobile, MobileError> {
        let normalised = normalise(input);
        if normalised.is_empty() {
            return Err(MobileError::Missing);
        }
        let national = strip_country_code(&normalised);
        if is_mainland_mobile(national) { Ok(Mobile(national.to_owned())) } else { Err(MobileError::Format) }
    }

    /// The bare 11-digit number (sensitive: avoid logging it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 3 and last 4 digits, e.g. `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> String {
        Mobile::parse(s).unwrap().as_str().to_owned()
    }

    #[test]
    fn accepts_plain_and_decorated_forms() {
        for input in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-13812345678",
            "8613812345678",
            "008613812345678",
            "0086 138 1234 5678",
            "１３８１２３４５６７８",
            "＋８６\u{3000}１３８－１２３４－５６７８",
        ] {
            assert_eq!(ok(input), "13812345678", "{input}");
        }
    }

    #[test]
    fn accepts_all_second_digits_3_to_9() {
        for second in 3..=9 {
            let s = format!("1{second}012345678");
            assert_eq!(ok(&s), s);
        }
    }

    #[test]
    fn blank_is_missing() {
        assert_eq!(Mobile::parse(""), Err(MobileError::Missing));
        assert_eq!(Mobile::parse(" \u{3000} - "), Err(MobileError::Missing));
    }

    #[test]
    fn rejects_bad_numbers() {
        for input in [
            "12812345678",       // second digit 2
            "10812345678",       // second digit 0
            "23812345678",       // does not start with 1
            "1381234567",        // 10 digits
            "138123456789",      // 12 digits
            "+85213812345678",   // Hong Kong country code
            "+8613812345678 1",  // trailing extra digit
            "(138)12345678",     // parentheses are not stripped
            "138.1234.5678",     // dots are not separators here
            "138１２３４567a",   // letter
            "+",                 // only a plus
            "861381234567",      // 86 prefix but only 10 digits left
            "00861381234567890", // 0086 with too many digits
        ] {
            assert_eq!(Mobile::parse(input), Err(MobileError::Format), "{input}");
        }
    }

    #[test]
    fn masked_and_debug() {
        let m = Mobile::parse("13812345678").unwrap();
        assert_eq!(m.masked(), "138****5678");
        assert_eq!(format!("{m:?}"), "Mobile(\"138****5678\")");
    }

    #[test]
    fn codes_and_messages() {
        assert_eq!(MobileError::Missing.code(), "mobile.missing");
        assert_eq!(MobileError::Format.code(), "mobile.format");
        assert_eq!(MobileError::Format.message_zh(), "手机号格式不正确，应为11位中国大陆手机号");
        for e in [MobileError::Missing, MobileError::Format] {
            assert_eq!(e.to_string(), e.message_en());
            assert!(!e.message_zh().is_empty());
        }
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(s in "1[3-9][0-9]{9}") {
            prop_assert_eq!(ok(&s), s.clone());
            prop_assert_eq!(ok(&format!("+86 {s}")), s.clone());
            prop_assert_eq!(ok(&format!("0086{s}")), s.clone());
            prop_assert_eq!(ok(&format!("86{s}")), s);
        }

        #[test]
        fn masked_never_shows_middle(s in "1[3-9][0-9]{9}") {
            let m = Mobile::parse(&s).unwrap();
            let masked = m.masked();
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[..3], &s[..3]);
            prop_assert_eq!(&masked[7..], &s[7..]);
            let dbg = format!("{m:?}");
            prop_assert!(!dbg.contains(&s));
        }

        #[test]
        fn parse_never_panics_on_unicode(s in any::<String>()) {
            let _ = Mobile::parse(&s);
        }

        #[test]
        fn parsed_numbers_always_match_pattern(s in "[+0-9０-９ 　-]{0,20}") {
            if let Ok(m) = Mobile::parse(&s) {
                prop_assert!(is_mainland_mobile(m.as_str()));
            }
        }
    }
}
