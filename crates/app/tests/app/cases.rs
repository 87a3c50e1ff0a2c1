//! Legal-aid cases through the use cases, on both databases: filing after the SMS proof
//! and routing to the work region's federation, scoping (another county's officer finds
//! nothing and cannot act), the state machine's steps with their audit records, the
//! working-time clock across 国庆 and a 调休 Saturday, escalation to the parent
//! federation, the worker's one rating, and the retention purge.

use std::sync::atomic::Ordering;

use huiji_app::actor::{Actor, Officer};
use huiji_app::cases::{self, CaseError, OfficerAction};
use huiji_app::joining;
use huiji_core::calendar::WorkCalendar;
use huiji_core::case::{
    CaseEventKind, CaseForm, CaseId, CaseOutcome, CaseStatus, MissedDeadline, Rating, StepKind,
};
use huiji_core::money::Amount;
use huiji_core::org::Level;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{AutoApproval, CivilDate, Mobile, Org, OrgKind, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewOrg, NewUser, both_databases};

use crate::support::World;

const MOBILE: &str = "13800138000";

/// An instant in China time, 2026.
fn at(month: u8, day: u8, hour: i64) -> Timestamp {
    Timestamp(Timestamp::china_day_start(CivilDate::new(2026, month, day).unwrap()).0 + hour * 3_600_000)
}

fn form(region: &str) -> CaseForm<'_> {
    CaseForm {
        category: "wage_arrears",
        party: "某物流公司",
        amount: "12000",
        region_code: region,
        description: "三个月工资未发，老板失联。",
        mobile: MOBILE,
    }
}

/// A county federation under `parent`.
async fn county(world: &World, parent: &Org, name: &str, region: &str) -> Org {
    let new = NewOrg {
        parent: Some(parent.id),
        kind: OrgKind::Federation(Level::County),
        name: name.to_owned(),
        region: region.parse().unwrap(),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: 3,
    };
    world.app.store().create_org(&new, world.app.now()).await.unwrap()
}

async fn officer(world: &World, username: &str, org: &Org, role: Role) -> Actor {
    let user = NewUser {
        username: username.to_owned(),
        org: org.id,
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        can_reveal: false,
    };
    let id = world.app.store().create_user(&user, world.app.now()).await.unwrap();
    Actor::Officer(Box::new(Officer {
        user: huiji_core::UserId(id),
        username: username.to_owned(),
        role,
        org: org.id,
        scope: org.path.clone(),
        client_addr: Some("127.0.0.1".to_owned()),
        can_reveal: false,
    }))
}

/// Sends a code to the worker's mobile and reads it from the outbox.
pub(crate) async fn code(world: &World) -> String {
    joining::send_code(&world.app, MOBILE, SmsPurpose::Legal).await.unwrap();
    let sent = world.app.store().sms_outbox(1).await.unwrap();
    let body = &sent[0].body;
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    digits[..6].to_owned()
}

async fn file(world: &World, region: &str) -> CaseId {
    let code = code(world).await;
    // One code a minute per mobile: the next filing is a minute later.
    let filed = cases::file(&world.app, &form(region), &code).await.unwrap();
    world.clock.0.fetch_add(61_000, Ordering::SeqCst);
    filed.id
}

/// A China-time hour of a day in 2027.
fn in_2027(month: u8, day: u8, hour: i64) -> Timestamp {
    Timestamp(Timestamp::china_day_start(CivilDate::new(2027, month, day).unwrap()).0 + hour * 3_600_000)
}

pub(crate) fn set(world: &World, now: Timestamp) {
    world.clock.0.store(now.0, Ordering::SeqCst);
}

