//! What a worker files on `/legal`, checked field by field, and the rating given later.

use std::fmt;

use super::CaseCategory;
use crate::joining::{FieldError, parse_region};
use crate::mobile::Mobile;
use crate::money::Amount;
use crate::region::{RegionCode, RegionTable};

/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// Longest employer or platform name.
const MAX_PARTY_CHARS: usize = 100;

/// What the worker describes: 1–2,000 characters, trimmed, line breaks normalised.
/// May hold personal data: shown only to the handling subtree, purged after retention.
#[derive(Clone, PartialEq, Eq)]
pub struct CaseDescription(String);

/// Why a description was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// Nothing written.
    #[error("description missing")]
    Missing,
    /// Over the limit; carries the length found.
    #[error("description too long ({chars} characters)")]
    TooLong {
        /// Characters after trimming.
        chars: usize,
    },
}

impl CaseDescription {
    /// Checks and normalises.
    ///
    /// # Errors
    ///
    /// [`DescriptionError`].
    pub fn parse(text: &str) -> Result<CaseDescription, DescriptionError> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        match text.chars().count() {
            0 => Err(DescriptionError::Missing),
            chars if chars > MAX_DESCRIPTION_CHARS => Err(DescriptionError::TooLong { chars }),
            _ => Ok(CaseDescription(text.to_owned())),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CaseDescription {
    /// Only the length: descriptions may hold personal data and must not reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseDescription({} chars)", self.0.chars().count())
    }
}

/// A worker's rating of a closed case, 1 (poor) to 5 (excellent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    /// `None` outside 1–5.
    pub const fn new(stars: u8) -> Option<Rating> {
        if stars >= 1 && stars <= 5 { Some(Rating(stars)) } else { None }
    }

    /// A form value ("4").
    pub fn parse(text: &str) -> Option<Rating> {
        text.trim().parse().ok().and_then(Rating::new)
    }

    /// 1–5.
    pub const fn stars(self) -> u8 {
        self.0
    }
}

/// The `/legal` form as typed.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaseForm<'a> {
    /// A [`CaseCategory`] code.
    pub category: &'a str,
    /// Employer or platform (optional).
    pub party: &'a str,
    /// Amount involved in yuan (optional).
    pub amount: &'a str,
    /// Work region: a county-level code.
    pub region_code: &'a str,
    /// What happened.
    pub description: &'a str,
    /// The worker's mobile (verified by SMS separately).
    pub mobile: &'a str,
}

/// A checked case filing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSubmission {
    /// What it is about.
    pub category: CaseCategory,
    /// Employer or platform, if named.
    pub party: Option<String>,
    /// Amount involved, if given.
    pub amount_involved: Option<Amount>,
    /// County-level work region: routes the case to that region's federation.
    pub region: RegionCode,
    /// What happened.
    pub description: CaseDescription,
    /// Where to reach the worker.
    pub mobile: Mobile,
}

