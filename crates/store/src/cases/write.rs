//! Writing cases: each change is a compare-and-set on the case with its event in the
//! same transaction, so two officers acting at once cannot both move it.

use huiji_core::case::{CaseAction, CaseEventKind, CaseId, MissedDeadline, Rating};
use huiji_core::{OrgId, Timestamp};

use super::{CaseChange, Changed, Escalated, NewCase};
use crate::db::SqlStore;
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

const ORG_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

const INSERT: &str = "INSERT INTO cases (category, party, amount_fen, region_code, description, mobile_ct, \
    mobile_bidx, org_id, org_path, status, submitted_at, response_due, resolution_due) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11, $12) RETURNING id";

const INSERT_EVENT: &str = "INSERT INTO case_events (case_id, at, actor, kind, step, note, org_id, assignee_id) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/// One statement for every officer's action: the status moves only from the status read;
/// a response stamps the first response once; closing sets the outcome and the end.
const CHANGE: &str = "UPDATE cases SET status = $3, \
    first_response_at = CASE WHEN $4 THEN COALESCE(first_response_at, $5) ELSE first_response_at END, \
    assignee_id = COALESCE($6, assignee_id), outcome = COALESCE($7, outcome), \
    recovered_fen = COALESCE($8, recovered_fen), \
    ended_at = CASE WHEN $9 THEN $5 ELSE ended_at END \
    WHERE id = $1 AND status = $2";

const RATE: &str = "UPDATE cases SET rating = $2, rated_at = $3 \
    WHERE id = $1 AND status = 'closed' AND rating IS NULL";

const PARENT: &str = "SELECT p.id, p.path FROM orgs o JOIN orgs p ON p.id = o.parent_id WHERE o.id = $1";

/// Moves the case only if it is where the escalation read it, still open, and last
/// escalated for the same deadline (`''` standing for never).
const ESCALATE: &str = "UPDATE cases SET org_id = $3, org_path = $4, escalated_for = $5, escalated_at = $6 \
    WHERE id = $1 AND org_id = $2 AND status IN ('submitted', 'accepted', 'in_progress') \
    AND COALESCE(escalated_for, '') = $7";

const PURGE: &str = "UPDATE cases SET description = NULL, party = NULL, mobile_ct = $2, mobile_bidx = '', \
    purged_at = $3 WHERE purged_at IS NULL AND ended_at < $1";
const PURGE_NOTES: &str = "UPDATE case_events SET note = NULL WHERE note IS NOT NULL \
    AND case_id IN (SELECT id FROM cases WHERE purged_at = $1)";

/// One event row.
struct Event<'a> {
    case: CaseId,
    at: Timestamp,
    actor: &'a str,
    kind: CaseEventKind,
    step: Option<&'static str>,
    note: Option<&'a str>,
    org: Option<OrgId>,
    assignee: Option<i64>,
}

/// Writes an event, and the SMS it owes the worker in the same transaction.
async fn insert_event(tx: &mut Tx, event: &Event<'_>) -> Result<()> {
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(INSERT_EVENT)
        .bind(event.case.0)
        .bind(event.at.millis())
        .bind(event.actor)
        .bind(event.kind.code())
        .bind(event.step)
        .bind(event.note)
        .bind(event.org.map(|o| o.0))
        .bind(event.assignee)
        .fetch_one(c)
        .await?);
    crate::notices::case_event_in(tx, event.case.0, id, event.kind, event.at).await?;
    Ok(())
}

pub(super) async fn create(store: &SqlStore, case: &NewCase, at: Timestamp) -> Result<CaseId> {
    let mut tx = store.begin_write().await?;
    let path: Option<String> =
        on_tx!(&mut tx, |c| sqlx::query_scalar(ORG_PATH).bind(case.org.0).fetch_optional(c).await?);
    let path = path.ok_or(StoreError::NotFound("handling federation"))?;
    let id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT)
        .bind(case.category.code())
        .bind(case.party.as_deref())
        .bind(case.amount.map(|a| a.fen()))
        .bind(case.region.to_string())
        .bind(&case.description)
        .bind(&case.mobile.ciphertext)
        .bind(&case.mobile.blind_index)
        .bind(case.org.0)
        .bind(&path)
        .bind(at.millis())
        .bind(case.dues.response.millis())
        .bind(case.dues.resolution.millis())
        .fetch_one(c)
        .await?);
    let event = Event {
        case: CaseId(id),
        at,
        actor: "worker",
        kind: CaseEventKind::Submit,
        step: None,
        note: None,
        org: Some(case.org),
        assignee: None,
    };
    insert_event(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(CaseId(id))
}

