//! Calls for innovation results in the console: the calls an officer sees, opening one
//! (admins), entering results and attaching files (officers of the call's subtree),
//! appointing judges, following the scores and closing the call (its admins).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::innovation::InnovationError;
use huiji_app::innovation::evaluation::entries::{self, EntryForm};
use huiji_app::innovation::evaluation::{self as evaluation, CallForm, CallView};
use huiji_core::innovation::StudioId;
use huiji_core::innovation::evaluation::{AttachmentId, AwardPlan, CallId, CallStatus, Criterion, EntryId};
use huiji_core::{CivilDate, OrgId};
use huiji_store::{AttachmentMeta, EntryRecord, Judge, ScoreRecord};

use super::fields::{self, Form};
use super::refusal;
use crate::console::{Act, Frame, NoticeQuery, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/innovation/calls", get(list).post(open))
        .route("/console/innovation/calls/{id}", get(detail))
        .route("/console/innovation/calls/{id}/entries", post(enter))
        .route("/console/innovation/calls/{id}/judges", post(appoint))
        .route("/console/innovation/calls/{id}/close", post(close))
        .route("/console/innovation/entries/{id}", get(entry))
        .route("/console/innovation/attachments/{id}", get(attachment))
}

/// The upload route, mounted apart: its body may be up to 5 MB.
pub(crate) fn uploads() -> Router<WebState> {
    // The body limit around every route (5 MB here) is the one that counts.
    Router::new()
        .route("/console/innovation/entries/{id}/attachments", post(attach))
        .layer(axum::extract::DefaultBodyLimit::disable())
}

fn back(state: &WebState, path: &str, notice: &str) -> Response {
    Redirect::to(&format!("{path}?{}", notice_query(state, notice))).into_response()
}

/// Back with the refusal's message, or the 404/403 it means.
fn refused(state: &WebState, lang: Lang, path: &str, error: InnovationError) -> Result<Response, WebError> {
    Ok(back(state, path, &refusal(lang, error)?))
}

fn app_error(lang: Lang, error: InnovationError) -> WebError {
    refusal(lang, error).err().unwrap_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "console/innovation/calls.html")]
struct CallsPage<'a> {
    frame: Frame<'a>,
    calls: Vec<CallView>,
    notice: Option<String>,
}

async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let calls = evaluation::calls(&state.app, &officer.acting()).await.map_err(|e| app_error(lang, e))?;
    let notice = notice.verified(&state);
    page(&CallsPage { frame: Frame { lang, officer: &officer, section: "innovation" }, calls, notice })
}

/// Criteria typed as names and weights separated by 、 or commas (创新性 40、实用性 35).
fn criteria(text: &str) -> Result<Vec<Criterion>, InnovationError> {
    text.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, weight) =
                line.rsplit_once([' ', '\t', '：', ':']).ok_or(InnovationError::Invalid("criteria"))?;
            let weight = weight.trim().parse().map_err(|_| InnovationError::Invalid("criteria"))?;
            Ok(Criterion { name: name.trim().to_owned(), weight })
        })
        .collect()
}

fn call_form(form: &Form) -> Result<CallForm, InnovationError> {
    let day = |name: &'static str| {
        CivilDate::parse_iso(fields::text(form, name)).ok_or(InnovationError::Invalid("window"))
    };
    let count = |name| fields::number(form, name).map_err(|_| InnovationError::Invalid("plan"));
    Ok(CallForm {
        org: OrgId(fields::id(form, "org").map_err(InnovationError::Invalid)?),
        title: fields::text(form, "title").to_owned(),
        categories: fields::text(form, "categories").to_owned(),
        opens: day("opens")?,
        closes: day("closes")?,
        criteria: criteria(fields::text(form, "criteria"))?,
        plan: AwardPlan {
            first: count("first")?,
            second: count("second")?,
            third: count("third")?,
            excellence: count("excellence")?,
        },
    })
}

async fn open(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<Form>,
) -> Result<Response, WebError> {
    let opened = match call_form(&form) {
        Ok(call) => evaluation::open_call(&state.app, &officer.acting(), call).await,
        Err(e) => Err(e),
    };
    match opened {
        Ok(id) => {
            Ok(back(&state, &format!("/console/innovation/calls/{id}"), lang.t("评选已发起", "Call opened")))
        }
        Err(error) => refused(&state, lang, "/console/innovation/calls", error),
    }
}

#[derive(Template)]
#[template(path = "console/innovation/call.html")]
struct CallPage<'a> {
    frame: Frame<'a>,
    view: CallView,
    entries: Vec<EntryRecord>,
    judges: Vec<Judge>,
    scores: Vec<ScoreRecord>,
    studios: Vec<(StudioId, String)>,
    notice: Option<String>,
}

impl CallPage<'_> {
    fn judge_name(&self, score: &ScoreRecord) -> String {
        self.judges
            .iter()
            .find(|j| j.user == score.judge)
            .map_or_else(|| score.judge.to_string(), |j| j.username.clone())
    }

    fn closed(&self) -> bool {
        self.view.call.status == CallStatus::Closed
    }

    fn award(&self, entry: &EntryRecord) -> String {
        let lang = self.frame.lang;
        match entry.result {
            Some(r) => match r.award {
                Some(a) => format!("{} · {} · {}", r.rank, lang.t(a.label_zh(), a.label_en()), r.score),
                None => format!("{} · {}", r.rank, r.score),
            },
            None => String::new(),
        }
    }

    fn studio_list(&self, judge: &Judge) -> String {
        judge.studios.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }
}

