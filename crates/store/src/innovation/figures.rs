//! The registry counted for a subtree (the article's figures), and the published studios
//! listed for the public page.
//!
//! The registry is small (a province has hundreds of studios, thousands of mentorships),
//! so the figures are counted when asked, each with one indexed range over the scope.

use huiji_core::OrgPath;
use huiji_core::innovation::{ActivityKind, Honour, InnovationLevel, ProjectStatus, StudioKind};
use huiji_core::money::Amount;

use super::Studio;
use super::registry::studio;
use super::rows::{StudioRow, code};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// What the public page asks for. Empty strings mean any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicStudioQuery {
    /// Only this level.
    pub level: Option<InnovationLevel>,
    /// Only studios listing this field of work.
    pub field: String,
    /// Text in the studio's, leader's or host union's name or the fields.
    pub text: String,
    /// Page size.
    pub limit: u32,
    /// Studios skipped (page × size).
    pub offset: u32,
}

/// The registry of a subtree, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InnovationFigures {
    /// Model workers by honour, in kind then level order; only honours held.
    pub model_workers: Vec<(Honour, u64)>,
    /// Studios by kind and level, in that order; only pairs with studios.
    pub studios: Vec<(StudioKind, InnovationLevel, u64)>,
    /// People working in the studios.
    pub studio_members: u64,
    /// Key projects by status, in status order; only statuses with projects.
    pub projects: Vec<(ProjectStatus, u64)>,
    /// Patents applied for by the projects.
    pub patents_filed: u64,
    /// Patents granted.
    pub patents_granted: u64,
    /// The projects' economic benefit.
    pub benefit: Amount,
    /// Distinct mentors (名师).
    pub mentors: u64,
    /// Apprentices (one per mentorship).
    pub apprentices: u64,
    /// Apprentices who reached a certified skill level.
    pub certified: u64,
    /// Activities by kind, in kind order; only kinds held.
    pub activities: Vec<(ActivityKind, u64)>,
    /// Small and medium enterprises helped by the activities.
    pub smes_helped: u64,
}

impl InnovationFigures {
    /// Every studio.
    pub fn studios_total(&self) -> u64 {
        self.studios.iter().map(|(_, _, n)| n).sum()
    }

    /// Studios at a level, of either kind.
    pub fn studios_at(&self, level: InnovationLevel) -> u64 {
        self.studios.iter().filter(|(_, l, _)| *l == level).map(|(_, _, n)| n).sum()
    }

    /// Every key project.
    pub fn projects_total(&self) -> u64 {
        self.projects.iter().map(|(_, n)| n).sum()
    }

    /// Projects with a status.
    pub fn projects_with(&self, status: ProjectStatus) -> u64 {
        self.projects.iter().filter(|(s, _)| *s == status).map(|(_, n)| n).sum()
    }

    /// Every model worker.
    pub fn model_workers_total(&self) -> u64 {
        self.model_workers.iter().map(|(_, n)| n).sum()
    }

    /// Activities of a kind.
    pub fn activities_of(&self, kind: ActivityKind) -> u64 {
        self.activities.iter().filter(|(k, _)| *k == kind).map(|(_, n)| n).sum()
    }
}

/// The public listing's conditions: `$1` level, `$2` a field pattern, `$3` a text
/// pattern (each `''` for any).
macro_rules! public_where {
    () => {
        " WHERE s.published AND ($1 = '' OR s.level = $1) \
          AND ($2 = '' OR (',' || s.fields || ',') LIKE $2 ESCAPE '\\') \
          AND ($3 = '' OR s.name LIKE $3 ESCAPE '\\' OR w.name LIKE $3 ESCAPE '\\' \
               OR o.name LIKE $3 ESCAPE '\\' OR s.fields LIKE $3 ESCAPE '\\')"
    };
}

const PUBLIC_STUDIOS: &str = concat!(
    studio!(),
    public_where!(),
    " ORDER BY CASE s.level WHEN 'national' THEN 0 WHEN 'provincial' THEN 1 ELSE 2 END, s.id LIMIT $4 OFFSET $5"
);
const COUNT_PUBLIC_STUDIOS: &str = concat!(
    "SELECT COUNT(*) FROM innovation_studios s JOIN model_workers w ON w.id = s.leader_id \
     JOIN orgs o ON o.id = s.org_id",
    public_where!()
);
const PUBLIC_FIELDS: &str = "SELECT fields FROM innovation_studios WHERE published AND fields <> ''";

const WORKERS_BY_HONOUR: &str = "SELECT honour_kind, honour_level, COUNT(*) FROM model_workers \
    WHERE org_path >= $1 AND org_path < $2 GROUP BY honour_kind, honour_level";
const STUDIOS_BY_LEVEL: &str = "SELECT kind, level, COUNT(*), CAST(SUM(members) AS BIGINT) \
    FROM innovation_studios WHERE org_path >= $1 AND org_path < $2 GROUP BY kind, level";
const PROJECTS_BY_STATUS: &str = "SELECT p.status, COUNT(*), CAST(SUM(p.patents_filed) AS BIGINT), \
    CAST(SUM(p.patents_granted) AS BIGINT), CAST(SUM(p.benefit_fen) AS BIGINT) \
    FROM innovation_projects p JOIN innovation_studios s ON s.id = p.studio_id \
    WHERE s.org_path >= $1 AND s.org_path < $2 GROUP BY p.status";
