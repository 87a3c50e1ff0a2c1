//! SMS verification codes as every door sends and checks them: at most one a minute and
//! ten a day per mobile, stored only as a keyed hash bound to the mobile and purpose.

use huiji_core::Mobile;
use huiji_core::Timestamp;
use huiji_core::joining::FieldError;
use huiji_core::sms::{self, SmsCheck, SmsPurpose};
use huiji_store::StoreError;
use huiji_vault::Field;

use crate::App;
use crate::keys::Keys;

/// How many codes one mobile may receive in a day.
const MAX_CODES_PER_DAY: u64 = 10;

/// Why no code was sent.
#[derive(Debug, thiserror::Error)]
pub enum SendCodeError {
    /// The mobile is not a mainland number.
    #[error("invalid mobile")]
    Invalid(FieldError),
    /// A code was sent less than a minute ago.
    #[error("too soon")]
    TooSoon,
    /// Ten codes today already.
    #[error("daily limit")]
    DailyLimit,
    /// The SMS provider did not take the message.
    #[error("{0}")]
    Delivery(String),
    /// No randomness for the code.
    #[error("{0}")]
    Internal(String),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// The stored hash of an SMS code, bound to the mobile and purpose.
fn code_hash(keys: &Keys, mobile: &Mobile, purpose: SmsPurpose, code: &str) -> String {
    let value = format!("sms-code:{}:{}:{code}", purpose.code(), mobile.as_str());
    keys.blind_index(Field::Mobile, &value).to_hex()
}

/// Sends a verification code to a mobile, at most one a minute and ten a day.
///
/// # Errors
///
/// An invalid mobile, too many codes, a provider that refused, or the store's.
pub async fn send_code(app: &App, mobile: &str, purpose: SmsPurpose) -> Result<Mobile, SendCodeError> {
    let mobile = Mobile::parse(mobile).map_err(|e| {
        SendCodeError::Invalid(FieldError {
            field: "mobile",
            code: e.code(),
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        })
    })?;
    let now = app.now();
    let bidx = app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    if app.store().sms_challenges_since(&bidx, Timestamp(now.0 - sms::RESEND_INTERVAL_MILLIS)).await? > 0 {
        return Err(SendCodeError::TooSoon);
    }
    if app.store().sms_challenges_since(&bidx, now.plus_days(-1)).await? >= MAX_CODES_PER_DAY {
        return Err(SendCodeError::DailyLimit);
    }
    let random = app.random().next_u32().map_err(|e| SendCodeError::Internal(e.to_string()))?;
    let code = sms::code_from_random(random);
    let hash = code_hash(app.keys(), &mobile, purpose, &code);
    app.store().create_sms_challenge(&bidx, purpose, &hash, now).await?;
    let text = sms::verification_text(&code);
    app.sms().send(&mobile, &text).await.map_err(|e| SendCodeError::Delivery(e.to_string()))?;
    Ok(mobile)
}

/// Checks a typed code for a mobile; a right code is used up. Nothing typed is
/// [`SmsCheck::NoCode`] ("get a code first") and spends none of the code's tries.
///
/// # Errors
///
/// The store's.
pub async fn check_code(
    app: &App,
    mobile: &Mobile,
    purpose: SmsPurpose,
    typed: &str,
) -> Result<SmsCheck, StoreError> {
    if typed.trim().is_empty() {
        return Ok(SmsCheck::NoCode);
    }
    let Some(code) = sms::normalise_code(typed) else {
        return Ok(SmsCheck::Wrong { attempts_left: sms::MAX_ATTEMPTS });
    };
    let bidx = app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    let hash = code_hash(app.keys(), mobile, purpose, &code);
    app.store().check_sms_challenge(&bidx, purpose, &hash, app.now()).await
}
