//! `POST /console/benefits/{id}/enrol`: the insurer's workbook (身份证号, 保单号; CSV or
//! XLSX) uploaded from the programme page; each row's grant within the officer's subtree
//! takes its policy number (`app::benefits::enrol_import`, audited). The page answers
//! with the counts and every refused row's number and reason; a second upload of the
//! same file changes nothing.

use std::io::Cursor;

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use huiji_app::benefits::{self, BenefitError, EnrolReport};
use huiji_core::benefit::ProgrammeId;
use huiji_tabular::{Limits, Table};

use super::{detail_page, web_error};
use crate::console::Officer;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Refused rows the page names at most (the counts hold them all).
const REFUSED_SHOWN: usize = 50;

/// A refused row's reason in words.
fn reason(lang: Lang, code: &str) -> &'static str {
    match code {
        "id_number.excel_number" => lang.t(
            "身份证号被Excel存成了数字，请将该列设为文本后重新导出",
            "the ID number was stored as a number by Excel",
        ),
        "id_number.invalid" => lang.t("身份证号无效", "invalid ID number"),
        "policy.invalid" => lang.t("保单号为空或含有不允许的字符", "empty or invalid policy number"),
        "grant.not_found" => {
            lang.t("本级及下级没有该人的发放记录", "no grant to this person in your subtree")
        }
        "grant.status" => lang.t("该发放已登记其他保单号或已结束", "the grant is enrolled otherwise or over"),
        _ => lang.t("无法处理", "not processed"),
    }
}

/// The report as the page's notice.
fn summary(lang: Lang, report: &EnrolReport) -> String {
    let (rows, enrolled, unchanged, refused) =
        (report.rows, report.enrolled, report.unchanged, report.refused.len());
    let mut text = match lang {
        Lang::Zh => format!("共 {rows} 行：已登记 {enrolled}，无变化 {unchanged}，未导入 {refused}"),
        Lang::En => format!("{rows} rows: {enrolled} enrolled, {unchanged} unchanged, {refused} refused"),
    };
    for (row, code) in report.refused.iter().take(REFUSED_SHOWN) {
        match lang {
            Lang::Zh => text.push_str(&format!("；第 {row} 行：{}", reason(lang, code))),
            Lang::En => text.push_str(&format!("; row {row}: {}", reason(lang, code))),
        }
    }
    text
}

/// The upload.
pub(super) async fn enrol(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = form.next_field().await.map_err(|e| WebError::BadRequest(e.to_string()))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| WebError::BadRequest(e.to_string()))?,
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| WebError::BadRequest(e.to_string()))?)
            }
            _ => {}
        }
    }
    if !huiji_vault::constant_time_eq(csrf.as_bytes(), officer.csrf.as_bytes()) {
        return Err(WebError::Forbidden);
    }
    officer.require_act()?;
    let programme = ProgrammeId(id);
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let missing = lang.t("请选择保险公司回传的名单文件", "Choose the insurer's file").to_owned();
        return detail_page(&state, lang, &officer, programme, 0, None, Some(missing)).await;
    };
    let table = match Table::from_reader(Cursor::new(bytes.to_vec()), None, Limits::default()) {
        Ok(table) => table,
        Err(error) => {
            let problem = if lang == Lang::Zh { error.message_zh() } else { error.to_string() };
            return detail_page(&state, lang, &officer, programme, 0, None, Some(problem)).await;
        }
    };
    match benefits::enrol_import(&state.app, &officer.app_actor(), programme, table).await {
        Ok(report) => {
            detail_page(&state, lang, &officer, programme, 0, Some(summary(lang, &report)), None).await
        }
        Err(BenefitError::Sheet(problem)) => {
            detail_page(&state, lang, &officer, programme, 0, None, Some(problem)).await
        }
        Err(other) => Err(web_error(other)),
    }
}
