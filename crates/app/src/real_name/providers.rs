//! The real-name providers: an HTTP service, and an offline register for tests and the
//! demo.

use std::collections::HashSet;
use std::fmt;

use async_trait::async_trait;
use huiji_core::{IdNumber, Mobile, PersonName};

use super::{RealNameError, RealNameProvider};

/// POSTs `{"name", "id_number", "mobile"}` (normalised: the ID with a capital X, the
/// mobile as 11 digits) to a verification service's HTTP endpoint, with
/// `Authorization: Bearer <token>` when a token is set, and expects 200 with
/// `{"match": true}` or `{"match": false}`. Anything else — another status, another
/// body, no answer within 5 s — is "unavailable". Carriers' and resellers' APIs differ, so
/// installations put a small adapter of their own behind this one request shape.
pub struct HttpRealName {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl fmt::Debug for HttpRealName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRealName").field("url", &self.url).field("token", &"[redacted]").finish()
    }
}

/// How long the check may take: the worker is waiting on the page.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(serde::Serialize)]
struct Question<'a> {
    name: &'a str,
    id_number: &'a str,
    mobile: &'a str,
}

#[derive(serde::Deserialize)]
struct Answer {
    #[serde(rename = "match")]
    matches: bool,
}

impl HttpRealName {
    /// A client for `url` (http or https; the system's root certificates).
    pub fn new(url: &str, token: Option<String>) -> Result<HttpRealName, RealNameError> {
        let client = crate::outbound::http_client(TIMEOUT).map_err(|e| RealNameError(e.to_string()))?;
        Ok(HttpRealName { client, url: url.to_owned(), token })
    }
}

#[async_trait]
impl RealNameProvider for HttpRealName {
    async fn belong_together(
        &self,
        name: &PersonName,
        id_number: &IdNumber,
        mobile: &Mobile,
    ) -> Result<bool, RealNameError> {
        let question =
            Question { name: name.as_str(), id_number: id_number.as_str(), mobile: mobile.as_str() };
        let mut request = self.client.post(&self.url).json(&question);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| RealNameError(format!("unreachable: {e}")))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(RealNameError(format!("answered {}", response.status())));
        }
        let answer: Answer =
            response.json().await.map_err(|e| RealNameError(format!("unreadable answer: {e}")))?;
        Ok(answer.matches)
    }
}

/// A register of people known to belong together with their mobiles, kept in memory:
/// the provider for tests and the demo. Anyone not in it does not match.
#[derive(Clone, Debug, Default)]
pub struct OfflineRealName {
    people: HashSet<(String, String, String)>,
}

impl OfflineRealName {
    /// A register of `(name, id_number, mobile)`, as normalised (an ID's X upper-case,
    /// the mobile as 11 digits).
    pub fn new<'a>(people: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> OfflineRealName {
        let people = people
            .into_iter()
            .map(|(name, id, mobile)| (name.to_owned(), id.to_owned(), mobile.to_owned()))
            .collect();
        OfflineRealName { people }
    }
}

#[async_trait]
impl RealNameProvider for OfflineRealName {
    async fn belong_together(
        &self,
        name: &PersonName,
        id_number: &IdNumber,
        mobile: &Mobile,
    ) -> Result<bool, RealNameError> {
        let person = (name.as_str().to_owned(), id_number.as_str().to_owned(), mobile.as_str().to_owned());
        Ok(self.people.contains(&person))
    }
}
