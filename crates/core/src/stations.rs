//! Service stations (稳固下来): the three kinds, what they offer, when they open, and the
//! rows of a station import (名称, 类型, 地址, 区县, 经度, 纬度, 电话, 开放时间, 服务项目).

mod amenity;
mod code;
mod hours;
mod import;
mod search;

pub use amenity::{Amenity, AmenityCell, AmenitySet, parse_amenities};
pub use code::{StationCode, StationId};
pub use hours::{HoursError, OpeningHours, TimeRange};
pub use import::{StationCells, StationDraft, StationField, StationFieldError, StationPhone, parse_station};
pub use search::{
    CELL_DEGREES, FIRST_RADIUS_M, LAST_RADIUS_M, MAX_BOX_CELLS, MAX_RESULTS, SearchBox, centre, grid_cell,
    next_radius, rank, settled,
};

use crate::labelled::labelled_enum;

labelled_enum!(
    /// What kind of place a station is (DESIGN.md glossary).
    StationKind {
        /// 工会驿站/服务站: a union's general service station.
        ServiceStation = "service_station", "工会服务站", "Union service station";
        /// 司机之家: rest, food and parking for truck drivers, usually at a logistics park.
        DriverHome = "driver_home", "司机之家", "Driver home";
        /// 户外劳动者服务站: a rest stop for couriers, riders and other outdoor workers.
        OutdoorRestStop = "outdoor_rest_stop", "户外劳动者服务站", "Outdoor workers' rest stop";
    }
);

impl StationKind {
    /// Reads an import's 类型 cell: a code or label, or the names unions actually write
    /// (“工会驿站”, “户外劳动者驿站”, “XX司机之家”).
    pub fn parse_cell(text: &str) -> Option<StationKind> {
        if let Some(kind) = Self::from_code_or_label(text) {
            return Some(kind);
        }
        let text = text.trim();
        // 户外 first: “户外劳动者驿站” also contains 驿站.
        if text.contains("司机之家") {
            Some(Self::DriverHome)
        } else if text.contains("户外") {
            Some(Self::OutdoorRestStop)
        } else if ["驿站", "服务站", "服务中心"].iter().any(|k| text.contains(k)) {
            Some(Self::ServiceStation)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_from_codes_labels_and_common_names() {
        for kind in StationKind::ALL {
            assert_eq!(StationKind::parse_cell(kind.code()), Some(*kind));
            assert_eq!(StationKind::parse_cell(kind.label_zh()), Some(*kind));
            assert_eq!(StationKind::parse_cell(&kind.label_en().to_uppercase()), Some(*kind));
        }
        assert_eq!(StationKind::parse_cell(" 工会驿站 "), Some(StationKind::ServiceStation));
        assert_eq!(StationKind::parse_cell("户外劳动者驿站"), Some(StationKind::OutdoorRestStop));
        assert_eq!(StationKind::parse_cell("合肥港司机之家"), Some(StationKind::DriverHome));
        assert_eq!(StationKind::parse_cell("加油站"), None);
        assert_eq!(StationKind::parse_cell(""), None);
    }
}
