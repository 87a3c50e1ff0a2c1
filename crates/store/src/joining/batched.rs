//! PostgreSQL: the keyed instant joins that arrive together, written by ONE statement.
//!
//! Why: with a statement for each join (`postgres`), most of PostgreSQL's time went to
//! what a statement costs however many rows it writes — starting the executor for its dozen
//! writes (opening every table and index), the commit and its WAL flush, waking a backend
//! — while the rows themselves (index entries, the foreign-key and count triggers) were
//! about half (`perf` of the backends under J; BENCHMARKS.md, "J on PostgreSQL — the
//! joins that arrive together in one statement"). Here a few writer tasks each take the
//! joins waiting (up to [`MAX_ROWS`]; no linger timer: a lone join waits for nobody) and
//! write them with one statement, its parameters arrays, one element a join.
//!
//! A join this statement does not write is answered "not written" and its caller runs
//! the statement for it alone (and after that, as before, the transaction), which answers
//! every case as it always did:
//! - the person already has something, the landing union is missing, an on-approval
//!   benefit programme may grant, or the key was met — the gates `postgres` describes,
//!   row by row;
//! - a second join of the same person or the same key in the batch (the first one is
//!   written; the statement cannot see its own writes, so it leaves the second out);
//! - the statement failed (a race with another statement on one person, a deadlock):
//!   nothing of it was written, so every join in it runs on its own.
//!
//! Deadlocks between batches are avoided by order: every counter row a batch adds to is
//! taken in key order (the rollups are grouped and sorted, the memberships — whose
//! triggers count them by union — are inserted sorted by union and occupation).
//!
//! Waits between batches are avoided by partition: each writer task takes the joins of
//! its own receiving unions (the union's id modulo the writers). A counter row is locked
//! from its update to the commit, and the day's review counts are a row per receiving
//! union — a few dozen of them in a province — so two batches of random joins almost
//! always shared one and the second waited for the first's commit: a third of the
//! statements' time under J (`auto_explain`, BENCHMARKS.md "J on PostgreSQL — each writer
//! its own receiving unions"). The landing union, which keys the other rollups and the
//! member counts, is the receiving union's or one in its city, so those mostly fall apart
//! the same way.
//!
//! An answer means durable here too: a caller hears "written" only after the statement,
//! which is its own transaction, has committed.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use huiji_core::Timestamp;
use huiji_core::notice::NoticeKind;
use huiji_core::stats::{day_key, month_key};
use tokio::sync::{mpsc, oneshot};

use super::INSTANT;
use super::NewApplication;
use super::flows::joined_flow_insert;
use crate::Result;
use crate::batch::{Counters, WriteBatches};
use crate::platform::idempotency::KeyedRequest;

/// The most joins one statement writes: past a few dozen the statement's fixed cost is a
/// small part of it, and a bigger one only holds its early callers longer.
pub(crate) const MAX_ROWS: usize = 64;

/// How many writer tasks run batch statements at once, unless
/// `HUIJI_POSTGRES_JOIN_WRITERS` says (0: off, one statement a join). Two: while one
/// statement runs in its backend, the next batch gathers and is sent by the other, so
/// both cores work; three or four measured no better on two cores (BENCHMARKS.md).
fn writers() -> usize {
    std::env::var("HUIJI_POSTGRES_JOIN_WRITERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(2)
}

/// One join as the statement writes it: the application as decided and everything
/// [`postgres::join`](super::postgres) knew before sending.
#[derive(Clone)]
pub(super) struct Row {
    pub app: NewApplication,
    pub at: Timestamp,
    pub application_id: i64,
    pub membership_id: i64,
    pub member_number: String,
    pub platform_id: i64,
    pub key: String,
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub key_at: Timestamp,
    pub key_expires_at: Timestamp,
}

impl Row {
    /// The row for an application and its key's request, with the ids, number and the
    /// answer already made.
    pub(super) fn of(
        app: &NewApplication,
        at: Timestamp,
        request: &KeyedRequest<'_>,
        ids: (i64, i64),
        member_number: String,
        answer: (u16, String),
    ) -> Row {
        Row {
            app: app.clone(),
            at,
            application_id: ids.0,
            membership_id: ids.1,
            member_number,
            platform_id: request.platform_id,
            key: request.key.to_owned(),
            request_hash: request.request_hash.to_owned(),
            status: answer.0,
            body: answer.1,
            key_at: request.now,
            key_expires_at: request.expires_at,
        }
    }
}

/// A join waiting for a batch, with where its answer goes: written or not.
struct Waiting {
    row: Row,
    written: oneshot::Sender<bool>,
}

/// The batch writers' queues, one a writer task, shared by the store's clones.
#[derive(Debug)]
pub(crate) struct JoinBatches {
    queues: Vec<mpsc::UnboundedSender<Waiting>>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waiting(..)")
    }
}

