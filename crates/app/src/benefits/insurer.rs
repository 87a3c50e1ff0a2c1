//! The insurer's side: the list of a programme's grants to enrol (masked for everyone;
//! full names, ID numbers and mobiles only with `pii.reveal`, a reason and an audit
//! record written before any row leaves), and the policy numbers the insurer sends back,
//! imported from their workbook by ID number (身份证号, 保单号).

use huiji_core::audit::AuditAction;
use huiji_core::benefit::{GrantAction, GrantStatus, PolicyNumber, ProgrammeId};
use huiji_core::id_number::mask;
use huiji_core::person_name::mask_stored;
use huiji_core::{CivilDate, IdNumber, Mobile, OrgPath};
use huiji_store::{GrantChange, ProgrammeRecord};
use huiji_tabular::{Cell, HeaderSpec, Table};
use huiji_vault::Field;

use super::{BenefitError, programme_for};
use crate::App;
use crate::actor::Actor;

/// Longest reason for a full export.
const MAX_REASON_CHARS: usize = 200;

/// One line of the insurer's list.
#[derive(Clone, PartialEq, Eq)]
pub struct InsurerRow {
    /// The grant's number.
    pub grant: i64,
    /// Name (masked unless full).
    pub name: String,
    /// ID number (masked unless full).
    pub id_number: String,
    /// Mobile (masked unless full).
    pub mobile: String,
    /// Member number.
    pub member_number: String,
    /// The member's union.
    pub union: String,
    /// Where the grant stands.
    pub status: GrantStatus,
    /// Policy number, once enrolled.
    pub policy_number: String,
    /// The day it was granted.
    pub granted_on: CivilDate,
    /// Its last valid day.
    pub valid_until: Option<CivilDate>,
}

impl std::fmt::Debug for InsurerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InsurerRow").field("grant", &self.grant).finish_non_exhaustive()
    }
}

/// The subtree whose grants the actor handles in a programme: theirs, or the sponsor's
/// when theirs is wider.
fn handled(actor: &Actor, programme: &ProgrammeRecord) -> OrgPath {
    match actor {
        Actor::Officer(officer) if programme.org_path.contains(&officer.scope) => officer.scope.clone(),
        Actor::Officer(_) | Actor::Operator => programme.org_path.clone(),
    }
}

/// The programme's grants (not revoked) within the actor's subtree, for the insurer:
/// masked, or with `full` (a reason) in full — which needs `pii.reveal`. Either way the
/// export is audited before it is returned.
///
/// # Errors
///
/// The programme is missing or out of sight; `Forbidden` for a full list without
/// `pii.reveal`; `Reason` for a full list without a reason (or one too long); the
/// vault's or the store's.
pub async fn insurer_rows(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    full: Option<&str>,
) -> Result<(ProgrammeRecord, Vec<InsurerRow>), BenefitError> {
    let record = programme_for(app, actor, programme).await?;
    let within = handled(actor, &record);
    let reason = match full {
        None => None,
        Some(reason) => {
            let may = match actor {
                Actor::Officer(officer) => officer.can_reveal,
                Actor::Operator => true,
            };
            if !may {
                return Err(BenefitError::Forbidden);
            }
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
                return Err(BenefitError::Reason);
            }
            Some(reason)
        }
    };
    let rows = app.store().export_rows(programme, &within).await?;
    let (action, what) = match reason {
        Some(_) => (AuditAction::ExportBenefitInsurer, "full"),
        None => (AuditAction::ExportBenefitGrants, "masked"),
    };
    let subject = format!("benefit:{programme} {what} list within {}", within.as_str());
    actor.audit_because(app, &within, action, subject, reason).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows.into_iter().filter(|r| r.grant.status != GrantStatus::Revoked) {
        // Purged members (retention) have nothing left to open: their cells stay empty.
        let id_number = app.keys().decrypt(Field::IdNumber, &row.id_number_ct).unwrap_or_default();
        let mobile = app.keys().decrypt(Field::Mobile, &row.mobile_ct).unwrap_or_default();
        let (name, id_number, mobile) = match reason {
            Some(_) => (row.grant.member_name.clone(), id_number, mobile),
            None => (
                mask_stored(&row.grant.member_name),
                mask(&id_number),
                Mobile::parse(&mobile).map(|m| m.masked()).unwrap_or_default(),
            ),
        };
        lines.push(InsurerRow {
            grant: row.grant.id.0,
            name,
            id_number,
            mobile,
            member_number: row.grant.member_number.clone().unwrap_or_default(),
            union: row.union,
            status: row.grant.status,
            policy_number: row.grant.policy_number.clone().unwrap_or_default(),
            granted_on: row.grant.granted_at.china_date(),
            valid_until: row.grant.valid_until,
        });
    }
    Ok((record, lines))
}

/// A column of the insurer's workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    IdNumber,
    Policy,
}

