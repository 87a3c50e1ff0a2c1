//! Benefit programmes through the use cases, on both databases: who may create one
//! (audited), rules read from the sealed ID number (sex, age) and said when a claim is
//! refused, claims after the SMS proof (once, never over quota — 100 at once on a quota
//! of 10), officers' grants one by one and in batch, revocation, the grant SMS (through the notice outbox, retried), the
//! insurer's list (masked, or full with `pii.reveal`, a reason and an audit record) and
//! the policy numbers imported back from the insurer's workbook.

use std::sync::Arc;

use huiji_app::App;
use huiji_app::actor::Actor;
use huiji_app::benefits::{self, BenefitError, GrantStep};
use huiji_app::ports::Nonces;
use huiji_app::sms::HttpGatewaySms;
use huiji_core::benefit::{GrantId, GrantRefusal, GrantStatus, Ineligible, ProgrammeFields, ProgrammeId};
use huiji_core::id_number::check_char;
use huiji_core::joining::Landing;
use huiji_core::notice::{NoticeDelivery, NoticeKind};
use huiji_core::{Channel, Decision, Occupation, Org, Role, Sex, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{MemberQuery, NewApplication, NoticeAbout, SubmitOutcome, both_databases};
use huiji_vault::Field;

use crate::support::{NOW, World};

/// A valid ID number of 蜀山区 born on `birth` (YYYYMMDD), its serial deciding the sex.
pub(crate) fn id_number(birth: &str, serial: u32, sex: Sex) -> String {
    let parity = match sex {
        Sex::Male => 1,
        Sex::Female => 0,
    };
    let first17 = format!("340104{birth}{:02}{}", serial % 100, (serial % 5) * 2 + parity);
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&bytes).unwrap())
}

/// A member of `org` made the way the join service makes one, sealed with the app's keys.
pub(crate) async fn member(app: &App, org: &Org, id: &str, mobile: &str, occupation: Occupation) -> i64 {
    let new = application(app, org, id, mobile, occupation, Decision::Approve);
    match app.store().submit_application(&new, NOW).await.unwrap() {
        SubmitOutcome::Approved { membership_id, .. } => membership_id,
        other => panic!("expected an approval, got {other:?}"),
    }
}

/// An application to `org` as the join service seals one, with the decision given.
fn application(
    app: &App,
    org: &Org,
    id: &str,
    mobile: &str,
    occupation: Occupation,
    decision: Decision,
) -> NewApplication {
    let mut nonces = Nonces(app.random());
    let sex = huiji_core::IdNumber::parse(id, NOW.china_date(), |_| true).unwrap().sex();
    NewApplication {
        channel: Channel::Portal,
        source: None,
        receiving_org: org.id,
        landing: Some(Landing::Union(org.id)),
        name: "王晓明".to_owned(),
        id_number: app.keys().seal(Field::IdNumber, id, &mut nonces).unwrap(),
        mobile: app.keys().seal(Field::Mobile, mobile, &mut nonces).unwrap(),
        sex,
        occupation,
        region_code: "340104".to_owned(),
        employer_name: None,
        employer_credit_code: None,
        consent_version: "1".to_owned(),
        mobile_verified: true,
        decision,
        review_deadline: Timestamp(NOW.0 + 3 * 86_400_000),
        mobile_bound_elsewhere: false,
        real_name: huiji_core::RealNameCheck::NotConfigured,
        consent_at: NOW,
        platform_id: None,
        external_ref: None,
    }
}

pub(crate) fn fields<'a>(name: &'a str, mode: &'a str, quota: &'a str) -> ProgrammeFields<'a> {
    ProgrammeFields {
        kind: "insurance_gift",
        name,
        provider: "中国人寿",
        hotline: "95519",
        mode,
        from: "2025-01-01",
        until: "2026-12-31",
        quota,
        ..ProgrammeFields::default()
    }
}

async fn admin(world: &World, org: &Org) -> Actor {
    Actor::Officer(Box::new(world.officer(&format!("admin-{}", org.id), org, Role::Admin).await))
}

async fn create(world: &World, actor: &Actor, org: &Org, f: &ProgrammeFields<'_>) -> ProgrammeId {
    benefits::create(&world.app, actor, org.id, f, &[]).await.unwrap()
}

