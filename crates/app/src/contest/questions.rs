//! Importing a question bank from an XLSX (or CSV) file: every row checked by the core's
//! rules, every rejected row reported with its problems, repeated stems reported — in
//! the file and against the bank — and the rest added in one transaction.

use huiji_core::OrgId;
use huiji_core::audit::AuditAction;
use huiji_core::contest::{
    Question, QuestionCells, QuestionError, QuestionId, duplicate_stems, parse_question,
};
use huiji_store::Added;
use huiji_tabular::{HeaderSpec, Table};

use super::ContestError;
use crate::App;
use crate::actor::Actor;

/// A column of the question file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Kind,
    Stem,
    Option(usize),
    Answer,
    Explanation,
    Category,
    Difficulty,
}

/// The headers the import understands, in the spellings question banks come with.
const SPECS: [HeaderSpec<'static, Col>; 12] = [
    HeaderSpec {
        column: Col::Kind,
        name: "kind",
        spellings: &["题型", "题目类型", "试题类型", "类型"],
        required: true,
    },
    HeaderSpec {
        column: Col::Stem,
        name: "stem",
        spellings: &["题干", "题目", "试题", "题目内容", "问题"],
        required: true,
    },
    HeaderSpec {
        column: Col::Option(0),
        name: "option_a",
        spellings: &["选项A", "A", "A选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Option(1),
        name: "option_b",
        spellings: &["选项B", "B", "B选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Option(2),
        name: "option_c",
        spellings: &["选项C", "C", "C选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Option(3),
        name: "option_d",
        spellings: &["选项D", "D", "D选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Option(4),
        name: "option_e",
        spellings: &["选项E", "E", "E选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Option(5),
        name: "option_f",
        spellings: &["选项F", "F", "F选项"],
        required: false,
    },
    HeaderSpec {
        column: Col::Answer,
        name: "answer",
        spellings: &["答案", "正确答案", "标准答案"],
        required: true,
    },
    HeaderSpec {
        column: Col::Explanation,
        name: "explanation",
        spellings: &["解析", "答案解析", "试题解析", "说明"],
        required: false,
    },
    HeaderSpec {
        column: Col::Category,
        name: "category",
        spellings: &["分类", "类别", "题目分类", "知识点"],
        required: true,
    },
    HeaderSpec {
        column: Col::Difficulty,
        name: "difficulty",
        spellings: &["难度", "难易程度"],
        required: false,
    },
];

/// A row that was not added, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Its row number as the spreadsheet shows it.
    pub row: u64,
    /// Every problem found.
    pub problems: Vec<QuestionError>,
}

/// What a repeated stem repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateOf {
    /// An earlier row of the file (its number).
    Row(u64),
    /// A question already in the bank.
    Bank(QuestionId),
}

/// A row whose stem was already there: counted, not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// Its row number.
    pub row: u64,
    /// What it repeats.
    pub of: DuplicateOf,
}

/// What an import did: nothing is dropped without a line here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read (blank rows skipped).
    pub rows: u64,
    /// Questions added.
    pub added: u64,
    /// Rows repeating a stem.
    pub duplicates: Vec<Duplicate>,
    /// Rows refused.
    pub rejected: Vec<Rejected>,
    /// Headers the import did not use (reported, not an error).
    pub unused_headers: Vec<String>,
}

/// One data row, checked.
struct Row {
    number: u64,
    parsed: Result<Question, Vec<QuestionError>>,
}

/// Reads and checks every row (blocking: run it off the async workers).
fn read_rows(mut table: Table) -> Result<(Vec<Row>, Vec<String>), huiji_tabular::Error> {
    let mut records = table.records(&SPECS)?;
    let unused = records.header().unused().into_iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    for record in &mut records {
        let record = record?;
        let text = |col| record.get(col).to_string();
        let options: [String; 6] = std::array::from_fn(|i| text(Col::Option(i)));
        let (kind, stem, answer) = (text(Col::Kind), text(Col::Stem), text(Col::Answer));
        let (explanation, category, difficulty) =
            (text(Col::Explanation), text(Col::Category), text(Col::Difficulty));
        let cells = QuestionCells {
            kind: &kind,
            stem: &stem,
            options: std::array::from_fn(|i| options[i].as_str()),
            answer: &answer,
            explanation: &explanation,
            category: &category,
            difficulty: &difficulty,
        };
        rows.push(Row { number: record.number, parsed: parse_question(&cells) });
    }
    Ok((rows, unused))
}

/// Imports a question file into `owner`'s bank: contests of `owner` and of the unions
/// below it draw from it. Admins of the owner's subtree and the operator may.
///
/// # Errors
///
/// The owner is missing or out of scope, the actor may not, the file cannot be read
/// (no header row with 题型, 题干, 答案 and 分类, a damaged workbook), or the store's.
pub async fn import(
    app: &App,
    actor: &Actor,
    owner: OrgId,
    table: Table,
) -> Result<ImportReport, ContestError> {
    let org = app.store().org(owner).await?.filter(|o| actor.sees(&o.path)).ok_or(ContestError::NotFound)?;
    if !actor.administers(&org.path) {
        return Err(ContestError::Forbidden);
    }
    let (rows, unused_headers) = tokio::task::spawn_blocking(move || read_rows(table))
        .await
        .map_err(|e| ContestError::Internal(format!("import task: {e}")))??;
    let mut report = ImportReport {
        rows: u64::try_from(rows.len()).unwrap_or(u64::MAX),
        unused_headers,
        ..ImportReport::default()
    };
    let mut valid: Vec<(u64, Question)> = Vec::new();
    for row in rows {
        match row.parsed {
            Ok(question) => valid.push((row.number, question)),
            Err(problems) => report.rejected.push(Rejected { row: row.number, problems }),
        }
    }
    let repeats = duplicate_stems(valid.iter().map(|(_, q)| q.stem.as_str()));
    let mut repeated = vec![false; valid.len()];
    for (first, repeat) in repeats {
        repeated[repeat] = true;
        report.duplicates.push(Duplicate { row: valid[repeat].0, of: DuplicateOf::Row(valid[first].0) });
    }
    let (numbers, fresh): (Vec<u64>, Vec<Question>) =
        valid.into_iter().zip(repeated).filter(|(_, r)| !r).map(|(row, _)| row).unzip();
    let outcomes = app.store().add_questions(owner, &fresh, app.now()).await?;
    for (row, outcome) in numbers.into_iter().zip(outcomes) {
        match outcome {
            Added::New(_) => report.added += 1,
            Added::Duplicate(id) => report.duplicates.push(Duplicate { row, of: DuplicateOf::Bank(id) }),
        }
    }
    report.duplicates.sort_by_key(|d| d.row);
    let subject = format!(
        "org:{owner} added:{} duplicates:{} rejected:{} rows:{}",
        report.added,
        report.duplicates.len(),
        report.rejected.len(),
        report.rows
    );
    actor.audit(app, &org.path, AuditAction::ContestQuestionsImport, subject).await?;
    Ok(report)
}
