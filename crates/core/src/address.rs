//! Finding the division an address or a place name means, by the names of the compiled-in
//! GB/T 2260 table: 安徽省合肥市蜀山区… → 340104, 合肥市蜀山区 → 340104, 蜀山区 → 340104
//! (unique), 朝阳区 → ambiguous (Beijing and Changchun) unless a scope such as 北京市 is
//! given. Rosters and station lists carry places in every such form.
//!
//! The reading is hierarchical from the start of the text: a province name (full or short:
//! 安徽省 / 安徽), then a city name within it (合肥市 / 合肥), then a county name within
//! that (full only: 蜀山区), each level optional. Every way of reading the text is tried;
//! a county beats a city, a reading inside the caller's scope beats one outside, a longer
//! reading beats a shorter one (吉林省长春市 is 长春, not 吉林市 read from the first two
//! characters).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::region::{RegionCode, RegionLevel, RegionTable};
use crate::width::half_width;

/// Suffixes dropped to make a province's short name (安徽省 → 安徽).
const PROVINCE_SUFFIXES: [&str; 7] =
    ["维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"];

/// Suffixes dropped to make a city's short name (合肥市 → 合肥, 兴安盟 → 兴安).
const CITY_SUFFIXES: [&str; 3] = ["地区", "市", "盟"];

/// Why a text names no single division.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceError {
    /// Nothing but whitespace.
    Missing,
    /// A code of the right shape that is not in the table.
    UnknownCode,
    /// No division name found at the start of the text.
    NotFound,
    /// Only a province is named: too vague for a work region.
    ProvinceOnly(RegionCode),
    /// Several divisions fit equally well (the candidates, sorted).
    Ambiguous(Vec<RegionCode>),
}

/// The division names of a table, indexed for reading places.
#[derive(Debug)]
pub struct RegionNames {
    table: &'static RegionTable,
    /// Names (full and short) of provinces, cities and counties, by level.
    names: [Names; 3],
}

/// One level's names and every beginning of them, so reading a text stops at the first
/// character no name continues with (a few lookups per level, not one per length).
#[derive(Debug, Default)]
struct Names {
    nodes: HashMap<&'static str, Node, BuildHasherDefault<Fnv>>,
}

#[derive(Debug, Default)]
struct Node {
    /// The divisions with exactly this name.
    codes: Vec<RegionCode>,
    /// Whether some longer name starts with this text.
    continues: bool,
}

impl Names {
    fn insert(&mut self, name: &'static str, code: RegionCode) {
        for (end, _) in name.char_indices().skip(1) {
            self.nodes.entry(&name[..end]).or_default().continues = true;
        }
        self.nodes.entry(name).or_default().codes.push(code);
    }
}

/// FNV-1a: the keys are the fixed table's names, so a fast hash without DoS resistance
/// is safe, and it is most of the cost of reading a place.
#[derive(Clone, Copy, Debug, Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// One way of reading a text: the division reached and how many characters it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reading {
    code: RegionCode,
    chars: usize,
}

