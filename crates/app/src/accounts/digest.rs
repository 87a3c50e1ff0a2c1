//! The daily SMS digest of waiting reviews, for officers who opted in: from
//! [`DIGEST_HOUR`] China time, once a day per account, when their subtree has reviews
//! pending. Each account's day is claimed in the database before its message goes out,
//! so any number of instances send it once.

use huiji_core::account::{DIGEST_HOUR, digest_text};
use huiji_core::{Mobile, OrgId};
use huiji_vault::Field;

use crate::App;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestRound {
    /// Digests sent.
    pub sent: u32,
    /// Accounts looked at whose subtree had nothing waiting (or whose SMS failed).
    pub skipped: u32,
}

/// Sends today's digests that are due (none before [`DIGEST_HOUR`]).
///
/// # Errors
///
/// The store's.
pub async fn send_due(app: &App) -> Result<DigestRound, huiji_store::StoreError> {
    let now = app.now();
    let mut round = DigestRound::default();
    if now.china_minute_of_day() < DIGEST_HOUR * 60 {
        return Ok(round);
    }
    let today = now.china_date().to_string();
    for account in app.store().digest_due(&today).await? {
        if !app.store().claim_digest(account.id, &today).await? {
            continue;
        }
        let Some(org) = app.store().org(OrgId(account.org_id)).await? else { continue };
        let waiting = app.store().reviews_waiting(&org.path, now).await?;
        let mobile = account
            .mobile_ct
            .as_deref()
            .and_then(|ct| app.keys().decrypt(Field::Mobile, ct).ok())
            .and_then(|plain| Mobile::parse(&plain).ok());
        let (Some(text), Some(mobile)) =
            (digest_text(waiting.pending, waiting.overdue, app.public_url()), mobile)
        else {
            round.skipped += 1;
            continue;
        };
        match app.sms().send(&mobile, &text).await {
            Ok(()) => round.sent += 1,
            Err(error) => {
                // Claimed for today: tomorrow's digest counts again.
                tracing::warn!(%error, username = %account.username, "review digest not sent");
                round.skipped += 1;
            }
        }
    }
    Ok(round)
}
