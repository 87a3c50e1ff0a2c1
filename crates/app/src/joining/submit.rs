//! One join request through every rule: parse, prove the mobile, choose the receiving
//! and landing unions, seal, decide, store, and welcome a new member by SMS.

use std::sync::Arc;

use huiji_core::joining::{self, FieldError, JoinContext, JoinForm, JoinRequest};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::verification::{self, RealNameCheck, Verification};
use huiji_core::{ApplicationId, AutoApproval, Channel, Org, OrgId, RegionLevel, Timestamp};
use huiji_store::{MobileBinding, NewApplication, NoticeAbout, StoreError, SubmitOutcome};
use huiji_vault::Field;

use super::{JoinError, JoinOutcome, MobileProof, PlatformOrigin, card_token, check_code};
use crate::App;
use crate::ports::Nonces;

/// The unions of the work region's city that receiving and landing choose from (cached,
/// see [`super::cache::city_orgs`]).
async fn city_orgs(app: &App, request: &JoinRequest) -> Result<Arc<Vec<Org>>, JoinError> {
    match request.region.ancestor_at(RegionLevel::City) {
        Some(city) => Ok(super::cache::city_orgs(app, city).await?),
        None => Ok(Arc::new(Vec::new())),
    }
}

/// Checks a join form against the core's rules and the consent versions in force;
/// stores nothing. Every door parses through here.
///
/// # Errors
///
/// Every field problem at once ([`JoinError::Invalid`]), or the store's.
pub async fn parse(app: &App, form: &JoinForm<'_>) -> Result<JoinRequest, JoinError> {
    let versions = consent_versions(app).await?;
    let ctx =
        JoinContext { today: app.now().china_date(), regions: app.regions(), consent_versions: &versions };
    joining::parse_join(form, &ctx).map_err(JoinError::Invalid)
}

/// What is wrong with the form's name, ID number and mobile alone
/// ([`joining::identity_errors`]): asked before an SMS code is sent for the form.
///
/// # Errors
///
/// The store's.
pub async fn identity_errors(app: &App, form: &JoinForm<'_>) -> Result<Vec<FieldError>, StoreError> {
    let versions = consent_versions(app).await?;
    let ctx =
        JoinContext { today: app.now().china_date(), regions: app.regions(), consent_versions: &versions };
    Ok(joining::identity_errors(form, &ctx))
}

async fn consent_versions(app: &App) -> Result<Arc<Vec<String>>, StoreError> {
    super::cache::consent_versions(app).await
}

/// A join request taken through every rule up to the store: what to store, and the
/// unions already read (the answer names them).
#[derive(Clone)]
pub(super) struct Prepared {
    /// The application to store.
    pub(super) application: NewApplication,
    /// When the request was taken.
    pub(super) now: Timestamp,
    /// Who receives it.
    pub(super) receiving: Org,
    /// Where the membership lands.
    pub(super) landing: joining::Landing,
    /// Whether the application's `mobile_bound_elsewhere` was read or assumed.
    pub(super) binding: MobileBinding,
    /// The city's unions read on the way (shared with the cache) …
    city: Arc<Vec<Org>>,
    /// … and the employer's union: the landing union is one of them.
    employer_union: Option<Org>,
}

impl Prepared {
    /// The landing union, if it is one of those read (it always is: landing chooses
    /// among them).
    pub(super) fn landing_org(&self) -> Option<&Org> {
        self.city.iter().chain(&self.employer_union).find(|o| o.id == self.landing.org())
    }
}

/// Whether [`prepare`] reads the proven mobile's binding before deciding, or may leave it
/// to the store to check as it writes ([`MobileBinding::Assumed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BindingCheck {
    /// Read it first.
    ReadFirst,
    /// Leave it to the store where the decision allows (see [`prepare`]).
    StoreMayCheck,
}

