//! The judges' pages (`/console/judging`): the calls an account judges, a call's entries
//! and one entry with its score form — built only from the app's blind views, in a frame
//! that names no union, so nothing on them tells whose entry it is. Open to every
//! account, judge-only ones included; the app admits only a call's judges.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::innovation::evaluation::judging::{self, BlindEntry, Panel, Standing};
use huiji_core::innovation::evaluation::{AttachmentId, CallId, CallStatus, EntryId};
use huiji_store::Call;

use super::calls::download;
use super::fields::{self, Form};
use super::refusal;
use crate::console::{Account, NoticeQuery, Officer, Signed, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/judging", get(calls))
        .route("/console/judging/calls/{id}", get(panel))
        .route("/console/judging/entries/{id}", get(entry))
        .route("/console/judging/entries/{id}/score", post(score))
        .route("/console/judging/entries/{id}/recuse", post(recuse))
        .route("/console/judging/attachments/{id}", get(attachment))
}

fn app_error(lang: Lang, error: huiji_app::innovation::InnovationError) -> WebError {
    refusal(lang, error).err().unwrap_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "console/innovation/judging.html")]
struct CallsPage<'a> {
    lang: Lang,
    judge: &'a Officer,
    calls: Vec<Call>,
}

async fn calls(
    State(state): State<WebState>,
    lang: Lang,
    Account(judge): Account,
) -> Result<Response, WebError> {
    let calls = judging::judged_calls(&state.app, &judge.acting()).await.map_err(|e| app_error(lang, e))?;
    page(&CallsPage { lang, judge: &judge, calls })
}

/// A standing in the page's words.
fn standing(lang: Lang, standing: &Standing) -> String {
    match standing {
        Standing::Open => lang.t("待评", "To score").to_owned(),
        Standing::Scored(_, score) => format!("{} {score}", lang.t("已评", "Scored")),
        Standing::Conflict => {
            lang.t("回避（本人工作室或单位）", "Conflict (your studio or union)").to_owned()
        }
        Standing::Recused => lang.t("已回避", "Recused").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "console/innovation/panel.html")]
struct PanelPage<'a> {
    lang: Lang,
    judge: &'a Officer,
    panel: Panel,
}

impl PanelPage<'_> {
    fn standing(&self, entry: &BlindEntry) -> String {
        standing(self.lang, &entry.standing)
    }
}

async fn panel(
    State(state): State<WebState>,
    lang: Lang,
    Account(judge): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let panel =
        judging::panel(&state.app, &judge.acting(), CallId(id)).await.map_err(|e| app_error(lang, e))?;
    page(&PanelPage { lang, judge: &judge, panel })
}

#[derive(Template)]
#[template(path = "console/innovation/judge_entry.html")]
struct EntryPage<'a> {
    lang: Lang,
    judge: &'a Officer,
    call: Call,
    entry: BlindEntry,
    notice: Option<String>,
}

impl EntryPage<'_> {
    fn standing(&self) -> String {
        standing(self.lang, &self.entry.standing)
    }

    fn may_score(&self) -> bool {
        self.call.status == CallStatus::Open
            && matches!(self.entry.standing, Standing::Open | Standing::Scored(..))
    }

    /// The judge's mark for criterion `i`, if they scored.
    fn mark(&self, i: &usize) -> String {
        match &self.entry.standing {
            Standing::Scored(marks, _) => marks.get(*i).map(ToString::to_string).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

async fn entry(
    State(state): State<WebState>,
    lang: Lang,
    Account(judge): Account,
    Path(id): Path<i64>,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let (call, entry) = judging::blind_entry(&state.app, &judge.acting(), EntryId(id))
        .await
        .map_err(|e| app_error(lang, e))?;
    let notice = notice.verified(&state);
    page(&EntryPage { lang, judge: &judge, call, entry, notice })
}

fn back(state: &WebState, id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/console/judging/entries/{id}?{}", notice_query(state, notice))).into_response()
}

async fn score(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Signed { officer, form }: Signed<Form>,
) -> Result<Response, WebError> {
    let mut marks = Vec::new();
    for i in 0.. {
        let Some(mark) = form.get(&format!("mark{i}")) else { break };
        match mark.trim().parse::<u32>() {
            Ok(mark) => marks.push(mark),
            Err(_) => {
                return Ok(back(
                    &state,
                    id,
                    lang.t("每项评分须为0至100的整数", "Each mark is a whole number 0–100"),
                ));
            }
        }
    }
    match judging::score(&state.app, &officer.acting(), EntryId(id), &marks).await {
        Ok(score) => Ok(back(&state, id, &format!("{} {score}", lang.t("已保存评分", "Score saved")))),
        Err(error) => Ok(back(&state, id, &refusal(lang, error)?)),
    }
}

async fn recuse(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Signed { officer, form }: Signed<Form>,
) -> Result<Response, WebError> {
    let reason = fields::text(&form, "reason");
    match judging::recuse(&state.app, &officer.acting(), EntryId(id), reason).await {
        Ok(()) => Ok(back(&state, id, lang.t("已回避", "Recused"))),
        Err(error) => Ok(back(&state, id, &refusal(lang, error)?)),
    }
}

async fn attachment(
    State(state): State<WebState>,
    lang: Lang,
    Account(judge): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let file = judging::attachment(&state.app, &judge.acting(), AttachmentId(id))
        .await
        .map_err(|e| app_error(lang, e))?;
    // Named by number only: the name it came with could name its author.
    let name = format!("attachment-{id}.{}", file.meta.kind.code());
    Ok(download(file, &name))
}
