//! Legal-aid cases in the statistics page, on both databases: open, overdue (either
//! deadline, as the case list marks it), closed and recovered, in total and by category,
//! each equal to a recount over the cases the scope's officers see; a city never counts
//! the other city's cases, and the province's hold both.

use std::sync::atomic::Ordering;

use huiji_app::actor::Actor;
use huiji_app::cases::{self, OfficerAction};
use huiji_app::stats::figures;
use huiji_core::case::{CaseCategory, CaseForm, CaseId};
use huiji_core::{CivilDate, Org, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{CaseTally, both_databases};

use crate::cases::{code, set};
use crate::support::World;

/// Files a case of `category` in `region` through the worker's use case.
async fn file(world: &World, category: CaseCategory, region: &str) -> CaseId {
    let code = code(world).await;
    let form = CaseForm {
        category: category.code(),
        party: "某平台",
        amount: "5000",
        region_code: region,
        description: "平台扣款不退。",
        mobile: "13800138000",
    };
    let filed = cases::file(&world.app, &form, &code).await.unwrap();
    // One code a minute per mobile.
    world.clock.0.fetch_add(61_000, Ordering::SeqCst);
    filed.id
}

async fn admin(world: &World, org: &Org) -> Actor {
    Actor::Officer(Box::new(world.officer(&format!("admin-{}", org.id), org, Role::Admin).await))
}

/// The figures recounted from the case list the scope's officer sees (core marks each
/// open case overdue or not).
async fn recount(world: &World, actor: &Actor) -> (i64, i64, i64) {
    let (open, ended) = cases::cases(&world.app, actor).await.unwrap();
    let overdue = open.iter().filter(|c| c.overdue.is_some()).count();
    let closed = ended.iter().filter(|c| c.record.outcome.is_some()).count();
    (i64::try_from(open.len()).unwrap(), i64::try_from(overdue).unwrap(), i64::try_from(closed).unwrap())
}

async fn tally(world: &World, actor: &Actor, org: &Org) -> CaseTally {
    figures(&world.app, actor, org.id, None).await.unwrap().cases
}

both_databases!(case_figures_equal_a_recount_of_the_case_list_in_each_scope, |db: TestDb| async move {
    let world = World::new(db).await;
    // Monday 2 November 2026, 10:00 China time.
    let monday =
        Timestamp(Timestamp::china_day_start(CivilDate::new(2026, 11, 2).unwrap()).0 + 10 * 3_600_000);
    set(&world, monday);
    let hefei = admin(&world, &world.hefei).await;
    let wuhu = admin(&world, &world.wuhu).await;
    let province = admin(&world, &world.root).await;

    let recovered = file(&world, CaseCategory::WageArrears, "340122").await;
    let ignored = file(&world, CaseCategory::WorkInjury, "340104").await;
    let accepted = file(&world, CaseCategory::WageArrears, "340104").await;
    let elsewhere = file(&world, CaseCategory::PlatformRules, "340202").await;
    cases::act(&world.app, &hefei, recovered, OfficerAction::Accept).await.unwrap();
    let close = OfficerAction::Close {
        outcome: "recovered".to_owned(),
        amount: "3200.50".to_owned(),
        note: String::new(),
    };
    cases::act(&world.app, &hefei, recovered, close).await.unwrap();
    cases::act(&world.app, &hefei, accepted, OfficerAction::Accept).await.unwrap();

    // Still Monday: nothing overdue yet.
    let now = tally(&world, &hefei, &world.hefei).await;
    assert_eq!((now.open, now.overdue, now.closed, now.recovered_fen), (2, 0, 1, 320_050));
    // Thursday: the ignored case and 芜湖's missed their first response (1 working day);
    // the accepted one is in time for its resolution.
    set(&world, Timestamp(monday.0 + 3 * 86_400_000));
    let city = tally(&world, &hefei, &world.hefei).await;
    assert_eq!((city.open, city.overdue, city.closed, city.recovered_fen), (2, 1, 1, 320_050));
    assert_eq!((city.open, city.overdue, city.closed), recount(&world, &hefei).await);
    let by: Vec<_> =
        city.by_category.iter().map(|c| (c.category, c.open, c.overdue, c.closed, c.recovered_fen)).collect();
    assert_eq!(
        by,
        [(CaseCategory::WageArrears, 1, 0, 1, 320_050), (CaseCategory::WorkInjury, 1, 1, 0, 0)],
        "categories in their order, none without a case"
    );
    let other = tally(&world, &wuhu, &world.wuhu).await;
    assert_eq!((other.open, other.overdue, other.closed), (1, 1, 0), "芜湖 sees only its own");
    assert_eq!((other.open, other.overdue, other.closed), recount(&world, &wuhu).await);
    let all = tally(&world, &province, &world.root).await;
    assert_eq!((all.open, all.overdue, all.closed, all.recovered_fen), (3, 2, 1, 320_050));
    assert_eq!((all.open, all.overdue, all.closed), recount(&world, &province).await);
    assert_eq!(all.by_category.len(), 3);
    // A city cannot ask for the other city's figures.
    assert!(figures(&world.app, &wuhu, world.hefei.id, None).await.is_err());
    let _ = (ignored, elsewhere);
});
