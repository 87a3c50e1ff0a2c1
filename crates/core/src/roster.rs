//! Real-name rosters (实名制花名册): the lists departments and platforms hand the
//! federation. This module knows the columns such files have (in their many Chinese
//! spellings) and reads one row into a [`RosterEntry`] through the same parsers joining
//! uses — or into every reason the row is refused, each with its column and the value
//! masked, so nothing is dropped silently.
//!
//! Strict on purpose: any non-empty value that does not parse refuses the row. Importing
//! is idempotent, so an operator fixes the rejected rows and imports the file again.

use std::fmt;
use std::str::FromStr;

use crate::address::{PlaceError, RegionNames};
use crate::civil_date::CivilDate;
use crate::id_number::{self, IdNumber};
use crate::joining::{Employer, parse_employer};
use crate::mobile::Mobile;
use crate::occupation::Occupation;
use crate::org::OrgPath;
use crate::person_name::PersonName;
use crate::region::RegionCode;
use crate::spreadsheet::{exact_digits, excel_general};
use crate::width::half_width;

mod columns;

pub use columns::RosterColumn;

/// One cell as read from the file: text, or a number (an XLSX number cell — kept apart
/// because an ID number stored as a number has lost digits).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum RawValue<'a> {
    /// Nothing there.
    #[default]
    Empty,
    /// Text (trimmed here, not by the caller).
    Text(&'a str),
    /// A number cell.
    Number(f64),
}

impl RawValue<'_> {
    /// The trimmed text; empty for an empty cell.
    fn text(self) -> Option<String> {
        match self {
            RawValue::Empty => None,
            RawValue::Text(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
            RawValue::Number(n) => Some(exact_digits(n).unwrap_or_else(|| excel_general(n))),
        }
    }
}

/// One row of a roster file, by logical column.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RosterRow<'a> {
    values: [RawValue<'a>; 8],
}

impl<'a> RosterRow<'a> {
    /// Sets one column's value.
    pub fn set(&mut self, column: RosterColumn, value: RawValue<'a>) {
        self.values[column.index()] = value;
    }

    /// One column's value.
    pub fn get(&self, column: RosterColumn) -> RawValue<'a> {
        self.values[column.index()]
    }
}

/// What reading a row needs besides the row.
#[derive(Clone, Copy, Debug)]
pub struct RosterContext<'a> {
    /// Today in China (ID numbers' birth dates must not be in the future).
    pub today: CivilDate,
    /// The division names for reading places.
    pub places: &'a RegionNames,
    /// The importing union's region: settles place names found in several places.
    pub scope: Option<RegionCode>,
    /// The occupation of every row whose file has none (`--occupation`).
    pub default_occupation: Option<Occupation>,
}

/// A row that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    /// 姓名, when the file has it.
    pub name: Option<PersonName>,
    /// 身份证号
    pub id_number: IdNumber,
    /// 手机号, when given.
    pub mobile: Option<Mobile>,
    /// 从业类型 (from the row, else the import's default).
    pub occupation: Occupation,
    /// Work region: a county when the row names one, a city when it names only a city.
    pub region: Option<RegionCode>,
    /// Employer or platform, when given.
    pub employer: Option<Employer>,
}

/// One reason a row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The column at fault.
    pub column: RosterColumn,
    /// The value, masked as pages show personal data (IDs `3401**********123X`, mobiles
    /// `138****5678`, names `张*`).
    pub value_masked: String,
    /// A stable code, e.g. `id_number.checksum`, `id_number.scientific`.
    pub code: &'static str,
    /// The reason in Chinese.
    pub message_zh: String,
    /// The reason in English.
    pub message_en: String,
}

