//! Changing the tree from the console: renaming a union, its review policy, and new
//! unions below one. Only admins of the subtree may, and every change is audited.

use huiji_core::audit::AuditAction;
use huiji_core::joining::receives_applications;
use huiji_core::review::REVIEW_DAYS;
use huiji_core::{AutoApproval, ChildError, ChildRequest, ChildUnion, Org, OrgId, UnionName};
use huiji_store::{Conflict, NewOrg, StoreError};

use crate::App;
use crate::audit::Officer;

/// Why a change to the tree was refused.
#[derive(Debug, thiserror::Error)]
pub enum OrgChangeError {
    /// Only admins change unions.
    #[error("only admins change unions")]
    Forbidden,
    /// No such union in the officer's subtree.
    #[error("no such union")]
    NotFound,
    /// The form does not describe a union that may be made here.
    #[error(transparent)]
    Invalid(#[from] ChildError),
    /// A sibling already has the name.
    #[error("a union under the same parent already has this name")]
    NameTaken,
    /// An enterprise union with the credit code exists.
    #[error("an enterprise union with this credit code exists")]
    CreditCodeTaken,
    /// Every join code of the scheme is taken.
    #[error("no join code is free")]
    NoJoinCodeFree,
    /// A review policy for a union that receives no applications.
    #[error("this union receives no applications")]
    ReceivesNoApplications,
    /// No policy was chosen.
    #[error("choose a review policy")]
    NoPolicy,
    /// A review deadline outside [`REVIEW_DAYS`].
    #[error("the review deadline is 1 to 30 days")]
    ReviewDays,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for OrgChangeError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(Conflict::NameTaken) => OrgChangeError::NameTaken,
            StoreError::Conflict(Conflict::CreditCodeTaken) => OrgChangeError::CreditCodeTaken,
            StoreError::Conflict(Conflict::OrgNameLength) => OrgChangeError::Invalid(ChildError::NameLength),
            other => OrgChangeError::Store(other),
        }
    }
}

/// The union `id` if the officer administers it: 403 for non-admins before the id is
/// even looked at (so ids outside the subtree reveal nothing), then 404 outside it.
pub async fn administered(app: &App, officer: &Officer, id: OrgId) -> Result<Org, OrgChangeError> {
    if !officer.role.is_admin() {
        return Err(OrgChangeError::Forbidden);
    }
    app.store().org(id).await?.filter(|org| officer.sees(&org.path)).ok_or(OrgChangeError::NotFound)
}

/// Renames a union; the same name again changes nothing and records nothing.
pub async fn rename(app: &App, officer: &Officer, id: OrgId, name: &str) -> Result<Org, OrgChangeError> {
    let org = administered(app, officer, id).await?;
    let name = UnionName::parse(name)?;
    if name.as_str() == org.name {
        return Ok(org);
    }
    app.store().rename_org(org.id, name.as_str()).await?;
    app.join_cache().forget();
    tracing::info!(org = %org.id, actor = %officer.actor(), "union renamed");
    let change = format!("{} → {}", org.name, name.as_str());
    officer
        .record(
            app.store().as_ref(),
            app.now(),
            &org.path,
            AuditAction::OrgRename,
            subject(&org),
            Some(change),
        )
        .await?;
    Ok(Org { name: name.into_string(), ..org })
}

/// Sets how a receiving union reviews applications and in how many days. `policy` is
/// `None` when the form chose none (said after the checks that come first).
pub async fn set_review_policy(
    app: &App,
    officer: &Officer,
    id: OrgId,
    policy: Option<AutoApproval>,
    review_days: u16,
) -> Result<Org, OrgChangeError> {
    let org = administered(app, officer, id).await?;
    if !receives_applications(&org) {
        return Err(OrgChangeError::ReceivesNoApplications);
    }
    let policy = policy.ok_or(OrgChangeError::NoPolicy)?;
    if !REVIEW_DAYS.contains(&review_days) {
        return Err(OrgChangeError::ReviewDays);
    }
    app.store().set_review_policy(org.id, policy, review_days).await?;
    app.join_cache().forget();
    tracing::info!(org = %org.id, actor = %officer.actor(), %policy, review_days, "review policy changed");
    // The policies and deadlines as references, so the log shows them in words.
    let change = format!(
        "{} policy:{} days:{} → policy:{policy} days:{review_days}",
        subject(&org),
        org.auto_approval,
        org.review_days
    );
    officer.record(app.store().as_ref(), app.now(), &org.path, AuditAction::OrgPolicy, change, None).await?;
    Ok(Org { auto_approval: policy, review_days, ..org })
}

/// Creates a union below `parent`; an industry federation gets the first free code of
/// its join-code scheme.
pub async fn create_child(
    app: &App,
    officer: &Officer,
    parent: OrgId,
    request: &ChildRequest<'_>,
) -> Result<Org, OrgChangeError> {
    let parent = administered(app, officer, parent).await?;
    let child = ChildUnion::plan(&parent, request)?;
    let codes = child.join_codes();
    // Enterprise and community unions take no join code: one attempt without. Taken
    // codes come back from the database's unique index, which settles races too.
    let attempts: Vec<Option<String>> =
        if codes.is_empty() { vec![None] } else { codes.iter().map(|c| Some(c.to_string())).collect() };
    let mut new = NewOrg {
        parent: Some(parent.id),
        kind: child.kind,
        name: child.name.into_string(),
        region: child.region,
        occupations: child.occupations,
        turnover_pool: false,
        join_code: None,
        credit_code: child.credit_code,
        auto_approval: child.auto_approval,
        review_days: huiji_core::review::DEFAULT_REVIEW_DAYS,
    };
    for code in attempts {
        new.join_code = code;
        match app.store().create_org(&new, app.now()).await {
            Ok(org) => {
                app.join_cache().forget();
                tracing::info!(org = %org.id, parent = %parent.id, actor = %officer.actor(), "union created");
                let what = Some(format!("{} ({})", org.name, org.kind.code().code()));
                officer
                    .record(
                        app.store().as_ref(),
                        app.now(),
                        &parent.path,
                        AuditAction::OrgCreate,
                        subject(&org),
                        what,
                    )
                    .await?;
                return Ok(org);
            }
            Err(StoreError::Conflict(Conflict::JoinCodeTaken)) if new.join_code.is_some() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(OrgChangeError::NoJoinCodeFree)
}

fn subject(org: &Org) -> String {
    format!("org:{}", org.id)
}
