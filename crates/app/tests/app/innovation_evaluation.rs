//! The evaluation end to end: entries only from the call's subtree, in its window, and
//! never naming their entrant; judges scoring blind, kept from their own studio's and
//! union's entries; recusal; every score audited; closing by the trimmed mean with ties
//! sharing a rank and the award plan skipping past them; nothing changes after.

use huiji_app::audit::Officer;
use huiji_app::innovation::InnovationError;
use huiji_app::innovation::evaluation::entries::{EntryForm, submit};
use huiji_app::innovation::evaluation::judging::{Standing, blind_entry, panel, recuse, score};
use huiji_app::innovation::evaluation::{CallForm, appoint_judge, close_call, open_call, published_result};
use huiji_app::innovation::registry::{save_model_worker, save_studio};
use huiji_core::innovation::evaluation::{Award, AwardPlan, CallId, Criterion, EntryId, Hundredths};
use huiji_core::{CivilDate, Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{EntryResultRow, both_databases};

use crate::innovation::{studio, worker};
use crate::support::World;

fn day(d: u8) -> CivilDate {
    CivilDate::new(2025, 6, d).unwrap()
}

fn call_form(w: &World) -> CallForm {
    let c = |name: &str, weight| Criterion { name: name.to_owned(), weight };
    CallForm {
        org: w.root.id,
        title: "2025年度全省职工创新成果评选".to_owned(),
        categories: "技术革新\n发明创造".to_owned(),
        opens: day(1),
        closes: day(30),
        criteria: vec![c("创新性", 40), c("实用性", 35), c("经济效益", 25)],
        plan: AwardPlan { first: 1, second: 1, third: 1, excellence: 0 },
    }
}

fn entry(title: &str, org: &Org) -> EntryForm {
    EntryForm {
        category: "技术革新".to_owned(),
        title: title.to_owned(),
        summary: "改进工装，效率提高三成".to_owned(),
        authors: "赵一、钱二".to_owned(),
        studio: None,
        org: org.id,
    }
}

async fn scored(
    w: &World,
    judge: &Officer,
    entry: EntryId,
    mark: u32,
) -> Result<Hundredths, InnovationError> {
    score(&w.app, judge, entry, &[mark, mark, mark]).await
}

both_databases!(entries_are_judged_blind_and_closed_by_the_trimmed_mean, |db: TestDb| async move {
    let w = World::new(db).await;
    let app = &w.app;
    let province = w.officer("prov-admin", &w.root, Role::Admin).await;
    let hefei_admin = w.officer("hf-admin", &w.hefei, Role::Admin).await;
    let hefei = w.officer("hf-rev", &w.hefei, Role::Reviewer).await;
    let wuhu = w.officer("wh-rev", &w.wuhu, Role::Reviewer).await;
    let viewer = w.officer("hf-view", &w.hefei, Role::Viewer).await;

    let refused = open_call(app, &hefei, call_form(&w)).await;
    assert!(matches!(refused, Err(InnovationError::Forbidden)), "{refused:?}");
    let bad_window = CallForm { opens: day(30), closes: day(1), ..call_form(&w) };
    assert!(matches!(open_call(app, &province, bad_window).await, Err(InnovationError::Invalid("window"))));
    let call: CallId = open_call(app, &province, call_form(&w)).await.unwrap();

    let zhang = save_model_worker(app, &hefei_admin, None, worker("张建国", &w.hefei_firm)).await.unwrap();
    let s = save_studio(app, &hefei_admin, None, studio("张建国工匠创新工作室", zhang, &w.hefei_firm))
        .await
        .unwrap();

    // Entries: from the officer's own subtree, in a category of the call, never naming
    // who made them.
    let with_studio = EntryForm { studio: Some(s), ..entry("数控刀具快换装置", &w.hefei_firm) };
    let e1 = submit(app, &hefei, call, with_studio).await.unwrap();
    let e2 = submit(app, &hefei, call, entry("焊接烟尘收集器", &w.hefei_firm)).await.unwrap();
    let e3 = submit(app, &hefei, call, entry("无人评分的成果", &w.hefei_firm)).await.unwrap();
    let e4 = submit(app, &wuhu, call, entry("车身涂装改进", &w.wuhu_firm)).await.unwrap();
    let naming =
        EntryForm { summary: "赵一的发明".to_owned(), ..entry("又一个成果", &w.hefei_firm) };
    assert!(
        matches!(submit(app, &hefei, call, naming).await, Err(InnovationError::NamesEntrant(n)) if n == "赵一")
    );
    let naming = EntryForm { studio: Some(s), ..entry("张建国工作法", &w.hefei_firm) };
    assert!(
        matches!(submit(app, &hefei, call, naming).await, Err(InnovationError::NamesEntrant(n)) if n == "张建国")
    );
    let elsewhere = submit(app, &hefei, call, entry("别人的成果", &w.wuhu_firm)).await;
    assert!(matches!(elsewhere, Err(InnovationError::NotFound)), "{elsewhere:?}");
    let category = EntryForm { category: "管理创新".to_owned(), ..entry("新类别", &w.hefei_firm) };
    assert!(matches!(submit(app, &hefei, call, category).await, Err(InnovationError::Invalid("category"))));
    assert!(matches!(
        submit(app, &viewer, call, entry("x", &w.hefei_firm)).await,
        Err(InnovationError::Forbidden)
    ));

    // Judges: five experts (one a member of 张建国's studio) and a Hefei firm's officer.
    let mut experts = Vec::new();
    for i in 1..=5 {
        experts.push(w.officer(&format!("expert{i}"), &w.root, Role::Judge).await);
    }
    let firm_officer = w.officer("firm-rev", &w.hefei_firm, Role::Reviewer).await;
    for (judge, studios) in
        experts.iter().map(|j| (j, if j.username == "expert1" { vec![s] } else { vec![] }))
    {
        appoint_judge(app, &province, call, &judge.username, &studios).await.unwrap();
    }
    appoint_judge(app, &province, call, "firm-rev", &[]).await.unwrap();
    let refused = appoint_judge(app, &hefei_admin, call, "expert1", &[]).await;
    assert!(matches!(refused, Err(InnovationError::Forbidden)), "only the organiser's admins: {refused:?}");
    assert!(matches!(
        appoint_judge(app, &province, call, "nobody", &[]).await,
        Err(InnovationError::Invalid("username"))
    ));

    let [j1, j2, j3, j4, j5] = [&experts[0], &experts[1], &experts[2], &experts[3], &experts[4]];
    // Conflicts: j1's own studio, the firm officer's own union.
    assert!(matches!(scored(&w, j1, e1, 90).await, Err(InnovationError::ConflictOfInterest)));
    assert!(matches!(scored(&w, &firm_officer, e1, 90).await, Err(InnovationError::ConflictOfInterest)));
    assert!(matches!(scored(&w, &firm_officer, e2, 90).await, Err(InnovationError::ConflictOfInterest)));
    assert!(matches!(scored(&w, &hefei, e1, 90).await, Err(InnovationError::NotFound)), "not a judge");
    let standing =
        panel(app, j1, call).await.unwrap().entries.into_iter().map(|e| e.standing).collect::<Vec<_>>();
    assert_eq!(standing, [Standing::Conflict, Standing::Open, Standing::Open, Standing::Open]);

    // e1: four judges, a plain mean of 87.00.
    for (judge, mark) in [(j2, 87), (j3, 90), (j4, 84), (j5, 87)] {
        scored(&w, judge, e1, mark).await.unwrap();
    }
    // e2: five judges, 60 and 100 dropped: (90 + 85 + 85) / 3 = 86.67.
    for (judge, mark) in [(j1, 60), (j2, 90), (j3, 85), (j4, 85), (j5, 100)] {
        scored(&w, judge, e2, mark).await.unwrap();
    }
    // e4: six scores, but j2 stands aside after scoring; of the five left 95 and 86 are
    // dropped: (86 + 88 + 87) / 3 = 87.00, a tie with e1.
    for (judge, mark) in [(j1, 95), (j2, 10), (j3, 86), (j4, 88), (j5, 86), (&firm_officer, 87)] {
        scored(&w, judge, e4, mark).await.unwrap();
    }
    recuse(app, j2, e4, "认识申报人").await.unwrap();
    assert!(matches!(scored(&w, j2, e4, 50).await, Err(InnovationError::ConflictOfInterest)));
    // A judge may change a score while the call is open.
    assert_eq!(scored(&w, j3, e1, 90).await.unwrap(), Hundredths::new(9_000).unwrap());
    assert!(matches!(score(app, j3, e1, &[90, 90]).await, Err(InnovationError::Evaluation(_))));

    // What a judge sees of an entry names nobody.
    let (_, blind) = blind_entry(app, j3, e1).await.unwrap();
    let seen = format!("{blind:?}");
    for name in ["赵一", "钱二", "张建国", "合肥示例机械有限公司工会", "hf-rev"] {
        assert!(!seen.contains(name), "{name} in {seen}");
    }
    assert_eq!(blind.standing, Standing::Scored(vec![90, 90, 90], Hundredths::new(9_000).unwrap()));

    // Every score is audited, with its marks.
    let audited = w.audit("evaluation.score").await;
    assert_eq!(audited.len(), 4 + 5 + 6 + 1);
    assert_eq!(audited.last().unwrap().reason.as_deref(), Some("90.00 (90,90,90)"));
    assert_eq!(w.audit("evaluation.recuse").await.len(), 1);

    // Entries only in the window.
    w.set_day(CivilDate::new(2025, 7, 1).unwrap());
    assert!(matches!(
        submit(app, &hefei, call, entry("迟到的成果", &w.hefei_firm)).await,
        Err(InnovationError::NotTakingEntries)
    ));

    assert!(matches!(close_call(app, &hefei_admin, call).await, Err(InnovationError::Forbidden)));
    let h = |n| Hundredths::new(n).unwrap();
    let results = close_call(app, &province, call).await.unwrap();
    assert_eq!(
        results,
        [
            EntryResultRow { entry: e1, score: h(8_700), judges: 4, rank: 1, award: Some(Award::First) },
            EntryResultRow { entry: e4, score: h(8_700), judges: 5, rank: 1, award: Some(Award::First) },
            EntryResultRow { entry: e2, score: h(8_667), judges: 5, rank: 3, award: Some(Award::Third) },
        ],
        "the tie shares first place, the second prize is skipped, {e3} nobody scored has no place"
    );
    assert!(matches!(scored(&w, j4, e2, 100).await, Err(InnovationError::CallClosed)));
    assert!(matches!(close_call(app, &province, call).await, Err(InnovationError::CallClosed)));
    let (_, published) = published_result(app, call).await.unwrap();
    assert_eq!(published.iter().map(|e| e.id).collect::<Vec<_>>(), [e1, e4, e2]);
    assert_eq!(w.audit("evaluation.call_close").await.len(), 1);
});
