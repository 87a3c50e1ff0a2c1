//! Anhui's sixteen prefecture-level cities as a tile map: one square per city on a 5 × 5
//! grid laid out roughly by geography (north at the top), keyed by the GB/T 2260 division
//! code. A boundary map of China needs map data with legal constraints (and ECharts ships
//! none since 5.0); a tile map shows the same comparison without it.

/// One city's square: its division code (4 digits), its short name, and its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tile {
    /// The city's division code prefix (`3401` 合肥).
    pub code: &'static str,
    /// Short Chinese name.
    pub name_zh: &'static str,
    /// Pinyin name.
    pub name_en: &'static str,
    /// Grid row, 0 at the north.
    pub row: u8,
    /// Grid column, 0 at the west.
    pub col: u8,
}

/// Rows and columns of the grid.
pub const GRID: (u8, u8) = (5, 5);

/// The sixteen cities: 淮北, 亳州 and 宿州 in the north, 黄山 alone in the south.
pub const ANHUI: [Tile; 16] = [
    Tile { code: "3416", name_zh: "亳州", name_en: "Bozhou", row: 0, col: 0 },
    Tile { code: "3406", name_zh: "淮北", name_en: "Huaibei", row: 0, col: 1 },
    Tile { code: "3413", name_zh: "宿州", name_en: "Suzhou", row: 0, col: 2 },
    Tile { code: "3412", name_zh: "阜阳", name_en: "Fuyang", row: 1, col: 0 },
    Tile { code: "3404", name_zh: "淮南", name_en: "Huainan", row: 1, col: 1 },
    Tile { code: "3403", name_zh: "蚌埠", name_en: "Bengbu", row: 1, col: 2 },
    Tile { code: "3411", name_zh: "滁州", name_en: "Chuzhou", row: 1, col: 3 },
    Tile { code: "3415", name_zh: "六安", name_en: "Lu'an", row: 2, col: 0 },
    Tile { code: "3401", name_zh: "合肥", name_en: "Hefei", row: 2, col: 1 },
    Tile { code: "3405", name_zh: "马鞍山", name_en: "Ma'anshan", row: 2, col: 3 },
    Tile { code: "3408", name_zh: "安庆", name_en: "Anqing", row: 3, col: 0 },
    Tile { code: "3417", name_zh: "池州", name_en: "Chizhou", row: 3, col: 1 },
    Tile { code: "3407", name_zh: "铜陵", name_en: "Tongling", row: 3, col: 2 },
    Tile { code: "3402", name_zh: "芜湖", name_en: "Wuhu", row: 3, col: 3 },
    Tile { code: "3418", name_zh: "宣城", name_en: "Xuancheng", row: 3, col: 4 },
    Tile { code: "3410", name_zh: "黄山", name_en: "Huangshan", row: 4, col: 2 },
];

/// The tile of the city a division code lies in (`340122` → 合肥), if it is one of
/// Anhui's.
pub fn tile_of(region_code: &str) -> Option<&'static Tile> {
    let city = region_code.get(..4)?;
    ANHUI.iter().find(|t| t.code == city)
}

/// Which of `buckets` shades a value falls in, given the largest value shown: 0 for none,
/// else 1..=buckets in equal steps of the largest (so the darkest is the largest).
pub fn shade(value: i64, largest: i64, buckets: u8) -> u8 {
    if value <= 0 || largest <= 0 || buckets == 0 {
        return 0;
    }
    let step = (value.min(largest) * i64::from(buckets) + largest - 1) / largest;
    u8::try_from(step).unwrap_or(buckets).clamp(1, buckets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionTable;

    #[test]
    fn every_city_of_anhui_has_one_square_and_no_two_overlap() {
        let regions = RegionTable::national();
        let mut places = std::collections::HashSet::new();
        for tile in ANHUI {
            assert!(tile.row < GRID.0 && tile.col < GRID.1, "{}", tile.name_zh);
            assert!(places.insert((tile.row, tile.col)), "{} overlaps", tile.name_zh);
            let code = tile.code.parse().unwrap_or_else(|_| panic!("{}", tile.code));
            let name = regions.name_path(code).unwrap_or_default();
            assert!(name.contains(tile.name_zh), "{} is {name}", tile.code);
        }
        assert_eq!(tile_of("340122").map(|t| t.name_zh), Some("合肥"));
        assert_eq!(tile_of("3410").map(|t| t.name_zh), Some("黄山"));
        assert_eq!(tile_of("320100"), None);
        assert_eq!(tile_of("34"), None);
    }

    #[test]
    fn shades_step_up_to_the_largest() {
        assert_eq!(shade(0, 100, 5), 0);
        assert_eq!(shade(1, 100, 5), 1);
        assert_eq!(shade(20, 100, 5), 1);
        assert_eq!(shade(21, 100, 5), 2);
        assert_eq!(shade(100, 100, 5), 5);
        assert_eq!(shade(500, 100, 5), 5);
        assert_eq!(shade(5, 0, 5), 0);
    }
}
