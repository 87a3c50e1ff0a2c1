//! Legal-aid cases on both databases: filing with its event, officers' actions as
//! compare-and-set writes (a stale one writes nothing), the subtree's lists with the
//! nearest deadline first, the worker's one rating, escalation up the tree once per
//! missed deadline, and the purge that keeps amounts and outcomes.

use std::sync::Arc;

use huiji_core::case::{
    CaseAction, CaseCategory, CaseDues, CaseEventKind, CaseId, CaseOutcome, CaseStatus, MissedDeadline,
    Rating, StepKind,
};
use huiji_core::money::Amount;
use huiji_core::{Org, Role, Timestamp, UserId};
use huiji_store::testing::TestDb;
use huiji_store::{CaseChange, Changed, Escalated, NewCase, Store, StoreError, both_databases};

use crate::fixtures::{AT, DAY, sealed, tree, user};

fn new_case(org: &Org, mobile: &str, response_in_days: i64) -> NewCase {
    NewCase {
        category: CaseCategory::WageArrears,
        party: Some("某物流公司".to_owned()),
        amount: Amount::from_yuan(12_000),
        region: "340122".parse().unwrap(),
        description: "三个月工资未发，老板失联。".to_owned(),
        mobile: sealed(mobile),
        org: org.id,
        dues: CaseDues {
            response: Timestamp(AT.0 + response_in_days * DAY),
            resolution: Timestamp(AT.0 + 30 * DAY),
        },
    }
}

fn change(case: CaseId, from: CaseStatus, action: CaseAction, at: Timestamp) -> CaseChange {
    CaseChange {
        case,
        from,
        to: from.after(action).unwrap(),
        action,
        assignee: None,
        note: None,
        actor: "user:feidong".to_owned(),
        at,
    }
}

async fn file(store: &Arc<dyn Store>, case: &NewCase) -> CaseId {
    store.create_case(case, AT).await.unwrap()
}

both_databases!(a_filed_case_is_stored_with_its_event, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let new = new_case(&t.feidong, "13800138000", 1);
    let id = file(&store, &new).await;
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!((case.category, case.party.as_deref()), (CaseCategory::WageArrears, Some("某物流公司")));
    assert_eq!((case.amount, case.region.to_string()), (Amount::from_yuan(12_000), "340122".to_owned()));
    assert_eq!(case.description.as_deref(), Some("三个月工资未发，老板失联。"));
    assert_eq!(case.mobile_ct, b"ct:13800138000");
    assert_eq!(
        (case.org, &case.org_path, case.status),
        (t.feidong.id, &t.feidong.path, CaseStatus::Submitted)
    );
    assert_eq!((case.submitted_at, case.dues), (AT, new.dues));
    assert_eq!((case.first_response_at, case.ended_at, case.outcome, case.rating), (None, None, None, None));
    let events = store.case_events(id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind, events[0].actor.as_str(), events[0].org),
        (CaseEventKind::Submit, "worker", Some(t.feidong.id))
    );

    let mine = store.cases_by_mobile("bidx:13800138000", 10).await.unwrap();
    assert_eq!(mine.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
    assert!(store.cases_by_mobile("bidx:13900139000", 10).await.unwrap().is_empty());
    assert!(store.case(CaseId(id.0 + 100)).await.unwrap().is_none());

    let mut gone = new_case(&t.feidong, "x", 1);
    gone.org = huiji_core::OrgId(999_999);
    assert!(matches!(store.create_case(&gone, AT).await, Err(StoreError::NotFound(_))));
});

