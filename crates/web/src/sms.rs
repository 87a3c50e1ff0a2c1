//! Sending SMS: a provider trait, the outbox provider (the default: messages wait in a
//! table the operator can read with `huiji sms outbox`), and a generic HTTP gateway.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use huiji_core::{Clock, Mobile};
use huiji_store::Store;
use huiji_vault::{Field, Keyring};

use crate::random::{Nonces, Randomness};

/// A message could not be handed to the provider.
#[derive(Debug, thiserror::Error)]
#[error("SMS not sent: {0}")]
pub struct SmsError(pub String);

/// Something that delivers text messages to mainland mobiles.
#[async_trait]
pub trait SmsSender: Send + Sync + fmt::Debug {
    /// Sends `text` to `mobile`.
    async fn send(&self, mobile: &Mobile, text: &str) -> Result<(), SmsError>;
}

/// Keeps messages in the database's outbox instead of sending them: the default for
/// demos, tests and installations without a gateway. The mobile is stored encrypted;
/// the outbox shows it masked.
#[derive(Debug)]
pub struct OutboxSms {
    store: Arc<dyn Store>,
    keyring: Arc<Keyring>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
}

impl OutboxSms {
    /// An outbox over the store.
    pub fn new(
        store: Arc<dyn Store>,
        keyring: Arc<Keyring>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
    ) -> Self {
        OutboxSms { store, keyring, clock, random }
    }
}

#[async_trait]
impl SmsSender for OutboxSms {
    async fn send(&self, mobile: &Mobile, text: &str) -> Result<(), SmsError> {
        let sealed = crate::join::service::seal(
            &self.keyring,
            Field::Mobile,
            mobile.as_str(),
            &mut Nonces(self.random.as_ref()),
        )
        .map_err(|e| SmsError(e.to_string()))?;
        self.store
            .push_sms_outbox(&sealed, &mobile.masked(), text, self.clock.now())
            .await
            .map_err(|e| SmsError(e.to_string()))
    }
}
