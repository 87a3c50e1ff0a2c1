//! The review queue: pending applications by reviewing org, decisions, escalation.

use async_trait::async_trait;
use huiji_core::{MemberNumber, OrgPath, Timestamp, review};

use crate::db::{SqlStore, on_pool};
use crate::joining::approve_in;
use crate::tx::on_tx;
use crate::webhooks::DECIDED_EVENT;
use crate::{ApplicationRecord, Conflict, Result, StoreError};

/// A pending application in a queue, with where its review stands.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueItem {
    /// The application.
    #[sqlx(flatten)]
    pub application: ApplicationRecord,
    /// Who reviews it now.
    pub reviewer_org_id: Option<i64>,
    /// When it was escalated, if it was.
    pub escalated_at: Option<i64>,
    /// The applicant holds a membership under another mobile.
    pub holds_membership: bool,
    /// The proven mobile is on record with another ID number.
    pub mobile_bound_elsewhere: bool,
    /// What the real-name check said, if one was made.
    #[sqlx(try_from = "Option<String>")]
    pub real_name_check: huiji_core::RealNameCheck,
}

impl QueueItem {
    /// What the real-name check said.
    pub fn real_name(&self) -> huiji_core::RealNameCheck {
        self.real_name_check
    }

    /// Whether an officer must look at this one alone (no batch approval): the person
    /// holds a membership, the mobile is another identity's, or the real-name check failed.
    pub fn flagged(&self) -> bool {
        self.holds_membership || self.mobile_bound_elsewhere || self.real_name().is_concern()
    }
}

/// An application with everything an officer's detail page shows (identifiers sealed).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationDetail {
    /// Queue fields.
    #[sqlx(flatten)]
    pub item: QueueItem,
    /// The reviewing org's path (for scope checks).
    pub reviewer_path: String,
    /// The ID number's ciphertext.
    pub id_number_ct: Vec<u8>,
    /// Its blind index (duplicates are found by it).
    pub id_number_bidx: String,
    /// The mobile's ciphertext.
    pub mobile_ct: Vec<u8>,
    /// Sex, from the ID number.
    #[sqlx(try_from = "String")]
    pub sex: huiji_core::Sex,
    /// Join code or campaign.
    pub source: Option<String>,
    /// SMS-verified or attested.
    pub mobile_verified: bool,
    /// Employer as given.
    pub employer_name: Option<String>,
    /// Employer credit code as given.
    pub employer_credit_code: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
}

impl std::fmt::Debug for ApplicationDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationDetail").field("item", &self.item).finish_non_exhaustive()
    }
}

/// What an officer's decision did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// A member now.
    Approved {
        /// The new number.
        member_number: MemberNumber,
    },
    /// Refused.
    Rejected,
    /// Someone decided it already.
    NotPending,
    /// The applicant holds a membership meanwhile: approve would make a second one.
    AlreadyMember,
}

macro_rules! queue_columns {
    () => {
        "a.id, a.status, a.channel, a.receiving_org_id, a.landing_org_id, a.landing_in_pool, a.name, \
         a.occupation, a.region_code, a.review_deadline, a.decided_at, a.decision_reason, a.membership_id, \
         a.consent_version, a.created_at, a.external_ref, a.reviewer_org_id, a.escalated_at, a.holds_membership, \
         a.mobile_bound_elsewhere, a.real_name_check"
    };
}

/// Oldest first: whoever waited longest is served first; keyset on (created_at, id).
const QUEUE: &str = concat!(
    "SELECT ",
    queue_columns!(),
    " FROM applications a WHERE a.status = 'pending_review' AND a.reviewer_path >= $1 AND a.reviewer_path < $2 \
     AND (a.created_at > $3 OR (a.created_at = $3 AND a.id > $4)) ORDER BY a.created_at, a.id LIMIT $5"
);
const COUNT_PENDING: &str = "SELECT COUNT(*) FROM applications \
    WHERE status = 'pending_review' AND reviewer_path >= $1 AND reviewer_path < $2";
const DETAIL: &str = concat!(
    "SELECT ",
    queue_columns!(),
    ", a.reviewer_path, a.id_number_ct, a.id_number_bidx, a.mobile_ct, a.sex, a.source, a.mobile_verified, \
     a.employer_name, a.employer_credit_code, a.decided_by FROM applications a WHERE a.id = $1"
);
const REJECT: &str = "UPDATE applications SET status = 'rejected', decided_at = $2, decided_by = $3, \
    decision_reason = $4, review_deadline = NULL WHERE id = $1 AND status = 'pending_review'";
const SAME_PERSON: &str = concat!(
    "SELECT ",
    queue_columns!(),
    " FROM applications a WHERE a.id_number_bidx = $1 AND a.id <> $2 \
     AND a.reviewer_path >= $3 AND a.reviewer_path < $4 ORDER BY a.id DESC LIMIT 20"
);
/// Overdue reviews whose reviewing org has a parent: where each would move, and the
/// parent's review days (the fresh deadline is `huiji_core::review::deadline`'s, not SQL's).
const OVERDUE: &str = "SELECT a.id, a.reviewer_org_id, p.id, p.path, p.review_days FROM applications a \
    JOIN orgs o ON o.id = a.reviewer_org_id JOIN orgs p ON p.id = o.parent_id \
    WHERE a.status = 'pending_review' AND a.review_deadline < $1 ORDER BY a.id";