both_databases!(actions_move_a_case_once_and_record_events, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let officer =
        UserId(store.create_user(&user("feidong", t.feidong.id, Role::Reviewer), AT).await.unwrap());
    let id = file(&store, &new_case(&t.feidong, "13800138000", 1)).await;
    let at = |hours: i64| Timestamp(AT.0 + hours * 3_600_000);

    let accept = change(id, CaseStatus::Submitted, CaseAction::Accept, at(2));
    assert_eq!(store.change_case(&accept).await.unwrap(), Changed::Done);
    assert_eq!(store.change_case(&accept).await.unwrap(), Changed::Stale, "accepted already");
    let assign =
        CaseChange { assignee: Some(officer), ..change(id, CaseStatus::Accepted, CaseAction::Assign, at(3)) };
    assert_eq!(store.change_case(&assign).await.unwrap(), Changed::Done);
    let step = CaseAction::RecordStep(StepKind::Mediation);
    let mediation = CaseChange {
        note: Some("约定周三调解".to_owned()),
        ..change(id, CaseStatus::Accepted, step, at(4))
    };
    assert_eq!(store.change_case(&mediation).await.unwrap(), Changed::Done);
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!(
        (case.status, case.assignee, case.first_response_at),
        (CaseStatus::InProgress, Some(officer), Some(at(2)))
    );

    let outcome = CaseOutcome::Recovered(Amount::from_yuan(8_600).unwrap());
    let close = change(id, CaseStatus::InProgress, CaseAction::Close(outcome), at(50));
    assert_eq!(store.change_case(&close).await.unwrap(), Changed::Done);
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!((case.status, case.outcome, case.ended_at), (CaseStatus::Closed, Some(outcome), Some(at(50))));
    assert_eq!(case.first_response_at, Some(at(2)), "the first response stays the first");

    let kinds: Vec<_> = store
        .case_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.step, e.note, e.assignee))
        .collect();
    assert_eq!(
        kinds,
        [
            (CaseEventKind::Submit, None, None, None),
            (CaseEventKind::Accept, None, None, None),
            (CaseEventKind::Assign, None, None, Some(officer)),
            (CaseEventKind::Step, Some(StepKind::Mediation), Some("约定周三调解".to_owned()), None),
            (CaseEventKind::Close, None, None, None),
        ]
    );

    // The worker rates once, and only a closed case.
    let open = file(&store, &new_case(&t.feidong, "13800138000", 1)).await;
    let four = Rating::new(4).unwrap();
    assert_eq!(store.rate_case(open, four, at(60)).await.unwrap(), Changed::Stale, "not closed");
    assert_eq!(store.rate_case(id, four, at(60)).await.unwrap(), Changed::Done);
    assert_eq!(store.rate_case(id, Rating::new(1).unwrap(), at(61)).await.unwrap(), Changed::Stale);
    assert_eq!(store.case(id).await.unwrap().unwrap().rating, Some(four));
    assert_eq!(store.case_events(id).await.unwrap().last().unwrap().kind, CaseEventKind::Rate);

    // A case closed straight away (referred on) ends without a recovery.
    let referred = change(open, CaseStatus::Submitted, CaseAction::Close(CaseOutcome::Referred), at(70));
    assert_eq!(store.change_case(&referred).await.unwrap(), Changed::Done);
    let case = store.case(open).await.unwrap().unwrap();
    assert_eq!((case.outcome, case.first_response_at), (Some(CaseOutcome::Referred), Some(at(70))));
});

