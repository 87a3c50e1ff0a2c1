//! The rest of an instant join in one more call, after `instant` made its application and
//! membership: its number, the link, the decision, the `joined` event, the webhook, the
//! rollups, the roster, the welcome and the `Idempotency-Key`'s answer. On SQLite those
//! are one row into the `join_tails` view, whose trigger (migration 0086) writes them, and
//! two statements; on PostgreSQL one statement of CTEs. Both are made of the same
//! statement macros below.

use huiji_core::notice::NoticeKind;
use huiji_core::stats::{day_key, month_key};
use huiji_core::{MemberNumber, Timestamp};

use super::INSTANT;
use super::flows::joined_flow;
use crate::Result;
use crate::platform::idempotency::KeyedRequest;
use crate::tx::Tx;

/// The statements of the tail, each its own macro so the SQLite and the PostgreSQL texts
/// (and SQLite's `join_tail` trigger, migration 0086) are made of the same ones. Each
/// takes the macro that names its values: [`numbered`] for a statement's own parameters,
/// [`new_row`] for the trigger's row. Parameters: `$1` application, `$2` membership, `$3`
/// member number, `$4` time (ms), `$5` actor, `$6` the event's reason, `$7` day, `$8`
/// month, `$9` year (rollup keys), `$10` landing org, `$11` the welcome's notice kind,
/// `$12` whether a key is stored, `$13`–`$19` the key's platform, key, request hash,
/// status, body, time and expiry.
macro_rules! numbered {
    (application) => {
        "$1"
    };
    (membership) => {
        "$2"
    };
    (number) => {
        "$3"
    };
    (at) => {
        "$4"
    };
    (actor) => {
        "$5"
    };
    (reason) => {
        "$6"
    };
    (day) => {
        "$7"
    };
    (month) => {
        "$8"
    };
    (year) => {
        "$9"
    };
    (landing) => {
        "$10"
    };
    (notice_kind) => {
        "$11"
    };
}

/// The same values as columns of the row inserted into the `join_tails` view.
#[cfg(feature = "testing")]
macro_rules! new_row {
    (application) => {
        "NEW.application_id"
    };
    (membership) => {
        "NEW.membership_id"
    };
    (number) => {
        "NEW.member_number"
    };
    (at) => {
        "NEW.at"
    };
    (actor) => {
        "NEW.actor"
    };
    (reason) => {
        "NEW.reason"
    };
    (day) => {
        "NEW.day"
    };
    (month) => {
        "NEW.month"
    };
    (year) => {
        "NEW.year"
    };
    (landing) => {
        "NEW.landing_org"
    };
    (notice_kind) => {
        "NEW.notice_kind"
    };
}

macro_rules! set_number {
    ($v:ident) => {
        concat!("UPDATE memberships SET member_number = ", $v!(number), " WHERE id = ", $v!(membership))
    };
}

/// As `APPROVE_APPLICATION`; the application was inserted pending by this transaction.
macro_rules! approve {
    () => {
        "UPDATE applications SET status = 'approved', membership_id = $2, decided_at = $4, decided_by = $5, \
         review_deadline = NULL WHERE id = $1 AND status = 'pending_review'"
    };
}

/// As `members::INSERT_EVENT` for `joined`.
macro_rules! joined_event {
    ($v:ident) => {
        concat!(
            "INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) VALUES (",
            $v!(membership),
            ", 'joined', NULL, ",
            $v!(landing),
            ", ",
            $v!(actor),
            ", ",
            $v!(reason),
            ", ",
            $v!(at),
            ")"
        )
    };
}

/// As `webhooks::DECIDED_EVENT`, with the decision's status and number as parameters
/// (PostgreSQL's CTEs do not see the approval's own writes).
macro_rules! decided_webhook {
    ($v:ident) => {
        concat!(
            "INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, \
             member_number, occurred_at, next_attempt_at) SELECT a.platform_id, 'application.decided', a.id, ",
            $v!(membership),
            ", 'approved', NULL, ",
            $v!(number),
            ", ",
            $v!(at),
            ", ",
            $v!(at),
            " FROM applications a JOIN platforms p ON p.id = a.platform_id WHERE a.id = ",
            $v!(application),
            " AND p.webhook_url IS NOT NULL"
        )
    };
}

