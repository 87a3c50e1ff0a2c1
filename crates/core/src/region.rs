//! China's administrative divisions (GB/T 2260 codes, 2023), from province down to
//! township/street, compiled into the binary so the system needs no data files at run time.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

const PROVINCES_CSV: &str = include_str!("../data/provinces.csv");
const CITIES_CSV: &str = include_str!("../data/cities.csv");
const AREAS_CSV: &str = include_str!("../data/areas.csv");
const STREETS_CSV: &str = include_str!("../data/streets.csv");

/// Names the statistical table uses where a level does not exist in reality (the
/// municipalities have no prefecture; some provinces govern counties directly). They are
/// real entries of the code table but never part of a place's name.
const PLACEHOLDER_NAMES: [&str; 4] = ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"];

/// The level of a division, fixed by the number of digits of its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    /// 省级, 2 digits.
    Province,
    /// 地级, 4 digits.
    City,
    /// 县级, 6 digits.
    County,
    /// 乡级 (township / street), 9 digits.
    Township,
}

impl RegionLevel {
    /// Digits of a code at this level.
    pub const fn digits(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Township => 9,
        }
    }

    fn from_digits(digits: usize) -> Option<Self> {
        match digits {
            2 => Some(Self::Province),
            4 => Some(Self::City),
            6 => Some(Self::County),
            9 => Some(Self::Township),
            _ => None,
        }
    }
}

/// A syntactically valid division code: 2, 4, 6 or 9 digits, never starting with 0.
///
/// Whether the code exists is a question for [`RegionTable`]; ID numbers, for instance,
/// legitimately carry county codes abolished since they were issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode {
    value: u64,
    level: RegionLevel,
}

/// Why a text is not a region code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    /// Not 2, 4, 6 or 9 ASCII digits (or starts with 0).
    #[error("a region code has 2, 4, 6 or 9 digits")]
    Format,
}

impl RegionCode {
    /// The level implied by the code's length.
    pub const fn level(self) -> RegionLevel {
        self.level
    }

    /// The enclosing division's code (a township's county, a county's city, ...).
    pub const fn parent(self) -> Option<Self> {
        let (divisor, level) = match self.level {
            RegionLevel::Province => return None,
            RegionLevel::City => (100, RegionLevel::Province),
            RegionLevel::County => (100, RegionLevel::City),
            RegionLevel::Township => (1000, RegionLevel::County),
        };
        Some(Self { value: self.value / divisor, level })
    }

    /// The province the division lies in (itself for a province): the first two digits.
    pub const fn province(self) -> Self {
        let divisor = match self.level {
            RegionLevel::Province => 1,
            RegionLevel::City => 100,
            RegionLevel::County => 10_000,
            RegionLevel::Township => 10_000_000,
        };
        Self { value: self.value / divisor, level: RegionLevel::Province }
    }

    /// The code's ancestor at `level`, or itself when it is already at that level.
    pub fn ancestor_at(self, level: RegionLevel) -> Option<Self> {
        let mut code = self;
        while code.level > level {
            code = code.parent()?;
        }
        (code.level == level).then_some(code)
    }

    /// Whether `other` lies within this division (or is it).
    pub fn contains(self, other: Self) -> bool {
        other.ancestor_at(self.level) == Some(self)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let level = RegionLevel::from_digits(text.len()).ok_or(RegionCodeError::Format)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) || text.starts_with('0') {
            return Err(RegionCodeError::Format);
        }
        let value = text.parse().map_err(|_| RegionCodeError::Format)?;
        Ok(Self { value, level })
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.level.digits())
    }
}

/// One division: its code, its official name, and (below province) its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// The GB/T 2260 code.
    pub code: RegionCode,
    /// The official name, e.g. 蜀山区.
    pub name: &'static str,
}

impl Region {
    /// Whether the name is a statistical placeholder rather than a place (e.g. 市辖区).
    pub fn is_placeholder(&self) -> bool {
        PLACEHOLDER_NAMES.contains(&self.name)
    }
}

