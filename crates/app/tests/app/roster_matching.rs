//! Rosters at work on both databases: a join through the use case updates the entries'
//! state, and so does a member's leaving (withdrawal, expulsion, death); `roster_only` approves listed applicants (imports by the union, above it or
//! below it) and reviews the others; the application's roster match; the masked
//! non-members and their audited export.

use huiji_app::actor::Actor;
use huiji_app::joining::{self, JoinOutcome, MobileProof};
use huiji_app::roster::{self, RosterError, coverage};
use huiji_core::joining::JoinForm;
use huiji_core::{AutoApproval, Channel, LifecycleAction, Org, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_vault::Field;

use crate::roster_support::{csv, id, import_as};
use crate::support::{World, truckers};

async fn list(world: &World, by: &Org, source: &str, ids: &[String]) {
    let mut rows: Vec<Vec<&str>> = vec![vec!["身份证号", "从业类型", "手机号"]];
    rows.extend(ids.iter().map(|i| vec![i.as_str(), "货车司机", "13800138000"]));
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (result, _) =
        import_as(world, &Actor::Operator, by, source, csv(&rows, ",").into_bytes(), None).await;
    assert_eq!(result.unwrap().counts.imported, u64::try_from(ids.len()).unwrap());
}

async fn join(world: &World, qr: &Org, id_number: &str, mobile: &str, proof: MobileProof) -> JoinOutcome {
    let form = JoinForm {
        name: "王晓明",
        id_number,
        mobile,
        occupation: "truck_driver",
        region_code: "340104",
        employer_name: "",
        employer_credit_code: "",
        consent_version: Some("1"),
    };
    joining::join(&world.app, &form, Channel::Qr, Some(qr), qr.join_code.clone(), proof, None).await.unwrap()
}

fn approved(outcome: &JoinOutcome) -> bool {
    matches!(outcome, JoinOutcome::Approved { .. })
}

both_databases!(roster_only_approves_listed_applicants_with_a_verified_mobile, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::RosterOnly).await;
    // Listed by the union itself, by the province above it, by a city below the province
    // but not above the union (芜湖: does not count), and by nobody.
    list(&world, &trucks, "本会", &[id(1)]).await;
    list(&world, &world.root, "全省", &[id(2)]).await;
    list(&world, &world.wuhu, "芜湖", &[id(3)]).await;
    let outcome = join(&world, &trucks, &id(1), "13800138001", MobileProof::Attested).await;
    assert!(approved(&outcome), "{outcome:?}");
    let outcome = join(&world, &trucks, &id(2), "13800138002", MobileProof::Attested).await;
    assert!(approved(&outcome), "a province-wide list counts everywhere: {outcome:?}");
    let outcome = join(&world, &trucks, &id(3), "13800138003", MobileProof::Attested).await;
    assert!(!approved(&outcome), "another city's list does not count: {outcome:?}");
    let outcome = join(&world, &trucks, &id(4), "13800138004", MobileProof::Attested).await;
    assert!(!approved(&outcome), "nobody's list: {outcome:?}");
    // Listed, but the mobile is not proven: reviewed.
    list(&world, &trucks, "本会二", &[id(5)]).await;
    let outcome = join(&world, &trucks, &id(5), "13800138005", MobileProof::None).await;
    assert!(!approved(&outcome), "{outcome:?}");

    // A descendant's list counts for the union above it.
    let county_list = world.hefei_firm.clone();
    list(&world, &county_list, "企业", &[id(6)]).await;
    let city_rule = truckers_at(&world).await;
    let outcome = join(&world, &city_rule, &id(6), "13800138006", MobileProof::Attested).await;
    assert!(approved(&outcome), "a list from below counts: {outcome:?}");

    // What the application page shows: the matches that count, with source and date.
    let bidx = world.app.keys().blind_index(Field::IdNumber, &id(2)).to_hex();
    let matches = roster::on_roster(&world.app, &bidx, &trucks).await.unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!((matches[0].source.as_str(), matches[0].imported_at), ("全省", world.app.now()));
});

/// 合肥市总工会 made roster-only (receives for the city when the QR code is its own).
async fn truckers_at(world: &World) -> Org {
    let mut hefei = world.hefei.clone();
    world.app.store().set_review_policy(hefei.id, AutoApproval::RosterOnly, 3).await.unwrap();
    hefei.auto_approval = AutoApproval::RosterOnly;
    hefei.join_code = Some("3401".to_owned());
    hefei
}