/// As `stats::maintain`'s `ADD_MEMBERSHIPS` for one new membership.
macro_rules! joined_membership {
    ($v:ident) => {
        concat!(
            "INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) \
             SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'), \
             CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, 1 \
             FROM memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = ",
            $v!(membership),
            " ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET \
             members = stats_memberships.members + 1"
        )
    };
}

/// As `stats::review`'s `RECEIVED_AND_DECIDED` (the application is decided `instant` by
/// [`approve`] in this same call).
macro_rules! received_and_decided {
    ($v:ident) => {
        concat!(
            "INSERT INTO stats_review_daily (org_id, day, received, decided, instant) SELECT receiving_org_id, ",
            $v!(day),
            ", 1, 1, 1 FROM applications WHERE id = ",
            $v!(application),
            " ON CONFLICT (org_id, day) DO UPDATE SET received = stats_review_daily.received + 1, \
             decided = stats_review_daily.decided + 1, instant = stats_review_daily.instant + 1"
        )
    };
}

/// As `notices::welcome_in`.
macro_rules! welcome {
    ($v:ident) => {
        concat!(
            "INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) VALUES (",
            $v!(notice_kind),
            ", ",
            $v!(application),
            ", ",
            $v!(membership),
            ", ",
            $v!(landing),
            ", ",
            $v!(at),
            ", ",
            $v!(at),
            ")"
        )
    };
}

/// As `idempotency::answer_in`'s first try; a key met here is sorted out by `answer_in`.
macro_rules! key_answer {
    () => {
        "INSERT INTO idempotency_keys \
         (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) \
         SELECT $13, $14, $15, $16, $17, $18, $19 WHERE $12 ON CONFLICT (platform_id, key) DO NOTHING"
    };
}

/// Whether an on-approval benefit programme has quota left (then
/// `benefits::grant_on_approval_in` runs after the tail).
macro_rules! any_programme {
    () => {
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM benefit_programmes \
         WHERE grant_mode = 'on_approval' AND granted < quota) THEN 1 ELSE 0 END AS BIGINT)"
    };
}

/// SQLite: the application, inserted already decided
/// (`insert_decided_application_if_new`), is given its membership.
#[cfg(feature = "testing")]
macro_rules! link_membership {
    ($v:ident) => {
        concat!("UPDATE applications SET membership_id = ", $v!(membership), " WHERE id = ", $v!(application))
    };
}

/// The trigger statements that follow a join's application and membership (its event,
/// webhook, rollups, roster and welcome), in order, one a line, as `join_tail` runs them
/// (`joining::join_rows` runs the same statements in three triggers).
#[cfg(feature = "testing")]
macro_rules! after_membership {
    () => {
        concat!(
            joined_event!(new_row),
            ";\n    ",
            decided_webhook!(new_row),
            ";\n    ",
            joined_statistics!(),
            ";\n    ",
            crate::roster::refresh_application!(new_row!(application)),
            ";\n    ",
            welcome!(new_row)
        )
    };
}

/// The trigger statements of a join's statistics (its flows, its membership's count, its
/// review's), in order, one a line: the middle of [`after_membership`], and the whole of
/// `joining::join_rows`' second trigger.
#[cfg(feature = "testing")]
macro_rules! joined_statistics {
    () => {
        concat!(
            joined_flow!("stats_daily_flows", "day", day, new_row),
            ";\n    ",
            joined_flow!("stats_monthly_flows", "month", month, new_row),
            ";\n    ",
            joined_flow!("stats_yearly_flows", "year", year, new_row),
            ";\n    ",
            joined_membership!(new_row),
            ";\n    ",
            received_and_decided!(new_row)
        )
    };
}

/// SQLite: the join's writes after its application and membership, in order, as the
/// `join_tail` trigger on the `join_tails` view runs them for each row inserted there
/// (migration 0086 holds this text; the conformance test `join_tail::…` compares them).
///
/// Why a trigger: sqlx-sqlite's worker thread sends the result of every statement of a
/// call back to the caller as a message of its own, and the group-commit writer's thread
/// is woken for each (a syscall on both threads): eleven statements were eleven wake-ups a
/// join on the path every join of a batch waits for. The trigger runs them as one
/// statement, one message. PostgreSQL runs the same statements as one statement of CTEs
/// ([`TAIL_POSTGRES`]).
#[cfg(feature = "testing")]
pub(crate) const JOIN_TAIL_TRIGGER: &str = concat!(
    "CREATE TRIGGER join_tail INSTEAD OF INSERT ON join_tails\nBEGIN\n    ",
    set_number!(new_row),
    ";\n    ",
    link_membership!(new_row),
    ";\n    ",
    after_membership!(),
    ";\nEND"
);

