//! How pages show shared things: dates in China, sealed identifiers masked, org names by
//! id — one helper each, for every console and worker page.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use huiji_core::{MemberNumber, OrgId, Timestamp};
use huiji_vault::Field;

use crate::{WebError, WebState};

/// Names of orgs by id, fetched once per page.
pub(crate) async fn org_names(
    state: &WebState,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, WebError> {
    let mut names = HashMap::new();
    for id in ids {
        if let Entry::Vacant(entry) = names.entry(id) {
            let name = state.store.org(OrgId(id)).await?.map(|o| o.name).unwrap_or_default();
            entry.insert(name);
        }
    }
    Ok(names)
}

/// A member number as people read it everywhere — pages, cards, the SMS — grouped
/// `34 26 00000012 9`; machines (the API, the card's QR token, search input) use the 13
/// digits. A stored value that does not parse is shown as stored.
pub(crate) fn member_number(number: Option<&str>) -> String {
    number.map(|n| MemberNumber::parse(n).map_or_else(|| n.to_owned(), |n| n.grouped())).unwrap_or_default()
}

/// A date in China, for lists.
pub(crate) fn date(millis: i64) -> String {
    Timestamp(millis).china_date().to_string()
}

/// The masked form of a sealed value ("" when it cannot be decrypted).
pub(crate) fn masked(state: &WebState, field: Field, ciphertext: &[u8]) -> String {
    let Ok(plain) = state.app.keys().decrypt(field, ciphertext) else { return String::new() };
    match field {
        Field::IdNumber => huiji_core::id_number::mask(&plain),
        Field::Mobile => huiji_core::Mobile::parse(&plain).map(|m| m.masked()).unwrap_or_default(),
        // Secrets are never shown, masked or not.
        Field::WebhookSecret => String::new(),
    }
}
