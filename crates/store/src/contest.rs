//! The 安康杯 contest in the database: the question bank, contests and their quotas,
//! members' attempts and answers, and the leaderboards' rollups (each participant's best
//! attempt and per-union totals, kept in the same transaction as the attempt that
//! changes them; the union board frozen when the window closes). The rules — the draw,
//! scoring, the clock, which attempt is better — are `huiji_core::contest`'s.

mod attempts;
mod boards;
mod bulk;
mod contests;
mod questions;

use async_trait::async_trait;
use huiji_core::contest::{
    AnswerTiming, AttemptClock, AttemptId, AttemptsPerDay, BankQuestion, Category, CategoryQuota, ContestId,
    ContestName, ContestRules, ContestWindow, LetterSet, Question, QuestionId,
};
use huiji_core::{CivilDate, MembershipId, OrgId, OrgPath, Timestamp};

use crate::Result;
use crate::db::SqlStore;

pub use bulk::FinishedAttempt;

/// A question of the bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionRecord {
    /// Its id.
    pub id: QuestionId,
    /// The union whose bank it is.
    pub owner: OrgId,
    /// The question, its options and key.
    pub question: Question,
    /// When it was added.
    pub created_at: Timestamp,
}

/// What became of one question offered to the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// Stored under this id.
    New(QuestionId),
    /// The owner's bank already holds a question with the same stem (this one).
    Duplicate(QuestionId),
}

/// A page of a bank's questions.
#[derive(Clone, Debug)]
pub struct QuestionQuery {
    /// The banks to list (a contest's organiser and the unions above it).
    pub owners: Vec<OrgId>,
    /// Only this category.
    pub category: Option<Category>,
    /// Keyset: ids above this one.
    pub after: Option<QuestionId>,
    /// Page size.
    pub limit: u32,
}

/// A contest to create.
#[derive(Clone, Debug)]
pub struct NewContest {
    /// The organiser union.
    pub org: OrgId,
    /// Its name.
    pub name: ContestName,
    /// The days it runs.
    pub window: ContestWindow,
    /// Questions per attempt, time limit, attempts per day.
    pub rules: ContestRules,
    /// Questions drawn per category; they add up to the rules' questions per attempt.
    pub quotas: Vec<CategoryQuota>,
    /// Who created it: `user:NAME` or `operator`.
    pub created_by: String,
}

/// A stored contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestRecord {
    /// Its id.
    pub id: ContestId,
    /// The organiser union.
    pub org: OrgId,
    /// The organiser's path: its subtree's members take part.
    pub org_path: OrgPath,
    /// Its name.
    pub name: String,
    /// The days it runs.
    pub window: ContestWindow,
    /// How it is taken.
    pub rules: ContestRules,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When its union board was frozen (after the window closed).
    pub frozen_at: Option<Timestamp>,
}

/// An attempt to start: the questions drawn and the clock set by the caller.
#[derive(Clone, Debug)]
pub struct NewAttempt {
    /// The contest.
    pub contest: ContestId,
    /// Whose.
    pub membership: MembershipId,
    /// The member's home union now.
    pub home_org: OrgId,
    /// Its path.
    pub home_path: OrgPath,
    /// Today in China (attempts per day count by it).
    pub day: CivilDate,
    /// The draw's seed.
    pub seed: u64,
    /// The questions, in the order they are asked.
    pub questions: Vec<QuestionId>,
    /// Started now, with its deadline.
    pub clock: AttemptClock,
}

/// What starting an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    /// Started: its id.
    Attempt(AttemptId),
    /// The member has started as many attempts today as the contest allows.
    DailyLimit,
}

