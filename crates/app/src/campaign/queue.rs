//! Queueing a campaign: every roster non-member of the subtree with a mobile who passes
//! the filters gets a message with a personal invite code and the receiving union the
//! join rules pick for them; a suppressed mobile is counted, not sent.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use huiji_core::audit::AuditAction;
use huiji_core::campaign::InviteCode;
use huiji_core::campaign::invite::INVITE_RANDOM_BYTES;
use huiji_core::campaign::text::surname;
use huiji_core::joining::receiving_org;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{Occupation, Org, OrgId, PersonName, RegionCode, RegionLevel};
use huiji_store::{CampaignRecord, Funnel, NewCampaignMessage, OrgFilter, RosterPerson, Sealed};

use super::CampaignError;
use crate::App;
use crate::actor::Actor;

/// Roster entries read and messages written per batch: one transaction of two multi-row
/// statements each, short enough (tens of milliseconds) that joins waiting for SQLite's
/// write lock meanwhile are not held up for long.
const BATCH: u32 = 6_000;

/// What queueing did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueSummary {
    /// Messages added now (0 when the campaign was queued before).
    pub added: u64,
    /// The campaign's funnel after queueing.
    pub funnel: Funnel,
}

/// Queues a campaign's targets (idempotent: a second call adds only roster entries that
/// appeared meanwhile) and audits it.
///
/// # Errors
///
/// The campaign is missing or outside the actor's subtree, the actor is a viewer, or the
/// store's or the vault's.
pub async fn queue(app: &App, actor: &Actor, campaign_id: i64) -> Result<QueueSummary, CampaignError> {
    let campaign = super::visible(app, actor, campaign_id).await?;
    if !actor.acts_on(&campaign.org_path) {
        return Err(CampaignError::Forbidden);
    }
    let due_at = app.campaigns().quiet_hours.next_allowed(app.now());
    let mut unions = Unions::default();
    let mut added = 0;
    let mut after = 0;
    loop {
        let page = app.store().roster_non_members(&campaign.org_path, after, BATCH).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut batch = Vec::with_capacity(page.len());
        for person in &page {
            if let Some(message) = target(app, &campaign, person, &mut unions, due_at).await? {
                batch.push(message);
            }
        }
        if !batch.is_empty() {
            added += app.store().add_campaign_messages(campaign.id, &batch, app.campaigns().cap).await?;
        }
    }
    app.store().mark_campaign_queued(campaign.id, app.now()).await?;
    let funnel = super::funnel::total(app, campaign.id).await?;
    let subject = format!(
        "campaign:{} targeted:{} suppressed:{} queued:{}",
        campaign.id, funnel.targeted, funnel.suppressed, added
    );
    actor.audit(app, &campaign.org_path, AuditAction::CampaignSend, subject).await?;
    Ok(QueueSummary { added, funnel })
}

/// The message for a roster entry, if it has a mobile and passes the filters.
async fn target(
    app: &App,
    campaign: &CampaignRecord,
    person: &RosterPerson,
    unions: &mut Unions,
    due_at: huiji_core::Timestamp,
) -> Result<Option<NewCampaignMessage>, CampaignError> {
    // The roster sealed and blind-indexed the mobile with the vault's mobile key when it
    // was imported (after the same parser checked it): nothing to open or hash per target,
    // which was most of queueing's CPU time.
    let (Some(mobile_ct), Some(blind_index)) = (&person.mobile_ct, &person.mobile_bidx) else {
        return Ok(None);
    };
    let passes = campaign.occupation.is_none_or(|o| o == person.occupation)
        && campaign.region.is_none_or(|r| person.region.is_some_and(|p| r.contains(p)))
        && campaign.source.as_ref().is_none_or(|s| *s == person.source);
    if !passes {
        return Ok(None);
    }
    let org = match person.region {
        Some(region) => unions.receiving(app, person.occupation, region).await?,
        None => None,
    };
    let mut bytes = [0u8; INVITE_RANDOM_BYTES];
    app.random().fill(&mut bytes)?;
    let name = person.name.as_deref().and_then(|n| PersonName::parse(n).ok());
    Ok(Some(NewCampaignMessage {
        org,
        occupation: person.occupation,
        region: person.region,
        surname: name.as_ref().and_then(surname).map(str::to_owned),
        mobile: Sealed { ciphertext: mobile_ct.clone(), blind_index: blind_index.clone() },
        invite_code: InviteCode::from_random(bytes).as_str().to_owned(),
        due_at,
    }))
}

/// The unions receiving and landing choose from, read once per city.
#[derive(Default)]
pub(super) struct Unions {
    cities: HashMap<RegionCode, Vec<Org>>,
}

impl Unions {
    /// The receiving union the join rules pick for an occupation and work region.
    pub(super) async fn receiving(
        &mut self,
        app: &App,
        occupation: Occupation,
        region: RegionCode,
    ) -> Result<Option<OrgId>, CampaignError> {
        let Some(city) = region.ancestor_at(RegionLevel::City) else { return Ok(None) };
        if let Entry::Vacant(slot) = self.cities.entry(city) {
            slot.insert(city_orgs(app, city).await?);
        }
        let orgs = self.cities.get(&city).map_or(&[][..], Vec::as_slice);
        Ok(receiving_org(None, orgs, occupation, region).map(|o| o.id))
    }
}

/// A city's industry federations and city federation: what the join rules pick from.
async fn city_orgs(app: &App, city: RegionCode) -> Result<Vec<Org>, CampaignError> {
    let industry =
        OrgFilter { region: Some(city), kind: Some(OrgKindCode::IndustryFederation), ..OrgFilter::default() };
    let federation = OrgFilter {
        region: Some(city),
        kind: Some(OrgKindCode::Federation),
        level: Some(Level::City),
        ..OrgFilter::default()
    };
    let mut orgs = app.store().orgs(&industry).await?;
    orgs.extend(app.store().orgs(&federation).await?);
    Ok(orgs)
}
