//! The 安康杯 contest on the member's phone: `/contest/{id}` shows the contest and, once
//! the member has proved who they are — an SMS code to the membership's mobile, or the
//! link on their member card — lets them start an attempt (`attempt.rs`); the board is
//! public (`board.rs`). Pages work without JavaScript and stay within the worker pages'
//! 30 KB.
//!
//! Proof of identity becomes a signed pass in a cookie (`pass.rs`). Whether a mobile holds
//! a membership is told only after its SMS code, so the entry form is no oracle.

mod attempt;
pub(crate) mod board;
mod pass;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use huiji_app::contest::taking::{self, Entry};
use huiji_app::contest::{ContestError, public_contest};
use huiji_core::contest::{ContestId, ContestPhase};
use huiji_core::person_name::mask_stored;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{MembershipId, Mobile};
use huiji_store::ContestRecord;
use serde::Deserialize;

use crate::http::format::member_number;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};
use huiji_app::joining::{self, SendCodeError};

/// The contest pages a member reaches with a pass, and the public board.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/contest/{id}", get(intro))
        .route("/contest/{id}/card/{token}", get(by_card))
        .route("/contest/{id}/start", post(attempt::start))
        .route("/contest/{id}/a/{attempt}", get(attempt::show).post(attempt::answer))
        .route("/contest/{id}/a/{attempt}/result", get(attempt::result))
        .route("/contest/{id}/board", get(board::board))
}

/// The SMS entry form, which the public forms' per-address limit guards.
pub fn entry_router() -> Router<WebState> {
    Router::new().route("/contest/{id}/enter", post(enter))
}

/// `?lang=en` on English pages, so links and forms keep the language.
fn lang_query(lang: Lang) -> &'static str {
    if lang == Lang::En { "?lang=en" } else { "" }
}

/// The contest of a path, or 404.
async fn contest_of(state: &WebState, id: i64) -> Result<ContestRecord, WebError> {
    public_contest(&state.app, ContestId(id)).await.map_err(|_| WebError::NotFound)
}

/// The contest of an attempt's path, or 404: read from the contest cache, since every
/// answer names it (a freeze, which the attempt pages do not show, is seen within the TTL).
async fn attempt_contest(state: &WebState, id: i64) -> Result<Arc<ContestRecord>, WebError> {
    huiji_app::contest::cache::contest(&state.app, ContestId(id)).await?.ok_or(WebError::NotFound)
}

/// The member the request's pass names, if it is genuine and current.
fn member(state: &WebState, headers: &HeaderMap) -> Option<MembershipId> {
    pass::carried(headers).and_then(|p| pass::verify(state.app.keys(), &p, state.app.now()))
}

/// A page that shows who is signed in: never cached.
fn private(status: StatusCode, html: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The contest as the pages describe it.
struct Shown {
    id: i64,
    name: String,
    organiser: String,
    from: String,
    until: String,
    questions: u32,
    minutes: u32,
    per_day: u32,
    phase: ContestPhase,
}

impl Shown {
    async fn of(state: &WebState, contest: &ContestRecord) -> Result<Shown, WebError> {
        let organiser = state.store.org(contest.org).await?.map(|o| o.name).unwrap_or_default();
        Ok(Shown {
            id: contest.id.0,
            name: contest.name.clone(),
            organiser,
            from: contest.window.from().to_string(),
            until: contest.window.until().to_string(),
            questions: contest.rules.questions_per_attempt(),
            minutes: contest.rules.minutes(),
            per_day: contest.rules.attempts_per_day().get(),
            phase: contest.window.phase(state.app.now()),
        })
    }

    fn open(&self) -> bool {
        self.phase == ContestPhase::Open
    }

    fn closed(&self) -> bool {
        self.phase == ContestPhase::Closed
    }
}

/// The signed-in member as the intro page shows them.
struct MemberShown {
    name: String,
    number: String,
    attempts_left: u32,
    running: bool,
    /// Best score (percent), its right answers and rank.
    best: Option<(u32, u32, u64)>,
}

/// The SMS entry form's state.
#[derive(Default)]
struct SmsShown {
    mobile: String,
    code_sent: bool,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "contest/intro.html")]
