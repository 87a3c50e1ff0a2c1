//! Decision notices (the outbox of decision SMS, migration 0013): queued by the decisions'
//! own transactions through the `*_in` functions here (one call line in each), claimed and
//! settled by the delivery job.

use async_trait::async_trait;
use huiji_core::Timestamp;
use huiji_core::notice::{NoticeDelivery, NoticeKind};

use crate::db::{Pools, SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

/// A notice with the facts its text needs, as the delivery job reads it once claimed.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoticeRecord {
    /// Id.
    pub id: i64,
    /// What it tells.
    #[sqlx(try_from = "String")]
    pub kind: NoticeKind,
    /// The application it is about (approvals, rejections, escalations).
    pub application_id: Option<i64>,
    /// The membership it is about (approvals, transfers, distributions).
    pub membership_id: Option<i64>,
    /// The transfer it is about.
    pub transfer_id: Option<i64>,
    /// The union it speaks of: the one that approved, rejected or now reviews, the
    /// membership's home after a transfer's answer or a distribution.
    pub org_id: i64,
    /// That union's name.
    pub org_name: String,
    /// That union's path (its contact details may be an ancestor's).
    pub org_path: String,
    /// The union a transfer asked to move to.
    pub transfer_to_name: Option<String>,
    /// The recipient's mobile, sealed: the membership's, else the application's.
    pub mobile_ct: Option<Vec<u8>>,
    /// The membership's number.
    pub member_number: Option<String>,
    /// The rejection's reason.
    pub decision_reason: Option<String>,
    /// The legal-aid case it is about.
    pub case_id: Option<i64>,
    /// The step it tells of (a `StepKind` code), for a case step.
    pub case_step: Option<String>,
    /// The case's outcome (an `OutcomeKind` code), once closed.
    pub case_outcome: Option<String>,
    /// The amount the case recovered, in fen.
    pub case_recovered_fen: Option<i64>,
    /// The benefit grant it tells of.
    pub grant_id: Option<i64>,
    /// That grant's programme name.
    pub benefit_name: Option<String>,
    /// That grant's last valid day (`YYYY-MM-DD`).
    pub benefit_valid_until: Option<String>,
    /// That programme's hotline.
    pub benefit_hotline: Option<String>,
    /// That grant's status (a `GrantStatus` code): a grant revoked before its SMS went out
    /// is not told.
    pub benefit_status: Option<String>,
    /// Where delivery stands.
    #[sqlx(try_from = "String")]
    pub delivery: NoticeDelivery,
    /// Attempts so far (counting a claimed one).
    pub attempts: i32,
    /// Queued (ms).
    pub created_at: i64,
    /// The text sent, once sent.
    pub body: Option<String>,
}

impl std::fmt::Debug for NoticeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoticeRecord")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

/// Which notices a claim takes: every due one, or only those about one decision's
/// application, membership or transfer (the decision's own request delivers them at once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoticeAbout {
    /// The application.
    pub application: Option<i64>,
    /// The membership.
    pub membership: Option<i64>,
    /// The transfer.
    pub transfer: Option<i64>,
    /// The legal-aid case.
    pub case: Option<i64>,
    /// The benefit grant.
    pub grant: Option<i64>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeAttempt {
    /// The provider took this text.
    Sent(String),
    /// Try again then; why it failed.
    RetryAt(Timestamp, String),
    /// Give up; why.
    GiveUp(String),
}

/// The decision SMS outbox.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// Claims up to `limit` due pending notices (only those `about` one decision, when
    /// given) until `lease_until`, so other workers skip them, and counts the attempt.
    async fn claim_notices(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        about: Option<NoticeAbout>,
    ) -> Result<Vec<NoticeRecord>>;

    /// Settles a claimed notice; `false` when it was settled meanwhile.
    async fn settle_notice(&self, id: i64, attempt: &NoticeAttempt, at: Timestamp) -> Result<bool>;

    /// Settles a round of claimed notices in one transaction (one commit, not one per
    /// notice: under the J load each join's welcome was two commits of its own); for
    /// each, in order, `false` when it was settled meanwhile.
    async fn settle_notices(&self, settled: &[(i64, NoticeAttempt)], at: Timestamp) -> Result<Vec<bool>>;

    /// The notices about an application or a membership, oldest first.
    async fn notices_about(&self, about: NoticeAbout) -> Result<Vec<NoticeRecord>>;
}

