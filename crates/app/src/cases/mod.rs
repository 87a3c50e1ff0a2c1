//! Legal-aid cases (法律援助/维权, DESIGN.md "Services"): a worker — member or not — files
//! a case on `/legal` after an SMS code ([`file`]); it goes to the federation of the work
//! region, whose subtree's officers accept, assign, record steps and close it
//! ([`handle`]); the worker follows it on `/status` and rates it once closed
//! ([`follow`]); overdue cases move to the parent federation and ended cases lose their
//! personal data after the retention period ([`upkeep`]). Deadlines count China's
//! working time (`huiji_core::calendar`).

pub mod file;
pub mod follow;
pub mod handle;
pub mod upkeep;

pub use file::{Filed, file};
pub use follow::{CaseLine, cases_of_mobile, rate, withdraw};
pub use handle::{CaseView, OfficerAction, act, cases, officers, view};
pub use upkeep::{escalate_overdue, purge_ended};

use huiji_core::case::{IllegalTransition, NoteError};
use huiji_core::joining::FieldError;
use huiji_core::sms::SmsCheck;
use huiji_store::StoreError;
use huiji_vault::VaultError;

/// Why a case use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// Fields of the form are wrong (each says which and why).
    #[error("invalid case form")]
    Invalid(Vec<FieldError>),
    /// The SMS code did not prove the mobile.
    #[error("mobile not verified: {0:?}")]
    Sms(SmsCheck),
    /// No federation serves the work region.
    #[error("no federation serves the region")]
    Unserved,
    /// No such case — or one outside the officer's subtree (the two look alike).
    #[error("not found")]
    NotFound,
    /// The officer sees the case but may not act (a viewer).
    #[error("not allowed")]
    Forbidden,
    /// The action is not allowed in the case's status.
    #[error("{0}")]
    Illegal(#[from] IllegalTransition),
    /// Someone else moved the case meanwhile; reload and try again.
    #[error("the case changed meanwhile")]
    Stale,
    /// The note is too long or not plain text.
    #[error("{0}")]
    Note(#[from] NoteError),
    /// A recovery without a valid amount.
    #[error("the amount recovered is missing or invalid")]
    Amount,
    /// The assignee is not an officer of the case's subtree who may act.
    #[error("not an officer of the handling federation's subtree")]
    UnknownOfficer,
    /// The rating token is forged or expired, or the case cannot be rated (not closed,
    /// rated already).
    #[error("the case cannot be rated")]
    NotRatable,
    /// The withdrawal token is forged or expired, or the case has ended (closed or
    /// withdrawn already).
    #[error("the case cannot be withdrawn")]
    NotWithdrawable,
    /// Sealing or opening the mobile failed.
    #[error("vault: {0}")]
    Vault(#[from] VaultError),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}
