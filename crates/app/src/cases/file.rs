//! Filing a case: the form checked by core, the mobile proven by an SMS code, the case
//! routed to the work region's federation with its deadlines in working time, the mobile
//! sealed with a blind index; the worker is sent the case number (the filing's notice,
//! queued with the case).

use huiji_core::case::{self, CaseForm, CaseId};
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Org, RegionCode, RegionLevel};
use huiji_store::{NewCase, NoticeAbout, OrgFilter};
use huiji_vault::Field;

use super::CaseError;
use crate::App;
use crate::joining::check_code;
use crate::ports::Nonces;

/// A filed case, as the worker is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filed {
    /// The case number.
    pub id: CaseId,
    /// The federation handling it.
    pub federation: String,
}

/// The federations a case in `region` may go to: the county's and the city's (one query
/// over the city) and the province's.
async fn candidate_federations(app: &App, region: RegionCode) -> Result<Vec<Org>, CaseError> {
    let mut orgs = Vec::new();
    let federations = |place: RegionCode, level: Option<Level>| OrgFilter {
        region: Some(place),
        kind: Some(OrgKindCode::Federation),
        level,
        ..OrgFilter::default()
    };
    if let Some(city) = region.ancestor_at(RegionLevel::City) {
        orgs.extend(app.store().orgs(&federations(city, None)).await?);
    }
    if let Some(province) = region.ancestor_at(RegionLevel::Province) {
        orgs.extend(app.store().orgs(&federations(province, Some(Level::Province))).await?);
    }
    Ok(orgs)
}

/// Files a case from the `/legal` form once `sms_code` proves its mobile (the code is
/// used up). Members and non-members alike: 12351 serves every worker.
///
/// # Errors
///
/// Every bad field at once, an unproven mobile, a region no federation serves, or our
/// side's failure.
pub async fn file(app: &App, form: &CaseForm<'_>, sms_code: &str) -> Result<Filed, CaseError> {
    let submission = case::parse_case_form(form, app.regions()).map_err(CaseError::Invalid)?;
    match check_code(app, &submission.mobile, SmsPurpose::Legal, sms_code).await? {
        SmsCheck::Verified => {}
        other => return Err(CaseError::Sms(other)),
    }
    let orgs = candidate_federations(app, submission.region).await?;
    let federation = case::handling_federation(&orgs, submission.region).ok_or(CaseError::Unserved)?;
    let now = app.now();
    let calendar = app.calendar();
    // A year with its statutory days (awaiting the State Council's notice) is not warned
    // about: only its 调休 and bridging days are missing, which move a deadline by a day.
    if !calendar.covers(now.china_date().year()) {
        tracing::warn!(
            year = now.china_date().year(),
            "no holiday data for this year: deadlines count weekends and fixed holidays only"
        );
    }
    let mobile = app.keys().seal(Field::Mobile, submission.mobile.as_str(), &mut Nonces(app.random()))?;
    let new = NewCase {
        category: submission.category,
        party: submission.party,
        amount: submission.amount_involved,
        region: submission.region,
        description: submission.description.as_str().to_owned(),
        mobile,
        org: federation.id,
        dues: app.case_deadlines().dues(now, calendar),
    };
    let id = app.store().create_case(&new, now).await?;
    crate::notices::deliver_about(app, NoticeAbout { case: Some(id.0), ..NoticeAbout::default() }).await;
    Ok(Filed { id, federation: federation.name.clone() })
}
