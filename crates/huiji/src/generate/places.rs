//! Where generated members work and where their memberships land: the real union tree
//! (seeded if missing), and the core's landing rules for every county and occupation.

use std::collections::HashMap;

use huiji_core::joining::{self, Landing};
use huiji_core::{Occupation, Org, OrgId, RegionCode, RegionLevel, RegionTable};
use huiji_fixtures::synthetic::{Weighted, province_population};
use huiji_fixtures::tree;
use huiji_store::{OrgFilter, Store};

use crate::error::CommandError;
use huiji_app::ports::{Clock, SystemClock};

/// A union a membership lives in.
#[derive(Clone, Debug)]
pub(crate) struct Home {
    /// Who reviews a join of this occupation here (the core's receiving rule).
    pub receiving: OrgId,
    pub org_id: i64,
    pub path: String,
    pub in_pool: bool,
}

/// A county-level division members work in, with the home of each main occupation there.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub region_code: String,
    pub region: u32,
    /// Whether IDs are issued there (development zones issue none).
    pub issues_ids: bool,
    /// Indexed like [`Occupation::MAIN_FOUR`].
    pub homes: [Option<Home>; 4],
}

/// The join code of 合肥市货车司机工会联合会, present when Anhui's tree is seeded.
const ANHUI_MARKER: &str = "3401T";
/// The join code of 北京市市辖区总工会, present when the other provinces are seeded.
const NATIONAL_MARKER: &str = "1101";

/// Seeds Anhui's tree when the database has no unions, and the other provinces'
/// federations when the national scenario needs them.
pub(crate) async fn ensure_tree(
    store: &dyn Store,
    national: bool,
    out: &mut dyn std::io::Write,
) -> Result<(), CommandError> {
    if store.org_by_join_code(ANHUI_MARKER).await?.is_none() {
        crate::setup::seed_anhui(store, &SystemClock, out).await?;
    }
    if national && store.org_by_join_code(NATIONAL_MARKER).await?.is_none() {
        let plan = tree::provinces(RegionTable::national(), &["34"]);
        let ids = store.create_tree(&plan, SystemClock.now()).await?;
        writeln!(out, "seeded {} province and city federations of the other 30 provinces", ids.len())?;
    }
    Ok(())
}

/// The county-level divisions of the scenario (Anhui's, or the whole country's) with
/// weights: Anhui's counties by their number of townships (a proxy for population); the
/// country's by province population (2020 census), then by townships within a province.
pub(crate) async fn places(store: &dyn Store, national: bool) -> Result<Weighted<Place>, CommandError> {
    let table = RegionTable::national();
    let orgs = store.orgs(&OrgFilter::default()).await?;
    let mut by_city: HashMap<RegionCode, Vec<Org>> = HashMap::new();
    for org in orgs {
        if let Some(city) = org.region.ancestor_at(RegionLevel::City) {
            by_city.entry(city).or_default().push(org);
        }
    }
    let provinces: Vec<(&str, u64)> = if national {
        province_population().collect()
    } else {
        province_population().filter(|(code, _)| *code == "34").collect()
    };
    let mut weighted = Vec::new();
    for (code, population) in provinces {
        let Some(province) = table.lookup(code) else { continue };
        let counties: Vec<_> = table.descendants_at(province.code, RegionLevel::County).collect();
        let townships = |county: RegionCode| table.children(county).len().max(1) as u64;
        let total: u64 = counties.iter().map(|c| townships(c.code)).sum();
        for county in counties {
            let Some(city) = county.code.ancestor_at(RegionLevel::City) else { continue };
            let city_orgs = by_city.get(&city).map_or(&[][..], Vec::as_slice);
            let homes = Occupation::MAIN_FOUR.map(|occupation| {
                let landing = joining::landing(None, city_orgs, occupation, county.code)?;
                let org = city_orgs.iter().find(|o| o.id == landing.org())?;
                let receiving = joining::receiving_org(None, city_orgs, occupation, county.code)?;
                Some(Home {
                    receiving: receiving.id,
                    org_id: org.id.0,
                    path: org.path.as_str().to_owned(),
                    in_pool: matches!(landing, Landing::Pool(OrgId(_))),
                })
            });
            if homes.iter().all(Option::is_none) {
                continue;
            }
            let weight = population * 1_000_000 * townships(county.code) / total.max(1);
            let issues_ids = !(county.name.ends_with("开发区") || county.name.ends_with("园区"));
            let region_code = county.code.to_string();
            let region = region_code.parse().unwrap_or(0);
            weighted.push((Place { region_code, region, issues_ids, homes }, weight));
        }
    }
    Ok(Weighted::new(weighted))
}

/// Every county code that issues ID numbers, for birthplaces away from the workplace.
pub(super) fn birthplaces() -> Vec<u32> {
    RegionTable::national()
        .all(RegionLevel::County)
        .iter()
        .filter(|c| !(c.name.ends_with("开发区") || c.name.ends_with("园区")))
        .filter_map(|c| c.code.to_string().parse().ok())
        .collect()
}