/// A stored attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    /// Its id.
    pub id: AttemptId,
    /// The contest.
    pub contest: ContestId,
    /// Whose.
    pub membership: MembershipId,
    /// The member's home union when it started.
    pub home_org: OrgId,
    /// The day it started (China).
    pub day: CivilDate,
    /// The draw's seed.
    pub seed: u64,
    /// The questions, in the order asked.
    pub questions: Vec<QuestionId>,
    /// Its clock.
    pub clock: AttemptClock,
    /// Answers recorded so far (the next question's position).
    pub answered: u32,
    /// Of them, right and counted.
    pub correct: u32,
    /// Of them, flagged as too fast.
    pub flagged: u32,
    /// The last answer's time (the start before any): when the next question was shown.
    pub last_at: Timestamp,
    /// When it ended: its last answer, or its deadline noticed.
    pub finished_at: Option<Timestamp>,
}

/// An answer to record.
#[derive(Clone, Copy, Debug)]
pub struct NewAnswer {
    /// The attempt.
    pub attempt: AttemptId,
    /// The question's position in it: recorded only if it is the next one.
    pub position: u32,
    /// The question.
    pub question: QuestionId,
    /// The letters given; `None` for none.
    pub given: Option<LetterSet>,
    /// How the clock judged it (never late: a late answer ends the attempt instead).
    pub timing: AnswerTiming,
    /// Whether it scores.
    pub correct: bool,
    /// When it came.
    pub at: Timestamp,
    /// Whether it is the attempt's last question: the attempt finishes with it.
    pub last: bool,
}

/// What recording an answer came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded (and the attempt finished, if it was the last).
    Answer,
    /// Not the next question of an unfinished attempt (a repeated tap, an old page).
    Stale,
}

/// A recorded answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerRecord {
    /// Its position in the attempt.
    pub position: u32,
    /// The question.
    pub question: QuestionId,
    /// The letters given.
    pub given: Option<LetterSet>,
    /// How the clock judged it.
    pub timing: AnswerTiming,
    /// Whether it scored.
    pub correct: bool,
    /// When it came.
    pub answered_at: Timestamp,
}

/// A union's figures on the union board: its whole subtree's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionTotals {
    /// The union.
    pub org: OrgId,
    /// Its name.
    pub name: String,
    /// Members held in its subtree (at the close, once frozen).
    pub members: u64,
    /// Participants whose home union is in its subtree.
    pub participants: u64,
    /// Their best attempts' right answers, summed.
    pub correct_sum: u64,
}

/// The union board below one union: its own totals and each child's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionBoard {
    /// The union drilled into.
    pub node: UnionTotals,
    /// The unions directly below it.
    pub children: Vec<UnionTotals>,
}

/// One participant on the people board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardEntry {
    /// The membership.
    pub membership: MembershipId,
    /// The stored name (pages mask it).
    pub name: String,
    /// The member number.
    pub member_number: Option<String>,
    /// The home union the best attempt counts for.
    pub union: OrgId,
    /// Its name.
    pub union_name: String,
    /// Right answers of the best attempt.
    pub correct: u32,
    /// How long it took (ms).
    pub millis: i64,
}

/// What freezing a contest's union board came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frozen {
    /// Frozen now.
    Now,
    /// It was already frozen.
    Already,
    /// Attempts are still unfinished: finish them first.
    Unfinished,
}

/// The 安康杯 contest.
#[async_trait]
pub trait ContestStore: Send + Sync {
    /// Adds questions to `owner`'s bank in one transaction; a question whose stem the
    /// bank already holds (by `huiji_core::contest::stem_key`) is not added again.
    async fn add_questions(&self, owner: OrgId, questions: &[Question], at: Timestamp) -> Result<Vec<Added>>;
    /// One question.
    async fn question(&self, id: QuestionId) -> Result<Option<QuestionRecord>>;
    /// Questions by id (those that exist), in id order.
    async fn questions_by_id(&self, ids: &[QuestionId]) -> Result<Vec<QuestionRecord>>;
    /// A page of the listed banks' questions, by id.
    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRecord>>;
    /// Every question of the listed banks as the draw sees it.
    async fn bank(&self, owners: &[OrgId]) -> Result<Vec<BankQuestion>>;
    /// Questions per category in the listed banks, by category.
    async fn bank_categories(&self, owners: &[OrgId]) -> Result<Vec<(Category, u64)>>;

