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
    let contacts = contacts_of(app, &notices).await?;
    for notice in &notices {
        match message(app, notice, &contacts) {
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

/// The contact details each union of the round's notices gives its workers, by union
/// path — read once a round for all of them: a round was a read a union before, one after
/// another, and under a join burst the welcomes land all over the province (about one read
/// a welcome, each waiting for a connection behind the joins on PostgreSQL).
async fn contacts_of(
    app: &App,
    notices: &[NoticeRecord],
) -> Result<HashMap<String, UnionContact>, StoreError> {
    let mut paths: Vec<OrgPath> =
        notices.iter().filter_map(|notice| OrgPath::parse(&notice.org_path)).collect();
    paths.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    paths.dedup();
    let found = app.store().contacts_for(&paths).await?;
    Ok(paths
        .into_iter()
        .zip(found)
        .map(|(path, contact)| (path.as_str().to_owned(), contact.map(|c| c.contact).unwrap_or_default()))
        .collect())
}

/// A claimed notice's recipient and text, or why it is given up without sending;
/// `contacts` holds the round's union contacts, by union path (none for a path that does
/// not parse: the text then goes without them).
fn message(
    app: &App,
    notice: &NoticeRecord,
    contacts: &HashMap<String, UnionContact>,
) -> Result<(Mobile, String), NoticeAttempt> {
    let mobile = notice
        .mobile_ct
        .as_deref()
        .and_then(|ct| app.keys().decrypt(Field::Mobile, ct).ok())
        .and_then(|plain| Mobile::parse(&plain).ok());
    let Some(mobile) = mobile else {
        tracing::warn!(notice = notice.id, "decision SMS not sent: no mobile (purged)");
        return Err(NoticeAttempt::GiveUp("no mobile".to_owned()));
    };
    let contact = contacts.get(&notice.org_path).cloned().unwrap_or_default();
    let Some(body) = render(notice, &contact, app.public_url()) else {
        tracing::warn!(notice = notice.id, kind = %notice.kind, "decision SMS not sent: its facts are gone");
        return Err(NoticeAttempt::GiveUp("facts missing".to_owned()));
    };
    Ok((mobile, body))
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