struct IntroPage {
    lang: Lang,
    q: &'static str,
    contest: Shown,
    member: Option<MemberShown>,
    sms: SmsShown,
    problem: Option<&'static str>,
}

/// What a refused start says.
pub(super) fn problem_text(lang: Lang, error: &ContestError) -> Option<(StatusCode, &'static str)> {
    Some(match error {
        ContestError::NotEligible => (
            StatusCode::FORBIDDEN,
            lang.t(
                "您的会籍不在本次竞赛的主办工会范围内，不能参加。",
                "Your membership is not held in the organising union's subtree, so you cannot take part.",
            ),
        ),
        ContestError::DailyLimit => (
            StatusCode::CONFLICT,
            lang.t(
                "今天的答题次数已用完，明天再来吧。",
                "You have no attempts left today; come back tomorrow.",
            ),
        ),
        ContestError::NotOpen(ContestPhase::NotStarted) => {
            (StatusCode::CONFLICT, lang.t("竞赛还没有开始。", "The contest has not started yet."))
        }
        ContestError::NotOpen(_) => (StatusCode::CONFLICT, lang.t("竞赛已经结束。", "The contest is over.")),
        _ => return None,
    })
}

/// The intro page for `member` (if signed in), with the SMS form as given.
async fn intro_page(
    state: &WebState,
    lang: Lang,
    contest: &ContestRecord,
    member: Option<MembershipId>,
    sms: SmsShown,
    problem: Option<&'static str>,
) -> Result<String, WebError> {
    let mut problem = problem;
    let shown_member = match member {
        Some(id) => match taking::entry(&state.app, contest, id).await {
            Ok(entry) => Some(member_shown(&entry)),
            Err(ContestError::NotEligible) => {
                problem = problem.or(problem_text(lang, &ContestError::NotEligible).map(|p| p.1));
                None
            }
            Err(e) => return Err(WebError::Internal(e.to_string())),
        },
        None => None,
    };
    let page = IntroPage {
        lang,
        q: lang_query(lang),
        contest: Shown::of(state, contest).await?,
        member: shown_member,
        sms,
        problem,
    };
    Ok(page.render()?)
}

fn member_shown(entry: &Entry) -> MemberShown {
    let questions = entry.contest.rules.questions_per_attempt();
    MemberShown {
        name: mask_stored(&entry.member.name),
        number: member_number(entry.member.member_number.as_deref()),
        attempts_left: entry.attempts_left,
        running: entry.running.is_some(),
        best: entry.best.as_ref().map(|(best, rank)| {
            let score = huiji_core::contest::Score { correct: best.correct, total: questions, flagged: 0 };
            (score.percent(), best.correct, *rank)
        }),
    }
}

/// `GET /contest/{id}`
async fn intro(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let contest = contest_of(&state, id).await?;
    let html =
        intro_page(&state, lang, &contest, member(&state, &headers), SmsShown::default(), None).await?;
    Ok(private(StatusCode::OK, html))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EnterForm {
    mobile: String,
    sms_code: String,
    action: String,
}

/// Signs the member in: the pass cookie, and back to the contest.
fn signed_in(
    state: &WebState,
    lang: Lang,
    contest: i64,
    membership: MembershipId,
) -> Result<Response, WebError> {
    let pass = pass::issue(state.app.keys(), membership, state.app.now());
    let cookie = pass::set_cookie(&pass, state.http.secure_cookies);
    let mut response = Redirect::to(&format!("/contest/{contest}{}", lang_query(lang))).into_response();
    let value = header::HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.to_string()))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

