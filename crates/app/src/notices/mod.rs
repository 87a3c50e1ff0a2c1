//! Decision SMS: every decision about an applicant or a member (approval, rejection,
//! escalation, a transfer's answer, a distribution) queues a notice in the decision's own
//! transaction (`huiji_store::NoticeStore`); this module delivers them through the SMS
//! port. The decision's request delivers its own notices at once ([`deliver_about`]);
//! the job ([`spawn_delivery`]) sends what is left — escalations, and retries after the
//! provider failed, backing off ([`huiji_core::notice::retry_after_millis`]).
//!
//! A notice is claimed with a lease before it is sent and marked sent only while still
//! pending, so two workers never send one twice and a sent one is never sent again, even
//! across restarts. (A worker that dies between the provider's answer and the mark leaves
//! the notice to be sent once more after the lease: the provider cannot be asked.)

mod text;

use std::collections::HashMap;
use std::time::Duration;

use huiji_core::notice::{LEASE_MILLIS, retry_after_millis};
use huiji_core::org::UnionContact;
use huiji_core::{Mobile, OrgPath, Timestamp};
use huiji_store::{NoticeAbout, NoticeAttempt, NoticeRecord, StoreError};
use huiji_vault::Field;
use tokio::task::JoinHandle;

pub use text::render;

use crate::App;
use crate::sms::SmsError;

/// Notices claimed per round.
pub const BATCH: u32 = 100;

/// Delivers every due notice (a round of up to [`BATCH`] at a time, until none is due);
/// how many went to the provider.
///
/// # Errors
///
/// The store's.
pub async fn deliver_due(app: &App) -> Result<usize, StoreError> {
    let mut sent = 0;
    loop {
        let (claimed, round) = deliver_round(app, None).await?;
        sent += round;
        if claimed < BATCH as usize {
            return Ok(sent);
        }
    }
}

/// Delivers the notices of one decision at once (the officer's request waits for it, as
/// it did for the welcome SMS); a failure is logged and left to the job.
pub async fn deliver_about(app: &App, about: NoticeAbout) {
    if let Err(error) = deliver_round(app, Some(about)).await {
        tracing::warn!(%error, "decision SMS not delivered now; the job retries");
    }
}

/// One claim and its sends: (claimed, sent). The round's messages go to the provider
/// together and are settled in one transaction: with the outbox, a round is two commits
/// however many notices it holds (each welcome was two commits of its own before, beside
/// every join's batch on SQLite's one write connection).
async fn deliver_round(app: &App, about: Option<NoticeAbout>) -> Result<(usize, usize), StoreError> {
    let now = app.now();
    let notices =
        app.store().claim_notices(now, Timestamp(now.millis() + LEASE_MILLIS), BATCH, about).await?;
    let mut settled = Vec::with_capacity(notices.len());
    let mut outgoing = Vec::with_capacity(notices.len());
    // A round's notices come from a few unions: each union's contact is read once a round,
    // not once a notice (a round of welcomes was a hundred reads one after another, each
    // waiting for a connection behind the joins on PostgreSQL).
    let mut contacts = HashMap::new();
    for notice in &notices {
        match message(app, notice, &mut contacts).await? {
            Ok(message) => outgoing.push((notice, message)),
            Err(given_up) => settled.push((notice.id, given_up)),
        }
    }
    let round: Vec<(&Mobile, &str)> =
        outgoing.iter().map(|(_, (mobile, body))| (mobile, body.as_str())).collect();
    let outcomes = app.sms().send_batch(&round).await;
    let mut sent = 0;
    for ((notice, (_, body)), outcome) in outgoing.into_iter().zip(outcomes) {
        if outcome.is_ok() {
            sent += 1;
        }
        settled.push((notice.id, attempted(app, notice, body, outcome)));
    }
    app.store().settle_notices(&settled, app.now()).await?;
    Ok((notices.len(), sent))
}

/// A claimed notice's recipient and text, or why it is given up without sending;
/// `contacts` keeps the union contacts the round has read, by union path.
async fn message(
    app: &App,
    notice: &NoticeRecord,
    contacts: &mut HashMap<String, UnionContact>,
) -> Result<Result<(Mobile, String), NoticeAttempt>, StoreError> {
    let mobile = notice
        .mobile_ct
        .as_deref()
        .and_then(|ct| app.keys().decrypt(Field::Mobile, ct).ok())
        .and_then(|plain| Mobile::parse(&plain).ok());
    let Some(mobile) = mobile else {
        tracing::warn!(notice = notice.id, "decision SMS not sent: no mobile (purged)");
        return Ok(Err(NoticeAttempt::GiveUp("no mobile".to_owned())));
    };
    let contact = match contacts.get(&notice.org_path) {
        Some(contact) => contact.clone(),
        None => {
            let contact = match OrgPath::parse(&notice.org_path) {
                Some(path) => app.store().contact_for(&path).await?.map(|c| c.contact).unwrap_or_default(),
                None => UnionContact::default(),
            };
            contacts.insert(notice.org_path.clone(), contact.clone());
            contact
        }
    };
    let Some(body) = render(notice, &contact, app.public_url()) else {
        tracing::warn!(notice = notice.id, kind = %notice.kind, "decision SMS not sent: its facts are gone");
        return Ok(Err(NoticeAttempt::GiveUp("facts missing".to_owned())));
    };
    Ok(Ok((mobile, body)))
}

/// What to record of a notice the provider was given: sent, or a retry (backing off)
/// until it is given up.
fn attempted(app: &App, notice: &NoticeRecord, body: String, outcome: Result<(), SmsError>) -> NoticeAttempt {
    match outcome {
        Ok(()) => NoticeAttempt::Sent(body),
        Err(error) => {
            let attempts = u32::try_from(notice.attempts).unwrap_or(u32::MAX);
            match retry_after_millis(attempts) {
                Some(wait) => {
                    tracing::warn!(%error, notice = notice.id, attempts, "decision SMS not sent; retrying later");
                    NoticeAttempt::RetryAt(Timestamp(app.now().millis() + wait), error.to_string())
                }
                None => {
                    tracing::warn!(%error, notice = notice.id, attempts, "decision SMS given up");
                    NoticeAttempt::GiveUp(error.to_string())
                }
            }
        }
    }
}

/// Delivers due notices now and then every `every` — or at once when a request queued one
/// and woke it ([`App::notices_due`]: a platform's join leaves its welcome SMS here, so
/// its answer waits for one commit only) — until the handle is aborted; a failed round is
/// logged and the next one tried. Wakes during a round are kept, so nothing waits long.
pub fn spawn_delivery(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_due(&app).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "decision SMS delivered"),
                Err(error) => tracing::warn!(%error, "delivering decision SMS failed; trying again later"),
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = app.notices_due().notified() => {}
            }
        }
    })
}