both_databases!(admins_of_the_sponsor_create_programmes_audited, |db: TestDb| async move {
    let world = World::new(db).await;
    let province = admin(&world, &world.root).await;
    let hefei = admin(&world, &world.hefei).await;
    let wuhu = admin(&world, &world.wuhu).await;
    let reviewer = Actor::Officer(Box::new(world.officer("rev", &world.hefei, Role::Reviewer).await));
    let f = fields("意外伤害保险", "on_approval", "100000");
    let shares = [(world.hefei.id, "60000"), (world.wuhu.id, "40000")];
    let id = benefits::create(&world.app, &province, world.root.id, &f, &shares).await.unwrap();
    let view = benefits::view(&world.app, &hefei, id).await.unwrap();
    assert_eq!((view.record.quota.total, view.shares.len(), view.administers), (100_000, 2, false));
    assert_eq!(world.audit("benefit.create").await.len(), 1);
    // Not an admin, another city's sponsor, a share of a grandchild or over the total,
    // a taken name, bad fields.
    let refused = benefits::create(&world.app, &reviewer, world.hefei.id, &f, &[]).await;
    assert!(matches!(refused, Err(BenefitError::Forbidden)), "{refused:?}");
    let refused = benefits::create(&world.app, &wuhu, world.hefei.id, &f, &[]).await;
    assert!(matches!(refused, Err(BenefitError::NotFound)), "{refused:?}");
    let grandchild = [(world.hefei_firm.id, "10")];
    let refused =
        benefits::create(&world.app, &province, world.root.id, &fields("x", "claim", "5"), &grandchild).await;
    assert!(matches!(refused, Err(BenefitError::Share)), "{refused:?}");
    let too_big = [(world.hefei.id, "6")];
    let refused =
        benefits::create(&world.app, &province, world.root.id, &fields("x", "claim", "5"), &too_big).await;
    assert!(matches!(refused, Err(BenefitError::Share)), "{refused:?}");
    let refused = benefits::create(&world.app, &province, world.root.id, &f, &[]).await;
    assert!(matches!(refused, Err(BenefitError::NameTaken)), "{refused:?}");
    let refused =
        benefits::create(&world.app, &hefei, world.hefei.id, &fields("", "sometimes", "0"), &[]).await;
    match refused {
        Err(BenefitError::Invalid(errors)) => {
            assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["name", "mode", "quota"]);
        }
        other => panic!("{other:?}"),
    }
    // Hefei's admin sees the province's programme (above) and their own, not Wuhu's.
    create(&world, &wuhu, &world.wuhu, &fields("芜湖体检", "claim", "10")).await;
    let seen: Vec<_> =
        benefits::programmes(&world.app, &hefei).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(seen, ["意外伤害保险"]);
});

