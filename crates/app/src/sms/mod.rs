//! Sending SMS: the port every use case that texts a worker goes through, and its
//! providers ([`providers`]).

pub mod providers;

use std::fmt;

use async_trait::async_trait;
use huiji_core::Mobile;

pub use providers::{HttpGatewaySms, OutboxSms};

/// A message could not be handed to the provider.
#[derive(Debug, thiserror::Error)]
#[error("SMS not sent: {0}")]
pub struct SmsError(pub String);

/// One message of a batch carrying our reference (a campaign round).
#[derive(Clone)]
pub struct TaggedSms {
    /// The recipient.
    pub mobile: Mobile,
    /// The text.
    pub text: String,
    /// Ours, which the delivery receipt names.
    pub reference: String,
}

impl fmt::Debug for TaggedSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaggedSms").field("mobile", &self.mobile).field("reference", &self.reference).finish()
    }
}

/// Something that delivers text messages to mainland mobiles.
#[async_trait]
pub trait SmsSender: Send + Sync + fmt::Debug {
    /// Sends `text` to `mobile`.
    async fn send(&self, mobile: &Mobile, text: &str) -> Result<(), SmsError>;

    /// Sends `text` carrying our `reference`, which the provider's delivery receipt
    /// names (campaign messages). Providers without references just send.
    async fn send_tagged(&self, mobile: &Mobile, text: &str, reference: &str) -> Result<(), SmsError> {
        let _ = reference;
        self.send(mobile, text).await
    }

    /// Sends a round of untagged messages (decision SMS): each one's outcome, in their
    /// order. By default one after another; the outbox stores a round in one statement.
    async fn send_batch(&self, messages: &[(&Mobile, &str)]) -> Vec<Result<(), SmsError>> {
        let mut outcomes = Vec::with_capacity(messages.len());
        for (mobile, text) in messages {
            outcomes.push(self.send(mobile, text).await);
        }
        outcomes
    }

    /// Sends a round of tagged messages; each one's outcome, in their order. By default
    /// one after another; providers that can do better override it (the outbox stores a
    /// round in one statement, the HTTP gateway posts several at once).
    async fn send_tagged_batch(&self, messages: &[TaggedSms]) -> Vec<Result<(), SmsError>> {
        let mut outcomes = Vec::with_capacity(messages.len());
        for message in messages {
            outcomes.push(self.send_tagged(&message.mobile, &message.text, &message.reference).await);
        }
        outcomes
    }
}
