//! What officers see of their subtree's roster: its size and coverage (members ÷ roster)
//! by occupation and importing union, the imports, and the non-members to reach — masked
//! on pages; in full only in an export by an officer holding `pii.reveal`, with a reason,
//! audited.

use huiji_core::audit::AuditAction;
use huiji_core::person_name::mask_stored;
use huiji_core::{Occupation, OrgId, OrgPath, RegionCode, id_number};
use huiji_store::{RosterCoverage, RosterImportRecord, RosterPerson};
use huiji_vault::Field;

use super::RosterError;
use crate::App;
use crate::actor::Actor;

/// The longest reason an export takes.
const MAX_REASON_CHARS: usize = 200;

/// A page of the outreach list at most this long.
pub const PAGE: u32 = 50;

/// A non-member as pages show one: masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedPerson {
    /// The entry's id (the keyset for the next page).
    pub id: i64,
    /// The source.
    pub source: String,
    /// 张*
    pub name: String,
    /// 3401**********123X
    pub id_number: String,
    /// 138****5678, empty without one.
    pub mobile: String,
    /// 从业类型
    pub occupation: Occupation,
    /// Work region, when known.
    pub region: Option<RegionCode>,
    /// Employer, when known.
    pub employer: String,
}

/// The subtree an officer asks about: their own, or a union within it (drill down).
///
/// # Errors
///
/// The union is missing or outside the actor's subtree; the store's.
pub async fn scope_of(app: &App, actor: &Actor, org: Option<OrgId>) -> Result<OrgPath, RosterError> {
    match (org, actor) {
        (Some(id), _) => {
            let org =
                app.store().org(id).await?.filter(|o| actor.sees(&o.path)).ok_or(RosterError::NotFound)?;
            Ok(org.path)
        }
        (None, Actor::Officer(officer)) => Ok(officer.scope.clone()),
        (None, Actor::Operator) => Ok(crate::audit::root_scope(app.store().as_ref()).await?),
    }
}

/// The roster coverage of a subtree.
///
/// # Errors
///
/// As [`scope_of`].
pub async fn coverage(app: &App, actor: &Actor, org: Option<OrgId>) -> Result<RosterCoverage, RosterError> {
    let within = scope_of(app, actor, org).await?;
    Ok(app.store().roster_coverage(&within).await?)
}

/// The imports made within the actor's subtree, newest first.
///
/// # Errors
///
/// The store's.
pub async fn imports(app: &App, actor: &Actor, limit: u32) -> Result<Vec<RosterImportRecord>, RosterError> {
    let within = scope_of(app, actor, None).await?;
    Ok(app.store().roster_imports(&within, limit).await?)
}

/// One import the actor may see.
///
/// # Errors
///
/// Not found or out of scope; the store's.
pub async fn import_record(app: &App, actor: &Actor, id: i64) -> Result<RosterImportRecord, RosterError> {
    app.store().roster_import(id).await?.filter(|i| actor.sees(&i.org_path)).ok_or(RosterError::NotFound)
}

/// A page of the subtree's non-members, masked, after the entry `after`.
///
/// # Errors
///
/// As [`scope_of`]; a ciphertext the keys cannot open.
pub async fn non_members(
    app: &App,
    actor: &Actor,
    org: Option<OrgId>,
    after: i64,
) -> Result<Vec<MaskedPerson>, RosterError> {
    let within = scope_of(app, actor, org).await?;
    let people = app.store().roster_non_members(&within, after, PAGE).await?;
    people.into_iter().map(|p| open(app, p, true)).collect()
}

/// Every non-member of the subtree in full, for an outreach list (CSV by the door): only
/// for officers holding `pii.reveal`, with a reason, recorded in the audit log before
/// anything is returned.
///
/// # Errors
///
/// As [`scope_of`]; no `pii.reveal`; no reason or one over 200 characters.
pub async fn export_non_members(
    app: &App,
    actor: &Actor,
    org: Option<OrgId>,
    why: &str,
) -> Result<Vec<MaskedPerson>, RosterError> {
    let within = scope_of(app, actor, org).await?;
    let may = match actor {
        Actor::Officer(officer) => officer.can_reveal,
        Actor::Operator => true,
    };
    if !may {
        return Err(RosterError::Forbidden);
    }
    let why = why.trim();
    if why.is_empty() || why.chars().count() > MAX_REASON_CHARS {
        return Err(RosterError::ReasonRequired);
    }
    let mut people = Vec::new();
    let mut after = 0;
    loop {
        let page = app.store().roster_non_members(&within, after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for person in page {
            people.push(open(app, person, false)?);
        }
    }
    let subject = format!("roster non-members of {}: {} people", within.as_str(), people.len());
    actor.audit_because(app, &within, AuditAction::RosterExport, subject, Some(why)).await?;
    Ok(people)
}

/// Opens an entry's sealed values, masked for a page or in full for an export.
fn open(app: &App, person: RosterPerson, masked: bool) -> Result<MaskedPerson, RosterError> {
    let id_number = app.keys().decrypt(Field::IdNumber, &person.id_number_ct)?;
    let mobile = match &person.mobile_ct {
        Some(ct) => app.keys().decrypt(Field::Mobile, ct)?,
        None => String::new(),
    };
    let name = person.name.unwrap_or_default();
    Ok(MaskedPerson {
        id: person.id,
        source: person.source,
        name: if masked { mask_stored(&name) } else { name },
        id_number: if masked { id_number::mask(&id_number) } else { id_number },
        mobile: if masked { mask_mobile(&mobile) } else { mobile },
        occupation: person.occupation,
        region: person.region,
        employer: person.employer_name.unwrap_or_default(),
    })
}

/// 138****5678 (the stored mobile is the normalised 11 digits).
fn mask_mobile(mobile: &str) -> String {
    match (mobile.get(..3), mobile.get(7..)) {
        (Some(head), Some(tail)) if mobile.len() == 11 => format!("{head}****{tail}"),
        _ => "*".repeat(mobile.chars().count()),
    }
}
