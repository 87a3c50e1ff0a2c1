//! Sending due campaign messages through the SMS provider at the configured rate. A round
//! claims at most what the second still allows, reads what it needs about the claimed
//! mobiles at once (opt-outs, recent sends), hands the messages that may go to the provider
//! and records every outcome in one short transaction: a few statements per round, not
//! several per message, so the rate — not the database round trips — bounds the drain.
//! Each message is checked again when its turn comes: the campaign's links still work, the
//! mobile has not opted out meanwhile, the per-mobile cap and the quiet hours allow it now
//! (else it waits until they do).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::PoisonError;
use std::time::Duration;

use huiji_core::campaign::invite::invite_expired;
use huiji_core::campaign::pace::until_next_second;
use huiji_core::campaign::{MessageRules, MessageState, Signature, Template, next_send_time};
use huiji_core::{Mobile, Timestamp};
use huiji_store::{CampaignRecord, DueMessage, SendChecks, Settled};
use huiji_vault::Field;
use tokio::task::JoinHandle;

use super::CampaignError;
use crate::App;
use crate::sms::TaggedSms;

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
    /// Whether the round claimed all it asked for (more may be due now).
    pub full: bool,
}

/// Sends one round of due messages: at most what the configured rate still allows in the
/// current second of the app's clock (so a second round in the same second sends only the
/// rest, and none once the second's allowance is spent).
///
/// # Errors
///
/// The store's when claiming, reading the checks or recording the outcomes (claimed
/// messages then wait for their lease to end); a message that cannot be sent is held or
/// ended, not an error.
pub async fn deliver_due(app: &App) -> Result<Round, CampaignError> {
    let now = app.now();
    // In quiet hours nothing is claimed at all: every message would only be put back until
    // morning, and a backlog put back round after round is a storm of writes at 21:00.
    // Messages due meanwhile stay due and go out, oldest first, when the hours end.
    if app.campaigns().quiet_hours.is_quiet(now) {
        return Ok(Round::default());
    }
    let rate = app.campaigns().rate_per_second.max(1);
    let allowance = budget(app).allowance(rate, now);
    if allowance == 0 {
        return Ok(Round::default());
    }
    let claimed =
        app.store().claim_campaign_messages(now, Timestamp(now.millis() + LEASE_MILLIS), allowance).await?;
    let mut round =
        Round { claimed: claimed.len(), full: claimed.len() >= allowance as usize, ..Round::default() };
    if claimed.is_empty() {
        return Ok(round);
    }
    let mut campaigns: HashMap<i64, Option<Sending>> = HashMap::new();
    for message in &claimed {
        if let Entry::Vacant(slot) = campaigns.entry(message.campaign_id) {
            let campaign = app.store().campaign(message.campaign_id).await?;
            slot.insert(campaign.map(|c| Sending::of(app, c)));
        }
    }
    let mut bidxs: Vec<String> = claimed.iter().map(|m| m.mobile_bidx.clone()).collect();
    bidxs.sort_unstable();
    bidxs.dedup();
    let checks = app.store().campaign_send_checks(&bidxs, app.campaigns().cap.window_start(now)).await?;

    let mut plan = Plan::new(checks);
    for message in &claimed {
        let sending = campaigns.get(&message.campaign_id).and_then(Option::as_ref);
        plan.decide(app, message, sending, now);
    }
    let handed = u32::try_from(plan.outgoing.len()).unwrap_or(u32::MAX);
    budget(app).spend(now, handed);
    let outcomes =
        if plan.outgoing.is_empty() { Vec::new() } else { app.sms().send_tagged_batch(&plan.outgoing).await };
    let settled = plan.settle(&claimed, &outcomes, app.campaigns(), app.now(), now);
    for (_, outcome) in &settled {
        match outcome {
            Settled::Sent(_) => round.sent += 1,
            Settled::Rescheduled { .. } => round.held += 1,
            Settled::Ended(_) => round.ended += 1,
        }
    }
    if let Err(error) = app.store().settle_campaign_messages(&settled).await {
        // The provider has these messages: unrecorded, they would go out again when their
        // lease ends. One more try before giving up on the round.
        tracing::warn!(%error, "recording a campaign round failed; trying once more");
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.store().settle_campaign_messages(&settled).await?;
    }
    Ok(round)
}

/// The sender's budget; a poisoned lock still holds a usable count.
fn budget(app: &App) -> std::sync::MutexGuard<'_, huiji_core::campaign::SendBudget> {
    app.send_budget().lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a round decided for each claimed message, by its index among them.
enum Step {
    /// Handed to the provider as `outgoing[n]`.
    Send(usize),
    /// Ended or put back without a provider call.
    Done(Settled),
    /// Held for the cap only because an earlier message of this round goes to the same
    /// mobile: decided again once the provider has answered for that one.
    AfterSameMobile,
}

/// A round's decisions, made against what was read once for the whole round.
struct Plan {
    checks: SendChecks,
    /// The messages for the provider.
    outgoing: Vec<TaggedSms>,
    /// Their mobiles' blind indexes, in the same order.
    outgoing_bidx: Vec<String>,
    steps: Vec<Step>,
}

impl Plan {
    fn new(checks: SendChecks) -> Plan {
        Plan { checks, outgoing: Vec::new(), outgoing_bidx: Vec::new(), steps: Vec::new() }
    }

