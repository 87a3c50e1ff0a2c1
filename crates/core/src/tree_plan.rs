//! The plan of a real union tree built from the division table: which unions exist, what
//! they are called and which occupations their industry federations serve. The plan is
//! pure data; the store turns it into rows.

use crate::membership::AutoApproval;
use crate::occupation::Occupation;
use crate::org::{Level, OrgKind};
use crate::region::{Region, RegionCode, RegionLevel, RegionTable};

/// One union to create; `parent` indexes an earlier entry of the same plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedOrg {
    /// Index of the parent in [`TreePlan::orgs`]; `None` for the root.
    pub parent: Option<usize>,
    /// Kind and level.
    pub kind: OrgKind,
    /// Official name.
    pub name: String,
    /// Where it is.
    pub region: RegionCode,
    /// Occupations served (industry federations only).
    pub occupations: Vec<Occupation>,
    /// Whether it keeps a turnover pool.
    pub turnover_pool: bool,
    /// Its 一会一码 join code, for orgs that receive applications.
    pub join_code: Option<String>,
    /// Its auto-approval policy.
    pub auto_approval: AutoApproval,
}

/// A whole tree, parents always before their children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreePlan {
    /// The unions in creation order.
    pub orgs: Vec<PlannedOrg>,
}

/// The division table lacks what a plan needs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A division the plan depends on is missing.
    #[error("region {0} is not in the division table")]
    MissingRegion(String),
}

/// Anhui's cities by resident population at the 2020 census, largest first. More people
/// means more couriers, riders and ride-hailing drivers, so the larger a city, the more of
/// the four occupations get a city-level industry federation there.
const ANHUI_CITIES_BY_POPULATION: [&str; 16] = [
    "3401", "3412", "3413", "3416", "3415", "3408", "3411", "3402", "3403", "3404", "3418", "3405", "3406",
    "3417", "3410", "3407",
];

/// How many of the cities above (largest first) get a city-level industry federation for
/// each occupation. Every city gets a truck-driver federation: truck drivers are 325,000
/// of the 412,000 members the article counts. 16 + 12 + 10 + 6 = 44, the article's figure.
const CITY_INDUSTRY_FEDERATIONS: [(Occupation, usize); 4] = [
    (Occupation::TruckDriver, 16),
    (Occupation::Courier, 12),
    (Occupation::DeliveryRider, 10),
    (Occupation::RideHailingDriver, 6),
];

/// What a county-level division is, read from its official name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CountyClass {
    /// 县 or county-level 市: highways, freight and logistics parks.
    County,
    /// 区: the urban districts, where parcels and meal deliveries concentrate.
    District,
    /// 开发区 / 园区: development zones, served by their city's federations.
    Zone,
}

fn classify(region: &Region) -> CountyClass {
    if region.name.ends_with("开发区") || region.name.ends_with("园区") {
        CountyClass::Zone
    } else if region.name.ends_with('区') {
        CountyClass::District
    } else {
        CountyClass::County
    }
}

/// The county-level industry federations of one county-level division. Counties and
/// county-level cities get a truck-driver federation (59), districts a courier federation
/// (45), and each city's core district (the lowest district code) also a delivery-rider
/// federation (16): 120, the article's figure.
fn county_industry_occupations(class: CountyClass, core_district: bool) -> Vec<Occupation> {
    match class {
        CountyClass::County => vec![Occupation::TruckDriver],
        CountyClass::District if core_district => {
            vec![Occupation::Courier, Occupation::DeliveryRider]
        }
        CountyClass::District => vec![Occupation::Courier],
        CountyClass::Zone => Vec::new(),
    }
}

