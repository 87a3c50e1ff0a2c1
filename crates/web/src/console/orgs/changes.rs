//! An admin's changes to a union (rename, review policy, a new union below it, contact
//! details): each a use case of the app; a refusal re-renders the union's page with the
//! form as it was sent and the reason in the officer's language.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::orgs::contact::{ContactChangeError, set_contact};
use huiji_app::orgs::manage::{self, OrgChangeError};
use huiji_core::org::ContactError;
use huiji_core::{AutoApproval, ChildRequest, OrgId};
use serde::Deserialize;

use super::{ChildForm, ContactForm, Edits, render};
use crate::console::Act;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// What an officer can fix, in their language; the store failing is a 500.
fn problem(lang: Lang, error: OrgChangeError) -> Result<String, WebError> {
    let text = match error {
        OrgChangeError::Forbidden => return Err(WebError::Forbidden),
        OrgChangeError::NotFound => return Err(WebError::NotFound),
        OrgChangeError::Store(e) => return Err(e.into()),
        OrgChangeError::Invalid(e) => lang.t(e.message_zh(), &e.to_string()).to_owned(),
        OrgChangeError::NameTaken => lang
            .t(
                "同一上级工会下已有同名的工会，请换一个名称",
                "A union under the same parent already has this name",
            )
            .to_owned(),
        OrgChangeError::CreditCodeTaken => lang
            .t("该统一社会信用代码已登记了企业工会", "An enterprise union with this credit code exists")
            .to_owned(),
        OrgChangeError::NoJoinCodeFree => {
            lang.t("没有可用的入会码，请联系运维", "No join code is free; ask the operator").to_owned()
        }
        OrgChangeError::ReceivesNoApplications => lang
            .t("该工会不承接入会申请，无需审核策略", "This union does not receive applications")
            .to_owned(),
        OrgChangeError::NoPolicy => lang.t("请选择审核策略", "Choose a policy").to_owned(),
        OrgChangeError::ReviewDays => {
            lang.t("审核期限应为1到30天", "The review deadline is 1 to 30 days").to_owned()
        }
    };
    Ok(text)
}

fn redirect_done(id: OrgId, done: &str) -> Response {
    Redirect::to(&format!("/console/orgs/{id}?done={done}")).into_response()
}

#[derive(Deserialize)]
pub(super) struct RenameForm {
    #[serde(default)]
    name: String,
}

pub(super) async fn rename(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<RenameForm>,
) -> Result<Response, WebError> {
    let problem = match manage::rename(&state.app, &officer.acting(), OrgId(id), &form.name).await {
        Ok(org) => return Ok(redirect_done(org.id, "renamed")),
        Err(e) => problem(lang, e)?,
    };
    let org = officer.org_in_scope(&state, OrgId(id)).await?;
    let edits = Edits { rename: Some(form.name), rename_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, org, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize)]
pub(super) struct PolicyForm {
    #[serde(default)]
    auto_approval: String,
    #[serde(default)]
    review_days: String,
}

pub(super) async fn policy(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<PolicyForm>,
) -> Result<Response, WebError> {
    let policy = form.auto_approval.parse::<AutoApproval>().ok();
    // Not a number is out of range too: the app names the range.
    let days = form.review_days.trim().parse::<u16>().unwrap_or(0);
    let problem =
        match manage::set_review_policy(&state.app, &officer.acting(), OrgId(id), policy, days).await {
            Ok(org) => return Ok(redirect_done(org.id, "policy")),
            Err(e) => problem(lang, e)?,
        };
    let org = officer.org_in_scope(&state, OrgId(id)).await?;
    let edits = Edits { policy_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, org, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub(super) async fn create_child(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<ChildForm>,
) -> Result<Response, WebError> {
    let request = ChildRequest {
        kind: &form.kind,
        name: &form.name,
        credit_code: &form.credit_code,
        occupations: &form.occupations,
    };
    let problem = match manage::create_child(&state.app, &officer.acting(), OrgId(id), &request).await {
        Ok(org) => return Ok(redirect_done(org.id, "created")),
        Err(e) => problem(lang, e)?,
    };
    let parent = officer.org_in_scope(&state, OrgId(id)).await?;
    let edits = Edits { child: form, child_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, parent, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub(super) async fn contact(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<ContactForm>,
) -> Result<Response, WebError> {
    let problem =
        match set_contact(&state.app, &officer.acting(), OrgId(id), &form.address, &form.phone, &form.person)
            .await
        {
            Ok(_) => return Ok(redirect_done(OrgId(id), "contact")),
            Err(ContactChangeError::Forbidden) => return Err(WebError::Forbidden),
            Err(ContactChangeError::NotFound) => return Err(WebError::NotFound),
            Err(ContactChangeError::Store(e)) => return Err(e.into()),
            Err(ContactChangeError::Invalid(e)) => lang.t(
                e.message_zh(),
                match e {
                    ContactError::Address => "The address is too long (100 characters at most)",
                    ContactError::Phone => {
                        "A phone number holds digits, spaces, + - ( ) only, 5 to 20 of them"
                    }
                    ContactError::Person => "The contact person's name is too long (20 characters at most)",
                },
            ),
        };
    let org = officer.org_in_scope(&state, OrgId(id)).await?;
    let edits = Edits { contact: Some(form), contact_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, org, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}
