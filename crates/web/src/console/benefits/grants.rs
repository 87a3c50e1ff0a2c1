//! The programme page's forms: grant one member (by member number), grant a batch over
//! a filtered member list of the officer's subtree, take a step on a grant (enrol with
//! the policy number, used, closed, revoke with a reason), and the insurer's list as
//! XLSX — masked for everyone, in full only with `pii.reveal` and a reason (audited).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::benefits::{self, BenefitError, GrantStep, InsurerRow};
use huiji_core::benefit::{GrantId, GrantRefusal, ProgrammeId};
use huiji_core::{CivilDate, MemberNumber, MembershipStatus, Occupation, OrgId, Timestamp};
use huiji_store::MemberQuery;
use rust_xlsxwriter::Workbook;
use serde::Deserialize;

use super::{detail_page, web_error};
use crate::console::xlsx::{XLSX_TYPE, add_sheet};
use crate::console::{Act, Officer, notice_query};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// What a refused grant tells the officer.
fn refusal_text(lang: Lang, refusal: &GrantRefusal) -> String {
    if lang == Lang::Zh { refusal.message_zh() } else { refusal.message_en() }
}

fn back(state: &WebState, id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/console/benefits/{id}?{}", notice_query(state, notice))).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct GrantForm {
    number: String,
}

/// `POST /console/benefits/{id}/grant`: one member, by member number.
pub(super) async fn grant_one(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<GrantForm>,
) -> Result<Response, WebError> {
    let problem = match MemberNumber::parse(&form.number) {
        None => lang.t("会员号无效（13位数字，末位为校验位）", "Invalid member number").to_owned(),
        Some(number) => match state.store.membership_by_number(number.as_str()).await? {
            None => lang.t("没有这个会员号", "No member with that number").to_owned(),
            Some(member) => {
                match benefits::grant(&state.app, &officer.app_actor(), ProgrammeId(id), member.id).await {
                    Ok(_) => return Ok(back(&state, id, lang.t("已发放", "Granted"))),
                    Err(BenefitError::Refused(refusal)) => refusal_text(lang, &refusal),
                    Err(BenefitError::NotFound) => {
                        lang.t("没有这个会员号", "No member with that number").to_owned()
                    }
                    Err(other) => return Err(web_error(other)),
                }
            }
        },
    };
    detail_page(&state, lang, &officer, ProgrammeId(id), 0, None, Some(problem)).await
}

/// The batch form's filters over the officer's member list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BatchForm {
    org: String,
    occupation: String,
    status: String,
    joined_from: String,
    joined_to: String,
}

