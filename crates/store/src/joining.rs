//! Applications in the database: submission, instant approval, reading them back.

use async_trait::async_trait;
use huiji_core::verification::tells_membership;
use huiji_core::{Decision, MemberNumber, Timestamp};

use crate::batch::{Opening, open};
use crate::db::{SqlStore, on_pool};
use crate::members::INSERT_EVENT;
use crate::platform::idempotency::KeyedRequest;
use crate::tx::{Tx, on_tx};
use crate::webhooks::DECIDED_EVENT;
use crate::{Conflict, Result, StoreError};

mod attempt;
mod batched;
mod flows;
mod instant;
#[cfg(feature = "testing")]
mod join_rows;
mod model;
mod postgres;
mod sqlite;
mod tail;

#[cfg(feature = "testing")]
pub(crate) use join_rows::JOIN_ROW_TRIGGERS;
#[cfg(feature = "testing")]
pub(crate) use tail::JOIN_TAIL_TRIGGER;

pub use model::{
    ApplicationRecord, KeyedSubmit, MobileBinding, NewApplication, OwnedKeyedRequest, RenderAnswer, Sealed,
    SharedRenderAnswer, SubmitOutcome,
};

pub(crate) use batched::JoinBatches;
pub(crate) use postgres::IdsAhead;
pub(crate) use sqlite::SqliteJoins;

use attempt::{keeps, keyed_in, submit_retried};

/// Applications as they come in.
#[async_trait]
pub trait JoinStore: Send + Sync {
    /// Stores an application and, when approved, its membership, in one transaction.
    /// A person who holds a membership and proved its mobile gets
    /// [`SubmitOutcome::AlreadyMember`] and nothing is stored; anyone else typing their ID
    /// gets a review, flagged `holds_membership`. A person with an open application from
    /// the same submitter (platform, or on the H5 form the same mobile) gets that one back;
    /// another submitter's is never looked at. The database's unique indexes make this
    /// hold under concurrent submissions too.
    async fn submit_application(&self, application: &NewApplication, at: Timestamp) -> Result<SubmitOutcome>;

    /// [`JoinStore::submit_application`] for a platform request with an
    /// `Idempotency-Key`: the key, the request's hash and the answer `render` makes of
    /// the outcome are stored in the same transaction as the application, so a committed
    /// join always has its answer to replay and an uncommitted one leaves no key. A key
    /// used before answers [`KeyedSubmit::Earlier`] and keeps nothing of this attempt.
    async fn submit_keyed(
        &self,
        application: &NewApplication,
        at: Timestamp,
        request: &KeyedRequest<'_>,
        render: &RenderAnswer<'_>,
    ) -> Result<KeyedSubmit>;

    /// [`JoinStore::submit_keyed`] through the group-commit writer (when it is on): the
    /// join, its key and its answer in one savepoint of a batch's transaction, answered
    /// after that transaction commits, with the same promises — one commit holds the join
    /// and its answer, a key used before keeps nothing of this attempt (its savepoint is
    /// rolled back), and a conflict retries once in a later batch. Takes owned parts: the
    /// batch runs in the writer's task. Without the writer, one transaction of its own.
    async fn submit_keyed_batched(
        &self,
        application: NewApplication,
        at: Timestamp,
        request: OwnedKeyedRequest,
        render: SharedRenderAnswer,
        binding: MobileBinding,
    ) -> Result<KeyedSubmit>;

    /// Whether [`JoinStore::submit_keyed_batched`] checks an assumed mobile binding
    /// ([`MobileBinding::Assumed`]) in the statement that writes the join, so that a read
    /// before it would only ask twice: SQLite with the group-commit writer, whose joins
    /// written together check it row by row. Elsewhere the check is a read of its own
    /// either way, and the caller reads first.
    fn checks_mobile_binding_as_it_writes(&self) -> bool;

    /// Whether a mobile is bound to an identity other than this ID number: on record with
    /// another ID in a verified application or a membership. A mobile answers for the
    /// identity it was first joined or applied with, so a different ID with it is reviewed.
    async fn mobile_bound_elsewhere(&self, mobile_bidx: &str, id_number_bidx: &str) -> Result<bool>;

    /// One application.
    async fn application(&self, id: i64) -> Result<Option<ApplicationRecord>>;

    /// The latest applications made with a mobile (by its blind index).
    async fn applications_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<ApplicationRecord>>;
}

