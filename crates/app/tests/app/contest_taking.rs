//! Creating and taking a contest: quotas given or from the bank, a draw fixed per
//! attempt, the server's clock (too fast, late), answers in order only, attempts per
//! day, the window, and who may take part.

use huiji_app::actor::Actor;
use huiji_app::contest::organise::{ContestDraft, create};
use huiji_app::contest::taking::{Ask, Step, answer, current, entry, result, start};
use huiji_app::contest::{ContestError, public_contest};
use huiji_core::contest::{
    AnswerTiming, Category, CategoryQuota, ContestId, ContestPhase, DrawError, LetterSet, Question,
    QuestionCells, QuestionId, RulesError, Score, draw_questions, parse_question,
};
use huiji_core::{LifecycleAction, MembershipId, Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{ContestRecord, both_databases};

use crate::contest_support::{Setup, officer};

/// A single-choice question whose key is B.
fn question(stem: &str, category: &str) -> Question {
    parse_question(&QuestionCells {
        kind: "单选题",
        stem,
        options: ["甲", "乙", "丙", "", "", ""],
        answer: "B",
        explanation: "因为乙是对的。",
        category,
        ..QuestionCells::default()
    })
    .unwrap()
}

pub fn quota(category: &str, count: u32) -> CategoryQuota {
    CategoryQuota { category: Category::parse(category).unwrap(), count }
}

/// Six traffic and four fire questions in the root's bank.
pub async fn bank(s: &Setup) -> Vec<QuestionId> {
    let questions: Vec<Question> = (0..6)
        .map(|i| question(&format!("交通题{i}"), "交通"))
        .chain((0..4).map(|i| question(&format!("消防题{i}"), "消防")))
        .collect();
    let root = s.root().await;
    let added = s.store().add_questions(root.id, &questions, s.app.now()).await.unwrap();
    added
        .into_iter()
        .map(|a| match a {
            huiji_store::Added::New(id) => id,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// A contest of `org` from today for `days` days: 3 traffic and 2 fire questions, 5 minutes.
pub async fn contest(s: &Setup, org: &Org, per_day: u32, days: i64) -> ContestRecord {
    let today = s.app.now().china_date();
    let draft = ContestDraft {
        org: org.id,
        name: "2026年安康杯安全知识竞赛".to_owned(),
        from: today,
        until: today.plus_days(days - 1).unwrap(),
        questions_per_attempt: 5,
        minutes: 5,
        attempts_per_day: per_day,
        quotas: Some(vec![quota("交通", 3), quota("消防", 2)]),
    };
    let id = create(&s.app, &Actor::Operator, draft).await.unwrap();
    public_contest(&s.app, id).await.unwrap()
}

pub fn asked(step: Step) -> Box<Ask> {
    match step {
        Step::Ask(ask) => ask,
        Step::Done(id) => panic!("attempt {id} is over"),
    }
}

fn letters(text: &str) -> Option<LetterSet> {
    LetterSet::parse(text)
}

both_databases!(an_attempt_keeps_its_draw_and_the_server_clock, |db: TestDb| async move {
    let s = Setup::new(db).await;
    bank(&s).await;
    let hefei = s.org("3401").await;
    let contest = contest(&s, &hefei, 2, 7).await;
    let m = s.member(&s.org("3401T").await, "clock").await;

    let first = asked(start(&s.app, &contest, m).await.unwrap());
    let attempt = first.attempt.clone();
    assert_eq!((first.position, attempt.questions.len(), attempt.clock.started_at), (0, 5, s.app.now()));
    let bank_now = s.store().bank(&hefei.path.lineage()).await.unwrap();
    let categories: Vec<_> = attempt
        .questions
        .iter()
        .map(|id| bank_now.iter().find(|q| q.id == *id).unwrap().category.as_str().to_owned())
        .collect();
    assert_eq!(categories.iter().filter(|c| *c == "交通").count(), 3);
    assert_eq!(categories.iter().filter(|c| *c == "消防").count(), 2);
    let quotas = s.store().contest_quotas(contest.id).await.unwrap();
    assert_eq!(
        draw_questions(&bank_now, &quotas, attempt.seed).unwrap(),
        attempt.questions,
        "fixed by its seed"
    );
    assert_eq!(first.question.id, attempt.questions[0]);

    // Tapping start again goes back to the running attempt: same questions, one attempt spent.
    s.advance(1_500);
    let again = asked(start(&s.app, &contest, m).await.unwrap());
    assert_eq!((again.attempt.id, &again.attempt.questions), (attempt.id, &attempt.questions));
    let standing = entry(&s.app, &contest, m).await.unwrap();
    assert_eq!(
        (standing.attempts_left, standing.running, standing.phase),
        (1, Some(attempt.id), ContestPhase::Open)
    );

    // 1.5 s after the start but the first answer's clock began at the start: counted.
    let step = asked(answer(&s.app, m, attempt.id, 0, letters("B")).await.unwrap());
    assert_eq!((step.position, step.attempt.correct, step.attempt.flagged), (1, 1, 0));
    // At once again: faster than a second for question 2, flagged and not scored.
    let step = asked(answer(&s.app, m, attempt.id, 1, letters("B")).await.unwrap());
    assert_eq!((step.position, step.attempt.correct, step.attempt.flagged), (2, 1, 1));
    // A repeated tap on question 2 changes nothing.
    s.advance(3_000);
    let step = asked(answer(&s.app, m, attempt.id, 1, letters("A")).await.unwrap());
    assert_eq!((step.position, step.attempt.answered), (2, 2));
    let step = asked(answer(&s.app, m, attempt.id, 2, letters("A")).await.unwrap());
    assert_eq!((step.position, step.attempt.correct), (3, 1), "A is wrong");
    // Someone else cannot reach the attempt.
    let other = s.member(&s.org("3401T").await, "other").await;
    assert!(matches!(current(&s.app, other, attempt.id).await, Err(ContestError::NotFound)));
    assert!(matches!(answer(&s.app, other, attempt.id, 3, letters("B")).await, Err(ContestError::NotFound)));

    // Past the five minutes the next answer does not count and the attempt ends.
    s.advance(5 * 60_000);
    assert!(
        matches!(answer(&s.app, m, attempt.id, 3, letters("B")).await.unwrap(), Step::Done(id) if id == attempt.id)
    );
    assert!(matches!(current(&s.app, m, attempt.id).await.unwrap(), Step::Done(_)));
    let answers = s.store().answers(attempt.id).await.unwrap();
    assert_eq!(answers.len(), 3, "the late answer is not recorded");

    let shown = result(&s.app, m, attempt.id).await.unwrap();
    assert_eq!(shown.score, Score { correct: 1, total: 5, flagged: 1 });
    let timings: Vec<_> = shown.questions.iter().map(|q| q.timing).collect();
    assert_eq!(
        timings,
        [Some(AnswerTiming::Counted), Some(AnswerTiming::TooFast), Some(AnswerTiming::Counted), None, None]
    );
    assert_eq!(shown.questions[0].question.question.explanation.as_deref(), Some("因为乙是对的。"));
    assert_eq!(shown.questions[2].given, letters("A"));
    let (best, rank) = shown.best.unwrap();
    assert_eq!((best.correct, rank), (1, 1));
    assert_eq!(best.millis, 1_500 + 3_000, "started to last answer");
});

both_databases!(attempts_per_day_the_window_and_who_may_take_part, |db: TestDb| async move {
    let s = Setup::new(db).await;
    bank(&s).await;
    let hefei = s.org("3401").await;
    let contest = contest(&s, &hefei, 1, 3).await;
    let m = s.member(&s.org("340122T").await, "daily").await;
    let mut step = start(&s.app, &contest, m).await.unwrap();
    for position in 0..5 {
        s.advance(2_000);
        step = answer(&s.app, m, asked(step).attempt.id, position, LetterSet::parse("B")).await.unwrap();
    }
    assert!(matches!(step, Step::Done(_)));
    assert_eq!(entry(&s.app, &contest, m).await.unwrap().attempts_left, 0);
    assert!(matches!(start(&s.app, &contest, m).await, Err(ContestError::DailyLimit)));
    s.advance(86_400_000);
    assert_eq!(entry(&s.app, &contest, m).await.unwrap().attempts_left, 1);
    assert!(matches!(start(&s.app, &contest, m).await.unwrap(), Step::Ask(_)));

    let wuhu = s.member(&s.org("3402T").await, "wuhu").await;
    assert!(matches!(start(&s.app, &contest, wuhu).await, Err(ContestError::NotEligible)));
    assert!(matches!(entry(&s.app, &contest, wuhu).await, Err(ContestError::NotEligible)));
    let leaving = s.member(&s.org("3401T").await, "leaving").await;
    s.store()
        .apply_lifecycle(leaving.0, LifecycleAction::Withdraw, "user:t", "退会", s.app.now())
        .await
        .unwrap();
    assert!(matches!(start(&s.app, &contest, leaving).await, Err(ContestError::NotEligible)));
    assert!(matches!(start(&s.app, &contest, MembershipId(999_999)).await, Err(ContestError::NotEligible)));

    s.advance(2 * 86_400_000);
    assert!(matches!(start(&s.app, &contest, m).await, Err(ContestError::NotOpen(ContestPhase::Closed))));
    let tomorrow = s.app.now().china_date().plus_days(1).unwrap();
    let draft = ContestDraft {
        org: hefei.id,
        name: "明天开始".to_owned(),
        from: tomorrow,
        until: tomorrow,
        questions_per_attempt: 2,
        minutes: 5,
        attempts_per_day: 1,
        quotas: None,
    };
    let later = create(&s.app, &Actor::Operator, draft.clone()).await.unwrap();
    let later = public_contest(&s.app, later).await.unwrap();
    assert!(matches!(start(&s.app, &later, m).await, Err(ContestError::NotOpen(ContestPhase::NotStarted))));
    // Without quotas, the bank's categories in proportion: 6 traffic, 4 fire → 1 and 1.
    assert_eq!(s.store().contest_quotas(later.id).await.unwrap(), [quota("交通", 1), quota("消防", 1)]);

    // Who may create what.
    let viewer = officer(&hefei, Role::Viewer);
    assert!(matches!(create(&s.app, &viewer, draft.clone()).await, Err(ContestError::Forbidden)));
    let wuhu_admin = officer(&s.org("3402").await, Role::Admin);
    assert!(matches!(create(&s.app, &wuhu_admin, draft.clone()).await, Err(ContestError::NotFound)));
    let admin = officer(&hefei, Role::Admin);
    let odd = ContestDraft { quotas: Some(vec![quota("交通", 1)]), ..draft.clone() };
    assert!(matches!(
        create(&s.app, &admin, odd).await,
        Err(ContestError::QuotaTotal { quotas: 1, questions: 2 })
    ));
    let short =
        ContestDraft { questions_per_attempt: 7, quotas: Some(vec![quota("消防", 7)]), ..draft.clone() };
    assert!(matches!(
        create(&s.app, &admin, short).await,
        Err(ContestError::Draw(DrawError::NotEnough { .. }))
    ));
    let huge = ContestDraft { questions_per_attempt: 11, quotas: None, ..draft.clone() };
    assert!(matches!(
        create(&s.app, &admin, huge).await,
        Err(ContestError::Draw(DrawError::BankTooSmall { .. }))
    ));
    let backwards = ContestDraft { until: draft.from.plus_days(-1).unwrap(), ..draft.clone() };
    assert!(matches!(create(&s.app, &admin, backwards).await, Err(ContestError::Rules(RulesError::Window))));
    let unnamed = ContestDraft { name: " ".to_owned(), ..draft.clone() };
    assert!(matches!(create(&s.app, &admin, unnamed).await, Err(ContestError::Rules(RulesError::Name))));
    let mine = create(&s.app, &admin, draft).await.unwrap();
    let record = public_contest(&s.app, mine).await.unwrap();
    assert_eq!(record.created_by, format!("user:{}-admin", hefei.id));
    assert!(matches!(public_contest(&s.app, ContestId(mine.0 + 50)).await, Err(ContestError::NotFound)));
});

both_databases!(contests_are_cached_for_the_ttl_and_questions_for_good, |db: TestDb| async move {
    use huiji_app::contest::cache;
    use std::sync::atomic::Ordering;

    let s = Setup::new(db).await;
    let ids = bank(&s).await;
    let record = contest(&s, &s.root().await, 1, 3).await;
    let app = s.app.clone().with_contest_cache(cache::SERVE_TTL_MILLIS);
    assert_eq!(cache::contest(&app, record.id).await.unwrap().unwrap().frozen_at, None);
    // Another instance (or the freeze job) changes the contest: seen once the TTL is over.
    s.store().freeze_contest(record.id, s.app.now()).await.unwrap();
    assert_eq!(cache::contest(&app, record.id).await.unwrap().unwrap().frozen_at, None, "within the TTL");
    assert!(cache::contest(&s.app, record.id).await.unwrap().unwrap().frozen_at.is_some(), "TTL 0 reads");
    s.clock.0.fetch_add(cache::SERVE_TTL_MILLIS, Ordering::SeqCst);
    assert!(cache::contest(&app, record.id).await.unwrap().unwrap().frozen_at.is_some(), "expired");
    assert!(cache::contest(&app, ContestId(record.id.0 + 50)).await.unwrap().is_none());
    // Questions never change once stored: the cached copy is the stored one.
    let first = cache::question(&app, ids[0]).await.unwrap().unwrap();
    assert_eq!(*first, s.store().question(ids[0]).await.unwrap().unwrap());
    assert!(std::sync::Arc::ptr_eq(&first, &cache::question(&app, ids[0]).await.unwrap().unwrap()));
    assert!(cache::question(&app, QuestionId(ids[9].0 + 100)).await.unwrap().is_none());
});