impl JoinBatches {
    /// Starts the writer tasks on `pool`; `None` when switched off. The tasks end when
    /// the last clone of the store (and so the queue's sender) is dropped.
    pub(crate) fn start(pool: &sqlx::PgPool) -> Option<Arc<JoinBatches>> {
        let count = writers();
        if count == 0 {
            return None;
        }
        let counters = Arc::new(Counters::default());
        let queues = (0..count)
            .map(|_| {
                let (queue, waiting) = mpsc::unbounded_channel();
                tokio::spawn(write_batches(pool.clone(), waiting, counters.clone()));
                queue
            })
            .collect();
        Some(Arc::new(JoinBatches { queues, counters }))
    }

    /// The batches seen so far (for `/metrics`, as the group-commit writer's).
    pub(crate) fn batches(&self) -> WriteBatches {
        self.counters.seen(self.queues.len())
    }

    /// Queues a join for the next batch of its receiving union's writer; `true` once it
    /// is written and committed, `false` when this statement did not write it (see the
    /// module's doc).
    pub(super) async fn write(&self, row: Row) -> bool {
        let Some(queue) = self.queues.get(writer_of(row.app.receiving_org.0, self.queues.len())) else {
            return false;
        };
        let (written, answer) = oneshot::channel();
        if queue.send(Waiting { row, written }).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
}

/// The writer task (of `writers`) that writes the joins received by union `receiving`.
fn writer_of(receiving: i64, writers: usize) -> usize {
    usize::try_from(receiving.rem_euclid(i64::try_from(writers.max(1)).unwrap_or(1))).unwrap_or(0)
}

/// A writer task: takes what is waiting in its queue, writes it, answers, and again.
async fn write_batches(
    pool: sqlx::PgPool,
    mut queue: mpsc::UnboundedReceiver<Waiting>,
    counters: Arc<Counters>,
) {
    loop {
        let mut batch = Vec::with_capacity(MAX_ROWS);
        let Some(first) = queue.recv().await else { return };
        batch.push(first);
        while batch.len() < MAX_ROWS {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        counters.batch(batch.len());
        let rows: Vec<&Row> = batch.iter().map(|waiting| &waiting.row).collect();
        let written = match write_rows(&pool, &rows).await {
            Ok(written) => {
                counters.rolled_back.fetch_add((batch.len() - written.len()) as u64, Ordering::Relaxed);
                written
            }
            Err(error) => {
                // Nothing of the statement was written: each join runs on its own.
                tracing::debug!(%error, rows = batch.len(), "batch of joins not written; each runs alone");
                counters.uncommitted.fetch_add(batch.len() as u64, Ordering::Relaxed);
                Vec::new()
            }
        };
        for (n, waiting) in batch.into_iter().enumerate() {
            let _ = waiting.written.send(written.contains(&i64::try_from(n + 1).unwrap_or(0)));
        }
    }
}

/// [`joined_flow_insert`] for every join of the batch: one row a rollup key (union,
/// period, occupation, channel, platform), in key order, with its count of joins.
macro_rules! joined_flows_of {
    ($table:literal, $period:literal, $value:literal) => {
        joined_flow_insert!(
            $table,
            $period,
            $value,
            "landing",
            "occupation, channel, rollup_platform",
            "COUNT(*)",
            "go GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
            "EXCLUDED.joined"
        )
    };
}

/// The joins of a batch in one statement, a row a join (see `postgres` for why each part
/// is as it is). Parameters:
/// `$1`–`$37` the columns of `j` below as arrays, one element a join; `$38` the actor,
/// `$39` the welcome's notice kind. Answers the ordinal (from 1) of each join written.
const JOIN_BATCH: &str = concat!(
    "WITH j AS MATERIALIZED (SELECT j.*, CASE WHEN channel = 'platform' THEN COALESCE(platform, 0) ELSE 0 END \
     AS rollup_platform FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::boolean[], \
     $6::text[], $7::bytea[], $8::text[], $9::bytea[], $10::text[], $11::text[], $12::text[], $13::text[], \
     $14::text[], $15::text[], $16::text[], $17::bigint[], $18::boolean[], $19::bigint[], $20::bigint[], \
     $21::text[], $22::boolean[], $23::text[], $24::bigint[], $25::bigint[], $26::text[], $27::text[], \
     $28::bigint[], $29::bigint[], $30::bigint[], $31::bigint[], $32::text[], $33::text[], $34::integer[], \
     $35::text[], $36::bigint[], $37::bigint[]) WITH ORDINALITY AS j(channel, source, receiving, landing, \
     in_pool, name, id_ct, id_bidx, mobile_ct, mobile_bidx, sex, occupation, region, employer, credit_code, \
     consent, at, mobile_verified, consent_at, platform, external_ref, bound_elsewhere, real_name, \
     application_id, membership_id, member_number, reason, day, month, year, key_platform, key, request_hash, \
     status_code, body, key_at, key_expires_at, n)), \
     g AS (SELECT j.*, o.path FROM (SELECT j.*, \
     row_number() OVER (PARTITION BY id_bidx ORDER BY n) AS person_n, \
     row_number() OVER (PARTITION BY key_platform, key ORDER BY n) AS key_n FROM j) j \
     JOIN orgs o ON o.id = j.landing \
     WHERE person_n = 1 AND key_n = 1 AND NOT EXISTS (",
    super::instant::already_there!("j.id_bidx", "COALESCE(j.platform, 0)", "j.mobile_bidx"),
    ") AND NOT EXISTS (SELECT 1 FROM benefit_programmes WHERE grant_mode = 'on_approval' AND granted < quota)), \
     k AS (INSERT INTO idempotency_keys \
     (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) \
     SELECT key_platform, key, request_hash, status_code, body, key_at, key_expires_at FROM g \
     ON CONFLICT (platform_id, key) DO NOTHING RETURNING platform_id, key), \
     go AS MATERIALIZED (SELECT g.* FROM g JOIN k ON k.platform_id = g.key_platform AND k.key = g.key), \
     a AS (INSERT INTO applications (id, membership_id, decided_at, decided_by, ",
    super::instant::application_columns_in!(),
    ") SELECT application_id, membership_id, at, $38, 'approved', channel, source, receiving, landing, \
     in_pool, name, id_ct, id_bidx, mobile_ct, mobile_bidx, sex, occupation, region, employer, credit_code, \
     consent, consent_at, mobile_verified, FALSE, NULL, at, receiving, \
     (SELECT path FROM orgs WHERE id = go.receiving), platform, external_ref, bound_elsewhere, real_name \
     FROM go), \
     m AS (INSERT INTO memberships (id, member_number, status, home_org_id, home_path, in_pool, name, \
     id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, \
     joined_at) SELECT membership_id, member_number, 'active', landing, path, in_pool, name, id_ct, id_bidx, \
     mobile_ct, mobile_bidx, sex, occupation, region, application_id, at FROM go \
     ORDER BY landing, occupation, membership_id), \
     e AS (INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) \
     SELECT membership_id, 'joined', NULL, landing, $38, reason, at FROM go), \
     w AS (INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, \
     member_number, occurred_at, next_attempt_at) \
     SELECT p.id, 'application.decided', go.application_id, go.membership_id, 'approved', NULL, \
     go.member_number, go.at, go.at FROM go JOIN platforms p ON p.id = go.platform \
     WHERE p.webhook_url IS NOT NULL), \
     fd AS (",
    joined_flows_of!("stats_daily_flows", "day", "day"),
    "), fm AS (",
    joined_flows_of!("stats_monthly_flows", "month", "month"),
    "), fy AS (",
    joined_flows_of!("stats_yearly_flows", "year", "year"),
    "), sm AS (INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) \
     SELECT landing, occupation, channel, rollup_platform, 'active', COUNT(*) FROM go GROUP BY 1, 2, 3, 4 \
     ORDER BY 1, 2, 3, 4 ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET \
     members = stats_memberships.members + EXCLUDED.members), \
     sr AS (INSERT INTO stats_review_daily (org_id, day, received, decided, instant) \
     SELECT receiving, day, COUNT(*), COUNT(*), COUNT(*) FROM go GROUP BY 1, 2 ORDER BY 1, 2 \
     ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + EXCLUDED.received, \
     decided = stats_review_daily.decided + EXCLUDED.decided, \
     instant = stats_review_daily.instant + EXCLUDED.instant), \
     r AS (UPDATE roster_entries SET state = 'member' WHERE id_number_bidx IN (SELECT id_bidx FROM go)), \
     wl AS (INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) \
     SELECT $39, application_id, membership_id, landing, at, at FROM go) \
     SELECT n FROM go"
);

/// The batch's columns, one vector a parameter of [`JOIN_BATCH`].
#[derive(Default)]
struct Columns<'a> {
    channel: Vec<&'static str>,
    source: Vec<Option<&'a str>>,
    receiving: Vec<i64>,
    landing: Vec<Option<i64>>,
    in_pool: Vec<bool>,
    name: Vec<&'a str>,
    id_ct: Vec<&'a [u8]>,
    id_bidx: Vec<&'a str>,
    mobile_ct: Vec<&'a [u8]>,
    mobile_bidx: Vec<&'a str>,
    sex: Vec<&'static str>,
    occupation: Vec<&'static str>,
    region: Vec<&'a str>,
    employer: Vec<Option<&'a str>>,
    credit_code: Vec<Option<&'a str>>,
    consent: Vec<&'a str>,
    at: Vec<i64>,
    mobile_verified: Vec<bool>,
    consent_at: Vec<i64>,
    platform: Vec<Option<i64>>,
    external_ref: Vec<Option<&'a str>>,
    bound_elsewhere: Vec<bool>,
    real_name: Vec<Option<&'static str>>,
    application_id: Vec<i64>,
    membership_id: Vec<i64>,
    member_number: Vec<&'a str>,
    reason: Vec<String>,
    day: Vec<i64>,
    month: Vec<i64>,
    year: Vec<i64>,
    key_platform: Vec<i64>,
    key: Vec<&'a str>,
    request_hash: Vec<&'a str>,
    status_code: Vec<i32>,
    body: Vec<&'a str>,
    key_at: Vec<i64>,
    key_expires_at: Vec<i64>,
}

impl<'a> Columns<'a> {
    fn push(&mut self, row: &'a Row) {
        let app = &row.app;
        let date = row.at.china_date();
        self.channel.push(app.channel.code());
        self.source.push(app.source.as_deref());
        self.receiving.push(app.receiving_org.0);
        self.landing.push(app.landing.map(|l| l.org().0));
        self.in_pool.push(matches!(app.landing, Some(huiji_core::joining::Landing::Pool(_))));
        self.name.push(&app.name);
        self.id_ct.push(&app.id_number.ciphertext);
        self.id_bidx.push(&app.id_number.blind_index);
        self.mobile_ct.push(&app.mobile.ciphertext);
        self.mobile_bidx.push(&app.mobile.blind_index);
        self.sex.push(app.sex.code());
        self.occupation.push(app.occupation.code());
        self.region.push(&app.region_code);
        self.employer.push(app.employer_name.as_deref());
        self.credit_code.push(app.employer_credit_code.as_deref());
        self.consent.push(&app.consent_version);
        self.at.push(row.at.millis());
        self.mobile_verified.push(app.mobile_verified);
        self.consent_at.push(app.consent_at.millis());
        self.platform.push(app.platform_id);
        self.external_ref.push(app.external_ref.as_deref());
        self.bound_elsewhere.push(app.mobile_bound_elsewhere);
        self.real_name.push(app.real_name.code());
        self.application_id.push(row.application_id);
        self.membership_id.push(row.membership_id);
        self.member_number.push(&row.member_number);
        self.reason.push(format!("application {}", row.application_id));
        self.day.push(day_key(date));
        self.month.push(month_key(date));
        self.year.push(i64::from(date.year()));
        self.key_platform.push(row.platform_id);
        self.key.push(&row.key);
        self.request_hash.push(&row.request_hash);
        self.status_code.push(i32::from(row.status));
        self.body.push(&row.body);
        self.key_at.push(row.key_at.millis());
        self.key_expires_at.push(row.key_expires_at.millis());
    }
}

/// Writes `rows` in one statement (its own transaction); the ordinals (from 1) of the
/// joins written.
pub(super) async fn write_rows(pool: &sqlx::PgPool, rows: &[&Row]) -> Result<Vec<i64>> {
    let mut c = Columns::default();
    for row in rows {
        c.push(row);
    }
    let written: Vec<i64> = sqlx::query_scalar(JOIN_BATCH)
        .bind(c.channel)
        .bind(c.source)
        .bind(c.receiving)
        .bind(c.landing)
        .bind(c.in_pool)
        .bind(c.name)
        .bind(c.id_ct)
        .bind(c.id_bidx)
        .bind(c.mobile_ct)
        .bind(c.mobile_bidx)
        .bind(c.sex)
        .bind(c.occupation)
        .bind(c.region)
        .bind(c.employer)
        .bind(c.credit_code)
        .bind(c.consent)
        .bind(c.at)
        .bind(c.mobile_verified)
        .bind(c.consent_at)
        .bind(c.platform)
        .bind(c.external_ref)
        .bind(c.bound_elsewhere)
        .bind(c.real_name)
        .bind(c.application_id)
        .bind(c.membership_id)
        .bind(c.member_number)
        .bind(c.reason)
        .bind(c.day)
        .bind(c.month)
        .bind(c.year)
        .bind(c.key_platform)
        .bind(c.key)
        .bind(c.request_hash)
        .bind(c.status_code)
        .bind(c.body)
        .bind(c.key_at)
        .bind(c.key_expires_at)
        .bind(INSTANT)
        .bind(NoticeKind::Welcome.code())
        .fetch_all(pool)
        .await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::writer_of;

    #[test]
    fn a_union_s_joins_go_to_one_writer_and_the_unions_spread_over_all() {
        for writers in 1..=4 {
            let chosen: Vec<usize> = (1..=40).map(|union| writer_of(union, writers)).collect();
            assert!(chosen.iter().all(|&w| w < writers));
            assert_eq!(chosen, (1..=40).map(|union| writer_of(union, writers)).collect::<Vec<_>>());
            let counts: Vec<usize> =
                (0..writers).map(|w| chosen.iter().filter(|&&c| c == w).count()).collect();
            assert!(counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0) <= 1, "{counts:?}");
        }
        // Ids the database never makes still choose a writer that exists.
        assert!(writer_of(-7, 3) < 3);
        assert_eq!(writer_of(i64::MAX, 0), 0);
    }
}
