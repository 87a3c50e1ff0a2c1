//! Transfers (接转) in the database: a member's request, a receiving union's request that
//! waits for the outgoing side's consent, answers, withdrawals. The rules of who may do
//! what are `huiji_core::transfer`'s; the statements here make each step happen once,
//! whatever runs concurrently.

use async_trait::async_trait;
use huiji_core::{OrgId, OrgPath, Side, Timestamp, TransferStatus};

use crate::db::{SqlStore, on_pool};
use crate::members::{INSERT_EVENT, MOVE, held_statuses};
use crate::tx::on_tx;
use crate::webhooks::TRANSFERRED_EVENT;
use crate::{Result, StoreError};

/// A transfer (接转) between unions.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TransferRecord {
    /// Id.
    pub id: i64,
    /// The membership moving; `None` for a receiving union's request that matched no
    /// held membership (it waits like any other and can only be withdrawn).
    pub membership_id: Option<i64>,
    /// The member's name (with the membership).
    pub member_name: Option<String>,
    /// The member's number (with the membership).
    pub member_number: Option<String>,
    /// The member's sealed ID number (with the membership), for its masked form.
    pub member_id_number_ct: Option<Vec<u8>>,
    /// Outgoing union (with the membership).
    pub from_org_id: Option<i64>,
    /// Its path.
    pub from_path: Option<String>,
    /// Receiving union.
    pub to_org_id: i64,
    /// Its path.
    pub to_path: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: TransferStatus,
    /// `member` or `user:NAME`.
    pub requested_by: String,
    /// Why.
    pub reason: Option<String>,
    /// Who gave the outgoing side's consent: the member who asked, or whoever agreed to a
    /// receiving union's request. `None` while it has not been given.
    pub released_by: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Requested.
    pub created_at: i64,
    /// Decided (ms).
    pub decided_at: Option<i64>,
    /// What the asking officer typed to name the member: a member number or a masked ID
    /// number (receiving unions' requests only).
    pub typed_member: Option<String>,
    /// The name the asking officer typed, masked.
    pub typed_name: Option<String>,
}

/// A receiving union's request for a member, as its officer typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferAsk<'a> {
    /// The held membership the typed number and name match, if any. The request is
    /// stored either way, so that the asking side cannot tell.
    pub membership_id: Option<i64>,
    /// The receiving union.
    pub to: OrgId,
    /// `user:NAME`.
    pub requested_by: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The member number or masked ID number typed.
    pub typed_member: &'a str,
    /// The name typed, masked.
    pub typed_name: &'a str,
}

/// A member's request carries their consent (`released_by`).
/// The actor a member's own steps are recorded as (`app::status::transfer`): a member who
/// answered is not texted about their own answer.
const MEMBER: &str = "member";

