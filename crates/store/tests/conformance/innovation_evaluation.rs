//! The evaluation of innovation results on both databases: a call with its criteria,
//! entries and attachments, judges, recusals, scores replaced while open and refused
//! once closed, and closing that tallies exactly the scores there were; and the judge
//! role added to a database made before it, keeping accounts and sessions.

use std::sync::Arc;

use huiji_core::innovation::InnovationLevel;
use huiji_core::innovation::evaluation::entry::AttachmentKind;
use huiji_core::innovation::evaluation::{
    Award, AwardPlan, CallId, CallStatus, CallWindow, Criteria, Criterion, EntryId, Hundredths,
};
use huiji_core::{CivilDate, Role, Timestamp, UserId};
use huiji_store::testing::TestDb;
use huiji_store::{
    CloseOutcome, EntryResultRow, NewAttachment, NewCall, NewEntry, RegistryConflict, ScoreOutcome,
    ScoreRecord, Store, both_databases,
};

use crate::fixtures::{AT, user};
use crate::innovation::{Orgs, orgs, studio, worker};

fn criteria() -> Criteria {
    let c = |name: &str, weight| Criterion { name: name.to_owned(), weight };
    Criteria::new(vec![c("创新性", 40), c("实用性", 35), c("经济效益", 25)]).unwrap()
}

fn new_call(o: &Orgs) -> NewCall {
    NewCall {
        org: o.root.id,
        title: "2025年度职工创新成果评选".to_owned(),
        categories: vec!["技术革新".to_owned(), "发明创造".to_owned()],
        window: CallWindow::new(CivilDate::new(2025, 6, 1).unwrap(), CivilDate::new(2025, 6, 30).unwrap())
            .unwrap(),
        criteria: criteria(),
        plan: AwardPlan { first: 1, second: 1, third: 1, excellence: 1 },
        created_by: "user:prov".to_owned(),
    }
}

fn entry(call: CallId, o: &Orgs, title: &str) -> NewEntry {
    NewEntry {
        call,
        category: "技术革新".to_owned(),
        title: title.to_owned(),
        summary: "一种提高效率的新工装".to_owned(),
        authors: "张建国、王小明".to_owned(),
        studio: None,
        org: o.hefei_firm.id,
        submitted_by: "user:hefei".to_owned(),
    }
}

async fn judge(store: &Arc<dyn Store>, name: &str, o: &Orgs, role: Role) -> UserId {
    UserId(store.create_user(&user(name, o.root.id, role), AT).await.unwrap())
}

/// The tally the app passes: here simply every score's mean, ranked by entry order.
fn plain_tally(scores: &[ScoreRecord]) -> Vec<EntryResultRow> {
    let mut entries: Vec<EntryId> = scores.iter().map(|s| s.entry).collect();
    entries.dedup();
    entries
        .into_iter()
        .zip(1u32..)
        .map(|(entry, rank)| {
            let mine: Vec<_> = scores.iter().filter(|s| s.entry == entry).map(|s| s.score).collect();
            let score = huiji_core::innovation::evaluation::trimmed_mean(&mine).unwrap();
            let judges = u32::try_from(mine.len()).unwrap();
            EntryResultRow { entry, score, judges, rank, award: (rank == 1).then_some(Award::First) }
        })
        .collect()
}