/// SQLite: the tail, one hand-off of three statements: the trigger's row, the key's answer,
/// then whether the key's row was stored (`changes()` of the statement before) and
/// whether a programme may grant.
const TAIL_SQLITE: &str = concat!(
    "INSERT INTO join_tails (application_id, membership_id, member_number, at, actor, reason, day, month, \
     year, landing_org, notice_kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11); ",
    key_answer!(),
    "; SELECT CAST(changes() AS BIGINT), ",
    any_programme!()
);

/// PostgreSQL: the tail as one statement.
const TAIL_POSTGRES: &str = concat!(
    "WITH n AS (",
    set_number!(numbered),
    "), d AS (",
    approve!(),
    "), e AS (",
    joined_event!(numbered),
    "), w AS (",
    decided_webhook!(numbered),
    "), fd AS (",
    joined_flow!("stats_daily_flows", "day", day, numbered),
    "), fm AS (",
    joined_flow!("stats_monthly_flows", "month", month, numbered),
    "), fy AS (",
    joined_flow!("stats_yearly_flows", "year", year, numbered),
    "), sm AS (",
    joined_membership!(numbered),
    "), sr AS (",
    received_and_decided!(numbered),
    "), r AS (",
    crate::roster::refresh_application!(numbered!(application)),
    "), wl AS (",
    welcome!(numbered),
    "), k AS (",
    key_answer!(),
    " RETURNING 1) SELECT (SELECT COUNT(*) FROM k), ",
    any_programme!()
);

#[cfg(feature = "testing")]
pub(super) use {
    decided_webhook, joined_event, joined_membership, joined_statistics, new_row, received_and_decided,
    welcome,
};

/// A key's answer to store with the join.
pub(super) struct KeyAnswer<'a> {
    /// The request.
    pub(super) request: &'a KeyedRequest<'a>,
    /// HTTP status.
    pub(super) status: u16,
    /// JSON body.
    pub(super) body: &'a str,
}

/// Approves the application `instant::probe_and_insert` made: its number, and every write
/// of the join after it, with `key`'s answer. `true` when the key's row was stored (`false`
/// without a key or when the key exists: the caller then asks `idempotency::answer_in`,
/// which rolls back).
pub(super) async fn approve(
    tx: &mut Tx,
    (application_id, membership_id): (i64, i64),
    member_number: &MemberNumber,
    landing_org: i64,
    at: Timestamp,
    key: Option<&KeyAnswer<'_>>,
) -> Result<bool> {
    let date = at.china_date();
    let reason = format!("application {application_id}");
    let request = key.map(|k| k.request);
    macro_rules! bound {
        ($sql:expr) => {
            sqlx::query_as::<_, (i64, i64)>($sql)
                .bind(application_id)
                .bind(membership_id)
                .bind(member_number.as_str())
                .bind(at.millis())
                .bind(INSTANT)
                .bind(&reason)
                .bind(day_key(date))
                .bind(month_key(date))
                .bind(i64::from(date.year()))
                .bind(landing_org)
                .bind(NoticeKind::Welcome.code())
                .bind(key.is_some())
                .bind(request.map_or(0, |r| r.platform_id))
                .bind(request.map_or("", |r| r.key))
                .bind(request.map_or("", |r| r.request_hash))
                .bind(i32::from(key.map_or(0, |k| k.status)))
                .bind(key.map_or("", |k| k.body))
                .bind(request.map_or(0, |r| r.now.millis()))
                .bind(request.map_or(0, |r| r.expires_at.millis()))
        };
    }
    let (stored, programmes) = match tx {
        Tx::Sqlite(t) => bound!(TAIL_SQLITE).fetch_one(&mut **t).await?,
        Tx::Postgres(t) => bound!(TAIL_POSTGRES).fetch_one(&mut **t).await?,
    };
    if programmes != 0 {
        crate::benefits::grant_on_approval_in(tx, membership_id, INSTANT, at).await?;
    }
    Ok(stored == 1)
}
