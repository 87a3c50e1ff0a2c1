//! The group-commit writer on both databases: a failing job is undone alone, a failed
//! commit answers every caller with an error and leaves nothing, no caller hears before
//! the commit, and the areas routed through it (contest answers, joins) keep their rules
//! when their jobs share a batch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use huiji_core::contest::{
    AnswerTiming, AttemptClock, AttemptId, Category, CategoryQuota, ContestName, ContestRules, ContestWindow,
    QuestionCells, QuestionId, parse_question,
};
use huiji_core::joining::Landing;
use huiji_core::{Decision, MembershipId, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Added, NewAnswer, NewAttempt, NewContest, Probe, Recorded, SqlStore, Started, Store, StoreError,
    SubmitOutcome, both_databases,
};
use tokio::sync::oneshot;

use crate::fixtures::{AT, application, member, seeded, to_org, tree};

/// A second store on the test's database with one group-commit writer, whatever the
/// backend's default (PostgreSQL's is none).
async fn writer_of(db: &TestDb) -> Arc<SqlStore> {
    Arc::new(SqlStore::connect_group_committed(&db.url, 1).await.unwrap())
}

/// Runs a hold job and waits until the writer runs it: what is sent until the returned
/// sender fires waits for the next batch, together.
pub(crate) async fn hold_the_writer(
    store: &Arc<SqlStore>,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (started, running) = oneshot::channel();
    let (release, released) = oneshot::channel();
    let store = store.clone();
    let held = tokio::spawn(async move {
        store.probe_write(Probe::Hold { started, release: released }).await.unwrap();
    });
    running.await.unwrap();
    (release, held)
}

/// Sends each probe from its own task; their answers come through the handles.
async fn all_at_once(
    store: &Arc<SqlStore>,
    probes: Vec<Probe>,
) -> Vec<tokio::task::JoinHandle<Result<i64, StoreError>>> {
    let tasks: Vec<_> = probes
        .into_iter()
        .map(|probe| {
            let store = store.clone();
            tokio::spawn(async move { store.probe_write(probe).await })
        })
        .collect();
    // Let every task reach the queue before the writer is released.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    tasks
}

both_databases!(a_failing_job_is_undone_alone_and_the_others_commit, |db: TestDb| async move {
    let store = writer_of(&db).await;
    store.probe_setup().await.unwrap();
    let (release, held) = hold_the_writer(&store).await;
    let tasks = all_at_once(
        &store,
        vec![Probe::Insert("a".into()), Probe::InsertThenFail("b".into()), Probe::Insert("c".into())],
    )
    .await;
    release.send(()).unwrap();
    held.await.unwrap();
    let answers = join(tasks).await;
    assert!(answers[0].as_ref().is_ok_and(|id| *id > 0), "{answers:?}");
    assert!(matches!(answers[1], Err(StoreError::Database(_))), "{answers:?}");
    assert!(answers[2].as_ref().is_ok_and(|id| *id > 0), "{answers:?}");
    assert_eq!(store.probe_count("a").await.unwrap(), 1);
    assert_eq!(store.probe_count("b").await.unwrap(), 0, "the failed job's first row was undone");
    assert_eq!(store.probe_count("c").await.unwrap(), 1);
    let seen = store.write_batches();
    assert!(seen.enabled);
    assert_eq!(seen.rolled_back, 1);
    if seen.writers == 1 {
        // The hold alone, then the three together.
        assert_eq!(seen.sizes[0], (1, 1), "{seen:?}");
        assert_eq!(seen.sizes[1], (2, 1), "{seen:?}");
    }
});

both_databases!(
    a_failed_commit_answers_every_caller_with_an_error_and_leaves_nothing,
    |db: TestDb| async move {
        let store = writer_of(&db).await;
        store.probe_setup().await.unwrap();
        let (release, held) = hold_the_writer(&store).await;
        let tasks = all_at_once(
            &store,
            vec![Probe::Insert("d".into()), Probe::BreakCommit("e".into()), Probe::Insert("f".into())],
        )
        .await;
        release.send(()).unwrap();
        held.await.unwrap();
        for answer in join(tasks).await {
            assert!(matches!(answer, Err(StoreError::Uncommitted)), "{answer:?}");
        }
        for tag in ["d", "e", "f"] {
            assert_eq!(store.probe_count(tag).await.unwrap(), 0, "{tag} is visible");
        }
        assert!(store.write_batches().uncommitted >= 3);
        // The writer goes on.
        assert!(store.probe_write(Probe::Insert("g".into())).await.is_ok());
        assert_eq!(store.probe_count("g").await.unwrap(), 1);
    }
);

