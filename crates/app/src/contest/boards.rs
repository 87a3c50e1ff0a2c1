//! The leaderboards and the close. Unions are ranked by participation rate (participants
//! ÷ members) or average score, drilled down one level at a time; people by best score
//! then time. When the window has closed, whatever attempts are left unfinished are
//! finished and the union board is frozen — by the closing job, or by the first board
//! request after the close, whichever comes first.

use std::time::Duration;

use huiji_core::contest::{BestAttempt, ContestPhase, UnionOrder, UnionResult, rank_people, rank_unions};
use huiji_core::ranking::Ranked;
use huiji_core::{OrgId, OrgPath};
use huiji_store::{BoardEntry, ContestRecord, Frozen, UnionTotals};
use tokio::task::JoinHandle;

use super::ContestError;
use crate::App;

/// Unfinished attempts finished per round of the close.
const BATCH: u32 = 500;

/// The union board below one union.
#[derive(Clone, Debug)]
pub struct UnionStanding {
    /// The union drilled into, with its whole subtree's figures.
    pub node: UnionResult<UnionTotals>,
    /// The unions below it that have members or participants, ranked.
    pub children: Vec<Ranked<UnionResult<UnionTotals>>>,
    /// Whether the figures are final (frozen at the close).
    pub frozen: bool,
}

fn result(totals: UnionTotals) -> UnionResult<UnionTotals> {
    UnionResult {
        members: totals.members,
        participants: totals.participants,
        correct_sum: totals.correct_sum,
        union: totals,
    }
}

/// Finishes a closed contest's attempts and freezes its board, if not done yet.
///
/// # Errors
///
/// The store's.
pub async fn settle(app: &App, contest: &ContestRecord) -> Result<ContestRecord, ContestError> {
    let now = app.now();
    if contest.frozen_at.is_some() || contest.window.phase(now) != ContestPhase::Closed {
        return Ok(contest.clone());
    }
    loop {
        let expired = app.store().expired_attempts(Some(contest.id), now, BATCH).await?;
        for id in &expired {
            app.store().finish_attempt(*id, now).await?;
        }
        match app.store().freeze_contest(contest.id, now).await? {
            Frozen::Unfinished => continue,
            Frozen::Now => tracing::info!(contest = %contest.id, "contest closed: board frozen"),
            Frozen::Already => {}
        }
        break;
    }
    app.store().contest(contest.id).await?.ok_or(ContestError::NotFound)
}

/// The union board below `node` (the organiser when `None`), which must lie in the
/// organiser's subtree; children without members or participants are left out.
///
/// # Errors
///
/// A node outside the contest, or the store's.
pub async fn unions(
    app: &App,
    contest: &ContestRecord,
    node: Option<OrgId>,
    order: UnionOrder,
) -> Result<UnionStanding, ContestError> {
    let contest = settle(app, contest).await?;
    let node = match node {
        Some(id) => {
            let org = app.store().org(id).await?.ok_or(ContestError::NotFound)?;
            if !contest.org_path.contains(&org.path) {
                return Err(ContestError::NotFound);
            }
            id
        }
        None => contest.org,
    };
    let board = app.store().union_board(&contest, node).await?.ok_or(ContestError::NotFound)?;
    let children: Vec<_> =
        board.children.into_iter().filter(|c| c.members > 0 || c.participants > 0).map(result).collect();
    Ok(UnionStanding {
        node: result(board.node),
        children: rank_unions(children, order, contest.rules.questions_per_attempt()),
        frozen: contest.frozen_at.is_some(),
    })
}

/// The best `limit` participants whose home union lies within `within` (the whole
/// contest when `None`), ranked: ties share a rank.
///
/// # Errors
///
/// A union outside the contest, or the store's.
pub async fn people(
    app: &App,
    contest: &ContestRecord,
    within: Option<&OrgPath>,
    limit: u32,
) -> Result<Vec<Ranked<BoardEntry>>, ContestError> {
    let contest = settle(app, contest).await?;
    let within = match within {
        Some(path) if contest.org_path.contains(path) => path.clone(),
        Some(_) => return Err(ContestError::NotFound),
        None => contest.org_path.clone(),
    };
    let entries = app.store().people_board(&contest, &within, limit).await?;
    // The list holds everyone better than its last, so its ranks are the board's (of the
    // contest, or of the union drilled into).
    let ranked = rank_people(
        entries
            .into_iter()
            .map(|e| BestAttempt { correct: e.correct, millis: e.millis, person: e })
            .collect(),
    );
    Ok(ranked.into_iter().map(|r| Ranked { rank: r.rank, item: r.item.person }).collect())
}

/// Finishes attempts whose deadline passed (members who walked away) and settles
/// contests whose window closed, now and then every `every`, until the handle is
/// aborted. Safe on any number of instances: each finish and each freeze happens once.
pub fn spawn_closing(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = close_round(&app).await {
                tracing::warn!(%error, "closing contests failed; trying again later");
            }
            tokio::time::sleep(every).await;
        }
    })
}

async fn close_round(app: &App) -> Result<(), ContestError> {
    let now = app.now();
    loop {
        let expired = app.store().expired_attempts(None, now, BATCH).await?;
        for id in &expired {
            app.store().finish_attempt(*id, now).await?;
        }
        if expired.len() < BATCH as usize {
            break;
        }
    }
    for contest in app.store().contests_to_freeze(now.china_date()).await? {
        settle(app, &contest).await?;
    }
    Ok(())
}