macro_rules! notice_select {
    ($tail:literal) => {
        concat!(
            "SELECT n.id, n.kind, n.application_id, n.membership_id, n.transfer_id, n.org_id, o.name AS org_name, \
             o.path AS org_path, tt.name AS transfer_to_name, COALESCE(m.mobile_ct, a.mobile_ct, c.mobile_ct) AS mobile_ct, \
             m.member_number, a.decision_reason, n.case_id, ce.step AS case_step, c.outcome AS case_outcome, \
             c.recovered_fen AS case_recovered_fen, n.grant_id, bp.name AS benefit_name, \
             bg.valid_until AS benefit_valid_until, bp.hotline AS benefit_hotline, bg.status AS benefit_status, n.delivery, n.attempts, n.created_at, n.body \
             FROM notices n JOIN orgs o ON o.id = n.org_id \
             LEFT JOIN applications a ON a.id = n.application_id \
             LEFT JOIN memberships m ON m.id = n.membership_id \
             LEFT JOIN transfers t ON t.id = n.transfer_id LEFT JOIN orgs tt ON tt.id = t.to_org_id \
             LEFT JOIN cases c ON c.id = n.case_id LEFT JOIN case_events ce ON ce.id = n.case_event_id \
             LEFT JOIN benefit_grants bg ON bg.id = n.grant_id LEFT JOIN benefit_programmes bp ON bp.id = bg.programme_id ",
            $tail
        )
    };
}

/// A claim's notices in one read (their ids as a JSON array on SQLite, an array on
/// PostgreSQL), not one read each on the write connection.
const NOTICES_BY_IDS_SQLITE: &str =
    notice_select!("WHERE n.id IN (SELECT value FROM json_each($1)) ORDER BY n.id");
const NOTICES_BY_IDS_PG: &str = notice_select!("WHERE n.id = ANY($1) ORDER BY n.id");
const NOTICES_ABOUT: &str = notice_select!(
    "WHERE n.application_id = $1 OR n.membership_id = $2 OR n.transfer_id = $3 OR n.case_id = $4 OR n.grant_id = $5 \
    ORDER BY n.id"
);

/// `$4`..`$6`, `$8` and `$9` narrow the claim to one decision's notices; -1 (no id) with `$7` = 0
/// takes all.
///
/// PostgreSQL: rows another instance is claiming are skipped, not waited for. The locking
/// `LIMIT` runs once, as a materialised CTE: written as `id IN (subquery)` the planner may
/// pick a nested-loop semi-join that rescans the subquery for every outer row, each rescan
/// skipping the rows this statement already updated and locking the next `LIMIT` — so one
/// claim could lease every due notice (seen on the campaign sender's same-shaped claim).
const CLAIM_PG: &str = "WITH due AS MATERIALIZED ( \
    SELECT id FROM notices WHERE delivery = 'pending' AND next_attempt_at <= $1 \
    AND (locked_until IS NULL OR locked_until <= $1) \
    AND ($7 = 0 OR application_id = $4 OR membership_id = $5 OR transfer_id = $6 OR case_id = $8 \
    OR grant_id = $9) \
    ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
    UPDATE notices n SET locked_until = $2, attempts = n.attempts + 1 FROM due WHERE n.id = due.id \
    RETURNING n.id";
/// SQLite has one writer, so the claim is already exclusive (and it runs the `IN`
/// subquery once).
///
/// `LIMIT CAST($3 AS BIGINT)`, not `LIMIT $3`: SQLite (3.51) plans a bare bound `LIMIT`
/// with the value bound at the time, so binding it again expires the statement and every
/// execution parses and plans it anew — a claim per join, each a full prepare. Behind the
/// CAST the value is read when the statement runs. Used where the plan cannot depend on
/// how many rows are taken (the same EXPLAIN QUERY PLAN either way: queue claims, walks in
/// id order); the console's pages keep the bare form their plans were measured with.
const CLAIM_SQLITE: &str = "UPDATE notices SET locked_until = $2, attempts = attempts + 1 WHERE id IN ( \
    SELECT id FROM notices WHERE delivery = 'pending' AND next_attempt_at <= $1 \
    AND (locked_until IS NULL OR locked_until <= $1) \
    AND ($7 = 0 OR application_id = $4 OR membership_id = $5 OR transfer_id = $6 OR case_id = $8 \
    OR grant_id = $9) \
    ORDER BY next_attempt_at, id LIMIT CAST($3 AS BIGINT)) RETURNING id";

