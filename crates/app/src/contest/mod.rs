//! The 安康杯 safety knowledge contest: the question bank's import, contests and their
//! quotas, a member taking a contest on the server's clock, and the leaderboards (with
//! the close that finishes what is left and freezes them).
//!
//! Officers act within their org's subtree ([`Actor`]); members are identified by the
//! door (an SMS check or the member card) and reach only their own attempts.

pub mod boards;
pub mod cache;
pub mod organise;
pub mod pass;
pub mod questions;
pub mod taking;

use huiji_core::contest::{ContestId, ContestPhase, DrawError, RulesError};
use huiji_store::{ContestRecord, StoreError};

use crate::App;
use crate::actor::Actor;

/// Why a contest use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ContestError {
    /// No such contest, attempt or union — or one outside what the actor may see.
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this (a viewer, a reviewer managing).
    #[error("not allowed")]
    Forbidden,
    /// A name, a number or the window is out of bounds.
    #[error("{0}")]
    Rules(#[from] RulesError),
    /// The quotas cannot be drawn from the bank.
    #[error("{0}")]
    Draw(#[from] DrawError),
    /// The quotas do not add up to the questions per attempt.
    #[error("the quotas add up to {quotas} questions, not {questions}")]
    QuotaTotal {
        /// Their sum.
        quotas: u32,
        /// Questions per attempt.
        questions: u32,
    },
    /// The question file cannot be read.
    #[error("{0}")]
    File(#[from] huiji_tabular::Error),
    /// The contest is not open now.
    #[error("the contest is not open")]
    NotOpen(ContestPhase),
    /// The member does not hold a membership in the organiser's subtree.
    #[error("not a member of the organiser's unions")]
    NotEligible,
    /// The member has started as many attempts today as the contest allows.
    #[error("no attempts left today")]
    DailyLimit,
    /// An internal failure: no randomness, a worker task that died.
    #[error("internal: {0}")]
    Internal(String),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// A contest the actor may see, else [`ContestError::NotFound`].
///
/// # Errors
///
/// Not found (or outside the actor's subtree), or the store's.
pub async fn contest_for(app: &App, actor: &Actor, id: ContestId) -> Result<ContestRecord, ContestError> {
    app.store().contest(id).await?.filter(|c| actor.sees(&c.org_path)).ok_or(ContestError::NotFound)
}

/// Any contest, as the public pages show it.
///
/// # Errors
///
/// Not found, or the store's.
pub async fn public_contest(app: &App, id: ContestId) -> Result<ContestRecord, ContestError> {
    app.store().contest(id).await?.ok_or(ContestError::NotFound)
}
