//! Taking an attempt: one question per page, so a weak network carries a few kilobytes
//! per answer, and each answer's response is the next question (no redirect in between).
//! A repeated or stale post changes nothing: the server answers with where the attempt
//! stands. The last answer (or the deadline) leads to the result: the score, every
//! question with the member's answer, the key and the explanation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::contest::ContestError;
use huiji_app::contest::taking::{self, Ask, Step};
use huiji_core::MembershipId;
use huiji_core::contest::{AnswerTiming, AttemptId, LETTERS, LetterSet, QuestionKind};
use serde::Deserialize;

use super::{attempt_contest, intro_page, lang_query, member, private, problem_text};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// One option as the page shows it.
struct Choice {
    letter: char,
    text: String,
}

#[derive(Template)]
#[template(path = "contest/question.html")]
struct QuestionPage {
    lang: Lang,
    q: &'static str,
    contest_id: i64,
    contest_name: String,
    attempt: i64,
    position: u32,
    number: u32,
    total: usize,
    kind: &'static str,
    multiple: bool,
    stem: String,
    choices: Vec<Choice>,
    deadline: String,
    minutes_left: i64,
    last: bool,
}

/// The texts of a true/false question's two choices.
fn truth_labels(lang: Lang) -> [&'static str; 2] {
    [lang.t("正确", "True"), lang.t("错误", "False")]
}

/// Letters as the member reads them: true/false as words.
fn letters_shown(lang: Lang, kind: QuestionKind, letters: LetterSet) -> String {
    if kind == QuestionKind::TrueFalse {
        let labels = truth_labels(lang);
        return (0..2).filter(|i| letters.contains(*i)).map(|i| labels[i]).collect::<Vec<_>>().join("");
    }
    letters.to_string()
}

fn kind_label(lang: Lang, kind: QuestionKind) -> &'static str {
    lang.t(kind.label_zh(), kind.label_en())
}

