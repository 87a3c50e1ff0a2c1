//! Making a campaign: who may, for which union, with which text and filters.

use huiji_core::audit::AuditAction;
use huiji_core::campaign::invite::{INVITE_CODE_LEN, invite_expires_at};
use huiji_core::campaign::{MessageRules, Signature, Template};
use huiji_core::{Occupation, Org, OrgId, OrgKind, RegionCode};
use huiji_store::NewCampaign;

use super::{CampaignError, acting_on};
use crate::App;
use crate::actor::Actor;

/// A campaign as an officer or the operator asks for it (the text as typed).
#[derive(Clone, Debug, Default)]
pub struct CreateRequest {
    /// The union whose subtree's roster is targeted.
    pub org: Option<OrgId>,
    /// Its name.
    pub name: String,
    /// The text, with `{link}` and maybe `{surname}`.
    pub text: String,
    /// Only this occupation (a code such as `truck_driver`).
    pub occupation: Option<String>,
    /// Only this region and below (a GB/T 2260 code).
    pub region: Option<String>,
    /// Only this roster source.
    pub source: Option<String>,
}

/// Makes a campaign (a draft: nothing is sent until it is queued) and audits it; its id.
///
/// # Errors
///
/// The union is missing or outside the actor's subtree, the actor is a viewer, the name,
/// text or a filter is invalid, no signature is configured, or the store's.
pub async fn create(app: &App, actor: &Actor, request: &CreateRequest) -> Result<i64, CampaignError> {
    let org_id = match request.org {
        Some(id) => id,
        None => *crate::audit::root_scope(app.store().as_ref())
            .await?
            .lineage()
            .first()
            .ok_or(CampaignError::NotFound)?,
    };
    let org = acting_on(app, actor, org_id).await?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(CampaignError::InvalidName);
    }
    let template = Template::parse(&request.text).map_err(CampaignError::Text)?;
    let rules = rules_for(app, &org).await?;
    let link_chars = app.public_url().chars().count() + "/i/".len() + INVITE_CODE_LEN;
    rules.check(&template, link_chars).map_err(CampaignError::Text)?;
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let occupation = blank(&request.occupation)
        .map(|code| code.parse::<Occupation>().map_err(|_| CampaignError::InvalidFilter("occupation")))
        .transpose()?;
    let region = blank(&request.region)
        .map(|code| {
            code.parse::<RegionCode>()
                .ok()
                .filter(|r| app.regions().get(*r).is_some())
                .ok_or(CampaignError::InvalidFilter("region"))
        })
        .transpose()?;
    let new = NewCampaign {
        org: org.id,
        name: name.to_owned(),
        template: template.as_str().to_owned(),
        signature: rules.signature.as_str().to_owned(),
        opt_out_text: rules.opt_out_text.clone(),
        occupation,
        region,
        source: blank(&request.source),
        actor: actor.name(),
        expires_at: invite_expires_at(app.now(), app.campaigns().invite_days),
    };
    let id = app.store().create_campaign(&new, app.now()).await?;
    actor.audit(app, &org.path, AuditAction::CampaignCreate, format!("campaign:{id} {name}")).await?;
    Ok(id)
}

/// The text rules of the union's federation: walking up from the union, the first union
/// with a signature set in the console, else configured in `huiji.toml`, signs — or the
/// first federation met signs with its own name.
///
/// # Errors
///
/// [`CampaignError::NoSignature`] when neither gives a valid signature; the store's.
pub async fn rules_for(app: &App, org: &Org) -> Result<MessageRules, CampaignError> {
    let settings = app.campaigns();
    let console = super::signatures::set_signatures(app).await?;
    let lineage = org.path.lineage();
    for id in lineage.iter().rev() {
        if let Some(configured) = console.get(id).or_else(|| settings.signatures.get(id)) {
            return Ok(rules(app, Signature::parse(configured).map_err(CampaignError::Text)?));
        }
        let union = if *id == org.id { Some(org.clone()) } else { app.store().org(*id).await? };
        if let Some(union) = union.filter(|u| matches!(u.kind, OrgKind::Federation(_)))
            && let Ok(signature) = Signature::parse(&union.name)
        {
            return Ok(rules(app, signature));
        }
    }
    Err(CampaignError::NoSignature)
}

fn rules(app: &App, signature: Signature) -> MessageRules {
    let settings = app.campaigns();
    MessageRules {
        signature,
        opt_out_text: settings.opt_out_text.clone(),
        max_segments: settings.max_segments,
    }
}