/// Takes one join request through every rule but the store's.
///
/// With [`BindingCheck::StoreMayCheck`] the proven mobile's binding is not read when the
/// decision would approve at once with a free mobile and no real-name check is
/// configured: the application is decided as though it were free, and the store checks
/// that as it writes (`MobileBinding::Assumed`). Otherwise it is read first — a review
/// needs the flag for its officer, and a bound mobile must not cost a paid real-name query.
#[allow(clippy::too_many_arguments)] // the doors' parts, and how the binding is checked
pub(super) async fn prepare(
    app: &App,
    form: &JoinForm<'_>,
    channel: Channel,
    qr_org: Option<&Org>,
    source: Option<String>,
    proof: MobileProof,
    platform: Option<PlatformOrigin>,
    check: BindingCheck,
) -> Result<Prepared, JoinError> {
    let now = app.now();
    let request = parse(app, form).await?;

    let mobile_verified = match &proof {
        MobileProof::SmsCode(code) => match check_code(app, &request.mobile, SmsPurpose::Join, code).await? {
            SmsCheck::Verified => true,
            other => return Err(JoinError::Sms(other)),
        },
        MobileProof::Attested => true,
        MobileProof::None => false,
    };

    let orgs = city_orgs(app, &request).await?;
    let receiving = joining::receiving_org(qr_org, orgs.as_slice(), request.occupation, request.region)
        .cloned()
        .ok_or(JoinError::Unserved)?;
    // Only an enterprise union of the work region's county or city may be the employer's.
    let employer_union = match (&request.employer, request.region.ancestor_at(RegionLevel::City)) {
        (Some(employer), Some(city)) => {
            let code = employer.credit_code.as_ref().map(|c| c.as_str());
            let candidates = app.store().enterprise_unions(code, &employer.name, city).await?;
            joining::employer_union(&candidates, employer, request.region).cloned()
        }
        _ => None,
    };
    let landing =
        joining::landing(employer_union.as_ref(), orgs.as_slice(), request.occupation, request.region)
            .ok_or(JoinError::Unserved)?;
    let mut nonces = Nonces(app.random());
    let id_number = app.keys().seal(Field::IdNumber, request.id_number.as_str(), &mut nonces)?;
    let mobile = app.keys().seal(Field::Mobile, request.mobile.as_str(), &mut nonces)?;
    let policy = receiving.auto_approval;
    // Only a roster-only union asks: the others decide without it.
    let on_roster = policy == AutoApproval::RosterOnly
        && !crate::roster::on_roster(app, &id_number.blind_index, &receiving).await?.is_empty();
    // A proven mobile answers for the identity it was first used with, and no other.
    let assumed = mobile_verified
        && check == BindingCheck::StoreMayCheck
        && app.real_name().is_none()
        && verification::approved_with_a_free_mobile(policy, on_roster);
    let (mobile_bound_elsewhere, binding) = if assumed {
        (false, MobileBinding::Assumed)
    } else {
        let bound = mobile_verified
            && app.store().mobile_bound_elsewhere(&mobile.blind_index, &id_number.blind_index).await?;
        (bound, MobileBinding::Read)
    };
    let real_name =
        check_real_name(app, &request, policy, mobile_verified, mobile_bound_elsewhere, on_roster).await;
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
        sex: request.id_number.sex(),
        occupation: request.occupation,
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
    Ok(Prepared { application, now, receiving, landing, binding, city: orgs, employer_union })
}

/// Takes one join request through every rule.
///
/// # Errors
///
/// Invalid fields, an unverified mobile, an unserved region, or our side's failure.
pub async fn join(
    app: &App,
    form: &JoinForm<'_>,
    channel: Channel,
    qr_org: Option<&Org>,
    source: Option<String>,
    proof: MobileProof,
    platform: Option<PlatformOrigin>,
) -> Result<JoinOutcome, JoinError> {
    let prepared =
        prepare(app, form, channel, qr_org, source, proof, platform, BindingCheck::ReadFirst).await?;
    // A person holding a membership is told so only when they proved its mobile; anyone
    // else's application is stored for review, flagged, and answered like a newcomer's.
    let outcome = app.store().submit_application(&prepared.application, prepared.now).await?;
    if let SubmitOutcome::Approved { application_id, .. } = outcome {
        // The welcome was queued by the approval's transaction; it goes out now. The SMS
        // of on-approval benefit grants go from the notice job, woken for them.
        let about = NoticeAbout { application: Some(application_id), ..NoticeAbout::default() };
        crate::notices::deliver_about(app, about).await;
        app.notices_due().notify_one();
    }
    finish(app, prepared, outcome).await
}

