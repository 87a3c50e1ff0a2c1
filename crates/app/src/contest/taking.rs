//! A member takes a contest. The server holds everything that matters: the questions
//! drawn for the attempt (fixed when it starts), the clock (each question's time starts
//! when the previous answer came), which question is next (an answer to any other is
//! ignored), and the deadline (an answer after it ends the attempt instead of counting).

use std::sync::Arc;

use huiji_core::contest::{
    AnswerTiming, AttemptClock, AttemptId, ContestId, ContestPhase, LetterSet, Score, draw_questions,
    is_correct, score,
};
use huiji_core::{MembershipId, OrgPath, Timestamp};
use huiji_store::{
    AttemptRecord, BoardEntry, ContestRecord, MembershipRecord, NewAnswer, NewAttempt, QuestionRecord,
    Recorded, Started,
};

use super::ContestError;
use crate::App;

/// Where a member stands at a contest before starting.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The contest.
    pub contest: ContestRecord,
    /// The member.
    pub member: MembershipRecord,
    /// Open, not yet, or closed.
    pub phase: ContestPhase,
    /// Attempts left today.
    pub attempts_left: u32,
    /// An attempt still running, to go back to.
    pub running: Option<AttemptId>,
    /// The member's best attempt so far, and its rank.
    pub best: Option<(BoardEntry, u64)>,
}

/// The next step of an attempt.
#[derive(Clone, Debug)]
pub enum Step {
    /// Answer this question.
    Ask(Box<Ask>),
    /// The attempt is over: show its result.
    Done(AttemptId),
}

/// A question to answer.
#[derive(Clone, Debug)]
pub struct Ask {
    /// The attempt, as it stands.
    pub attempt: AttemptRecord,
    /// The question's position (0 for the first).
    pub position: u32,
    /// The question (shared with the contest cache).
    pub question: Arc<QuestionRecord>,
}

/// One question of a finished attempt, for the result page.
#[derive(Clone, Debug)]
pub struct Reviewed {
    /// The question, with its key and explanation.
    pub question: QuestionRecord,
    /// What the member gave (`None`: not answered, or no letter).
    pub given: Option<LetterSet>,
    /// How the clock judged it; `None` when it was never answered.
    pub timing: Option<AnswerTiming>,
    /// Whether it scored.
    pub correct: bool,
}

/// A finished attempt.
#[derive(Clone, Debug)]
pub struct AttemptResult {
    /// The contest.
    pub contest: ContestRecord,
    /// The attempt.
    pub attempt: AttemptRecord,
    /// Its score.
    pub score: Score,
    /// Each question in the order asked.
    pub questions: Vec<Reviewed>,
    /// The member's best attempt and its rank on the board.
    pub best: Option<(BoardEntry, u64)>,
}

/// The membership if it is held in the organiser's subtree.
///
/// # Errors
///
/// [`ContestError::NotEligible`] otherwise; the store's.
pub async fn member_of(
    app: &App,
    contest: &ContestRecord,
    membership: MembershipId,
) -> Result<MembershipRecord, ContestError> {
    let record = app.store().membership(membership.0).await?;
    record
        .filter(|m| m.status.is_held())
        .filter(|m| OrgPath::parse(&m.home_path).is_some_and(|p| contest.org_path.contains(&p)))
        .ok_or(ContestError::NotEligible)
}

/// The membership a mobile whose SMS code was just verified holds in the organiser's
/// subtree: only the mobile's owner may learn what it holds, so callers check the code
/// first.
///
/// # Errors
///
/// [`ContestError::NotEligible`] when it holds none there; the store's.
pub async fn member_by_verified_mobile(
    app: &App,
    contest: &ContestRecord,
    mobile: &huiji_core::Mobile,
) -> Result<MembershipId, ContestError> {
    let bidx = app.keys().blind_index(huiji_vault::Field::Mobile, mobile.as_str()).to_hex();
    for membership in app.store().memberships_by_mobile(&bidx).await? {
        let id = MembershipId(membership.id);
        match member_of(app, contest, id).await {
            Ok(_) => return Ok(id),
            Err(ContestError::NotEligible) => {}
            Err(e) => return Err(e),
        }
    }
    Err(ContestError::NotEligible)
}