impl Rejection {
    fn new(
        column: RosterColumn,
        value: &str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Rejection {
        Rejection {
            column,
            value_masked: mask(column, value),
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// Reads one row; every problem is reported, not just the first.
///
/// # Errors
///
/// The rejections, one per column at fault.
pub fn parse_row(row: &RosterRow<'_>, ctx: &RosterContext<'_>) -> Result<RosterEntry, Vec<Rejection>> {
    let mut errors = Vec::new();
    let id_number = parse_id(row.get(RosterColumn::IdNumber), ctx).map_err(|e| errors.push(e)).ok();
    let name = optional(row, RosterColumn::Name, &mut errors, |text| {
        PersonName::parse(text).map_err(|e| (e.code(), e.message_zh(), e.message_en()))
    });
    let mobile = optional(row, RosterColumn::Mobile, &mut errors, |text| {
        Mobile::parse(text).map_err(|e| (e.code(), e.message_zh(), e.message_en()))
    });
    let occupation =
        parse_occupation(row.get(RosterColumn::Occupation), ctx).map_err(|e| errors.push(e)).ok();
    let region = parse_region(row, ctx).map_err(|e| errors.push(e)).ok().flatten();
    let employer = parse_employer_columns(row, &mut errors);
    match (id_number, occupation) {
        (Some(id_number), Some(occupation)) if errors.is_empty() => {
            Ok(RosterEntry { name, id_number, mobile, occupation, region, employer })
        }
        _ => Err(errors),
    }
}

type Reason = (&'static str, String, String);

fn optional<T>(
    row: &RosterRow<'_>,
    column: RosterColumn,
    errors: &mut Vec<Rejection>,
    parse: impl Fn(&str) -> Result<T, Reason>,
) -> Option<T> {
    let text = row.get(column).text()?;
    parse(&text).map_err(|(code, zh, en)| errors.push(Rejection::new(column, &text, code, zh, en))).ok()
}

fn parse_id(value: RawValue<'_>, ctx: &RosterContext<'_>) -> Result<IdNumber, Rejection> {
    let column = RosterColumn::IdNumber;
    let scientific = |shown: &str| {
        Rejection::new(
            column,
            shown,
            "id_number.scientific",
            "身份证号被Excel存成了数字（科学计数法，如3.40104E+17），后几位已丢失：请把该列设为文本格式，重新填写后再导入",
            "The ID number was stored by Excel as a number (scientific notation such as 3.40104E+17) \
             and its last digits are lost: format the column as text, re-enter the numbers and import again",
        )
    };
    let text = match value {
        RawValue::Number(n) if exact_digits(n).is_none() => return Err(scientific(&excel_general(n))),
        other => other.text().unwrap_or_default(),
    };
    if looks_scientific(&text) {
        return Err(scientific(&text));
    }
    IdNumber::parse(&text, ctx.today, |p| ctx.places.table().province_exists(p))
        .map_err(|e| Rejection::new(column, &text, e.code(), e.message_zh(), e.message_en()))
}

/// `3.40104E+17`, `3.40104e17`: how a damaged ID number reads once saved as CSV.
fn looks_scientific(text: &str) -> bool {
    let folded: String = text.chars().map(half_width).collect();
    let Some((mantissa, exponent)) = folded.split_once(['E', 'e']) else {
        return false;
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    [whole, fraction, exponent]
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_occupation(value: RawValue<'_>, ctx: &RosterContext<'_>) -> Result<Occupation, Rejection> {
    let column = RosterColumn::Occupation;
    let Some(text) = value.text() else {
        return ctx.default_occupation.ok_or_else(|| {
            Rejection::new(
                column,
                "",
                "occupation.missing",
                "缺少从业类型（文件没有该列时，导入时请指定从业类型）",
                "The occupation is missing (for a file without that column, give one when importing)",
            )
        });
    };
    Occupation::from_text(&text).map_err(|_| {
        Rejection::new(
            column,
            &text,
            "occupation.unknown",
            "无法识别的从业类型，应为货车司机、快递员、网约配送员、网约车司机等",
            "Unknown occupation; expected truck driver, courier, delivery rider, ride-hailing driver, ...",
        )
    })
}

/// The region column, else the address column; `None` when both are empty.
fn parse_region(row: &RosterRow<'_>, ctx: &RosterContext<'_>) -> Result<Option<RegionCode>, Rejection> {
    let (column, text) = match row.get(RosterColumn::Region).text() {
        Some(text) => (RosterColumn::Region, text),
        None => match row.get(RosterColumn::Address).text() {
            Some(text) => (RosterColumn::Address, text),
            None => return Ok(None),
        },
    };
    let reject = |code, zh: String, en: String| Rejection::new(column, &text, code, zh, en);
    match ctx.places.resolve(&text, ctx.scope) {
        Ok(code) => Ok(Some(code)),
        Err(PlaceError::Missing) => Ok(None),
        Err(PlaceError::UnknownCode) => Err(reject(
            "region.unknown",
            "行政区划代码不存在".into(),
            "The region code does not exist".into(),
        )),
        Err(PlaceError::NotFound) => Err(reject(
            "region.not_found",
            "无法识别所在地：应为区县代码，或以省、市、区县名称开头的地址".into(),
            "The place is not recognised: give a county code, or an address starting with the province, city or county"
                .into(),
        )),
        Err(PlaceError::ProvinceOnly(_)) => Err(reject(
            "region.too_vague",
            "所在地只写到省，请写明市或区县".into(),
            "Only a province is named: name the city or county".into(),
        )),
        Err(PlaceError::Ambiguous(codes)) => {
            let table = ctx.places.table();
            let paths: Vec<String> = codes.iter().filter_map(|c| table.name_path(*c)).collect();
            Err(reject(
                "region.ambiguous",
                format!("地名对应多个地区（{}），请写明省、市", paths.join("；")),
                format!("The place name fits several divisions ({}): add the province and city", paths.join("; ")),
            ))
        }
    }
}

fn parse_employer_columns(row: &RosterRow<'_>, errors: &mut Vec<Rejection>) -> Option<Employer> {
    let name = row.get(RosterColumn::Employer).text().unwrap_or_default();
    let code = row.get(RosterColumn::EmployerCreditCode).text().unwrap_or_default();
    let mut field_errors = Vec::new();
    let employer = parse_employer(&name, &code, &mut field_errors);
    for e in field_errors {
        let (column, value) = if e.field == "employer.name" {
            (RosterColumn::Employer, &name)
        } else {
            (RosterColumn::EmployerCreditCode, &code)
        };
        errors.push(Rejection::new(column, value, e.code, e.message_zh, e.message_en));
    }
    employer
}

/// Masks a refused value for the report: personal columns as pages mask them, others
/// shortened.
fn mask(column: RosterColumn, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match column {
        RosterColumn::IdNumber => id_number::mask(value),
        // As pages mask a mobile (138****5678); a shorter text shows only its start.
        RosterColumn::Mobile => {
            let tail = if chars.len() >= 11 { 4 } else { 0 };
            let head = chars.len().saturating_sub(tail).min(3);
            let shown_head: String = chars[..head].iter().collect();
            let shown_tail: String = chars[chars.len() - tail..].iter().collect();
            format!("{shown_head}{}{shown_tail}", "*".repeat(chars.len() - head - tail))
        }
        RosterColumn::Name => match chars.split_first() {
            Some((first, rest)) if !rest.is_empty() => format!("{first}{}", "*".repeat(rest.len())),
            _ => "*".repeat(chars.len()),
        },
        RosterColumn::Address => chars.iter().take(6).chain(chars.get(6).map(|_| &'…')).collect(),
        _ => chars.iter().take(40).chain(chars.get(40).map(|_| &'…')).collect(),
    }
}

/// Where a roster entry's person stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RosterState {
    /// Holds a membership (active or retained).
    Member,
    /// Has an open application.
    Pending,
    /// Neither: someone to reach.
    NotMember,
}

impl RosterState {
    /// The state from the facts about the person's ID number; a membership outranks an
    /// application.
    pub const fn from_facts(holds_membership: bool, open_application: bool) -> RosterState {
        match (holds_membership, open_application) {
            (true, _) => Self::Member,
            (false, true) => Self::Pending,
            (false, false) => Self::NotMember,
        }
    }

    /// The stored code: `member`, `pending`, `not_member`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Pending => "pending",
            Self::NotMember => "not_member",
        }
    }

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Member => "已入会",
            Self::Pending => "申请中",
            Self::NotMember => "未入会",
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Pending => "Applied",
            Self::NotMember => "Not a member",
        }
    }
}

/// The text is not a roster state code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown roster state")]
pub struct UnknownRosterState;

impl FromStr for RosterState {
    type Err = UnknownRosterState;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        [Self::Member, Self::Pending, Self::NotMember]
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(UnknownRosterState)
    }
}

impl fmt::Display for RosterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whether a roster imported by the union at `imported_by` counts for an application
/// received by the union at `receiving` under the `roster_only` policy: an import by the
/// receiving union itself, by a union above it (a province-wide list counts everywhere),
/// or by one below it.
pub fn roster_counts_for(imported_by: &OrgPath, receiving: &OrgPath) -> bool {
    imported_by.contains(receiving) || receiving.contains(imported_by)
}

#[cfg(test)]
mod tests;
