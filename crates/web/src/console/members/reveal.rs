//! Revealing a member's full ID number or mobile (`pii.reveal`): only for officers
//! holding the permission, within their subtree, after a reason; every reveal is in the
//! audit log before the value is shown, once, on a page that is never cached.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_core::OrgPath;
use huiji_vault::Field;
use serde::Deserialize;

use super::{MAX_REASON_CHARS, Notice, member_in_scope, refused, render_detail};
use crate::console::{Own, audit};
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
    let member = member_in_scope(&state, &officer, id).await?;
    if !officer.may_reveal() {
        return Err(WebError::Forbidden);
    }
    let (field, action, label) = match form.field.as_str() {
        "id_number" => (Field::IdNumber, "reveal.id_number", lang.t("身份证号", "ID number")),
        "mobile" => (Field::Mobile, "reveal.mobile", lang.t("手机号", "Mobile")),
        _ => return Err(WebError::BadRequest("field must be id_number or mobile".to_owned())),
    };
    let reason = form.reason.trim();
    let problem = if reason.is_empty() {
        Some(lang.t("查看完整号码须填写理由", "Give a reason to reveal the full number"))
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Some(lang.t("理由不能超过200字", "The reason is limited to 200 characters"))
    } else {
        None
    };
    if let Some(text) = problem {
        let notice = Notice { ok: false, text: text.to_owned() };
        return refused(&state, lang, &officer, member, StatusCode::UNPROCESSABLE_ENTITY, notice, "").await;
    }
    let ciphertext = if field == Field::IdNumber { &member.id_number_ct } else { &member.mobile_ct };
    // A purged member has no ciphertext left: nothing to reveal, nothing to record.
    let Ok(value) = state.app.keys().decrypt(field, ciphertext) else {
        let text = lang.t("该会员的个人信息已按保存期限清除", "This member's personal data has been purged");
        let notice = Notice { ok: false, text: text.to_owned() };
        return refused(&state, lang, &officer, member, StatusCode::GONE, notice, "").await;
    };
    let scope = OrgPath::parse(&member.record.home_path).unwrap_or_else(|| officer.scope().clone());
    audit(&state, &officer, &scope, action, Some(format!("membership:{id}")), Some(reason)).await?;
    let notice = Notice { ok: true, text: format!("{label}：{value}") };
    render_detail(&state, lang, &officer, member, Some(notice), "").await
}
