//! Attempts and answers. Each answer is one guarded update of its attempt (only the next
//! position of an unfinished attempt moves it on) and one insert; the last answer, or a
//! deadline noticed, finishes the attempt and brings the member's best attempt and the
//! union totals up to date in the same transaction.

use huiji_core::contest::{
    AnswerTiming, AttemptClock, AttemptId, AttemptsPerDay, BestAttempt, ContestId, LetterSet, QuestionId,
};
use huiji_core::{CivilDate, MembershipId, OrgId, Timestamp};

use super::{AnswerRecord, AttemptRecord, NewAnswer, NewAttempt, Recorded, Started};
use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

/// Counts the attempt in the member's day unless the day's allowance is used up: one
/// statement, so two taps at once cannot both pass.
const COUNT_DAY: &str = "INSERT INTO contest_daily (contest_id, membership_id, day, started) \
    VALUES ($1, $2, $3, 1) ON CONFLICT (contest_id, membership_id, day) \
    DO UPDATE SET started = contest_daily.started + 1 WHERE contest_daily.started < $4 RETURNING started";

const INSERT: &str = "INSERT INTO contest_attempts (contest_id, membership_id, home_org_id, home_path, day, \
    seed, question_ids, started_at, deadline, last_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) \
    RETURNING id";

/// The columns an [`AttemptRow`] reads, for `concat!`.
macro_rules! attempt_columns {
    () => {
        "SELECT id, contest_id, membership_id, home_org_id, day, seed, question_ids, started_at, deadline, \
         answered, correct, flagged, last_at, finished_at FROM contest_attempts"
    };
}

const ONE: &str = concat!(attempt_columns!(), " WHERE id = $1");

const LATEST: &str =
    concat!(attempt_columns!(), " WHERE membership_id = $1 AND contest_id = $2 ORDER BY id DESC LIMIT 1");

const STARTED: &str =
    "SELECT started FROM contest_daily WHERE contest_id = $1 AND membership_id = $2 AND day = $3";

/// Moves the attempt on past `position`, only if that is its next question and it has
/// not finished.
const ADVANCE: &str = "UPDATE contest_attempts SET answered = answered + 1, correct = correct + $3, \
    flagged = flagged + $4, last_at = $5 WHERE id = $1 AND answered = $2 AND finished_at IS NULL";

const INSERT_ANSWER: &str = "INSERT INTO contest_answers (attempt_id, position, question_id, given, timing, \
    correct, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// [`ADVANCE`] and [`INSERT_ANSWER`] as one statement, for PostgreSQL: one round trip and
/// no BEGIN/COMMIT of its own, where the two-statement transaction takes four. Nothing is
/// inserted when the attempt did not move on (a stale or repeated answer).
const ADVANCE_AND_INSERT: &str = "WITH moved AS (UPDATE contest_attempts SET answered = answered + 1, \
    correct = correct + $3, flagged = flagged + $4, last_at = $5 \
    WHERE id = $1 AND answered = $2 AND finished_at IS NULL RETURNING id) \
    INSERT INTO contest_answers (attempt_id, position, question_id, given, timing, correct, answered_at) \
    SELECT id, $2, $6, $7, $8, $9, $5 FROM moved";

const ANSWERS: &str = "SELECT position, question_id, given, timing, correct, answered_at FROM contest_answers \
    WHERE attempt_id = $1 ORDER BY position";

const EXPIRED: &str = "SELECT id FROM contest_attempts WHERE finished_at IS NULL AND deadline < $1 \
    AND ($2 = 0 OR contest_id = $2) ORDER BY deadline LIMIT $3";

/// Finishes the attempt once; its result is what the best attempt is compared with.
const FINISH: &str = "UPDATE contest_attempts SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL \
    RETURNING contest_id, membership_id, home_org_id, home_path, correct, last_at - started_at AS millis";