both_databases!(joins_keep_the_roster_states_current, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::Off).await;
    list(&world, &world.hefei, "交通运输局", &[id(1), id(2)]).await;
    let figures = |world: &World| {
        let app = world.app.clone();
        async move {
            let c = coverage::coverage(&app, &Actor::Operator, None).await.unwrap();
            (c.entries, c.members, c.pending)
        }
    };
    assert_eq!(figures(&world).await, (2, 0, 0));
    let outcome = join(&world, &trucks, &id(1), "13800138001", MobileProof::Attested).await;
    let JoinOutcome::Pending { application_id, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(figures(&world).await, (2, 0, 1));
    let reviewer = Actor::Officer(Box::new(world.officer("r", &world.hefei, Role::Reviewer).await));
    huiji_app::review::approve(&world.app, &reviewer, application_id.0).await.unwrap();
    assert_eq!(figures(&world).await, (2, 1, 0));
    // The non-members list is masked and leaves the member out.
    let people = coverage::non_members(&world.app, &Actor::Operator, None, 0).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(
        (people[0].mobile.as_str(), people[0].id_number.as_str()),
        ("138****8000", &*huiji_core::id_number::mask(&id(2)))
    );
});

both_databases!(the_non_members_export_needs_reveal_and_a_reason_and_is_audited, |db: TestDb| async move {
    let world = World::new(db).await;
    list(&world, &world.hefei, "交通运输局", &[id(1)]).await;
    let mut officer = world.officer("a", &world.hefei, Role::Admin).await;
    let plain = Actor::Officer(Box::new(officer.clone()));
    let refused = coverage::export_non_members(&world.app, &plain, None, "外联").await;
    assert!(matches!(refused, Err(RosterError::Forbidden)), "{refused:?}");
    officer.can_reveal = true;
    let revealer = Actor::Officer(Box::new(officer));
    let refused = coverage::export_non_members(&world.app, &revealer, None, " ").await;
    assert!(matches!(refused, Err(RosterError::ReasonRequired)), "{refused:?}");
    let outside = coverage::export_non_members(&world.app, &revealer, Some(world.wuhu.id), "外联").await;
    assert!(matches!(outside, Err(RosterError::NotFound)), "{outside:?}");
    assert!(world.audit("export.roster_non_members").await.is_empty());
    let people = coverage::export_non_members(&world.app, &revealer, None, "入会动员").await.unwrap();
    assert_eq!((people[0].id_number.as_str(), people[0].mobile.as_str()), (id(1).as_str(), "13800138000"));
    let records = world.audit("export.roster_non_members").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason.as_deref(), Some("入会动员"));
});

both_databases!(a_member_who_leaves_is_not_a_member_on_the_roster_again, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::AllVerified).await;
    list(&world, &world.hefei, "交通运输局", &[id(1), id(2), id(3)]).await;
    let admin = Actor::Officer(Box::new(world.officer("a", &world.hefei, Role::Admin).await));
    let mut memberships = Vec::new();
    for (n, mobile) in [(1, "13800138001"), (2, "13800138002"), (3, "13800138003")] {
        let outcome = join(&world, &trucks, &id(n), mobile, MobileProof::Attested).await;
        let JoinOutcome::Approved { member_number, .. } = outcome else { panic!("{outcome:?}") };
        let record = world.app.store().membership_by_number(member_number.as_str()).await.unwrap().unwrap();
        memberships.push(record.id);
    }
    let figures = || async {
        let c = coverage::coverage(&world.app, &Actor::Operator, None).await.unwrap();
        (c.entries, c.members, c.pending)
    };
    assert_eq!(figures().await, (3, 3, 0));
    let steps = [LifecycleAction::Withdraw, LifecycleAction::Expel, LifecycleAction::Deceased];
    for (membership, action) in memberships.iter().zip(steps) {
        huiji_app::members::lifecycle::change(&world.app, &admin, *membership, action, "本人申请")
            .await
            .unwrap();
    }
    assert_eq!(figures().await, (3, 0, 0), "each left: not_member again, in the same transaction");
    // The one who died is nobody to invite: not on the outreach list.
    let people = coverage::non_members(&world.app, &Actor::Operator, None, 0).await.unwrap();
    let listed: Vec<String> = people.iter().map(|p| p.id_number.clone()).collect();
    let masked = |n: u32| huiji_core::id_number::mask(&id(n));
    assert_eq!(listed, [masked(1), masked(2)]);
});