const MENTORSHIP_COUNTS: &str = "SELECT COUNT(DISTINCT m.mentor_id), COUNT(*), COUNT(m.certificate) \
    FROM innovation_mentorships m JOIN innovation_studios s ON s.id = m.studio_id \
    WHERE s.org_path >= $1 AND s.org_path < $2";
const ACTIVITIES_BY_KIND: &str = "SELECT a.kind, COUNT(*), CAST(SUM(a.smes_helped) AS BIGINT) \
    FROM innovation_activities a JOIN innovation_studios s ON s.id = a.studio_id \
    WHERE s.org_path >= $1 AND s.org_path < $2 GROUP BY a.kind";

/// A `LIKE` pattern matching `text` anywhere, its wildcards escaped.
fn containing(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

fn n(count: i64) -> Result<u64> {
    u64::try_from(count).map_err(|_| StoreError::Corrupt("negative innovation count".to_owned()))
}

pub(super) async fn public_studios(
    store: &SqlStore,
    query: &PublicStudioQuery,
) -> Result<(Vec<Studio>, u64)> {
    let level = query.level.map_or("", |l| l.code());
    let field = if query.field.trim().is_empty() {
        String::new()
    } else {
        containing(&format!(",{},", query.field.trim()))
    };
    let text = if query.text.trim().is_empty() { String::new() } else { containing(query.text.trim()) };
    let rows: Vec<StudioRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(PUBLIC_STUDIOS)
        .bind(level)
        .bind(&field)
        .bind(&text)
        .bind(i64::from(query.limit))
        .bind(i64::from(query.offset))
        .fetch_all(p)
        .await?);
    let total: i64 = on_pool!(&store.pools, read, |p| sqlx::query_scalar(COUNT_PUBLIC_STUDIOS)
        .bind(level)
        .bind(&field)
        .bind(&text)
        .fetch_one(p)
        .await?);
    let studios = rows.into_iter().map(Studio::try_from).collect::<Result<Vec<_>>>()?;
    Ok((studios, n(total)?))
}

pub(super) async fn public_fields(store: &SqlStore) -> Result<Vec<String>> {
    let rows: Vec<String> =
        on_pool!(&store.pools, read, |p| sqlx::query_scalar(PUBLIC_FIELDS).fetch_all(p).await?);
    let mut counted: Vec<(String, usize)> = Vec::new();
    for field in rows.iter().flat_map(|fields| fields.split(',')).filter(|f| !f.is_empty()) {
        match counted.iter_mut().find(|(f, _)| f == field) {
            Some((_, count)) => *count += 1,
            None => counted.push((field.to_owned(), 1)),
        }
    }
    // The commonest first; ties by name, so the order is stable.
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counted.into_iter().map(|(f, _)| f).collect())
}

pub(super) async fn innovation_figures(store: &SqlStore, within: &OrgPath) -> Result<InnovationFigures> {
    let (from, to) = (within.as_str(), within.subtree_upper_bound());
    let workers: Vec<(String, String, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(WORKERS_BY_HONOUR)
            .bind(from)
            .bind(&to)
            .fetch_all(p)
            .await?);
    let studios: Vec<(String, String, i64, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(STUDIOS_BY_LEVEL)
            .bind(from)
            .bind(&to)
            .fetch_all(p)
            .await?);
    let projects: Vec<(String, i64, i64, i64, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(PROJECTS_BY_STATUS)
            .bind(from)
            .bind(&to)
            .fetch_all(p)
            .await?);
    let (mentors, apprentices, certified): (i64, i64, i64) =
        on_pool!(&store.pools, read, |p| sqlx::query_as(MENTORSHIP_COUNTS)
            .bind(from)
            .bind(&to)
            .fetch_one(p)
            .await?);
    let activities: Vec<(String, i64, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ACTIVITIES_BY_KIND)
            .bind(from)
            .bind(&to)
            .fetch_all(p)
            .await?);

    let mut figures = InnovationFigures {
        mentors: n(mentors)?,
        apprentices: n(apprentices)?,
        certified: n(certified)?,
        ..InnovationFigures::default()
    };
    for (kind, level, count) in workers {
        let honour = Honour { kind: code(&kind, "honour kind")?, level: code(&level, "honour level")? };
        figures.model_workers.push((honour, n(count)?));
    }
    figures.model_workers.sort_by_key(|(h, _)| (h.kind, h.level));
    for (kind, level, count, members) in studios {
        figures.studios.push((code(&kind, "studio kind")?, code(&level, "studio level")?, n(count)?));
        figures.studio_members += n(members)?;
    }
    figures.studios.sort_by_key(|(kind, level, _)| (*kind, *level));
    let mut benefit_fen = 0i64;
    for (status, count, filed, granted, fen) in projects {
        figures.projects.push((code(&status, "project status")?, n(count)?));
        figures.patents_filed += n(filed)?;
        figures.patents_granted += n(granted)?;
        benefit_fen = benefit_fen.saturating_add(fen);
    }
    figures.projects.sort_by_key(|(status, _)| *status);
    figures.benefit =
        Amount::from_fen(benefit_fen).ok_or_else(|| StoreError::Corrupt("innovation benefit".to_owned()))?;
    for (kind, count, smes) in activities {
        figures.activities.push((code(&kind, "activity kind")?, n(count)?));
        figures.smes_helped += n(smes)?;
    }
    figures.activities.sort_by_key(|(kind, _)| *kind);
    Ok(figures)
}