/// Makes sure the member's best-attempt row exists (a placeholder no board reads: it is
/// set before the transaction ends); a new row means a new participant. On PostgreSQL a
/// concurrent finish of the same member waits here until this one commits.
const CLAIM_BEST: &str = "INSERT INTO contest_best (contest_id, membership_id, attempt_id, home_org_id, \
    home_path, correct, millis) VALUES ($1, $2, $3, $4, $5, -1, 0) \
    ON CONFLICT (contest_id, membership_id) DO NOTHING";

const BEST: &str = "SELECT home_org_id, home_path, correct, millis FROM contest_best \
    WHERE contest_id = $1 AND membership_id = $2";

const BEST_FOR_UPDATE: &str = "SELECT home_org_id, home_path, correct, millis FROM contest_best \
    WHERE contest_id = $1 AND membership_id = $2 FOR UPDATE";

const SET_BEST: &str = "UPDATE contest_best SET attempt_id = $3, home_org_id = $4, home_path = $5, \
    correct = $6, millis = $7 WHERE contest_id = $1 AND membership_id = $2";

const ADD_TOTALS: &str = "INSERT INTO contest_org_totals (contest_id, org_id, path, participants, correct_sum) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (contest_id, org_id) DO UPDATE SET \
    participants = contest_org_totals.participants + excluded.participants, \
    correct_sum = contest_org_totals.correct_sum + excluded.correct_sum";

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: i64,
    contest_id: i64,
    membership_id: i64,
    home_org_id: i64,
    day: String,
    seed: i64,
    question_ids: String,
    started_at: i64,
    deadline: i64,
    answered: i32,
    correct: i32,
    flagged: i32,
    last_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<AttemptRow> for AttemptRecord {
    type Error = StoreError;

    fn try_from(row: AttemptRow) -> Result<AttemptRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("contest attempt {}: {what}", row.id));
        let questions = row
            .question_ids
            .split(',')
            .map(|id| id.parse().map(QuestionId))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("question_ids"))?;
        let count = |n: i32| u32::try_from(n).map_err(|_| corrupt("counts"));
        Ok(AttemptRecord {
            id: AttemptId(row.id),
            contest: ContestId(row.contest_id),
            membership: MembershipId(row.membership_id),
            home_org: OrgId(row.home_org_id),
            day: CivilDate::parse_iso(&row.day).ok_or_else(|| corrupt("day"))?,
            seed: u64::from_ne_bytes(row.seed.to_ne_bytes()),
            questions,
            clock: AttemptClock { started_at: Timestamp(row.started_at), deadline: Timestamp(row.deadline) },
            answered: count(row.answered)?,
            correct: count(row.correct)?,
            flagged: count(row.flagged)?,
            last_at: Timestamp(row.last_at),
            finished_at: row.finished_at.map(Timestamp),
        })
    }
}

/// The stored list of an attempt's questions: `12,5,33`.
fn id_list(ids: &[QuestionId]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

fn small(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(super) async fn start(
    store: &SqlStore,
    attempt: &NewAttempt,
    per_day: AttemptsPerDay,
) -> Result<Started> {
    let attempt = attempt.clone();
    store.write(move |tx| Box::pin(async move { start_in(tx, &attempt, per_day).await })).await
}

async fn start_in(tx: &mut Tx, attempt: &NewAttempt, per_day: AttemptsPerDay) -> Result<Started> {
    let counted: Option<i32> = on_tx!(tx, |c| sqlx::query_scalar(COUNT_DAY)
        .bind(attempt.contest.0)
        .bind(attempt.membership.0)
        .bind(attempt.day.to_string())
        .bind(small(per_day.get()))
        .fetch_optional(c)
        .await?);
    if counted.is_none() {
        return Ok(Started::DailyLimit);
    }
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(INSERT)
        .bind(attempt.contest.0)
        .bind(attempt.membership.0)
        .bind(attempt.home_org.0)
        .bind(attempt.home_path.as_str())
        .bind(attempt.day.to_string())
        .bind(i64::from_ne_bytes(attempt.seed.to_ne_bytes()))
        .bind(id_list(&attempt.questions))
        .bind(attempt.clock.started_at.millis())
        .bind(attempt.clock.deadline.millis())
        .fetch_one(c)
        .await?);
    Ok(Started::Attempt(AttemptId(id)))
}

pub(super) async fn attempt(store: &SqlStore, id: AttemptId) -> Result<Option<AttemptRecord>> {
    let row: Option<AttemptRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id.0).fetch_optional(p).await?);
    row.map(AttemptRecord::try_from).transpose()
}

