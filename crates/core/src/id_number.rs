//! Chinese resident identity card number (GB 11643-1999), 18-character form.
//!
//! Parsing is the only way to obtain an [`IdNumber`], so holding one proves
//! the number is well formed, has a known province, a real past birth date and
//! a correct check character. The minimum-age rule is a separate step because
//! it depends on the use case, not on the number itself.

use std::fmt;

use crate::civil_date::{CivilDate, parse_digits};
use crate::labelled::coded_enum;

/// ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by (weighted sum mod 11).
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Earliest accepted birth year; older dates are almost certainly typos.
const MIN_BIRTH_YEAR: i32 = 1900;

/// A validated, normalised 18-character resident ID number.
///
/// `Debug` prints only the masked form, and there is deliberately no
/// `Display`, so the full number cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    number: String,
    birth: CivilDate,
}

coded_enum!(
    /// Sex as encoded by the 17th digit (odd = male, even = female); the code is what
    /// applications and memberships store.
    Sex {
        /// Odd 17th digit.
        Male = "male",
        /// Even 17th digit.
        Female = "female",
    }
);

/// Why an ID number was rejected; see [`IdNumberError::code`] for API codes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IdNumberError {
    /// Nothing left after removing whitespace.
    Missing,
    /// Not 18 characters after normalisation; carries the length found.
    WrongLength {
        /// Number of characters after normalisation.
        len: usize,
    },
    /// First 17 are not all digits, or the last is neither a digit nor X.
    BadCharacters,
    /// The two-digit province code is not a known region.
    UnknownProvince,
    /// Digits 7–14 are not a real date, or the year is before 1900.
    InvalidBirthDate,
    /// The birth date is after "today".
    BirthDateInFuture,
    /// The check character does not match the first 17 digits.
    BadChecksum,
    /// The holder is younger than the required minimum age.
    TooYoung {
        /// The minimum age, in whole years, that was required.
        min_years: u32,
    },
}

impl IdNumberError {
    /// Stable API error code, e.g. `id_number.checksum`.
    ///
    /// A future birth date shares `id_number.date` with an impossible one:
    /// clients treat both as "the date part is wrong".
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "id_number.missing",
            Self::WrongLength { .. } => "id_number.length",
            Self::BadCharacters => "id_number.format",
            Self::UnknownProvince => "id_number.region",
            Self::InvalidBirthDate | Self::BirthDateInFuture => "id_number.date",
            Self::BadChecksum => "id_number.checksum",
            Self::TooYoung { .. } => "id_number.age",
        }
    }

    /// User-facing message in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Missing => "请填写身份证号".to_owned(),
            Self::WrongLength { len } => format!("身份证号应为18位，当前为{len}位"),
            Self::BadCharacters => "身份证号格式不正确，前17位应为数字，最后一位为数字或X".to_owned(),
            Self::UnknownProvince => "身份证号的地区代码不存在".to_owned(),
            Self::InvalidBirthDate => "身份证号中的出生日期无效".to_owned(),
            Self::BirthDateInFuture => "身份证号中的出生日期晚于今天".to_owned(),
            Self::BadChecksum => "身份证号校验位不正确".to_owned(),
            Self::TooYoung { min_years } => format!("未满{min_years}周岁，不符合入会年龄要求"),
        }
    }

    /// User-facing message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Missing => "Please enter an ID number".to_owned(),
            Self::WrongLength { len } => {
                format!("The ID number must be 18 characters long (got {len})")
            }
            Self::BadCharacters => "The ID number must be 17 digits followed by a digit or X".to_owned(),
            Self::UnknownProvince => "The ID number's region code does not exist".to_owned(),
            Self::InvalidBirthDate => "The ID number's birth date is not a valid date".to_owned(),
            Self::BirthDateInFuture => "The ID number's birth date is in the future".to_owned(),
            Self::BadChecksum => "The ID number's check character is wrong".to_owned(),
            Self::TooYoung { min_years } => {
                format!("You must be at least {min_years} years old to join")
            }
        }
    }
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for IdNumberError {}

