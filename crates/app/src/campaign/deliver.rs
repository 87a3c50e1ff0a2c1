//! Sending due campaign messages through the SMS provider, one batch a second at the
//! configured rate. Each message is checked again when its turn comes: the campaign's
//! links still work, the mobile has not opted out meanwhile, the per-mobile cap and the
//! quiet hours allow it now (else it waits until they do).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use huiji_core::campaign::invite::invite_expired;
use huiji_core::campaign::{MessageRules, MessageState, Signature, Template, next_send_time};
use huiji_core::{Mobile, Timestamp};
use huiji_store::{CampaignRecord, DueMessage};
use huiji_vault::Field;
use tokio::task::JoinHandle;

use super::CampaignError;
use crate::App;

/// How long a claimed message is held by the sender that claimed it.
const LEASE_MILLIS: i64 = 60_000;

/// Failed sends before a message is given up as failed.
const MAX_ATTEMPTS: u32 = 3;

/// Wait after a failed send.
const RETRY_MILLIS: i64 = 5 * 60_000;

/// The prefix of the reference a message carries to the provider, which its receipt
/// names (`cm-42`).
pub const REFERENCE_PREFIX: &str = "cm-";

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages claimed.
    pub claimed: usize,
    /// Handed to the provider.
    pub sent: usize,
    /// Put back for later (quiet hours, the cap, a failed send).
    pub held: usize,
    /// Ended unsent (opted out, expired, failed too often).
    pub ended: usize,
}

/// Sends one batch of due messages (at most the configured rate).
///
/// # Errors
///
/// The store's when claiming; a message that cannot be sent is held or ended, not an
/// error.
pub async fn deliver_due(app: &App) -> Result<Round, CampaignError> {
    let now = app.now();
    let limit = app.campaigns().rate_per_second.max(1);
    let claimed =
        app.store().claim_campaign_messages(now, Timestamp(now.millis() + LEASE_MILLIS), limit).await?;
    let mut round = Round { claimed: claimed.len(), ..Round::default() };
    let mut campaigns: HashMap<i64, Option<Sending>> = HashMap::new();
    for message in &claimed {
        if let Entry::Vacant(slot) = campaigns.entry(message.campaign_id) {
            let campaign = app.store().campaign(message.campaign_id).await?;
            slot.insert(campaign.map(|c| Sending::of(app, c)));
        }
        let campaign = campaigns.get(&message.campaign_id).and_then(Option::as_ref);
        match one(app, message, campaign, now).await {
            Ok(Step::Sent) => round.sent += 1,
            Ok(Step::Held) => round.held += 1,
            Ok(Step::Ended) => round.ended += 1,
            Err(error) => {
                tracing::warn!(%error, message = message.id, "campaign message not handled; retried later");
                round.held += 1;
            }
        }
    }
    Ok(round)
}

/// A campaign being sent, with its text rules read once per round (`None`: a stored
/// text no longer passes, so its messages fail rather than go out wrong).
struct Sending {
    campaign: CampaignRecord,
    text: Option<(MessageRules, Template)>,
}

impl Sending {
    fn of(app: &App, campaign: CampaignRecord) -> Sending {
        let signature = Signature::parse(&campaign.signature).ok();
        let text = signature.zip(Template::parse(&campaign.template).ok()).map(|(signature, template)| {
            let rules = MessageRules {
                signature,
                opt_out_text: campaign.opt_out_text.clone(),
                max_segments: app.campaigns().max_segments,
            };
            (rules, template)
        });
        Sending { campaign, text }
    }
}

enum Step {
    Sent,
    Held,
    Ended,
}

async fn one(
    app: &App,
    message: &DueMessage,
    sending: Option<&Sending>,
    now: Timestamp,
) -> Result<Step, CampaignError> {
    let store = app.store();
    let Some(Sending { campaign, text: Some((rules, template)) }) = sending else {
        store.end_campaign_message(message.id, MessageState::Failed).await?;
        return Ok(Step::Ended);
    };
    if invite_expired(campaign.expires_at, now) {
        store.end_campaign_message(message.id, MessageState::Failed).await?;
        return Ok(Step::Ended);
    }
    if store.is_suppressed(&message.mobile_bidx).await? {
        store.end_campaign_message(message.id, MessageState::Suppressed).await?;
        return Ok(Step::Ended);
    }
    let settings = app.campaigns();
    let sent = store.campaign_sends_since(&message.mobile_bidx, settings.cap.window_start(now)).await?;
    let at = next_send_time(settings.quiet_hours, settings.cap, &sent, now);
    if at > now {
        store.reschedule_campaign_message(message.id, at, false).await?;
        return Ok(Step::Held);
    }
    let plain = app.keys().decrypt(Field::Mobile, &message.mobile_ct)?;
    let Ok(mobile) = Mobile::parse(&plain) else {
        store.end_campaign_message(message.id, MessageState::Failed).await?;
        return Ok(Step::Ended);
    };
    let link = invite_link(app, &message.invite_code);
    let text = rules.compose(template, &link, message.surname.as_deref());
    let reference = format!("{REFERENCE_PREFIX}{}", message.id);
    match app.sms().send_tagged(&mobile, &text, &reference).await {
        Ok(()) => {
            store.mark_campaign_sent(message.id, app.now()).await?;
            Ok(Step::Sent)
        }
        Err(error) if message.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(%error, message = message.id, "campaign message failed; giving up");
            store.end_campaign_message(message.id, MessageState::Failed).await?;
            Ok(Step::Ended)
        }
        Err(error) => {
            tracing::warn!(%error, message = message.id, "campaign message not sent; retrying later");
            store
                .reschedule_campaign_message(message.id, Timestamp(now.millis() + RETRY_MILLIS), true)
                .await?;
            Ok(Step::Held)
        }
    }
}

/// The personal link `PUBLIC_URL/i/{code}`.
pub fn invite_link(app: &App, code: &str) -> String {
    format!("{}/i/{code}", app.public_url())
}

/// Sends due campaign messages every second (the rate is per second), until the handle
/// is aborted. A failed round is logged and the next one tried.
pub fn spawn_delivery(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_due(&app).await {
                Ok(round) if round.claimed > 0 => tracing::info!(?round, "campaign messages handled"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sending campaign messages failed; trying again later"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
