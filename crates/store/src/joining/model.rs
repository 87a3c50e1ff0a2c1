//! What a submission is and what becomes of it: the application to store, its outcome,
//! a keyed request's parts and answer, and an application as read back.

use huiji_core::OrgId;
use huiji_core::joining::Landing;
use huiji_core::{
    ApplicationStatus, Channel, Decision, MemberNumber, Occupation, RealNameCheck, Sex, Timestamp,
};

use crate::platform::idempotency::{Idempotency, KeyedRequest};

#[cfg(doc)]
use super::JoinStore;

/// An encrypted personal value and its blind index, as the vault made them.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Ciphertext with its key id.
    pub ciphertext: Vec<u8>,
    /// Hex HMAC of the normalised value.
    pub blind_index: String,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealed(..)")
    }
}

/// A checked application, ready to store. The decision was made by the core's rules.
#[derive(Clone, Debug)]
pub struct NewApplication {
    /// The door it came through.
    pub channel: Channel,
    /// Join code or campaign.
    pub source: Option<String>,
    /// Who reviews.
    pub receiving_org: OrgId,
    /// Where the membership will live.
    pub landing: Option<Landing>,
    /// 姓名 (normalised).
    pub name: String,
    /// The ID number, sealed.
    pub id_number: Sealed,
    /// The mobile, sealed.
    pub mobile: Sealed,
    /// Derived from the ID number.
    pub sex: Sex,
    /// What the applicant does.
    pub occupation: Occupation,
    /// County-level work region.
    pub region_code: String,
    /// Employer name, if given.
    pub employer_name: Option<String>,
    /// Employer credit code, if given.
    pub employer_credit_code: Option<String>,
    /// Consent version accepted.
    pub consent_version: String,
    /// SMS-verified or platform-attested.
    pub mobile_verified: bool,
    /// The proven mobile is on record with another ID number (see
    /// [`JoinStore::mobile_bound_elsewhere`]).
    pub mobile_bound_elsewhere: bool,
    /// What the real-name check said, if one was made.
    pub real_name: RealNameCheck,
    /// Approve now, or queue for review; a person holding a membership is always
    /// reviewed (unless told they are a member, see [`SubmitOutcome::AlreadyMember`]).
    pub decision: Decision,
    /// When a review must be done by.
    pub review_deadline: Timestamp,
    /// When the applicant accepted the consent text (a platform reports its own time).
    pub consent_at: Timestamp,
    /// The platform that submitted it through the API.
    pub platform_id: Option<i64>,
    /// The platform's own reference for it.
    pub external_ref: Option<String>,
}

/// What became of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A member now.
    Approved {
        /// The application.
        application_id: i64,
        /// The new membership.
        membership_id: i64,
        /// Its number.
        member_number: MemberNumber,
    },
    /// Waiting for review; `existing` when the same submitter's open application was
    /// found instead (the same platform, or on the H5 form the same proven mobile).
    Pending {
        /// The (possibly earlier) application.
        application_id: i64,
        /// Whether it was an earlier application.
        existing: bool,
    },
    /// The person holds a membership and proved its mobile; nothing was stored.
    AlreadyMember,
}

/// Renders the answer a keyed request stores for an outcome, inside the submission's
/// transaction (so it must not wait on anything): `(status, body)`. `None` only for an
/// outcome that wrote nothing (its answer is then stored after, see
/// [`KeyedSubmit::Submitted`]).
pub type RenderAnswer<'a> = dyn Fn(&SubmitOutcome) -> Option<(u16, String)> + Send + Sync + 'a;

/// A renderer the group-commit writer can keep until its batch runs (see
/// [`JoinStore::submit_keyed_batched`]): it borrows nothing of the request.
pub type SharedRenderAnswer = std::sync::Arc<RenderAnswer<'static>>;

/// A [`KeyedRequest`] owning its parts, for a job that outlives the caller's borrows.
#[derive(Clone, Debug)]
pub struct OwnedKeyedRequest {
    /// The platform whose key it is.
    pub platform_id: i64,
    /// The key as sent.
    pub key: String,
    /// The hash of the canonical request body.
    pub request_hash: String,
    /// When the request came.
    pub now: Timestamp,
    /// Until when the answer is replayed.
    pub expires_at: Timestamp,
}

impl OwnedKeyedRequest {
    /// Owns a request's parts.
    pub fn of(request: &KeyedRequest<'_>) -> OwnedKeyedRequest {
        OwnedKeyedRequest {
            platform_id: request.platform_id,
            key: request.key.to_owned(),
            request_hash: request.request_hash.to_owned(),
            now: request.now,
            expires_at: request.expires_at,
        }
    }

    /// The request, borrowed again.
    pub fn borrowed(&self) -> KeyedRequest<'_> {
        KeyedRequest {
            platform_id: self.platform_id,
            key: &self.key,
            request_hash: &self.request_hash,
            now: self.now,
            expires_at: self.expires_at,
        }
    }
}

/// What became of a submission carrying an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyedSubmit {
    /// Submitted; `answer` was stored under the key in the submission's own commit.
    /// `None` only for an outcome that wrote nothing, whose renderer could not answer
    /// in the transaction: the caller stores its answer with
    /// [`crate::PlatformStore::answer_idempotently`].
    Submitted {
        /// What became of it.
        outcome: SubmitOutcome,
        /// The stored answer.
        answer: Option<(u16, String)>,
    },
    /// The key was used before; nothing of this attempt was kept.
    Earlier(Idempotency),
    /// Nothing was written: the application was decided as though its proven mobile were
    /// free ([`MobileBinding::Assumed`]), and the mobile is bound to another identity. The
    /// caller reads that binding and decides again.
    MobileBoundElsewhere,
}

/// How the `mobile_bound_elsewhere` an application was decided on came to be known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MobileBinding {
    /// Read before the decision ([`JoinStore::mobile_bound_elsewhere`]).
    Read,
    /// Not read: the application was decided as though its proven mobile were free.
    /// [`JoinStore::submit_keyed_batched`] checks that as it writes and, when the mobile
    /// is bound elsewhere after all, writes nothing and answers
    /// [`KeyedSubmit::MobileBoundElsewhere`].
    Assumed,
}

/// An application as stored (without personal identifiers).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRecord {
    /// Id.
    pub id: i64,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: ApplicationStatus,
    /// Door.
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    /// Reviewer.
    pub receiving_org_id: i64,
    /// Landing union.
    pub landing_org_id: Option<i64>,
    /// Whether it lands in a turnover pool.
    pub landing_in_pool: bool,
    /// 姓名
    pub name: String,
    /// Occupation.
    #[sqlx(try_from = "String")]
    pub occupation: Occupation,
    /// Region code.
    pub region_code: String,
    /// Review deadline (ms).
    pub review_deadline: Option<i64>,
    /// Decision time (ms).
    pub decided_at: Option<i64>,
    /// Rejection reason.
    pub decision_reason: Option<String>,
    /// The membership it made.
    pub membership_id: Option<i64>,
    /// Consent version accepted.
    pub consent_version: String,
    /// Submitted.
    pub created_at: i64,
    /// A platform's own reference for it.
    pub external_ref: Option<String>,
}
