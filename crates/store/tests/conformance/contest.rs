//! The 安康杯 contest on both databases: one question per stem in a bank, contests drawn
//! from the organiser's lineage, attempts counted per day (also under concurrency),
//! answers taken in order only, and boards that match a recount from the attempts and
//! stay as they were at the close.

use std::collections::HashMap;
use std::sync::Arc;

use huiji_core::contest::{
    AnswerTiming, AttemptClock, AttemptId, Category, CategoryQuota, ContestId, ContestName, ContestRules,
    ContestWindow, Question, QuestionCells, QuestionId, parse_question,
};
use huiji_core::joining::Landing;
use huiji_core::{CivilDate, Decision, MembershipId, Org, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Added, ContestRecord, FinishedAttempt, Frozen, MembershipRecord, NewAnswer, NewAttempt, NewContest,
    QuestionQuery, Recorded, Started, Store, StoreError, UnionTotals, both_databases,
};

use crate::fixtures::{AT, Tree, member, to_org, tree};

fn question(stem: &str, category: &str) -> Question {
    parse_question(&QuestionCells {
        kind: "单选题",
        stem,
        options: ["甲", "乙", "丙", "", "", ""],
        answer: "B",
        explanation: "解析",
        category,
        difficulty: "难",
    })
    .unwrap()
}

fn new_ids(added: &[Added]) -> Vec<QuestionId> {
    added
        .iter()
        .map(|a| match a {
            Added::New(id) => *id,
            Added::Duplicate(id) => panic!("question {id} was a duplicate"),
        })
        .collect()
}

fn day(d: i64) -> CivilDate {
    AT.plus_days(d).china_date()
}

fn quota(category: &str, count: u32) -> CategoryQuota {
    CategoryQuota { category: Category::parse(category).unwrap(), count }
}

/// A contest of `org` running a week from the fixtures' day, `per_day` attempts a day.
async fn contest_of(store: &Arc<dyn Store>, org: &Org, per_day: u32) -> ContestRecord {
    let new = NewContest {
        org: org.id,
        name: ContestName::parse("2025年安康杯安全知识竞赛").unwrap(),
        window: ContestWindow::new(day(0), day(6)).unwrap(),
        rules: ContestRules::new(3, 10, per_day).unwrap(),
        quotas: vec![quota("交通", 2), quota("消防", 1)],
        created_by: "user:anhui".to_owned(),
    };
    let id = store.create_contest(&new, AT).await.unwrap();
    store.contest(id).await.unwrap().unwrap()
}

/// `n` members of `org`.
async fn members_of(store: &Arc<dyn Store>, org: &Org, n: usize, tag: &str) -> Vec<MembershipRecord> {
    let mut members = Vec::new();
    for i in 0..n {
        let new = to_org(org, "王晓明", &format!("{tag}-{i}"), Landing::Union(org.id), Decision::Approve);
        members.push(member(store, &new, AT).await);
    }
    members
}

async fn bank_of(store: &Arc<dyn Store>, t: &Tree) -> Vec<QuestionId> {
    let questions = [
        question("货车连续驾驶不得超过几小时？", "交通"),
        question("高速公路最低车速？", "交通"),
        question("灭火器怎么用？", "消防"),
    ];
    new_ids(&store.add_questions(t.root.id, &questions, AT).await.unwrap())
}

/// Starts an attempt of `m` counted at `home`, started at `start`.
async fn start(
    store: &Arc<dyn Store>,
    contest: &ContestRecord,
    m: &MembershipRecord,
    home: &Org,
    start: Timestamp,
    questions: &[QuestionId],
) -> Started {
    let attempt = NewAttempt {
        contest: contest.id,
        membership: MembershipId(m.id),
        home_org: home.id,
        home_path: home.path.clone(),
        day: start.china_date(),
        seed: u64::MAX - 1,
        questions: questions.to_vec(),
        clock: AttemptClock::start(start, contest.rules.minutes(), contest.window),
    };
    store.start_attempt(&attempt, contest.rules.attempts_per_day()).await.unwrap()
}