impl RegionNames {
    /// The index over the national table, built once on first use.
    pub fn national() -> &'static RegionNames {
        static NAMES: OnceLock<RegionNames> = OnceLock::new();
        NAMES.get_or_init(|| RegionNames::new(RegionTable::national()))
    }

    /// Indexes `table`'s names; statistical placeholders (市辖区) are not names.
    pub fn new(table: &'static RegionTable) -> RegionNames {
        let mut names: [Names; 3] = Default::default();
        let levels =
            [(RegionLevel::Province, &PROVINCE_SUFFIXES[..]), (RegionLevel::City, &CITY_SUFFIXES[..])];
        for (slot, (level, suffixes)) in levels.iter().enumerate() {
            for region in table.all(*level).iter().filter(|r| !r.is_placeholder()) {
                names[slot].insert(region.name, region.code);
                if let Some(short) = short_name(region.name, suffixes) {
                    names[slot].insert(short, region.code);
                }
            }
        }
        for region in table.all(RegionLevel::County).iter().filter(|r| !r.is_placeholder()) {
            names[2].insert(region.name, region.code);
        }
        for node in names.iter_mut().flat_map(|level| level.nodes.values_mut()) {
            node.codes.sort_unstable();
            node.codes.dedup();
        }
        RegionNames { table, names }
    }

    /// The table these names come from.
    pub fn table(&self) -> &'static RegionTable {
        self.table
    }

    /// The division `text` means: a county when one is named, else a city. `text` is a
    /// code (6-digit county; a 9-digit township or 12-digit village code gives its
    /// county; 4-digit city) or an address or place name. `scope` (the importing union's
    /// region, say) settles names found in several places.
    ///
    /// # Errors
    ///
    /// See [`PlaceError`]; a province alone is too vague.
    pub fn resolve(&self, text: &str, scope: Option<RegionCode>) -> Result<RegionCode, PlaceError> {
        let text = normalise(text);
        if text.is_empty() {
            return Err(PlaceError::Missing);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return self.resolve_code(&text);
        }
        let mut counties = Vec::new();
        let mut cities = Vec::new();
        let mut provinces = Vec::new();
        for province in self.prefixes(&text, 0, None) {
            provinces.push(province);
            self.read_city(&text, Some(province), &mut cities, &mut counties);
        }
        self.read_city(&text, None, &mut cities, &mut counties);
        for readings in [counties, cities] {
            if let Some(code) = best(readings, scope)? {
                return Ok(code);
            }
        }
        match best(provinces, scope)? {
            Some(province) => Err(PlaceError::ProvinceOnly(province)),
            None => Err(PlaceError::NotFound),
        }
    }

    /// Reads a city (or skips the level) after `parent`, collecting city and county readings.
    fn read_city(
        &self,
        text: &str,
        parent: Option<Reading>,
        cities: &mut Vec<Reading>,
        counties: &mut Vec<Reading>,
    ) {
        for city in self.prefixes(text, 1, parent) {
            cities.push(city);
            counties.extend(self.prefixes(text, 2, Some(city)));
        }
        counties.extend(self.prefixes(text, 2, parent));
    }

    /// The names at `slot`'s level that start `text` right after `parent`'s reading, and
    /// lie within it.
    fn prefixes(&self, text: &str, slot: usize, parent: Option<Reading>) -> Vec<Reading> {
        let used = parent.map_or(0, |p| p.chars);
        let mut found = Vec::new();
        let Some((start, _)) = text.char_indices().nth(used) else {
            return found;
        };
        let rest = &text[start..];
        let ends = rest.char_indices().skip(1).map(|(i, _)| i).chain([rest.len()]);
        for (len, end) in (1..).zip(ends) {
            let Some(node) = self.names[slot].nodes.get(&rest[..end]) else {
                break;
            };
            let inside = |code: &&RegionCode| parent.is_none_or(|p| p.code.contains(**code));
            found.extend(node.codes.iter().filter(inside).map(|&code| Reading { code, chars: used + len }));
            if !node.continues {
                break;
            }
        }
        found
    }

    fn resolve_code(&self, digits: &str) -> Result<RegionCode, PlaceError> {
        let county_or_city = match digits.len() {
            12 => &digits[..9],
            2 | 4 | 6 | 9 => digits,
            _ => return Err(PlaceError::UnknownCode),
        };
        let code: RegionCode = county_or_city.parse().map_err(|_| PlaceError::UnknownCode)?;
        self.table.get(code).ok_or(PlaceError::UnknownCode)?;
        match code.level() {
            RegionLevel::Province => Err(PlaceError::ProvinceOnly(code)),
            RegionLevel::City | RegionLevel::County => Ok(code),
            RegionLevel::Township => code.parent().ok_or(PlaceError::UnknownCode),
        }
    }
}

/// The one best reading: inside `scope` if any is, then the longest; `Ambiguous` on a tie.
fn best(readings: Vec<Reading>, scope: Option<RegionCode>) -> Result<Option<RegionCode>, PlaceError> {
    let in_scope = |r: &Reading| scope.is_some_and(|s| s.contains(r.code) || r.code.contains(s));
    let pool: Vec<Reading> = if readings.iter().any(in_scope) {
        readings.into_iter().filter(in_scope).collect()
    } else {
        readings
    };
    let Some(longest) = pool.iter().map(|r| r.chars).max() else {
        return Ok(None);
    };
    let mut codes: Vec<RegionCode> = pool.iter().filter(|r| r.chars == longest).map(|r| r.code).collect();
    codes.sort_unstable();
    codes.dedup();
    match codes.as_slice() {
        [one] => Ok(Some(*one)),
        _ => Err(PlaceError::Ambiguous(codes)),
    }
}

