//! The grants an approval makes: inside the approval's transaction (instant or an
//! officer's), every `on_approval` programme the new member is eligible for, while its
//! quota (and their child union's share) lasts. A refusal writes nothing and fails no
//! statement, so the approval goes on; a failed approval rolls its grants back with it.

use huiji_core::Timestamp;
use huiji_core::benefit::{GrantMode, valid_until};

use super::row::{ProgrammeRow, programme_columns};
use super::write::{grant_in, member_in};
use super::{Granted, NewGrant, ProgrammeRecord};
use crate::Result;
use crate::tx::{Tx, on_tx};

/// Candidates: on-approval programmes with quota left, in id order (so concurrent
/// approvals lock programme rows in the same order). Scope, period and eligibility are
/// checked against each.
const ON_APPROVAL: &str =
    concat!(programme_columns!(), " WHERE grant_mode = 'on_approval' AND granted < quota ORDER BY id");

/// Grants the new membership every eligible `on_approval` programme with quota left, in
/// the caller's (the approval's) transaction; how many it granted. Each grant's SMS is
/// queued on its row and sent after the commit.
///
/// # Errors
///
/// The database's (the caller then rolls back the approval too).
pub(crate) async fn grant_on_approval_in(
    tx: &mut Tx,
    membership: i64,
    actor: &str,
    at: Timestamp,
) -> Result<u32> {
    // The programmes first: most of the time there is none, and the member need not be
    // read at all (one statement less per join, issue 14).
    let rows: Vec<ProgrammeRow> = on_tx!(tx, |c| sqlx::query_as(ON_APPROVAL).fetch_all(c).await?);
    if rows.is_empty() {
        return Ok(0);
    }
    let Some(member) = member_in(tx, membership).await? else { return Ok(0) };
    // The ID number is sealed here, so no birth date: on-approval programmes have no age
    // rule (huiji_core::benefit::parse_programme refuses one).
    let Some(snapshot) = member.snapshot(None) else { return Ok(0) };
    let today = at.china_date();
    let mut granted = 0;
    for row in rows {
        let programme = ProgrammeRecord::try_from(row)?;
        let applies = programme.org_path.contains(&member.home_path)
            && programme.rules.period.contains(today)
            && programme.rules.eligibility.check(&snapshot, today).is_ok();
        if !applies {
            continue;
        }
        let grant = NewGrant {
            programme: programme.id,
            membership,
            via: GrantMode::OnApproval,
            valid_until: valid_until(programme.valid_days, programme.rules.period, today),
            actor: actor.to_owned(),
            at,
        };
        if let Granted::Done(_) = grant_in(tx, &grant, &member.home_path).await? {
            granted += 1;
        }
    }
    Ok(granted)
}