/// The outcome as the doors see it, with what it names read where the store's answer
/// leaves it out.
pub(super) async fn finish(
    app: &App,
    prepared: Prepared,
    outcome: SubmitOutcome,
) -> Result<JoinOutcome, JoinError> {
    if let Some(known) = answer_now(app, &prepared, &outcome) {
        return Ok(known);
    }
    let application = &prepared.application;
    match outcome {
        SubmitOutcome::Approved { application_id, member_number, .. } => {
            // Only a landing union read meanwhile by nobody: never, but say so if it was.
            let landing_org = app.store().org(prepared.landing.org()).await?.ok_or(JoinError::Unserved)?;
            Ok(JoinOutcome::Approved {
                application_id: ApplicationId(application_id),
                card_token: card_token(app.keys(), member_number.as_str()),
                member_number,
                in_pool: matches!(prepared.landing, joining::Landing::Pool(_)),
                landing: landing_org,
                receiving: Box::new(prepared.receiving),
            })
        }
        SubmitOutcome::Pending { application_id, existing: false } => Ok(JoinOutcome::Pending {
            application_id: ApplicationId(application_id),
            receiving: prepared.receiving,
            deadline: application.review_deadline,
        }),
        SubmitOutcome::Pending { application_id, existing: true } => {
            // The submitter's own open application, as it stands: who reviews it and by
            // when were settled when it was made.
            let stored = app
                .store()
                .application(application_id)
                .await?
                .ok_or_else(|| JoinError::Internal(format!("application {application_id} vanished")))?;
            let receiving =
                app.store().org(OrgId(stored.receiving_org_id)).await?.ok_or_else(|| {
                    JoinError::Internal(format!("org {} vanished", stored.receiving_org_id))
                })?;
            let deadline = stored.review_deadline.map_or(application.review_deadline, Timestamp);
            Ok(JoinOutcome::Pending { application_id: ApplicationId(application_id), receiving, deadline })
        }
        SubmitOutcome::AlreadyMember => {
            let memberships = app.store().memberships_by_mobile(&application.mobile.blind_index).await?;
            let card_token = memberships
                .iter()
                .filter(|m| m.status.is_held())
                .find_map(|m| m.member_number.as_deref())
                .map(|n| card_token(app.keys(), n));
            Ok(JoinOutcome::AlreadyMember { card_token })
        }
    }
}

/// The outcome as the doors see it from what was read before the store (no waiting: it
/// runs inside a keyed join's transaction), `None` where it names something unread — the
/// submitter's earlier open application. A member's card is left out
/// (`card_token: None`): only the H5 pages show it, and they look it up in [`finish`].
pub(super) fn answer_now(app: &App, prepared: &Prepared, outcome: &SubmitOutcome) -> Option<JoinOutcome> {
    match outcome {
        SubmitOutcome::Approved { application_id, member_number, .. } => Some(JoinOutcome::Approved {
            application_id: ApplicationId(*application_id),
            card_token: card_token(app.keys(), member_number.as_str()),
            member_number: member_number.clone(),
            in_pool: matches!(prepared.landing, joining::Landing::Pool(_)),
            landing: prepared.landing_org()?.clone(),
            receiving: Box::new(prepared.receiving.clone()),
        }),
        SubmitOutcome::Pending { application_id, existing: false } => Some(JoinOutcome::Pending {
            application_id: ApplicationId(*application_id),
            receiving: prepared.receiving.clone(),
            deadline: prepared.application.review_deadline,
        }),
        SubmitOutcome::Pending { existing: true, .. } | SubmitOutcome::AlreadyMember => None,
    }
}

/// Asks the real-name provider, when one is configured and its answer can change the
/// decision. Whether it is asked never depends on the person behind the ID number, so
/// the time it takes tells a caller nothing about them.
async fn check_real_name(
    app: &App,
    request: &JoinRequest,
    policy: AutoApproval,
    mobile_verified: bool,
    mobile_bound_elsewhere: bool,
    on_roster: bool,
) -> RealNameCheck {
    let Some(provider) = app.real_name() else {
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