/// A claim's values, `$1`–`$9` of `CLAIM_PG` and `CLAIM_SQLITE`.
#[derive(Clone, Copy)]
struct Claim {
    now: i64,
    lease_until: i64,
    limit: i64,
    application: i64,
    membership: i64,
    transfer: i64,
    narrowed: i32,
    case: i64,
    grant: i64,
}

/// Binds a [`Claim`] in its parameters' order.
macro_rules! bind_claim {
    ($query:expr, $claim:expr) => {
        $query
            .bind($claim.now)
            .bind($claim.lease_until)
            .bind($claim.limit)
            .bind($claim.application)
            .bind($claim.membership)
            .bind($claim.transfer)
            .bind($claim.narrowed)
            .bind($claim.case)
            .bind($claim.grant)
    };
}

/// The statement settling an attempt, its time and its text.
fn settling(attempt: &NoticeAttempt, at: Timestamp) -> (&'static str, Timestamp, &str) {
    match attempt {
        NoticeAttempt::Sent(body) => (SENT, at, body),
        NoticeAttempt::RetryAt(next, error) => (RETRY, *next, error),
        NoticeAttempt::GiveUp(error) => (GIVE_UP, at, error),
    }
}

/// Settling is conditional on the notice still pending, so a notice is marked sent once.
const SENT: &str = "UPDATE notices SET delivery = 'sent', sent_at = $2, body = $3, locked_until = NULL, \
    last_error = NULL WHERE id = $1 AND delivery = 'pending'";
const RETRY: &str = "UPDATE notices SET next_attempt_at = $2, last_error = $3, locked_until = NULL \
    WHERE id = $1 AND delivery = 'pending'";
const GIVE_UP: &str = "UPDATE notices SET delivery = 'failed', last_error = $3, locked_until = NULL, \
    next_attempt_at = $2 WHERE id = $1 AND delivery = 'pending'";

/// A round's settlements as one statement, each row as [`SENT`], [`RETRY`] or [`GIVE_UP`]
/// (`kind` 0, 1, 2) would set it; answers the ids it settled, `$settlements` naming them
/// as `s (id, kind, at, text)`, and `$returning` the settled notice's id. Why: statement after statement in one transaction, a round
/// of a hundred held a connection and a transaction open for a hundred round trips on
/// PostgreSQL (BENCHMARKS.md, "PostgreSQL's welcome SMS under a join burst": the backlog
/// drains faster; the starvation during the burst has another cause) and was a hundred
/// hand-offs to sqlx's worker thread on SQLite's one write connection, which every join's
/// batch waits for (BENCHMARKS.md, "J on SQLite — the joins waiting written together").
macro_rules! settle_round {
    ($settlements:literal, $returning:literal) => {
        concat!(
            "UPDATE notices AS n SET \
             delivery = CASE s.kind WHEN 0 THEN 'sent' WHEN 2 THEN 'failed' ELSE n.delivery END, \
             sent_at = CASE WHEN s.kind = 0 THEN s.at ELSE n.sent_at END, \
             body = CASE WHEN s.kind = 0 THEN s.text ELSE n.body END, \
             last_error = CASE WHEN s.kind = 0 THEN NULL ELSE s.text END, \
             next_attempt_at = CASE WHEN s.kind = 0 THEN n.next_attempt_at ELSE s.at END, \
             locked_until = NULL FROM ",
            $settlements,
            " WHERE n.id = s.id AND n.delivery = 'pending' RETURNING ",
            $returning
        )
    };
}
/// PostgreSQL: the settlements as arrays.
const SETTLE_ROUND_PG: &str = settle_round!(
    "unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[]) AS s (id, kind, at, text)",
    "n.id"
);

/// SQLite: the settlements as one JSON array of `[id, kind, at, text]`.
const SETTLE_ROUND_SQLITE: &str = settle_round!(
    "(SELECT value ->> 0 AS id, value ->> 1 AS kind, value ->> 2 AS at, value ->> 3 AS text \
     FROM jsonb_each($1)) AS s",
    // SQLite's RETURNING names only the updated table's columns, unqualified.
    "id"
);

/// [`SETTLE_ROUND_PG`]'s kind of a settlement.
const fn settling_kind(attempt: &NoticeAttempt) -> i32 {
    match attempt {
        NoticeAttempt::Sent(_) => 0,
        NoticeAttempt::RetryAt(..) => 1,
        NoticeAttempt::GiveUp(_) => 2,
    }
}

const INSERT: &str = "INSERT INTO notices (kind, application_id, membership_id, transfer_id, org_id, \
    created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
