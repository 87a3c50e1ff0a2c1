//! One part of a key range written in its transaction, and what became of its rows.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use huiji_core::roster::{RosterColumn, RosterState};
use huiji_store::{EntryOutcome, NewRosterEntry, RosterCounts};

use super::RosterError;
use super::read::Accepted;
use super::report::Report;
use crate::App;

/// A part as the store wrote it: its entries, each row's number and masked mobile, and
/// what became of each.
#[derive(Default)]
pub(super) struct Written {
    entries: Vec<NewRosterEntry>,
    rows: Vec<(u64, String)>,
    outcomes: Vec<EntryOutcome>,
}

/// Parts written at once: the next part's write starts while the one before is written —
/// on PostgreSQL its transaction runs on a second connection (each server process takes
/// a core); on SQLite, which has one writer, its statements are made meanwhile (on
/// another thread of the runtime) and it waits for the connection (`huiji_store`'s
/// roster writes).
pub(super) const IN_FLIGHT: usize = 2;

/// One part's write, as a task of its own. Dropped before it ends (the import stopped
/// on an error elsewhere), the task is aborted and its transaction rolls back.
pub(super) struct Writing {
    /// Rows in the part.
    pub(super) rows: usize,
    task: tokio::task::JoinHandle<Result<Written, RosterError>>,
}

impl Writing {
    /// Starts writing `part`.
    pub(super) fn start(app: &App, import_id: i64, part: Vec<Accepted>) -> Writing {
        let app = app.clone();
        let rows = part.len();
        let task = tokio::spawn(async move { write_part(&app, import_id, part).await });
        Writing { rows, task }
    }
}

impl Future for Writing {
    type Output = Result<Written, RosterError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx).map(|joined| {
            joined.unwrap_or_else(|e| Err(RosterError::Internal(format!("writing a part: {e}"))))
        })
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Writes one part of a key range (in one transaction); nothing for an empty one.
async fn write_part(app: &App, import_id: i64, accepted: Vec<Accepted>) -> Result<Written, RosterError> {
    if accepted.is_empty() {
        return Ok(Written::default());
    }
    // The entries move to the store; the report keeps only what it may need of each row.
    let (entries, rows): (Vec<NewRosterEntry>, Vec<(u64, String)>) =
        accepted.into_iter().map(|a| (a.entry, (a.row, a.mobile_masked))).unzip();
    let outcomes = app.store().add_roster_entries(import_id, &entries, app.now()).await?;
    Ok(Written { entries, rows, outcomes })
}

impl Written {
    /// Counts and reports what became of each row.
    pub(super) fn count(&self, counts: &mut RosterCounts, report: &mut Report) {
        for ((entry, (row, mobile_masked)), outcome) in
            self.entries.iter().zip(&self.rows).zip(&self.outcomes)
        {
            let state = match *outcome {
                EntryOutcome::New(state) => {
                    counts.imported += 1;
                    state
                }
                EntryOutcome::Existing { state, mobile, employer } => {
                    counts.already_on_roster += 1;
                    if mobile || employer {
                        counts.updated += 1;
                    }
                    if mobile {
                        report.updated(*row, RosterColumn::Mobile, mobile_masked);
                    }
                    if employer {
                        report.updated(
                            *row,
                            RosterColumn::Employer,
                            entry.employer_name.as_deref().unwrap_or_default(),
                        );
                    }
                    state
                }
            };
            match state {
                RosterState::Member => counts.members += 1,
                RosterState::Pending => counts.pending += 1,
                RosterState::NotMember => counts.not_members += 1,
            }
        }
    }
}
