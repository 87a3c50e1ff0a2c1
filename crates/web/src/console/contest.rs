//! 安康杯 contests in the console: the contests organised within the officer's subtree,
//! creating one for the officer's union (admins), a contest's boards with drill-down and
//! its XLSX export (`export.rs`), and the question bank with its import (`questions.rs`).

mod export;
mod questions;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::contest::organise::{self, ContestDraft};
use huiji_app::contest::{ContestError, contest_for};
use huiji_core::CivilDate;
use huiji_core::contest::{Category, CategoryQuota, ContestId, ContestPhase, DrawError, RulesError};
use huiji_store::ContestRecord;
use serde::Deserialize;

use super::{Act, Frame, Officer, page};
use crate::http::i18n::Lang;
use crate::worker::contest::board::{Board, BoardQuery, board_of};
use crate::{WebError, WebState};

/// People the console's board lists.
const PEOPLE_SHOWN: u32 = 100;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/contests", get(list).post(create))
        .route("/console/contests/questions", get(questions::bank))
        .route("/console/contests/{id}", get(detail))
        .route("/console/contests/{id}/export.xlsx", get(export::xlsx))
}

/// The question bank's upload, which takes a larger body than any other console form.
pub(crate) fn upload_router() -> Router<WebState> {
    Router::new().route("/console/contests/questions/import", post(questions::import))
}

/// A phase in words.
fn phase_label(lang: Lang, phase: ContestPhase) -> &'static str {
    match phase {
        ContestPhase::NotStarted => lang.t("未开始", "Not started"),
        ContestPhase::Open => lang.t("进行中", "Open"),
        ContestPhase::Closed => lang.t("已结束", "Closed"),
    }
}

/// Why a contest could not be made, in the page's language.
pub(super) fn refusal(lang: Lang, error: &ContestError) -> Option<String> {
    let zh = lang == Lang::Zh;
    Some(match error {
        ContestError::Rules(RulesError::Name) => {
            lang.t("名称须为1至100个字符", "The name must be 1 to 100 characters").to_owned()
        }
        ContestError::Rules(RulesError::Questions) => {
            lang.t("每次题数须为1至100", "Questions per attempt must be 1 to 100").to_owned()
        }
        ContestError::Rules(RulesError::Minutes) => {
            lang.t("答题时限须为1至120分钟", "The time limit must be 1 to 120 minutes").to_owned()
        }
        ContestError::Rules(RulesError::AttemptsPerDay) => {
            lang.t("每天答题次数须为1至10", "Attempts per day must be 1 to 10").to_owned()
        }
        ContestError::Rules(RulesError::Window) => {
            lang.t("结束日期早于开始日期", "The last day is before the first").to_owned()
        }
        ContestError::QuotaTotal { quotas, questions } if zh => {
            format!("配额合计{quotas}题，与每次题数{questions}不符")
        }
        ContestError::Draw(DrawError::NotEnough { category, wanted, available }) if zh => {
            format!("题库中“{category}”只有{available}题，配额为{wanted}题")
        }
        ContestError::Draw(DrawError::DuplicateCategory(category)) if zh => {
            format!("分类“{category}”的配额重复")
        }
        ContestError::Draw(DrawError::Empty) if zh => "配额合计为0题".to_owned(),
        ContestError::Draw(DrawError::BankTooSmall { wanted, available }) if zh => {
            format!("可用题库只有{available}题，每次需要{wanted}题")
        }
        ContestError::QuotaTotal { .. } | ContestError::Draw(_) => error.to_string(),
        _ => return None,
    })
}

/// A contest as the list shows it.
struct ContestRow {
    id: i64,
    name: String,
    organiser: String,
    window: String,
    rules: String,
    phase: &'static str,
}

async fn row(state: &WebState, lang: Lang, contest: &ContestRecord) -> Result<ContestRow, WebError> {
    let rules = contest.rules;
    Ok(ContestRow {
        id: contest.id.0,
        name: contest.name.clone(),
        organiser: state.store.org(contest.org).await?.map(|o| o.name).unwrap_or_default(),
        window: format!("{} – {}", contest.window.from(), contest.window.until()),
        rules: match lang {
            Lang::Zh => format!(
                "{}题 · {}分钟 · 每天{}次",
                rules.questions_per_attempt(),
                rules.minutes(),
                rules.attempts_per_day().get()
            ),
            Lang::En => format!(
                "{} questions · {} min · {} a day",
                rules.questions_per_attempt(),
                rules.minutes(),
                rules.attempts_per_day().get()
            ),
        },
        phase: phase_label(lang, contest.window.phase(state.app.now())),
    })
}

/// The create form's fields (as typed, to show again).
#[derive(Debug, Deserialize)]
#[serde(default)]
pub(super) struct CreateForm {
    name: String,
    from: String,
    until: String,
    questions: String,
    minutes: String,
    per_day: String,
    quotas: String,
}