/// The contests open today to a held membership: organised by its home union or a
/// union above it.
///
/// # Errors
///
/// The store's.
pub async fn open_for(app: &App, membership: &MembershipRecord) -> Result<Vec<ContestRecord>, ContestError> {
    let Some(home) = OrgPath::parse(&membership.home_path) else { return Ok(Vec::new()) };
    if !membership.status.is_held() {
        return Ok(Vec::new());
    }
    Ok(app.store().contests_open_for(&home.lineage(), app.now().china_date()).await?)
}

async fn best_and_rank(
    app: &App,
    contest: ContestId,
    membership: MembershipId,
) -> Result<Option<(BoardEntry, u64)>, ContestError> {
    let Some(best) = app.store().best_of(contest, membership).await? else { return Ok(None) };
    let better = app.store().better_than(contest, best.correct, best.millis).await?;
    Ok(Some((best, better + 1)))
}

/// A running attempt: unfinished, its deadline not passed.
fn running(attempt: &AttemptRecord, now: Timestamp) -> bool {
    attempt.finished_at.is_none() && now <= attempt.clock.deadline
}

/// Where the member stands.
///
/// # Errors
///
/// Not eligible, or the store's.
pub async fn entry(
    app: &App,
    contest: &ContestRecord,
    membership: MembershipId,
) -> Result<Entry, ContestError> {
    let member = member_of(app, contest, membership).await?;
    let now = app.now();
    let started = app.store().attempts_started(contest.id, membership, now.china_date()).await?;
    let latest = app.store().latest_attempt(contest.id, membership).await?;
    Ok(Entry {
        contest: contest.clone(),
        member,
        phase: contest.window.phase(now),
        attempts_left: contest.rules.attempts_per_day().get().saturating_sub(started),
        running: latest.filter(|a| running(a, now)).map(|a| a.id),
        best: best_and_rank(app, contest.id, membership).await?,
    })
}

/// The question at the attempt's next position.
async fn ask(app: &App, attempt: AttemptRecord) -> Result<Step, ContestError> {
    let position = attempt.answered;
    let id = *attempt
        .questions
        .get(usize::try_from(position).unwrap_or(usize::MAX))
        .ok_or(ContestError::NotFound)?;
    let question = super::cache::question(app, id).await?.ok_or(ContestError::NotFound)?;
    Ok(Step::Ask(Box::new(Ask { attempt, position, question })))
}

/// Starts an attempt — or goes back to the one still running, so a repeated tap does
/// not spend another of the day's attempts: the questions are drawn now by the
/// contest's quotas from its organiser's bank, and the clock starts.
///
/// # Errors
///
/// Not open, not eligible, no attempts left today, a bank short of the quotas, or the
/// store's.
pub async fn start(
    app: &App,
    contest: &ContestRecord,
    membership: MembershipId,
) -> Result<Step, ContestError> {
    let now = app.now();
    let phase = contest.window.phase(now);
    if phase != ContestPhase::Open {
        return Err(ContestError::NotOpen(phase));
    }
    let member = member_of(app, contest, membership).await?;
    if let Some(attempt) =
        app.store().latest_attempt(contest.id, membership).await?.filter(|a| running(a, now))
    {
        return ask(app, attempt).await;
    }
    let home = OrgPath::parse(&member.home_path).ok_or(ContestError::NotEligible)?;
    let bank = app.store().bank(&contest.org_path.lineage()).await?;
    let quotas = app.store().contest_quotas(contest.id).await?;
    let mut seed = [0u8; 8];
    app.random().fill(&mut seed).map_err(|e| ContestError::Internal(e.to_string()))?;
    let seed = u64::from_le_bytes(seed);
    let attempt = NewAttempt {
        contest: contest.id,
        membership,
        home_org: huiji_core::OrgId(member.home_org_id),
        home_path: home,
        day: now.china_date(),
        seed,
        questions: draw_questions(&bank, &quotas, seed)?,
        clock: AttemptClock::start(now, contest.rules.minutes(), contest.window),
    };
    match app.store().start_attempt(&attempt, contest.rules.attempts_per_day()).await? {
        Started::Attempt(id) => ask(app, app.store().attempt(id).await?.ok_or(ContestError::NotFound)?).await,
        Started::DailyLimit => Err(ContestError::DailyLimit),
    }
}

/// The member's own attempt.
async fn own(app: &App, membership: MembershipId, id: AttemptId) -> Result<AttemptRecord, ContestError> {
    app.store().attempt(id).await?.filter(|a| a.membership == membership).ok_or(ContestError::NotFound)
}