    fn decide(&mut self, app: &App, message: &DueMessage, sending: Option<&Sending>, now: Timestamp) {
        let step = self.step(app, message, sending, now);
        self.steps.push(step);
    }

    fn step(&mut self, app: &App, message: &DueMessage, sending: Option<&Sending>, now: Timestamp) -> Step {
        let Some(Sending { campaign, text: Some((rules, template)) }) = sending else {
            return Step::Done(Settled::Ended(MessageState::Failed));
        };
        if invite_expired(campaign.expires_at, now) {
            return Step::Done(Settled::Ended(MessageState::Failed));
        }
        if self.checks.suppressed.contains(&message.mobile_bidx) {
            return Step::Done(Settled::Ended(MessageState::Suppressed));
        }
        let settings = app.campaigns();
        let sent = self.checks.sends.get(&message.mobile_bidx).map_or(&[][..], Vec::as_slice);
        let at = next_send_time(settings.quiet_hours, settings.cap, sent, now);
        if at > now {
            return Step::Done(Settled::Rescheduled { due_at: at, failed_attempt: false });
        }
        // Another message of this round already goes to this mobile: whether this one
        // may follow depends on that send, known after the provider answers.
        if self.outgoing_bidx.contains(&message.mobile_bidx) {
            return Step::AfterSameMobile;
        }
        let plain = match app.keys().decrypt(Field::Mobile, &message.mobile_ct) {
            Ok(plain) => plain,
            Err(error) => {
                tracing::warn!(%error, message = message.id, "campaign message not opened; retried later");
                return Step::Done(Settled::Rescheduled {
                    due_at: Timestamp(now.millis() + RETRY_MILLIS),
                    failed_attempt: false,
                });
            }
        };
        let Ok(mobile) = Mobile::parse(&plain) else {
            return Step::Done(Settled::Ended(MessageState::Failed));
        };
        let link = invite_link(app, &message.invite_code);
        self.outgoing.push(TaggedSms {
            mobile,
            text: rules.compose(template, &link, message.surname.as_deref()),
            reference: format!("{REFERENCE_PREFIX}{}", message.id),
        });
        self.outgoing_bidx.push(message.mobile_bidx.clone());
        Step::Send(self.outgoing.len() - 1)
    }

    /// Each claimed message's outcome, given the provider's answers (`sent_at`: when
    /// they came; `now`: the round's time).
    fn settle(
        mut self,
        claimed: &[DueMessage],
        outcomes: &[Result<(), crate::sms::SmsError>],
        settings: &super::CampaignSettings,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> Vec<(i64, Settled)> {
        // The round's successful sends count against the cap of a later message to the
        // same mobile in it.
        for (bidx, outcome) in self.outgoing_bidx.iter().zip(outcomes) {
            if outcome.is_ok() {
                self.checks.sends.entry(bidx.clone()).or_default().push(sent_at);
            }
        }
        let mut settled = Vec::with_capacity(claimed.len());
        for (message, step) in claimed.iter().zip(self.steps) {
            let outcome = match step {
                Step::Done(outcome) => outcome,
                Step::Send(n) => match outcomes.get(n) {
                    Some(Ok(())) => Settled::Sent(sent_at),
                    Some(Err(error)) if message.attempts + 1 >= MAX_ATTEMPTS => {
                        tracing::warn!(%error, message = message.id, "campaign message failed; giving up");
                        Settled::Ended(MessageState::Failed)
                    }
                    failed => {
                        if let Some(Err(error)) = failed {
                            tracing::warn!(%error, message = message.id, "campaign message not sent; retrying later");
                        }
                        Settled::Rescheduled {
                            due_at: Timestamp(now.millis() + RETRY_MILLIS),
                            failed_attempt: true,
                        }
                    }
                },
                Step::AfterSameMobile => {
                    let sent = self.checks.sends.get(&message.mobile_bidx).map_or(&[][..], Vec::as_slice);
                    // Due again at once when the earlier one was not sent after all.
                    let at = next_send_time(settings.quiet_hours, settings.cap, sent, now);
                    Settled::Rescheduled { due_at: at, failed_attempt: false }
                }
            };
            settled.push((message.id, outcome));
        }
        settled
    }
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

/// The personal link `PUBLIC_URL/i/{code}`.
pub fn invite_link(app: &App, code: &str) -> String {
    format!("{}/i/{code}", app.public_url())
}

/// Sends due campaign messages at the configured rate until the handle is aborted:
/// rounds follow each other at once while the second has allowance left and more is due
/// (a round slower than a second, or one whose messages were held or ended, does not
/// wait); otherwise the sender sleeps to the next second of the clock. A failed round is
/// logged and the next second tried.
pub fn spawn_delivery(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let more = match deliver_due(&app).await {
                Ok(round) => {
                    if round.claimed > 0 {
                        tracing::info!(?round, "campaign messages handled");
                    }
                    round.full
                }
                Err(error) => {
                    tracing::warn!(%error, "sending campaign messages failed; trying again later");
                    false
                }
            };
            let now = app.now();
            let wait = if more {
                budget(&app).wait_millis(app.campaigns().rate_per_second.max(1), now)
            } else {
                until_next_second(now)
            };
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(1_000))).await;
            }
        }
    })
}
