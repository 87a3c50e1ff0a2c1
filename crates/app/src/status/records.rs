//! The applications and memberships a mobile's owner sees once the SMS code proved the
//! mobile. Before that proof a mobile with records and one without are answered alike,
//! so the page is no oracle.

use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Mobile, OrgId};
use huiji_store::{ApplicationRecord, MembershipRecord, StoreError};
use huiji_vault::Field;

use super::transfer::token;
use crate::App;
use crate::joining::{card_token, check_code};

/// Why the records were not shown.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The SMS code did not prove the mobile.
    #[error("mobile not verified: {0:?}")]
    Sms(SmsCheck),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// A membership as its owner sees it.
#[derive(Clone, Debug)]
pub struct MembershipLine {
    /// The membership.
    pub record: MembershipRecord,
    /// Its union's name.
    pub union: String,
    /// The card link's token, while the membership is held.
    pub card_token: Option<String>,
    /// The transfer token standing for the SMS proof, while the membership is held.
    pub transfer_token: Option<String>,
    /// Whom to ask: the home union's contact details (or the nearest union's above).
    pub contact: Option<huiji_store::ContactOf>,
}

/// A union's request to take over a held membership, for the member to answer.
#[derive(Clone, Debug)]
pub struct AskLine {
    /// The transfer.
    pub id: i64,
    /// The asking union's name.
    pub union: String,
    /// Why it asks.
    pub reason: String,
    /// When it asked (ms).
    pub created_at: i64,
    /// The membership's transfer token (the SMS proof).
    pub token: String,
}

/// Everything a proven mobile has on record.
#[derive(Clone, Debug)]
pub struct StatusRecords {
    /// Its latest applications, each with the receiving union's name.
    pub applications: Vec<(ApplicationRecord, String)>,
    /// Its memberships.
    pub memberships: Vec<MembershipLine>,
    /// Unions' requests for its held memberships.
    pub asks: Vec<AskLine>,
    /// Where each application's decision stands (same order as `applications`).
    pub decisions: Vec<super::decisions::DecisionFacts>,
    /// The decision SMS sent about these records, newest first.
    pub sent: Vec<super::decisions::SentNotice>,
}

/// The records of `mobile`, once `typed` proves it (the code is used up).
///
/// # Errors
///
/// The SMS check's verdict when it is not `Verified`, or the store's.
pub async fn records(app: &App, mobile: &Mobile, typed: &str) -> Result<StatusRecords, StatusError> {
    match check_code(app, mobile, SmsPurpose::Status, typed).await? {
        SmsCheck::Verified => {}
        other => return Err(StatusError::Sms(other)),
    }
    let bidx = app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    let (mut applications, mut decisions) = (Vec::new(), Vec::new());
    for a in app.store().applications_by_mobile(&bidx).await? {
        let union = org_name(app, a.receiving_org_id).await?;
        decisions.push(super::decisions::facts(app, &a).await?);
        applications.push((a, union));
    }
    let (mut memberships, mut asks) = (Vec::new(), Vec::new());
    for m in app.store().memberships_by_mobile(&bidx).await? {
        let held = m.status.is_held();
        let transfer_token = held.then(|| token(app, m.id, app.now()));
        if let Some(token) = &transfer_token {
            for ask in app.store().transfers_awaiting_consent(m.id).await? {
                asks.push(AskLine {
                    id: ask.id,
                    union: org_name(app, ask.to_org_id).await?,
                    reason: ask.reason.unwrap_or_default(),
                    created_at: ask.created_at,
                    token: token.clone(),
                });
            }
        }
        let card_token = m.member_number.as_deref().filter(|_| held).map(|n| card_token(app.keys(), n));
        let union = org_name(app, m.home_org_id).await?;
        let contact = crate::orgs::contact::contact_of(app, OrgId(m.home_org_id)).await?;
        memberships.push(MembershipLine { record: m, union, card_token, transfer_token, contact });
    }
    let application_ids: Vec<i64> = applications.iter().map(|(a, _)| a.id).collect();
    let membership_ids: Vec<i64> = memberships.iter().map(|m| m.record.id).collect();
    let sent = super::decisions::sent(app, &application_ids, &membership_ids).await?;
    Ok(StatusRecords { applications, memberships, asks, decisions, sent })
}

/// A union's name; empty when it is gone.
pub(crate) async fn org_name(app: &App, id: i64) -> Result<String, StoreError> {
    Ok(app.store().org(OrgId(id)).await?.map(|o| o.name).unwrap_or_default())
}
