//! The registry in the console: the figures of a union of the officer's subtree
//! (`/console/innovation`), and each kind of record listed with its form
//! (`/console/innovation/registry/{kind}`), changed or deleted by admins.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use huiji_app::innovation::{InnovationError, figures, registry};
use huiji_core::OrgId;
use huiji_core::innovation::{InnovationLevel, ProjectStatus};
use huiji_store::InnovationFigures;
use serde::Deserialize;

use super::fields::{Field, Form, Input};
use super::kinds::{Kind, Listing};
use super::refusal;
use crate::console::{Act, Frame, NoticeQuery, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/innovation", get(overview))
        .route("/console/innovation/registry/{kind}", get(list).post(create))
        .route("/console/innovation/registry/{kind}/{id}", get(edit).post(update))
        .route("/console/innovation/registry/{kind}/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "console/innovation/overview.html")]
struct OverviewPage<'a> {
    frame: Frame<'a>,
    org_name: String,
    figures: InnovationFigures,
    kinds: Vec<(&'static str, &'static str)>,
}

impl OverviewPage<'_> {
    fn at(&self, level: &InnovationLevel) -> u64 {
        self.figures.studios_at(*level)
    }

    fn with(&self, status: &ProjectStatus) -> u64 {
        self.figures.projects_with(*status)
    }

    fn level_label(&self, level: &InnovationLevel) -> &'static str {
        self.frame.lang.t(level.label_zh(), level.label_en())
    }

    fn status_label(&self, status: &ProjectStatus) -> &'static str {
        self.frame.lang.t(status.label_zh(), status.label_en())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OrgParam {
    org: String,
}

async fn overview(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<OrgParam>,
) -> Result<Response, WebError> {
    let org = match params.org.trim() {
        "" => None,
        id => Some(OrgId(id.parse().map_err(|_| WebError::NotFound)?)),
    };
    let (org, figures) =
        figures::figures(&state.app, &officer.acting(), org).await.map_err(|e| match refusal(lang, e) {
            Ok(_) => WebError::NotFound,
            Err(e) => e,
        })?;
    let kinds = Kind::ALL.iter().map(|k| (k.slug(), k.title(lang))).collect();
    page(&OverviewPage {
        frame: Frame { lang, officer: &officer, section: "innovation" },
        org_name: org.name,
        figures,
        kinds,
    })
}

#[derive(Template)]
#[template(path = "console/innovation/records.html")]
struct RecordsPage<'a> {
    frame: Frame<'a>,
    kind: &'static str,
    title: &'static str,
    listing: Listing,
    /// Whether this is the list's first page (the count shows only for a whole list).
    first_page: bool,
    form: Option<Vec<Field>>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/innovation/record.html")]
struct RecordPage<'a> {
    frame: Frame<'a>,
    kind: &'static str,
    title: &'static str,
    id: i64,
    fields: Vec<Field>,
    may_change: bool,
    notice: Option<String>,
}

fn kind_of(slug: &str) -> Result<Kind, WebError> {
    Kind::ALL.iter().copied().find(|k| k.slug() == slug).ok_or(WebError::NotFound)
}

async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(slug): Path<String>,
    Query(notice): Query<NoticeQuery>,
    Query(paging): Query<PageQuery>,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let listing = kind.listing(&state, lang, &officer, paging.after).await?;
    let form =
        if officer.role.is_admin() { Some(kind.form(&state, lang, &officer, None).await?) } else { None };
    page(&RecordsPage {
        frame: Frame { lang, officer: &officer, section: "innovation" },
        kind: kind.slug(),
        title: kind.title(lang),
        listing,
        first_page: paging.after == 0,
        form,
        notice: notice.verified(&state),
    })
}

/// Which page of a list: the records after this id.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    after: i64,
}

async fn edit(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path((slug, id)): Path<(String, i64)>,
    Query(notice): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let fields = kind.form(&state, lang, &officer, Some(id)).await?;
    page(&RecordPage {
        frame: Frame { lang, officer: &officer, section: "innovation" },
        kind: kind.slug(),
        title: kind.title(lang),
        id,
        fields,
        may_change: officer.role.is_admin(),
        notice: notice.verified(&state),
    })
}

/// Back to a page with a signed notice.
fn back(state: &WebState, path: &str, notice: &str) -> Response {
    axum::response::IntoResponse::into_response(Redirect::to(&format!(
        "{path}?{}",
        notice_query(state, notice)
    )))
}

async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Path(slug): Path<String>,
    Act { officer, form }: Act<Form>,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let path = format!("/console/innovation/registry/{}", kind.slug());
    match kind.save(&state, &officer, None, &form).await {
        Ok(()) => Ok(back(&state, &path, lang.t("已保存", "Saved"))),
        Err(error) => Ok(back(&state, &path, &refusal(lang, error)?)),
    }
}

async fn update(
    State(state): State<WebState>,
    lang: Lang,
    Path((slug, id)): Path<(String, i64)>,
    Act { officer, form }: Act<Form>,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let path = format!("/console/innovation/registry/{}/{id}", kind.slug());
    match kind.save(&state, &officer, Some(id), &form).await {
        Ok(()) => Ok(back(&state, &path, lang.t("已保存", "Saved"))),
        Err(error) => Ok(back(&state, &path, &refusal(lang, error)?)),
    }
}

async fn delete(
    State(state): State<WebState>,
    lang: Lang,
    Path((slug, id)): Path<(String, i64)>,
    Act { officer, .. }: Act<Form>,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let record = kind.reference(id);
    match registry::delete(&state.app, &officer.acting(), record).await {
        Ok(()) => {
            let path = format!("/console/innovation/registry/{}", kind.slug());
            Ok(back(&state, &path, lang.t("已删除", "Deleted")))
        }
        Err(error @ (InnovationError::NotFound | InnovationError::Forbidden | InnovationError::Store(_))) => {
            Err(refusal(lang, error).err().unwrap_or(WebError::NotFound))
        }
        Err(error) => {
            let path = format!("/console/innovation/registry/{}/{id}", kind.slug());
            Ok(back(&state, &path, &refusal(lang, error)?))
        }
    }
}
