//! `POST /console/transfers`: an officer asks for a member into a union of their subtree
//! (`huiji_app::transfers::ask`). The answer is the same whoever was typed, so the form
//! tells nobody whether an ID number belongs to a member.

use axum::extract::State;
use axum::response::Response;
use huiji_app::transfers::{self, TransferError, TransferRequest};
use huiji_core::OrgId;
use serde::Deserialize;

use super::{Typed, done, refused, render};
use crate::console::Act;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

#[derive(Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    to_id: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn ask(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<AskForm>,
) -> Result<Response, WebError> {
    let typed = Typed {
        member: form.member.clone(),
        name: form.name.clone(),
        to: form.to.clone(),
        to_id: form.to_id.clone(),
        reason: form.reason.clone(),
    };
    let fail = |message: &'static str| render(&state, lang, &officer, "", None, Some(message), &typed);
    let typed_target = if form.to_id.trim().is_empty() { form.to.trim() } else { form.to_id.trim() };
    let Ok(to) = typed_target.parse::<i64>() else {
        return fail(lang.t("请选择或填写接收工会", "Choose or enter the receiving union")).await;
    };
    let request =
        TransferRequest { to: OrgId(to), member: &form.member, name: &form.name, reason: &form.reason };
    let message = match transfers::ask(&state.app, &officer.app_actor(), &request).await {
        Ok(asked) => {
            let notice = format!(
                "{}{}{}",
                lang.t("已发出接转请求，接收工会：", "Transfer requested to "),
                asked.to.name,
                lang.t(
                    "。待会员本人或其所在工会同意后生效。",
                    ". It takes effect when the member or their union agrees."
                )
            );
            return Ok(done(&state, &notice));
        }
        Err(TransferError::ReasonTooLong) => {
            lang.t("接转原因不超过200字", "Keep the reason to 200 characters")
        }
        Err(TransferError::InvalidMember) => {
            lang.t("请填写正确的会员号或身份证号", "Enter a valid member number or ID number")
        }
        Err(TransferError::InvalidName) => {
            lang.t("请填写会员姓名（与证件一致）", "Enter the member's name as on their ID")
        }
        Err(TransferError::AlreadyHere) => {
            lang.t("该会员已在此工会", "The member already belongs to this union")
        }
        Err(error) => return Err(refused(error)),
    };
    fail(message).await
}