both_databases!(claims_follow_the_rules_read_from_the_id_number, |db: TestDb| async move {
    let world = World::new(db).await;
    let hefei = admin(&world, &world.hefei).await;
    let mut screening = fields("两癌筛查", "claim", "100");
    screening.kind = "cancer_screening";
    screening.sex = "female";
    screening.age_min = "35";
    screening.age_max = "64";
    screening.occupations = vec!["truck_driver", "courier"];
    let id = create(&world, &hefei, &world.hefei, &screening).await;
    let woman = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19800101", 1, Sex::Female),
        "13800000001",
        Occupation::TruckDriver,
    )
    .await;
    let man = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19800101", 2, Sex::Male),
        "13800000002",
        Occupation::TruckDriver,
    )
    .await;
    let young = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19950101", 3, Sex::Female),
        "13800000003",
        Occupation::TruckDriver,
    )
    .await;
    let old = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19550101", 4, Sex::Female),
        "13800000004",
        Occupation::Courier,
    )
    .await;
    let rider = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19800101", 5, Sex::Female),
        "13800000005",
        Occupation::DeliveryRider,
    )
    .await;
    let wuhu = member(
        &world.app,
        &world.wuhu_firm,
        &id_number("19800101", 6, Sex::Female),
        "13800000006",
        Occupation::TruckDriver,
    )
    .await;
    let refusal = |who: i64| {
        let app = world.app.clone();
        async move {
            match benefits::claim(&app, &benefits::claim_token(&app, who), id).await {
                Err(BenefitError::Refused(refusal)) => refusal,
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(refusal(man).await, GrantRefusal::NotEligible(Ineligible::Sex(Sex::Female)));
    assert_eq!(refusal(young).await, GrantRefusal::NotEligible(Ineligible::TooYoung(35)));
    assert_eq!(refusal(old).await, GrantRefusal::NotEligible(Ineligible::TooOld(64)));
    assert_eq!(refusal(rider).await, GrantRefusal::NotEligible(Ineligible::Occupation));
    let outside = benefits::claim(&world.app, &benefits::claim_token(&world.app, wuhu), id).await;
    assert!(matches!(outside, Err(BenefitError::NotFound)), "Wuhu's members cannot see Hefei's programme");
    // The status page lists the programme with the rule that keeps each one out.
    let listed = benefits::benefits_of_member(&world.app, man, true).await.unwrap();
    assert_eq!(listed.claimable.len(), 1);
    assert_eq!(listed.claimable[0].refusal, Some(GrantRefusal::NotEligible(Ineligible::Sex(Sex::Female))));
    let listed = benefits::benefits_of_member(&world.app, woman, true).await.unwrap();
    assert_eq!(listed.claimable[0].refusal, None);
    // The woman claims once; a second claim, a forged token and an expired one fail.
    let token = benefits::claim_token(&world.app, woman);
    let (grant, programme) = benefits::claim(&world.app, &token, id).await.unwrap();
    assert_eq!(programme.name, "两癌筛查");
    let again = benefits::claim(&world.app, &token, id).await;
    assert!(matches!(again, Err(BenefitError::Refused(GrantRefusal::AlreadyGranted))), "{again:?}");
    assert!(matches!(benefits::claim(&world.app, "forged", id).await, Err(BenefitError::BadToken)));
    world.clock.0.fetch_add(16 * 60 * 1000, std::sync::atomic::Ordering::SeqCst);
    assert!(matches!(benefits::claim(&world.app, &token, id).await, Err(BenefitError::BadToken)));
    // She sees it (and no longer as claimable); her SMS went out once.
    let listed = benefits::benefits_of_member(&world.app, woman, true).await.unwrap();
    assert_eq!((listed.grants.len(), listed.claimable.len()), (1, 0));
    assert_eq!(listed.grants[0].grant.id, grant);
    let outbox = world.app.store().sms_outbox(10).await.unwrap();
    let texts: Vec<_> = outbox.iter().filter(|m| m.body.contains("两癌筛查")).collect();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].body.contains("95519") && texts[0].body.contains("2026-12-31"), "{}", texts[0].body);
    // The notice job (which also sends the members' welcomes) does not send it again.
    huiji_app::notices::deliver_due(&world.app).await.unwrap();
    let outbox = world.app.store().sms_outbox(50).await.unwrap();
    assert_eq!(outbox.iter().filter(|m| m.body.contains("两癌筛查")).count(), 1, "sent once");
});

both_databases!(a_hundred_concurrent_claims_on_a_quota_of_ten_make_ten, |db: TestDb| async move {
    let world = World::new(db).await;
    let hefei = admin(&world, &world.hefei).await;
    let id = create(&world, &hefei, &world.hefei, &fields("住院医疗保险", "claim", "10")).await;
    let mut tokens = Vec::new();
    for i in 0..100 {
        let birth = format!("19{:02}0101", 60 + i % 30);
        let m = member(
            &world.app,
            &world.hefei_firm,
            &id_number(&birth, i, Sex::Male),
            &format!("1390000{i:04}"),
            Occupation::TruckDriver,
        )
        .await;
        tokens.push(benefits::claim_token(&world.app, m));
    }
    let app = Arc::new(world.app.clone());
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let app = app.clone();
            tokio::spawn(async move { benefits::claim(&app, &token, id).await })
        })
        .collect();
    let (mut done, mut exhausted) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => done += 1,
            Err(BenefitError::Refused(GrantRefusal::QuotaExhausted)) => exhausted += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((done, exhausted), (10, 90));
    let view = benefits::view(&world.app, &hefei, id).await.unwrap();
    assert_eq!((view.record.quota.granted, view.record.quota.remaining()), (10, 0));
    assert_eq!(view.counts, vec![(GrantStatus::Granted, 10)]);
});

