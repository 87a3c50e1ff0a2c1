//! A question of the bank, parsed from one row of the XLSX import (题型, 题干, 选项A–F,
//! 答案, 解析, 分类, 难度) with every problem named for the rejected-rows report.

use super::{LETTERS, LetterSet};
use crate::labelled::labelled_enum;

/// Longest stem, in characters.
const MAX_STEM_CHARS: usize = 500;

/// Longest option, in characters.
const MAX_OPTION_CHARS: usize = 200;

/// Longest explanation, in characters.
const MAX_EXPLANATION_CHARS: usize = 1_000;

/// Longest category name, in characters.
const MAX_CATEGORY_CHARS: usize = 30;

labelled_enum!(
    /// The kind of question.
    QuestionKind {
        /// 单选题: exactly one right option.
        Single = "single", "单选题", "Single choice";
        /// 多选题: two or more right options, scored all or nothing.
        Multiple = "multiple", "多选题", "Multiple choice";
        /// 判断题: true or false (stored as A = 正确, B = 错误).
        TrueFalse = "true_false", "判断题", "True or false";
    }
);

labelled_enum!(
    /// How hard a question is.
    Difficulty {
        /// 易
        Easy = "easy", "易", "Easy";
        /// 中 (also the default when the cell is empty)
        Medium = "medium", "中", "Medium";
        /// 难
        Hard = "hard", "难", "Hard";
    }
);

/// A category of the bank (e.g. 道路交通安全, 消防安全): what draw quotas are by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category(String);