/// Anhui's union tree: 安徽省总工会, 16 city federations (each with a turnover pool), 119
/// county-level federations, every township/street union (1,685), and 44 city-level plus
/// 120 county-level new-employment-form industry federations.
pub fn anhui(table: &RegionTable) -> Result<TreePlan, PlanError> {
    let province = lookup(table, "34")?;
    let mut plan = TreePlan::default();
    let root = plan.push(None, OrgKind::Federation(Level::Province), province, "总工会");

    for city_code in ANHUI_CITIES_BY_POPULATION {
        lookup(table, city_code)?;
    }
    for city in table.children(province.code) {
        let city_fed = plan.push(Some(root), OrgKind::Federation(Level::City), city, "总工会");
        plan.orgs[city_fed].turnover_pool = true;
        plan.receive(city_fed, city.code.to_string());

        let rank = ANHUI_CITIES_BY_POPULATION
            .iter()
            .position(|code| *code == city.code.to_string().as_str())
            .unwrap_or(ANHUI_CITIES_BY_POPULATION.len());
        for (occupation, cities) in CITY_INDUSTRY_FEDERATIONS {
            if rank < cities {
                plan.push_industry(city_fed, Level::City, city.name, city.code, occupation);
            }
        }

        let counties = table.children(city.code);
        let core_district = counties.iter().find(|c| classify(c) == CountyClass::District).map(|c| c.code);
        for county in counties {
            let class = classify(county);
            // Districts are known by their city's name too (合肥市蜀山区总工会); counties,
            // county-level cities and zones carry their own (肥东县总工会).
            let county_name = match class {
                CountyClass::District => format!("{}{}", city.name, county.name),
                CountyClass::County | CountyClass::Zone => county.name.to_owned(),
            };
            let county_fed = plan.push_named(
                Some(city_fed),
                OrgKind::Federation(Level::County),
                format!("{county_name}总工会"),
                county.code,
            );
            plan.receive(county_fed, county.code.to_string());
            for occupation in county_industry_occupations(class, core_district == Some(county.code)) {
                plan.push_industry(county_fed, Level::County, &county_name, county.code, occupation);
            }
            for township in table.children(county.code) {
                plan.push(Some(county_fed), OrgKind::Township, township, "工会");
            }
        }
    }
    Ok(plan)
}

/// The province and city federations of every province except `skip` (the provinces
/// whose full tree is seeded separately, such as Anhui's): each province federation is a
/// root, each city federation keeps its city's turnover pool and receives applications
/// (join code = the city code, 马上入会), so a worker anywhere in the country has a union
/// to land in. Municipalities' placeholder "cities" (市辖区, 县) and the provinces'
/// directly administered counties (省直辖县级行政区划) carry the province's name in front.
pub fn provinces(table: &RegionTable, skip: &[&str]) -> TreePlan {
    let mut plan = TreePlan::default();
    for province in table.all(RegionLevel::Province) {
        if skip.contains(&province.code.to_string().as_str()) {
            continue;
        }
        let root = plan.push(None, OrgKind::Federation(Level::Province), province, "总工会");
        for city in table.children(province.code) {
            let name = if city.is_placeholder() {
                format!("{}{}总工会", province.name, city.name)
            } else {
                format!("{}总工会", city.name)
            };
            let city_fed = plan.push_named(Some(root), OrgKind::Federation(Level::City), name, city.code);
            plan.orgs[city_fed].turnover_pool = true;
            plan.receive(city_fed, city.code.to_string());
        }
    }
    plan
}

fn lookup<'t>(table: &'t RegionTable, code: &str) -> Result<&'t Region, PlanError> {
    table.lookup(code).ok_or_else(|| PlanError::MissingRegion(code.to_owned()))
}

impl TreePlan {
    fn push(&mut self, parent: Option<usize>, kind: OrgKind, region: &Region, suffix: &str) -> usize {
        self.push_named(parent, kind, format!("{}{suffix}", region.name), region.code)
    }

    fn push_named(
        &mut self,
        parent: Option<usize>,
        kind: OrgKind,
        name: String,
        region: RegionCode,
    ) -> usize {
        self.orgs.push(PlannedOrg {
            parent,
            kind,
            name,
            region,
            occupations: Vec::new(),
            turnover_pool: false,
            join_code: None,
            auto_approval: AutoApproval::Off,
        });
        self.orgs.len() - 1
    }

