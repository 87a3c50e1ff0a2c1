//! `huiji campaign create|send|show`: campaigns as the operator, thin over
//! `huiji_app::campaign`; and the campaign settings the configuration gives.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use huiji_app::App;
use huiji_app::actor::Actor;
use huiji_app::campaign::{self, CampaignSettings, CreateRequest};
use huiji_app::ports::SystemClock;
use huiji_core::OrgId;
use huiji_core::campaign::{FrequencyCap, QuietHours};
use huiji_store::{Funnel, SqlStore};
use serde::Serialize;

use crate::cli::CampaignCommand;
use crate::config::Settings;
use crate::error::CommandError;
use crate::setup::load_keyring;

/// The campaign settings of the configuration.
///
/// # Errors
///
/// A malformed quiet-hours window, cap or signature key.
pub fn settings(settings: &Settings) -> Result<CampaignSettings, CommandError> {
    let invalid = |what: String| CommandError::InvalidArgument(what);
    let quiet_hours = QuietHours::parse(&settings.campaign_quiet_hours).ok_or_else(|| {
        invalid(format!("campaign_quiet_hours {:?}: expected HH:MM-HH:MM", settings.campaign_quiet_hours))
    })?;
    let cap =
        FrequencyCap::new(settings.campaign_cap_messages, settings.campaign_cap_days).ok_or_else(|| {
            invalid("campaign_cap_messages and campaign_cap_days must be at least 1".to_owned())
        })?;
    let signatures = settings
        .campaign_signatures
        .iter()
        .map(|(id, signature)| {
            let id = id
                .trim()
                .parse::<i64>()
                .map_err(|_| invalid(format!("campaign_signatures: {id:?} is not a union id")))?;
            Ok((OrgId(id), signature.clone()))
        })
        .collect::<Result<_, CommandError>>()?;
    Ok(CampaignSettings {
        signatures,
        opt_out_text: settings.campaign_opt_out_text.clone(),
        quiet_hours,
        cap,
        rate_per_second: settings.campaign_rate_per_second.max(1),
        invite_days: settings.campaign_invite_days.max(1),
        callback_token: settings.sms_callback_token.as_ref().map(|t| t.expose().to_owned()),
        ..CampaignSettings::default()
    })
}

/// `campaign send`'s line.
#[derive(Serialize)]
struct Queued {
    campaign: i64,
    added: u64,
    #[serde(flatten)]
    funnel: FunnelJson,
}

/// The funnel as `campaign show` prints it, in the order.
#[derive(Serialize)]
struct FunnelJson {
    targeted: u64,
    suppressed: u64,
    queued: u64,
    sent: u64,
    delivered: u64,
    failed: u64,
    clicked: u64,
    applied: u64,
    approved: u64,
}

impl From<Funnel> for FunnelJson {
    fn from(f: Funnel) -> Self {
        FunnelJson {
            targeted: f.targeted,
            suppressed: f.suppressed,
            queued: f.queued,
            sent: f.sent,
            delivered: f.delivered,
            failed: f.failed,
            clicked: f.clicked,
            applied: f.applied,
            approved: f.approved,
        }
    }
}

/// Runs a `campaign` subcommand.
pub async fn execute(
    store: SqlStore,
    key_file: &Path,
    config: &Settings,
    command: &CampaignCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = App::new(Arc::new(store), Arc::new(SystemClock), load_keyring(key_file)?, &config.public_url())
        .with_campaigns(settings(config)?);
    match command {
        CampaignCommand::Create { org, name, text, occupation, region, source } => {
            let request = CreateRequest {
                org: Some(OrgId(*org)),
                name: name.clone(),
                text: text.clone(),
                occupation: occupation.clone(),
                region: region.clone(),
                source: source.clone(),
            };
            let id = campaign::create(&app, &Actor::Operator, &request).await?;
            writeln!(out, "{id}")?;
        }
        CampaignCommand::Send { id } => {
            let summary = campaign::queue(&app, &Actor::Operator, *id).await?;
            let queued = Queued { campaign: *id, added: summary.added, funnel: summary.funnel.into() };
            writeln!(out, "{}", line(&queued)?)?;
        }
        CampaignCommand::Show { id } => {
            let view = campaign::funnel(&app, &Actor::Operator, *id).await?;
            writeln!(out, "{}", line(&FunnelJson::from(view.total))?)?;
        }
        CampaignCommand::Verify { id } => {
            let differences = campaign::funnel::verify(&app, &Actor::Operator, *id).await?;
            if differences.is_empty() {
                writeln!(out, "the funnel matches a recount from the messages")?;
                return Ok(());
            }
            for (org, stored, recounted) in &differences {
                let org = org.map_or_else(|| "none".to_owned(), |o| o.0.to_string());
                let (stored, recounted) = (FunnelJson::from(*stored), FunnelJson::from(*recounted));
                writeln!(out, "union {org}\tstored {}\trecounted {}", line(&stored)?, line(&recounted)?)?;
            }
            return Err(CommandError::CampaignFunnelMismatch(differences.len()));
        }
    }
    Ok(())
}

/// A value as one JSON line.
fn line<T: Serialize>(value: &T) -> Result<String, CommandError> {
    serde_json::to_string(value).map_err(|e| CommandError::InvalidArgument(e.to_string()))
}
