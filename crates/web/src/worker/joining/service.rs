//! Joining as every door uses it: check the fields, prove the mobile, find who reviews
//! and where the membership lands, decide, store. The H5 form and the platform API call
//! these functions; neither has rules of its own.

use huiji_app::keys::Keys;
use huiji_app::ports::Nonces;
use huiji_core::joining::{self, FieldError, JoinContext, JoinForm, JoinRequest};
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::sms::{self, SmsCheck, SmsPurpose};
use huiji_core::verification::{self, RealNameCheck, Verification};
use huiji_core::{AutoApproval, Channel, MemberNumber, Mobile, Org, OrgId, RegionLevel, Sex, Timestamp};
use huiji_store::{NewApplication, OrgFilter, SubmitOutcome};
use huiji_vault::{Field, VaultError};

use crate::WebState;

/// How many codes one mobile may receive in a day.
const MAX_CODES_PER_DAY: u64 = 10;

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
        application_id: i64,
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
        application_id: i64,
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
    /// Our side failed.
    #[error("{0}")]
    Internal(String),
}

impl From<huiji_store::StoreError> for JoinError {
    fn from(error: huiji_store::StoreError) -> Self {
        JoinError::Internal(error.to_string())
    }
}

impl From<VaultError> for JoinError {
    fn from(error: VaultError) -> Self {
        JoinError::Internal(format!("vault: {error}"))
    }
}

/// The token of a member's card link: the number and a signature over it, so card
/// pages cannot be found by counting through member numbers.
pub fn card_token(keyring: &Keys, number: &str) -> String {
    format!("{number}.{}", keyring.card_signature(&card_payload(number)).to_hex())
}

/// The member number of a genuine card token.
pub fn verify_card_token(keyring: &Keys, token: &str) -> Option<MemberNumber> {
    let (number, signature) = token.split_once('.')?;
    let number = MemberNumber::parse(number)?;
    keyring.verify_card_signature(&card_payload(number.as_str()), signature).then_some(number)
}

fn card_payload(number: &str) -> String {
    format!("huiji-card-v1:{number}")
}

/// The stored hash of an SMS code, bound to the mobile and purpose.
fn code_hash(keyring: &Keys, mobile: &Mobile, purpose: SmsPurpose, code: &str) -> String {
    let value = format!("sms-code:{}:{}:{code}", purpose.code(), mobile.as_str());
    keyring.blind_index(Field::Mobile, &value).to_hex()
}

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
    /// Our side failed.
    #[error("{0}")]
    Internal(String),
}

impl From<huiji_store::StoreError> for SendCodeError {
    fn from(error: huiji_store::StoreError) -> Self {
        SendCodeError::Internal(error.to_string())
    }
}

/// Sends a verification code to a mobile, at most one a minute and ten a day.
pub async fn send_code(state: &WebState, mobile: &str, purpose: SmsPurpose) -> Result<Mobile, SendCodeError> {
    let mobile = Mobile::parse(mobile).map_err(|e| {
        SendCodeError::Invalid(FieldError {
            field: "mobile",
            code: e.code(),
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        })
    })?;
    let now = state.app.now();
    let bidx = state.app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    if state.store.sms_challenges_since(&bidx, Timestamp(now.0 - sms::RESEND_INTERVAL_MILLIS)).await? > 0 {
        return Err(SendCodeError::TooSoon);
    }
    if state.store.sms_challenges_since(&bidx, now.plus_days(-1)).await? >= MAX_CODES_PER_DAY {
        return Err(SendCodeError::DailyLimit);
    }
    let random = state.app.random().next_u32().map_err(|e| SendCodeError::Internal(e.to_string()))?;
    let code = sms::code_from_random(random);
    let hash = code_hash(state.app.keys(), &mobile, purpose, &code);
    state.store.create_sms_challenge(&bidx, purpose, &hash, now).await?;
    let text = format!("【会籍】您的验证码是{code}，5分钟内有效，请勿告诉他人。");
    state.app.sms().send(&mobile, &text).await.map_err(|e| SendCodeError::Delivery(e.to_string()))?;
    Ok(mobile)
}

/// Checks a typed code for a mobile.
pub async fn check_code(
    state: &WebState,
    mobile: &Mobile,
    purpose: SmsPurpose,
    typed: &str,
) -> Result<SmsCheck, JoinError> {
    let Some(code) = sms::normalise_code(typed) else {
        return Ok(SmsCheck::Wrong { attempts_left: sms::MAX_ATTEMPTS });
    };
    let bidx = state.app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
    let hash = code_hash(state.app.keys(), mobile, purpose, &code);
    Ok(state.store.check_sms_challenge(&bidx, purpose, &hash, state.app.now()).await?)
}