fn started(outcome: Started) -> AttemptId {
    match outcome {
        Started::Attempt(id) => id,
        Started::DailyLimit => panic!("the daily limit was reached"),
    }
}

/// Answers every question of an attempt, `seconds` apart, right where `right` says.
async fn answer_all(store: &Arc<dyn Store>, id: AttemptId, right: &[bool], seconds: i64) -> Timestamp {
    let attempt = store.attempt(id).await.unwrap().unwrap();
    let mut at = attempt.clock.started_at;
    for (position, question) in attempt.questions.iter().enumerate() {
        at = Timestamp(at.0 + seconds * 1000);
        let answer = NewAnswer {
            attempt: id,
            position: u32::try_from(position).unwrap(),
            question: *question,
            given: None,
            timing: AnswerTiming::Counted,
            correct: right[position],
            at,
            last: position + 1 == attempt.questions.len(),
        };
        assert_eq!(store.record_answer(&answer).await.unwrap(), Recorded::Answer);
    }
    at
}

both_databases!(questions_are_banked_once_per_stem_and_drawn_from_the_lineage, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let offered = [
        question("货车连续驾驶不得超过几小时？", "交通"),
        question("高速公路最低车速？", "交通"),
        question("灭火器怎么用？", "消防"),
        question("货车连续驾驶，不得超过几小时", "交通"),
    ];
    let added = store.add_questions(t.root.id, &offered, AT).await.unwrap();
    let root_ids = new_ids(&added[..3]);
    assert_eq!(added[3], Added::Duplicate(root_ids[0]), "the same stem, other punctuation");
    let again = store.add_questions(t.root.id, &offered[2..3], AT).await.unwrap();
    assert_eq!(again, [Added::Duplicate(root_ids[2])]);
    let hefei_ids = new_ids(&store.add_questions(t.hefei.id, &offered[..1], AT).await.unwrap());
    new_ids(&store.add_questions(t.wuhu.id, &[question("芜湖的题", "消防")], AT).await.unwrap());

    let lineage = t.feidong_trucks.path.lineage();
    let mut drawn: Vec<QuestionId> = store.bank(&lineage).await.unwrap().into_iter().map(|q| q.id).collect();
    drawn.sort();
    assert_eq!(drawn, [root_ids.clone(), hefei_ids.clone()].concat(), "not 芜湖's");
    let categories = store.bank_categories(&lineage).await.unwrap();
    let categories: Vec<_> = categories.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    assert_eq!(categories, [("交通", 3), ("消防", 1)]);

    let stored = store.question(root_ids[0]).await.unwrap().unwrap();
    assert_eq!((stored.owner, &stored.question, stored.created_at), (t.root.id, &offered[0], AT));
    let truth = parse_question(&QuestionCells {
        kind: "判断题",
        stem: "饮酒后不得驾驶车辆。",
        answer: "对",
        category: "交通",
        ..QuestionCells::default()
    })
    .unwrap();
    let multiple = parse_question(&QuestionCells {
        kind: "多选题",
        stem: "哪些是劳动防护用品？",
        options: ["安全帽", "反光背心", "手机", "护目镜", "耳塞", "墨镜"],
        answer: "ABDE",
        category: "职业健康",
        ..QuestionCells::default()
    })
    .unwrap();
    let more =
        new_ids(&store.add_questions(t.root.id, &[truth.clone(), multiple.clone()], AT).await.unwrap());
    let read = store.questions_by_id(&[more[1], more[0], QuestionId(999_999)]).await.unwrap();
    assert_eq!(read.iter().map(|q| &q.question).collect::<Vec<_>>(), [&truth, &multiple]);

    let page = |category: Option<&str>, after: Option<QuestionId>| QuestionQuery {
        owners: vec![t.root.id, t.hefei.id],
        category: category.map(|c| Category::parse(c).unwrap()),
        after,
        limit: 2,
    };
    let first: Vec<_> =
        store.questions(&page(Some("交通"), None)).await.unwrap().iter().map(|q| q.id).collect();
    assert_eq!(first, root_ids[..2]);
    let next: Vec<_> =
        store.questions(&page(Some("交通"), Some(first[1]))).await.unwrap().iter().map(|q| q.id).collect();
    assert_eq!(next, [hefei_ids[0], more[0]]);
    assert!(store.questions(&QuestionQuery { owners: vec![], ..page(None, None) }).await.unwrap().is_empty());
});