both_databases!(a_case_is_filed_after_the_sms_proof_and_routed_to_the_county, |db: TestDb| async move {
    let world = World::new(db).await;
    let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
    let refused = cases::file(&world.app, &form("340122"), "123456").await;
    assert!(matches!(refused, Err(CaseError::Sms(SmsCheck::NoCode))), "{refused:?}");
    let bad = CaseForm { category: "fraud", description: "", ..form("3401") };
    match cases::file(&world.app, &bad, "123456").await {
        Err(CaseError::Invalid(errors)) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
            assert_eq!(fields, ["category", "region_code", "description"]);
        }
        other => panic!("{other:?}"),
    }

    let code = code(&world).await;
    let filed = cases::file(&world.app, &form("340122"), &code).await.unwrap();
    assert_eq!(filed.federation, "肥东县总工会");
    let again = cases::file(&world.app, &form("340122"), &code).await;
    assert!(matches!(again, Err(CaseError::Sms(_))), "the code is used up");
    let record = world.app.store().case(filed.id).await.unwrap().unwrap();
    assert_eq!((record.org, record.status), (feidong.id, CaseStatus::Submitted));
    assert!(!String::from_utf8_lossy(&record.mobile_ct).contains(MOBILE), "sealed at rest");
    world.clock.0.fetch_add(61_000, Ordering::SeqCst);

    // A district without its own federation goes to the city's; 芜湖's county to 芜湖's.
    let shushan = file(&world, "340104").await;
    assert_eq!(world.app.store().case(shushan).await.unwrap().unwrap().org, world.hefei.id);
    let wuhu = file(&world, "340202").await;
    assert_eq!(world.app.store().case(wuhu).await.unwrap().unwrap().org, world.wuhu.id);

    // The worker sees their cases after the SMS proof; another mobile sees none.
    let mine = cases::cases_of_mobile(&world.app, &Mobile::parse(MOBILE).unwrap()).await.unwrap();
    assert_eq!(mine.iter().map(|l| l.record.id).collect::<Vec<_>>(), [wuhu, shushan, filed.id]);
    assert!(mine.iter().all(|l| l.rating_token.is_none()), "nothing closed yet");
    let other = Mobile::parse("13900139000").unwrap();
    assert!(cases::cases_of_mobile(&world.app, &other).await.unwrap().is_empty());
});

both_databases!(officers_act_only_on_their_subtree, |db: TestDb| async move {
    let world = World::new(db).await;
    let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
    let changfeng = county(&world, &world.hefei, "长丰县总工会", "340121").await;
    let id = file(&world, "340122").await;
    let mine = officer(&world, "feidong", &feidong, Role::Reviewer).await;
    let viewer = officer(&world, "feidong-viewer", &feidong, Role::Viewer).await;
    let neighbour = officer(&world, "changfeng", &changfeng, Role::Admin).await;
    let wuhu = officer(&world, "wuhu", &world.wuhu, Role::Admin).await;
    let city = officer(&world, "hefei", &world.hefei, Role::Admin).await;

    for outsider in [&neighbour, &wuhu] {
        assert!(matches!(cases::view(&world.app, outsider, id).await, Err(CaseError::NotFound)));
        let acted = cases::act(&world.app, outsider, id, OfficerAction::Accept).await;
        assert!(matches!(acted, Err(CaseError::NotFound)), "{acted:?}");
        let (open, ended) = cases::cases(&world.app, outsider).await.unwrap();
        assert!(open.is_empty() && ended.is_empty());
    }
    let acted = cases::act(&world.app, &viewer, id, OfficerAction::Accept).await;
    assert!(matches!(acted, Err(CaseError::Forbidden)), "{acted:?}");
    assert_eq!(cases::view(&world.app, &viewer, id).await.unwrap().record.id, id, "a viewer sees");
    assert_eq!(cases::cases(&world.app, &city).await.unwrap().0.len(), 1, "the city sees its counties'");

    // The case page masks the mobile.
    let view = cases::view(&world.app, &mine, id).await.unwrap();
    assert_eq!(view.mobile_masked, "138****8000");
    assert_eq!(view.federation, "肥东县总工会");
    // An assignee from another county is refused.
    cases::act(&world.app, &mine, id, OfficerAction::Accept).await.unwrap();
    let Actor::Officer(stranger) = &neighbour else { unreachable!() };
    let assigned = cases::act(&world.app, &mine, id, OfficerAction::Assign(stranger.user)).await;
    assert!(matches!(assigned, Err(CaseError::UnknownOfficer)), "{assigned:?}");
    assert!(world.audit("case.accept").await.len() == 1 && world.audit("case.assign").await.is_empty());
});