const INSERT_REQUEST: &str = concat!(
    "INSERT INTO transfers (membership_id, from_org_id, from_path, to_org_id, to_path, \
     status, requested_by, released_by, reason, created_at) \
     SELECT m.id, m.home_org_id, m.home_path, o.id, o.path, 'requested', $3, $3, $4, $5 \
     FROM memberships m, orgs o WHERE m.id = $1 AND o.id = $2 AND m.status IN ",
    held_statuses!(),
    " AND m.home_org_id <> o.id RETURNING id"
);
/// A receiving union's request names the membership only if it is held elsewhere; it is
/// stored, waiting, either way.
const INSERT_ASK: &str = concat!(
    "INSERT INTO transfers (membership_id, from_org_id, from_path, to_org_id, to_path, \
     status, requested_by, reason, typed_member, typed_name, created_at) \
     SELECT m.id, m.home_org_id, m.home_path, o.id, o.path, 'awaiting_consent', $3, $4, $5, $6, $7 \
     FROM orgs o LEFT JOIN memberships m ON m.id = $1 AND m.status IN ",
    held_statuses!(),
    " AND m.home_org_id <> o.id WHERE o.id = $2 RETURNING id"
);
macro_rules! transfer_columns {
    () => {
        "SELECT t.id, t.membership_id, m.name AS member_name, m.member_number AS member_number, \
         m.id_number_ct AS member_id_number_ct, t.from_org_id, t.from_path, t.to_org_id, \
         t.to_path, t.status, t.requested_by, t.reason, t.released_by, t.decided_by, t.created_at, \
         t.decided_at, t.typed_member, t.typed_name \
         FROM transfers t LEFT JOIN memberships m ON m.id = t.membership_id "
    };
}
const TRANSFERS_IN_SCOPE: &str = concat!(
    transfer_columns!(),
    "WHERE (t.to_path >= $1 AND t.to_path < $2) OR (t.from_path >= $1 AND t.from_path < $2) \
     ORDER BY t.id DESC LIMIT $3"
);
const TRANSFER: &str = concat!(transfer_columns!(), "WHERE t.id = $1");
const AWAITING_CONSENT: &str = concat!(
    transfer_columns!(),
    "WHERE t.membership_id = $1 AND t.status = 'awaiting_consent' ORDER BY t.id"
);
/// Nobody answers a transfer they started; only one naming a membership can be answered.
const ANSWER: &str = "UPDATE transfers SET status = $2, decided_by = $3, decided_at = $4, \
    released_by = COALESCE($5, released_by) \
    WHERE id = $1 AND status = $6 AND requested_by <> $3 AND membership_id IS NOT NULL";
/// The membership ended or moved meanwhile: the transfer cannot happen. Whether the
/// outgoing side had agreed goes back to what it was: nothing moved.
const MOOT: &str = "UPDATE transfers SET status = 'cancelled', decided_by = $2, decided_at = $3, \
    released_by = $4 WHERE id = $1";
const WITHDRAW: &str = "UPDATE transfers SET status = 'cancelled', decided_by = $2, decided_at = $3 \
    WHERE id = $1 AND status = 'awaiting_consent'";

/// Transfers between unions.
#[async_trait]
pub trait TransferStore: Send + Sync {
    /// The member's own request (SMS-verified: the outgoing side's consent) to move a held
    /// membership to another union; it waits for the receiving side. One open request per
    /// membership (`Conflict::TransferOpen`); `NotFound` when the membership
    /// is not held or already belongs to that union.
    async fn request_transfer(
        &self,
        membership_id: i64,
        to: OrgId,
        requested_by: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<i64>;
    /// A receiving union's request; it waits for the outgoing side's consent.
    async fn ask_transfer(&self, ask: &TransferAsk<'_>, at: Timestamp) -> Result<i64>;
    /// Transfers into or out of a subtree, newest first.
    async fn transfers(&self, within: &OrgPath, limit: u32) -> Result<Vec<TransferRecord>>;
    /// One transfer.
    async fn transfer(&self, id: i64) -> Result<Option<TransferRecord>>;
    /// Receiving unions' requests a membership's member or outgoing side may agree to,
    /// oldest first.
    async fn transfers_awaiting_consent(&self, membership_id: i64) -> Result<Vec<TransferRecord>>;
    /// The awaited side's answer to a transfer still `from`: agreeing moves the membership
    /// (keeping its seniority). `false` when it was not `from` any more, names no
    /// membership, or `actor` started it; a transfer whose membership ended or moved
    /// meanwhile is cancelled instead (also `false`).
    async fn answer_transfer(
        &self,
        id: i64,
        from: TransferStatus,
        agree: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// The asking side withdraws a request still awaiting consent; `false` otherwise.
    async fn withdraw_transfer(&self, id: i64, actor: &str, at: Timestamp) -> Result<bool>;
}

#[async_trait]
impl TransferStore for SqlStore {
    async fn request_transfer(
        &self,
        membership_id: i64,
        to: OrgId,
        requested_by: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<i64> {
        let id: Option<i64> = on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_REQUEST)
            .bind(membership_id)
            .bind(to.0)
            .bind(requested_by)
            .bind(reason)
            .bind(at.millis())
            .fetch_optional(p)
            .await?);
        id.ok_or(StoreError::NotFound("held membership or different union"))
    }

    async fn ask_transfer(&self, ask: &TransferAsk<'_>, at: Timestamp) -> Result<i64> {
        let id: Option<i64> = on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_ASK)
            .bind(ask.membership_id)
            .bind(ask.to.0)
            .bind(ask.requested_by)
            .bind(ask.reason)
            .bind(ask.typed_member)
            .bind(ask.typed_name)
            .bind(at.millis())
            .fetch_optional(p)
            .await?);
        id.ok_or(StoreError::NotFound("receiving union"))
    }