/// The unions of the work region's city that receiving and landing choose from: its
/// industry federations and the city federation (with its pool). Only those are read —
/// a city has a hundred or more township unions no join ever lands at.
async fn city_orgs(state: &WebState, request: &JoinRequest) -> Result<Vec<Org>, JoinError> {
    let Some(city) = request.region.ancestor_at(RegionLevel::City) else {
        return Ok(Vec::new());
    };
    let industry =
        OrgFilter { region: Some(city), kind: Some(OrgKindCode::IndustryFederation), ..OrgFilter::default() };
    let federation = OrgFilter {
        region: Some(city),
        kind: Some(OrgKindCode::Federation),
        level: Some(Level::City),
        ..OrgFilter::default()
    };
    let (mut orgs, federations) =
        tokio::try_join!(state.store.orgs(&industry), state.store.orgs(&federation))?;
    orgs.extend(federations);
    Ok(orgs)
}

/// Checks a join form against the core's rules and the consent versions in force;
/// stores nothing. Every door parses through here.
pub async fn parse(state: &WebState, form: &JoinForm<'_>) -> Result<JoinRequest, JoinError> {
    let versions: Vec<String> =
        state.store.consent_versions().await?.into_iter().map(|v| v.version).collect();
    let ctx = JoinContext {
        today: state.app.now().china_date(),
        regions: state.app.regions(),
        consent_versions: &versions,
    };
    joining::parse_join(form, &ctx).map_err(JoinError::Invalid)
}

