//! Member numbers: unique, readable and typo-proof.

use std::fmt;

use crate::region::RegionCode;
use crate::time::Timestamp;

/// A member number: province (2 digits) + year of joining (2) + serial (8) + a Luhn check
/// digit, e.g. `3426000000129`. The check digit catches any single mistyped digit and
/// most swaps of neighbours when a station officer keys a number in by hand.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberNumber(String);

/// The serial does not fit in 8 digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("member serial out of range")]
pub struct SerialOutOfRange;

fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

impl MemberNumber {
    /// Makes the number of the `serial`-th membership, joined in `year` in a province.
    pub fn new(province: &str, year: i32, serial: u64) -> Result<MemberNumber, SerialOutOfRange> {
        if serial >= 100_000_000 || province.len() != 2 || !province.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SerialOutOfRange);
        }
        let body = format!("{province}{:02}{serial:08}", year.rem_euclid(100));
        let check = luhn_check_digit(&body);
        Ok(MemberNumber(format!("{body}{check}")))
    }

    /// The number of the `serial`-th membership (its id), joined at `joined_at` by a
    /// person whose application names `region`: the province of that region and the year
    /// in China at joining.
    pub fn for_region(
        region: RegionCode,
        joined_at: Timestamp,
        serial: u64,
    ) -> Result<MemberNumber, SerialOutOfRange> {
        MemberNumber::new(&region.province().to_string(), joined_at.china_date().year(), serial)
    }

    /// Reads a number as printed or typed (spaces allowed); `None` if malformed or the
    /// check digit is wrong.
    pub fn parse(text: &str) -> Option<MemberNumber> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (body, check) = digits.split_at(12);
        (luhn_check_digit(body).to_string() == check).then_some(MemberNumber(digits))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud and printing: `34 26 00000012 9`.
    pub fn grouped(&self) -> String {
        let s = &self.0;
        format!("{} {} {} {}", &s[..2], &s[2..4], &s[4..12], &s[12..])
    }
}

impl fmt::Display for MemberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_round_trip_and_catch_typos() {
        let number = MemberNumber::new("34", 2026, 12).unwrap();
        assert_eq!(number.as_str().len(), 13);
        assert!(number.as_str().starts_with("342600000012"));
        assert_eq!(MemberNumber::parse(number.as_str()), Some(number.clone()));
        assert_eq!(MemberNumber::parse(&number.grouped()), Some(number.clone()));
        let digits: Vec<u8> = number.as_str().bytes().collect();
        for i in 0..digits.len() {
            for d in b'0'..=b'9' {
                if d == digits[i] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap();
                assert_eq!(MemberNumber::parse(&typo), None, "{typo}");
            }
        }
        assert!(MemberNumber::new("34", 2026, 100_000_000).is_err());
        assert_eq!(MemberNumber::parse("abc"), None);
    }

    #[test]
    fn numbers_for_anhui_regions_are_todays() {
        use crate::region::{RegionLevel, RegionTable};
        let table = RegionTable::national();
        let anhui: RegionCode = "34".parse().unwrap();
        // 2025-12-31 16:30 UTC is already 2026 in China; a minute before 16:00 it is 2025.
        let new_year = Timestamp(1_767_198_600_000);
        let old_year = Timestamp(1_767_196_740_000);
        assert_eq!((new_year.china_date().year(), old_year.china_date().year()), (2026, 2025));
        let levels = [RegionLevel::Province, RegionLevel::City, RegionLevel::County, RegionLevel::Township];
        let regions = levels.iter().flat_map(|level| table.descendants_at(anhui, *level));
        let mut checked = 0;
        for (i, region) in regions.enumerate() {
            let serial = [1, 12, 99_999_999, 4_096 + i as u64][i % 4];
            for at in [new_year, old_year] {
                // The store's rule today: the first two characters of the stored region
                // code, the China year of the approval.
                let text = region.code.to_string();
                let today =
                    MemberNumber::new(text.get(..2).unwrap(), at.china_date().year(), serial).unwrap();
                assert_eq!(MemberNumber::for_region(region.code, at, serial).unwrap(), today, "{text}");
                checked += 1;
            }
        }
        assert_eq!(checked, 2 * (1 + 16 + 119 + 1685));
        let shushan = "340104".parse().unwrap();
        assert_eq!(MemberNumber::for_region(shushan, new_year, 12).unwrap().as_str(), "3426000000129");
        assert_eq!(MemberNumber::for_region(shushan, old_year, 12).unwrap().as_str()[..4], *"3425");
        assert!(MemberNumber::for_region(shushan, new_year, 100_000_000).is_err());
    }
}