both_databases!(no_caller_is_answered_before_its_batch_commits, |db: TestDb| async move {
    let store = writer_of(&db).await;
    store.probe_setup().await.unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let tag = format!("t{i}");
                store.probe_write(Probe::Insert(tag.clone())).await.unwrap();
                // A fresh read on another connection: the answer means committed.
                assert_eq!(store.probe_count(&tag).await.unwrap(), 1, "{tag} answered before its commit");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let seen = store.write_batches();
    assert_eq!(seen.jobs, 200);
    let batches: u64 = seen.sizes.iter().map(|(_, n)| n).sum();
    assert!((1..=200).contains(&batches), "{seen:?}");
});

both_databases!(the_store_drains_its_queue_when_closed, |db: TestDb| async move {
    let store = writer_of(&db).await;
    store.probe_setup().await.unwrap();
    let (release, held) = hold_the_writer(&store).await;
    let tasks = all_at_once(&store, (0..5).map(|i| Probe::Insert(format!("q{i}"))).collect()).await;
    let closing = {
        let store = store.clone();
        tokio::spawn(async move { store.close().await })
    };
    release.send(()).unwrap();
    held.await.unwrap();
    for answer in join(tasks).await {
        assert!(answer.is_ok(), "{answer:?}");
    }
    closing.await.unwrap();
    assert!(matches!(store.probe_write(Probe::Insert("late".into())).await, Err(StoreError::Uncommitted)));
});

both_databases!(fifty_joins_of_one_id_in_one_batch_make_one_member, |db: TestDb| async move {
    let store = writer_of(&db).await;
    let dyn_store: Arc<dyn Store> = store.clone();
    let (receiving, _) = seeded(&dyn_store).await;
    let (release, held) = hold_the_writer(&store).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = dyn_store.clone();
            let landing = Landing::Union(OrgId(receiving));
            // Every fifth proves the same mobile as the first: told it is a member, or
            // reviewed; the others are reviewed, flagged.
            let mobile = if i % 5 == 0 { "same".to_owned() } else { format!("m-{i}") };
            let new = application("id-batch", &mobile, receiving, landing, Decision::Approve);
            tokio::spawn(async move { store.submit_application(&new, AT).await.unwrap() })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    release.send(()).unwrap();
    held.await.unwrap();
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap() {
            SubmitOutcome::Approved { .. } => approved += 1,
            SubmitOutcome::Pending { .. } | SubmitOutcome::AlreadyMember => {}
        }
    }
    assert_eq!(approved, 1);
    let mut members = dyn_store.memberships_by_mobile("bidx:same").await.unwrap().len();
    for i in 0..50 {
        members += dyn_store.memberships_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len();
    }
    assert_eq!(members, 1);
    let seen = store.write_batches();
    if seen.writers == 1 {
        assert!(seen.sizes[5].1 + seen.sizes[6].1 >= 1, "the 50 shared a batch: {seen:?}");
    }
});