/// Takes one join request through every rule.
pub async fn join(
    state: &WebState,
    form: &JoinForm<'_>,
    channel: Channel,
    qr_org: Option<&Org>,
    source: Option<String>,
    proof: MobileProof,
    platform: Option<PlatformOrigin>,
) -> Result<JoinOutcome, JoinError> {
    let now = state.app.now();
    let request = parse(state, form).await?;

    let mobile_verified = match &proof {
        MobileProof::SmsCode(code) => {
            match check_code(state, &request.mobile, SmsPurpose::Join, code).await? {
                SmsCheck::Verified => true,
                other => return Err(JoinError::Sms(other)),
            }
        }
        MobileProof::Attested => true,
        MobileProof::None => false,
    };

    let orgs = city_orgs(state, &request).await?;
    let receiving = joining::receiving_org(qr_org, &orgs, request.occupation, request.region)
        .cloned()
        .ok_or(JoinError::Unserved)?;
    // Only an enterprise union of the work region's county or city may be the employer's.
    let employer_union = match (&request.employer, request.region.ancestor_at(RegionLevel::City)) {
        (Some(employer), Some(city)) => {
            let code = employer.credit_code.as_ref().map(|c| c.as_str());
            let candidates = state.store.enterprise_unions(code, &employer.name, city).await?;
            joining::employer_union(&candidates, employer, request.region).cloned()
        }
        _ => None,
    };
    let landing = joining::landing(employer_union.as_ref(), &orgs, request.occupation, request.region)
        .ok_or(JoinError::Unserved)?;
    let mut nonces = Nonces(state.app.random());
    let id_number = state.app.keys().seal(Field::IdNumber, request.id_number.as_str(), &mut nonces)?;
    let mobile = state.app.keys().seal(Field::Mobile, request.mobile.as_str(), &mut nonces)?;
    // A proven mobile answers for the identity it was first used with, and no other.
    let mobile_bound_elsewhere = mobile_verified
        && state.store.mobile_bound_elsewhere(&mobile.blind_index, &id_number.blind_index).await?;
    let policy = receiving.auto_approval;
    // No roster exists yet (outreach imports it), so roster-only orgs review everyone.
    let on_roster = false;
    let real_name =
        check_real_name(state, &request, policy, mobile_verified, mobile_bound_elsewhere, on_roster).await;
    let verification = Verification { mobile_verified, mobile_bound_elsewhere, real_name };
    let decision = verification::decide(policy, &verification, on_roster);

    let application = NewApplication {
        channel,
        source,
        receiving_org: receiving.id,
        landing: Some(landing),
        name: request.name.as_str().to_owned(),
        id_number,
        mobile,
        sex: match request.id_number.sex() {
            Sex::Male => "male",
            Sex::Female => "female",
        },
        occupation: request.occupation.code(),
        region_code: request.region.to_string(),
        employer_name: request.employer.as_ref().map(|e| e.name.clone()).filter(|n| !n.is_empty()),
        employer_credit_code: request
            .employer
            .as_ref()
            .and_then(|e| e.credit_code.as_ref())
            .map(|c| c.to_string()),
        consent_version: request.consent_version.clone(),
        mobile_verified,
        mobile_bound_elsewhere,
        real_name,
        decision,
        review_deadline: now.plus_days(i64::from(receiving.review_days)),
        consent_at: platform.as_ref().map_or(now, |p| p.consent_at),
        platform_id: platform.as_ref().map(|p| p.platform_id),
        external_ref: platform.and_then(|p| p.external_ref),
    };
    // A person holding a membership is told so only when they proved its mobile; anyone
    // else's application is stored for review, flagged, and answered like a newcomer's.
    let outcome = state.store.submit_application(&application, now).await?;
    match outcome {
        SubmitOutcome::Approved { application_id, member_number, .. } => {
            // The landing union is one of those already read, unless it is the employer's.
            let known = orgs.iter().chain(employer_union.as_ref()).find(|o| o.id == landing.org()).cloned();
            let landing_org = match known {
                Some(org) => org,
                None => state.store.org(landing.org()).await?.ok_or(JoinError::Unserved)?,
            };
            let text = format!(
                "【会籍】欢迎加入工会！您的会员号是{}，会籍在{}。",
                member_number.as_str(),
                landing_org.name
            );
            if let Err(error) = state.app.sms().send(&request.mobile, &text).await {
                tracing::warn!(%error, "welcome SMS not sent");
            }
            Ok(JoinOutcome::Approved {
                application_id,
                card_token: card_token(state.app.keys(), member_number.as_str()),
                member_number,
                in_pool: matches!(landing, joining::Landing::Pool(_)),
                landing: landing_org,
                receiving: Box::new(receiving),
            })
        }
        SubmitOutcome::Pending { application_id, existing: false } => {
            Ok(JoinOutcome::Pending { application_id, receiving, deadline: application.review_deadline })
        }
        SubmitOutcome::Pending { application_id, existing: true } => {
            // The submitter's own open application, as it stands: who reviews it and by
            // when were settled when it was made.
            let stored = state
                .store
                .application(application_id)
                .await?
                .ok_or_else(|| JoinError::Internal(format!("application {application_id} vanished")))?;
            let receiving =
                state.store.org(OrgId(stored.receiving_org_id)).await?.ok_or_else(|| {
                    JoinError::Internal(format!("org {} vanished", stored.receiving_org_id))
                })?;
            let deadline = stored.review_deadline.map_or(application.review_deadline, Timestamp);
            Ok(JoinOutcome::Pending { application_id, receiving, deadline })
        }
        SubmitOutcome::AlreadyMember => {
            let memberships = state.store.memberships_by_mobile(&application.mobile.blind_index).await?;
            let card_token = memberships
                .iter()
                .filter(|m| m.status().is_some_and(|s| s.is_held()))
                .find_map(|m| m.member_number.as_deref())
                .map(|n| card_token(state.app.keys(), n));
            Ok(JoinOutcome::AlreadyMember { card_token })
        }
    }
}

/// Asks the real-name provider, when one is configured and its answer can change the
/// decision. Whether it is asked never depends on the person behind the ID number, so
/// the time it takes tells a caller nothing about them.
async fn check_real_name(
    state: &WebState,
    request: &JoinRequest,
    policy: AutoApproval,
    mobile_verified: bool,
    mobile_bound_elsewhere: bool,
    on_roster: bool,
) -> RealNameCheck {
    let Some(provider) = state.app.real_name() else {
        return RealNameCheck::NotConfigured;
    };
    if !verification::worth_a_real_name_check(policy, mobile_verified, mobile_bound_elsewhere, on_roster) {
        return RealNameCheck::NotAsked;
    }
    match provider.belong_together(&request.name, &request.id_number, &request.mobile).await {
        Ok(true) => RealNameCheck::Matched,
        Ok(false) => RealNameCheck::Mismatched,
        Err(error) => {
            tracing::warn!(%error, "real-name check unavailable; the application waits for review");
            RealNameCheck::Unavailable
        }
    }
}
