//! The funnels: per campaign (and per receiving union), per subtree (for the statistics
//! page), per join code (QR codes: scans → applications → approvals); and a campaign's
//! messages with masked mobiles.

use huiji_core::campaign::MessageState;
use huiji_core::{Mobile, OrgId, OrgPath, Timestamp};
use huiji_store::{CampaignRecord, Funnel, JoinCodeFunnel, StoreError};
use huiji_vault::Field;

use super::CampaignError;
use crate::App;
use crate::actor::Actor;

/// A campaign with its funnel, in total and per receiving union.
#[derive(Clone, Debug)]
pub struct CampaignView {
    /// The campaign.
    pub campaign: CampaignRecord,
    /// Every target.
    pub total: Funnel,
    /// Per receiving union (`None`: no union served the target), most targeted first.
    pub by_union: Vec<(Option<OrgId>, Funnel)>,
}

/// A campaign message as the console shows it.
#[derive(Clone, Debug)]
pub struct MaskedMessage {
    /// Its id.
    pub id: i64,
    /// The receiving union.
    pub org: Option<OrgId>,
    /// 138****5678
    pub mobile: String,
    /// Where it stands.
    pub state: MessageState,
    /// When it is (or was) due.
    pub due_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
    /// When the link was first opened.
    pub clicked_at: Option<Timestamp>,
}

/// A campaign's funnel, if the actor sees it.
///
/// # Errors
///
/// Missing or outside the actor's subtree; the store's.
pub async fn funnel(app: &App, actor: &Actor, campaign_id: i64) -> Result<CampaignView, CampaignError> {
    let campaign = super::visible(app, actor, campaign_id).await?;
    let by_union = app.store().campaign_funnel(campaign.id).await?;
    let mut total = Funnel::default();
    for (_, group) in &by_union {
        total.add(group);
    }
    Ok(CampaignView { campaign, total, by_union })
}

/// Where a campaign's rollup and a recount of its messages disagree: the union (`None`:
/// no union served the target) and both funnels (a missing group counts as zeros).
pub type FunnelDifference = (Option<OrgId>, Funnel, Funnel);

/// Compares a campaign's funnel rollup with a recount from its messages and their
/// applications (a scan: for `huiji campaign verify`, not for pages); empty when they
/// agree.
///
/// # Errors
///
/// Missing or outside the actor's subtree; the store's.
pub async fn verify(
    app: &App,
    actor: &Actor,
    campaign_id: i64,
) -> Result<Vec<FunnelDifference>, CampaignError> {
    let campaign = super::visible(app, actor, campaign_id).await?;
    let stored = app.store().campaign_funnel(campaign.id).await?;
    let recounted = app.store().campaign_funnel_recount(campaign.id).await?;
    let mut unions: Vec<Option<OrgId>> = stored.iter().chain(&recounted).map(|(org, _)| *org).collect();
    unions.sort_by_key(|org| org.map(|o| o.0));
    unions.dedup();
    let find = |groups: &[(Option<OrgId>, Funnel)], org: Option<OrgId>| {
        groups.iter().find(|(o, _)| *o == org).map(|(_, f)| *f).unwrap_or_default()
    };
    Ok(unions
        .into_iter()
        .map(|org| (org, find(&stored, org), find(&recounted, org)))
        .filter(|(_, stored, recounted)| stored != recounted)
        .collect())
}

/// A campaign's total funnel (no scope check: for the use cases that checked it).
pub(super) async fn total(app: &App, campaign_id: i64) -> Result<Funnel, StoreError> {
    let mut total = Funnel::default();
    for (_, group) in app.store().campaign_funnel(campaign_id).await? {
        total.add(&group);
    }
    Ok(total)
}

/// The funnel of every campaign of a subtree: what the statistics page shows for an
/// officer's scope.
///
/// # Errors
///
/// The store's.
pub async fn subtree_funnel(app: &App, within: &OrgPath) -> Result<Funnel, StoreError> {
    app.store().subtree_campaign_funnel(within).await
}

/// The join codes of a subtree, most scanned first.
///
/// # Errors
///
/// The store's.
pub async fn join_codes(app: &App, within: &OrgPath, limit: u32) -> Result<Vec<JoinCodeFunnel>, StoreError> {
    app.store().join_code_funnel(within, limit).await
}

/// Who opened a join page, as the request tells: used only to recognise the same visitor
/// again the same day, never stored as such.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanVisitor<'a> {
    /// The client's address, if known.
    pub address: Option<&'a str>,
    /// The browser's `User-Agent`, if sent.
    pub user_agent: Option<&'a str>,
}

/// What a visitor's scan key is signed for.
const VISITOR_PURPOSE: &str = "scan-visitor";

/// Counts an opening of a union's join page (a QR scan) once per visitor, code and China
/// day; whether this one counted. The visitor is a keyed hash of address and user agent
/// with the day and code in it — a daily salt no one without the vault's key can undo —
/// kept only until the day ends; a cookie would miss the many scans made in apps
/// (WeChat's browser) that drop it.
///
/// # Errors
///
/// The store's.
pub async fn count_scan(app: &App, join_code: &str, visitor: ScanVisitor<'_>) -> Result<bool, StoreError> {
    let day = huiji_core::stats::day_key(app.now().china_date());
    let seen = format!(
        "{VISITOR_PURPOSE}:{day}:{join_code}:{}|{}",
        visitor.address.unwrap_or("-"),
        visitor.user_agent.unwrap_or("-")
    );
    let key = app.keys().card_signature(&seen).to_hex();
    app.store().count_join_code_scan(join_code, day, &key).await
}

/// A page of a campaign's messages, mobiles masked, if the actor sees it.
///
/// # Errors
///
/// Missing or outside the actor's subtree; the store's or the vault's.
pub async fn messages(
    app: &App,
    actor: &Actor,
    campaign_id: i64,
    after: i64,
    limit: u32,
) -> Result<Vec<MaskedMessage>, CampaignError> {
    let campaign = super::visible(app, actor, campaign_id).await?;
    let rows = app.store().campaign_messages(campaign.id, after, limit).await?;
    rows.into_iter()
        .map(|row| {
            let plain = app.keys().decrypt(Field::Mobile, &row.mobile_ct)?;
            let mobile = Mobile::parse(&plain).map_or_else(|_| "***".to_owned(), |m| m.masked());
            Ok(MaskedMessage {
                id: row.id,
                org: row.org,
                mobile,
                state: row.state,
                due_at: row.due_at,
                sent_at: row.sent_at,
                clicked_at: row.clicked_at,
            })
        })
        .collect()
}