macro_rules! application_columns {
    () => {
        "id, status, channel, receiving_org_id, landing_org_id, landing_in_pool, name, occupation, \
         region_code, review_deadline, decided_at, decision_reason, membership_id, consent_version, created_at, \
         external_ref"
    };
}

pub(crate) use application_columns;

/// What the person already has (see `instant::already_there`), for a submission not
/// approved at once (an instant one probes in its insert, `instant::probe_and_insert`).
const ALREADY_THERE: &str = instant::already_there!("$1", "$2", "$3");

/// A verified application or a membership with the mobile `$mobile` and an ID number
/// other than `$id`. Purged rows have empty blind indexes and bind nothing. A macro: SQLite's
/// joins written together (`sqlite::leave_out_unless_new`) check it with the row's values.
macro_rules! mobile_bound_elsewhere {
    ($mobile:literal, $id:literal) => {
        concat!(
            "SELECT 1 FROM applications WHERE mobile_bidx = ",
            $mobile,
            " AND id_number_bidx <> ",
            $id,
            " AND mobile_verified UNION ALL SELECT 1 FROM memberships WHERE mobile_bidx = ",
            $mobile,
            " AND id_number_bidx <> ",
            $id
        )
    };
}
#[cfg(feature = "testing")]
pub(crate) use mobile_bound_elsewhere;

/// [`mobile_bound_elsewhere!`] for the store's read.
const MOBILE_BOUND_ELSEWHERE: &str = concat!(mobile_bound_elsewhere!("$1", "$2"), " LIMIT 1");

/// Always inserted pending; approval is one path for instant and reviewed decisions.
/// The receiving org reviews first (`reviewer_*`); escalation moves the review upwards.
const INSERT_APPLICATION: &str = concat!(instant::insert_application!(), " RETURNING id");

/// The membership an application makes, at its landing org. The home path is copied from
/// the org so subtree member queries need no join.
const MEMBERSHIP_FROM_APPLICATION: &str = "INSERT INTO memberships (status, home_org_id, home_path, in_pool, \
    name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, \
    joined_at) \
    SELECT 'active', o.id, o.path, a.landing_in_pool, a.name, a.id_number_ct, a.id_number_bidx, a.mobile_ct, \
    a.mobile_bidx, a.sex, a.occupation, a.region_code, a.id, $2 \
    FROM applications a JOIN orgs o ON o.id = a.landing_org_id WHERE a.id = $1 AND a.status = 'pending_review' \
    RETURNING id, region_code, home_org_id";

const SET_MEMBER_NUMBER: &str = "UPDATE memberships SET member_number = $2 WHERE id = $1";

/// Only a still-pending application is approved: a rejection committed meanwhile wins,
/// and the caller then rolls the new membership back.
const APPROVE_APPLICATION: &str = "UPDATE applications SET status = 'approved', membership_id = $2, \
    decided_at = $3, decided_by = $4, review_deadline = NULL WHERE id = $1 AND status = 'pending_review'";

const SELECT_APPLICATION: &str =
    concat!("SELECT ", application_columns!(), " FROM applications WHERE id = $1");

const APPLICATIONS_BY_MOBILE: &str = concat!(
    "SELECT ",
    application_columns!(),
    " FROM applications WHERE mobile_bidx = $1 ORDER BY id DESC LIMIT 20"
);

