//! The member card's link: the member number and a signature over it, so card pages
//! cannot be found by counting through member numbers.

use huiji_core::MemberNumber;
use huiji_store::{MembershipRecord, StoreError};

use crate::App;
use crate::keys::Keys;

/// The token of a member's card link (`{number}.{signature}`).
pub fn card_token(keys: &Keys, number: &str) -> String {
    format!("{number}.{}", keys.card_signature(&card_payload(number)).to_hex())
}

/// The member number of a genuine card token; `None` for a forged or malformed one.
pub fn verify_card_token(keys: &Keys, token: &str) -> Option<MemberNumber> {
    let (number, signature) = token.split_once('.')?;
    let number = MemberNumber::parse(number)?;
    keys.verify_card_signature(&card_payload(number.as_str()), signature).then_some(number)
}

/// The membership behind a genuine card token; forged tokens and unknown numbers alike
/// are `None`, so card pages cannot be found by guessing.
///
/// # Errors
///
/// The store's.
pub async fn membership(app: &App, token: &str) -> Result<Option<MembershipRecord>, StoreError> {
    match verify_card_token(app.keys(), token) {
        Some(number) => app.store().membership_by_number(number.as_str()).await,
        None => Ok(None),
    }
}

fn card_payload(number: &str) -> String {
    format!("huiji-card-v1:{number}")
}