/// The national division table, indexed for lookup by code and for listing children.
#[derive(Debug)]
pub struct RegionTable {
    /// One vector per level, each sorted by code, so children are a contiguous range.
    levels: [Vec<Region>; 4],
    by_code: HashMap<RegionCode, usize>,
}

impl RegionTable {
    /// The compiled-in 2023 table; parsed once on first use.
    pub fn national() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| RegionTable::from_csv([PROVINCES_CSV, CITIES_CSV, AREAS_CSV, STREETS_CSV]))
    }

    /// Builds a table from the four CSV texts (header line first, code and name in the
    /// first two columns). Malformed lines are skipped: the input is compiled-in data,
    /// checked by the tests, not user input.
    fn from_csv(texts: [&'static str; 4]) -> RegionTable {
        let levels = texts.map(|text| {
            let mut regions: Vec<Region> = text.lines().skip(1).filter_map(parse_line).collect();
            regions.sort_by_key(|r| r.code);
            regions
        });
        let by_code =
            levels.iter().flat_map(|level| level.iter().enumerate().map(|(i, r)| (r.code, i))).collect();
        RegionTable { levels, by_code }
    }

    fn level(&self, level: RegionLevel) -> &[Region] {
        &self.levels[level as usize]
    }

    /// The division with this code, if it exists in the table.
    pub fn get(&self, code: RegionCode) -> Option<&Region> {
        let index = *self.by_code.get(&code)?;
        self.level(code.level).get(index)
    }

    /// Looks a code up from text; `None` for malformed or unknown codes.
    pub fn lookup(&self, code: &str) -> Option<&Region> {
        self.get(code.parse().ok()?)
    }

    /// Whether a 2-digit province code exists (the check an ID number's first digits get).
    pub fn province_exists(&self, code: &str) -> bool {
        code.len() == 2 && self.lookup(code).is_some()
    }

    /// All divisions at a level, sorted by code.
    pub fn all(&self, level: RegionLevel) -> &[Region] {
        self.level(level)
    }

    /// The divisions directly below `code`, sorted by code.
    pub fn children(&self, code: RegionCode) -> &[Region] {
        let (child_level, factor) = match code.level {
            RegionLevel::Province => (RegionLevel::City, 100),
            RegionLevel::City => (RegionLevel::County, 100),
            RegionLevel::County => (RegionLevel::Township, 1000),
            RegionLevel::Township => return &[],
        };
        let regions = self.level(child_level);
        let low = code.value * factor;
        let start = regions.partition_point(|r| r.code.value < low);
        let end = regions.partition_point(|r| r.code.value < low + factor);
        &regions[start..end]
    }

    /// Every division below `code` at `level` (e.g. all townships of a province).
    pub fn descendants_at(&self, code: RegionCode, level: RegionLevel) -> impl Iterator<Item = &Region> {
        self.level(level).iter().filter(move |r| code.contains(r.code))
    }

    /// The chain of divisions from the province down to `code`, placeholders included.
    pub fn ancestry(&self, code: RegionCode) -> Vec<&Region> {
        let mut chain = Vec::with_capacity(4);
        let mut next = Some(code);
        while let Some(current) = next {
            if let Some(region) = self.get(current) {
                chain.push(region);
            }
            next = current.parent();
        }
        chain.reverse();
        chain
    }

    /// The human name path, e.g. "安徽省 / 合肥市 / 蜀山区"; placeholders such as 市辖区
    /// are left out ("北京市 / 东城区"). `None` if the code is not in the table.
    pub fn name_path(&self, code: RegionCode) -> Option<String> {
        self.get(code)?;
        let names: Vec<&str> =
            self.ancestry(code).into_iter().filter(|r| !r.is_placeholder()).map(|r| r.name).collect();
        Some(names.join(" / "))
    }
}

