//! Judging, blind: a judge sees a call's entries as [`BlindEntry`] values — number,
//! category, title, summary, attachments by number — which carry no author, studio,
//! union or file name, so no page built from them can show one. A judge cannot score an
//! entry of their own studio or union (nor one they stood aside from), and every score
//! is audited.

use huiji_core::audit::AuditAction;
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::entry::AttachmentKind;
use huiji_core::innovation::evaluation::{
    AttachmentId, CallId, CallStatus, EntryId, Hundredths, conflict_of_interest,
};
use huiji_core::{OrgId, Role};
use huiji_store::{Attachment, Call, EntryRecord, Judge, ScoreOutcome};

use super::super::{InnovationError, Result};
use crate::App;
use crate::audit::Officer;

/// What ties a judge or an entry to someone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Affiliation {
    Studio(StudioId),
    Union(OrgId),
}

/// Whether a judge may not score an entry: it comes from a studio they declared, or
/// from their own union (an officer's; a judge-only account belongs to no union).
pub(crate) fn conflicted(judge: &Judge, entry: &EntryRecord) -> bool {
    let mut mine: Vec<Affiliation> = judge.studios.iter().copied().map(Affiliation::Studio).collect();
    if judge.role != Role::Judge {
        mine.push(Affiliation::Union(judge.org));
    }
    let theirs: Vec<Affiliation> = entry
        .entry
        .studio
        .map(Affiliation::Studio)
        .into_iter()
        .chain([Affiliation::Union(entry.entry.org)])
        .collect();
    conflict_of_interest(&mine, &theirs)
}

/// Where a judge stands with an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Not scored yet.
    Open,
    /// Scored: the marks and their weighted mean.
    Scored(Vec<u32>, Hundredths),
    /// Their own studio's or union's entry: not theirs to score.
    Conflict,
    /// They stood aside.
    Recused,
}

/// An attachment as a judge sees it: by number, never by the name it came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlindAttachment {
    /// Id (for the download link).
    pub id: AttachmentId,
    /// 1, 2, … within the entry.
    pub number: u32,
    /// What it is.
    pub kind: AttachmentKind,
    /// Bytes.
    pub size: u32,
}

/// An entry as a judge sees it: nothing about who entered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlindEntry {
    /// Id (for links).
    pub id: EntryId,
    /// 1, 2, … within the call, in the order entries came.
    pub number: u32,
    /// Its category.
    pub category: String,
    /// Its title.
    pub title: String,
    /// Its summary.
    pub summary: String,
    /// Its attachments (listed only on the entry's own page).
    pub attachments: Vec<BlindAttachment>,
    /// The judge's standing with it.
    pub standing: Standing,
}

/// A call as its judge sees it: the call and its entries, blind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    /// The call (its organiser, window, criteria).
    pub call: Call,
    /// The entries.
    pub entries: Vec<BlindEntry>,
}

/// The calls an account judges, newest first.
///
/// # Errors
///
/// The store's.
pub async fn judged_calls(app: &App, judge: &Officer) -> Result<Vec<Call>> {
    Ok(app.store().judged_calls(judge.user).await?)
}

/// The judge's seat on a call (`NotFound` for anyone not on the panel).
async fn seat(app: &App, judge: &Officer, call: CallId) -> Result<(Call, Judge)> {
    let call = app.store().call(call).await?.ok_or(InnovationError::NotFound)?;
    let seat = app.store().judges(call.id).await?.into_iter().find(|j| j.user == judge.user);
    Ok((call, seat.ok_or(InnovationError::NotFound)?))
}

/// A call's entries for one of its judges, blind (attachments not listed).
///
/// # Errors
///
/// `NotFound` unless the account judges the call.
pub async fn panel(app: &App, judge: &Officer, id: CallId) -> Result<Panel> {
    let (call, seat) = seat(app, judge, id).await?;
    let entries = app.store().entries(id).await?;
    let scores = app.store().scores(id).await?;
    let recusals = app.store().recusals(id).await?;
    let blind = entries
        .iter()
        .zip(1u32..)
        .map(|(entry, number)| {
            let score = scores.iter().find(|s| s.entry == entry.id && s.judge == judge.user);
            let standing = if conflicted(&seat, entry) {
                Standing::Conflict
            } else if recusals.contains(&(entry.id, judge.user)) {
                Standing::Recused
            } else if let Some(score) = score {
                Standing::Scored(score.marks.clone(), score.score)
            } else {
                Standing::Open
            };
            BlindEntry {
                id: entry.id,
                number,
                category: entry.entry.category.clone(),
                title: entry.entry.title.clone(),
                summary: entry.entry.summary.clone(),
                attachments: Vec::new(),
                standing,
            }
        })
        .collect();
    Ok(Panel { call, entries: blind })
}