/// A rejection speaks of the union that reviewed it when it was decided.
const INSERT_REJECTED: &str = "INSERT INTO notices (kind, application_id, org_id, created_at, next_attempt_at) \
    SELECT 'rejected', id, reviewer_org_id, $2, $2 FROM applications WHERE id = $1";

/// A case notice speaks of the federation handling the case when the event happened.
const INSERT_CASE: &str = "INSERT INTO notices (kind, case_id, case_event_id, org_id, created_at, next_attempt_at) \
    SELECT $1, id, $2, org_id, $3, $3 FROM cases WHERE id = $4";

/// A grant's notice speaks of the programme's sponsor and goes to the grant's member.
const INSERT_GRANT: &str = "INSERT INTO notices (kind, membership_id, grant_id, org_id, created_at, next_attempt_at) \
    SELECT 'benefit_granted', g.membership_id, g.id, b.org_id, $2, $2 FROM benefit_grants g \
    JOIN benefit_programmes b ON b.id = g.programme_id WHERE g.id = $1";

/// Queues a notice inside a decision's transaction.
async fn queue_in(tx: &mut Tx, kind: NoticeKind, about: NoticeAbout, org: i64, at: Timestamp) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(INSERT)
            .bind(kind.code())
            .bind(about.application)
            .bind(about.membership)
            .bind(about.transfer)
            .bind(org)
            .bind(at.millis())
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The welcome of an approval (instant or an officer's), in its transaction.
pub(crate) async fn welcome_in(
    tx: &mut Tx,
    application: i64,
    membership: i64,
    org: i64,
    at: Timestamp,
) -> Result<()> {
    let about = NoticeAbout {
        application: Some(application),
        membership: Some(membership),
        ..NoticeAbout::default()
    };
    queue_in(tx, NoticeKind::Welcome, about, org, at).await
}

/// A rejection's notice, in its transaction.
pub(crate) async fn rejected_in(tx: &mut Tx, application: i64, at: Timestamp) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(INSERT_REJECTED).bind(application).bind(at.millis()).execute(c).await?;
    });
    Ok(())
}

/// An escalation's notice (the review moved up to `org`), in its transaction.
pub(crate) async fn escalated_in(tx: &mut Tx, application: i64, org: i64, at: Timestamp) -> Result<()> {
    let about = NoticeAbout { application: Some(application), ..NoticeAbout::default() };
    queue_in(tx, NoticeKind::Escalated, about, org, at).await
}

/// A transfer answer's notice to the member (`home`: where the membership is now), in the
/// answer's transaction — unless the member answered it themselves.
pub(crate) async fn transfer_answered_in(
    tx: &mut Tx,
    transfer: i64,
    membership: i64,
    agreed: bool,
    home: i64,
    answered_by_member: bool,
    at: Timestamp,
) -> Result<()> {
    if !huiji_core::notice::tells_member_of_answer(answered_by_member) {
        return Ok(());
    }
    let kind = if agreed { NoticeKind::TransferAgreed } else { NoticeKind::TransferRefused };
    let about =
        NoticeAbout { membership: Some(membership), transfer: Some(transfer), ..NoticeAbout::default() };
    queue_in(tx, kind, about, home, at).await
}

/// A distribution's notice (the membership moved from a pool to `org`), in its transaction.
pub(crate) async fn distributed_in(tx: &mut Tx, membership: i64, org: i64, at: Timestamp) -> Result<()> {
    let about = NoticeAbout { membership: Some(membership), ..NoticeAbout::default() };
    queue_in(tx, NoticeKind::Distributed, about, org, at).await
}

/// The notice a case event owes the worker (core decides which events tell), in the
/// event's transaction.
pub(crate) async fn case_event_in(
    tx: &mut Tx,
    case: i64,
    event: i64,
    kind: huiji_core::case::CaseEventKind,
    at: Timestamp,
) -> Result<()> {
    let Some(notice) = huiji_core::notice::case_notice(kind) else { return Ok(()) };
    on_tx!(tx, |c| {
        sqlx::query(INSERT_CASE)
            .bind(notice.code())
            .bind(event)
            .bind(at.millis())
            .bind(case)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// A benefit grant's SMS (the programme, its validity, the hotline), in the grant's
/// transaction — an officer's, a claim's or an approval's.
pub(crate) async fn benefit_granted_in(tx: &mut Tx, grant: i64, at: Timestamp) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(INSERT_GRANT).bind(grant).bind(at.millis()).execute(c).await?;
    });
    Ok(())
}

