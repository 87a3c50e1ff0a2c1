//! Campaigns (定向短信邀请): an officer (within their subtree) or the operator makes a
//! campaign for roster non-members ([`create`]), queues it ([`queue`]: every target gets
//! a personal invite link, suppressed mobiles are counted and skipped), a background job
//! sends due messages in batches at the configured rate, holding them through quiet
//! hours and the per-mobile cap ([`deliver`]); receipts and opt-out replies come back
//! through authenticated provider callbacks ([`callbacks`]); the invite link opens the
//! join form with campaign attribution ([`invite`]); the funnel counts every stage
//! ([`funnel`]). The rules are `huiji_core::campaign`'s; this module only applies them.

pub mod callbacks;
pub mod create;
pub mod deliver;
pub mod funnel;
pub mod invite;
pub mod queue;
pub mod signatures;

use std::collections::BTreeMap;

use huiji_core::campaign::invite::DEFAULT_INVITE_DAYS;
use huiji_core::campaign::text::{DEFAULT_MAX_SEGMENTS, DEFAULT_OPT_OUT_TEXT};
use huiji_core::campaign::{FrequencyCap, QuietHours, TextError};
use huiji_core::{Org, OrgId};
use huiji_store::{CampaignRecord, StoreError};

use crate::App;
use crate::actor::Actor;

pub use create::{CreateRequest, create};
pub use funnel::{CampaignView, funnel, subtree_funnel};
pub use queue::{QueueSummary, queue};

/// How campaigns are sent, as the operator configures it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignSettings {
    /// Signatures (without 【】) filed with the provider, by federation, from the
    /// configuration file: used where none is set in the console ([`signatures`]); a
    /// federation with neither signs with its own name.
    pub signatures: BTreeMap<OrgId, String>,
    /// Appended to every message.
    pub opt_out_text: String,
    /// The most segments one message may take.
    pub max_segments: u32,
    /// When no message goes out (China time).
    pub quiet_hours: QuietHours,
    /// Campaign messages per mobile per window.
    pub cap: FrequencyCap,
    /// Messages handed to the provider per second, at most (per instance; see
    /// [`deliver`]).
    pub rate_per_second: u32,
    /// Days an invite link works.
    pub invite_days: u32,
    /// The bearer token the SMS provider's callbacks (receipts, replies) present; unset,
    /// the callbacks are closed.
    pub callback_token: Option<String>,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        CampaignSettings {
            signatures: BTreeMap::new(),
            opt_out_text: DEFAULT_OPT_OUT_TEXT.to_owned(),
            max_segments: DEFAULT_MAX_SEGMENTS,
            quiet_hours: QuietHours::DEFAULT,
            cap: FrequencyCap::DEFAULT,
            rate_per_second: 20,
            invite_days: DEFAULT_INVITE_DAYS,
            callback_token: None,
        }
    }
}

/// Why a campaign use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// No such union or campaign — or one outside what the actor may see.
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this (a viewer).
    #[error("not allowed")]
    Forbidden,
    /// The name is empty or longer than 60 characters.
    #[error("the name must be 1 to 60 characters")]
    InvalidName,
    /// The text (or the federation's signature) breaks a rule.
    #[error("{}", .0.message_en())]
    Text(TextError),
    /// A filter is not a known occupation or region.
    #[error("unknown {0}")]
    InvalidFilter(&'static str),
    /// No federation above the union has a usable signature.
    #[error("no SMS signature is configured for this union's federation")]
    NoSignature,
    /// Sealing or opening a personal value failed.
    #[error("vault: {0}")]
    Vault(#[from] huiji_vault::VaultError),
    /// The database failed.
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for CampaignError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => CampaignError::NotFound,
            other => CampaignError::Store(other),
        }
    }
}

/// The campaign, if the actor sees its union.
///
/// # Errors
///
/// [`CampaignError::NotFound`] for a missing campaign or one outside the actor's subtree.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<CampaignRecord, CampaignError> {
    app.store().campaign(id).await?.filter(|c| actor.sees(&c.org_path)).ok_or(CampaignError::NotFound)
}

/// The campaigns of the actor's subtree (the operator's: the whole tree), newest first.
///
/// # Errors
///
/// The store's.
pub async fn list(app: &App, actor: &Actor, limit: u32) -> Result<Vec<CampaignRecord>, CampaignError> {
    let scope = match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    Ok(app.store().campaigns(&scope, limit).await?)
}

/// The union, if the actor may act on it.
async fn acting_on(app: &App, actor: &Actor, org: OrgId) -> Result<Org, CampaignError> {
    let org = app.store().org(org).await?.filter(|o| actor.sees(&o.path)).ok_or(CampaignError::NotFound)?;
    if !actor.acts_on(&org.path) {
        return Err(CampaignError::Forbidden);
    }
    Ok(org)
}
