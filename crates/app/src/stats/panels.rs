//! The statistics page's panels from other areas, each summed for the officer's subtree:
//! outreach (the real-name roster's size and coverage), benefit uptake against quotas,
//! the innovation registry and contest participation. Stations and legal-aid cases are
//! in [`super::Figures`] itself. This module reads what those areas keep; none of them
//! reads statistics.
//!
//! Campaign funnels come from the campaigns area's own count over its messages
//! (`app::campaign::subtree_funnel`).

use huiji_core::benefit::{ProgrammeId, ProgrammeKind, Quota};
use huiji_core::{Occupation, Org, OrgId};
use huiji_store::{ContestTally, CoverageRow, InnovationFigures, ProgrammeRecord};

use super::StatsError;
use crate::App;

/// Programmes the benefits panel lists at most (newest first).
pub const PROGRAMMES: u32 = 50;
/// Contests the participation panel lists at most (newest first).
pub const CONTESTS: u32 = 20;

/// A panel whose area may not be in service yet: the page says so rather than showing
/// zeros as if they were figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Panel<T> {
    /// The area's figures.
    Ready(T),
    /// The area has not landed.
    NotYetAvailable,
}

impl<T> Panel<T> {
    /// Whether there are figures to show.
    pub fn is_ready(&self) -> bool {
        matches!(self, Panel::Ready(_))
    }
}

/// The real-name roster of a subtree against its members (DESIGN.md "Outreach").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outreach {
    /// People listed (one per source), by unions of the subtree.
    pub entries: u64,
    /// Of them, members now.
    pub members: u64,
    /// Of them, with an application waiting.
    pub pending: u64,
    /// By occupation, most listed first.
    pub by_occupation: Vec<CoverageRow<Occupation>>,
    /// By the union that imported the list, with its name, most listed first.
    pub by_union: Vec<CoverageRow<(OrgId, String)>>,
}

/// One benefit programme's uptake as the scope sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uptake {
    /// The programme.
    pub id: ProgrammeId,
    /// Its name.
    pub name: String,
    /// What it gives.
    pub kind: ProgrammeKind,
    /// The sponsor union's name.
    pub sponsor: String,
    /// The quota that applies to the scope: the programme's when its sponsor is within
    /// the scope, else the share of the sponsor's child union the scope lies in, else the
    /// programme's.
    pub quota: Quota,
    /// Whether [`Uptake::quota`] is a child union's share.
    pub share: bool,
    /// Grants held (not revoked) by members of the scope.
    pub granted_here: u64,
}

/// The panels of a subtree.
#[derive(Clone, Debug)]
pub struct Panels {
    /// Roster size and coverage.
    pub outreach: Outreach,
    /// The funnel of the campaigns of unions in the scope, summed.
    pub campaigns: Panel<huiji_store::Funnel>,
    /// Benefit programmes the scope's members may hold, with their uptake.
    pub benefits: Vec<Uptake>,
    /// The innovation registry counted.
    pub innovation: InnovationFigures,
    /// Contests with participants in the scope.
    pub contests: Vec<ContestTally>,
}

/// The panels of `org`'s subtree (already checked to be in the actor's sight).
///
/// # Errors
///
/// The store's.
pub async fn panels(app: &App, org: &Org) -> Result<Panels, StatsError> {
    let store = app.store();
    let coverage = store.roster_coverage(&org.path).await?;
    let mut by_union = Vec::with_capacity(coverage.by_org.len());
    for row in coverage.by_org {
        let name = store.org(row.key).await?.map(|o| o.name).unwrap_or_default();
        by_union.push(CoverageRow {
            key: (row.key, name),
            entries: row.entries,
            members: row.members,
            pending: row.pending,
        });
    }
    let outreach = Outreach {
        entries: coverage.entries,
        members: coverage.members,
        pending: coverage.pending,
        by_occupation: coverage.by_occupation,
        by_union,
    };
    Ok(Panels {
        outreach,
        campaigns: Panel::Ready(crate::campaign::subtree_funnel(app, &org.path).await?),
        benefits: benefits(app, org).await?,
        innovation: store.innovation_figures(&org.path).await?,
        contests: store.contest_participation(&org.path, CONTESTS).await?,
    })
}

/// The uptake of every programme the members of `org`'s subtree may hold (the page's
/// panel; the 数据大屏 shows their grants summed).
///
/// # Errors
///
/// The store's.
pub async fn benefits(app: &App, org: &Org) -> Result<Vec<Uptake>, StatsError> {
    let mut out = Vec::new();
    for programme in app.store().programmes_for(&org.path, PROGRAMMES).await? {
        out.push(uptake(app, org, programme).await?);
    }
    Ok(out)
}

/// A programme's uptake within `org`'s subtree: the counters the grant transaction keeps
/// when they cover exactly the scope, else a count of the scope's grants (one index range).
async fn uptake(app: &App, org: &Org, programme: ProgrammeRecord) -> Result<Uptake, StatsError> {
    let store = app.store();
    let sponsor = store.org(programme.org).await?.map(|o| o.name).unwrap_or_default();
    let (quota, share, granted_here) = if org.path.contains(&programme.org_path) {
        (programme.quota, false, u64::from(programme.quota.granted))
    } else {
        let shares = store.programme_shares(programme.id).await?;
        let share = shares.into_iter().find(|s| s.org_path.contains(&org.path));
        match share {
            Some(s) if s.org == org.id => (s.quota, true, u64::from(s.quota.granted)),
            other => {
                let counts = store.grant_counts(programme.id, &org.path).await?;
                let held = counts
                    .iter()
                    .filter(|(status, _)| *status != huiji_core::benefit::GrantStatus::Revoked)
                    .map(|(_, n)| n)
                    .sum();
                match other {
                    Some(s) => (s.quota, true, held),
                    None => (programme.quota, false, held),
                }
            }
        }
    };
    Ok(Uptake {
        id: programme.id,
        name: programme.name,
        kind: programme.kind,
        sponsor,
        quota,
        share,
        granted_here,
    })
}