both_databases!(lists_are_scoped_and_lead_with_the_nearest_deadline, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let late = file(&store, &new_case(&t.feidong, "a", 3)).await;
    let soon = file(&store, &new_case(&t.feidong, "b", 1)).await;
    let answered = file(&store, &new_case(&t.feidong, "c", 0)).await;
    store.change_case(&change(answered, CaseStatus::Submitted, CaseAction::Accept, AT)).await.unwrap();
    let done = file(&store, &new_case(&t.feidong, "d", 1)).await;
    store
        .change_case(&change(done, CaseStatus::Submitted, CaseAction::Close(CaseOutcome::Settled), AT))
        .await
        .unwrap();
    let wuhu = file(&store, &new_case(&t.wuhu, "e", 1)).await;

    let ids = |cases: Vec<huiji_store::CaseRecord>| cases.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.open_cases(&t.feidong.path, 10).await.unwrap()), [soon, late, answered]);
    assert_eq!(
        ids(store.open_cases(&t.hefei.path, 10).await.unwrap()),
        [soon, late, answered],
        "the city sees its counties"
    );
    assert_eq!(ids(store.open_cases(&t.root.path, 10).await.unwrap()), [soon, wuhu, late, answered]);
    assert_eq!(ids(store.open_cases(&t.feidong.path, 1).await.unwrap()), [soon]);
    assert_eq!(ids(store.open_cases(&t.wuhu.path, 10).await.unwrap()), [wuhu]);
    assert!(
        store.open_cases(&t.feidong_trucks.path, 10).await.unwrap().is_empty(),
        "below the handling federation"
    );
    assert_eq!(ids(store.ended_cases(&t.feidong.path, 10).await.unwrap()), [done]);
    assert!(store.ended_cases(&t.wuhu.path, 10).await.unwrap().is_empty());

    store.create_user(&user("feidong", t.feidong.id, Role::Reviewer), AT).await.unwrap();
    store.create_user(&user("feidong-viewer", t.feidong.id, Role::Viewer), AT).await.unwrap();
    store.create_user(&user("hefei", t.hefei.id, Role::Admin), AT).await.unwrap();
    store.create_user(&user("trucks", t.feidong_trucks.id, Role::Admin), AT).await.unwrap();
    store.create_user(&user("gone", t.feidong.id, Role::Admin), AT).await.unwrap();
    store.set_user_disabled("gone", true).await.unwrap();
    let names = |officers: Vec<huiji_store::CaseOfficer>| {
        officers.into_iter().map(|o| o.username).collect::<Vec<_>>()
    };
    assert_eq!(names(store.case_officers(&t.feidong.path).await.unwrap()), ["feidong", "trucks"]);
    assert_eq!(names(store.case_officers(&t.hefei.path).await.unwrap()), ["feidong", "hefei", "trucks"]);
});

both_databases!(overdue_cases_escalate_once_per_deadline, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = file(&store, &new_case(&t.feidong, "a", 1)).await;
    let in_time = file(&store, &new_case(&t.feidong, "b", 5)).await;
    let past = |days: i64| Timestamp(AT.0 + days * DAY + 1);
    assert!(store.cases_past_due(past(0), 10).await.unwrap().is_empty());
    assert_eq!(store_ids(store.cases_past_due(past(1), 10).await.unwrap()), [id]);

    let first = MissedDeadline::FirstResponse;
    assert_eq!(
        store.escalate_case(id, t.feidong.id, None, first, past(1)).await.unwrap(),
        Escalated::To(t.hefei.id)
    );
    assert_eq!(
        store.escalate_case(id, t.feidong.id, None, first, past(1)).await.unwrap(),
        Escalated::Stale,
        "moved already"
    );
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!((case.org, &case.org_path, case.escalated_for), (t.hefei.id, &t.hefei.path, Some(first)));
    assert!(
        store.open_cases(&t.feidong.path, 10).await.unwrap().iter().all(|c| c.id != id),
        "out of 肥东's reach"
    );
    let event = store.case_events(id).await.unwrap().pop().unwrap();
    assert_eq!(
        (event.kind, event.org, event.actor.as_str()),
        (CaseEventKind::Escalate, Some(t.hefei.id), "system")
    );

    // Still a candidate (resolution may yet be missed), and escalates again once it is.
    assert_eq!(store_ids(store.cases_past_due(past(31), 10).await.unwrap()), [id, in_time]);
    let resolution = MissedDeadline::Resolution;
    assert_eq!(
        store.escalate_case(id, t.hefei.id, Some(first), resolution, past(31)).await.unwrap(),
        Escalated::To(t.root.id)
    );
    assert_eq!(store_ids(store.cases_past_due(past(31), 10).await.unwrap()), [in_time], "escalated for both");
    // At the root there is nobody above: marked, not moved, no event.
    let top = file(&store, &new_case(&t.root, "c", 1)).await;
    assert_eq!(
        store.escalate_case(top, t.root.id, None, resolution, past(31)).await.unwrap(),
        Escalated::AtTop
    );
    assert_eq!(store.case_events(top).await.unwrap().len(), 1);
    // An ended case never escalates.
    store
        .change_case(&change(
            in_time,
            CaseStatus::Submitted,
            CaseAction::Close(CaseOutcome::Withdrawn),
            past(31),
        ))
        .await
        .unwrap();
    assert!(store.cases_past_due(past(40), 10).await.unwrap().is_empty());
    assert_eq!(
        store.escalate_case(in_time, t.feidong.id, None, resolution, past(40)).await.unwrap(),
        Escalated::Stale
    );
});