/// `POST /console/benefits/{id}/batch`: every member the filters find within the
/// officer's subtree (or the union chosen in it).
pub(super) async fn batch(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<BatchForm>,
) -> Result<Response, WebError> {
    let bad = |what: &str| WebError::BadRequest(format!("batch filter: {what}"));
    let within = match form.org.trim() {
        "" => officer.scope().clone(),
        text => officer.org_in_scope(&state, OrgId(text.parse().map_err(|_| bad("org"))?)).await?.path,
    };
    let day = |text: &str| -> Result<Option<CivilDate>, WebError> {
        match text.trim() {
            "" => Ok(None),
            text => CivilDate::parse_iso(text).map(Some).ok_or_else(|| bad("date")),
        }
    };
    let occupation = match form.occupation.trim() {
        "" => None,
        code => Some(code.parse::<Occupation>().map_err(|_| bad("occupation"))?.code().to_owned()),
    };
    let status = match form.status.trim() {
        "" => None,
        code => Some(code.parse::<MembershipStatus>().map_err(|_| bad("status"))?.code().to_owned()),
    };
    let query = MemberQuery {
        within: Some(within),
        occupation,
        status,
        joined_from: day(&form.joined_from)?.map(|d| Timestamp::china_day_start(d).millis()),
        joined_to: day(&form.joined_to)?.map(|d| Timestamp::china_day_start(d).plus_days(1).millis()),
        ..MemberQuery::default()
    };
    let report = benefits::grant_batch(&state.app, &officer.app_actor(), ProgrammeId(id), &query)
        .await
        .map_err(web_error)?;
    let notice = if lang == Lang::Zh {
        format!(
            "批量发放：查到{}人，发放{}人，已领取{}人，不符合条件{}人，名额不足{}人",
            report.considered, report.granted, report.already, report.ineligible, report.quota_exhausted
        )
    } else {
        format!(
            "Batch: {} found, {} granted, {} already held one, {} not eligible, {} over quota",
            report.considered, report.granted, report.already, report.ineligible, report.quota_exhausted
        )
    };
    Ok(back(&state, id, &notice))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StepForm {
    programme: String,
    action: String,
    policy: String,
    reason: String,
}

/// `POST /console/benefits/grants/{grant}`: enrol, use, close or revoke.
pub(super) async fn step(
    State(state): State<WebState>,
    lang: Lang,
    Path(grant): Path<i64>,
    Act { officer, form }: Act<StepForm>,
) -> Result<Response, WebError> {
    let programme: i64 = form.programme.trim().parse().map_err(|_| WebError::NotFound)?;
    let step = match form.action.as_str() {
        "enrol" => GrantStep::Enrol(form.policy),
        "use" => GrantStep::Use,
        "close" => GrantStep::Close,
        "revoke" => GrantStep::Revoke(form.reason),
        _ => return Err(WebError::BadRequest("unknown grant action".to_owned())),
    };
    let problem = match benefits::act(&state.app, &officer.app_actor(), GrantId(grant), step).await {
        Ok(()) => return Ok(back(&state, programme, lang.t("已保存", "Saved"))),
        Err(BenefitError::Reason) => {
            lang.t("撤销须填写原因（200字以内）", "A revocation needs a reason (up to 200 characters)")
        }
        Err(BenefitError::Policy) => lang.t("保单号无效", "Invalid policy number"),
        Err(BenefitError::Illegal(_)) => {
            lang.t("当前状态下不能这样操作", "Not possible in the grant's current status")
        }
        Err(BenefitError::Stale) => {
            lang.t("刚被他人更新，请查看后重试", "Someone else just changed it; check and try again")
        }
        Err(other) => return Err(web_error(other)),
    };
    detail_page(&state, lang, &officer, ProgrammeId(programme), 0, None, Some(problem.to_owned())).await
}

/// The insurer's list as a workbook.
fn workbook(lang: Lang, name: &str, rows: &[InsurerRow]) -> Result<Vec<u8>, WebError> {
    let header = [
        lang.t("序号", "No."),
        lang.t("姓名", "Name"),
        lang.t("身份证号", "ID number"),
        lang.t("手机号", "Mobile"),
        lang.t("会员号", "Member number"),
        lang.t("所在工会", "Union"),
        lang.t("状态", "Status"),
        lang.t("保单号", "Policy number"),
        lang.t("发放日期", "Granted"),
        lang.t("有效期至", "Valid until"),
    ];
    let cells = rows.iter().map(|r| {
        [
            r.grant.to_string(),
            r.name.clone(),
            r.id_number.clone(),
            r.mobile.clone(),
            r.member_number.clone(),
            r.union.clone(),
            lang.t(r.status.label_zh(), r.status.label_en()).to_owned(),
            r.policy_number.clone(),
            r.granted_on.to_string(),
            r.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        ]
    });
    let mut book = Workbook::new();
    let sheet: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    add_sheet(&mut book, if sheet.is_empty() { "grants" } else { &sheet }, &header, cells)
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    book.save_to_buffer().map_err(|e| WebError::Internal(format!("xlsx: {e}")))
}

fn download(bytes: Vec<u8>, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /console/benefits/{id}/export.xlsx`: the grants of the officer's subtree,
/// masked (audited).
pub(super) async fn export_masked(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (record, rows) = benefits::insurer_rows(&state.app, &officer.app_actor(), ProgrammeId(id), None)
        .await
        .map_err(web_error)?;
    Ok(download(workbook(lang, &record.name, &rows)?, &format!("benefit-{id}-masked.xlsx")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct FullForm {
    reason: String,
}

/// `POST /console/benefits/{id}/insurer.xlsx`: the insurer's list in full — names, ID
/// numbers, mobiles — for an officer holding `pii.reveal`, after a reason (audited first).
pub(super) async fn export_full(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<FullForm>,
) -> Result<Response, WebError> {
    match benefits::insurer_rows(&state.app, &officer.app_actor(), ProgrammeId(id), Some(&form.reason)).await
    {
        Ok((record, rows)) => {
            Ok(download(workbook(lang, &record.name, &rows)?, &format!("benefit-{id}-insurer.xlsx")))
        }
        Err(BenefitError::Reason) => {
            let problem = lang.t(
                "导出完整信息须填写原因（200字以内）",
                "A full export needs a reason (up to 200 characters)",
            );
            detail_page(&state, lang, &officer, ProgrammeId(id), 0, None, Some(problem.to_owned())).await
        }
        Err(other) => Err(web_error(other)),
    }
}