both_databases!(officers_grant_one_or_a_batch_and_revoke_with_a_reason, |db: TestDb| async move {
    let world = World::new(db).await;
    let hefei = admin(&world, &world.hefei).await;
    let viewer = Actor::Officer(Box::new(world.officer("look", &world.hefei, Role::Viewer).await));
    let wuhu = admin(&world, &world.wuhu).await;
    let id = create(&world, &hefei, &world.hefei, &fields("四季送清凉", "officer", "3")).await;
    let mut people = Vec::new();
    for i in 0..5 {
        let m = member(
            &world.app,
            &world.hefei_firm,
            &id_number("19800101", i, Sex::Male),
            &format!("1370000{i:04}"),
            Occupation::TruckDriver,
        )
        .await;
        people.push(m);
    }
    let refused = benefits::grant(&world.app, &viewer, id, people[0]).await;
    assert!(matches!(refused, Err(BenefitError::Forbidden)), "{refused:?}");
    let refused = benefits::grant(&world.app, &wuhu, id, people[0]).await;
    assert!(matches!(refused, Err(BenefitError::NotFound)), "{refused:?}");
    let one = benefits::grant(&world.app, &hefei, id, people[0]).await.unwrap();
    // A batch over the subtree: one already holds it, two more are granted, two are left
    // over when the quota runs out.
    let query = MemberQuery { within: Some(world.hefei.path.clone()), ..MemberQuery::default() };
    let report = benefits::grant_batch(&world.app, &hefei, id, &query).await.unwrap();
    assert_eq!((report.considered, report.granted, report.already, report.quota_exhausted), (5, 2, 1, 2));
    assert_eq!(world.audit("benefit.grant").await.len(), 2);
    // Revocation needs a reason, frees the place, and is audited with it.
    let refused = benefits::act(&world.app, &hefei, one, GrantStep::Revoke(" ".to_owned())).await;
    assert!(matches!(refused, Err(BenefitError::Reason)), "{refused:?}");
    benefits::act(&world.app, &hefei, one, GrantStep::Revoke("重复发放".to_owned())).await.unwrap();
    let revoked = world.audit("benefit.revoke").await;
    assert_eq!(revoked[0].reason.as_deref(), Some("重复发放"));
    let again = benefits::act(&world.app, &hefei, one, GrantStep::Use).await;
    assert!(matches!(again, Err(BenefitError::Illegal(_))), "{again:?}");
    assert_eq!(benefits::view(&world.app, &hefei, id).await.unwrap().record.quota.remaining(), 1);
    let report = benefits::grant_batch(&world.app, &hefei, id, &query).await.unwrap();
    // Newest first: two hold one, the next takes the freed place, one is left over, and
    // the revoked member (the oldest) keeps their one grant.
    assert_eq!((report.granted, report.already, report.quota_exhausted), (1, 3, 1));
    // A grant outside an officer's subtree is not theirs to change.
    let someone = world.app.store().member_grants(people[4]).await.unwrap()[0].grant.id;
    assert!(matches!(
        benefits::act(&world.app, &wuhu, someone, GrantStep::Use).await,
        Err(BenefitError::NotFound)
    ));
});

both_databases!(on_approval_grants_are_texted_after_the_commit, |db: TestDb| async move {
    let world = World::new(db).await;
    let province = admin(&world, &world.root).await;
    let mut f = fields("赠送意外险", "on_approval", "100000");
    f.valid_days = "365";
    create(&world, &province, &world.root, &f).await;
    let m = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19900101", 1, Sex::Male),
        "13600000001",
        Occupation::Courier,
    )
    .await;
    let held = benefits::benefits_of_member(&world.app, m, false).await.unwrap();
    assert_eq!(held.grants.len(), 1);
    assert_eq!(held.grants[0].grant.valid_until, NOW.china_date().plus_days(364));
    // Queued by the approval's transaction, sent by the notice job (with the welcome).
    let queued = notices_of(&world, held.grants[0].grant.id).await;
    assert_eq!(queued, vec![(NoticeKind::BenefitGranted, NoticeDelivery::Pending, 0)]);
    assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 2);
    let outbox = world.app.store().sms_outbox(5).await.unwrap();
    let gift: Vec<_> = outbox.iter().filter(|m| m.body.contains("赠送意外险")).collect();
    assert_eq!(gift.len(), 1);
    assert_eq!(gift[0].mobile_masked, "136****0001");
    assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 0);
});