#[async_trait]
impl NoticeStore for SqlStore {
    async fn claim_notices(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        about: Option<NoticeAbout>,
    ) -> Result<Vec<NoticeRecord>> {
        let narrow = about.unwrap_or_default();
        let claim = Claim {
            now: now.millis(),
            lease_until: lease_until.millis(),
            limit: i64::from(limit),
            application: narrow.application.unwrap_or(-1),
            membership: narrow.membership.unwrap_or(-1),
            transfer: narrow.transfer.unwrap_or(-1),
            narrowed: i32::from(about.is_some()),
            case: narrow.case.unwrap_or(-1),
            grant: narrow.grant.unwrap_or(-1),
        };
        if let Pools::Postgres(pool) = &self.pools {
            let ids: Vec<i64> = bind_claim!(sqlx::query_scalar(CLAIM_PG), claim).fetch_all(pool).await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            return Ok(sqlx::query_as(NOTICES_BY_IDS_PG).bind(&ids).fetch_all(pool).await?);
        }
        // SQLite: a job of the group-commit writer (the claim and its read in one job),
        // not a transaction of its own that the writer's next batch waits for.
        self.write(move |tx| {
            Box::pin(async move {
                let Tx::Sqlite(t) = tx else { return Err(StoreError::Corrupt("a SQLite claim".to_owned())) };
                let ids: Vec<i64> =
                    bind_claim!(sqlx::query_scalar(CLAIM_SQLITE), claim).fetch_all(&mut **t).await?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // Read in the claim's transaction: the rows it just claimed.
                Ok(sqlx::query_as(NOTICES_BY_IDS_SQLITE)
                    .bind(crate::db::json_ids(&ids))
                    .fetch_all(&mut **t)
                    .await?)
            })
        })
        .await
    }

    async fn settle_notice(&self, id: i64, attempt: &NoticeAttempt, at: Timestamp) -> Result<bool> {
        let (sql, when, text) = settling(attempt, at);
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(sql)
            .bind(id)
            .bind(when.millis())
            .bind(text)
            .execute(p)
            .await?
            .rows_affected());
        Ok(changed == 1)
    }

    async fn settle_notices(&self, settled: &[(i64, NoticeAttempt)], at: Timestamp) -> Result<Vec<bool>> {
        if settled.is_empty() {
            return Ok(Vec::new());
        }
        if let Pools::Postgres(pool) = &self.pools {
            let mut ids = Vec::with_capacity(settled.len());
            let mut kinds = Vec::with_capacity(settled.len());
            let mut times = Vec::with_capacity(settled.len());
            let mut texts = Vec::with_capacity(settled.len());
            for (id, attempt) in settled {
                let (_, when, text) = settling(attempt, at);
                ids.push(*id);
                kinds.push(settling_kind(attempt));
                times.push(when.millis());
                texts.push(text);
            }
            let done: Vec<i64> = sqlx::query_scalar(SETTLE_ROUND_PG)
                .bind(&ids)
                .bind(&kinds)
                .bind(&times)
                .bind(&texts)
                .fetch_all(pool)
                .await?;
            let done: std::collections::HashSet<i64> = done.into_iter().collect();
            return Ok(ids.iter().map(|id| done.contains(id)).collect());
        }
        // SQLite: one statement, a job of the group-commit writer.
        let rows: Vec<(i64, i32, i64, &str)> = settled
            .iter()
            .map(|(id, attempt)| {
                let (_, when, text) = settling(attempt, at);
                (*id, settling_kind(attempt), when.millis(), text)
            })
            .collect();
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done: Vec<i64> = self
            .write(move |tx| {
                Box::pin(async move {
                    Ok(on_tx!(tx, |c| sqlx::query_scalar(SETTLE_ROUND_SQLITE)
                        .bind(rows)
                        .fetch_all(c)
                        .await?))
                })
            })
            .await?;
        let done: std::collections::HashSet<i64> = done.into_iter().collect();
        Ok(settled.iter().map(|(id, _)| done.contains(id)).collect())
    }

    async fn notices_about(&self, about: NoticeAbout) -> Result<Vec<NoticeRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(NOTICES_ABOUT)
            .bind(about.application.unwrap_or(-1))
            .bind(about.membership.unwrap_or(-1))
            .bind(about.transfer.unwrap_or(-1))
            .bind(about.case.unwrap_or(-1))
            .bind(about.grant.unwrap_or(-1))
            .fetch_all(p)
            .await?))
    }
}