both_databases!(the_purge_keeps_figures_and_drops_personal_data, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let ended = file(&store, &new_case(&t.feidong, "a", 1)).await;
    let open = file(&store, &new_case(&t.feidong, "b", 1)).await;
    let outcome = CaseOutcome::Recovered(Amount::from_yuan(500).unwrap());
    let step = CaseAction::RecordStep(StepKind::Consultation);
    store.change_case(&change(ended, CaseStatus::Submitted, CaseAction::Accept, AT)).await.unwrap();
    let noted = CaseChange {
        note: Some("工人姓名张三".to_owned()),
        ..change(ended, CaseStatus::Accepted, step, AT)
    };
    store.change_case(&noted).await.unwrap();
    store.change_case(&change(ended, CaseStatus::InProgress, CaseAction::Close(outcome), AT)).await.unwrap();

    assert_eq!(
        store.purge_cases(AT, Timestamp(AT.0 + DAY)).await.unwrap(),
        0,
        "ended at the cutoff, not before"
    );
    assert_eq!(store.purge_cases(Timestamp(AT.0 + 1), Timestamp(AT.0 + DAY)).await.unwrap(), 1);
    let case = store.case(ended).await.unwrap().unwrap();
    assert_eq!((case.description, case.party, case.mobile_ct.len()), (None, None, 0));
    assert_eq!(
        (case.outcome, case.amount, case.purged_at),
        (Some(outcome), Amount::from_yuan(12_000), Some(Timestamp(AT.0 + DAY)))
    );
    assert!(store.case_events(ended).await.unwrap().iter().all(|e| e.note.is_none()));
    assert!(store.cases_by_mobile("bidx:a", 10).await.unwrap().is_empty());
    assert!(store.case(open).await.unwrap().unwrap().description.is_some(), "open cases keep theirs");
    assert_eq!(
        store.purge_cases(Timestamp(AT.0 + 2 * DAY), Timestamp(AT.0 + 2 * DAY)).await.unwrap(),
        0,
        "once"
    );
});

fn store_ids(cases: Vec<huiji_store::CaseRecord>) -> Vec<CaseId> {
    cases.into_iter().map(|c| c.id).collect()
}

both_databases!(a_key_rotation_reseals_case_mobiles, |db: TestDb| async move {
    use huiji_store::{Resealed, SealedRow, SealedTable};
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = file(&store, &new_case(&t.feidong, "13800138000", 1)).await;
    let batch = store.sealed_batch(SealedTable::Cases, 0, 10).await.unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(
        (batch[0].id, batch[0].id_number_ct.as_ref(), batch[0].value_ct.as_slice()),
        (id.0, None, &b"ct:13800138000"[..])
    );
    let new = SealedRow { value_ct: b"ct2:13800138000".to_vec(), ..batch[0].clone() };
    let row = Resealed { old: batch[0].clone(), new };
    assert_eq!(store.reseal(SealedTable::Cases, std::slice::from_ref(&row), None).await.unwrap(), 1);
    assert_eq!(store.reseal(SealedTable::Cases, &[row], None).await.unwrap(), 0, "changed since read");
    assert_eq!(store.case(id).await.unwrap().unwrap().mobile_ct, b"ct2:13800138000");
    assert_eq!(SealedTable::Cases.name(), "cases");
});
