//! Revealing a member's full ID number or mobile (`pii.reveal`): the use case is
//! `huiji_app::members::reveal` (permission, reason, audit); this page shows the value
//! once, on a page that is never cached.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::members::{self, MembersError};
use serde::Deserialize;

use super::{Notice, member_in_scope, refused, refused_by, render_detail};
use crate::console::Own;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

#[derive(Deserialize)]
pub(super) struct RevealForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/members/{id}/reveal`
pub(super) async fn reveal(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Own { officer, form }: Own<RevealForm>,
) -> Result<Response, WebError> {
    let label = match form.field.as_str() {
        "id_number" => lang.t("身份证号", "ID number"),
        "name" => lang.t("姓名", "Name"),
        _ => lang.t("手机号", "Mobile"),
    };
    let revealed = members::reveal(&state.app, &officer.app_actor(), id, &form.field, &form.reason).await;
    let (status, text) = match revealed {
        Ok(value) => {
            let member = member_in_scope(&state, &officer, id).await?;
            let notice = Notice { ok: true, text: format!("{label}：{value}") };
            return render_detail(&state, lang, &officer, member, Some(notice), "").await;
        }
        Err(MembersError::UnknownField) => {
            return Err(WebError::BadRequest("field must be id_number, mobile or name".to_owned()));
        }
        Err(MembersError::ReasonMissing) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("查看完整号码须填写理由", "Give a reason to reveal the full number"),
        ),
        Err(MembersError::ReasonTooLong) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("理由不能超过200字", "The reason is limited to 200 characters"),
        ),
        Err(MembersError::Purged) => (
            StatusCode::GONE,
            lang.t("该会员的个人信息已按保存期限清除", "This member's personal data has been purged"),
        ),
        Err(error) => return Err(refused_by(error)),
    };
    let member = member_in_scope(&state, &officer, id).await?;
    let notice = Notice { ok: false, text: text.to_owned() };
    refused(&state, lang, &officer, member, status, notice, "").await
}