/// One entry for a judge of its call, blind, with its attachments by number.
///
/// # Errors
///
/// `NotFound` unless the account judges the entry's call.
pub async fn blind_entry(app: &App, judge: &Officer, id: EntryId) -> Result<(Call, BlindEntry)> {
    let entry = app.store().entry(id).await?.ok_or(InnovationError::NotFound)?;
    let panel = panel(app, judge, entry.entry.call).await?;
    let mut blind = panel.entries.into_iter().find(|e| e.id == id).ok_or(InnovationError::NotFound)?;
    if blind.standing != Standing::Conflict {
        let files = app.store().attachments(id).await?;
        blind.attachments = files
            .into_iter()
            .zip(1u32..)
            .map(|(f, number)| BlindAttachment { id: f.id, number, kind: f.kind, size: f.size })
            .collect();
    }
    Ok((panel.call, blind))
}

/// An attachment for a judge of its entry's call (not of an entry they may not score).
///
/// # Errors
///
/// `NotFound`, `ConflictOfInterest`.
pub async fn attachment(app: &App, judge: &Officer, id: AttachmentId) -> Result<Attachment> {
    let file = app.store().attachment(id).await?.ok_or(InnovationError::NotFound)?;
    let (_, entry) = blind_entry(app, judge, file.meta.entry).await?;
    if entry.standing == Standing::Conflict {
        return Err(InnovationError::ConflictOfInterest);
    }
    Ok(file)
}

/// A judge scores an entry: one mark (0–100) per criterion; the weighted mean is kept and
/// returned. A judge may change their score until the call closes; each score is
/// audited with its marks.
///
/// # Errors
///
/// `NotFound` unless the account judges the call, `ConflictOfInterest` for an entry of
/// their studio or union or one they stood aside from, `CallClosed`, `Evaluation` for
/// marks that do not fit the criteria.
pub async fn score(app: &App, judge: &Officer, id: EntryId, marks: &[u32]) -> Result<Hundredths> {
    let entry = app.store().entry(id).await?.ok_or(InnovationError::NotFound)?;
    let (call, seat) = seat(app, judge, entry.entry.call).await?;
    if conflicted(&seat, &entry) || app.store().recusals(call.id).await?.contains(&(id, judge.user)) {
        return Err(InnovationError::ConflictOfInterest);
    }
    if call.status == CallStatus::Closed {
        return Err(InnovationError::CallClosed);
    }
    let score = call.call.criteria.weighted_score(marks)?;
    match app.store().record_score(id, judge.user, marks, score, app.now()).await? {
        ScoreOutcome::Recorded => {}
        ScoreOutcome::CallClosed => return Err(InnovationError::CallClosed),
        ScoreOutcome::Missing => return Err(InnovationError::NotFound),
    }
    let marks: Vec<String> = marks.iter().map(ToString::to_string).collect();
    let reason = format!("{score} ({})", marks.join(","));
    let store = app.store().as_ref();
    judge
        .record(
            store,
            app.now(),
            &call.org_path,
            AuditAction::EntryScore,
            format!("entry:{id}"),
            Some(reason),
        )
        .await?;
    Ok(score)
}

/// A judge stands aside from an entry (they know whose it is): it is no longer theirs to
/// score, and any score they gave it is not counted. Audited with their reason.
///
/// # Errors
///
/// `NotFound` unless the account judges the call, `CallClosed`, `Invalid("reason")`.
pub async fn recuse(app: &App, judge: &Officer, id: EntryId, reason: &str) -> Result<()> {
    let entry = app.store().entry(id).await?.ok_or(InnovationError::NotFound)?;
    let (call, _) = seat(app, judge, entry.entry.call).await?;
    if call.status == CallStatus::Closed {
        return Err(InnovationError::CallClosed);
    }
    let reason = super::super::text(reason, 200, "reason")?;
    app.store().recuse(id, judge.user, &reason, app.now()).await?;
    let store = app.store().as_ref();
    judge
        .record(
            store,
            app.now(),
            &call.org_path,
            AuditAction::EntryRecuse,
            format!("entry:{id}"),
            Some(reason),
        )
        .await?;
    Ok(())
}
