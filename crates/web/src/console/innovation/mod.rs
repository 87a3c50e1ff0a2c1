//! 跟着劳模去创新 in the console: the registry's figures and records for the officer's
//! subtree ([`registry`]), calls for innovation results and their entries ([`calls`]),
//! and the judges' blind pages ([`judging`]). Every rule is the app's
//! (`huiji_app::innovation`); these pages only read forms and show results.

mod calls;
mod fields;
mod judging;
mod kinds;
mod registry;

use axum::Router;
use huiji_app::innovation::InnovationError;
use huiji_store::RegistryConflict;

use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The levels in the order figures show them.
pub(crate) const LEVELS: [huiji_core::innovation::InnovationLevel; 3] = [
    huiji_core::innovation::InnovationLevel::National,
    huiji_core::innovation::InnovationLevel::Provincial,
    huiji_core::innovation::InnovationLevel::City,
];

/// The statuses in the order figures show them.
pub(crate) const STATUSES: [huiji_core::innovation::ProjectStatus; 3] = [
    huiji_core::innovation::ProjectStatus::Planned,
    huiji_core::innovation::ProjectStatus::Ongoing,
    huiji_core::innovation::ProjectStatus::Done,
];

/// The routes that take files.
pub(super) fn uploads() -> Router<WebState> {
    calls::uploads()
}

pub(super) fn router() -> Router<WebState> {
    Router::new().merge(registry::router()).merge(calls::router()).merge(judging::router())
}

/// What a refused use case means for the page: a 404 or 403 for scope and role, else a
/// message for the officer (`Ok`).
fn refusal(lang: Lang, error: InnovationError) -> Result<String, WebError> {
    let message = match error {
        InnovationError::NotFound => return Err(WebError::NotFound),
        InnovationError::Forbidden => return Err(WebError::Forbidden),
        InnovationError::Store(e) => return Err(e.into()),
        InnovationError::Invalid(field) => {
            format!("{}：{}", lang.t("填写有误", "Please check"), fields::label(lang, field))
        }
        InnovationError::Conflict(RegistryConflict::Duplicate) => {
            lang.t("已有同名记录", "A record with this name exists").to_owned()
        }
        InnovationError::Conflict(RegistryConflict::InUse) => lang
            .t("仍有记录引用它，请先删除那些记录", "Other records refer to it; delete those first")
            .to_owned(),
        InnovationError::Conflict(RegistryConflict::Missing) => {
            lang.t("引用的记录不存在", "A record it refers to is gone").to_owned()
        }
        InnovationError::Conflict(RegistryConflict::Invalid) => {
            lang.t("数值超出范围", "A value is out of range").to_owned()
        }
        InnovationError::NotTakingEntries => {
            lang.t("不在申报期内", "The call is not taking entries").to_owned()
        }
        InnovationError::CallClosed => lang.t("评选已结束", "The call is closed").to_owned(),
        InnovationError::CallOpen => lang.t("评选尚未结束", "The call is still open").to_owned(),
        InnovationError::ConflictOfInterest => lang
            .t("需回避：不能评审本人工作室或本单位的成果", "Conflict of interest: not yours to score")
            .to_owned(),
        InnovationError::NamesEntrant(name) => format!(
            "{}“{name}”",
            lang.t(
                "标题或简介不得出现申报人、工作室或单位名称：",
                "The title or summary names the entrant: "
            )
        ),
        InnovationError::Attachment(_) | InnovationError::TooManyAttachments => lang
            .t(
                "附件须为不超过5MB的PDF、PNG或JPEG，每项最多5个",
                "Attachments: PDF, PNG or JPEG up to 5 MB, at most 5",
            )
            .to_owned(),
        InnovationError::Evaluation(_) => {
            lang.t("评分或评分项有误", "Marks or criteria are wrong").to_owned()
        }
        InnovationError::File(e) => e,
    };
    Ok(message)
}
