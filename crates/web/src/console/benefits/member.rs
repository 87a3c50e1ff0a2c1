//! A member's benefits on their console page: the grants they hold (status, policy
//! number, validity) and a form granting one of the programmes the officer sees whose
//! sponsor's subtree holds the member (grant mode `officer`, or any programme an officer
//! may grant by hand). A refusal says which rule, on the member's page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::benefits::{self, BenefitError};
use huiji_core::benefit::ProgrammeId;
use serde::Deserialize;

use super::web_error;
use crate::console::members::{Notice, member_in_scope, refused, render_detail};
use crate::console::{Act, Officer};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// A grant the member holds, as their page lists it.
pub(crate) struct HeldLine {
    pub(crate) programme: i64,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) policy: String,
    pub(crate) valid_until: String,
}

/// The member page's benefits section.
#[derive(Default)]
pub(crate) struct MemberPanel {
    /// Grants held, newest first.
    pub(crate) held: Vec<HeldLine>,
    /// Programmes the form offers: id and name.
    pub(crate) grantable: Vec<(i64, String)>,
}

/// The section for membership `id` as `officer` sees it.
pub(crate) async fn member_panel(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: i64,
) -> Result<MemberPanel, WebError> {
    let offer = benefits::for_member(&state.app, &officer.app_actor(), id).await.map_err(web_error)?;
    Ok(MemberPanel {
        held: offer
            .grants
            .iter()
            .map(|g| HeldLine {
                programme: g.grant.programme.0,
                name: g.programme_name.clone(),
                status: lang.t(g.grant.status.label_zh(), g.grant.status.label_en()),
                policy: g.grant.policy_number.clone().unwrap_or_default(),
                valid_until: g.grant.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        grantable: offer.grantable.into_iter().map(|p| (p.id.0, p.name)).collect(),
    })
}

/// The member page's grant form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MemberGrantForm {
    programme: String,
}

/// `POST /console/members/{id}/benefits`: grants the chosen programme to the member.
pub(super) async fn grant(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<MemberGrantForm>,
) -> Result<Response, WebError> {
    let member = member_in_scope(&state, &officer, id).await?;
    let programme =
        form.programme.trim().parse().map_err(|_| WebError::BadRequest("programme".to_owned()))?;
    let problem = match benefits::grant(&state.app, &officer.app_actor(), ProgrammeId(programme), id).await {
        Ok(_) => {
            let text = lang.t("已发放", "Granted").to_owned();
            return render_detail(&state, lang, &officer, member, Some(Notice { ok: true, text }), "").await;
        }
        Err(BenefitError::Refused(refusal)) => {
            if lang == Lang::Zh {
                refusal.message_zh()
            } else {
                refusal.message_en()
            }
        }
        Err(BenefitError::NotFound) => lang.t("没有这个福利项目", "No such programme").to_owned(),
        Err(other) => return Err(web_error(other)),
    };
    let notice = Notice { ok: false, text: problem };
    refused(&state, lang, &officer, member, StatusCode::UNPROCESSABLE_ENTITY, notice, "").await
}