/// Checks every field and reports every problem, like the join form.
///
/// # Errors
///
/// One [`FieldError`] per bad field (`category`, `party`, `amount`, `region_code`,
/// `description`, `mobile`).
pub fn parse_case_form(
    form: &CaseForm<'_>,
    regions: &RegionTable,
) -> Result<CaseSubmission, Vec<FieldError>> {
    let mut errors = Vec::new();
    let category = form.category.trim().parse::<CaseCategory>().ok();
    if category.is_none() {
        errors.push(FieldError::new(
            "category",
            "category.unknown",
            "请选择求助类别",
            "Choose what the case is about",
        ));
    }
    let party = form.party.trim();
    if party.chars().count() > MAX_PARTY_CHARS || party.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "party",
            "party.too_long",
            "单位或平台名称不能超过100个字",
            "The employer's or platform's name is at most 100 characters",
        ));
    }
    let amount = if form.amount.trim().is_empty() {
        None
    } else {
        Amount::parse(form.amount)
            .map_err(|e| {
                errors.push(FieldError::new(
                    "amount",
                    e.code(),
                    "涉及金额应为不超过两位小数的数字（元）",
                    "The amount must be a number of yuan with at most two decimals",
                ))
            })
            .ok()
    };
    let region = parse_region(form.region_code, regions).map_err(|e| errors.push(e)).ok();
    let description = CaseDescription::parse(form.description)
        .map_err(|e| {
            let (code, zh, en) = match e {
                DescriptionError::Missing => (
                    "description.missing",
                    "请描述遇到的问题".to_owned(),
                    "Describe what happened".to_owned(),
                ),
                DescriptionError::TooLong { chars } => (
                    "description.too_long",
                    format!("问题描述不能超过{MAX_DESCRIPTION_CHARS}字，当前{chars}字"),
                    format!("The description is at most {MAX_DESCRIPTION_CHARS} characters (got {chars})"),
                ),
            };
            errors.push(FieldError::new("description", code, zh, en));
        })
        .ok();
    let mobile = Mobile::parse(form.mobile)
        .map_err(|e| errors.push(FieldError::new("mobile", e.code(), e.message_zh(), e.message_en())))
        .ok();
    match (category, region, description, mobile) {
        (Some(category), Some(region), Some(description), Some(mobile)) if errors.is_empty() => {
            Ok(CaseSubmission {
                category,
                party: (!party.is_empty()).then(|| party.to_owned()),
                amount_involved: amount,
                region,
                description,
                mobile,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form() -> CaseForm<'static> {
        CaseForm {
            category: "wage_arrears",
            party: " 某物流公司 ",
            amount: "12,000",
            region_code: "340104",
            description: "三个月工资未发。\r\n老板失联。",
            mobile: "138 0013 8000",
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let case = parse_case_form(&form(), RegionTable::national()).unwrap();
        assert_eq!(case.category, CaseCategory::WageArrears);
        assert_eq!(case.party.as_deref(), Some("某物流公司"));
        assert_eq!(case.amount_involved, Amount::from_yuan(12_000));
        assert_eq!(case.region.to_string(), "340104");
        assert_eq!(case.description.as_str(), "三个月工资未发。\n老板失联。");
        assert_eq!(format!("{:?}", case.description), "CaseDescription(14 chars)");
        let minimal = CaseForm { party: "", amount: " ", ..form() };
        let case = parse_case_form(&minimal, RegionTable::national()).unwrap();
        assert_eq!((case.party, case.amount_involved), (None, None));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let long = "字".repeat(MAX_DESCRIPTION_CHARS + 1);
        let bad = CaseForm {
            category: "fraud",
            party: &"厂".repeat(101),
            amount: "-3",
            region_code: "3401",
            description: &long,
            mobile: "12345",
        };
        let errors = parse_case_form(&bad, RegionTable::national()).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "category.unknown",
                "party.too_long",
                "amount.format",
                "region_code.unknown",
                "description.too_long",
                "mobile.format"
            ]
        );
        assert!(errors[4].message_zh.contains("2001"));
    }

    #[test]
    fn descriptions_and_ratings() {
        assert_eq!(CaseDescription::parse(" \n "), Err(DescriptionError::Missing));
        assert!(CaseDescription::parse(&"字".repeat(MAX_DESCRIPTION_CHARS)).is_ok());
        assert_eq!(
            CaseDescription::parse(&format!(" {} ", "a".repeat(MAX_DESCRIPTION_CHARS + 1))),
            Err(DescriptionError::TooLong { chars: MAX_DESCRIPTION_CHARS + 1 })
        );
        assert_eq!(Rating::parse(" 5 ").map(Rating::stars), Some(5));
        for bad in ["0", "6", "", "4.5", "five"] {
            assert_eq!(Rating::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn ratings_are_exactly_one_to_five(stars in any::<u8>()) {
            prop_assert_eq!(Rating::new(stars).is_some(), (1..=5).contains(&stars));
        }
    }
}
