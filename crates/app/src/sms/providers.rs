//! The SMS providers: the outbox (the default: messages wait in a table the operator can
//! read with `huiji sms outbox`) and a generic HTTP gateway.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use huiji_core::Mobile;
use huiji_store::{NewOutboxMessage, Store};
use huiji_vault::Field;

use super::{SmsError, SmsSender, TaggedSms};
use crate::keys::Keys;
use crate::ports::{Clock, Nonces, Randomness};

/// Keeps messages in the database's outbox instead of sending them: the default for
/// demos, tests and installations without a gateway. The mobile is stored encrypted;
/// the outbox shows it masked.
#[derive(Debug)]
pub struct OutboxSms {
    store: Arc<dyn Store>,
    keyring: Arc<Keys>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
}

impl OutboxSms {
    /// An outbox over the store.
    pub fn new(
        store: Arc<dyn Store>,
        keyring: Arc<Keys>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
    ) -> Self {
        OutboxSms { store, keyring, clock, random }
    }
}

#[async_trait]
impl SmsSender for OutboxSms {
    async fn send(&self, mobile: &Mobile, text: &str) -> Result<(), SmsError> {
        let sealed = self
            .keyring
            .seal(Field::Mobile, mobile.as_str(), &mut Nonces(self.random.as_ref()))
            .map_err(|e| SmsError(e.to_string()))?;
        self.store
            .push_sms_outbox(&sealed, &mobile.masked(), text, self.clock.now())
            .await
            .map_err(|e| SmsError(e.to_string()))
    }

    /// A round in one statement: the outbox is a table, so a campaign round costs one
    /// write, not one per message. Stored whole or not at all.
    async fn send_tagged_batch(&self, messages: &[TaggedSms]) -> Vec<Result<(), SmsError>> {
        let round: Vec<(&Mobile, &str)> = messages.iter().map(|m| (&m.mobile, m.text.as_str())).collect();
        self.push_round(&round).await
    }

    /// The same for a round of decision SMS.
    async fn send_batch(&self, messages: &[(&Mobile, &str)]) -> Vec<Result<(), SmsError>> {
        self.push_round(messages).await
    }
}

impl OutboxSms {
    /// A round into the outbox in one statement, whole or not at all.
    async fn push_round(&self, messages: &[(&Mobile, &str)]) -> Vec<Result<(), SmsError>> {
        let mut batch = Vec::with_capacity(messages.len());
        for (mobile, text) in messages {
            let sealed = self.keyring.seal(Field::Mobile, mobile.as_str(), &mut Nonces(self.random.as_ref()));
            match sealed {
                Ok(sealed) => batch.push(NewOutboxMessage {
                    mobile: sealed,
                    masked: mobile.masked(),
                    body: (*text).to_owned(),
                }),
                Err(e) => return messages.iter().map(|_| Err(SmsError(e.to_string()))).collect(),
            }
        }
        match self.store.push_sms_outbox_batch(&batch, self.clock.now()).await {
            Ok(()) => messages.iter().map(|_| Ok(())).collect(),
            Err(e) => messages.iter().map(|_| Err(SmsError(e.to_string()))).collect(),
        }
    }
}

/// Posts each message as JSON (`{"mobile": "13800138000", "text": "..."}`) to an SMS
/// gateway's HTTP endpoint, with `Authorization: Bearer <token>` when a token is set.
/// Any 2xx answer counts as accepted. Most providers' APIs differ, so installations put
/// a small adapter of their own behind this one request shape.
pub struct HttpGatewaySms {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl fmt::Debug for HttpGatewaySms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpGatewaySms").field("url", &self.url).field("token", &"[redacted]").finish()
    }
}

#[derive(serde::Serialize)]
struct GatewayMessage<'a> {
    mobile: &'a str,
    text: &'a str,
    /// Ours, for the delivery receipt (campaign messages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

/// How long a gateway may take before a send fails (the worker is waiting on the page).
const GATEWAY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl HttpGatewaySms {
    /// A gateway client for `url` (http or https; the system's root certificates).
    pub fn new(url: &str, token: Option<String>) -> Result<HttpGatewaySms, SmsError> {
        let client = crate::outbound::http_client(GATEWAY_TIMEOUT).map_err(|e| SmsError(e.to_string()))?;
        Ok(HttpGatewaySms { client, url: url.to_owned(), token })
    }
}

#[async_trait]
impl SmsSender for HttpGatewaySms {
    async fn send(&self, mobile: &Mobile, text: &str) -> Result<(), SmsError> {
        self.post(&GatewayMessage { mobile: mobile.as_str(), text, reference: None }).await
    }

    async fn send_tagged(&self, mobile: &Mobile, text: &str, reference: &str) -> Result<(), SmsError> {
        self.post(&GatewayMessage { mobile: mobile.as_str(), text, reference: Some(reference) }).await
    }

    /// A round posted [`GATEWAY_CONCURRENCY`] at a time.
    async fn send_tagged_batch(&self, messages: &[TaggedSms]) -> Vec<Result<(), SmsError>> {
        let mut outcomes = Vec::with_capacity(messages.len());
        for chunk in messages.chunks(GATEWAY_CONCURRENCY) {
            let mut posts = tokio::task::JoinSet::new();
            for (n, message) in chunk.iter().enumerate() {
                let (client, url, token) = (self.client.clone(), self.url.clone(), self.token.clone());
                let (mobile, text, reference) =
                    (message.mobile.as_str().to_owned(), message.text.clone(), message.reference.clone());
                posts.spawn(async move {
                    let body = GatewayMessage { mobile: &mobile, text: &text, reference: Some(&reference) };
                    (n, post(&client, &url, token.as_deref(), &body).await)
                });
            }
            let mut answers: Vec<Option<Result<(), SmsError>>> = (0..chunk.len()).map(|_| None).collect();
            while let Some(joined) = posts.join_next().await {
                if let Ok((n, answer)) = joined
                    && let Some(slot) = answers.get_mut(n)
                {
                    *slot = Some(answer);
                }
            }
            outcomes.extend(
                answers
                    .into_iter()
                    .map(|a| a.unwrap_or_else(|| Err(SmsError("the post was lost".to_owned())))),
            );
        }
        outcomes
    }
}

/// Messages of a campaign round posted at once: each post waits for the gateway's answer,
/// so one after another a gateway answering in 50 ms would hold the sender to 20 messages
/// a second whatever rate is configured.
const GATEWAY_CONCURRENCY: usize = 16;

impl HttpGatewaySms {
    async fn post(&self, message: &GatewayMessage<'_>) -> Result<(), SmsError> {
        post(&self.client, &self.url, self.token.as_deref(), message).await
    }
}

/// One message posted to the gateway; any 2xx answer counts as accepted.
async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    message: &GatewayMessage<'_>,
) -> Result<(), SmsError> {
    let mut request = client.post(url).json(message);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| SmsError(format!("gateway unreachable: {e}")))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(SmsError(format!("gateway answered {}", response.status())))
    }
}