    /// Creates a contest with its quotas; `NotFound` for a missing organiser.
    async fn create_contest(&self, contest: &NewContest, at: Timestamp) -> Result<ContestId>;
    /// One contest.
    async fn contest(&self, id: ContestId) -> Result<Option<ContestRecord>>;
    /// Contests organised within a subtree, newest first.
    async fn contests(&self, within: &OrgPath, limit: u32) -> Result<Vec<ContestRecord>>;
    /// Contests whose organiser is one of `organisers` and whose window includes `day`,
    /// newest first: what a member of a union below them may take today.
    async fn contests_open_for(&self, organisers: &[OrgId], day: CivilDate) -> Result<Vec<ContestRecord>>;
    /// A contest's quotas, by category.
    async fn contest_quotas(&self, id: ContestId) -> Result<Vec<CategoryQuota>>;
    /// Contests whose last day is before `today` and whose board is not frozen yet.
    async fn contests_to_freeze(&self, today: CivilDate) -> Result<Vec<ContestRecord>>;

    /// Starts an attempt unless the member has started `per_day` today (checked and
    /// counted in one statement).
    async fn start_attempt(&self, attempt: &NewAttempt, per_day: AttemptsPerDay) -> Result<Started>;
    /// One attempt.
    async fn attempt(&self, id: AttemptId) -> Result<Option<AttemptRecord>>;
    /// The member's newest attempt at a contest.
    async fn latest_attempt(
        &self,
        contest: ContestId,
        membership: MembershipId,
    ) -> Result<Option<AttemptRecord>>;
    /// Attempts the member started at a contest on a day.
    async fn attempts_started(
        &self,
        contest: ContestId,
        membership: MembershipId,
        day: CivilDate,
    ) -> Result<u32>;
    /// Records an answer if it is the next of an unfinished attempt; with the last one,
    /// the attempt finishes in the same transaction.
    async fn record_answer(&self, answer: &NewAnswer) -> Result<Recorded>;
    /// An attempt's answers, by position.
    async fn answers(&self, attempt: AttemptId) -> Result<Vec<AnswerRecord>>;
    /// Finishes an attempt (its deadline passed) and brings the member's best attempt
    /// and the union totals up to date; `false` when it had finished already.
    async fn finish_attempt(&self, attempt: AttemptId, at: Timestamp) -> Result<bool>;
    /// Unfinished attempts whose deadline is before `now`, oldest deadline first (of one
    /// contest, or of all).
    async fn expired_attempts(
        &self,
        contest: Option<ContestId>,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttemptId>>;

    /// The union board below `node`: live until the contest is frozen, then as frozen.
    async fn union_board(&self, contest: &ContestRecord, node: OrgId) -> Result<Option<UnionBoard>>;
    /// The best participants whose home union is within `within`, best first (most
    /// right answers, then fastest, then by membership).
    async fn people_board(
        &self,
        contest: &ContestRecord,
        within: &OrgPath,
        limit: u32,
    ) -> Result<Vec<BoardEntry>>;
    /// A participant's best attempt on the board, if they have finished one.
    async fn best_of(&self, contest: ContestId, membership: MembershipId) -> Result<Option<BoardEntry>>;
    /// How many participants did strictly better than `correct` in `millis`.
    async fn better_than(&self, contest: ContestId, correct: u32, millis: i64) -> Result<u64>;
    /// Freezes the union board of a contest whose window has closed: each union's
    /// members, participants and scores as they stand, in one transaction.
    async fn freeze_contest(&self, contest: ContestId, at: Timestamp) -> Result<Frozen>;
}

#[async_trait]
impl ContestStore for SqlStore {
    async fn add_questions(&self, owner: OrgId, questions: &[Question], at: Timestamp) -> Result<Vec<Added>> {
        questions::add(self, owner, questions, at).await
    }

