//! Entering results: officers (not viewers) of the unions in a call's subtree submit
//! entries for their unions within the call's window, with a few small files each.
//! Nothing a judge reads — title, summary, attachment numbers — may name the entrant.

use huiji_core::OrgId;
use huiji_core::audit::AuditAction;
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::entry::{
    MAX_ATTACHMENTS, attachment_name, check_attachment, names_entrant,
};
use huiji_core::innovation::evaluation::{AttachmentId, CallId, CallStatus, EntryId};
use huiji_store::{Attachment, AttachmentMeta, EntryRecord, NewAttachment, NewEntry};

use super::super::{InnovationError, Result, optional_text, org_in_scope, require_act, saved, text};
use super::call;
use crate::App;
use crate::audit::Officer;

/// An entry as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryForm {
    /// One of the call's categories.
    pub category: String,
    /// The result's title.
    pub title: String,
    /// What it is and what it achieved.
    pub summary: String,
    /// Who made it, names separated by 、 or commas.
    pub authors: String,
    /// The studio it comes from, if any.
    pub studio: Option<StudioId>,
    /// The union entering it (in the officer's subtree and the call's).
    pub org: OrgId,
}

/// Submits an entry to an open call.
///
/// # Errors
///
/// `NotFound` for a call, union or studio the officer does not see, `Forbidden` for
/// viewers, `NotTakingEntries` outside the window, `CallClosed`, `Invalid` for
/// `category`, `title`, `summary` or `authors`, `NamesEntrant` when the title or summary
/// names an author, the studio, its leader or the union, `Conflict(Duplicate)` for a
/// title the call has.
pub async fn submit(app: &App, officer: &Officer, id: CallId, form: EntryForm) -> Result<EntryId> {
    require_act(officer)?;
    let view = call(app, officer, id).await?;
    if view.call.status == CallStatus::Closed {
        return Err(InnovationError::CallClosed);
    }
    if !view.may_enter {
        return Err(InnovationError::NotTakingEntries);
    }
    let org = org_in_scope(app, officer, form.org).await?;
    if !view.call.org_path.contains(&org.path) {
        return Err(InnovationError::NotFound);
    }
    let studio = match form.studio {
        Some(id) => Some(super::super::registry::studio(app, officer, id).await?),
        None => None,
    };
    if !view.call.call.categories.contains(&form.category) {
        return Err(InnovationError::Invalid("category"));
    }
    let entry = NewEntry {
        call: id,
        category: form.category,
        title: text(&form.title, 100, "title")?,
        summary: optional_text(&form.summary, 2_000, "summary")?,
        authors: text(&form.authors, 200, "authors")?,
        studio: form.studio,
        org: org.id,
        submitted_by: officer.actor(),
    };
    let mut names: Vec<&str> = entry.authors.split(['、', ',', '，', ';', '；', ' ']).collect();
    names.push(&org.name);
    if let Some(studio) = &studio {
        names.extend([studio.studio.name.as_str(), studio.leader_name.as_str()]);
    }
    for text in [&entry.title, &entry.summary] {
        if let Some(name) = names_entrant(text, &names) {
            return Err(InnovationError::NamesEntrant(name.to_owned()));
        }
    }
    let entry_id = saved(app.store().add_entry(&entry, app.now()).await?)?;
    let store = app.store().as_ref();
    let subject = format!("entry:{entry_id}");
    officer.record(store, app.now(), &org.path, AuditAction::EntrySubmit, subject, Some(entry.title)).await?;
    Ok(entry_id)
}

/// The entries of a call an officer sees: every entry for those who run it, else those
/// of their subtree's unions.
///
/// # Errors
///
/// `NotFound` for a call they do not see.
pub async fn entries(app: &App, officer: &Officer, id: CallId) -> Result<Vec<EntryRecord>> {
    let view = call(app, officer, id).await?;
    let entries = app.store().entries(id).await?;
    Ok(entries.into_iter().filter(|e| view.manages || officer.sees(&e.org_path)).collect())
}

/// One entry the officer sees (as in [`entries`]), with its attachments.
///
/// # Errors
///
/// `NotFound`.
pub async fn entry(app: &App, officer: &Officer, id: EntryId) -> Result<(EntryRecord, Vec<AttachmentMeta>)> {
    let entry = app.store().entry(id).await?.ok_or(InnovationError::NotFound)?;
    let view = call(app, officer, entry.entry.call).await?;
    if !view.manages && !officer.sees(&entry.org_path) {
        return Err(InnovationError::NotFound);
    }
    let attachments = app.store().attachments(id).await?;
    Ok((entry, attachments))
}

/// Attaches a file (a PDF, PNG or JPEG of at most 5 MB) to an entry of the officer's
/// subtree while the call is open.
///
/// # Errors
///
/// `NotFound`, `Forbidden` for viewers, `CallClosed`, `Attachment`,
/// `TooManyAttachments`.
pub async fn attach(
    app: &App,
    officer: &Officer,
    id: EntryId,
    sent_name: &str,
    bytes: Vec<u8>,
) -> Result<AttachmentId> {
    require_act(officer)?;
    let (entry, attachments) = entry(app, officer, id).await?;
    if !officer.sees(&entry.org_path) {
        return Err(InnovationError::NotFound);
    }
    let call = app.store().call(entry.entry.call).await?.ok_or(InnovationError::NotFound)?;
    if call.status == CallStatus::Closed {
        return Err(InnovationError::CallClosed);
    }
    if attachments.len() >= MAX_ATTACHMENTS {
        return Err(InnovationError::TooManyAttachments);
    }
    let kind = check_attachment(&bytes)?;
    let file = NewAttachment { file_name: attachment_name(sent_name), kind, content: bytes };
    let attachment = app.store().add_attachment(id, &file, app.now()).await?;
    let store = app.store().as_ref();
    let subject = format!("entry:{id}");
    officer
        .record(store, app.now(), &entry.org_path, AuditAction::EntryAttach, subject, Some(file.file_name))
        .await?;
    Ok(attachment)
}

/// An attachment of an entry the officer sees.
///
/// # Errors
///
/// `NotFound`.
pub async fn attachment(app: &App, officer: &Officer, id: AttachmentId) -> Result<Attachment> {
    let file = app.store().attachment(id).await?.ok_or(InnovationError::NotFound)?;
    entry(app, officer, file.meta.entry).await?;
    Ok(file)
}
