//! Retention (DESIGN.md: rejected and withdrawn applications' personal data are purged
//! after a configurable period; so are ended legal-aid cases' descriptions, notes and
//! mobiles, and the roster entries of people who never joined): what `huiji purge` and the daily job run. The purge is
//! itself in the audit log. Key rotation's re-encryption is [`rotation`].

pub mod rotation;

use huiji_store::{PurgeCounts, Store, StoreError};

use crate::audit;
use crate::ports::Clock;

/// The default retention period.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// Purges the personal data past `days` and records what went, as `actor`.
pub async fn purge(
    store: &dyn Store,
    clock: &dyn Clock,
    days: u32,
    actor: &str,
) -> Result<PurgeCounts, StoreError> {
    let now = clock.now();
    let cutoff = now.plus_days(-i64::from(days));
    let mut counts = store.purge_personal_data(cutoff, now).await?;
    counts.cases = crate::cases::purge_ended(store, clock, days).await?;
    // Outreach: real-name rosters (entries of people who never joined; the counts stay).
    counts.roster = store.purge_roster(cutoff).await?;
    if counts != PurgeCounts::default() {
        let subject = format!(
            "{} applications, {} memberships, {} outbox messages, {} SMS challenges, {} legal-aid cases, \
             {} roster entries",
            counts.applications,
            counts.memberships,
            counts.outbox,
            counts.challenges,
            counts.cases,
            counts.roster
        );
        audit::record_system(store, now, actor, "purge", subject, Some(format!("retention {days} days")))
            .await?;
    }
    Ok(counts)
}
