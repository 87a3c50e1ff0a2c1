//! The organiser's XLSX of a contest's results at the level shown: the unions below it
//! ranked (as ordered on the page) and its people ranked — names masked, member numbers
//! so prizes can be given. The export is in the audit log before any row leaves.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use huiji_core::audit::AuditAction;
use huiji_store::ContestRecord;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::visible;
use crate::console::Officer;
use crate::console::xlsx::{XLSX_TYPE, add_sheet};
use crate::http::i18n::Lang;
use crate::worker::contest::board::{Board, BoardQuery, board_of};
use crate::{WebError, WebState};

/// The most people one export holds.
const MAX_PEOPLE: u32 = 100_000;

/// The workbook of a board.
fn workbook(lang: Lang, board: &Board) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let unions: Vec<Vec<String>> = board
        .unions
        .iter()
        .map(|u| {
            vec![
                u.rank.to_string(),
                u.name.clone(),
                u.members.to_string(),
                u.participants.to_string(),
                u.rate.clone(),
                u.average.clone(),
            ]
        })
        .collect();
    let union_header = [
        lang.t("名次", "Rank"),
        lang.t("单位", "Union"),
        lang.t("会员数", "Members"),
        lang.t("参赛人数", "Participants"),
        lang.t("参与率", "Participation"),
        lang.t("平均得分率", "Average score"),
    ];
    add_sheet(&mut book, lang.t("单位排名", "Unions"), &union_header, &unions)?;
    let people: Vec<Vec<String>> = board
        .people
        .iter()
        .map(|p| {
            vec![
                p.rank.to_string(),
                p.name.clone(),
                p.member_number.clone(),
                p.union.clone(),
                format!("{}/{}", p.correct, board.questions),
                p.time.clone(),
            ]
        })
        .collect();
    let people_header = [
        lang.t("名次", "Rank"),
        lang.t("姓名", "Name"),
        lang.t("会员号", "Member number"),
        lang.t("所在工会", "Union"),
        lang.t("答对", "Right"),
        lang.t("用时", "Time"),
    ];
    add_sheet(&mut book, lang.t("个人排名", "People"), &people_header, &people)?;
    book.save_to_buffer()
}

/// `GET /console/contests/{id}/export.xlsx?org=&by=`
pub(super) async fn xlsx(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let contest: ContestRecord = visible(&state, &officer, id).await?;
    let board = board_of(&state, lang, &contest, &query, MAX_PEOPLE).await?;
    let node = state.store.org(huiji_core::OrgId(board.node.id)).await?.ok_or(WebError::NotFound)?;
    let subject =
        format!("contest:{id} org:{} {} unions, {} people", node.id, board.unions.len(), board.people.len());
    officer.app_actor().audit(&state.app, &node.path, AuditAction::ExportContestXlsx, subject).await?;
    let body = tokio::task::spawn_blocking(move || workbook(lang, &board))
        .await
        .map_err(|e| WebError::Internal(format!("xlsx task: {e}")))?
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    let name = format!("attachment; filename=\"contest-{id}-{}.xlsx\"", state.app.now().china_date());
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