impl Default for CreateForm {
    fn default() -> CreateForm {
        CreateForm {
            name: String::new(),
            from: String::new(),
            until: String::new(),
            questions: "20".to_owned(),
            minutes: "15".to_owned(),
            per_day: "1".to_owned(),
            quotas: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/contests.html")]
struct ContestsPage<'a> {
    frame: Frame<'a>,
    rows: Vec<ContestRow>,
    categories: Vec<(String, u64)>,
    form: CreateForm,
    error: Option<String>,
}

async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    form: CreateForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let contests = organise::list(&state.app, &officer.app_actor()).await.map_err(internal)?;
    let mut rows = Vec::with_capacity(contests.len());
    for contest in &contests {
        rows.push(row(state, lang, contest).await?);
    }
    let categories = state
        .store
        .bank_categories(&officer.org.path.lineage())
        .await?
        .into_iter()
        .map(|(c, n)| (c.as_str().to_owned(), n))
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let frame = Frame { lang, officer, section: "contests" };
    let mut response = page(&ContestsPage { frame, rows, categories, form, error })?;
    *response.status_mut() = status;
    Ok(response)
}

fn internal(error: ContestError) -> WebError {
    match error {
        ContestError::NotFound => WebError::NotFound,
        ContestError::Forbidden => WebError::Forbidden,
        other => WebError::Internal(other.to_string()),
    }
}

/// `GET /console/contests`
async fn list(State(state): State<WebState>, lang: Lang, officer: Officer) -> Result<Response, WebError> {
    list_page(&state, lang, &officer, CreateForm::default(), None).await
}

/// The form as a draft for the officer's union, or what is wrong with it.
fn draft(lang: Lang, officer: &Officer, form: &CreateForm) -> Result<ContestDraft, String> {
    let date = |text: &str| {
        CivilDate::parse_iso(text.trim())
            .ok_or_else(|| lang.t("日期格式应为YYYY-MM-DD", "Dates are YYYY-MM-DD").to_owned())
    };
    let number = |text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| lang.t("题数、时限和次数须为整数", "Numbers must be whole numbers").to_owned())
    };
    let mut quotas = Vec::new();
    for line in form.quotas.split([',', '，', ';', '；', '、']).map(str::trim).filter(|l| !l.is_empty()) {
        let bad = || match lang {
            Lang::Zh => format!("配额“{line}”应写作 分类=题数"),
            Lang::En => format!("Quota “{line}” should read CATEGORY=N"),
        };
        let (category, count) = line.rsplit_once(['=', '＝']).ok_or_else(bad)?;
        quotas.push(CategoryQuota {
            category: Category::parse(category).ok_or_else(bad)?,
            count: count.trim().parse().map_err(|_| bad())?,
        });
    }
    Ok(ContestDraft {
        org: officer.org.id,
        name: form.name.clone(),
        from: date(&form.from)?,
        until: date(&form.until)?,
        questions_per_attempt: number(&form.questions)?,
        minutes: number(&form.minutes)?,
        attempts_per_day: number(&form.per_day)?,
        quotas: (!quotas.is_empty()).then_some(quotas),
    })
}

/// `POST /console/contests`: an admin creates a contest organised by their union.
async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<CreateForm>,
) -> Result<Response, WebError> {
    officer.require_admin()?;
    let draft = match draft(lang, &officer, &form) {
        Ok(draft) => draft,
        Err(problem) => return list_page(&state, lang, &officer, form, Some(problem)).await,
    };
    match organise::create(&state.app, &officer.app_actor(), draft).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/contests/{id}")).into_response()),
        Err(error) => match refusal(lang, &error) {
            Some(problem) => list_page(&state, lang, &officer, form, Some(problem)).await,
            None => Err(internal(error)),
        },
    }
}

#[derive(Template)]
#[template(path = "console/contest.html")]
struct ContestPage<'a> {
    frame: Frame<'a>,
    contest: ContestRow,
    quotas: Vec<(String, u32)>,
    board: Board,
    by_score: bool,
    links: String,
}

/// The contest an officer may see (organised within their subtree), else 404.
pub(super) async fn visible(state: &WebState, officer: &Officer, id: i64) -> Result<ContestRecord, WebError> {
    contest_for(&state.app, &officer.app_actor(), ContestId(id)).await.map_err(internal)
}

/// `GET /console/contests/{id}`: the contest, its quotas and its boards.
async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let contest = visible(&state, &officer, id).await?;
    let board = board_of(&state, lang, &contest, &query, PEOPLE_SHOWN).await?;
    let quotas = state
        .store
        .contest_quotas(contest.id)
        .await?
        .into_iter()
        .map(|q| (q.category.as_str().to_owned(), q.count))
        .collect();
    let mut links = format!("org={}", board.node.id);
    if query.by == "score" {
        links.push_str("&by=score");
    }
    page(&ContestPage {
        frame: Frame { lang, officer: &officer, section: "contests" },
        contest: row(&state, lang, &contest).await?,
        quotas,
        board,
        by_score: query.by == "score",
        links,
    })
}
