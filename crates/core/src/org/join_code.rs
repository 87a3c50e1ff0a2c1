//! 一会一码: the code in a receiving union's join link (`/j/{code}`) and on its posters.

use std::fmt;

use crate::occupation::Occupation;
use crate::region::RegionCode;

/// A union's join code: a federation's is its region's code (`340104`), an industry
/// federation's adds its first occupation's letter (`3401T`), and a digit when that is
/// taken (`3401T2`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JoinCode(String);

impl JoinCode {
    /// Reads a code as a person types it: trimmed and upper-cased (`3401t` is `3401T`);
    /// `None` when nothing is left.
    pub fn parse(text: &str) -> Option<JoinCode> {
        let code = text.trim().to_ascii_uppercase();
        (!code.is_empty()).then_some(JoinCode(code))
    }

    /// A federation's code: its region's.
    pub fn for_federation(region: RegionCode) -> JoinCode {
        JoinCode(region.to_string())
    }

    /// The code an industry federation serving `occupation` in `region` gets first.
    pub fn for_industry(region: RegionCode, occupation: Occupation) -> JoinCode {
        JoinCode(format!("{region}{}", occupation.join_code_letter()))
    }

    /// The codes to try, in order, for a new industry federation: [`Self::for_industry`],
    /// then the same with 2 to 9 appended when earlier ones are taken.
    pub fn candidates(region: RegionCode, occupation: Occupation) -> Vec<JoinCode> {
        let first = JoinCode::for_industry(region, occupation);
        let numbered = (2..=9).map(|n| JoinCode(format!("{first}{n}")));
        std::iter::once(first.clone()).chain(numbered).collect()
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn region(code: &str) -> RegionCode {
        code.parse().unwrap()
    }

    #[test]
    fn federations_take_their_regions_code() {
        assert_eq!(JoinCode::for_federation(region("3401")).as_str(), "3401");
        assert_eq!(JoinCode::for_federation(region("340104")).to_string(), "340104");
        assert_eq!(JoinCode::for_federation(region("1101")).as_str(), "1101");
    }

    #[test]
    fn industry_candidates_follow_todays_scheme() {
        let codes: Vec<String> = JoinCode::candidates(region("3401"), Occupation::TruckDriver)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            codes,
            ["3401T", "3401T2", "3401T3", "3401T4", "3401T5", "3401T6", "3401T7", "3401T8", "3401T9"]
        );
        for place in ["3401", "340104", "3418"] {
            for occupation in Occupation::ALL {
                // The seeded tree's `{region}{letter}` and the console's digits 2..=9 after it.
                let base = format!("{place}{}", occupation.join_code_letter());
                let today: Vec<String> =
                    std::iter::once(base.clone()).chain((2..=9).map(|n| format!("{base}{n}"))).collect();
                let candidates = JoinCode::candidates(region(place), occupation);
                assert_eq!(candidates.iter().map(JoinCode::as_str).collect::<Vec<_>>(), today);
                assert_eq!(candidates[0], JoinCode::for_industry(region(place), occupation));
            }
        }
    }

    #[test]
    fn typed_codes_are_trimmed_and_upper_cased() {
        assert_eq!(JoinCode::parse(" 3401t2 ").unwrap().as_str(), "3401T2");
        assert_eq!(JoinCode::parse("340104").unwrap(), JoinCode::for_federation(region("340104")));
        assert_eq!(JoinCode::parse(" \t "), None);
        assert_eq!(JoinCode::parse(""), None);
    }
}