both_databases!(steps_move_a_case_to_its_outcome_and_the_worker_rates_it_once, |db: TestDb| async move {
    let world = World::new(db).await;
    let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
    let id = file(&world, "340122").await;
    let mine = officer(&world, "feidong", &feidong, Role::Reviewer).await;
    let Actor::Officer(me) = &mine else { unreachable!() };
    let me = me.user;

    let early =
        cases::act(&world.app, &mine, id, OfficerAction::Step(StepKind::Mediation, String::new())).await;
    assert!(matches!(early, Err(CaseError::Illegal(_))), "a step needs an accepted case: {early:?}");
    cases::act(&world.app, &mine, id, OfficerAction::Accept).await.unwrap();
    let twice = cases::act(&world.app, &mine, id, OfficerAction::Accept).await;
    assert!(matches!(twice, Err(CaseError::Illegal(_))), "{twice:?}");
    cases::act(&world.app, &mine, id, OfficerAction::Assign(me)).await.unwrap();
    let long = "字".repeat(501);
    let refused = cases::act(&world.app, &mine, id, OfficerAction::Step(StepKind::Mediation, long)).await;
    assert!(matches!(refused, Err(CaseError::Note(_))), "{refused:?}");
    for step in [StepKind::Consultation, StepKind::Mediation, StepKind::ReferralToInspectorate] {
        cases::act(&world.app, &mine, id, OfficerAction::Step(step, "已联系用人单位".to_owned()))
            .await
            .unwrap();
    }
    let no_amount =
        OfficerAction::Close { outcome: "recovered".to_owned(), amount: String::new(), note: String::new() };
    assert!(matches!(cases::act(&world.app, &mine, id, no_amount).await, Err(CaseError::Amount)));
    let close = OfficerAction::Close {
        outcome: "recovered".to_owned(),
        amount: "8,600".to_owned(),
        note: "已全额追回".to_owned(),
    };
    cases::act(&world.app, &mine, id, close).await.unwrap();

    let view = cases::view(&world.app, &mine, id).await.unwrap();
    assert_eq!(view.record.status, CaseStatus::Closed);
    assert_eq!(view.record.outcome, Some(CaseOutcome::Recovered(Amount::from_yuan(8_600).unwrap())));
    assert_eq!(view.assignee.as_deref(), Some("feidong"));
    let kinds: Vec<_> = view.events.iter().map(|e| e.kind).collect();
    use CaseEventKind::*;
    assert_eq!(kinds, [Submit, Accept, Assign, Step, Step, Step, Close]);
    assert_eq!(view.events[3].note.as_deref(), Some("已联系用人单位"));
    for action in ["case.accept", "case.assign", "case.step", "case.close"] {
        let records = world.audit(action).await;
        assert!(!records.is_empty(), "{action}");
        assert!(
            records.iter().all(|r| r.actor_name == "feidong" && r.scope_path == feidong.path.as_str()),
            "{action}"
        );
    }
    assert_eq!(world.audit("case.step").await.len(), 3);

    // The worker sees it closed, without the officers' notes, and rates it once.
    let lines = cases::cases_of_mobile(&world.app, &Mobile::parse(MOBILE).unwrap()).await.unwrap();
    assert!(lines[0].events.iter().all(|e| e.note.is_none()));
    let token = lines[0].rating_token.clone().expect("closed and unrated");
    assert!(matches!(
        cases::rate(&world.app, "1.2.forged", Rating::new(5).unwrap()).await,
        Err(CaseError::NotRatable)
    ));
    assert_eq!(cases::rate(&world.app, &token, Rating::new(5).unwrap()).await.unwrap(), id);
    assert!(matches!(
        cases::rate(&world.app, &token, Rating::new(1).unwrap()).await,
        Err(CaseError::NotRatable)
    ));
    let lines = cases::cases_of_mobile(&world.app, &Mobile::parse(MOBILE).unwrap()).await.unwrap();
    assert_eq!((lines[0].record.rating, lines[0].rating_token.as_ref()), (Rating::new(5), None));
    let after =
        cases::act(&world.app, &mine, id, OfficerAction::Step(StepKind::Litigation, String::new())).await;
    assert!(matches!(after, Err(CaseError::Illegal(_))), "closed is closed: {after:?}");
});

