//! One row of a station import (or the console's station form), parsed into a draft the
//! store can save: every field checked, every failure named, nothing guessed.

use crate::geo::{CoordError, Gcj02};
use crate::region::{RegionCode, RegionLevel, RegionTable};

use super::{AmenitySet, HoursError, OpeningHours, StationKind, parse_amenities};

/// Longest station name, in characters.
const MAX_NAME_CHARS: usize = 60;

/// Longest address, in characters.
const MAX_ADDRESS_CHARS: usize = 120;

/// The cells of one row, as text (the import reader decodes CSV/XLSX; the console form
/// passes its fields). An officer pasting Amap's picker text fills `lng` with the whole
/// “117.227,31.820” and leaves `lat` empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct StationCells<'a> {
    /// 名称
    pub name: &'a str,
    /// 类型
    pub kind: &'a str,
    /// 地址
    pub address: &'a str,
    /// 区县 / 行政区划代码: a 6-digit code or a county's name (“蜀山区”, “合肥市蜀山区”).
    pub county: &'a str,
    /// 经度 (or the picker's “lng,lat”).
    pub lng: &'a str,
    /// 纬度
    pub lat: &'a str,
    /// 电话 (optional)
    pub phone: &'a str,
    /// 开放时间
    pub hours: &'a str,
    /// 服务项目 (optional)
    pub amenities: &'a str,
}

/// A station ready to be saved.
#[derive(Clone, Debug, PartialEq)]
pub struct StationDraft {
    /// Trimmed name.
    pub name: String,
    /// Its kind.
    pub kind: StationKind,
    /// Trimmed address.
    pub address: String,
    /// The county-level division it is in.
    pub county: RegionCode,
    /// Where it is, in GCJ-02.
    pub location: Gcj02,
    /// A phone number, if given.
    pub phone: Option<StationPhone>,
    /// When it opens.
    pub hours: OpeningHours,
    /// What it offers.
    pub amenities: AmenitySet,
    /// 服务项目 items that named no amenity, for the import report.
    pub unrecognised_amenities: Vec<String>,
}

/// A station's phone number: digits with the usual punctuation, 5–20 characters (12351
/// and landlines with area codes and extensions alike).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationPhone(String);

impl StationPhone {
    /// Checks and normalises (full-width digits, trimmed).
    pub fn parse(text: &str) -> Option<StationPhone> {
        let text: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
                '－' | '—' => '-',
                other => other,
            })
            .collect();
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')' | '转');
        let digits = text.chars().filter(char::is_ascii_digit).count();
        (text.chars().all(allowed) && (5..=20).contains(&digits) && text.chars().count() <= 30)
            .then_some(StationPhone(text))
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `tel:` link (digits and a leading + only; an extension is dropped, as dialers
    /// cannot follow it).
    pub fn tel_uri(&self) -> String {
        let main = self.0.split('转').next().unwrap_or_default();
        let plus = if main.trim_start().starts_with('+') { "+" } else { "" };
        format!("tel:{plus}{}", main.chars().filter(char::is_ascii_digit).collect::<String>())
    }
}

/// Which field of a station row failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StationField {
    /// 名称
    Name,
    /// 类型
    Kind,
    /// 地址
    Address,
    /// 区县
    County,
    /// 经度/纬度
    Location,
    /// 电话
    Phone,
    /// 开放时间
    Hours,
}

/// One failed field, with a stable code for the import's rejected-rows report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StationFieldError {
    /// The field.
    pub field: StationField,
    /// e.g. `county.unknown`, `location.outside_china`, `hours.format`.
    pub code: &'static str,
}

/// Parses one row. `regions` resolves the county cell.
///
/// # Errors
///
/// Every failing field (not just the first), so one pass of the report fixes the row.
pub fn parse_station(
    cells: &StationCells<'_>,
    regions: &RegionTable,
) -> Result<StationDraft, Vec<StationFieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field, code| errors.push(StationFieldError { field, code });

    let name = cells.name.trim();
    match name.chars().count() {
        0 => fail(StationField::Name, "name.missing"),
        n if n > MAX_NAME_CHARS => fail(StationField::Name, "name.too_long"),
        _ => {}
    }
    let kind = StationKind::parse_cell(cells.kind);
    if kind.is_none() {
        fail(StationField::Kind, "kind.unknown");
    }
    let address = cells.address.trim();
    match address.chars().count() {
        0 => fail(StationField::Address, "address.missing"),
        n if n > MAX_ADDRESS_CHARS => fail(StationField::Address, "address.too_long"),
        _ => {}
    }
    let county = resolve_county(cells.county, regions).map_err(|code| fail(StationField::County, code)).ok();
    let location = if cells.lat.trim().is_empty() {
        Gcj02::parse_amap(cells.lng)
    } else {
        Gcj02::from_cells(cells.lng, cells.lat)
    }
    .map_err(|e: CoordError| fail(StationField::Location, e.code()))
    .ok();
    let phone = if cells.phone.trim().is_empty() {
        None
    } else {
        let phone = StationPhone::parse(cells.phone);
        if phone.is_none() {
            fail(StationField::Phone, "phone.format");
        }
        phone
    };
    let hours =
        OpeningHours::parse(cells.hours).map_err(|e: HoursError| fail(StationField::Hours, e.code())).ok();
    let amenities = parse_amenities(cells.amenities);

    match (kind, county, location, hours) {
        (Some(kind), Some(county), Some(location), Some(hours)) if errors.is_empty() => Ok(StationDraft {
            name: name.to_owned(),
            kind,
            address: address.to_owned(),
            county,
            location,
            phone,
            hours,
            amenities: amenities.amenities,
            unrecognised_amenities: amenities.unrecognised,
        }),
        _ => Err(errors),
    }
}