fn parse_line(line: &'static str) -> Option<Region> {
    let mut fields = line.splitn(3, ',');
    let code = fields.next()?.trim().parse().ok()?;
    let name = fields.next()?.trim().trim_matches('"');
    Some(Region { code, name })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn code(text: &str) -> RegionCode {
        text.parse().unwrap()
    }

    #[test]
    fn the_national_table_has_every_level() {
        let table = RegionTable::national();
        assert_eq!(table.all(RegionLevel::Province).len(), 31);
        assert_eq!(table.all(RegionLevel::City).len(), 342);
        assert_eq!(table.all(RegionLevel::County).len(), 2978);
        assert_eq!(table.all(RegionLevel::Township).len(), 41352);
    }

    #[test]
    fn anhui_counts_match_the_published_figures() {
        let table = RegionTable::national();
        let anhui = code("34");
        assert_eq!(table.children(anhui).len(), 16);
        assert_eq!(table.descendants_at(anhui, RegionLevel::County).count(), 119);
        assert_eq!(table.descendants_at(anhui, RegionLevel::Township).count(), 1685);
    }

    #[test]
    fn every_division_knows_its_province_by_its_first_two_digits() {
        let table = RegionTable::national();
        for level in [RegionLevel::Province, RegionLevel::City, RegionLevel::County, RegionLevel::Township] {
            for region in table.all(level) {
                let province = region.code.province();
                assert_eq!(province.to_string(), region.code.to_string()[..2], "{}", region.code);
                assert_eq!(Some(province), region.code.ancestor_at(RegionLevel::Province));
            }
        }
        assert_eq!(code("340104001").province(), code("34"));
    }

    #[test]
    fn lookup_by_code_and_name_path() {
        let table = RegionTable::national();
        assert_eq!(table.lookup("340104").unwrap().name, "蜀山区");
        assert_eq!(table.name_path(code("340104")).unwrap(), "安徽省 / 合肥市 / 蜀山区");
        assert_eq!(table.name_path(code("34")).unwrap(), "安徽省");
        assert_eq!(table.name_path(code("110101")).unwrap(), "北京市 / 东城区");
        let street = table.lookup("340104001").unwrap();
        assert_eq!(
            table.name_path(street.code).unwrap(),
            format!("安徽省 / 合肥市 / 蜀山区 / {}", street.name)
        );
    }

    #[test]
    fn unknown_and_malformed_codes() {
        let table = RegionTable::national();
        assert!(table.lookup("99").is_none());
        assert!(table.lookup("349999").is_none());
        assert!(table.name_path(code("349999")).is_none());
        for bad in ["", "3", "340", "34010", "0401", "34a1", "3401040010", "３４"] {
            assert_eq!(bad.parse::<RegionCode>(), Err(RegionCodeError::Format), "{bad}");
        }
        assert!(table.province_exists("34"));
        assert!(!table.province_exists("99"));
        assert!(!table.province_exists("3401"));
    }

    #[test]
    fn parents_children_and_containment() {
        let table = RegionTable::national();
        let shushan = code("340104");
        assert_eq!(shushan.parent(), Some(code("3401")));
        assert_eq!(code("340104001").parent(), Some(shushan));
        assert_eq!(code("34").parent(), None);
        assert!(code("34").contains(code("340104001")));
        assert!(code("3401").contains(code("3401")));
        assert!(!code("3402").contains(shushan));
        assert!(!shushan.contains(code("3401")));
        let hefei = table.children(code("3401"));
        assert!(hefei.iter().any(|r| r.name == "蜀山区"));
        assert!(hefei.iter().all(|r| r.code.parent() == Some(code("3401"))));
        assert!(table.children(code("340104001")).is_empty());
    }

    #[test]
    fn codes_display_as_they_parse() {
        for text in ["34", "3401", "340104", "340104001", "110101"] {
            assert_eq!(code(text).to_string(), text);
        }
    }

    #[test]
    fn every_entry_has_a_parent_in_the_table() {
        let table = RegionTable::national();
        for level in [RegionLevel::City, RegionLevel::County, RegionLevel::Township] {
            for region in table.all(level) {
                let parent = region.code.parent().unwrap();
                assert!(table.get(parent).is_some(), "{} has no parent", region.code);
            }
        }
    }
}