    async fn transfers(&self, within: &OrgPath, limit: u32) -> Result<Vec<TransferRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(TRANSFERS_IN_SCOPE)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    async fn transfer(&self, id: i64) -> Result<Option<TransferRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(TRANSFER).bind(id).fetch_optional(p).await?))
    }

    async fn transfers_awaiting_consent(&self, membership_id: i64) -> Result<Vec<TransferRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(AWAITING_CONSENT)
            .bind(membership_id)
            .fetch_all(p)
            .await?))
    }

    async fn answer_transfer(
        &self,
        id: i64,
        from: TransferStatus,
        agree: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let Some(to_status) = from.answered(agree) else { return Ok(false) };
        let Some(transfer) = self.transfer(id).await? else { return Ok(false) };
        let (Some(membership_id), Some(from_org)) = (transfer.membership_id, transfer.from_org_id) else {
            return Ok(false);
        };
        // Agreeing on the outgoing side's behalf is its consent.
        let released = (agree && from.awaits() == Some(Side::Outgoing)).then_some(actor);
        let mut tx = self.begin_write().await?;
        let answered = on_tx!(&mut tx, |c| sqlx::query(ANSWER)
            .bind(id)
            .bind(to_status.code())
            .bind(actor)
            .bind(at.millis())
            .bind(released)
            .bind(from.code())
            .execute(c)
            .await?
            .rows_affected());
        if answered != 1 {
            return Ok(false);
        }
        if agree {
            let moved = on_tx!(&mut tx, |c| sqlx::query(MOVE)
                .bind(membership_id)
                .bind(transfer.to_org_id)
                .bind(from_org)
                .execute(c)
                .await?
                .rows_affected());
            if moved != 1 {
                on_tx!(&mut tx, |c| {
                    sqlx::query(MOOT)
                        .bind(id)
                        .bind(actor)
                        .bind(at.millis())
                        .bind(transfer.released_by.as_deref())
                        .execute(c)
                        .await?;
                });
                tx.commit().await?;
                return Ok(false);
            }
            on_tx!(&mut tx, |c| {
                sqlx::query(INSERT_EVENT)
                    .bind(membership_id)
                    .bind("transferred")
                    .bind(from_org)
                    .bind(transfer.to_org_id)
                    .bind(actor)
                    .bind(transfer.reason.as_deref())
                    .bind(at.millis())
                    .execute(c)
                    .await?;
            });
            on_tx!(&mut tx, |c| {
                sqlx::query(TRANSFERRED_EVENT)
                    .bind(membership_id)
                    .bind(from_org)
                    .bind(transfer.to_org_id)
                    .bind(at.millis())
                    .bind("transferred")
                    .execute(c)
                    .await?;
            });
            crate::stats::moved_in(&mut tx, membership_id, OrgId(from_org), OrgId(transfer.to_org_id), at)
                .await?;
        }
        let home = if agree { transfer.to_org_id } else { from_org };
        crate::notices::transfer_answered_in(&mut tx, id, membership_id, agree, home, actor == MEMBER, at)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn withdraw_transfer(&self, id: i64, actor: &str, at: Timestamp) -> Result<bool> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(WITHDRAW)
            .bind(id)
            .bind(actor)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        Ok(changed == 1)
    }
}