/// A county-level code that exists, or a county name that names exactly one.
fn resolve_county(cell: &str, regions: &RegionTable) -> Result<RegionCode, &'static str> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Err("county.missing");
    }
    if cell.bytes().all(|b| b.is_ascii_digit()) {
        let code: RegionCode = cell.parse().map_err(|_| "county.unknown")?;
        if code.level() != RegionLevel::County || regions.get(code).is_none() {
            return Err("county.unknown");
        }
        return Ok(code);
    }
    let mut matches = regions
        .all(RegionLevel::County)
        .iter()
        .filter(|r| {
            r.name == cell
                || regions.name_path(r.code).is_some_and(|path| path.replace(" / ", "").ends_with(cell))
        })
        .map(|r| r.code);
    match (matches.next(), matches.next()) {
        (Some(code), None) => Ok(code),
        (Some(_), Some(_)) => Err("county.ambiguous"),
        (None, _) => Err("county.unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stations::Amenity;

    fn row() -> StationCells<'static> {
        StationCells {
            name: " 合肥市蜀山区户外劳动者服务站（示例） ",
            kind: "户外劳动者驿站",
            address: "合肥市蜀山区长江西路 1 号",
            county: "340104",
            lng: "117.227",
            lat: "31.820",
            phone: "0551-12351",
            hours: "24小时",
            amenities: "休息、饮水、充电、图书角",
        }
    }

    #[test]
    fn a_good_row_becomes_a_draft() {
        let draft = parse_station(&row(), RegionTable::national()).unwrap();
        assert_eq!(draft.name, "合肥市蜀山区户外劳动者服务站（示例）");
        assert_eq!(draft.kind, StationKind::OutdoorRestStop);
        assert_eq!(draft.county.to_string(), "340104");
        assert_eq!(draft.location, Gcj02::parse_amap("117.227,31.820").unwrap());
        assert_eq!(draft.hours, OpeningHours::AllDay);
        assert!(draft.amenities.contains(Amenity::Charging) && draft.amenities.len() == 3);
        assert_eq!(draft.unrecognised_amenities, ["图书角"]);
        assert_eq!(draft.phone.unwrap().tel_uri(), "tel:055112351");
    }

    #[test]
    fn the_picker_text_may_fill_the_longitude_cell_and_counties_may_be_named() {
        let cells =
            StationCells { lng: "117.227,31.820", lat: "", county: "合肥市蜀山区", phone: "", ..row() };
        let draft = parse_station(&cells, RegionTable::national()).unwrap();
        assert_eq!(draft.county.to_string(), "340104");
        assert_eq!(draft.phone, None);
        let by_name = StationCells { county: "蜀山区", ..row() };
        assert_eq!(parse_station(&by_name, RegionTable::national()).unwrap().county.to_string(), "340104");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let cells = StationCells {
            name: "",
            kind: "加油站",
            address: " ",
            county: "鼓楼区",
            lng: "31.82",
            lat: "117.227",
            phone: "call me",
            hours: "周一至周五",
            amenities: "",
        };
        let errors = parse_station(&cells, RegionTable::national()).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "name.missing",
                "kind.unknown",
                "address.missing",
                "county.ambiguous",
                "location.latitude",
                "phone.format",
                "hours.format"
            ]
        );
        let unknown = StationCells { county: "340100", ..row() };
        assert_eq!(parse_station(&unknown, RegionTable::national()).unwrap_err()[0].code, "county.unknown");
        let nowhere = StationCells { county: "不存在县", ..row() };
        assert_eq!(parse_station(&nowhere, RegionTable::national()).unwrap_err()[0].code, "county.unknown");
    }

    #[test]
    fn phones() {
        assert_eq!(StationPhone::parse("12351").unwrap().tel_uri(), "tel:12351");
        assert_eq!(StationPhone::parse("+86 551 6512 3456转8001").unwrap().tel_uri(), "tel:+8655165123456");
        assert_eq!(StationPhone::parse("１２３５１").unwrap().as_str(), "12351");
        assert_eq!(StationPhone::parse("1234"), None);
        assert_eq!(StationPhone::parse("0551-1234x"), None);
    }
}
