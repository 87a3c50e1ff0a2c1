//! The grant SMS. A grant queues its notice in the decision SMS outbox (`notices`, kind
//! `benefit_granted`) inside the grant's own transaction — the approval's, for on-approval
//! grants — so a committed grant is never left untold and a refused one never told; the
//! notice job ([`crate::notices`]) delivers it with retries and backs off when the
//! provider fails. The outbox row names the grant, not the member's details: the mobile
//! and the programme's facts are read at delivery.

use huiji_core::benefit::GrantId;
use huiji_store::NoticeAbout;

use crate::App;

/// Delivers one grant's SMS now (the claim's or the officer's request waits for it, as a
/// decision's does); a failure is left to the notice job, which retries.
pub(crate) async fn deliver_soon(app: &App, grant: GrantId) {
    crate::notices::deliver_about(app, NoticeAbout { grant: Some(grant.0), ..NoticeAbout::default() }).await;
}

/// Wakes the notice job for grants made in batch: their SMS go out from there, so the
/// officer's request does not wait for hundreds of sends.
pub(crate) fn deliver_later(app: &App) {
    app.notices_due().notify_one();
}