both_databases!(an_officers_approval_wakes_the_notice_job_for_its_grant_sms, |db: TestDb| async move {
    let world = World::new(db).await;
    // The job as `huiji serve` runs it, but with a round an hour apart: only a wake-up can
    // send the grant's SMS within the test.
    let first = member(
        &world.app,
        &world.hefei_firm,
        &id_number("19900101", 1, Sex::Male),
        "13600000001",
        Occupation::Courier,
    )
    .await;
    let job = huiji_app::notices::spawn_delivery(world.app.clone(), std::time::Duration::from_secs(3600));
    let texted = |text: &'static str, mobile: &'static str| {
        let app = world.app.clone();
        async move {
            for _ in 0..200 {
                let outbox = app.store().sms_outbox(20).await.unwrap();
                if outbox.iter().any(|m| m.body.contains(text) && m.mobile_masked == mobile) {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            false
        }
    };
    // The job's first round (at its start) has run: the first member's welcome is out.
    assert!(texted("会员", "136****0001").await, "the first round sent the welcome of member {first}");
    let province = admin(&world, &world.root).await;
    let mut f = fields("赠送意外险", "on_approval", "100000");
    f.valid_days = "365";
    create(&world, &province, &world.root, &f).await;
    let new = application(
        &world.app,
        &world.hefei_firm,
        &id_number("19910101", 2, Sex::Male),
        "13600000002",
        Occupation::Courier,
        Decision::Review,
    );
    let SubmitOutcome::Pending { application_id, .. } =
        world.app.store().submit_application(&new, NOW).await.unwrap()
    else {
        panic!("expected a pending application")
    };
    let reviewer =
        Actor::Officer(Box::new(world.officer("reviewer", &world.hefei_firm, Role::Reviewer).await));
    huiji_app::review::approve(&world.app, &reviewer, application_id).await.unwrap();
    assert!(
        texted("赠送意外险", "136****0002").await,
        "the grant's SMS went out without waiting for a round"
    );
    job.abort();
});

/// A grant's notices in the outbox: kind, delivery, attempts.
async fn notices_of(world: &World, grant: GrantId) -> Vec<(NoticeKind, NoticeDelivery, i32)> {
    let about = NoticeAbout { grant: Some(grant.0), ..NoticeAbout::default() };
    let notices = world.app.store().notices_about(about).await.unwrap();
    notices.iter().filter(|n| n.grant_id == Some(grant.0)).map(|n| (n.kind, n.delivery, n.attempts)).collect()
}

both_databases!(
    a_grant_sms_the_provider_refused_is_retried_and_a_revoked_grant_is_not_told,
    |db: TestDb| async move {
        let world = World::new(db).await;
        let hefei = admin(&world, &world.hefei).await;
        let id = create(&world, &hefei, &world.hefei, &fields("四季送清凉", "officer", "5")).await;
        let mut people = Vec::new();
        for i in 0..2 {
            let mobile = format!("1350000{i:04}");
            people.push(
                member(
                    &world.app,
                    &world.hefei_firm,
                    &id_number("19800101", i, Sex::Male),
                    &mobile,
                    Occupation::TruckDriver,
                )
                .await,
            );
        }
        // Welcomes out of the way, so what follows counts grant SMS only.
        huiji_app::notices::deliver_due(&world.app).await.unwrap();
        // The provider is down when the officer grants: the grant stands, its SMS waits.
        let down = world
            .app
            .clone()
            .with_sms(Arc::new(HttpGatewaySms::new("http://127.0.0.1:9/send", None).unwrap()));
        let kept = benefits::grant(&down, &hefei, id, people[0]).await.unwrap();
        let revoked = benefits::grant(&down, &hefei, id, people[1]).await.unwrap();
        assert_eq!(
            notices_of(&world, kept).await,
            vec![(NoticeKind::BenefitGranted, NoticeDelivery::Pending, 1)]
        );
        // Not due before the back-off; one grant is revoked meanwhile.
        assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 0);
        benefits::act(&world.app, &hefei, revoked, GrantStep::Revoke("重复发放".to_owned())).await.unwrap();
        world.clock.0.fetch_add(31_000, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 1, "the kept grant's, once");
        assert_eq!(huiji_app::notices::deliver_due(&world.app).await.unwrap(), 0);
        assert_eq!(
            notices_of(&world, kept).await,
            vec![(NoticeKind::BenefitGranted, NoticeDelivery::Sent, 2)]
        );
        assert_eq!(
            notices_of(&world, revoked).await,
            vec![(NoticeKind::BenefitGranted, NoticeDelivery::Failed, 2)]
        );
        let outbox = world.app.store().sms_outbox(50).await.unwrap();
        let told: Vec<_> = outbox
            .iter()
            .filter(|m| m.body.contains("四季送清凉"))
            .map(|m| m.mobile_masked.as_str())
            .collect();
        assert_eq!(told, vec!["135****0000"]);
    }
);

both_databases!(the_insurer_list_is_masked_unless_revealed_with_a_reason, |db: TestDb| async move {
    let world = World::new(db).await;
    let hefei = admin(&world, &world.hefei).await;
    let id = create(&world, &hefei, &world.hefei, &fields("卡友保", "officer", "10")).await;
    let number = id_number("19800101", 7, Sex::Male);
    let m = member(&world.app, &world.hefei_firm, &number, "13500000007", Occupation::TruckDriver).await;
    benefits::grant(&world.app, &hefei, id, m).await.unwrap();
    let (_, masked) = benefits::insurer_rows(&world.app, &hefei, id, None).await.unwrap();
    assert_eq!(masked.len(), 1);
    assert_eq!((masked[0].name.as_str(), masked[0].mobile.as_str()), ("王**", "135****0007"));
    assert!(masked[0].id_number.contains('*') && !masked[0].id_number.contains("19800101"));
    assert_eq!(world.audit("export.benefit_grants").await.len(), 1);
    // Full identifiers: pii.reveal and a reason, recorded before the rows leave.
    let refused = benefits::insurer_rows(&world.app, &hefei, id, Some("投保")).await;
    assert!(matches!(refused, Err(BenefitError::Forbidden)), "{refused:?}");
    let mut revealer = world.officer("reveal", &world.hefei, Role::Admin).await;
    revealer.can_reveal = true;
    let revealer = Actor::Officer(Box::new(revealer));
    let refused = benefits::insurer_rows(&world.app, &revealer, id, Some("  ")).await;
    assert!(matches!(refused, Err(BenefitError::Reason)), "{refused:?}");
    assert!(world.audit("export.benefit_insurer").await.is_empty());
    let (_, full) = benefits::insurer_rows(&world.app, &revealer, id, Some("向保险公司投保")).await.unwrap();
    assert_eq!(
        (full[0].name.as_str(), full[0].id_number.as_str(), full[0].mobile.as_str()),
        ("王晓明", number.as_str(), "13500000007")
    );
    let audited = world.audit("export.benefit_insurer").await;
    assert_eq!((audited.len(), audited[0].reason.as_deref()), (1, Some("向保险公司投保")));
});

both_databases!(policy_numbers_come_back_from_the_insurers_workbook, |db: TestDb| async move {
    let world = World::new(db).await;
    let hefei = admin(&world, &world.hefei).await;
    let id = create(&world, &hefei, &world.hefei, &fields("卡友保", "officer", "10")).await;
    let granted = id_number("19800101", 8, Sex::Male);
    let m = member(&world.app, &world.hefei_firm, &granted, "13500000008", Occupation::TruckDriver).await;
    benefits::grant(&world.app, &hefei, id, m).await.unwrap();
    let stranger = id_number("19800101", 9, Sex::Male);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policies.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "被保险人证件号码").unwrap();
    sheet.write_string(0, 1, "保单号").unwrap();
    sheet.write_string(1, 0, &granted).unwrap();
    sheet.write_string(1, 1, "PA2026000001").unwrap();
    sheet.write_string(2, 0, &stranger).unwrap();
    sheet.write_string(2, 1, "PA2026000002").unwrap();
    sheet.write_number(3, 0, 3.40104e17).unwrap();
    sheet.write_string(3, 1, "PA2026000003").unwrap();
    book.save(&path).unwrap();
    let table = || huiji_tabular::Table::open(&path, None).unwrap();
    let report = benefits::enrol_import(&world.app, &hefei, id, table()).await.unwrap();
    assert_eq!((report.rows, report.enrolled, report.unchanged), (3, 1, 0));
    assert_eq!(report.refused, vec![(3, "grant.not_found"), (4, "id_number.excel_number")]);
    let grants = world.app.store().member_grants(m).await.unwrap();
    assert_eq!(
        (grants[0].grant.status, grants[0].grant.policy_number.as_deref()),
        (GrantStatus::Enrolled, Some("PA2026000001"))
    );
    let again = benefits::enrol_import(&world.app, &hefei, id, table()).await.unwrap();
    assert_eq!((again.enrolled, again.unchanged), (0, 1), "a second run changes nothing");
    assert_eq!(world.audit("benefit.enrol_import").await.len(), 2);
});