both_databases!(
    deadlines_count_working_time_across_national_day_and_a_make_up_saturday,
    |db: TestDb| async move {
        let world = World::new(db).await;
        assert!(WorkCalendar::china().covers(2026));
        let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
        // Filed on the eve of 国庆 (Wednesday 30 September 2026, 16:00).
        set(&world, at(9, 30, 16));
        let eve = file(&world, "340122").await;
        let record = world.app.store().case(eve).await.unwrap().unwrap();
        assert_eq!(record.dues.response, at(10, 8, 16), "the first working day after the break");
        assert_eq!(record.dues.resolution, at(10, 30, 16), "30 calendar days");
        // Filed on Friday 9 October: Saturday the 10th is a 调休 working day.
        set(&world, at(10, 9, 10));
        let friday = file(&world, "340122").await;
        assert_eq!(world.app.store().case(friday).await.unwrap().unwrap().dues.response, at(10, 10, 10));

        // Not overdue on 3 October, nor at the deadline itself: nothing escalates.
        set(&world, at(10, 3, 12));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 0);
        set(&world, at(10, 8, 16));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 0);
        let city = officer(&world, "hefei", &world.hefei, Role::Admin).await;
        let (open, _) = cases::cases(&world.app, &city).await.unwrap();
        assert!(open.iter().all(|c| c.overdue.is_none()));

        // On the 调休 Saturday, 11:00: the Friday case is overdue and moves up; the eve's too.
        set(&world, at(10, 10, 11));
        let (open, _) = cases::cases(&world.app, &city).await.unwrap();
        assert_eq!(open.iter().map(|c| c.record.id).collect::<Vec<_>>(), [eve, friday], "overdue first");
        assert!(open.iter().all(|c| c.overdue.map(|o| o.missed()) == Some(MissedDeadline::FirstResponse)));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 2);
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 0, "once per missed deadline");
        let mine = officer(&world, "feidong", &feidong, Role::Reviewer).await;
        assert!(
            cases::cases(&world.app, &mine).await.unwrap().0.is_empty(),
            "moved out of the county's hands"
        );
        let view = cases::view(&world.app, &city, friday).await.unwrap();
        assert_eq!(
            (view.record.org, view.events.last().unwrap().kind),
            (world.hefei.id, CaseEventKind::Escalate)
        );
        let acted = cases::act(&world.app, &mine, friday, OfficerAction::Accept).await;
        assert!(matches!(acted, Err(CaseError::NotFound)), "{acted:?}");

        // The city accepts; past 30 days unresolved it escalates once more, to the province.
        cases::act(&world.app, &city, eve, OfficerAction::Accept).await.unwrap();
        set(&world, at(10, 31, 0));
        assert_eq!(
            cases::escalate_overdue(&world.app).await.unwrap(),
            1,
            "the eve's case; Friday's is not due yet"
        );
        assert_eq!(world.app.store().case(eve).await.unwrap().unwrap().org, world.root.id);
        set(&world, at(11, 9, 0));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 1);
        set(&world, at(12, 31, 0));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 0, "at the root nothing is above");
    }
);

both_databases!(ended_cases_lose_their_personal_data_after_retention, |db: TestDb| async move {
    let world = World::new(db).await;
    let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
    let id = file(&world, "340122").await;
    let open = file(&world, "340122").await;
    let mine = officer(&world, "feidong", &feidong, Role::Reviewer).await;
    let close = OfficerAction::Close {
        outcome: "settled".to_owned(),
        amount: String::new(),
        note: "双方和解".to_owned(),
    };
    cases::act(&world.app, &mine, id, close).await.unwrap();
    let days = huiji_app::privacy::DEFAULT_RETENTION_DAYS;
    let store = world.app.store().as_ref();
    let counts = huiji_app::privacy::purge(store, world.clock.as_ref(), days, "test").await.unwrap();
    assert_eq!(counts.cases, 0, "not past retention yet");
    world.clock.0.fetch_add((i64::from(days) + 1) * 86_400_000, Ordering::SeqCst);
    let counts = huiji_app::privacy::purge(store, world.clock.as_ref(), days, "test").await.unwrap();
    assert_eq!(counts.cases, 1);
    let view = cases::view(&world.app, &mine, id).await.unwrap();
    assert_eq!((view.record.description, view.mobile_masked.as_str()), (None, ""));
    assert_eq!(
        (view.record.outcome, view.record.amount),
        (Some(CaseOutcome::Settled), Amount::from_yuan(12_000))
    );
    assert!(view.events.iter().all(|e| e.note.is_none()));
    assert!(cases::view(&world.app, &mine, open).await.unwrap().record.description.is_some());
    let purge = world.audit("purge").await;
    assert!(purge.last().unwrap().subject.as_deref().unwrap().contains("1 legal-aid cases"));
});

