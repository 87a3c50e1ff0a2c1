//! The full export (姓名, 身份证号, 手机号 in full): only for officers holding
//! `pii.reveal`, with a reason, in the audit log before any row is read. The masked
//! export ([`super::record_export`]) stays the default; this one is a roster of real
//! people and is treated like a reveal of every row.

use huiji_core::audit::AuditAction;
use huiji_store::{MemberQuery, MembershipRecord};
use huiji_vault::Field;

use super::{MembersError, Result, reason};
use crate::App;
use crate::actor::Actor;

/// Members read per batch.
const BATCH: u32 = 1_000;

/// One member with their identifiers in full.
#[derive(Clone)]
pub struct FullRow {
    /// The membership (name, work region, home union, joined).
    pub record: MembershipRecord,
    /// The full ID number ('' once purged).
    pub id_number: String,
    /// The full mobile ('' once purged).
    pub mobile: String,
}

impl std::fmt::Debug for FullRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FullRow").field("id", &self.record.id).finish_non_exhaustive()
    }
}

/// Every member `query` matches (at most `max_rows`, newest first) with full name, ID
/// number and mobile. The checks run in this order: the query's subtree within the
/// actor's, the permission, the reason; then the export is recorded (`subject` says what
/// was asked for) and only then read.
///
/// # Errors
///
/// Out of scope (not found), no `pii.reveal`, no reason or one too long, or the store's.
pub async fn export_full(
    app: &App,
    actor: &Actor,
    mut query: MemberQuery,
    why: &str,
    subject: &str,
    max_rows: usize,
) -> Result<Vec<FullRow>> {
    let scope = match (&query.within, actor) {
        (Some(within), _) => within.clone(),
        (None, Actor::Officer(officer)) => officer.scope.clone(),
        (None, Actor::Operator) => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    if !actor.sees(&scope) {
        return Err(MembersError::NotFound);
    }
    query.within = Some(scope.clone());
    let may = match actor {
        Actor::Officer(officer) => officer.can_reveal,
        Actor::Operator => true,
    };
    if !may {
        return Err(MembersError::Forbidden);
    }
    let why = reason(why)?;
    actor.audit_because(app, &scope, AuditAction::ExportMembersFull, subject.to_owned(), Some(why)).await?;
    query.limit = BATCH;
    query.before_id = None;
    let mut rows = Vec::new();
    loop {
        let batch = app.store().search_members(&query).await?;
        let full = batch.len() == BATCH as usize;
        query.before_id = batch.last().map(|m| m.id);
        let ids: Vec<i64> = batch.iter().map(|m| m.id).collect();
        let mut details = app.store().membership_details(&ids).await?;
        // Newest first, as the list and the masked export.
        details.sort_by_key(|d| std::cmp::Reverse(d.record.id));
        for detail in details {
            let open = |field: Field, ct: &[u8]| app.keys().decrypt(field, ct).unwrap_or_default();
            rows.push(FullRow {
                id_number: open(Field::IdNumber, &detail.id_number_ct),
                mobile: open(Field::Mobile, &detail.mobile_ct),
                record: detail.record,
            });
        }
        if !full || rows.len() >= max_rows {
            break;
        }
    }
    rows.truncate(max_rows);
    Ok(rows)
}