/// The MOD 11-2 check character for 17 ASCII digits; `None` if any byte is
/// not an ASCII digit.
///
/// Public so test-data generators can build valid numbers.
pub fn check_char(first17: &[u8; 17]) -> Option<char> {
    let mut sum = 0u32;
    for (&b, &w) in first17.iter().zip(WEIGHTS.iter()) {
        sum += char::from(b).to_digit(10)? * w;
    }
    // sum % 11 is always < 11, so the lookup cannot miss.
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Maps full-width forms to ASCII and upper-cases x; whitespace is dropped.
fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
            'x' | 'Ｘ' | 'ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// Masks a stored ID number the way every page shows one (`3401**********123X`): the
/// first and last 4 characters kept, everything between starred. Works on any text, so a
/// decrypted value can be masked without parsing it again; text of 8 characters or fewer
/// is starred whole.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl IdNumber {
    /// Normalises and validates `input`.
    ///
    /// `today` is passed in so callers (and tests) control time;
    /// `known_province` says whether a two-digit province code exists, so the
    /// region table lives with the caller rather than being frozen in here.
    ///
    /// # Errors
    ///
    /// The first failing check, in order: missing, length, characters,
    /// province, birth date (invalid, then future), check character.
    pub fn parse(
        input: &str,
        today: CivilDate,
        known_province: impl Fn(&str) -> bool,
    ) -> Result<IdNumber, IdNumberError> {
        let number = normalise(input);
        if number.is_empty() {
            return Err(IdNumberError::Missing);
        }
        let len = number.chars().count();
        if len != 18 {
            return Err(IdNumberError::WrongLength { len });
        }
        // 18 chars may still include multi-byte ones; the conversion to a
        // 17-byte array only succeeds when every char is a single byte.
        let bytes = number.as_bytes();
        let Some((&last, first17)) = bytes.split_last() else {
            return Err(IdNumberError::Missing);
        };
        let Ok(first17) = <&[u8; 17]>::try_from(first17) else {
            return Err(IdNumberError::BadCharacters);
        };
        if !first17.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
            return Err(IdNumberError::BadCharacters);
        }
        if !known_province(&number[..2]) {
            return Err(IdNumberError::UnknownProvince);
        }
        let birth = birth_date_from(first17).ok_or(IdNumberError::InvalidBirthDate)?;
        if birth > today {
            return Err(IdNumberError::BirthDateInFuture);
        }
        if check_char(first17) != Some(char::from(last)) {
            return Err(IdNumberError::BadChecksum);
        }
        Ok(IdNumber { number, birth })
    }

    /// The normalised 18-character number (sensitive: avoid logging it).
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> CivilDate {
        self.birth
    }

    /// Sex from the parity of the 17th digit.
    pub fn sex(&self) -> Sex {
        // b'0' is even, so an ASCII digit's byte has the digit's parity.
        match self.number.as_bytes().get(16) {
            Some(d) if d % 2 == 1 => Sex::Male,
            _ => Sex::Female,
        }
    }

    /// Two-digit province-level code, e.g. `11` for Beijing.
    pub fn province_code(&self) -> &str {
        &self.number[..2]
    }

    /// Six-digit administrative division code (as at time of issue).
    pub fn area_code(&self) -> &str {
        &self.number[..6]
    }

    /// First 4 and last 4 characters with the 10 in between (which include
    /// the birth date) replaced by `*`, e.g. `3401**********123X`.
    pub fn masked(&self) -> String {
        mask(&self.number)
    }

    /// Age in completed years on `date`; 0 if `date` is before the birth.
    ///
    /// A 29 February birthday counts as reached on 1 March in common years,
    /// because (3, 1) sorts after (2, 29).
    pub fn age_on(&self, date: CivilDate) -> u32 {
        self.birth.whole_years_until(date)
    }

    /// `Ok` if the holder is at least `min_years` old on `today`.
    ///
    /// # Errors
    ///
    /// [`IdNumberError::TooYoung`] if the holder is younger than `min_years`.
    pub fn check_min_age(&self, today: CivilDate, min_years: u32) -> Result<(), IdNumberError> {
        if self.age_on(today) >= min_years { Ok(()) } else { Err(IdNumberError::TooYoung { min_years }) }
    }
}

/// Birth date from digits 7–14 (YYYYMMDD); `None` if not a real date ≥ 1900.
fn birth_date_from(first17: &[u8; 17]) -> Option<CivilDate> {
    let year = i32::try_from(parse_digits(&first17[6..10])?).ok()?;
    let month = u8::try_from(parse_digits(&first17[10..12])?).ok()?;
    let day = u8::try_from(parse_digits(&first17[12..14])?).ok()?;
    if year < MIN_BIRTH_YEAR {
        return None;
    }
    CivilDate::new(year, month, day)
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests;