impl Category {
    /// Trimmed, 1–30 characters.
    pub fn parse(text: &str) -> Option<Category> {
        let text = text.trim();
        (!text.is_empty() && text.chars().count() <= MAX_CATEGORY_CHARS).then(|| Category(text.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A question that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Its kind.
    pub kind: QuestionKind,
    /// The question.
    pub stem: String,
    /// Options A, B, … in order (none for true/false).
    pub options: Vec<String>,
    /// The right letters (true/false: A = true, B = false).
    pub answer: LetterSet,
    /// Shown with the result, if given.
    pub explanation: Option<String>,
    /// What quotas draw by.
    pub category: Category,
    /// How hard it is.
    pub difficulty: Difficulty,
}

/// The cells of one import row.
#[derive(Clone, Copy, Debug, Default)]
pub struct QuestionCells<'a> {
    /// 题型
    pub kind: &'a str,
    /// 题干
    pub stem: &'a str,
    /// 选项A … 选项F
    pub options: [&'a str; 6],
    /// 答案
    pub answer: &'a str,
    /// 解析
    pub explanation: &'a str,
    /// 分类
    pub category: &'a str,
    /// 难度
    pub difficulty: &'a str,
}

/// One problem with a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionError {
    /// 题型 is not single, multiple or true/false.
    UnknownKind,
    /// No stem.
    MissingStem,
    /// Stem over 500 characters.
    StemTooLong,
    /// An option is empty while a later one is filled (the letter of the gap).
    OptionGap(char),
    /// An option over 200 characters (its letter).
    OptionTooLong(char),
    /// A choice question with fewer than two options.
    TooFewOptions,
    /// A true/false question with options.
    TrueFalseWithOptions,
    /// No answer.
    MissingAnswer,
    /// The answer is not letters A–F (or, for true/false, not 对/错 or the like).
    BadAnswer,
    /// The answer names a letter with no option (the letter).
    AnswerNotAnOption(char),
    /// A single-choice question with more than one right letter.
    SingleWithSeveralAnswers,
    /// A multiple-choice question with only one right letter.
    MultipleWithOneAnswer,
    /// Explanation over 1,000 characters.
    ExplanationTooLong,
    /// No category, or one over 30 characters.
    BadCategory,
    /// 难度 is not 易/中/难 or the like.
    UnknownDifficulty,
    /// A cell holds a control character other than a tab or a line break.
    ControlCharacter,
}

impl QuestionError {
    /// Stable code for the rejected-rows report.
    pub const fn code(self) -> &'static str {
        match self {
            Self::UnknownKind => "question.kind",
            Self::MissingStem => "question.stem_missing",
            Self::StemTooLong => "question.stem_too_long",
            Self::OptionGap(_) => "question.option_gap",
            Self::OptionTooLong(_) => "question.option_too_long",
            Self::TooFewOptions => "question.too_few_options",
            Self::TrueFalseWithOptions => "question.true_false_options",
            Self::MissingAnswer => "question.answer_missing",
            Self::BadAnswer => "question.answer_format",
            Self::AnswerNotAnOption(_) => "question.answer_not_option",
            Self::SingleWithSeveralAnswers => "question.single_several",
            Self::MultipleWithOneAnswer => "question.multiple_one",
            Self::ExplanationTooLong => "question.explanation_too_long",
            Self::BadCategory => "question.category",
            Self::UnknownDifficulty => "question.difficulty",
            Self::ControlCharacter => "question.control_character",
        }
    }
}

impl QuestionKind {
    /// Reads a 题型 cell: a code or label, or 单选/多选/判断/是非题.
    pub fn parse_cell(text: &str) -> Option<QuestionKind> {
        Self::from_code_or_label(text).or(match text.trim() {
            "单选" | "单项选择题" | "单项选择" => Some(Self::Single),
            "多选" | "多项选择题" | "多项选择" => Some(Self::Multiple),
            "判断" | "是非题" | "对错题" => Some(Self::TrueFalse),
            _ => None,
        })
    }
}

impl Difficulty {
    /// Reads a 难度 cell: a code or label, 简单/一般/中等/较难/困难, or 1–3; an empty cell
    /// is [`Difficulty::Medium`].
    pub fn parse_cell(text: &str) -> Option<Difficulty> {
        Self::from_code_or_label(text).or(match text.trim() {
            "" | "一般" | "中等" | "2" => Some(Self::Medium),
            "简单" | "容易" | "1" => Some(Self::Easy),
            "较难" | "困难" | "3" => Some(Self::Hard),
            _ => None,
        })
    }
}

/// A true/false answer cell: 对/正确/√/是/T/true/A are true; 错/错误/×/否/F/false/B false.
fn parse_truth(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "对" | "正确" | "√" | "✓" | "是" | "t" | "true" | "y" | "a" => Some(true),
        "错" | "错误" | "×" | "✗" | "x" | "否" | "f" | "false" | "n" | "b" => Some(false),
        _ => None,
    }
}

/// A cell's text with the line breaks and tabs a spreadsheet cell may hold (Alt+Enter)
/// turned into spaces, trimmed.
fn flatten(text: &str) -> String {
    text.replace(['\r', '\n', '\t'], " ").trim().to_owned()
}

impl QuestionCells<'_> {
    fn all(&self) -> impl Iterator<Item = &str> {
        [self.kind, self.stem, self.answer, self.explanation, self.category, self.difficulty]
            .into_iter()
            .chain(self.options)
    }
}

