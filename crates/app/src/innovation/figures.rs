//! The registry counted for any subtree (the article's figures: studios by level,
//! projects by status, patents, benefit, mentors → apprentices, SMEs helped), and what
//! the public page shows: published studios with their projects and mentorship counts —
//! the model workers' public names and honours, never an apprentice's.

use huiji_core::{Org, OrgId};
use huiji_store::{InnovationFigures, Project, PublicStudioQuery, RegistryPage, Studio};

use super::{Result, org_in_scope};
use crate::App;
use crate::audit::Officer;

/// Studios per public page.
pub const PUBLIC_PAGE_SIZE: u32 = 20;

/// Projects shown per studio on the public page.
const PUBLIC_PROJECTS: u32 = 20;

/// The figures of a union in the officer's subtree (their own by default), any role.
///
/// # Errors
///
/// `NotFound` for a union outside the subtree.
pub async fn figures(app: &App, officer: &Officer, org: Option<OrgId>) -> Result<(Org, InnovationFigures)> {
    let org = org_in_scope(app, officer, org.unwrap_or(officer.org)).await?;
    let figures = app.store().innovation_figures(&org.path).await?;
    Ok((org, figures))
}

/// A published studio and its key projects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicStudio {
    /// The studio (its leader's public name and honour, its host union).
    pub studio: Studio,
    /// Its projects, at most twenty.
    pub projects: Vec<Project>,
}

/// One page of the public listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicPage {
    /// The studios of the page.
    pub studios: Vec<PublicStudio>,
    /// How many studios match in all.
    pub total: u64,
    /// The fields of work to filter by.
    pub fields: Vec<String>,
}

/// The public listing: published studios matching the query, a page at a time.
///
/// # Errors
///
/// The store's.
pub async fn public_page(app: &App, query: &PublicStudioQuery) -> Result<PublicPage> {
    let query = PublicStudioQuery { limit: PUBLIC_PAGE_SIZE, ..query.clone() };
    let (studios, total) = app.store().public_studios(&query).await?;
    let mut page = Vec::with_capacity(studios.len());
    for studio in studios {
        let projects = app
            .store()
            .projects(&studio.org_path, Some(studio.id), RegistryPage::first(PUBLIC_PROJECTS))
            .await?;
        page.push(PublicStudio { studio, projects });
    }
    Ok(PublicPage { studios: page, total, fields: app.store().public_fields().await? })
}
