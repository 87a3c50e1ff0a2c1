//! Case notices on both databases: filing, acceptance, each step and the close of a
//! legal-aid case queue the worker's SMS in the case's own transaction, with the facts
//! its text needs; an assignment, an escalation, a rating and a stale change queue none.

use huiji_core::case::{CaseAction, CaseCategory, CaseDues, CaseOutcome, CaseStatus, Rating, StepKind};
use huiji_core::money::Amount;
use huiji_core::notice::NoticeKind;
use huiji_core::{Role, Timestamp, UserId};
use huiji_store::testing::TestDb;
use huiji_store::{CaseChange, Changed, NewCase, NoticeAbout, both_databases};

use crate::fixtures::{AT, DAY, sealed, tree, user};

both_databases!(a_case_tells_its_worker_each_step_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let officer =
        UserId(store.create_user(&user("feidong", t.feidong.id, Role::Reviewer), AT).await.unwrap());
    let new = NewCase {
        category: CaseCategory::WageArrears,
        party: None,
        amount: Amount::from_yuan(9_000),
        region: "340122".parse().unwrap(),
        description: "工资拖欠".to_owned(),
        mobile: sealed("13800138000"),
        org: t.feidong.id,
        dues: CaseDues { response: Timestamp(AT.0 + DAY), resolution: Timestamp(AT.0 + 30 * DAY) },
    };
    let id = store.create_case(&new, AT).await.unwrap();
    let about = NoticeAbout { case: Some(id.0), ..NoticeAbout::default() };
    let filed = store.notices_about(about).await.unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(
        (filed[0].kind, filed[0].case_id, filed[0].org_id),
        (NoticeKind::CaseFiled, Some(id.0), t.feidong.id.0)
    );
    assert_eq!(filed[0].mobile_ct.as_deref(), Some(&b"ct:13800138000"[..]), "the case's own mobile");

    let act = |from: CaseStatus, action: CaseAction, hours: i64| CaseChange {
        case: id,
        from,
        to: from.after(action).unwrap(),
        action,
        assignee: None,
        note: None,
        actor: "user:feidong".to_owned(),
        at: Timestamp(AT.0 + hours * 3_600_000),
    };
    let accept = act(CaseStatus::Submitted, CaseAction::Accept, 1);
    assert_eq!(store.change_case(&accept).await.unwrap(), Changed::Done);
    assert_eq!(store.change_case(&accept).await.unwrap(), Changed::Stale, "a stale change tells nothing");
    let assign = CaseChange { assignee: Some(officer), ..act(CaseStatus::Accepted, CaseAction::Assign, 2) };
    assert_eq!(store.change_case(&assign).await.unwrap(), Changed::Done);
    let step = act(CaseStatus::Accepted, CaseAction::RecordStep(StepKind::Arbitration), 3);
    assert_eq!(store.change_case(&step).await.unwrap(), Changed::Done);
    let outcome = CaseOutcome::Recovered(Amount::from_yuan(8_600).unwrap());
    assert_eq!(
        store.change_case(&act(CaseStatus::InProgress, CaseAction::Close(outcome), 40)).await.unwrap(),
        Changed::Done
    );
    assert_eq!(
        store.rate_case(id, Rating::new(5).unwrap(), Timestamp(AT.0 + 50 * 3_600_000)).await.unwrap(),
        Changed::Done
    );

    let notices = store.notices_about(about).await.unwrap();
    let kinds: Vec<_> = notices.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [NoticeKind::CaseFiled, NoticeKind::CaseAccepted, NoticeKind::CaseStep, NoticeKind::CaseClosed]
    );
    assert_eq!(notices[2].case_step.as_deref(), Some("arbitration"), "the step it tells of");
    let closed = &notices[3];
    assert_eq!(
        (closed.case_outcome.as_deref(), closed.case_recovered_fen),
        (Some("recovered"), Some(860_000))
    );

    // The outbox delivers them like decisions' notices; only this case's are claimed.
    let other = store.create_case(&new, AT).await.unwrap();
    let later = Timestamp(AT.0 + 60 * 3_600_000);
    let claimed = store.claim_notices(later, Timestamp(later.0 + 60_000), 10, Some(about)).await.unwrap();
    assert_eq!(claimed.len(), 4);
    assert!(claimed.iter().all(|n| n.case_id == Some(id.0)));
    let rest = store.claim_notices(later, Timestamp(later.0 + 60_000), 10, None).await.unwrap();
    assert_eq!(rest.iter().map(|n| n.case_id).collect::<Vec<_>>(), [Some(other.0)]);
});