both_databases!(contests_keep_their_rules_quotas_and_scope, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let contest = contest_of(&store, &t.hefei, 2).await;
    assert_eq!(
        (contest.org, &contest.org_path, contest.name.as_str()),
        (t.hefei.id, &t.hefei.path, "2025年安康杯安全知识竞赛")
    );
    assert_eq!((contest.window.from(), contest.window.until()), (day(0), day(6)));
    assert_eq!(contest.rules, ContestRules::new(3, 10, 2).unwrap());
    assert_eq!(
        (contest.created_by.as_str(), contest.created_at, contest.frozen_at),
        ("user:anhui", AT, None)
    );
    assert_eq!(store.contest_quotas(contest.id).await.unwrap(), [quota("交通", 2), quota("消防", 1)]);

    let ids = |contests: Vec<ContestRecord>| contests.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.contests(&t.root.path, 10).await.unwrap()), [contest.id]);
    assert_eq!(ids(store.contests(&t.hefei.path, 10).await.unwrap()), [contest.id]);
    assert!(store.contests(&t.wuhu.path, 10).await.unwrap().is_empty());
    assert!(store.contests(&t.feidong.path, 10).await.unwrap().is_empty(), "organised above 肥东");

    let lineage = t.feidong_trucks.path.lineage();
    assert_eq!(ids(store.contests_open_for(&lineage, day(0)).await.unwrap()), [contest.id]);
    assert_eq!(ids(store.contests_open_for(&lineage, day(6)).await.unwrap()), [contest.id]);
    assert!(store.contests_open_for(&lineage, day(7)).await.unwrap().is_empty());
    assert!(store.contests_open_for(&lineage, day(-1)).await.unwrap().is_empty());
    assert!(store.contests_open_for(&t.wuhu_trucks.path.lineage(), day(1)).await.unwrap().is_empty());
    assert!(store.contest(ContestId(contest.id.0 + 100)).await.unwrap().is_none());

    let nowhere = NewContest {
        org: OrgId(999_999),
        name: ContestName::parse("无").unwrap(),
        window: contest.window,
        rules: contest.rules,
        quotas: Vec::new(),
        created_by: "operator".to_owned(),
    };
    assert!(matches!(store.create_contest(&nowhere, AT).await, Err(StoreError::NotFound(_))));
});