/// The submission, inside the caller's transaction (see `submit_application`), which is
/// first opened with `opening` when it is a group-commit batch's savepoint. Only a new
/// application, pending or approved, writes anything. With `keyed`, an instant approval
/// stores its answer under the key in its last call and returns it; otherwise (`None`) the
/// caller stores the answer (or finds the key's earlier use).
pub(crate) async fn submit_in(
    tx: &mut Tx,
    app: &NewApplication,
    at: Timestamp,
    keyed: Option<(&KeyedRequest<'_>, &RenderAnswer<'_>)>,
    opening: &mut Option<Opening>,
) -> Result<(SubmitOutcome, Option<(u16, String)>)> {
    let instant_landing = match (app.decision, app.landing) {
        (Decision::Approve, Some(landing)) => Some(landing.org().0),
        _ => None,
    };
    let found = match instant_landing {
        // The common case, a new person approved at once: probed and inserted in one call.
        Some(landing) => match instant::probe_and_insert(tx, app, at, opening).await? {
            instant::Probed::Inserted(made) => {
                return approve_instantly(tx, app, at, landing, made, keyed).await;
            }
            instant::Probed::Found(found) => found,
        },
        None => {
            open(tx, opening).await?;
            on_tx!(tx, |c| sqlx::query_as(ALREADY_THERE)
                .bind(&app.id_number.blind_index)
                .bind(app.platform_id.unwrap_or(0))
                .bind(&app.mobile.blind_index)
                .fetch_all(c)
                .await?)
        }
    };
    let held = found.iter().find(|(kind, ..)| *kind == 0).map(|(_, mobile, _)| mobile);
    // Anyone but the proven owner of the membership's mobile is queued for an officer,
    // flagged, in this same transaction: the answer neither says nor takes longer.
    let holds_membership = match held {
        Some(mobile) if tells_membership(app.mobile_verified, *mobile == app.mobile.blind_index) => {
            return Ok((SubmitOutcome::AlreadyMember, None));
        }
        held => held.is_some(),
    };
    if let Some((_, _, application_id)) = found.iter().find(|(kind, ..)| *kind == 1) {
        return Ok((SubmitOutcome::Pending { application_id: *application_id, existing: true }, None));
    }
    // A review: the decision says so, or an instant approval found a membership it must
    // not tell of (flagged `holds_membership`).
    let application_id: i64 = on_tx!(tx, |c| instant::bind_application!(
        sqlx::query_scalar(INSERT_APPLICATION),
        app,
        at,
        holds_membership
    )
    .fetch_one(c)
    .await?);
    crate::stats::received_in(tx, application_id, at).await?;
    crate::roster::refresh_in(tx, application_id).await?;
    Ok((SubmitOutcome::Pending { application_id, existing: false }, None))
}

/// A new application approved at once, whose application and membership
/// `instant::probe_and_insert` made: the rest of the join with its key's answer in one
/// more call (see `tail`).
async fn approve_instantly(
    tx: &mut Tx,
    app: &NewApplication,
    at: Timestamp,
    landing_org: i64,
    (application_id, membership_id): (i64, i64),
    keyed: Option<(&KeyedRequest<'_>, &RenderAnswer<'_>)>,
) -> Result<(SubmitOutcome, Option<(u16, String)>)> {
    let member_number = member_number(membership_id, &app.region_code, at)?;
    let outcome =
        SubmitOutcome::Approved { application_id, membership_id, member_number: member_number.clone() };
    let answer = keyed.and_then(|(request, render)| Some((request, render(&outcome)?)));
    let key =
        answer.as_ref().map(|(request, (status, body))| tail::KeyAnswer { request, status: *status, body });
    let stored =
        tail::approve(tx, (application_id, membership_id), &member_number, landing_org, at, key.as_ref())
            .await?;
    Ok((outcome, answer.filter(|_| stored).map(|(_, answer)| answer)))
}

/// The number of membership `membership_id`, made at `at` in the province of `region_code`.
fn member_number(membership_id: i64, region_code: &str, at: Timestamp) -> Result<MemberNumber> {
    let serial = u64::try_from(membership_id).map_err(|_| StoreError::Corrupt("membership id".to_owned()))?;
    let province = region_code.get(..2).unwrap_or("00");
    MemberNumber::new(province, at.china_date().year(), serial)
        .map_err(|_| StoreError::Corrupt("member number out of range".to_owned()))
}

/// Who decides an instant approval.
const INSTANT: &str = "instant";

/// Approves a pending application inside the caller's transaction (an officer's decision;
/// an instant approval is `approve_instantly`): the membership at its landing org, its
/// number, the application's decision, the `joined` event and the webhook event. `None`
/// when the application is no longer pending (or has no landing org): the caller then
/// rolls back what was written.
pub(crate) async fn approve_in(
    tx: &mut Tx,
    application_id: i64,
    at: Timestamp,
    actor: &str,
) -> Result<Option<(i64, MemberNumber)>> {
    let created: Option<(i64, String, i64)> = on_tx!(tx, |c| sqlx::query_as(MEMBERSHIP_FROM_APPLICATION)
        .bind(application_id)
        .bind(at.millis())
        .fetch_optional(c)
        .await?);
    let Some((membership_id, region_code, landing_org_id)) = created else { return Ok(None) };
    let member_number = member_number(membership_id, &region_code, at)?;
    on_tx!(tx, |c| {
        sqlx::query(SET_MEMBER_NUMBER).bind(membership_id).bind(member_number.as_str()).execute(c).await?;
    });
    let decided = on_tx!(tx, |c| sqlx::query(APPROVE_APPLICATION)
        .bind(application_id)
        .bind(membership_id)
        .bind(at.millis())
        .bind(actor)
        .execute(c)
        .await?
        .rows_affected());
    if decided != 1 {
        return Ok(None);
    }
    on_tx!(tx, |c| {
        sqlx::query(INSERT_EVENT)
            .bind(membership_id)
            .bind("joined")
            .bind(None::<i64>)
            .bind(landing_org_id)
            .bind(actor)
            .bind(format!("application {application_id}"))
            .bind(at.millis())
            .execute(c)
            .await?;
    });
    on_tx!(tx, |c| {
        sqlx::query(DECIDED_EVENT).bind(application_id).bind(at.millis()).execute(c).await?;
    });
    crate::benefits::grant_on_approval_in(tx, membership_id, actor, at).await?;
    crate::stats::joined_in(tx, membership_id, at).await?;
    crate::roster::refresh_in(tx, application_id).await?;
    crate::notices::welcome_in(tx, application_id, membership_id, landing_org_id, at).await?;
    Ok(Some((membership_id, member_number)))
}

