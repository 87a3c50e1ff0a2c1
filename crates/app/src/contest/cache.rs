//! What every answer reads and nobody changes while a contest runs, kept in memory: the
//! questions (a bank question is never edited or deleted once stored, so a copy is never
//! stale) and the contests themselves (only the freeze at the window's end, or a move of
//! the organiser in the tree, changes a stored contest; a copy lives [`SERVE_TTL_MILLIS`]
//! under `huiji serve`, so such a change shows within it on every instance). Each saves
//! a database round trip per answer: two of the answer's four reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use huiji_core::Timestamp;
use huiji_core::contest::{ContestId, QuestionId};
use huiji_store::{ContestRecord, QuestionRecord, StoreError};

use crate::App;

/// How long `huiji serve` keeps a contest: how late a freeze or a move is seen.
pub const SERVE_TTL_MILLIS: i64 = 2_000;

/// Questions kept at most: far above a province's bank (hundreds to a few thousand), a
/// bound only so that a bank grown without end cannot grow the process with it.
const QUESTIONS_KEPT: usize = 50_000;

/// The contest area's cached reads.
#[derive(Debug, Default)]
pub struct ContestCache {
    contest_ttl_millis: i64,
    questions: Mutex<HashMap<QuestionId, Arc<QuestionRecord>>>,
    contests: Mutex<HashMap<ContestId, (Timestamp, Arc<ContestRecord>)>>,
}

impl ContestCache {
    /// A cache that keeps contests `contest_ttl_millis` (0: read every time); questions
    /// are kept in any case.
    pub fn new(contest_ttl_millis: i64) -> ContestCache {
        ContestCache { contest_ttl_millis, ..ContestCache::default() }
    }
}

/// One question of a bank.
///
/// # Errors
///
/// The store's.
pub async fn question(app: &App, id: QuestionId) -> Result<Option<Arc<QuestionRecord>>, StoreError> {
    let cache = app.contest_cache();
    if let Some(found) = cache.questions.lock().unwrap_or_else(PoisonError::into_inner).get(&id) {
        return Ok(Some(found.clone()));
    }
    let Some(record) = app.store().question(id).await? else { return Ok(None) };
    let record = Arc::new(record);
    let mut kept = cache.questions.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= QUESTIONS_KEPT {
        kept.clear();
    }
    kept.insert(id, record.clone());
    Ok(Some(record))
}

/// One contest, read at most [`ContestCache::new`]'s TTL ago.
///
/// # Errors
///
/// The store's.
pub async fn contest(app: &App, id: ContestId) -> Result<Option<Arc<ContestRecord>>, StoreError> {
    let (cache, now) = (app.contest_cache(), app.now());
    if cache.contest_ttl_millis > 0 {
        let contests = cache.contests.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = contests.get(&id).filter(|(at, _)| now.0 < at.0 + cache.contest_ttl_millis);
        if let Some((_, found)) = fresh {
            return Ok(Some(found.clone()));
        }
    }
    let Some(record) = app.store().contest(id).await? else { return Ok(None) };
    let record = Arc::new(record);
    if cache.contest_ttl_millis > 0 {
        cache.contests.lock().unwrap_or_else(PoisonError::into_inner).insert(id, (now, record.clone()));
    }
    Ok(Some(record))
}
