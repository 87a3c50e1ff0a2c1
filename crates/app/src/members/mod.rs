//! Members of an officer's subtree: lifecycle changes (保留会籍, 恢复, 退会, 除名, 去世),
//! revealing a full ID number or mobile, and the audit record of an export. Every use case
//! takes the acting officer: a membership outside their subtree is answered exactly like
//! one that does not exist ([`MembersError::NotFound`]).

pub mod export;
pub mod lifecycle;
pub mod reveal;

use huiji_core::OrgPath;
use huiji_core::audit::AuditAction;
use huiji_store::{MembershipDetail, StoreError};

use crate::App;
use crate::actor::Actor;

pub use export::{FullRow, export_full};
pub use lifecycle::{change, check_change};
pub use reveal::{Revealable, reveal};

/// The longest reason a lifecycle change or a reveal accepts.
pub const MAX_REASON_CHARS: usize = 200;

/// Why a members use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    /// No such membership, or one outside the officer's subtree.
    #[error("not found")]
    NotFound,
    /// The officer may not do this (a viewer changing a membership, or an officer
    /// without `pii.reveal` revealing).
    #[error("forbidden")]
    Forbidden,
    /// The change does not apply to the membership's status.
    #[error("the change does not apply to this status")]
    NotApplicable,
    /// No reason was given.
    #[error("a reason is required")]
    ReasonMissing,
    /// The reason is longer than [`MAX_REASON_CHARS`].
    #[error("reason too long")]
    ReasonTooLong,
    /// The membership changed meanwhile and the change no longer applies.
    #[error("the membership changed meanwhile")]
    Changed,
    /// Reactivating would give the person a second held membership.
    #[error("the person holds another membership")]
    AlreadyMember,
    /// Not a field that may be revealed.
    #[error("unknown field")]
    UnknownField,
    /// The member's personal data was purged: nothing to reveal.
    #[error("purged")]
    Purged,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Shorthand for the area's results.
pub type Result<T, E = MembersError> = std::result::Result<T, E>;

/// The membership's home path, where its records are scoped.
pub(crate) fn home_path(member: &MembershipDetail) -> Option<OrgPath> {
    OrgPath::parse(&member.record.home_path)
}

/// The membership if it lies in the actor's subtree, else [`MembersError::NotFound`].
///
/// # Errors
///
/// Not found or out of scope, or the store's.
pub async fn in_scope(app: &App, actor: &Actor, id: i64) -> Result<MembershipDetail> {
    let member = app.store().membership_detail(id).await?;
    member.filter(|m| home_path(m).is_some_and(|p| actor.sees(&p))).ok_or(MembersError::NotFound)
}

/// The reason as kept (trimmed), when one is given and not too long.
pub(crate) fn reason(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.is_empty() {
        Err(MembersError::ReasonMissing)
    } else if text.chars().count() > MAX_REASON_CHARS {
        Err(MembersError::ReasonTooLong)
    } else {
        Ok(text)
    }
}

/// Which file an export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV.
    Csv,
    /// XLSX.
    Xlsx,
}

/// Records that the actor exported members of `scope` (masked as the list is, an export
/// still lists people's union membership): before any row leaves.
///
/// # Errors
///
/// The store's.
pub async fn record_export(
    app: &App,
    actor: &Actor,
    scope: &OrgPath,
    format: ExportFormat,
    subject: String,
) -> Result<()> {
    let action = match format {
        ExportFormat::Csv => AuditAction::ExportMembersCsv,
        ExportFormat::Xlsx => AuditAction::ExportMembersXlsx,
    };
    actor.audit(app, scope, action, subject).await?;
    Ok(())
}