both_databases!(a_call_takes_entries_judges_and_scores_until_it_closes, |db: TestDb| async move {
    let store = db.dyn_store();
    let o = orgs(&store).await;
    let call = store.create_call(&new_call(&o), AT).await.unwrap();
    let read = store.call(call).await.unwrap().unwrap();
    assert_eq!((read.call.clone(), read.status, read.closed.clone()), (new_call(&o), CallStatus::Open, None));
    assert_eq!((read.org_name.as_str(), &read.org_path), ("安徽省总工会", &o.root.path));
    assert_eq!(store.calls().await.unwrap().len(), 1);
    assert!(store.call(CallId(9_999)).await.unwrap().is_none());

    let zhang = store.save_model_worker(None, &worker("张建国", &o.hefei_firm), AT).await.unwrap().unwrap();
    let s = store
        .save_studio(None, &studio("张建国劳模创新工作室", zhang, &o.hefei_firm, InnovationLevel::City), AT)
        .await
        .unwrap()
        .unwrap();
    let first = NewEntry { studio: Some(s), ..entry(call, &o, "数控刀具快换装置") };
    let e1 = store.add_entry(&first, AT).await.unwrap().unwrap();
    let e2 = store.add_entry(&entry(call, &o, "焊接烟尘收集器"), AT).await.unwrap().unwrap();
    let e3 = store.add_entry(&entry(call, &o, "无人评分的成果"), AT).await.unwrap().unwrap();
    assert_eq!(
        store.add_entry(&entry(call, &o, "焊接烟尘收集器"), AT).await.unwrap(),
        Err(RegistryConflict::Duplicate)
    );
    assert_eq!(
        store.add_entry(&entry(CallId(9_999), &o, "x"), AT).await.unwrap(),
        Err(RegistryConflict::Missing)
    );
    let read = store.entry(e1).await.unwrap().unwrap();
    assert_eq!((read.entry.clone(), read.studio_name.as_deref()), (first, Some("张建国劳模创新工作室")));
    assert_eq!(
        (read.org_name.as_str(), read.attachments, read.result),
        ("合肥示例机械有限公司工会", 0, None)
    );

    let pdf = NewAttachment {
        file_name: "说明.pdf".to_owned(),
        kind: AttachmentKind::Pdf,
        content: b"%PDF-1.7 \x00\xff".to_vec(),
    };
    let a = store.add_attachment(e1, &pdf, AT).await.unwrap();
    let got = store.attachment(a).await.unwrap().unwrap();
    assert_eq!(
        (got.content, got.meta.file_name.as_str(), got.meta.size),
        (pdf.content.clone(), "说明.pdf", 11)
    );
    assert_eq!(store.attachments(e1).await.unwrap().len(), 1);
    assert_eq!(store.entry(e1).await.unwrap().unwrap().attachments, 1);

    let officer = judge(&store, "prov-judge", &o, Role::Reviewer).await;
    let expert = judge(&store, "expert", &o, Role::Judge).await;
    store.appoint_judge(call, officer, &[], "user:prov", AT).await.unwrap();
    store.appoint_judge(call, expert, &[s], "user:prov", AT).await.unwrap();
    store.appoint_judge(call, expert, &[s, s], "user:prov", AT).await.unwrap();
    let judges = store.judges(call).await.unwrap();
    let table: Vec<_> = judges.iter().map(|j| (j.username.as_str(), j.role, j.studios.clone())).collect();
    assert_eq!(table, [("expert", Role::Judge, vec![s, s]), ("prov-judge", Role::Reviewer, vec![])]);
    assert_eq!(
        store.judged_calls(expert).await.unwrap().into_iter().map(|c| c.id).collect::<Vec<_>>(),
        [call]
    );

    store.recuse(e1, expert, "本人工作室的成果", AT).await.unwrap();
    store.recuse(e1, expert, "again", AT).await.unwrap();
    assert_eq!(store.recusals(call).await.unwrap(), [(e1, expert)]);

    let h = |n| Hundredths::new(n).unwrap();
    let later = Timestamp(AT.0 + 1_000);
    assert_eq!(
        store.record_score(e1, officer, &[90, 80, 70], h(8_150), AT).await.unwrap(),
        ScoreOutcome::Recorded
    );
    assert_eq!(
        store.record_score(e1, officer, &[80, 80, 80], h(8_000), later).await.unwrap(),
        ScoreOutcome::Recorded
    );
    assert_eq!(
        store.record_score(e2, officer, &[60, 60, 60], h(6_000), AT).await.unwrap(),
        ScoreOutcome::Recorded
    );
    assert_eq!(
        store.record_score(e2, expert, &[70, 70, 70], h(7_000), AT).await.unwrap(),
        ScoreOutcome::Recorded
    );
    assert_eq!(
        store.record_score(EntryId(9_999), expert, &[1, 1, 1], h(100), AT).await.unwrap(),
        ScoreOutcome::Missing
    );
    let scores = store.scores(call).await.unwrap();
    let table: Vec<_> = scores.iter().map(|s| (s.entry, s.judge, s.marks.clone(), s.score)).collect();
    assert_eq!(
        table,
        [
            (e1, officer, vec![80, 80, 80], h(8_000)),
            (e2, officer, vec![60, 60, 60], h(6_000)),
            (e2, expert, vec![70, 70, 70], h(7_000))
        ]
    );
    assert_eq!(scores[0].scored_at, later, "a changed score keeps its last time");

    let closed_at = Timestamp(AT.0 + 2_000);
    let outcome = store.close_call(call, "user:prov", closed_at, &plain_tally).await.unwrap();
    let expected = vec![
        EntryResultRow { entry: e1, score: h(8_000), judges: 1, rank: 1, award: Some(Award::First) },
        EntryResultRow { entry: e2, score: h(6_500), judges: 2, rank: 2, award: None },
    ];
    assert_eq!(outcome, CloseOutcome::Closed(expected.clone()));
    let read = store.call(call).await.unwrap().unwrap();
    assert_eq!((read.status, read.closed), (CallStatus::Closed, Some(("user:prov".to_owned(), closed_at))));
    let results: Vec<_> = store.entries(call).await.unwrap().into_iter().map(|e| e.result).collect();
    assert_eq!(results, [Some(expected[0]), Some(expected[1]), None], "{e3} was never scored");

    assert_eq!(
        store.record_score(e2, expert, &[99, 99, 99], h(9_900), AT).await.unwrap(),
        ScoreOutcome::CallClosed
    );
    assert_eq!(store.scores(call).await.unwrap(), scores, "nothing changed after the close");
    assert_eq!(
        store.close_call(call, "user:prov", closed_at, &plain_tally).await.unwrap(),
        CloseOutcome::AlreadyClosed
    );
    assert_eq!(
        store.close_call(CallId(9_999), "user:prov", closed_at, &plain_tally).await.unwrap(),
        CloseOutcome::Missing
    );
});

