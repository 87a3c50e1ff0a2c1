//! The programme page's admin forms: change the name, provider, hotline, last day or
//! quota (`POST /console/benefits/{id}/edit`), or close the programme so nothing is
//! granted or claimed from today (`POST /console/benefits/{id}/close`, after a
//! confirmation). Only admins of the sponsor; both audited by the use case.

use axum::extract::{Path, State};
use axum::response::Response;
use huiji_app::benefits::{self, BenefitError};
use huiji_core::benefit::{EditFields, ProgrammeId};
use serde::Deserialize;

use super::{back_to, detail_page, web_error};
use crate::console::confirm::{self, Confirmation};
use crate::console::{Act, Frame};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The edit form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EditForm {
    name: String,
    provider: String,
    hotline: String,
    until: String,
    quota: String,
}

/// A refusal of a change, in words; other errors pass through.
fn problem(lang: Lang, error: BenefitError) -> Result<String, WebError> {
    Ok(match error {
        BenefitError::Invalid(problems) => problems
            .into_iter()
            .map(|e| if lang == Lang::Zh { e.message_zh } else { e.message_en })
            .collect::<Vec<_>>()
            .join("；"),
        BenefitError::NameTaken => {
            lang.t("该工会已有同名项目", "The union already has a programme of that name").to_owned()
        }
        BenefitError::Share => lang
            .t("总名额不能少于下级工会的分配名额", "The quota cannot be below a child union's share")
            .to_owned(),
        BenefitError::BelowGranted => {
            lang.t("总名额不能少于已发放的数量", "The quota cannot be below the grants held").to_owned()
        }
        other => return Err(web_error(other)),
    })
}

/// `POST /console/benefits/{id}/edit`
pub(super) async fn edit(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<EditForm>,
) -> Result<Response, WebError> {
    let fields = EditFields {
        name: &form.name,
        provider: &form.provider,
        hotline: &form.hotline,
        until: &form.until,
        quota: &form.quota,
    };
    match benefits::edit(&state.app, &officer.app_actor(), ProgrammeId(id), &fields).await {
        Ok(()) => Ok(back_to(&state, id, lang.t("项目已修改", "Programme changed"))),
        Err(error) => {
            let text = problem(lang, error)?;
            detail_page(&state, lang, &officer, ProgrammeId(id), 0, None, Some(text)).await
        }
    }
}

/// The close form: `confirm=yes` once the admin confirmed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CloseForm {
    confirm: String,
}

/// `POST /console/benefits/{id}/close`: asks first, then closes.
pub(super) async fn close(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<CloseForm>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let view = benefits::view(&state.app, &actor, ProgrammeId(id)).await.map_err(web_error)?;
    if !view.administers {
        return Err(WebError::Forbidden);
    }
    if !confirm::confirmed(&form.confirm) {
        let confirmation = Confirmation {
            what: format!("{}：{}", lang.t("结束福利项目", "Close the programme"), view.record.name),
            consequence: lang.t(
                "结束后从今天起不再发放或申领；已发放的保留，仍可登记、使用、结束或撤销。",
                "From today nothing more is granted or claimed; grants made stay and can still be enrolled, used, closed or revoked.",
            ),
            reason: String::new(),
            action: format!("/console/benefits/{id}/close"),
            fields: Vec::new(),
            back: format!("/console/benefits/{id}"),
            button: lang.t("确认结束", "Close it"),
        };
        return confirm::ask(Frame { lang, officer: &officer, section: "benefits" }, confirmation);
    }
    benefits::close(&state.app, &actor, ProgrammeId(id)).await.map_err(web_error)?;
    Ok(back_to(&state, id, lang.t("项目已结束", "Programme closed")))
}