both_databases!(the_worker_is_told_of_filing_acceptance_steps_and_the_close, |db: TestDb| async move {
    let world = World::new(db).await;
    let feidong = county(&world, &world.hefei, "肥东县总工会", "340122").await;
    let last_sms = || async { world.app.store().sms_outbox(1).await.unwrap().remove(0).body };
    let id = file(&world, "340122").await;
    let filed = last_sms().await;
    assert!(filed.contains(&format!("案件编号{id}，由肥东县总工会办理")), "{filed}");
    let mine = officer(&world, "feidong", &feidong, Role::Reviewer).await;
    cases::act(&world.app, &mine, id, OfficerAction::Accept).await.unwrap();
    assert!(last_sms().await.contains("已由肥东县总工会受理"));
    let step = OfficerAction::Step(StepKind::Mediation, "约定周三调解".to_owned());
    cases::act(&world.app, &mine, id, step).await.unwrap();
    let stepped = last_sms().await;
    assert!(stepped.contains("已进行调解") && !stepped.contains("周三"), "no officer's note: {stepped}");
    let close = OfficerAction::Close {
        outcome: "recovered".to_owned(),
        amount: "8600".to_owned(),
        note: String::new(),
    };
    cases::act(&world.app, &mine, id, close).await.unwrap();
    assert!(last_sms().await.contains("结果：追回款项8600.00元"));
    // Each went through the outbox once, sent: nothing is left for the delivery job.
    let notices = world
        .app
        .store()
        .notices_about(huiji_store::NoticeAbout { case: Some(id.0), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(notices.len(), 4);
    assert!(notices.iter().all(|n| n.delivery == huiji_core::notice::NoticeDelivery::Sent));
    assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 0);
});

both_databases!(
    a_case_filed_on_the_eve_of_national_day_2027_is_not_overdue_on_the_third,
    |db: TestDb| async move {
        let world = World::new(db).await;
        // 2027 has its statutory days (the State Council's notice is not out yet).
        assert!(WorkCalendar::china().covers(2027) && WorkCalendar::china().awaits_notice(2027));
        county(&world, &world.hefei, "肥东县总工会", "340122").await;
        // Thursday 30 September 2027, 16:00; 1–3 October are holidays (Friday to Sunday).
        set(&world, in_2027(9, 30, 16));
        let eve = file(&world, "340122").await;
        let record = world.app.store().case(eve).await.unwrap().unwrap();
        assert_eq!(record.dues.response, in_2027(10, 4, 16), "Monday, the first working day after the break");
        set(&world, in_2027(10, 3, 12));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 0, "not overdue on 10月3日");
        set(&world, in_2027(10, 4, 17));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 1);
    }
);

both_databases!(
    a_deployments_holidays_supplement_moves_the_deadline_across_its_break,
    |db: TestDb| async move {
        let mut world = World::new(db).await;
        // The notice a deployment lays over the compiled-in data (made up: the real 2027
        // notice was not available offline): 1–7 October off, Sunday 26 September worked.
        let notice = "notice 2027 2026-11-10 - 国务院办公厅关于2027年部分节假日安排的通知\n\
                      off national_day 2027-10-01..2027-10-07\n\
                      work national_day 2027-09-26\n";
        world.app = world.app.clone().with_calendar(WorkCalendar::china().supplemented(notice).unwrap());
        county(&world, &world.hefei, "肥东县总工会", "340122").await;
        // A case filed on Saturday 25 September counts the make-up Sunday as a working day.
        set(&world, in_2027(9, 25, 10));
        let weekend = file(&world, "340122").await;
        let record = world.app.store().case(weekend).await.unwrap().unwrap();
        assert_eq!(record.dues.response, in_2027(9, 27, 0), "the 26th, a make-up Sunday, is the working day");
        set(&world, in_2027(9, 30, 16));
        let eve = file(&world, "340122").await;
        let record = world.app.store().case(eve).await.unwrap().unwrap();
        assert_eq!(
            record.dues.response,
            in_2027(10, 8, 16),
            "Friday after the notice's break, not Monday the 4th"
        );
        set(&world, in_2027(10, 5, 12));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 1, "only the weekend case is overdue");
        set(&world, in_2027(10, 8, 17));
        assert_eq!(cases::escalate_overdue(&world.app).await.unwrap(), 1, "the eve's case, after the break");
    }
);