fn short_name(name: &'static str, suffixes: &[&str]) -> Option<&'static str> {
    let short = suffixes.iter().find_map(|s| name.strip_suffix(s))?;
    (short.chars().count() >= 2).then_some(short)
}

/// Full-width forms to ASCII; whitespace dropped; a leading 中国 dropped.
fn normalise(text: &str) -> String {
    let folded: String = text.chars().map(half_width).filter(|c| !c.is_whitespace()).collect();
    folded.strip_prefix("中国").map(str::to_owned).unwrap_or(folded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn code(text: &str) -> RegionCode {
        text.parse().unwrap()
    }

    fn resolve(text: &str, scope: Option<&str>) -> Result<String, PlaceError> {
        RegionNames::national().resolve(text, scope.map(code)).map(|c| c.to_string())
    }

    #[test]
    fn full_addresses_and_partial_names() {
        for text in [
            "安徽省合肥市蜀山区长江西路100号",
            "合肥市蜀山区笔架山街道",
            "安徽合肥蜀山区",
            "安徽省蜀山区",
            "蜀山区",
            " 中国 安徽省 合肥市 蜀山区 ",
        ] {
            assert_eq!(resolve(text, None), Ok("340104".into()), "{text}");
        }
        assert_eq!(resolve("北京市朝阳区建国路", None), Ok("110105".into()));
        assert_eq!(resolve("吉林省吉林市船营区", None), Ok("220204".into()));
        assert_eq!(resolve("湖北省仙桃市", None), Ok("429004".into()));
        assert_eq!(resolve("广东省东莞市虎门镇", None), Ok("441900".into()));
    }

    #[test]
    fn cities_when_no_county_is_named() {
        assert_eq!(resolve("合肥市长江西路100号", None), Ok("3401".into()));
        // Not 吉林市, read from the first two characters of 吉林省.
        assert_eq!(resolve("吉林省长春市人民大街", None), Ok("2201".into()));
        assert_eq!(resolve("兴安盟", None), Ok("1522".into()));
    }

    #[test]
    fn ambiguous_names_and_scopes() {
        assert_eq!(resolve("朝阳区", None), Err(PlaceError::Ambiguous(vec![code("110105"), code("220104")])));
        assert_eq!(resolve("朝阳区", Some("11")), Ok("110105".into()));
        assert_eq!(resolve("朝阳区", Some("2201")), Ok("220104".into()));
        // A scope elsewhere does not settle it.
        assert!(matches!(resolve("朝阳区", Some("34")), Err(PlaceError::Ambiguous(_))));
        // An explicit address outside the scope is still read.
        assert_eq!(resolve("江苏省南京市鼓楼区", Some("34")), Ok("320106".into()));
    }

    #[test]
    fn codes_and_failures() {
        assert_eq!(resolve("340104", None), Ok("340104".into()));
        assert_eq!(resolve("３４０１０４", None), Ok("340104".into()));
        assert_eq!(resolve("340104001", None), Ok("340104".into()));
        assert_eq!(resolve("340104001001", None), Ok("340104".into()));
        assert_eq!(resolve("3401", None), Ok("3401".into()));
        assert_eq!(resolve("349999", None), Err(PlaceError::UnknownCode));
        assert_eq!(resolve("34010", None), Err(PlaceError::UnknownCode));
        assert_eq!(resolve("34", None), Err(PlaceError::ProvinceOnly(code("34"))));
        assert_eq!(resolve("安徽省", None), Err(PlaceError::ProvinceOnly(code("34"))));
        assert_eq!(resolve("火星基地", None), Err(PlaceError::NotFound));
        assert_eq!(resolve(" \u{3000}", None), Err(PlaceError::Missing));
    }

    #[test]
    fn every_unique_county_name_resolves_to_itself() {
        let names = RegionNames::national();
        let table = RegionTable::national();
        let mut checked = 0;
        for county in table.all(RegionLevel::County).iter().filter(|r| !r.is_placeholder()) {
            if names.names[2].nodes.get(county.name).is_some_and(|n| n.codes.len() == 1) {
                let path: String = table
                    .ancestry(county.code)
                    .iter()
                    .filter(|r| !r.is_placeholder())
                    .map(|r| r.name)
                    .collect();
                assert_eq!(names.resolve(&path, None), Ok(county.code), "{path}");
                checked += 1;
            }
        }
        assert!(checked > 2000, "{checked}");
    }
}