/// Moves one review up, only if nobody decided or moved it since it was read.
const ESCALATE: &str = "UPDATE applications SET reviewer_org_id = $3, reviewer_path = $4, review_deadline = $5, \
    escalated_at = $6 WHERE id = $1 AND reviewer_org_id = $2 AND status = 'pending_review'";

/// Pending applications and their decisions.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Pending applications whose reviewer lies within `within`, oldest first, after the
    /// keyset `(created_at, id)`.
    async fn review_queue(&self, within: &OrgPath, after: (i64, i64), limit: u32) -> Result<Vec<QueueItem>>;
    /// How many are pending within a subtree.
    async fn count_pending(&self, within: &OrgPath) -> Result<u64>;
    /// One application with its sealed identifiers.
    async fn application_detail(&self, id: i64) -> Result<Option<ApplicationDetail>>;
    /// Other applications of the same person (by the ID's blind index) that an officer of
    /// `within` may see: those reviewed within the subtree, as the queue shows them.
    async fn applications_of_person(
        &self,
        id_number_bidx: &str,
        except: i64,
        within: &OrgPath,
    ) -> Result<Vec<QueueItem>>;
    /// Approves: the membership at the landing org, in one transaction.
    async fn approve_application(&self, id: i64, actor: &str, at: Timestamp) -> Result<ReviewOutcome>;
    /// Rejects with a reason.
    async fn reject_application(
        &self,
        id: i64,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<ReviewOutcome>;
    /// Moves every overdue review to the parent org; returns how many moved.
    async fn escalate_overdue(&self, now: Timestamp) -> Result<u64>;
}

#[async_trait]
impl ReviewStore for SqlStore {
    async fn review_queue(&self, within: &OrgPath, after: (i64, i64), limit: u32) -> Result<Vec<QueueItem>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(QUEUE)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(after.0)
            .bind(after.1)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    async fn count_pending(&self, within: &OrgPath) -> Result<u64> {
        let count: i64 = on_pool!(&self.pools, read, |p| sqlx::query_scalar(COUNT_PENDING)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_one(p)
            .await?);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn application_detail(&self, id: i64) -> Result<Option<ApplicationDetail>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(DETAIL).bind(id).fetch_optional(p).await?))
    }

    async fn applications_of_person(
        &self,
        id_number_bidx: &str,
        except: i64,
        within: &OrgPath,
    ) -> Result<Vec<QueueItem>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SAME_PERSON)
            .bind(id_number_bidx)
            .bind(except)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_all(p)
            .await?))
    }

    async fn approve_application(&self, id: i64, actor: &str, at: Timestamp) -> Result<ReviewOutcome> {
        let approved: Result<Option<(i64, MemberNumber)>> = async {
            let mut tx = self.begin_write().await?;
            let made = approve_in(&mut tx, id, at, actor).await?;
            // Nothing made (decided meanwhile): dropping the transaction undoes it all.
            if made.is_some() {
                tx.commit().await?;
            }
            Ok(made)
        }
        .await;
        match approved {
            Ok(Some((_, member_number))) => Ok(ReviewOutcome::Approved { member_number }),
            Ok(None) => Ok(ReviewOutcome::NotPending),
            Err(StoreError::Conflict(Conflict::AlreadyMember)) => Ok(ReviewOutcome::AlreadyMember),
            Err(other) => Err(other),
        }
    }

    async fn reject_application(
        &self,
        id: i64,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<ReviewOutcome> {
        let mut tx = self.begin_write().await?;
        let changed = on_tx!(&mut tx, |c| sqlx::query(REJECT)
            .bind(id)
            .bind(at.millis())
            .bind(actor)
            .bind(reason)
            .execute(c)
            .await?
            .rows_affected());
        on_tx!(&mut tx, |c| {
            sqlx::query(DECIDED_EVENT).bind(id).bind(at.millis()).execute(c).await?;
        });
        crate::roster::refresh_in(&mut tx, id).await?;
        if changed == 1 {
            crate::stats::decided_in(&mut tx, id, at).await?;
            crate::notices::rejected_in(&mut tx, id, at).await?;
            tx.commit().await?;
        }
        Ok(if changed == 1 { ReviewOutcome::Rejected } else { ReviewOutcome::NotPending })
    }

    async fn escalate_overdue(&self, now: Timestamp) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let overdue: Vec<(i64, i64, i64, String, i32)> =
            on_tx!(&mut tx, |c| sqlx::query_as(OVERDUE).bind(now.millis()).fetch_all(c).await?);
        let mut moved = 0;
        for (id, reviewer, parent, parent_path, parent_days) in overdue {
            let days =
                u16::try_from(parent_days).map_err(|_| StoreError::Corrupt("review days".to_owned()))?;
            let deadline = review::deadline(now, days);
            let escalated = on_tx!(&mut tx, |c| sqlx::query(ESCALATE)
                .bind(id)
                .bind(reviewer)
                .bind(parent)
                .bind(&parent_path)
                .bind(deadline.millis())
                .bind(now.millis())
                .execute(c)
                .await?
                .rows_affected());
            if escalated == 1 {
                crate::stats::escalated_in(&mut tx, id).await?;
                crate::notices::escalated_in(&mut tx, id, parent, now).await?;
            }
            moved += escalated;
        }
        tx.commit().await?;
        Ok(moved)
    }
}
