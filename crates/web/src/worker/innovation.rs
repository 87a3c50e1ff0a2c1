//! `/innovation`: the province's published innovation studios by level and field,
//! searchable, each with its key projects and how many mentorships it runs; and the
//! published results of closed calls (`/innovation/results/{id}`). Published data only:
//! the model workers' public names and honours, never an apprentice or an author.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use huiji_app::innovation::InnovationError;
use huiji_app::innovation::evaluation::{closed_calls, published_result};
use huiji_app::innovation::figures::{PUBLIC_PAGE_SIZE, PublicPage, PublicStudio, public_page};
use huiji_core::innovation::evaluation::CallId;
use huiji_core::innovation::{InnovationLevel, ProjectStatus};
use huiji_store::{Call, EntryRecord, PublicStudioQuery};
use serde::Deserialize;

use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The public innovation pages.
pub fn router() -> Router<WebState> {
    Router::new().route("/innovation", get(studios)).route("/innovation/results/{id}", get(result))
}

fn app_error(error: InnovationError) -> WebError {
    match error {
        InnovationError::Store(e) => e.into(),
        _ => WebError::NotFound,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Params {
    level: String,
    field: String,
    q: String,
    page: String,
}

#[derive(Template)]
#[template(path = "worker/innovation.html")]
struct StudiosPage {
    lang: Lang,
    page: PublicPage,
    level: String,
    field: String,
    q: String,
    calls: Vec<Call>,
    next: Option<String>,
    previous: Option<String>,
}

impl StudiosPage {
    /// The levels to filter by: code, label, whether chosen.
    fn levels(&self) -> Vec<(&'static str, &'static str, bool)> {
        InnovationLevel::ALL
            .iter()
            .map(|l| (l.code(), self.lang.t(l.label_zh(), l.label_en()), self.level == l.code()))
            .collect()
    }

    fn title(&self, s: &PublicStudio) -> String {
        let studio = &s.studio.studio;
        match self.lang {
            Lang::Zh => studio.kind.title_zh(studio.level),
            Lang::En => format!("{} ({})", studio.kind.label_en(), studio.level.label_en()),
        }
    }

    fn honour(&self, s: &PublicStudio) -> String {
        match self.lang {
            Lang::Zh => s.studio.leader_honour.title_zh().to_owned(),
            Lang::En => s.studio.leader_honour.title_en(),
        }
    }

    fn status(&self, status: &ProjectStatus) -> &'static str {
        self.lang.t(status.label_zh(), status.label_en())
    }
}

/// The query string of another page of the same search.
fn page_query(params: &Params, page: u32) -> String {
    serde_html_form::to_string([
        ("level", params.level.as_str()),
        ("field", params.field.as_str()),
        ("q", params.q.as_str()),
        ("page", &page.to_string()),
    ])
    .unwrap_or_default()
}

async fn studios(
    State(state): State<WebState>,
    lang: Lang,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let page_number: u32 = params.page.parse().unwrap_or(0).min(10_000);
    let query = PublicStudioQuery {
        level: params.level.parse().ok(),
        field: params.field.trim().to_owned(),
        text: params.q.trim().chars().take(40).collect(),
        limit: PUBLIC_PAGE_SIZE,
        offset: page_number * PUBLIC_PAGE_SIZE,
    };
    let page = public_page(&state.app, &query).await.map_err(app_error)?;
    let shown = u64::from(page_number + 1) * u64::from(PUBLIC_PAGE_SIZE);
    let next = (shown < page.total).then(|| page_query(&params, page_number + 1));
    let previous = (page_number > 0).then(|| page_query(&params, page_number - 1));
    let calls = closed_calls(&state.app).await.map_err(app_error)?;
    let html = StudiosPage {
        lang,
        page,
        level: params.level,
        field: params.field,
        q: params.q,
        calls,
        next,
        previous,
    }
    .render()?;
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "worker/innovation_result.html")]
struct ResultPage {
    lang: Lang,
    call: Call,
    entries: Vec<EntryRecord>,
}

impl ResultPage {
    fn award(&self, entry: &EntryRecord) -> &'static str {
        entry.result.and_then(|r| r.award).map_or("", |a| self.lang.t(a.label_zh(), a.label_en()))
    }
}

async fn result(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (call, entries) = published_result(&state.app, CallId(id)).await.map_err(app_error)?;
    Ok(Html(ResultPage { lang, call, entries }.render()?).into_response())
}