pub(super) async fn latest(
    store: &SqlStore,
    contest: ContestId,
    membership: MembershipId,
) -> Result<Option<AttemptRecord>> {
    let row: Option<AttemptRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(LATEST)
        .bind(membership.0)
        .bind(contest.0)
        .fetch_optional(p)
        .await?);
    row.map(AttemptRecord::try_from).transpose()
}

pub(super) async fn started(
    store: &SqlStore,
    contest: ContestId,
    membership: MembershipId,
    day: CivilDate,
) -> Result<u32> {
    let started: Option<i32> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(STARTED)
        .bind(contest.0)
        .bind(membership.0)
        .bind(day.to_string())
        .fetch_optional(p)
        .await?);
    Ok(started.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
}

/// One answer, through the group-commit writer: answered once its batch has committed.
/// On PostgreSQL an answer that does not finish the attempt is one statement instead (its
/// own transaction): PostgreSQL's connections overlap their commits themselves, and
/// batching them through one writer was measured slower (BENCHMARKS.md, "Group commit").
pub(super) async fn record_answer(store: &SqlStore, answer: &NewAnswer) -> Result<Recorded> {
    if let (crate::db::Pools::Postgres(pool), false) = (&store.pools, answer.last) {
        let inserted = sqlx::query(ADVANCE_AND_INSERT)
            .bind(answer.attempt.0)
            .bind(small(answer.position))
            .bind(i32::from(answer.correct))
            .bind(i32::from(answer.timing == AnswerTiming::TooFast))
            .bind(answer.at.millis())
            .bind(answer.question.0)
            .bind(answer.given.map(|g| g.to_string()))
            .bind(answer.timing.code())
            .bind(answer.correct)
            .execute(pool)
            .await?
            .rows_affected();
        return Ok(if inserted == 0 { Recorded::Stale } else { Recorded::Answer });
    }
    let answer = *answer;
    store.write(move |tx| Box::pin(async move { record_answer_in(tx, &answer).await })).await
}

async fn record_answer_in(tx: &mut Tx, answer: &NewAnswer) -> Result<Recorded> {
    let moved = on_tx!(tx, |c| sqlx::query(ADVANCE)
        .bind(answer.attempt.0)
        .bind(small(answer.position))
        .bind(i32::from(answer.correct))
        .bind(i32::from(answer.timing == AnswerTiming::TooFast))
        .bind(answer.at.millis())
        .execute(c)
        .await?
        .rows_affected());
    if moved == 0 {
        return Ok(Recorded::Stale);
    }
    on_tx!(tx, |c| sqlx::query(INSERT_ANSWER)
        .bind(answer.attempt.0)
        .bind(small(answer.position))
        .bind(answer.question.0)
        .bind(answer.given.map(|g| g.to_string()))
        .bind(answer.timing.code())
        .bind(answer.correct)
        .bind(answer.at.millis())
        .execute(c)
        .await?
        .rows_affected());
    if answer.last {
        finish_in(tx, answer.attempt, answer.at).await?;
    }
    Ok(Recorded::Answer)
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    position: i32,
    question_id: i64,
    given: Option<String>,
    timing: String,
    correct: bool,
    answered_at: i64,
}

