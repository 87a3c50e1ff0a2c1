//! Joining as every door uses it: check the fields ([`submit::parse`]), prove the mobile
//! ([`sms_code`]), find who reviews and where the membership lands, decide, store
//! ([`submit::join`]), and the member card's signed link ([`card`]). The H5 form and the
//! platform API call these functions; neither has rules of its own.

pub mod cache;
pub mod card;
pub mod keyed;
pub mod platform;
pub mod sms_code;
pub mod submit;

use huiji_core::joining::FieldError;
use huiji_core::joining::receives_applications;
use huiji_core::sms::SmsCheck;
use huiji_core::{ApplicationId, MemberNumber, Org, Timestamp};
use huiji_store::StoreError;
use huiji_vault::VaultError;

pub use card::{card_token, verify_card_token};
pub use keyed::{IdempotencyKey, RenderJoin, join_keyed};
pub use sms_code::{SendCodeError, check_code, send_code};
pub use submit::{identity_errors, join, parse};

/// The union behind a join code (一会一码), if it receives applications; unknown codes
/// and unions that take none are alike `None`.
///
/// # Errors
///
/// The store's.
pub async fn receiving_union(app: &crate::App, code: &str) -> Result<Option<Org>, StoreError> {
    Ok(app.store().org_by_join_code(code).await?.filter(receives_applications))
}

/// How the applicant's mobile was proven.
#[derive(Clone, Debug)]
pub enum MobileProof {
    /// The 6-digit code typed on the H5 page.
    SmsCode(String),
    /// A platform's attestation (`mobile_verified: true`).
    Attested,
    /// Nothing: the application can only be reviewed.
    None,
}

/// What a platform adds to a request it submits through the API.
#[derive(Clone, Debug)]
pub struct PlatformOrigin {
    /// The submitting platform.
    pub platform_id: i64,
    /// The platform's own reference.
    pub external_ref: Option<String>,
    /// When the worker accepted the consent text in the platform's app.
    pub consent_at: Timestamp,
}

/// What became of a join request.
#[derive(Clone, Debug)]
pub enum JoinOutcome {
    /// A member now.
    Approved {
        /// The application.
        application_id: ApplicationId,
        /// The new number.
        member_number: MemberNumber,
        /// The card link's token.
        card_token: String,
        /// Where the membership lives.
        landing: Org,
        /// Whether that is a city's turnover pool.
        in_pool: bool,
        /// Who received the application (boxed: two orgs make this variant large).
        receiving: Box<Org>,
    },
    /// An officer reviews it.
    Pending {
        /// The application: a new one, or the same submitter's open one as it stands.
        application_id: ApplicationId,
        /// Who reviews.
        receiving: Org,
        /// Review deadline.
        deadline: Timestamp,
    },
    /// The verified owner of this membership's mobile asked again.
    AlreadyMember {
        /// Their card.
        card_token: Option<String>,
    },
}

/// Why a join request was not taken.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// Field problems, all of them.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The SMS code did not verify the mobile.
    #[error("mobile not verified: {0:?}")]
    Sms(SmsCheck),
    /// No union in the system serves the work region.
    #[error("no union serves this region")]
    Unserved,
    /// The keys could not seal a value.
    #[error("vault: {0}")]
    Vault(#[from] VaultError),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Our side failed otherwise (a record that vanished meanwhile).
    #[error("{0}")]
    Internal(String),
}
