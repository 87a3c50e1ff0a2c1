//! 跟着劳模去创新: the innovation registry kept by the admins of each subtree
//! ([`registry`]), its figures and the public page ([`figures`]), the first load from a
//! workbook ([`import`]), and the blind evaluation of innovation results
//! ([`evaluation`]).
//!
//! Every use case takes the acting [`Officer`]: records outside their subtree are
//! answered exactly like records that do not exist ([`InnovationError::NotFound`]), and
//! every change is written to the audit log.

pub mod evaluation;
pub mod figures;
pub mod import;
pub mod registry;

use huiji_core::innovation::evaluation::EvaluationError;
use huiji_core::innovation::evaluation::entry::AttachmentError;
use huiji_core::{Org, OrgId};
use huiji_store::{RegistryConflict, StoreError};

use crate::App;
use crate::audit::Officer;

/// Why an innovation use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InnovationError {
    /// No such record, or one outside the officer's subtree.
    #[error("not found")]
    NotFound,
    /// The officer's role may not do this (only admins keep the registry and run calls).
    #[error("forbidden")]
    Forbidden,
    /// A field is missing or wrong; the code names it (`name`, `honour`, `window` …).
    #[error("invalid field {0}")]
    Invalid(&'static str),
    /// The database refused the write (a duplicate name, a record still in use …).
    #[error("registry conflict: {0:?}")]
    Conflict(RegistryConflict),
    /// The call takes no entries today (before or after its window).
    #[error("the call is not taking entries")]
    NotTakingEntries,
    /// The call is closed: nothing changes any more.
    #[error("the call is closed")]
    CallClosed,
    /// The call is still open: no result yet.
    #[error("the call is still open")]
    CallOpen,
    /// The judge may not score this entry: it comes from their own studio or union, or
    /// they stood aside from it.
    #[error("conflict of interest")]
    ConflictOfInterest,
    /// A title or summary names its entrant (an author, the studio, the union), which
    /// would tell the judges whose entry it is.
    #[error("the text names the entrant: {0}")]
    NamesEntrant(String),
    /// An attachment was refused.
    #[error("attachment: {0}")]
    Attachment(#[from] AttachmentError),
    /// The entry already has the most attachments allowed.
    #[error("too many attachments")]
    TooManyAttachments,
    /// Criteria or marks were refused.
    #[error("evaluation: {0}")]
    Evaluation(#[from] EvaluationError),
    /// A workbook to import could not be read (a row that cannot is reported instead).
    #[error("file: {0}")]
    File(String),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Shorthand for the area's results.
pub type Result<T, E = InnovationError> = std::result::Result<T, E>;

/// Refuses anyone but an admin.
pub(crate) fn require_admin(officer: &Officer) -> Result<()> {
    if officer.role.is_admin() { Ok(()) } else { Err(InnovationError::Forbidden) }
}

/// Refuses viewers and judge-only accounts.
pub(crate) fn require_act(officer: &Officer) -> Result<()> {
    if officer.role.can_act() { Ok(()) } else { Err(InnovationError::Forbidden) }
}

/// A union in the officer's subtree (else `NotFound`, like a missing one).
pub async fn org_in_scope(app: &App, officer: &Officer, id: OrgId) -> Result<Org> {
    app.store().org(id).await?.filter(|org| officer.sees(&org.path)).ok_or(InnovationError::NotFound)
}

/// A saved record, or the conflict the database reported.
pub(crate) fn saved<T>(outcome: std::result::Result<T, RegistryConflict>) -> Result<T> {
    outcome.map_err(InnovationError::Conflict)
}

/// Text of 1 to `max` characters, trimmed; else `Invalid(field)`.
pub(crate) fn text(value: &str, max: usize, field: &'static str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(InnovationError::Invalid(field));
    }
    Ok(value.to_owned())
}

/// Text of at most `max` characters, trimmed, possibly empty.
pub(crate) fn optional_text(value: &str, max: usize, field: &'static str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(InnovationError::Invalid(field));
    }
    Ok(value.to_owned())
}