/// Where an attempt stands: its next question, or done (an attempt past its deadline
/// is finished now).
///
/// # Errors
///
/// Not the member's attempt, or the store's.
pub async fn current(app: &App, membership: MembershipId, id: AttemptId) -> Result<Step, ContestError> {
    let attempt = own(app, membership, id).await?;
    let now = app.now();
    if attempt.finished_at.is_some() {
        return Ok(Step::Done(id));
    }
    if now > attempt.clock.deadline {
        app.store().finish_attempt(id, now).await?;
        return Ok(Step::Done(id));
    }
    ask(app, attempt).await
}

/// Answers the question at `position`. Only the attempt's next question is answered; an
/// answer to another (a repeated tap, a page from the back button) changes nothing and
/// shows where the attempt stands. After the deadline the attempt ends and the answer
/// does not count; faster than a second after the question was shown, it is recorded
/// as flagged and does not score.
///
/// # Errors
///
/// Not the member's attempt, or the store's.
pub async fn answer(
    app: &App,
    membership: MembershipId,
    id: AttemptId,
    position: u32,
    given: Option<LetterSet>,
) -> Result<Step, ContestError> {
    let mut attempt = own(app, membership, id).await?;
    if attempt.finished_at.is_some() {
        return Ok(Step::Done(id));
    }
    let now = app.now();
    let timing = attempt.clock.answer_timing(attempt.last_at, now);
    if timing == AnswerTiming::Late {
        app.store().finish_attempt(id, now).await?;
        return Ok(Step::Done(id));
    }
    if position != attempt.answered {
        return ask(app, attempt).await;
    }
    let question_id = *attempt
        .questions
        .get(usize::try_from(position).unwrap_or(usize::MAX))
        .ok_or(ContestError::NotFound)?;
    let question = super::cache::question(app, question_id).await?.ok_or(ContestError::NotFound)?;
    let correct = is_correct(question.question.answer, given, timing);
    let last = usize::try_from(position + 1).is_ok_and(|n| n == attempt.questions.len());
    let recorded =
        NewAnswer { attempt: id, position, question: question_id, given, timing, correct, at: now, last };
    match app.store().record_answer(&recorded).await? {
        Recorded::Stale => current(app, membership, id).await,
        Recorded::Answer if last => Ok(Step::Done(id)),
        Recorded::Answer => {
            attempt.answered += 1;
            attempt.correct += u32::from(correct);
            attempt.flagged += u32::from(timing == AnswerTiming::TooFast);
            attempt.last_at = now;
            ask(app, attempt).await
        }
    }
}

/// A finished attempt's result: the score, each question with the member's answer, the
/// key and the explanation, and the member's best attempt's rank.
///
/// # Errors
///
/// Not the member's attempt or not finished, or the store's.
pub async fn result(
    app: &App,
    membership: MembershipId,
    id: AttemptId,
) -> Result<AttemptResult, ContestError> {
    if let Step::Ask(_) = current(app, membership, id).await? {
        return Err(ContestError::NotFound);
    }
    let attempt = own(app, membership, id).await?;
    let contest = app.store().contest(attempt.contest).await?.ok_or(ContestError::NotFound)?;
    let answers = app.store().answers(id).await?;
    let records = app.store().questions_by_id(&attempt.questions).await?;
    let mut questions = Vec::with_capacity(attempt.questions.len());
    for (position, question_id) in (0u32..).zip(&attempt.questions) {
        let question =
            records.iter().find(|q| q.id == *question_id).cloned().ok_or(ContestError::NotFound)?;
        let answer = answers.iter().find(|a| a.position == position);
        questions.push(Reviewed {
            question,
            given: answer.and_then(|a| a.given),
            timing: answer.map(|a| a.timing),
            correct: answer.is_some_and(|a| a.correct),
        });
    }
    let keys: Vec<LetterSet> = questions.iter().map(|q| q.question.question.answer).collect();
    let given: Vec<_> = questions.iter().map(|q| (q.given, q.timing.unwrap_or(AnswerTiming::Late))).collect();
    let score = score(&keys, &given);
    let best = best_and_rank(app, contest.id, membership).await?;
    Ok(AttemptResult { contest, attempt, score, questions, best })
}
