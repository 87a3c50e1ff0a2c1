//! The question bank: each union's own, one question per stem key.

use huiji_core::contest::{
    BankQuestion, Category, Difficulty, LetterSet, Question, QuestionId, QuestionKind, stem_key,
};
use huiji_core::{OrgId, Timestamp};
use sqlx::QueryBuilder;

use super::{Added, QuestionQuery, QuestionRecord};
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

const INSERT: &str = "INSERT INTO contest_questions (owner_org_id, kind, stem, stem_key, option_a, option_b, \
    option_c, option_d, option_e, option_f, answer, explanation, category, difficulty, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
    ON CONFLICT (owner_org_id, stem_key) DO NOTHING RETURNING id";

const EXISTING: &str = "SELECT id FROM contest_questions WHERE owner_org_id = $1 AND stem_key = $2";

const COLUMNS: &str = "SELECT id, owner_org_id, kind, stem, option_a, option_b, option_c, option_d, option_e, \
    option_f, answer, explanation, category, difficulty, created_at FROM contest_questions";

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    owner_org_id: i64,
    kind: String,
    stem: String,
    option_a: Option<String>,
    option_b: Option<String>,
    option_c: Option<String>,
    option_d: Option<String>,
    option_e: Option<String>,
    option_f: Option<String>,
    answer: String,
    explanation: Option<String>,
    category: String,
    difficulty: String,
    created_at: i64,
}

impl TryFrom<QuestionRow> for QuestionRecord {
    type Error = StoreError;

    fn try_from(row: QuestionRow) -> Result<QuestionRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("contest question {}: {what}", row.id));
        let options = [row.option_a, row.option_b, row.option_c, row.option_d, row.option_e, row.option_f]
            .into_iter()
            .map_while(|option| option)
            .collect();
        let question = Question {
            kind: row.kind.parse::<QuestionKind>().map_err(|_| corrupt("kind"))?,
            stem: row.stem,
            options,
            answer: LetterSet::parse(&row.answer).ok_or_else(|| corrupt("answer"))?,
            explanation: row.explanation,
            category: Category::parse(&row.category).ok_or_else(|| corrupt("category"))?,
            difficulty: row.difficulty.parse::<Difficulty>().map_err(|_| corrupt("difficulty"))?,
        };
        Ok(QuestionRecord {
            id: QuestionId(row.id),
            owner: OrgId(row.owner_org_id),
            question,
            created_at: Timestamp(row.created_at),
        })
    }
}

fn records(rows: Vec<QuestionRow>) -> Result<Vec<QuestionRecord>> {
    rows.into_iter().map(QuestionRecord::try_from).collect()
}

pub(super) async fn add(
    store: &SqlStore,
    owner: OrgId,
    questions: &[Question],
    at: Timestamp,
) -> Result<Vec<Added>> {
    let mut tx = store.begin_write().await?;
    let mut added = Vec::with_capacity(questions.len());
    for q in questions {
        let key = stem_key(&q.stem);
        let option = |i: usize| q.options.get(i).map(String::as_str);
        let id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT)
            .bind(owner.0)
            .bind(q.kind.code())
            .bind(&q.stem)
            .bind(&key)
            .bind(option(0))
            .bind(option(1))
            .bind(option(2))
            .bind(option(3))
            .bind(option(4))
            .bind(option(5))
            .bind(q.answer.to_string())
            .bind(q.explanation.as_deref())
            .bind(q.category.as_str())
            .bind(q.difficulty.code())
            .bind(at.millis())
            .fetch_optional(c)
            .await?);
        added.push(match id {
            Some(id) => Added::New(QuestionId(id)),
            None => {
                let existing: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(EXISTING)
                    .bind(owner.0)
                    .bind(&key)
                    .fetch_one(c)
                    .await?);
                Added::Duplicate(QuestionId(existing))
            }
        });
    }
    tx.commit().await?;
    Ok(added)
}

pub(super) async fn by_id(store: &SqlStore, ids: &[QuestionId]) -> Result<Vec<QuestionRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<QuestionRow> = on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new(COLUMNS);
        qb.push(" WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        qb.push(") ORDER BY id");
        qb.build_query_as().fetch_all(p).await?
    });
    records(rows)
}

pub(super) async fn page(store: &SqlStore, query: &QuestionQuery) -> Result<Vec<QuestionRecord>> {
    if query.owners.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<QuestionRow> = on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new(COLUMNS);
        qb.push(" WHERE owner_org_id IN (");
        let mut list = qb.separated(", ");
        for owner in &query.owners {
            list.push_bind(owner.0);
        }
        qb.push(")");
        if let Some(category) = &query.category {
            qb.push(" AND category = ").push_bind(category.as_str().to_owned());
        }
        qb.push(" AND id > ").push_bind(query.after.map_or(0, |id| id.0));
        qb.push(" ORDER BY id LIMIT ").push_bind(i64::from(query.limit));
        qb.build_query_as().fetch_all(p).await?
    });
    records(rows)
}

pub(super) async fn bank(store: &SqlStore, owners: &[OrgId]) -> Result<Vec<BankQuestion>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String)> = on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new("SELECT id, category FROM contest_questions WHERE owner_org_id IN (");
        let mut list = qb.separated(", ");
        for owner in owners {
            list.push_bind(owner.0);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    });
    rows.into_iter()
        .map(|(id, category)| {
            let category = Category::parse(&category)
                .ok_or_else(|| StoreError::Corrupt(format!("contest question {id}: category")))?;
            Ok(BankQuestion { id: QuestionId(id), category })
        })
        .collect()
}

pub(super) async fn categories(store: &SqlStore, owners: &[OrgId]) -> Result<Vec<(Category, u64)>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, i64)> = on_pool!(&store.pools, read, |p| {
        let mut qb =
            QueryBuilder::new("SELECT category, COUNT(*) FROM contest_questions WHERE owner_org_id IN (");
        let mut list = qb.separated(", ");
        for owner in owners {
            list.push_bind(owner.0);
        }
        qb.push(") GROUP BY category");
        qb.build_query_as().fetch_all(p).await?
    });
    let mut counts = rows
        .into_iter()
        .map(|(category, n)| {
            let parsed = Category::parse(&category)
                .ok_or_else(|| StoreError::Corrupt(format!("contest category {category:?}")))?;
            Ok((parsed, u64::try_from(n).unwrap_or(0)))
        })
        .collect::<Result<Vec<_>>>()?;
    // In the code's order, not either database's collation.
    counts.sort();
    Ok(counts)
}
