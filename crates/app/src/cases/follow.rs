//! The worker's side after the SMS check on `/status`: the cases filed from the proven
//! mobile with their steps, withdrawing an open case (the worker got paid, or settled
//! elsewhere), and rating a closed case once (1–5). `/status` keeps no session, so each
//! open case carries a signed, short-lived withdrawal token and each closed, unrated one a
//! rating token: they stand for the SMS proof.

use huiji_core::case::{CaseAction, CaseId, Rating};
use huiji_core::{Mobile, Timestamp};
use huiji_store::{CaseChange, CaseEventRecord, CaseRecord, Changed};
use huiji_vault::Field;

use super::CaseError;
use crate::App;

/// Cases the status page shows at most.
const LISTED: u32 = 20;

/// How long the SMS proof behind a rating token lasts.
const TOKEN_MS: i64 = 15 * 60 * 1000;

/// What a rating token's signature is for.
const PURPOSE: &str = "case-rating";

/// What a withdrawal token's signature is for (a rating token cannot withdraw).
const WITHDRAW_PURPOSE: &str = "case-withdraw";

/// A case as the worker who filed it sees it.
#[derive(Clone, Debug)]
pub struct CaseLine {
    /// The case.
    pub record: CaseRecord,
    /// The federation handling it.
    pub federation: String,
    /// What officers did, oldest first; notes left out (they are officers' working notes).
    pub events: Vec<CaseEventRecord>,
    /// The token to rate it, while it is closed and unrated.
    pub rating_token: Option<String>,
    /// The token to withdraw it, while it is open.
    pub withdraw_token: Option<String>,
}

/// The cases filed from `mobile`, newest first. Call only after the SMS code proved it.
///
/// # Errors
///
/// The store's.
pub async fn cases_of_mobile(app: &App, mobile: &Mobile) -> Result<Vec<CaseLine>, CaseError> {
    let bidx = app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    let now = app.now();
    let mut lines = Vec::new();
    for record in app.store().cases_by_mobile(&bidx, LISTED).await? {
        let federation = app.store().org(record.org).await?.map(|o| o.name).unwrap_or_default();
        let events = app
            .store()
            .case_events(record.id)
            .await?
            .into_iter()
            .map(|e| CaseEventRecord { note: None, ..e })
            .collect();
        let rating_token = record
            .status
            .can_be_rated(record.rating.is_some())
            .then(|| app.keys().expiring_token(PURPOSE, record.id.0, now.millis() + TOKEN_MS));
        let withdraw_token = record
            .status
            .is_open()
            .then(|| app.keys().expiring_token(WITHDRAW_PURPOSE, record.id.0, now.millis() + TOKEN_MS));
        lines.push(CaseLine { record, federation, events, rating_token, withdraw_token });
    }
    Ok(lines)
}

/// Rates the case a genuine, unexpired token stands for, once it is closed.
///
/// # Errors
///
/// `NotRatable` for a bad token, a case not closed or rated already; or the store's.
pub async fn rate(app: &App, token: &str, rating: Rating) -> Result<CaseId, CaseError> {
    let now: Timestamp = app.now();
    let id = app.keys().verify_expiring_token(PURPOSE, token, now.millis()).ok_or(CaseError::NotRatable)?;
    match app.store().rate_case(CaseId(id), rating, now).await? {
        Changed::Done => Ok(CaseId(id)),
        Changed::Stale => Err(CaseError::NotRatable),
    }
}

/// Withdraws the open case a genuine, unexpired token stands for: the worker's own act,
/// recorded as the worker's (`worker`) with no SMS (they did it), the case ended so its
/// deadlines stop and it leaves the officers' open list.
///
/// # Errors
///
/// `NotWithdrawable` for a bad token or a case that has ended; `Stale` when an officer
/// moved it at the same moment (the worker reloads and sees); or the store's.
pub async fn withdraw(app: &App, token: &str) -> Result<CaseId, CaseError> {
    let now: Timestamp = app.now();
    let id = app
        .keys()
        .verify_expiring_token(WITHDRAW_PURPOSE, token, now.millis())
        .ok_or(CaseError::NotWithdrawable)?;
    let record = app.store().case(CaseId(id)).await?.ok_or(CaseError::NotWithdrawable)?;
    let to = record.status.after(CaseAction::Withdraw).map_err(|_| CaseError::NotWithdrawable)?;
    let change = CaseChange {
        case: record.id,
        from: record.status,
        to,
        action: CaseAction::Withdraw,
        assignee: None,
        note: None,
        actor: "worker".to_owned(),
        at: now,
    };
    match app.store().change_case(&change).await? {
        Changed::Done => Ok(record.id),
        Changed::Stale => Err(CaseError::Stale),
    }
}
