//! Federations' SMS signatures (【…】, the one filed with the SMS provider), set in the
//! console by admins of the root federation — the provider files signatures for the
//! organisation as a whole, so a county cannot choose its own — and audited. Walking up
//! from a campaign's union, the first union with a signature set here, else configured
//! in `huiji.toml` (`campaign_signatures`), signs; or the first federation met, with its
//! own name ([`super::create::rules_for`]).

use std::collections::BTreeMap;

use huiji_core::audit::AuditAction;
use huiji_core::campaign::Signature;
use huiji_core::org::OrgKindCode;
use huiji_core::{OrgId, OrgKind};
use huiji_store::OrgFilter;

use super::CampaignError;
use crate::App;
use crate::actor::Actor;

/// Federations the page lists at most.
const LISTED: u32 = 500;

/// A federation's signatures as the console shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRow {
    /// The federation.
    pub org: OrgId,
    /// Its name.
    pub name: String,
    /// The signature set in the console.
    pub console: Option<String>,
    /// The signature configured in `huiji.toml`.
    pub configured: Option<String>,
}

/// Whether the actor administers the root federation (the operator does).
async fn root_admin(app: &App, actor: &Actor) -> Result<(), CampaignError> {
    let root = crate::audit::root_scope(app.store().as_ref()).await?;
    if actor.administers(&root) { Ok(()) } else { Err(CampaignError::Forbidden) }
}

/// The signatures set in the console, by federation (what [`super::create::rules_for`]
/// reads first).
///
/// # Errors
///
/// The store's.
pub async fn set_signatures(app: &App) -> Result<BTreeMap<OrgId, String>, CampaignError> {
    Ok(app.store().campaign_signatures().await?.into_iter().collect())
}

/// Every federation of the tree (the first [`LISTED`], by path) with its console and
/// configured signatures, for the root's admins.
///
/// # Errors
///
/// `Forbidden` for anyone but an admin of the root; the store's.
pub async fn signatures(app: &App, actor: &Actor) -> Result<Vec<SignatureRow>, CampaignError> {
    root_admin(app, actor).await?;
    let console = set_signatures(app).await?;
    let configured = &app.campaigns().signatures;
    let filter =
        OrgFilter { kind: Some(OrgKindCode::Federation), limit: Some(LISTED), ..OrgFilter::default() };
    Ok(app
        .store()
        .orgs(&filter)
        .await?
        .into_iter()
        .map(|org| SignatureRow {
            console: console.get(&org.id).cloned(),
            configured: configured.get(&org.id).cloned(),
            org: org.id,
            name: org.name,
        })
        .collect())
}

/// Sets a federation's signature (`【安徽省总工会】` or without brackets), or removes it
/// when `text` is blank (the federation falls back to `huiji.toml`, then its name);
/// audited.
///
/// # Errors
///
/// `Forbidden` for anyone but an admin of the root; `NotFound` for a union that is not a
/// federation; a signature breaking the provider's rules; the store's.
pub async fn set_signature(app: &App, actor: &Actor, org: OrgId, text: &str) -> Result<(), CampaignError> {
    root_admin(app, actor).await?;
    let federation = app
        .store()
        .org(org)
        .await?
        .filter(|o| matches!(o.kind, OrgKind::Federation(_)))
        .ok_or(CampaignError::NotFound)?;
    let signature = match text.trim() {
        "" => None,
        typed => Some(Signature::parse(typed).map_err(CampaignError::Text)?),
    };
    let stored = signature.as_ref().map(Signature::as_str);
    app.store().set_campaign_signature(org, stored, &actor.name(), app.now()).await?;
    let subject = match stored {
        Some(s) => format!("org:{} 【{s}】", org.0),
        None => format!("org:{} removed", org.0),
    };
    actor.audit(app, &federation.path, AuditAction::CampaignSignature, subject).await?;
    Ok(())
}
