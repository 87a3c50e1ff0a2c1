//! Where a case goes: the federation of the worker's work region (DESIGN.md "Legal-aid
//! cases"), and where an overdue case escalates to.

use crate::org::{Level, Org, OrgKind};
use crate::region::{RegionCode, RegionLevel};

/// The federation that handles a case filed for `region` (a county-level code): the
/// county's federation, else its city's, else the province's. `orgs` are the candidate
/// federations (any levels; other kinds are ignored). `None` when the region lies in no
/// province the tree has a federation for.
pub fn handling_federation(orgs: &[Org], region: RegionCode) -> Option<&Org> {
    let at = |level: Level, place: Option<RegionCode>| {
        place
            .and_then(|place| orgs.iter().find(|o| o.kind == OrgKind::Federation(level) && o.region == place))
    };
    at(Level::County, Some(region))
        .or_else(|| at(Level::City, region.ancestor_at(RegionLevel::City)))
        .or_else(|| at(Level::Province, region.ancestor_at(RegionLevel::Province)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::AutoApproval;
    use crate::org::{OrgId, OrgPath};
    use crate::time::Timestamp;

    fn org(id: i64, kind: OrgKind, region: &str) -> Org {
        Org {
            id: OrgId(id),
            parent: None,
            kind,
            name: format!("org {id}"),
            region: region.parse().unwrap(),
            occupations: Vec::new(),
            turnover_pool: false,
            path: OrgPath::parse(&format!("/{id}/")).unwrap(),
            join_code: None,
            credit_code: None,
            auto_approval: AutoApproval::Off,
            review_days: 3,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn the_county_first_then_the_city_then_the_province() {
        let orgs = [
            org(1, OrgKind::Federation(Level::Province), "34"),
            org(2, OrgKind::Federation(Level::City), "3401"),
            org(3, OrgKind::Federation(Level::County), "340122"),
            org(4, OrgKind::IndustryFederation(Level::County), "340104"),
        ];
        let route = |code: &str| handling_federation(&orgs, code.parse().unwrap()).map(|o| o.id.0);
        assert_eq!(route("340122"), Some(3), "肥东县总工会");
        assert_eq!(route("340104"), Some(2), "no county federation: the city's, never an industry one");
        assert_eq!(route("340202"), Some(1), "no 芜湖 federation: the province's");
        assert_eq!(route("110105"), None, "another province");
    }
}
