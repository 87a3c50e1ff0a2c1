//! The unions a platform may send workers to: those receiving applications in (or
//! around) a region and for an occupation, with the one the receiving rule picks marked.

use huiji_core::joining::{receives_applications, receiving_org};
use huiji_core::{Occupation, Org, RegionCode, RegionLevel};
use huiji_store::{OrgFilter, StoreError};

use crate::App;

/// A union that receives applications, with its join link.
#[derive(Clone, Debug)]
pub struct JoinTarget {
    /// The union.
    pub org: Org,
    /// Its join code (一会一码).
    pub join_code: String,
    /// Its H5 join page (what its QR code opens).
    pub join_url: String,
    /// Whether it is the union an application for this region and occupation goes to.
    pub recommended: bool,
}

/// The join targets serving `region` (any level) and taking `occupation`, the
/// recommended one first, then by id.
///
/// # Errors
///
/// The store's.
pub async fn join_targets(
    app: &App,
    region: Option<RegionCode>,
    occupation: Option<Occupation>,
) -> Result<Vec<JoinTarget>, StoreError> {
    // Unions are found by the city (or province) around the region: that is where the
    // receiving rules look too.
    let area = region.map(|r| r.ancestor_at(RegionLevel::City).unwrap_or(r));
    let orgs = app.store().orgs(&OrgFilter { region: area, ..OrgFilter::default() }).await?;
    let county = region.and_then(|r| r.ancestor_at(RegionLevel::County));
    let recommended = match (county, occupation) {
        (Some(county), Some(occupation)) => receiving_org(None, &orgs, occupation, county).map(|o| o.id),
        _ => None,
    };
    let mut targets: Vec<JoinTarget> = orgs
        .iter()
        .filter(|org| receives_applications(org))
        .filter(|org| region.is_none_or(|r| org.region.contains(r) || r.contains(org.region)))
        .filter(|org| occupation.is_none_or(|o| org.occupations.is_empty() || org.occupations.contains(&o)))
        .filter_map(|org| {
            let join_code = org.join_code.clone()?;
            Some(JoinTarget {
                org: org.clone(),
                join_url: app.join_url(&join_code),
                join_code,
                recommended: recommended == Some(org.id),
            })
        })
        .collect();
    targets.sort_by_key(|t| (!t.recommended, t.org.id));
    Ok(targets)
}