    async fn question(&self, id: QuestionId) -> Result<Option<QuestionRecord>> {
        Ok(questions::by_id(self, &[id]).await?.into_iter().next())
    }

    async fn questions_by_id(&self, ids: &[QuestionId]) -> Result<Vec<QuestionRecord>> {
        questions::by_id(self, ids).await
    }

    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRecord>> {
        questions::page(self, query).await
    }

    async fn bank(&self, owners: &[OrgId]) -> Result<Vec<BankQuestion>> {
        questions::bank(self, owners).await
    }

    async fn bank_categories(&self, owners: &[OrgId]) -> Result<Vec<(Category, u64)>> {
        questions::categories(self, owners).await
    }

    async fn create_contest(&self, contest: &NewContest, at: Timestamp) -> Result<ContestId> {
        contests::create(self, contest, at).await
    }

    async fn contest(&self, id: ContestId) -> Result<Option<ContestRecord>> {
        contests::one(self, id).await
    }

    async fn contests(&self, within: &OrgPath, limit: u32) -> Result<Vec<ContestRecord>> {
        contests::in_scope(self, within, limit).await
    }

    async fn contests_open_for(&self, organisers: &[OrgId], day: CivilDate) -> Result<Vec<ContestRecord>> {
        contests::open_for(self, organisers, day).await
    }

    async fn contest_quotas(&self, id: ContestId) -> Result<Vec<CategoryQuota>> {
        contests::quotas(self, id).await
    }

    async fn contests_to_freeze(&self, today: CivilDate) -> Result<Vec<ContestRecord>> {
        contests::to_freeze(self, today).await
    }

    async fn start_attempt(&self, attempt: &NewAttempt, per_day: AttemptsPerDay) -> Result<Started> {
        attempts::start(self, attempt, per_day).await
    }

    async fn attempt(&self, id: AttemptId) -> Result<Option<AttemptRecord>> {
        attempts::attempt(self, id).await
    }

    async fn latest_attempt(
        &self,
        contest: ContestId,
        membership: MembershipId,
    ) -> Result<Option<AttemptRecord>> {
        attempts::latest(self, contest, membership).await
    }

    async fn attempts_started(
        &self,
        contest: ContestId,
        membership: MembershipId,
        day: CivilDate,
    ) -> Result<u32> {
        attempts::started(self, contest, membership, day).await
    }

    async fn record_answer(&self, answer: &NewAnswer) -> Result<Recorded> {
        attempts::record_answer(self, answer).await
    }

    async fn answers(&self, attempt: AttemptId) -> Result<Vec<AnswerRecord>> {
        attempts::answers(self, attempt).await
    }

    async fn finish_attempt(&self, attempt: AttemptId, at: Timestamp) -> Result<bool> {
        attempts::finish(self, attempt, at).await
    }

    async fn expired_attempts(
        &self,
        contest: Option<ContestId>,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttemptId>> {
        attempts::expired(self, contest, now, limit).await
    }

    async fn union_board(&self, contest: &ContestRecord, node: OrgId) -> Result<Option<UnionBoard>> {
        boards::unions(self, contest, node).await
    }

    async fn people_board(
        &self,
        contest: &ContestRecord,
        within: &OrgPath,
        limit: u32,
    ) -> Result<Vec<BoardEntry>> {
        boards::people(self, contest, within, limit).await
    }

    async fn best_of(&self, contest: ContestId, membership: MembershipId) -> Result<Option<BoardEntry>> {
        boards::best_of(self, contest, membership).await
    }

    async fn better_than(&self, contest: ContestId, correct: u32, millis: i64) -> Result<u64> {
        boards::better_than(self, contest, correct, millis).await
    }

    async fn freeze_contest(&self, contest: ContestId, at: Timestamp) -> Result<Frozen> {
        boards::freeze(self, contest, at).await
    }
}