/// The intro page as the entry form left it (nobody signed in yet).
async fn entry_page(
    state: &WebState,
    lang: Lang,
    contest: &ContestRecord,
    status: StatusCode,
    sms: SmsShown,
    problem: Option<&'static str>,
) -> Result<Response, WebError> {
    Ok(private(status, intro_page(state, lang, contest, None, sms, problem).await?))
}

/// `POST /contest/{id}/enter`: send a code to a mobile, or check it and sign in with the
/// membership it holds in the organiser's subtree.
async fn enter(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Form(form): Form<EnterForm>,
) -> Result<Response, WebError> {
    let contest = contest_of(&state, id).await?;
    if let Err(retry) = crate::http::abuse::check_form(&state, &form.mobile, None).await {
        return Ok(crate::http::abuse::too_many(lang, retry, &format!("/contest/{id}")));
    }
    let texts = crate::worker::joining::WorkerText::of(lang);
    let mut sms = SmsShown { mobile: form.mobile.clone(), code_sent: true, ..SmsShown::default() };
    if form.action == "send_code" {
        let status = match joining::send_code(&state.app, &form.mobile, SmsPurpose::Contest).await {
            Ok(_) => {
                sms.notice = Some(texts.code_sent);
                StatusCode::OK
            }
            Err(SendCodeError::Invalid(_)) => {
                sms.code_sent = false;
                sms.error = Some(lang.t("手机号格式不正确", "Not a valid mobile number"));
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(SendCodeError::TooSoon) => {
                sms.notice = Some(texts.code_too_soon);
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(SendCodeError::DailyLimit) => {
                sms.notice = Some(texts.code_daily_limit);
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(SendCodeError::Delivery(error)) => {
                tracing::warn!(%error, "verification SMS not sent");
                sms.notice = Some(texts.code_not_sent);
                StatusCode::SERVICE_UNAVAILABLE
            }
            Err(e @ (SendCodeError::Internal(_) | SendCodeError::Store(_))) => {
                return Err(WebError::Internal(e.to_string()));
            }
        };
        return entry_page(&state, lang, &contest, status, sms, None).await;
    }
    let Ok(mobile) = Mobile::parse(&form.mobile) else {
        sms.error = Some(texts.sms_none);
        return entry_page(&state, lang, &contest, StatusCode::UNPROCESSABLE_ENTITY, sms, None).await;
    };
    let check = joining::check_code(&state.app, &mobile, SmsPurpose::Contest, &form.sms_code).await?;
    let wrong = match check {
        SmsCheck::Verified => None,
        SmsCheck::Wrong { .. } => Some(texts.sms_wrong),
        SmsCheck::Expired => Some(texts.sms_expired),
        SmsCheck::Exhausted => Some(texts.sms_exhausted),
        SmsCheck::NoCode => Some(texts.sms_none),
    };
    if let Some(wrong) = wrong {
        sms.error = Some(wrong);
        return entry_page(&state, lang, &contest, StatusCode::UNPROCESSABLE_ENTITY, sms, None).await;
    }
    // Verified: now the owner of the mobile may learn what it holds.
    match taking::member_by_verified_mobile(&state.app, &contest, &mobile).await {
        Ok(id) => return signed_in(&state, lang, contest.id.0, id),
        Err(ContestError::NotEligible) => {}
        Err(e) => return Err(WebError::Internal(e.to_string())),
    }
    let problem = problem_text(lang, &ContestError::NotEligible).map(|p| p.1);
    entry_page(&state, lang, &contest, StatusCode::FORBIDDEN, SmsShown::default(), problem).await
}

/// `GET /contest/{id}/card/{token}`: the link on the member card signs its holder in.
async fn by_card(
    State(state): State<WebState>,
    lang: Lang,
    Path((id, token)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let contest = contest_of(&state, id).await?;
    let membership = joining::card::membership(&state.app, &token).await?.ok_or(WebError::NotFound)?;
    signed_in(&state, lang, contest.id.0, MembershipId(membership.id))
}
