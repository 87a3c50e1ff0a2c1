//! How pages show shared things: dates in China, sealed identifiers masked, org names by
//! id — one helper each, for every console and worker page.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use huiji_core::{OrgId, Timestamp};
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