both_databases!(attempts_count_per_day_and_answers_go_in_order, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let questions = bank_of(&store, &t).await;
    let contest = contest_of(&store, &t.root, 2).await;
    let m = &members_of(&store, &t.feidong_trucks, 1, "order").await[0];
    let home = &t.feidong_trucks;

    let first = started(start(&store, &contest, m, home, AT, &questions).await);
    let second = started(start(&store, &contest, m, home, Timestamp(AT.0 + 60_000), &questions).await);
    assert_eq!(
        start(&store, &contest, m, home, Timestamp(AT.0 + 120_000), &questions).await,
        Started::DailyLimit
    );
    assert_eq!(store.attempts_started(contest.id, MembershipId(m.id), day(0)).await.unwrap(), 2);
    assert_eq!(store.attempts_started(contest.id, MembershipId(m.id), day(1)).await.unwrap(), 0);
    let next_day = started(start(&store, &contest, m, home, AT.plus_days(1), &questions).await);
    assert_eq!(store.latest_attempt(contest.id, MembershipId(m.id)).await.unwrap().unwrap().id, next_day);

    let stored = store.attempt(first).await.unwrap().unwrap();
    assert_eq!(
        (stored.contest, stored.membership, stored.home_org),
        (contest.id, MembershipId(m.id), home.id)
    );
    assert_eq!((stored.day, stored.seed, &stored.questions), (day(0), u64::MAX - 1, &questions));
    assert_eq!(stored.clock, AttemptClock::start(AT, 10, contest.window));
    assert_eq!(
        (stored.answered, stored.correct, stored.flagged, stored.last_at, stored.finished_at),
        (0, 0, 0, AT, None)
    );

    let answer = |position: u32, timing, at: i64| NewAnswer {
        attempt: first,
        position,
        question: questions[usize::try_from(position).unwrap().min(2)],
        given: huiji_core::contest::LetterSet::parse("B"),
        timing,
        correct: timing == AnswerTiming::Counted,
        at: Timestamp(AT.0 + at),
        last: position == 2,
    };
    assert_eq!(store.record_answer(&answer(1, AnswerTiming::Counted, 5_000)).await.unwrap(), Recorded::Stale);
    assert_eq!(
        store.record_answer(&answer(0, AnswerTiming::Counted, 5_000)).await.unwrap(),
        Recorded::Answer
    );
    assert_eq!(store.record_answer(&answer(0, AnswerTiming::Counted, 6_000)).await.unwrap(), Recorded::Stale);
    assert_eq!(
        store.record_answer(&answer(1, AnswerTiming::TooFast, 5_500)).await.unwrap(),
        Recorded::Answer
    );
    let midway = store.attempt(first).await.unwrap().unwrap();
    assert_eq!((midway.answered, midway.correct, midway.flagged), (2, 1, 1));
    assert_eq!((midway.last_at, midway.finished_at), (Timestamp(AT.0 + 5_500), None));
    assert_eq!(
        store.record_answer(&answer(2, AnswerTiming::Counted, 9_000)).await.unwrap(),
        Recorded::Answer
    );
    let done = store.attempt(first).await.unwrap().unwrap();
    assert_eq!((done.answered, done.correct, done.finished_at), (3, 2, Some(Timestamp(AT.0 + 9_000))));
    assert_eq!(store.record_answer(&answer(3, AnswerTiming::Counted, 9_500)).await.unwrap(), Recorded::Stale);
    assert!(
        !store.finish_attempt(first, Timestamp(AT.0 + 10_000)).await.unwrap(),
        "finished with its last answer"
    );

    let answers = store.answers(first).await.unwrap();
    let summary: Vec<_> = answers.iter().map(|a| (a.position, a.question, a.timing, a.correct)).collect();
    assert_eq!(
        summary,
        [
            (0, questions[0], AnswerTiming::Counted, true),
            (1, questions[1], AnswerTiming::TooFast, false),
            (2, questions[2], AnswerTiming::Counted, true)
        ]
    );
    assert_eq!(answers[0].given.map(|g| g.to_string()).as_deref(), Some("B"));
    assert_eq!(answers[2].answered_at, Timestamp(AT.0 + 9_000));

    // The second attempt was left: once its deadline passes it is expired, until finished.
    let after = Timestamp(AT.0 + 60_000 + 10 * 60_000 + 1);
    assert_eq!(store.expired_attempts(None, after, 10).await.unwrap(), [second]);
    assert_eq!(store.expired_attempts(Some(contest.id), after, 10).await.unwrap(), [second]);
    assert!(store.expired_attempts(Some(ContestId(contest.id.0 + 1)), after, 10).await.unwrap().is_empty());
    assert!(store.expired_attempts(None, Timestamp(after.0 - 2), 10).await.unwrap().is_empty());
    assert!(store.finish_attempt(second, after).await.unwrap());
    assert!(store.expired_attempts(None, after, 10).await.unwrap().is_empty());
    let best = store.best_of(contest.id, MembershipId(m.id)).await.unwrap().unwrap();
    assert_eq!((best.correct, best.millis, best.union), (2, 9_000, home.id), "the finished, better one");
});

