//! The question bank in the console: what the officer's contests draw from (their own
//! union's bank and those above it), the first questions of their own, and the import of
//! an XLSX or CSV file (admins) with its report of duplicates and rejected rows.

use std::io::Cursor;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::contest::questions::{DuplicateOf, ImportReport, import as import_bank};
use huiji_core::contest::{QuestionError, QuestionKind};
use huiji_store::QuestionQuery;
use huiji_tabular::{Limits, Table};

use super::internal;
use crate::console::{Frame, Officer, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Questions of the officer's own bank listed.
const LISTED: u32 = 50;

/// A question as the list shows it.
struct Listed {
    id: i64,
    kind: &'static str,
    stem: String,
    answer: String,
    category: String,
}

/// A reported row.
struct Line {
    row: u64,
    text: String,
}

#[derive(Template)]
#[template(path = "console/contest_questions.html")]
struct BankPage<'a> {
    frame: Frame<'a>,
    categories: Vec<(String, u64)>,
    questions: Vec<Listed>,
    report: Option<(ImportReport, Vec<Line>)>,
    error: Option<String>,
}

/// What a problem of a row means, in the page's language.
fn problem_text(lang: Lang, problem: QuestionError) -> String {
    let text = match problem {
        QuestionError::UnknownKind => lang.t("题型应为单选题、多选题或判断题", "unknown question type"),
        QuestionError::MissingStem => lang.t("缺少题干", "no stem"),
        QuestionError::StemTooLong => lang.t("题干超过500字", "stem over 500 characters"),
        QuestionError::OptionGap(_) => lang.t("选项中间有空缺", "an option is missing between others"),
        QuestionError::OptionTooLong(_) => lang.t("选项超过200字", "an option over 200 characters"),
        QuestionError::TooFewOptions => lang.t("选择题至少两个选项", "a choice question needs two options"),
        QuestionError::TrueFalseWithOptions => {
            lang.t("判断题不填选项", "true/false questions take no options")
        }
        QuestionError::MissingAnswer => lang.t("缺少答案", "no answer"),
        QuestionError::BadAnswer => {
            lang.t("答案应为选项字母（判断题为对/错）", "the answer is not option letters")
        }
        QuestionError::AnswerNotAnOption(_) => lang.t("答案不在选项中", "the answer names a missing option"),
        QuestionError::SingleWithSeveralAnswers => {
            lang.t("单选题只能有一个答案", "a single choice with several answers")
        }
        QuestionError::MultipleWithOneAnswer => {
            lang.t("多选题至少两个答案", "a multiple choice with one answer")
        }
        QuestionError::ExplanationTooLong => lang.t("解析超过1000字", "explanation over 1,000 characters"),
        QuestionError::BadCategory => {
            lang.t("缺少分类或分类超过30字", "no category, or one over 30 characters")
        }
        QuestionError::UnknownDifficulty => {
            lang.t("难度应为易、中或难", "difficulty is not easy, medium or hard")
        }
        QuestionError::ControlCharacter => lang.t("含有控制字符", "a control character"),
    };
    format!("{text} ({})", problem.code())
}

/// The report's rows, in file order.
fn lines(lang: Lang, report: &ImportReport) -> Vec<Line> {
    let mut lines: Vec<Line> = report
        .duplicates
        .iter()
        .map(|d| Line {
            row: d.row,
            text: match (d.of, lang) {
                (DuplicateOf::Row(row), Lang::Zh) => format!("与第{row}行题干重复，未导入"),
                (DuplicateOf::Row(row), Lang::En) => format!("same stem as row {row}; not added"),
                (DuplicateOf::Bank(id), Lang::Zh) => format!("题库中已有相同题干（#{id}），未导入"),
                (DuplicateOf::Bank(id), Lang::En) => format!("already in the bank (#{id}); not added"),
            },
        })
        .chain(report.rejected.iter().map(|r| Line {
            row: r.row,
            text: r.problems.iter().map(|p| problem_text(lang, *p)).collect::<Vec<_>>().join("；"),
        }))
        .collect();
    lines.sort_by_key(|l| l.row);
    lines
}

async fn bank_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    report: Option<ImportReport>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let categories = state
        .store
        .bank_categories(&officer.org.path.lineage())
        .await?
        .into_iter()
        .map(|(c, n)| (c.as_str().to_owned(), n))
        .collect();
    let query = QuestionQuery { owners: vec![officer.org.id], category: None, after: None, limit: LISTED };
    let questions = state
        .store
        .questions(&query)
        .await?
        .into_iter()
        .map(|q| Listed {
            id: q.id.0,
            kind: lang.t(q.question.kind.label_zh(), q.question.kind.label_en()),
            stem: q.question.stem,
            answer: match q.question.kind {
                QuestionKind::TrueFalse if q.question.answer.contains(0) => lang.t("对", "True").to_owned(),
                QuestionKind::TrueFalse => lang.t("错", "False").to_owned(),
                _ => q.question.answer.to_string(),
            },
            category: q.question.category.as_str().to_owned(),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let report = report.map(|r| {
        let lines = lines(lang, &r);
        (r, lines)
    });
    let frame = Frame { lang, officer, section: "contests" };
    let mut response = page(&BankPage { frame, categories, questions, report, error })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/contests/questions`
pub(super) async fn bank(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
) -> Result<Response, WebError> {
    bank_page(&state, lang, &officer, None, None).await
}

/// `POST /console/contests/questions/import` (multipart: `csrf`, `file`): an admin
/// imports a question file into their union's bank.
pub(super) async fn import(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
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
    officer.require_admin()?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let missing = lang.t("请选择要导入的文件", "Choose a file to import").to_owned();
        return bank_page(&state, lang, &officer, None, Some(missing)).await;
    };
    let table = match Table::from_reader(Cursor::new(bytes.to_vec()), None, Limits::default()) {
        Ok(table) => table,
        Err(error) => return bank_page(&state, lang, &officer, None, Some(file_problem(lang, &error))).await,
    };
    match import_bank(&state.app, &officer.app_actor(), officer.org.id, table).await {
        Ok(report) => bank_page(&state, lang, &officer, Some(report), None).await,
        Err(huiji_app::contest::ContestError::File(error)) => {
            bank_page(&state, lang, &officer, None, Some(file_problem(lang, &error))).await
        }
        Err(error) => Err(internal(error)),
    }
}

/// A file that cannot be read, in the page's language.
fn file_problem(lang: Lang, error: &huiji_tabular::Error) -> String {
    match lang {
        Lang::Zh => error.message_zh(),
        Lang::En => error.to_string(),
    }
}
