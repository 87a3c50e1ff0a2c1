//! The 数据大屏 (`/console/screen`): its figures, and the long-lived read-only screen
//! tokens an admin issues for a hall's display (shown once, stored hashed, revocable,
//! audited). A token opens the screen of its union's subtree and nothing else.

use huiji_core::audit::AuditAction;
use huiji_core::stats::day_key;
use huiji_core::{Occupation, Org, OrgId, Timestamp};
use huiji_store::{ChildTally, Period, ScreenTokenRecord};

use super::{StatsError, union_for};
use crate::App;
use crate::actor::Actor;

/// Bytes of randomness in a screen token (hex in the URL).
const TOKEN_BYTES: usize = 32;

/// A token just issued: shown once.
#[derive(Debug)]
pub struct Issued {
    /// Its id (to revoke it).
    pub id: i64,
    /// The token for the kiosk URL.
    pub token: String,
}

/// What the screen shows.
#[derive(Clone, Debug)]
pub struct ScreenFigures {
    /// The union.
    pub org: Org,
    /// Members held now.
    pub held: i64,
    /// Joins today (China).
    pub joined_today: i64,
    /// Held, by occupation.
    pub by_occupation: Vec<(Occupation, i64)>,
    /// Child unions (a province's cities make the tile map).
    pub by_child: Vec<ChildTally>,
    /// Today's approved applications by the hour they came in (0–23).
    pub joins_by_hour: Vec<i64>,
    /// The review queue now: waiting, and past the deadline.
    pub pending: i64,
    /// Waiting past the deadline.
    pub overdue: i64,
    /// Service stations of the subtree.
    pub stations: u64,
    /// Benefit grants held by the subtree's members (every programme they may hold).
    pub benefits_granted: u64,
    /// Legal-aid cases open, and past their deadline.
    pub cases_open: i64,
    /// Of those, past their resolution deadline.
    pub cases_overdue: i64,
    /// When these were read.
    pub at: Timestamp,
}

/// Issues a screen token for `org`'s subtree.
///
/// # Errors
///
/// The union is missing or out of scope, the actor is no admin of it, the label is empty
/// or longer than 60 characters, or the store's.
pub async fn issue(app: &App, actor: &Actor, org: OrgId, label: &str) -> Result<Issued, StatsError> {
    let union = union_for(app, actor, org).await?;
    if !actor.administers(&union.path) {
        return Err(StatsError::Forbidden);
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        return Err(StatsError::InvalidLabel);
    }
    let mut bytes = [0u8; TOKEN_BYTES];
    app.random().fill(&mut bytes).map_err(|e| StatsError::Internal(e.to_string()))?;
    let token = huiji_vault::hex(&bytes);
    let hash = huiji_vault::sha256_hex(token.as_bytes());
    let id = app.store().create_screen_token(org, &hash, label, &actor.name(), app.now()).await?;
    actor
        .audit(app, &union.path, AuditAction::StatsScreenIssue, format!("screen:{id} org:{} {label}", org.0))
        .await?;
    Ok(Issued { id, token })
}

/// Revokes a screen token of the admin's subtree.
///
/// # Errors
///
/// No such token in the actor's subtree, the actor is no admin, or the store's.
pub async fn revoke(app: &App, actor: &Actor, id: i64) -> Result<(), StatsError> {
    let token = app.store().screen_token_by_id(id).await?.ok_or(StatsError::NotFound)?;
    let path = huiji_core::OrgPath::parse(&token.org_path).ok_or(StatsError::NotFound)?;
    if !actor.sees(&path) {
        return Err(StatsError::NotFound);
    }
    if !actor.administers(&path) {
        return Err(StatsError::Forbidden);
    }
    if app.store().revoke_screen_token(id, app.now()).await? {
        actor
            .audit(app, &path, AuditAction::StatsScreenRevoke, format!("screen:{id} {}", token.label))
            .await?;
    }
    Ok(())
}

/// The screen tokens of `org`'s subtree, newest first (admins only).
///
/// # Errors
///
/// Out of scope, not an admin, or the store's.
pub async fn tokens(app: &App, actor: &Actor, org: OrgId) -> Result<Vec<ScreenTokenRecord>, StatsError> {
    let union = union_for(app, actor, org).await?;
    if !actor.administers(&union.path) {
        return Err(StatsError::Forbidden);
    }
    Ok(app.store().screen_tokens(&union.path).await?)
}

/// The union a live screen token opens.
///
/// # Errors
///
/// [`StatsError::NotFound`] for an unknown or revoked token; the store's.
pub async fn by_token(app: &App, token: &str) -> Result<Org, StatsError> {
    let hash = huiji_vault::sha256_hex(token.trim().as_bytes());
    let record = app.store().screen_token(&hash).await?.ok_or(StatsError::NotFound)?;
    app.store().org(OrgId(record.org_id)).await?.ok_or(StatsError::NotFound)
}

/// The screen's figures for `org`'s subtree (the caller checked who may see them).
///
/// # Errors
///
/// The store's.
pub async fn figures(app: &App, org: Org) -> Result<ScreenFigures, StatsError> {
    let store = app.store();
    let now = app.now();
    let today = now.china_date();
    let path = &org.path;
    let mut by_occupation: std::collections::BTreeMap<Occupation, i64> = std::collections::BTreeMap::new();
    for t in store.membership_tallies(path).await? {
        if t.status.is_held() {
            *by_occupation.entry(t.occupation).or_default() += t.members;
        }
    }
    let held = by_occupation.values().sum();
    let day = day_key(today);
    let joined_today =
        store.flow_tallies(path, Period::Day, day, day).await?.iter().map(|t| t.flows.joined).sum();
    let mut joins_by_hour = vec![0; 24];
    for (hour, n) in store.joins_by_hour(path, Timestamp::china_day_start(today)).await? {
        if let Some(slot) = usize::try_from(hour).ok().and_then(|h| joins_by_hour.get_mut(h)) {
            *slot += n;
        }
    }
    let review = store.review_tally(path, today, today, now).await?;
    let stations = store.station_figures(path, today, today).await?;
    let cases = store.case_tally(path, now, now).await?;
    let benefits_granted = super::panels::benefits(app, &org).await?.iter().map(|u| u.granted_here).sum();
    let month = huiji_core::stats::shift_month(huiji_core::stats::month_key(today), -11);
    Ok(ScreenFigures {
        held,
        joined_today,
        by_occupation: by_occupation.into_iter().filter(|(_, n)| *n != 0).collect(),
        by_child: store.child_tallies(org.id, month).await?,
        joins_by_hour,
        pending: review.pending,
        overdue: review.overdue,
        stations: stations.by_kind.iter().map(|(_, n)| n).sum(),
        benefits_granted,
        cases_open: cases.open,
        cases_overdue: cases.overdue,
        at: now,
        org,
    })
}
