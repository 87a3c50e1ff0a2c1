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
}