#[async_trait]
impl JoinStore for SqlStore {
    async fn submit_application(&self, app: &NewApplication, at: Timestamp) -> Result<SubmitOutcome> {
        match submit_retried(self, app, at, None).await? {
            KeyedSubmit::Submitted { outcome, .. } => Ok(outcome),
            KeyedSubmit::Earlier(_) | KeyedSubmit::MobileBoundElsewhere => {
                Err(StoreError::Corrupt("an unkeyed submission met a key or an assumed binding".to_owned()))
            }
        }
    }

    async fn submit_keyed(
        &self,
        app: &NewApplication,
        at: Timestamp,
        request: &KeyedRequest<'_>,
        render: &RenderAnswer<'_>,
    ) -> Result<KeyedSubmit> {
        submit_retried(self, app, at, Some((request, render))).await
    }

    async fn submit_keyed_batched(
        &self,
        app: NewApplication,
        at: Timestamp,
        request: OwnedKeyedRequest,
        render: SharedRenderAnswer,
        binding: MobileBinding,
    ) -> Result<KeyedSubmit> {
        let app = std::sync::Arc::new(app);
        let request = std::sync::Arc::new(request);
        let attempt = || {
            let (app, request, render) = (app.clone(), request.clone(), render.clone());
            async move {
                // SQLite with the writer: with the joins waiting beside it, in one statement,
                // which leaves out a row whose proven mobile is bound elsewhere.
                if let Some(done) = sqlite::join(self, &app, at, &request, &render).await? {
                    return Ok(done);
                }
                // Anywhere else (or left out), an assumed binding is read before writing.
                if binding == MobileBinding::Assumed
                    && app.mobile_verified
                    && self
                        .mobile_bound_elsewhere(&app.mobile.blind_index, &app.id_number.blind_index)
                        .await?
                {
                    return Ok(KeyedSubmit::MobileBoundElsewhere);
                }
                // PostgreSQL without the writer: one statement, when the join can be one.
                if let Some(done) = postgres::join(self, &app, at, &request.borrowed(), &*render).await? {
                    return Ok(done);
                }
                self.write_opening(
                    move |tx, opening| {
                        Box::pin(async move {
                            keyed_in(tx, &app, at, &request.borrowed(), &*render, opening).await
                        })
                    },
                    keeps,
                )
                .await
            }
        };
        match attempt().await {
            Err(StoreError::Conflict(
                Conflict::AlreadyMember | Conflict::PendingForPlatform | Conflict::PendingForMobile,
            )) => attempt().await,
            other => other,
        }
    }

    fn checks_mobile_binding_as_it_writes(&self) -> bool {
        sqlite::writes_joins_together(self)
    }

    async fn mobile_bound_elsewhere(&self, mobile_bidx: &str, id_number_bidx: &str) -> Result<bool> {
        let found: Option<i32> = on_pool!(&self.pools, read, |p| sqlx::query_scalar(MOBILE_BOUND_ELSEWHERE)
            .bind(mobile_bidx)
            .bind(id_number_bidx)
            .fetch_optional(p)
            .await?);
        Ok(found.is_some())
    }

    async fn application(&self, id: i64) -> Result<Option<ApplicationRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_APPLICATION)
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    async fn applications_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<ApplicationRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(APPLICATIONS_BY_MOBILE)
            .bind(mobile_bidx)
            .fetch_all(p)
            .await?))
    }
}
