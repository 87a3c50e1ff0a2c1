//! The grant SMS. Each grant row is its own outbox entry, written in the grant's
//! transaction (the approval's too); after the commit — at once for claims and officers'
//! grants, and every half minute for every instance's job — each unsent notice is taken
//! (a compare-and-set, so two senders never text it twice) and handed to the SMS port.

use std::time::Duration;

use huiji_core::Mobile;
use huiji_core::benefit::grant_text;
use huiji_vault::Field;
use tokio::task::JoinHandle;

use super::BenefitError;
use crate::App;

/// Notices sent per round.
const ROUND: u32 = 200;

/// Sends the grant SMS still unsent; how many went to the provider. A notice whose
/// mobile cannot be opened (purged) or whose provider refused is logged and not retried
/// (at most once, like the welcome SMS).
///
/// # Errors
///
/// The store's.
pub async fn deliver_notices(app: &App) -> Result<u32, BenefitError> {
    let mut sent = 0;
    for notice in app.store().pending_grant_notices(ROUND).await? {
        if !app.store().take_grant_notice(notice.grant, app.now()).await? {
            continue;
        }
        let mobile =
            app.keys().decrypt(Field::Mobile, &notice.mobile_ct).ok().and_then(|m| Mobile::parse(&m).ok());
        let Some(mobile) = mobile else {
            tracing::warn!(grant = notice.grant.0, "benefit SMS not sent: no mobile");
            continue;
        };
        let text = grant_text(&notice.programme_name, notice.valid_until, notice.hotline.as_deref());
        match app.sms().send(&mobile, &text).await {
            Ok(()) => sent += 1,
            Err(error) => tracing::warn!(%error, grant = notice.grant.0, "benefit SMS not sent"),
        }
    }
    Ok(sent)
}

/// [`deliver_notices`] after a grant, its failure only logged: the grant stands and the
/// job tries again.
pub(crate) async fn deliver_soon(app: &App) {
    if let Err(error) = deliver_notices(app).await {
        tracing::warn!(%error, "benefit SMS delivery failed; the job retries");
    }
}

/// Sends grant SMS now and then every `every` (on-approval grants wait for it), until
/// the handle is aborted.
pub fn spawn_notices(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_notices(&app).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "benefit SMS sent"),
                Err(error) => tracing::warn!(%error, "sending benefit SMS failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