pub(super) async fn answers(store: &SqlStore, attempt: AttemptId) -> Result<Vec<AnswerRecord>> {
    let rows: Vec<AnswerRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ANSWERS).bind(attempt.0).fetch_all(p).await?);
    rows.into_iter()
        .map(|row| {
            let corrupt =
                || StoreError::Corrupt(format!("contest attempt {attempt} answer {}", row.position));
            let given = match &row.given {
                Some(letters) => Some(LetterSet::parse(letters).ok_or_else(corrupt)?),
                None => None,
            };
            Ok(AnswerRecord {
                position: u32::try_from(row.position).map_err(|_| corrupt())?,
                question: QuestionId(row.question_id),
                given,
                timing: row.timing.parse().map_err(|_| corrupt())?,
                correct: row.correct,
                answered_at: Timestamp(row.answered_at),
            })
        })
        .collect()
}

pub(super) async fn finish(store: &SqlStore, attempt: AttemptId, at: Timestamp) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let finished = finish_in(&mut tx, attempt, at).await?;
    if finished {
        tx.commit().await?;
    }
    Ok(finished)
}

pub(super) async fn expired(
    store: &SqlStore,
    contest: Option<ContestId>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<AttemptId>> {
    let ids: Vec<i64> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(EXPIRED)
        .bind(now.millis())
        .bind(contest.map_or(0, |c| c.0))
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    Ok(ids.into_iter().map(AttemptId).collect())
}

/// What a finished attempt counts for, or what a best attempt counted for.
#[derive(sqlx::FromRow)]
struct Standing {
    home_org_id: i64,
    home_path: String,
    correct: i32,
    millis: i64,
}

#[derive(sqlx::FromRow)]
struct Finished {
    contest_id: i64,
    membership_id: i64,
    #[sqlx(flatten)]
    result: Standing,
}

/// Finishes an attempt inside `tx`; `false` when it had finished already. A new best
/// attempt replaces the member's old one, and the totals move from the old one's union
/// to the new one's (in org id order, so two finishes never wait on each other's rows).
async fn finish_in(tx: &mut Tx, attempt: AttemptId, at: Timestamp) -> Result<bool> {
    let finished: Option<Finished> =
        on_tx!(tx, |c| sqlx::query_as(FINISH).bind(attempt.0).bind(at.millis()).fetch_optional(c).await?);
    let Some(Finished { contest_id, membership_id, result: new }) = finished else {
        return Ok(false);
    };
    let claimed = on_tx!(tx, |c| sqlx::query(CLAIM_BEST)
        .bind(contest_id)
        .bind(membership_id)
        .bind(attempt.0)
        .bind(new.home_org_id)
        .bind(&new.home_path)
        .execute(c)
        .await?
        .rows_affected());
    let old: Option<Standing> = if claimed == 1 {
        None
    } else {
        Some(match tx {
            Tx::Sqlite(t) => {
                sqlx::query_as(BEST).bind(contest_id).bind(membership_id).fetch_one(&mut **t).await?
            }
            Tx::Postgres(t) => {
                sqlx::query_as(BEST_FOR_UPDATE)
                    .bind(contest_id)
                    .bind(membership_id)
                    .fetch_one(&mut **t)
                    .await?
            }
        })
    };
    let as_best = |r: &Standing| BestAttempt {
        person: (),
        correct: u32::try_from(r.correct).unwrap_or(0),
        millis: r.millis,
    };
    if old.as_ref().is_some_and(|old| !as_best(&new).beats(&as_best(old))) {
        return Ok(true);
    }
    on_tx!(tx, |c| sqlx::query(SET_BEST)
        .bind(contest_id)
        .bind(membership_id)
        .bind(attempt.0)
        .bind(new.home_org_id)
        .bind(&new.home_path)
        .bind(new.correct)
        .bind(new.millis)
        .execute(c)
        .await?
        .rows_affected());
    let mut moves = vec![(new.home_org_id, new.home_path.as_str(), 1i64, i64::from(new.correct))];
    if let Some(old) = &old {
        moves.push((old.home_org_id, old.home_path.as_str(), -1, -i64::from(old.correct)));
    }
    moves.sort_by_key(|m| m.0);
    for (org, path, participants, correct) in moves {
        on_tx!(tx, |c| sqlx::query(ADD_TOTALS)
            .bind(contest_id)
            .bind(org)
            .bind(path)
            .bind(participants)
            .bind(correct)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(true)
}