/// Checks one row and reports every problem.
///
/// # Errors
///
/// Every [`QuestionError`] found, in the row's column order (a control character
/// first: nothing of such a row is stored).
pub fn parse_question(cells: &QuestionCells<'_>) -> Result<Question, Vec<QuestionError>> {
    let mut errors = Vec::new();
    if cells.all().any(|cell| cell.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))) {
        errors.push(QuestionError::ControlCharacter);
    }
    let kind = QuestionKind::parse_cell(cells.kind);
    if kind.is_none() {
        errors.push(QuestionError::UnknownKind);
    }
    let stem = flatten(cells.stem);
    let stem = stem.as_str();
    match stem.chars().count() {
        0 => errors.push(QuestionError::MissingStem),
        n if n > MAX_STEM_CHARS => errors.push(QuestionError::StemTooLong),
        _ => {}
    }
    let filled = cells.options.iter().rposition(|o| !o.trim().is_empty()).map_or(0, |last| last + 1);
    let mut options = Vec::with_capacity(filled);
    for (letter, option) in LETTERS.iter().zip(&cells.options[..filled]) {
        let option = flatten(option);
        if option.is_empty() {
            errors.push(QuestionError::OptionGap(*letter));
        } else if option.chars().count() > MAX_OPTION_CHARS {
            errors.push(QuestionError::OptionTooLong(*letter));
        }
        options.push(option);
    }
    let answer = match kind {
        _ if cells.answer.trim().is_empty() => {
            errors.push(QuestionError::MissingAnswer);
            None
        }
        Some(QuestionKind::TrueFalse) => {
            if !options.is_empty() {
                errors.push(QuestionError::TrueFalseWithOptions);
            }
            let truth = parse_truth(cells.answer);
            if truth.is_none() {
                errors.push(QuestionError::BadAnswer);
            }
            truth.and_then(|t| LetterSet::single(if t { 0 } else { 1 }))
        }
        Some(kind) => check_choice(kind, cells.answer, options.len(), &mut errors),
        None => None,
    };
    let explanation = flatten(cells.explanation);
    if explanation.chars().count() > MAX_EXPLANATION_CHARS {
        errors.push(QuestionError::ExplanationTooLong);
    }
    let category = Category::parse(&flatten(cells.category));
    if category.is_none() {
        errors.push(QuestionError::BadCategory);
    }
    let difficulty = Difficulty::parse_cell(cells.difficulty);
    if difficulty.is_none() {
        errors.push(QuestionError::UnknownDifficulty);
    }
    match (kind, answer, category, difficulty) {
        (Some(kind), Some(answer), Some(category), Some(difficulty)) if errors.is_empty() => Ok(Question {
            kind,
            stem: stem.to_owned(),
            options,
            answer,
            explanation: (!explanation.is_empty()).then_some(explanation),
            category,
            difficulty,
        }),
        _ => Err(errors),
    }
}

/// The answer of a choice question: letters that exist, one for single, two or more
/// for multiple.
fn check_choice(
    kind: QuestionKind,
    text: &str,
    options: usize,
    errors: &mut Vec<QuestionError>,
) -> Option<LetterSet> {
    if options < 2 {
        errors.push(QuestionError::TooFewOptions);
    }
    let Some(answer) = LetterSet::parse(text) else {
        errors.push(QuestionError::BadAnswer);
        return None;
    };
    if let Some(highest) = answer.highest().filter(|h| *h >= options) {
        errors.push(QuestionError::AnswerNotAnOption(LETTERS[highest]));
    }
    match (kind, answer.len()) {
        (QuestionKind::Single, n) if n > 1 => errors.push(QuestionError::SingleWithSeveralAnswers),
        (QuestionKind::Multiple, 1) => errors.push(QuestionError::MultipleWithOneAnswer),
        _ => {}
    }
    Some(answer)
}

/// What makes two stems the same question: their letters and digits, lower case, with
/// spacing and punctuation ignored. The bank keeps one question per key.
pub fn stem_key(stem: &str) -> String {
    stem.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Pairs `(first, repeat)` of indexes whose stems have the same [`stem_key`]: the import
/// reports them as duplicates.
pub fn duplicate_stems<'a>(stems: impl IntoIterator<Item = &'a str>) -> Vec<(usize, usize)> {
    let mut seen = std::collections::HashMap::new();
    let mut duplicates = Vec::new();
    for (index, stem) in stems.into_iter().enumerate() {
        let key = stem_key(stem);
        match seen.get(&key) {
            Some(first) => duplicates.push((*first, index)),
            None => {
                seen.insert(key, index);
            }
        }
    }
    duplicates
}