both_databases!(
    concurrent_answers_are_each_recorded_once_and_finish_their_attempts,
    |db: TestDb| async move {
        let store: Arc<dyn Store> = writer_of(&db).await;
        let t = tree(&store).await;
        let questions = [
            ("货车连续驾驶不得超过几小时？", "交通"),
            ("高速公路最低车速？", "交通"),
            ("灭火器怎么用？", "消防"),
        ]
        .map(|(stem, category)| {
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
        });
        let bank: Vec<QuestionId> = store
            .add_questions(t.root.id, &questions, AT)
            .await
            .unwrap()
            .iter()
            .map(|a| match a {
                Added::New(id) => *id,
                Added::Duplicate(id) => panic!("question {id} was a duplicate"),
            })
            .collect();
        let quota = |c: &str, count| CategoryQuota { category: Category::parse(c).unwrap(), count };
        let new = NewContest {
            org: t.root.id,
            name: ContestName::parse("2025年安康杯安全知识竞赛").unwrap(),
            window: ContestWindow::new(AT.china_date(), AT.plus_days(6).china_date()).unwrap(),
            rules: ContestRules::new(3, 10, 3).unwrap(),
            quotas: vec![quota("交通", 2), quota("消防", 1)],
            created_by: "user:anhui".to_owned(),
        };
        let contest = store.contest(store.create_contest(&new, AT).await.unwrap()).await.unwrap().unwrap();
        let mut attempts = Vec::new();
        for i in 0..16 {
            let org = &t.feidong_trucks;
            let m = member(
                &store,
                &to_org(org, "王晓明", &format!("c-{i}"), Landing::Union(org.id), Decision::Approve),
                AT,
            )
            .await;
            let attempt = NewAttempt {
                contest: contest.id,
                membership: MembershipId(m.id),
                home_org: org.id,
                home_path: org.path.clone(),
                day: AT.china_date(),
                seed: 7,
                questions: bank.clone(),
                clock: AttemptClock::start(AT, contest.rules.minutes(), contest.window),
            };
            match store.start_attempt(&attempt, contest.rules.attempts_per_day()).await.unwrap() {
                Started::Attempt(id) => attempts.push(id),
                Started::DailyLimit => panic!("daily limit"),
            }
        }
        let answer = |attempt: AttemptId, position: u32| NewAnswer {
            attempt,
            position,
            question: bank[position as usize],
            given: None,
            timing: AnswerTiming::Counted,
            correct: position != 1,
            at: Timestamp(AT.0 + i64::from(position + 1) * 5_000),
            last: position == 2,
        };
        for position in 0..3 {
            // Every attempt at once, each answer tapped twice: one counts, the other is stale.
            let tasks: Vec<_> = attempts
                .iter()
                .flat_map(|id| [*id, *id])
                .map(|id| {
                    let store = store.clone();
                    let new = answer(id, position);
                    tokio::spawn(async move { (id, store.record_answer(&new).await.unwrap()) })
                })
                .collect();
            let mut counted = std::collections::HashMap::new();
            for task in tasks {
                let (id, recorded) = task.await.unwrap();
                if recorded == Recorded::Answer {
                    *counted.entry(id).or_insert(0) += 1;
                    // Answered means committed: a fresh read has it.
                    assert_eq!(store.answers(id).await.unwrap().len(), position as usize + 1);
                }
            }
            assert_eq!(counted.len(), attempts.len());
            assert!(counted.values().all(|n| *n == 1), "{counted:?}");
        }
        for id in &attempts {
            let attempt = store.attempt(*id).await.unwrap().unwrap();
            assert_eq!((attempt.answered, attempt.correct), (3, 2));
            assert!(attempt.finished_at.is_some());
        }
        let board = store.union_board(&contest, t.root.id).await.unwrap().unwrap();
        assert_eq!((board.node.participants, board.node.correct_sum), (16, 32));
    }
);

/// SQLite: the writer keeps the write connection from one batch to the next while jobs
/// wait and nothing else wants it (`tx::KeptConnection`, `db::WritePool`), yet the pool's
/// other users (a claim, an import) still get it while the writes never stop, and every
/// write lands.
#[tokio::test]
async fn the_write_connection_is_shared_while_writes_never_stop() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    store.probe_setup().await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    // More writers than a batch takes: some always wait when a batch ends, so the writer
    // keeps its connection.
    let writers: Vec<_> = (0..100)
        .map(|n| {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                let mut written = 0;
                while !stop.load(Ordering::Relaxed) {
                    store.probe_write(Probe::Insert(format!("w{n}-{written}"))).await.unwrap();
                    written += 1;
                }
                written
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // Nothing else wants the connection: the writer keeps it for (almost) every batch.
    let before = store.write_batches();
    let batches = |seen: &huiji_store::WriteBatches| seen.sizes.iter().map(|(_, n)| n).sum::<u64>();
    let after = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let seen = store.write_batches();
            if batches(&seen) >= batches(&before) + 20 {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the writer goes on writing batches");
    let (taken, kept) = (batches(&after) - batches(&before), after.kept - before.kept);
    assert!(kept * 10 >= taken * 9, "{kept} of {taken} batches began on the kept connection");
    for _ in 0..5 {
        // Straight on the write pool, as the claims and imports that skip the writer are.
        let opcodes = tokio::time::timeout(std::time::Duration::from_secs(10), db.writer_opcodes("SELECT 1"))
            .await
            .expect("the write pool's other users get the connection between batches");
        assert!(!opcodes.is_empty());
    }
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for (n, writer) in writers.into_iter().enumerate() {
        let theirs = writer.await.unwrap();
        for i in 0..theirs {
            assert_eq!(store.probe_count(&format!("w{n}-{i}")).await.unwrap(), 1, "w{n}-{i}");
        }
        written += theirs;
    }
    let seen = store.write_batches();
    assert!(written > 0 && seen.sizes.iter().skip(1).any(|(_, n)| *n > 0), "{written} writes, {seen:?}");
}

async fn join(tasks: Vec<tokio::task::JoinHandle<Result<i64, StoreError>>>) -> Vec<Result<i64, StoreError>> {
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}