pub(super) async fn change(store: &SqlStore, change: &CaseChange) -> Result<Changed> {
    let (outcome, recovered) = match change.action {
        CaseAction::Close(outcome) => {
            let kind = outcome.kind();
            let recovered =
                (kind == huiji_core::case::OutcomeKind::Recovered).then(|| outcome.recovered().fen());
            (Some(kind.code()), recovered)
        }
        _ => (None, None),
    };
    let step = match change.action {
        CaseAction::RecordStep(step) => Some(step.code()),
        _ => None,
    };
    let mut tx = store.begin_write().await?;
    let moved = on_tx!(&mut tx, |c| sqlx::query(CHANGE)
        .bind(change.case.0)
        .bind(change.from.code())
        .bind(change.to.code())
        .bind(change.action.is_response())
        .bind(change.at.millis())
        .bind(change.assignee.map(|u| u.0))
        .bind(outcome)
        .bind(recovered)
        .bind(!change.to.is_open())
        .execute(c)
        .await?
        .rows_affected());
    if moved == 0 {
        return Ok(Changed::Stale);
    }
    let event = Event {
        case: change.case,
        at: change.at,
        actor: &change.actor,
        kind: change.action.event(),
        step,
        note: change.note.as_deref(),
        org: None,
        assignee: change.assignee.map(|u| u.0),
    };
    insert_event(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Changed::Done)
}

pub(super) async fn rate(store: &SqlStore, id: CaseId, rating: Rating, at: Timestamp) -> Result<Changed> {
    let mut tx = store.begin_write().await?;
    let rated = on_tx!(&mut tx, |c| sqlx::query(RATE)
        .bind(id.0)
        .bind(i32::from(rating.stars()))
        .bind(at.millis())
        .execute(c)
        .await?
        .rows_affected());
    if rated == 0 {
        return Ok(Changed::Stale);
    }
    let event = Event {
        case: id,
        at,
        actor: "worker",
        kind: CaseEventKind::Rate,
        step: None,
        note: None,
        org: None,
        assignee: None,
    };
    insert_event(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Changed::Done)
}

pub(super) async fn escalate(
    store: &SqlStore,
    id: CaseId,
    from: OrgId,
    last: Option<MissedDeadline>,
    missed: MissedDeadline,
    at: Timestamp,
) -> Result<Escalated> {
    let mut tx = store.begin_write().await?;
    let parent: Option<(i64, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as(PARENT).bind(from.0).fetch_optional(c).await?);
    // At the root there is nobody above: the miss is marked so the job stops reading it.
    let (to, to_path) = match &parent {
        Some((id, path)) => (*id, path.clone()),
        None => {
            let path: Option<String> =
                on_tx!(&mut tx, |c| sqlx::query_scalar(ORG_PATH).bind(from.0).fetch_optional(c).await?);
            (from.0, path.ok_or(StoreError::NotFound("handling federation"))?)
        }
    };
    let moved = on_tx!(&mut tx, |c| sqlx::query(ESCALATE)
        .bind(id.0)
        .bind(from.0)
        .bind(to)
        .bind(&to_path)
        .bind(missed.code())
        .bind(at.millis())
        .bind(last.map_or("", MissedDeadline::code))
        .execute(c)
        .await?
        .rows_affected());
    if moved == 0 {
        return Ok(Escalated::Stale);
    }
    if parent.is_none() {
        tx.commit().await?;
        return Ok(Escalated::AtTop);
    }
    let event = Event {
        case: id,
        at,
        actor: "system",
        kind: CaseEventKind::Escalate,
        step: None,
        note: None,
        org: Some(OrgId(to)),
        assignee: None,
    };
    insert_event(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Escalated::To(OrgId(to)))
}

pub(super) async fn purge(store: &SqlStore, cutoff: Timestamp, at: Timestamp) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let purged = on_tx!(&mut tx, |c| sqlx::query(PURGE)
        .bind(cutoff.millis())
        .bind(Vec::<u8>::new())
        .bind(at.millis())
        .execute(c)
        .await?
        .rows_affected());
    if purged > 0 {
        on_tx!(&mut tx, |c| sqlx::query(PURGE_NOTES).bind(at.millis()).execute(c).await?.rows_affected());
    }
    tx.commit().await?;
    Ok(purged)
}