/// Judge-only accounts come with migration 0040; a database from before keeps its
/// accounts and live sessions through it.
async fn judge_role_upgrade(db: TestDb) {
    let store = db.dyn_store();
    let org = crate::fixtures::one_org(&store).await;
    let admin = store.create_user(&user("admin", org, Role::Admin), AT).await.unwrap();
    let expires = Timestamp(AT.0 + 3_600_000);
    store.create_session("token-hash", admin, "csrf", AT, expires).await.unwrap();
    store.set_user_can_reveal("admin", true).await.unwrap();

    db.store.migrate().await.unwrap();
    let session = store.session("token-hash", AT).await.unwrap().expect("still logged in");
    assert_eq!((session.user.id, session.user.role, session.user.can_reveal), (admin, Role::Admin, true));
    let judge = store.create_user(&user("expert", org, Role::Judge), AT).await.unwrap();
    assert_eq!(store.user_by_username("expert").await.unwrap().unwrap().role, Role::Judge);
    assert!(judge > admin);
    let duplicate = store.create_user(&user("admin", org, Role::Judge), AT).await;
    assert!(
        matches!(duplicate, Err(huiji_store::StoreError::Conflict(huiji_store::Conflict::UsernameTaken))),
        "{duplicate:?}"
    );
}

#[tokio::test]
async fn the_judge_role_upgrade_keeps_accounts_and_sessions_on_sqlite() {
    judge_role_upgrade(TestDb::sqlite_at(12).await).await;
}

#[tokio::test]
async fn the_judge_role_upgrade_keeps_accounts_and_sessions_on_postgres() {
    if let Some(db) = TestDb::postgres_at(12).await {
        judge_role_upgrade(db).await;
    }
}