    fn push_industry(
        &mut self,
        parent: usize,
        level: Level,
        place: &str,
        region: RegionCode,
        occupation: Occupation,
    ) {
        let name = format!("{place}{}工会联合会", occupation.label_zh());
        let index = self.push_named(Some(parent), OrgKind::IndustryFederation(level), name, region);
        self.orgs[index].occupations.push(occupation);
        self.receive(index, format!("{region}{}", occupation.join_code_letter()));
    }

    /// Makes a planned org a receiving org: a join code, and 马上入会 until an officer
    /// changes the policy.
    fn receive(&mut self, index: usize, join_code: String) {
        let org = &mut self.orgs[index];
        org.join_code = Some(join_code);
        org.auto_approval = AutoApproval::AllVerified;
    }

    /// How many planned unions are of this kind.
    pub fn count(&self, kind: OrgKind) -> usize {
        self.orgs.iter().filter(|o| o.kind == kind).count()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashSet;

    use super::*;

    /// The region level a federation of this level sits at.
    fn region_level_of(level: Level) -> RegionLevel {
        match level {
            Level::Province => RegionLevel::Province,
            Level::City => RegionLevel::City,
            Level::County => RegionLevel::County,
        }
    }

    fn plan() -> TreePlan {
        anhui(RegionTable::national()).unwrap()
    }

    #[test]
    fn anhui_has_the_published_counts() {
        let plan = plan();
        assert_eq!(plan.count(OrgKind::Federation(Level::Province)), 1);
        assert_eq!(plan.count(OrgKind::Federation(Level::City)), 16);
        assert_eq!(plan.count(OrgKind::Federation(Level::County)), 119);
        assert_eq!(plan.count(OrgKind::IndustryFederation(Level::City)), 44);
        assert_eq!(plan.count(OrgKind::IndustryFederation(Level::County)), 120);
        assert_eq!(plan.count(OrgKind::Township), 1685);
        assert_eq!(plan.orgs.len(), 1 + 16 + 119 + 44 + 120 + 1685);
        assert_eq!(plan.orgs[0].name, "安徽省总工会");
    }

    #[test]
    fn every_anhui_township_has_its_union_under_its_county() {
        let table = RegionTable::national();
        let plan = plan();
        let townships: HashSet<RegionCode> =
            plan.orgs.iter().filter(|o| o.kind == OrgKind::Township).map(|o| o.region).collect();
        let anhui = table.lookup("34").unwrap().code;
        for township in table.descendants_at(anhui, RegionLevel::Township) {
            assert!(townships.contains(&township.code), "{} missing", township.name);
        }
        for org in plan.orgs.iter().filter(|o| o.kind == OrgKind::Township) {
            let parent = &plan.orgs[org.parent.unwrap()];
            assert_eq!(parent.kind, OrgKind::Federation(Level::County));
            assert_eq!(Some(parent.region), org.region.parent());
        }
    }

    #[test]
    fn every_city_has_a_truck_driver_federation_and_a_pool() {
        let plan = plan();
        for (index, city) in plan.orgs.iter().enumerate() {
            if city.kind != OrgKind::Federation(Level::City) {
                continue;
            }
            assert!(city.turnover_pool, "{}", city.name);
            let truckers = plan.orgs.iter().filter(|o| {
                o.parent == Some(index)
                    && o.kind == OrgKind::IndustryFederation(Level::City)
                    && o.occupations == [Occupation::TruckDriver]
            });
            assert_eq!(truckers.count(), 1, "{}", city.name);
        }
        let pools = plan.orgs.iter().filter(|o| o.turnover_pool).count();
        assert_eq!(pools, 16);
    }

    #[test]
    fn industry_federations_cover_the_four_occupations_in_real_places() {
        let plan = plan();
        let industry: Vec<&PlannedOrg> =
            plan.orgs.iter().filter(|o| matches!(o.kind, OrgKind::IndustryFederation(_))).collect();
        for occupation in Occupation::MAIN_FOUR {
            assert!(industry.iter().any(|o| o.occupations == [occupation]), "{occupation}");
        }
        for org in &industry {
            let parent = &plan.orgs[org.parent.unwrap()];
            assert_eq!(parent.region, org.region, "{} sits with its federation", org.name);
            assert_eq!(parent.kind.level(), org.kind.level());
            assert_eq!(org.region.level(), region_level_of(org.kind.level().unwrap()));
        }
        assert!(industry.iter().any(|o| o.name == "合肥市货车司机工会联合会"));
        assert!(industry.iter().any(|o| o.name == "肥东县货车司机工会联合会"));
        assert!(industry.iter().any(|o| o.name == "合肥市瑶海区网约配送员工会联合会"));
    }

    #[test]
    fn receiving_orgs_have_unique_join_codes_and_instant_approval() {
        let plan = plan();
        let receiving: Vec<&PlannedOrg> = plan.orgs.iter().filter(|o| o.join_code.is_some()).collect();
        assert_eq!(receiving.len(), 16 + 119 + 44 + 120);
        assert!(receiving.iter().all(|o| o.auto_approval == AutoApproval::AllVerified));
        let codes: HashSet<&str> = receiving.iter().filter_map(|o| o.join_code.as_deref()).collect();
        assert_eq!(codes.len(), receiving.len());
        let hefei_trucks = plan.orgs.iter().find(|o| o.name == "合肥市货车司机工会联合会").unwrap();
        assert_eq!(hefei_trucks.join_code.as_deref(), Some("3401T"));
        let township = plan.orgs.iter().find(|o| o.kind == OrgKind::Township).unwrap();
        assert_eq!((township.join_code.as_ref(), township.auto_approval), (None, AutoApproval::Off));
    }

    #[test]
    fn the_other_provinces_get_province_and_city_federations_with_pools() {
        let table = RegionTable::national();
        let plan = provinces(table, &["34"]);
        assert_eq!(plan.count(OrgKind::Federation(Level::Province)), 30);
        let cities = table.all(RegionLevel::City).iter().filter(|c| !c.code.to_string().starts_with("34"));
        assert_eq!(plan.count(OrgKind::Federation(Level::City)), cities.count());
        assert!(plan.orgs.iter().all(|o| o.kind != OrgKind::Federation(Level::City) || o.turnover_pool));
        assert!(
            plan.orgs
                .iter()
                .any(|o| o.name == "北京市市辖区总工会" && o.join_code.as_deref() == Some("1101"))
        );
        assert!(plan.orgs.iter().any(|o| o.name == "广州市总工会"));
        assert!(!plan.orgs.iter().any(|o| o.name.starts_with("安徽")));
        let codes: HashSet<&str> = plan.orgs.iter().filter_map(|o| o.join_code.as_deref()).collect();
        let anhui: HashSet<String> = plan_codes(&super::anhui(table).unwrap());
        assert!(codes.iter().all(|c| !anhui.contains(*c)), "join codes stay unique with Anhui's");
        for (index, org) in plan.orgs.iter().enumerate() {
            assert!(org.parent.is_none_or(|p| p < index));
        }
    }

    fn plan_codes(plan: &TreePlan) -> HashSet<String> {
        plan.orgs.iter().filter_map(|o| o.join_code.clone()).collect()
    }

    #[test]
    fn names_are_unique_among_siblings_and_parents_come_first() {
        let plan = plan();
        let mut seen = HashSet::new();
        for (index, org) in plan.orgs.iter().enumerate() {
            assert!(seen.insert((org.parent, org.name.clone())), "{} twice", org.name);
            if let Some(parent) = org.parent {
                assert!(parent < index);
            }
        }
    }
}