/// `HH:MM` in China.
fn clock(at: huiji_core::Timestamp) -> String {
    let minutes = at.china_minute_of_day();
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn question_page(state: &WebState, lang: Lang, contest_name: &str, ask: &Ask) -> Result<Response, WebError> {
    let question = &ask.question.question;
    let choices = match question.kind {
        QuestionKind::TrueFalse => LETTERS
            .iter()
            .zip(truth_labels(lang))
            .map(|(letter, text)| Choice { letter: *letter, text: text.to_owned() })
            .collect(),
        _ => LETTERS
            .iter()
            .zip(&question.options)
            .map(|(l, t)| Choice { letter: *l, text: t.clone() })
            .collect(),
    };
    let left = ask.attempt.clock.deadline.0 - state.app.now().0;
    let page = QuestionPage {
        lang,
        q: lang_query(lang),
        contest_id: ask.attempt.contest.0,
        contest_name: contest_name.to_owned(),
        attempt: ask.attempt.id.0,
        position: ask.position,
        number: ask.position + 1,
        total: ask.attempt.questions.len(),
        kind: kind_label(lang, question.kind),
        multiple: question.kind == QuestionKind::Multiple,
        stem: question.stem.clone(),
        choices,
        deadline: clock(ask.attempt.clock.deadline),
        minutes_left: (left + 59_999) / 60_000,
        last: usize::try_from(ask.position + 1).is_ok_and(|n| n == ask.attempt.questions.len()),
    };
    Ok(private(StatusCode::OK, page.render()?))
}

/// A member without a (current) pass goes back to the contest's entry.
fn to_entry(lang: Lang, contest: i64) -> Response {
    Redirect::to(&format!("/contest/{contest}{}", lang_query(lang))).into_response()
}

/// Maps a use case's refusal: an attempt that is not the member's is a 404.
fn refused(error: ContestError) -> WebError {
    match error {
        ContestError::NotFound => WebError::NotFound,
        other => WebError::Internal(other.to_string()),
    }
}

/// `POST /contest/{id}/start`: starts an attempt, or goes back to the running one.
pub(super) async fn start(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let contest = attempt_contest(&state, id).await?;
    let Some(membership) = member(&state, &headers) else { return Ok(to_entry(lang, id)) };
    match taking::start(&state.app, &contest, membership).await {
        Ok(step) => step_response(&state, lang, id, &contest.name, step),
        Err(error) => match problem_text(lang, &error) {
            Some((status, problem)) => {
                let sms = super::SmsShown::default();
                Ok(private(
                    status,
                    intro_page(&state, lang, &contest, Some(membership), sms, Some(problem)).await?,
                ))
            }
            None => Err(refused(error)),
        },
    }
}

/// Where a step of contest `contest` leads: the question page, or the result.
fn step_response(
    state: &WebState,
    lang: Lang,
    contest: i64,
    name: &str,
    step: Step,
) -> Result<Response, WebError> {
    match step {
        Step::Ask(ask) => question_page(state, lang, name, &ask),
        Step::Done(attempt) => {
            Ok(Redirect::to(&format!("/contest/{contest}/a/{attempt}/result{}", lang_query(lang)))
                .into_response())
        }
    }
}

/// The member of the pass, and the attempt of the path.
fn who(state: &WebState, headers: &HeaderMap, attempt: i64) -> Option<(MembershipId, AttemptId)> {
    member(state, headers).map(|m| (m, AttemptId(attempt)))
}

/// `GET /contest/{id}/a/{attempt}`: the attempt's next question (after a reload).
pub(super) async fn show(
    State(state): State<WebState>,
    lang: Lang,
    Path((id, attempt)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let contest = attempt_contest(&state, id).await?;
    let Some((membership, attempt)) = who(&state, &headers, attempt) else { return Ok(to_entry(lang, id)) };
    let step = taking::current(&state.app, membership, attempt).await.map_err(refused)?;
    step_response(&state, lang, id, &contest.name, step)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AnswerForm {
    /// The question's position.
    n: u32,
    /// The letters chosen (checkboxes repeat the field).
    a: Vec<String>,
}

/// `POST /contest/{id}/a/{attempt}`: an answer; the response is the next question.
pub(super) async fn answer(
    State(state): State<WebState>,
    lang: Lang,
    Path((id, attempt)): Path<(i64, i64)>,
    headers: HeaderMap,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Result<Response, WebError> {
    let contest = attempt_contest(&state, id).await?;
    let Some((membership, attempt)) = who(&state, &headers, attempt) else { return Ok(to_entry(lang, id)) };
    let form: AnswerForm = serde_html_form::from_bytes(&body)
        .map_err(|e| WebError::BadRequest(format!("malformed answer: {e}")))?;
    let given = LetterSet::parse(&form.a.concat());
    let step = taking::answer(&state.app, membership, attempt, form.n, given).await.map_err(refused)?;
    step_response(&state, lang, id, &contest.name, step)
}

/// One question on the result page.
struct Reviewed {
    stem: String,
    given: String,
    key: String,
    key_text: String,
    correct: bool,
    flagged: bool,
    explanation: Option<String>,
}

#[derive(Template)]
#[template(path = "contest/result.html")]
struct ResultPage {
    lang: Lang,
    q: &'static str,
    contest_id: i64,
    contest_name: String,
    correct: u32,
    total: u32,
    percent: u32,
    flagged: u32,
    time: String,
    best: Option<(u32, u64)>,
    questions: Vec<Reviewed>,
}

/// `m分ss秒` / `m min ss s`.
pub(super) fn duration(lang: Lang, millis: i64) -> String {
    let seconds = millis.max(0) / 1000;
    match lang {
        Lang::Zh => format!("{}分{:02}秒", seconds / 60, seconds % 60),
        Lang::En => format!("{} min {:02} s", seconds / 60, seconds % 60),
    }
}

/// `GET /contest/{id}/a/{attempt}/result`
pub(super) async fn result(
    State(state): State<WebState>,
    lang: Lang,
    Path((id, attempt)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    attempt_contest(&state, id).await?;
    let Some((membership, attempt)) = who(&state, &headers, attempt) else { return Ok(to_entry(lang, id)) };
    let shown = taking::result(&state.app, membership, attempt).await.map_err(refused)?;
    let unanswered = lang.t("未作答", "No answer");
    let questions = shown
        .questions
        .iter()
        .map(|r| {
            let q = &r.question.question;
            let key_text = match q.kind {
                QuestionKind::TrueFalse => String::new(),
                _ => (0..q.options.len())
                    .filter(|i| q.answer.contains(*i))
                    .map(|i| q.options[i].as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            };
            Reviewed {
                stem: q.stem.clone(),
                given: r.given.map_or_else(|| unanswered.to_owned(), |g| letters_shown(lang, q.kind, g)),
                key: letters_shown(lang, q.kind, q.answer),
                key_text,
                correct: r.correct,
                flagged: r.timing == Some(AnswerTiming::TooFast),
                explanation: q.explanation.clone(),
            }
        })
        .collect();
    let ended = shown.attempt.last_at.0 - shown.attempt.clock.started_at.0;
    let total = shown.score.total;
    let page = ResultPage {
        lang,
        q: lang_query(lang),
        contest_id: id,
        contest_name: shown.contest.name.clone(),
        correct: shown.score.correct,
        total,
        percent: shown.score.percent(),
        flagged: shown.score.flagged,
        time: duration(lang, ended),
        best: shown.best.as_ref().map(|(best, rank)| {
            (huiji_core::contest::Score { correct: best.correct, total, flagged: 0 }.percent(), *rank)
        }),
        questions,
    };
    Ok(private(StatusCode::OK, page.render()?))
}
