//! The SMS provider's callbacks: delivery receipts and inbound replies. Both are
//! authenticated by the configured bearer token and idempotent — providers retry and
//! duplicate.

use huiji_core::Mobile;
use huiji_core::campaign::{MessageState, Receipt, is_opt_out};
use huiji_store::SuppressionReason;
use huiji_vault::Field;

use super::CampaignError;
use super::deliver::REFERENCE_PREFIX;
use crate::App;

/// Whether a presented token is the configured callback token. Both are compared as
/// keyed MACs, so the time a comparison takes says nothing about the token. With no
/// token configured, nothing is.
pub fn authorized(app: &App, presented: &str) -> bool {
    let Some(expected) = app.campaigns().callback_token.as_deref() else { return false };
    let mac = |token: &str| app.keys().card_signature(&format!("sms-callback:{token}")).to_hex();
    mac(expected) == mac(presented)
}

/// Applies a delivery receipt for the message a reference names; the state it leaves,
/// `None` for a reference that names no message.
///
/// # Errors
///
/// The store's.
pub async fn receipt(
    app: &App,
    reference: &str,
    receipt: Receipt,
) -> Result<Option<MessageState>, CampaignError> {
    let Some(id) = reference.trim().strip_prefix(REFERENCE_PREFIX).and_then(|n| n.parse::<i64>().ok()) else {
        return Ok(None);
    };
    Ok(app.store().apply_campaign_receipt(id, receipt, app.now()).await?)
}

/// Handles an inbound reply: an opt-out (退订, T, TD, R … in any case and width) puts
/// the mobile on the suppression list. Whether the reply opted out; a mobile that is not
/// a mainland number is ignored.
///
/// # Errors
///
/// The store's.
pub async fn reply(app: &App, mobile: &str, text: &str) -> Result<bool, CampaignError> {
    if !is_opt_out(text) {
        return Ok(false);
    }
    let Ok(mobile) = Mobile::parse(mobile) else { return Ok(false) };
    let bidx = app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    app.store().suppress_mobile(&bidx, SuppressionReason::Reply, app.now()).await?;
    Ok(true)
}
