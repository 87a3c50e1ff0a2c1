//! Queueing a campaign: every roster non-member of the subtree with a mobile who passes
//! the filters gets a message with a personal invite code and the receiving union the
//! join rules pick for them; a suppressed mobile is counted, not sent.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use huiji_core::audit::AuditAction;
use huiji_core::campaign::invite::INVITE_RANDOM_BYTES;
use huiji_core::campaign::text::surname;
use huiji_core::campaign::{InviteCode, deal};
use huiji_core::joining::receiving_org;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{Occupation, Org, OrgId, PersonName, RegionCode, RegionLevel};
use huiji_store::{CampaignRecord, CampaignTarget, Funnel, NewCampaignTarget, OrgFilter};
use huiji_vault::VaultError;

use super::CampaignError;
use crate::App;
use crate::actor::Actor;
use crate::ports::Randomness;

/// Messages written per batch: one transaction of one statement, short enough (tens of
/// milliseconds) that joins waiting for SQLite's write lock meanwhile are not held up for
/// long.
const BATCH: usize = 6_000;

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
/// The targets are read once, in the order of their mobile's blind index, and written in
/// batches in that order: the message indexes keyed by the blind index then grow at
/// their right edge instead of every batch rewriting leaf pages all over them (the store's
/// `campaign::targets` says why that was most of the cost).
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
    let targets = app.store().campaign_targets(&campaign.org_path).await?;
    for page in targets.chunks(BATCH) {
        let mut batch = Vec::with_capacity(page.len());
        for person in page.iter().filter(|p| passes(&campaign, p)) {
            let org = match person.region {
                Some(region) => unions.receiving(app, person.occupation, region).await?,
                None => None,
            };
            let name = person.name.as_deref().and_then(|n| PersonName::parse(n).ok());
            batch.push(NewCampaignTarget {
                entry_id: person.entry_id,
                org,
                invite_code: String::new(),
                surname: name.as_ref().and_then(surname).map(str::to_owned),
            });
        }
        let codes = codes(app.random(), batch.len())?;
        for (target, code) in batch.iter_mut().zip(codes) {
            target.invite_code = code.as_str().to_owned();
        }
        if !batch.is_empty() {
            added +=
                app.store().add_campaign_targets(campaign.id, &batch, due_at, app.campaigns().cap).await?;
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

/// Whether a roster non-member passes the campaign's filters.
fn passes(campaign: &CampaignRecord, person: &CampaignTarget) -> bool {
    campaign.occupation.is_none_or(|o| o == person.occupation)
        && campaign.region.is_none_or(|r| person.region.is_some_and(|p| r.contains(p)))
        && campaign.source.as_ref().is_none_or(|s| *s == person.source)
}

/// `n` distinct invite codes, dealt from one fill of randomness (a second fill only in
/// the unlikely case that two codes of the run were equal).
fn codes(source: &dyn Randomness, n: usize) -> Result<Vec<InviteCode>, CampaignError> {
    let mut random = Vec::with_capacity(n * INVITE_RANDOM_BYTES);
    let mut codes = Vec::new();
    // Each round fills bytes for the codes still missing and deals the whole run again,
    // so the codes stay distinct and never exceed `n`.
    while codes.len() < n {
        let start = random.len();
        random.resize(start + (n - codes.len()) * INVITE_RANDOM_BYTES, 0);
        source.fill(&mut random[start..])?;
        let dealt = deal(&random);
        // A source that adds no new code in a whole round is not random: stop rather
        // than loop (a repeat of 65 random bits is a one in 2^65 event).
        if dealt.len() == codes.len() {
            return Err(CampaignError::Vault(VaultError::Random));
        }
        codes = dealt;
    }
    Ok(codes)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Never-repeating bytes: a counter through splitmix64.
    #[derive(Debug, Default)]
    struct Counter(std::sync::atomic::AtomicU64);

    impl Randomness for Counter {
        fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError> {
            for chunk in buf.chunks_mut(8) {
                let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::SeqCst);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
            }
            Ok(())
        }
    }

    /// Bytes that repeat every 18: two codes a round at most.
    #[derive(Debug)]
    struct Stuck;

    impl Randomness for Stuck {
        fn fill(&self, buf: &mut [u8]) -> Result<(), VaultError> {
            for (n, b) in buf.iter_mut().enumerate() {
                *b = u8::from(n % 18 < 9);
            }
            Ok(())
        }
    }

    #[test]
    fn a_batch_gets_distinct_codes_from_one_fill_and_a_stuck_source_is_an_error() {
        let dealt = codes(&Counter::default(), 6_000).unwrap();
        assert_eq!(dealt.iter().collect::<std::collections::HashSet<_>>().len(), 6_000);
        assert!(codes(&Counter::default(), 0).unwrap().is_empty());
        assert!(matches!(codes(&Stuck, 3), Err(CampaignError::Vault(VaultError::Random))));
        assert_eq!(codes(&Stuck, 2).unwrap().len(), 2);
    }
}