/// The headers the import understands.
const SPECS: [HeaderSpec<'static, Col>; 2] = [
    HeaderSpec {
        column: Col::IdNumber,
        name: "id_number",
        spellings: &["身份证号", "身份证号码", "证件号码", "被保险人证件号码"],
        required: true,
    },
    HeaderSpec {
        column: Col::Policy,
        name: "policy",
        spellings: &["保单号", "保单号码", "保险单号"],
        required: true,
    },
];

/// What an enrolment import came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnrolReport {
    /// Data rows read.
    pub rows: u64,
    /// Grants enrolled now.
    pub enrolled: u64,
    /// Rows whose grant already had this policy number (a second run).
    pub unchanged: u64,
    /// Rows refused: row number and why (`id_number.excel_number`, `id_number.invalid`,
    /// `policy.invalid`, `grant.not_found`, `grant.status`).
    pub refused: Vec<(u64, &'static str)>,
}

/// A data row: its number, the ID number's text (or why it cannot be read), the policy.
type SheetRow = (u64, Result<String, &'static str>, String);

/// Reads each data row.
fn read_rows(mut table: Table) -> Result<Vec<SheetRow>, huiji_tabular::Error> {
    let mut records = table.records(&SPECS)?;
    let mut rows = Vec::new();
    for record in &mut records {
        let record = record?;
        let id = match record.get(Col::IdNumber) {
            Cell::Number(_) => Err("id_number.excel_number"),
            cell => Ok(cell.to_string()),
        };
        rows.push((record.number, id, record.get(Col::Policy).to_string()));
    }
    Ok(rows)
}

/// Enrols the programme's grants within the actor's subtree from the insurer's
/// workbook: each row's ID number finds the grant, which takes the policy number. A row
/// whose grant is already enrolled with the same number changes nothing, so a second
/// run is harmless. One audit record with the counts.
///
/// # Errors
///
/// The programme is missing or out of sight, the actor is a viewer, the workbook cannot
/// be read, or the store's.
pub async fn enrol_import(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    table: Table,
) -> Result<EnrolReport, BenefitError> {
    let record = programme_for(app, actor, programme).await?;
    let within = handled(actor, &record);
    if !actor.acts_on(&within) {
        return Err(BenefitError::Forbidden);
    }
    let rows = tokio::task::spawn_blocking(move || read_rows(table))
        .await
        .map_err(|e| BenefitError::Sheet(format!("import task: {e}")))?
        .map_err(|e| BenefitError::Sheet(e.to_string()))?;
    let today = app.now().china_date();
    let mut report =
        EnrolReport { rows: u64::try_from(rows.len()).unwrap_or(u64::MAX), ..EnrolReport::default() };
    for (number, id, policy) in rows {
        let outcome = enrol_row(app, actor, programme, &within, id, &policy, today).await?;
        match outcome {
            Ok(true) => report.enrolled += 1,
            Ok(false) => report.unchanged += 1,
            Err(code) => report.refused.push((number, code)),
        }
    }
    let subject = format!(
        "benefit:{programme} enrolment import: {} rows, {} enrolled, {} unchanged, {} refused",
        report.rows,
        report.enrolled,
        report.unchanged,
        report.refused.len()
    );
    actor.audit(app, &within, AuditAction::BenefitEnrolImport, subject).await?;
    Ok(report)
}

/// One row: `Ok(true)` enrolled, `Ok(false)` already so, `Err(code)` refused.
async fn enrol_row(
    app: &App,
    actor: &Actor,
    programme: ProgrammeId,
    within: &OrgPath,
    id: Result<String, &'static str>,
    policy: &str,
    today: CivilDate,
) -> Result<Result<bool, &'static str>, BenefitError> {
    let id = match id {
        Ok(text) => match IdNumber::parse(&text, today, |p| app.regions().province_exists(p)) {
            Ok(id) => id,
            Err(_) => return Ok(Err("id_number.invalid")),
        },
        Err(code) => return Ok(Err(code)),
    };
    let Some(policy) = PolicyNumber::parse(policy) else { return Ok(Err("policy.invalid")) };
    let bidx = app.keys().blind_index(Field::IdNumber, id.as_str()).to_hex();
    let grant =
        app.store().grant_by_id_number(programme, &bidx).await?.filter(|g| within.contains(&g.home_path));
    let Some(grant) = grant else { return Ok(Err("grant.not_found")) };
    if grant.status == GrantStatus::Enrolled && grant.policy_number.as_deref() == Some(policy.as_str()) {
        return Ok(Ok(false));
    }
    if grant.status != GrantStatus::Granted {
        return Ok(Err("grant.status"));
    }
    let change = GrantChange {
        grant: grant.id,
        from: grant.status,
        action: GrantAction::Enrol(policy),
        actor: actor.name(),
        at: app.now(),
    };
    Ok(if app.store().change_grant(&change).await? { Ok(true) } else { Err("grant.status") })
}