both_databases!(one_attempt_a_day_holds_under_concurrency, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let questions = bank_of(&store, &t).await;
    let contest = contest_of(&store, &t.root, 1).await;
    let m = members_of(&store, &t.feidong_trucks, 1, "race").await.remove(0);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (store, contest, m, home, questions) =
            (store.clone(), contest.clone(), m.clone(), t.feidong_trucks.clone(), questions.clone());
        tasks.push(tokio::spawn(async move {
            start(&store, &contest, &m, &home, Timestamp(AT.0 + i), &questions).await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Started::Attempt(_))).count(), 1, "{outcomes:?}");
    assert_eq!(store.attempts_started(contest.id, MembershipId(m.id), day(0)).await.unwrap(), 1);
});

both_databases!(one_answer_counts_once_when_tapped_many_times_at_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let questions = bank_of(&store, &t).await;
    let contest = contest_of(&store, &t.root, 1).await;
    let m = members_of(&store, &t.feidong_trucks, 1, "taps").await.remove(0);
    let attempt = started(start(&store, &contest, &m, &t.feidong_trucks, AT, &questions).await);
    // Position 0 (the attempt goes on) and position 2 (the last, which finishes it) take
    // different paths on PostgreSQL; each must count once however many arrive together.
    for (position, last) in [(0u32, false), (1, false), (2, true)] {
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = store.clone();
            let answer = NewAnswer {
                attempt,
                position,
                question: questions[usize::try_from(position).unwrap()],
                given: huiji_core::contest::LetterSet::parse("A"),
                timing: AnswerTiming::Counted,
                correct: i % 2 == 0,
                at: Timestamp(AT.0 + 5_000 * i64::from(position + 1) + i),
                last,
            };
            tasks.push(tokio::spawn(async move { store.record_answer(&answer).await.unwrap() }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        assert_eq!(
            outcomes.iter().filter(|o| **o == Recorded::Answer).count(),
            1,
            "{position}: {outcomes:?}"
        );
    }
    let stored = store.attempt(attempt).await.unwrap().unwrap();
    assert_eq!(stored.answered, 3);
    assert!(stored.finished_at.is_some(), "the last answer finished it");
    let answers = store.answers(attempt).await.unwrap();
    assert_eq!(answers.iter().map(|a| a.position).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(u32::try_from(answers.iter().filter(|a| a.correct).count()).unwrap(), stored.correct);
});

/// Each member's best attempt: the union it counts for, right answers, milliseconds.
type Bests = HashMap<MembershipId, (OrgId, u32, i64)>;

/// Participants and summed right answers per union.
type Totals = HashMap<OrgId, (u64, u64)>;

/// Each member's best (most right, then fastest) and the totals per union, recounted
/// from the attempts.
fn recount(results: &[(MembershipId, OrgId, u32, i64)]) -> (Bests, Totals) {
    let mut best: Bests = HashMap::new();
    for &(m, org, correct, millis) in results {
        let better = best.get(&m).is_none_or(|&(_, c, t)| (correct, -millis) > (c, -t));
        if better {
            best.insert(m, (org, correct, millis));
        }
    }
    let mut totals: Totals = HashMap::new();
    for &(org, correct, _) in best.values() {
        let entry = totals.entry(org).or_default();
        entry.0 += 1;
        entry.1 += u64::from(correct);
    }
    (best, totals)
}

/// The recounted totals of a subtree.
fn subtree(totals: &Totals, orgs: &[&Org], within: &Org) -> (u64, u64) {
    orgs.iter()
        .filter(|o| within.path.contains(&o.path))
        .filter_map(|o| totals.get(&o.id))
        .fold((0, 0), |acc, t| (acc.0 + t.0, acc.1 + t.1))
}

both_databases!(boards_match_a_recount_and_freeze_at_the_close, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let questions = bank_of(&store, &t).await;
    let contest = contest_of(&store, &t.root, 3).await;
    let feidong = members_of(&store, &t.feidong_trucks, 3, "fd").await;
    let hefei = members_of(&store, &t.hefei_trucks, 2, "hf").await;
    let wuhu = members_of(&store, &t.wuhu_trucks, 1, "wh").await;

    // (member, union counted at, answers right, seconds per answer), in the order taken.
    let plan: Vec<(&MembershipRecord, &Org, [bool; 3], i64)> = vec![
        (&feidong[0], &t.feidong_trucks, [true, true, false], 10),
        (&feidong[0], &t.feidong_trucks, [true, false, false], 5), // worse: the best stays
        (&feidong[1], &t.feidong_trucks, [true, true, false], 8),  // as right, faster
        (&feidong[2], &t.feidong_trucks, [false, false, false], 3),
        (&feidong[2], &t.hefei_trucks, [true, true, true], 20), // moved to 合肥: counts there now
        (&hefei[0], &t.hefei_trucks, [true, true, false], 8),   // ties feidong[1]
        (&hefei[1], &t.hefei_trucks, [true, true, true], 30),
        (&wuhu[0], &t.wuhu_trucks, [true, false, true], 12),
    ];
    let mut results = Vec::new();
    for (i, (m, home, right, seconds)) in plan.iter().enumerate() {
        let begin = Timestamp(AT.0 + i64::try_from(i).unwrap() * 1_000_000);
        let id = started(start(&store, &contest, m, home, begin, &questions).await);
        let end = answer_all(&store, id, right, *seconds).await;
        let correct = u32::try_from(right.iter().filter(|r| **r).count()).unwrap();
        results.push((MembershipId(m.id), home.id, correct, end.0 - begin.0));
    }
    let (best, totals) = recount(&results);
    let orgs = [&t.feidong_trucks, &t.hefei_trucks, &t.wuhu_trucks];

    let board = store.union_board(&contest, t.root.id).await.unwrap().unwrap();
    let (participants, correct_sum) = subtree(&totals, &orgs, &t.root);
    assert_eq!(
        (board.node.org, board.node.members, board.node.participants, board.node.correct_sum),
        (t.root.id, 6, participants, correct_sum)
    );
    assert_eq!((participants, correct_sum), (6, 2 + 2 + 3 + 2 + 3 + 2));
    let child = |board: &huiji_store::UnionBoard, org: &Org| -> UnionTotals {
        board.children.iter().find(|c| c.org == org.id).cloned().unwrap()
    };
    for city in [&t.hefei, &t.wuhu] {
        let row = child(&board, city);
        assert_eq!((row.participants, row.correct_sum), subtree(&totals, &orgs, city), "{}", city.name);
    }
    assert_eq!((child(&board, &t.hefei).members, child(&board, &t.wuhu).members), (5, 1));
    let county = store.union_board(&contest, t.feidong.id).await.unwrap().unwrap();
    assert_eq!(
        (county.node.members, county.node.participants, county.node.correct_sum),
        (3, 2, 4),
        "feidong[2] counts in 合肥 now"
    );
    assert!(store.union_board(&contest, OrgId(999_999)).await.unwrap().is_none());

    // People: most right, then fastest; the whole contest and a subtree.
    let people = store.people_board(&contest, &t.root.path, 100).await.unwrap();
    let mut expected: Vec<_> = best.iter().map(|(m, (_, c, ms))| (*m, *c, *ms)).collect();
    expected.sort_by_key(|&(m, c, ms)| (std::cmp::Reverse(c), ms, m));
    assert_eq!(people.iter().map(|p| (p.membership, p.correct, p.millis)).collect::<Vec<_>>(), expected);
    assert_eq!(people[0].name, "王晓明");
    assert!(people[0].member_number.is_some());
    let in_wuhu = store.people_board(&contest, &t.wuhu.path, 100).await.unwrap();
    assert_eq!(in_wuhu.iter().map(|p| p.membership).collect::<Vec<_>>(), [MembershipId(wuhu[0].id)]);
    assert_eq!(in_wuhu[0].union_name, t.wuhu_trucks.name);
    assert_eq!(store.people_board(&contest, &t.root.path, 2).await.unwrap().len(), 2);
    for (m, (_, correct, millis)) in &best {
        let strictly = best.values().filter(|&&(_, c, t)| (c, -t) > (*correct, -millis)).count();
        assert_eq!(
            store.better_than(contest.id, *correct, *millis).await.unwrap(),
            u64::try_from(strictly).unwrap()
        );
        let mine = store.best_of(contest.id, *m).await.unwrap().unwrap();
        assert_eq!((mine.correct, mine.millis), (*correct, *millis));
    }

    // The same results loaded in bulk into another contest and recounted: the same boards.
    let twin = contest_of(&store, &t.root, 3).await;
    let loaded: Vec<FinishedAttempt> = results
        .iter()
        .map(|&(m, org, correct, millis)| {
            let home = orgs.iter().find(|o| o.id == org).unwrap();
            FinishedAttempt {
                membership: m,
                home_org: org,
                home_path: home.path.clone(),
                started_at: AT,
                millis,
                questions: questions.clone(),
                correct,
            }
        })
        .collect();
    db.store.load_finished_attempts(twin.id, &loaded).await.unwrap();
    db.store.recount_contest(twin.id).await.unwrap();
    let twin_board = store.union_board(&twin, t.root.id).await.unwrap().unwrap();
    assert_eq!(twin_board.node, board.node);
    assert_eq!(twin_board.children, board.children);
    let twin_people = store.people_board(&twin, &t.root.path, 100).await.unwrap();
    let key = |p: &huiji_store::BoardEntry| (p.membership, p.correct, p.millis, p.union);
    assert_eq!(twin_people.iter().map(key).collect::<Vec<_>>(), people.iter().map(key).collect::<Vec<_>>());

    // The close: an attempt still running keeps the board open; once finished, the board
    // freezes as it stands, and later members do not move it.
    let late = members_of(&store, &t.feidong_trucks, 1, "late").await.remove(0);
    let running = started(
        start(
            &store,
            &contest,
            &late,
            &t.feidong_trucks,
            Timestamp(contest.window.closes_at().0 - 60_000),
            &questions,
        )
        .await,
    );
    assert_eq!(
        store.freeze_contest(contest.id, contest.window.closes_at()).await.unwrap(),
        Frozen::Unfinished
    );
    assert!(store.finish_attempt(running, contest.window.closes_at()).await.unwrap());
    assert_eq!(store.freeze_contest(contest.id, contest.window.closes_at()).await.unwrap(), Frozen::Now);
    assert_eq!(store.freeze_contest(contest.id, contest.window.closes_at()).await.unwrap(), Frozen::Already);
    let frozen = store.contest(contest.id).await.unwrap().unwrap();
    assert_eq!(frozen.frozen_at, Some(contest.window.closes_at()));
    let at_close = store.union_board(&frozen, t.root.id).await.unwrap().unwrap();
    assert_eq!(
        (at_close.node.members, at_close.node.participants),
        (7, 7),
        "the late member took part with 0"
    );
    members_of(&store, &t.feidong_trucks, 2, "after").await;
    let later = store.union_board(&frozen, t.root.id).await.unwrap().unwrap();
    assert_eq!(later, at_close, "frozen");
    assert_eq!(
        store.union_board(&contest, t.root.id).await.unwrap().unwrap().node.members,
        9,
        "live counts move"
    );
});
