//! Webhook delivery: claims due events from the outbox, posts them signed to the
//! platform's URL and records each attempt. Delivery is at least once: an event is marked
//! delivered only after the receiver answered 2xx, and a worker that dies mid-delivery
//! loses only its lease, after which another instance sends the event again with the same
//! event id.

use std::time::{Duration, Instant};

use huiji_core::Timestamp;
use huiji_core::webhook::retry_delay_millis;
use huiji_store::{AfterAttempt, DeliveryRecord, StoreError, WebhookEvent};
use huiji_vault::{Field, webhook_signature};
use tokio::task::JoinSet;

use super::{event_id, payload};
use crate::App;

/// How long a claimed event is reserved for one worker.
const LEASE_MILLIS: i64 = 60_000;

/// Events claimed per round.
pub(crate) const BATCH: u32 = 20;

/// How long a receiver may take to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers the events due now; returns how many were attempted.
pub async fn deliver_due(app: &App, client: &reqwest::Client) -> Result<usize, StoreError> {
    let now = app.now();
    let events = app.store().claim_webhooks(now, Timestamp(now.0 + LEASE_MILLIS), BATCH).await?;
    let count = events.len();
    let mut attempts = JoinSet::new();
    for event in events {
        let (app, client) = (app.clone(), client.clone());
        attempts.spawn(async move { attempt(&app, &client, event).await });
    }
    while let Some(done) = attempts.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "webhook attempt not recorded; it is retried after its lease")
            }
            Err(error) => tracing::error!(%error, "webhook attempt panicked"),
        }
    }
    Ok(count)
}

async fn attempt(app: &App, client: &reqwest::Client, event: WebhookEvent) -> Result<(), StoreError> {
    let started = Instant::now();
    let now = app.now();
    let result = send(app, client, &event, now).await;
    let (status_code, error) = match &result {
        Ok(status) if (200..300).contains(status) => (Some(i32::from(*status)), None),
        Ok(status) => (Some(i32::from(*status)), Some(format!("receiver answered {status}"))),
        Err(error) => (None, Some(error.clone())),
    };
    let after = match (&error, retry_delay_millis(u32::try_from(event.attempts).unwrap_or(u32::MAX))) {
        (None, _) => AfterAttempt::Delivered,
        (Some(_), Some(delay)) => AfterAttempt::RetryAt(Timestamp(now.0 + delay)),
        (Some(_), None) => AfterAttempt::GiveUp,
    };
    let delivery = DeliveryRecord {
        event_id: event.id,
        attempt: event.attempts,
        at: now.millis(),
        status_code,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    app.store().record_delivery(&delivery, after).await
}

/// Posts one event; the receiver's status, or why there was none.
async fn send(
    app: &App,
    client: &reqwest::Client,
    event: &WebhookEvent,
    now: Timestamp,
) -> Result<u16, String> {
    let url = event.webhook_url.as_deref().ok_or("the platform has no webhook URL any more")?;
    let secret_ct = event.webhook_secret_ct.as_deref().ok_or("the platform has no webhook secret")?;
    let secret = app.keys().decrypt(Field::WebhookSecret, secret_ct).map_err(|e| format!("secret: {e}"))?;
    let body = serde_json::to_vec(&payload(event)).map_err(|e| e.to_string())?;
    let signature = webhook_signature(&secret, now.unix_seconds(), &body);
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-huiji-event", event.kind.code())
        .header("x-huiji-event-id", event_id(event))
        .header("x-huiji-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            // reqwest's text can carry the URL; that is the platform's own, so it may
            // appear in the delivery log its admins read.
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            format!("{kind}: {e}")
        })?;
    Ok(response.status().as_u16())
}