async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let acting = officer.acting();
    let id = CallId(id);
    let view = evaluation::call(&state.app, &acting, id).await.map_err(|e| app_error(lang, e))?;
    let entries = entries::entries(&state.app, &acting, id).await.map_err(|e| app_error(lang, e))?;
    let (judges, scores) = if view.manages {
        let judges = evaluation::judges(&state.app, &acting, id).await.map_err(|e| app_error(lang, e))?;
        (judges, evaluation::scores(&state.app, &acting, id).await.map_err(|e| app_error(lang, e))?)
    } else {
        (Vec::new(), Vec::new())
    };
    let studios = state
        .store
        .studios(officer.scope(), huiji_store::RegistryPage::first(super::kinds::CHOICES_LIMIT))
        .await?
        .into_iter()
        .map(|s| (s.id, s.studio.name))
        .collect();
    let notice = notice.verified(&state);
    page(&CallPage {
        frame: Frame { lang, officer: &officer, section: "innovation" },
        view,
        entries,
        judges,
        scores,
        studios,
        notice,
    })
}

async fn enter(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<Form>,
) -> Result<Response, WebError> {
    let path = format!("/console/innovation/calls/{id}");
    let studio = match fields::text(&form, "studio") {
        "" => None,
        s => Some(StudioId(s.parse().map_err(|_| WebError::NotFound)?)),
    };
    let org = match fields::id(&form, "org") {
        Ok(org) => OrgId(org),
        Err(field) => return refused(&state, lang, &path, InnovationError::Invalid(field)),
    };
    let entry = EntryForm {
        category: fields::text(&form, "category").to_owned(),
        title: fields::text(&form, "title").to_owned(),
        summary: fields::text(&form, "summary").to_owned(),
        authors: fields::text(&form, "authors").to_owned(),
        studio,
        org,
    };
    match entries::submit(&state.app, &officer.acting(), CallId(id), entry).await {
        Ok(entry) => {
            Ok(back(&state, &format!("/console/innovation/entries/{entry}"), lang.t("已申报", "Entered")))
        }
        Err(error) => refused(&state, lang, &path, error),
    }
}

async fn appoint(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<Form>,
) -> Result<Response, WebError> {
    let path = format!("/console/innovation/calls/{id}");
    let studios: Result<Vec<StudioId>, _> = fields::text(&form, "studios")
        .split([',', '，', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map(StudioId))
        .collect();
    let Ok(studios) = studios else {
        return refused(&state, lang, &path, InnovationError::Invalid("studios"));
    };
    let username = fields::text(&form, "username");
    match evaluation::appoint_judge(&state.app, &officer.acting(), CallId(id), username, &studios).await {
        Ok(()) => Ok(back(&state, &path, lang.t("已聘任评委", "Judge appointed"))),
        Err(error) => refused(&state, lang, &path, error),
    }
}

async fn close(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Form>,
) -> Result<Response, WebError> {
    let path = format!("/console/innovation/calls/{id}");
    match evaluation::close_call(&state.app, &officer.acting(), CallId(id)).await {
        Ok(_) => Ok(back(&state, &path, lang.t("评选已结束，结果已公布", "Closed; the result is published"))),
        Err(error) => refused(&state, lang, &path, error),
    }
}

#[derive(Template)]
#[template(path = "console/innovation/entry.html")]
struct EntryPage<'a> {
    frame: Frame<'a>,
    entry: EntryRecord,
    attachments: Vec<AttachmentMeta>,
    notice: Option<String>,
}

async fn entry(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let (entry, attachments) =
        entries::entry(&state.app, &officer.acting(), EntryId(id)).await.map_err(|e| app_error(lang, e))?;
    let notice = notice.verified(&state);
    page(&EntryPage {
        frame: Frame { lang, officer: &officer, section: "innovation" },
        entry,
        attachments,
        notice,
    })
}

/// Serves an attachment as a download, never rendered inline in the console's origin.
pub(super) fn download(file: huiji_store::Attachment, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let headers = [
        (header::CONTENT_TYPE, file.meta.kind.content_type().to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, file.content).into_response()
}

async fn attachment(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let file = entries::attachment(&state.app, &officer.acting(), AttachmentId(id))
        .await
        .map_err(|e| app_error(lang, e))?;
    let name = format!("attachment-{id}.{}", file.meta.kind.code());
    Ok(download(file, &name))
}

async fn attach(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let path = format!("/console/innovation/entries/{id}");
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|e| WebError::BadRequest(e.to_string()))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| WebError::BadRequest(e.to_string()))?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|e| WebError::BadRequest(e.to_string()))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !huiji_vault::constant_time_eq(csrf.as_bytes(), officer.csrf.as_bytes()) {
        return Err(WebError::Forbidden);
    }
    // The control-character door leaves uploads to their route: the name is text.
    if file.as_ref().is_some_and(|(name, _)| huiji_core::PlainText::parse(name).is_err()) {
        return Err(WebError::BadRequest("control character in the file name".to_owned()));
    }
    officer.require_act()?;
    let Some((name, bytes)) = file else { return Err(WebError::BadRequest("no file".to_owned())) };
    match entries::attach(&state.app, &officer.acting(), EntryId(id), &name, bytes).await {
        Ok(_) => Ok(back(&state, &path, lang.t("附件已上传", "Attached"))),
        Err(error) => refused(&state, lang, &path, error),
    }
}
