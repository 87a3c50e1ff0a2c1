//! The real-name check port (运营商三要素): does a name, an ID number and a mobile belong
//! together, as the mobile carrier registered them? With a provider configured, an
//! applicant counts as verified for `all_verified` only when they do (the rule is
//! `huiji_core::verification`); without one, a proven mobile suffices.
//!
//! Two providers ([`providers`]): a generic HTTP one (configured by URL and token, like
//! the SMS gateway) and an offline register of known people, for tests and the demo.

pub mod providers;

use std::fmt;

use async_trait::async_trait;
use huiji_core::{IdNumber, Mobile, PersonName};

pub use providers::{HttpRealName, OfflineRealName};

/// The provider gave no usable answer.
#[derive(Debug, thiserror::Error)]
#[error("real-name check unavailable: {0}")]
pub struct RealNameError(pub String);

/// Something that checks whether a name, an ID number and a mobile belong together.
#[async_trait]
pub trait RealNameProvider: Send + Sync + fmt::Debug {
    /// `Ok(true)` when they belong together, `Ok(false)` when they do not; an error when
    /// the provider cannot say (the application then waits for review).
    async fn belong_together(
        &self,
        name: &PersonName,
        id_number: &IdNumber,
        mobile: &Mobile,
    ) -> Result<bool, RealNameError>;
}
