//! The statistics page's panels from other areas, on both databases, each against a
//! recount from what those areas keep: roster coverage by occupation and importing union,
//! benefit uptake against the quota that applies to the scope (the programme's, a child
//! union's share), innovation and contest participation — and scoping (a city never sees
//! the other city's roster, grants or participants; a parent's figures hold its
//! children's).

use std::collections::BTreeMap;

use huiji_app::actor::Actor;
use huiji_app::benefits::{self, GrantStep};
use huiji_app::contest::taking::{Step, answer, start};
use huiji_app::innovation::registry::{save_model_worker, save_studio};
use huiji_app::stats::panels::Panel;
use huiji_app::stats::{Figures, StatsError, figures};
use huiji_core::contest::LetterSet;
use huiji_core::innovation::InnovationLevel;
use huiji_core::{MembershipId, Occupation, Org, OrgPath, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::benefits::{fields, member};
use crate::contest_support::{Setup, officer};
use crate::contest_taking::{asked, bank, contest};
use crate::innovation::{studio, worker};
use crate::roster_support::{csv, id, import_as};
use crate::support::World;

/// Who is listed where: (importing union, ID serial, occupation as the file writes it).
type Listed<'a> = Vec<(&'a Org, u32, &'static str)>;

async fn list(world: &World, by: &Org, source: &str, people: &[(u32, &str)]) {
    let ids: Vec<String> = people.iter().map(|(n, _)| id(*n)).collect();
    let mut rows: Vec<Vec<&str>> = vec![vec!["身份证号", "从业类型", "手机号"]];
    rows.extend(
        ids.iter().zip(people).map(|(i, (_, occupation))| vec![i.as_str(), *occupation, "13800138000"]),
    );
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (result, _) =
        import_as(world, &Actor::Operator, by, source, csv(&rows, ",").into_bytes(), None).await;
    assert_eq!(result.unwrap().counts.imported, u64::try_from(people.len()).unwrap());
}

async fn admin(world: &World, org: &Org) -> Actor {
    Actor::Officer(Box::new(world.officer(&format!("admin-{}", org.id), org, Role::Admin).await))
}

async fn panels_of(world: &World, actor: &Actor, org: &Org) -> Figures {
    figures(&world.app, actor, org.id, None).await.unwrap()
}

fn occupation_of(text: &str) -> Occupation {
    match text {
        "货车司机" => Occupation::TruckDriver,
        _ => Occupation::Courier,
    }
}

both_databases!(outreach_and_benefit_uptake_equal_recounts_within_each_scope, |db: TestDb| async move {
    let world = World::new(db).await;
    let province = admin(&world, &world.root).await;
    // Members: serials 1–4 in 合肥's firm, 5–6 in 芜湖's.
    let mut members: BTreeMap<u32, i64> = BTreeMap::new();
    for (n, org, occupation) in [
        (1, &world.hefei_firm, Occupation::TruckDriver),
        (2, &world.hefei_firm, Occupation::TruckDriver),
        (3, &world.hefei_firm, Occupation::Courier),
        (4, &world.hefei_firm, Occupation::Courier),
        (5, &world.wuhu_firm, Occupation::TruckDriver),
        (6, &world.wuhu_firm, Occupation::Courier),
    ] {
        members.insert(n, member(&world.app, org, &id(n), &format!("139000000{n:02}"), occupation).await);
    }
    // Rosters: 合肥 lists members 1–3 and two others; 芜湖 one member and one other; the
    // province members 1 and 5 and one other (counted once more, as another source).
    let hefei_list = [(1, "货车司机"), (2, "货车司机"), (3, "快递员"), (7, "货车司机"), (8, "快递员")];
    let wuhu_list = [(5, "货车司机"), (9, "快递员")];
    let province_list = [(1, "货车司机"), (5, "货车司机"), (10, "快递员")];
    list(&world, &world.hefei, "合肥市交通局", &hefei_list).await;
    list(&world, &world.wuhu, "芜湖市邮政管理局", &wuhu_list).await;
    list(&world, &world.root, "省交通运输厅", &province_list).await;
    let mut listed: Listed<'_> = Vec::new();
    listed.extend(hefei_list.iter().map(|(n, o)| (&world.hefei, *n, *o)));
    listed.extend(wuhu_list.iter().map(|(n, o)| (&world.wuhu, *n, *o)));
    listed.extend(province_list.iter().map(|(n, o)| (&world.root, *n, *o)));

    for org in [&world.root, &world.hefei, &world.wuhu, &world.hefei_firm] {
        let f = panels_of(&world, &province, org).await;
        let o = &f.panels.outreach;
        let mine: Vec<_> = listed.iter().filter(|(by, _, _)| org.path.contains(&by.path)).collect();
        let is_member = |n: &u32| members.contains_key(n);
        assert_eq!(o.entries, mine.len() as u64, "{}", org.name);
        assert_eq!(o.members, mine.iter().filter(|(_, n, _)| is_member(n)).count() as u64, "{}", org.name);
        assert_eq!(o.pending, 0);
        for occupation in [Occupation::TruckDriver, Occupation::Courier] {
            let of: Vec<_> = mine.iter().filter(|(_, _, o)| occupation_of(o) == occupation).collect();
            let row = o.by_occupation.iter().find(|r| r.key == occupation);
            let got = row.map_or((0, 0), |r| (r.entries, r.members));
            let want = (of.len() as u64, of.iter().filter(|(_, n, _)| is_member(n)).count() as u64);
            assert_eq!(got, want, "{} {occupation:?}", org.name);
        }
        let by_union: u64 = o.by_union.iter().map(|r| r.entries).sum();
        assert_eq!(by_union, o.entries, "the unions' rows add up, {}", org.name);
        // No campaign in this world: every stage of the funnel is nought.
        assert!(
            matches!(f.panels.campaigns, Panel::Ready(funnel) if funnel == huiji_store::Funnel::default())
        );
    }
    let root = panels_of(&world, &province, &world.root).await;
    let names: Vec<&str> = root.panels.outreach.by_union.iter().map(|r| r.key.1.as_str()).collect();
    assert_eq!(names, ["合肥市总工会", "安徽省总工会", "芜湖市总工会"], "most listed first");

    // Benefits: the province's programme with shares (合肥 3, 芜湖 2 of 10) and 合肥's own.
    let shares = [(world.hefei.id, "3"), (world.wuhu.id, "2")];
    let accident = benefits::create(
        &world.app,
        &province,
        world.root.id,
        &fields("意外伤害保险", "officer", "10"),
        &shares,
    )
    .await
    .unwrap();
    let hefei_admin = admin(&world, &world.hefei).await;
    let checkup =
        benefits::create(&world.app, &hefei_admin, world.hefei.id, &fields("职工体检", "officer", "5"), &[])
            .await
            .unwrap();
    let mut grants = Vec::new();
    for n in [1, 2, 3, 5] {
        grants.push(benefits::grant(&world.app, &province, accident, members[&n]).await.unwrap());
    }
    for n in [1, 4] {
        benefits::grant(&world.app, &hefei_admin, checkup, members[&n]).await.unwrap();
    }
    // One of 合肥's province grants taken back: it no longer counts.
    benefits::act(&world.app, &province, grants[1], GrantStep::Revoke("重复发放".to_owned())).await.unwrap();

    // Recount: grants not revoked whose member lives in the scope.
    let recount = |programme, within: OrgPath| {
        let store = world.app.store();
        async move {
            let all = store.programme_grants(programme, &within, 0, 1_000).await.unwrap();
            all.iter().filter(|g| g.status != huiji_core::benefit::GrantStatus::Revoked).count() as u64
        }
    };
    let uptake = |f: &Figures, name: &str| {
        f.panels.benefits.iter().find(|u| u.name == name).cloned().unwrap_or_else(|| panic!("{name}"))
    };
    let root_f = panels_of(&world, &province, &world.root).await;
    let u = uptake(&root_f, "意外伤害保险");
    assert_eq!((u.quota.total, u.share, u.granted_here), (10, false, 3));
    assert_eq!(u.granted_here, recount(accident, world.root.path.clone()).await);
    assert_eq!(uptake(&root_f, "职工体检").granted_here, 2);
    let hefei_f = panels_of(&world, &hefei_admin, &world.hefei).await;
    let u = uptake(&hefei_f, "意外伤害保险");
    assert_eq!(
        (u.quota.total, u.quota.remaining(), u.share, u.granted_here),
        (3, 1, true, 2),
        "合肥's share"
    );
    assert_eq!(u.granted_here, recount(accident, world.hefei.path.clone()).await);
    let u = uptake(&hefei_f, "职工体检");
    assert_eq!((u.quota.total, u.share, u.granted_here), (5, false, 2));
    // Below a share: its quota, this scope's grants.
    let firm_f = panels_of(&world, &hefei_admin, &world.hefei_firm).await;
    let u = uptake(&firm_f, "意外伤害保险");
    assert_eq!((u.quota.total, u.share, u.granted_here), (3, true, 2));
    assert_eq!(u.granted_here, recount(accident, world.hefei_firm.path.clone()).await);
    // 芜湖 sees the province's programme with its own share and grant, not 合肥's.
    let wuhu_admin = admin(&world, &world.wuhu).await;
    let wuhu_f = panels_of(&world, &wuhu_admin, &world.wuhu).await;
    let names: Vec<&str> = wuhu_f.panels.benefits.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["意外伤害保险"]);
    let u = uptake(&wuhu_f, "意外伤害保险");
    assert_eq!((u.quota.total, u.share, u.granted_here), (2, true, 1));
    assert_eq!(wuhu_f.panels.outreach.entries, 2, "芜湖's own roster only");
    let refused = figures(&world.app, &wuhu_admin, world.hefei.id, None).await;
    assert!(matches!(refused, Err(StatsError::NotFound)));
});

/// Takes an attempt, answering the first `right` of its five questions right.
async fn take(s: &Setup, contest: &huiji_store::ContestRecord, m: MembershipId, right: usize) {
    let mut step = start(&s.app, contest, m).await.unwrap();
    for position in 0..5u32 {
        s.advance(10_000);
        let letters = if (position as usize) < right { "B" } else { "C" };
        step = answer(&s.app, m, asked(step).attempt.id, position, LetterSet::parse(letters)).await.unwrap();
    }
    assert!(matches!(step, Step::Done(_)));
}

both_databases!(innovation_and_contest_participation_are_the_subtrees, |db: TestDb| async move {
    let s = Setup::new(db).await;
    bank(&s).await;
    let root = s.root().await;
    let contest = contest(&s, &root, 3, 2).await;
    let (hefei_trucks, feidong_trucks, wuhu_trucks) =
        (s.org("3401T").await, s.org("340122T").await, s.org("3402T").await);
    let h = [s.member(&hefei_trucks, "h0").await, s.member(&hefei_trucks, "h1").await];
    let f = s.member(&feidong_trucks, "f0").await;
    let w = [s.member(&wuhu_trucks, "w0").await, s.member(&wuhu_trucks, "w1").await];
    take(&s, &contest, h[0], 4).await;
    take(&s, &contest, h[0], 5).await; // a second attempt: still one participant
    take(&s, &contest, f, 2).await;
    take(&s, &contest, w[0], 3).await;
    let _ = (h[1], w[1]); // members who do not take part

    // Innovation: a provincial studio in 合肥 and a city one in 芜湖.
    let admin_of = |org: &Org| match officer(org, Role::Admin) {
        Actor::Officer(o) => *o,
        Actor::Operator => unreachable!(),
    };
    let (hefei, wuhu, feidong) = (s.org("3401").await, s.org("3402").await, s.org("340122").await);
    let zhang =
        save_model_worker(&s.app, &admin_of(&hefei), None, worker("张建国", &hefei_trucks)).await.unwrap();
    save_studio(&s.app, &admin_of(&hefei), None, studio("张建国工匠创新工作室", zhang, &hefei_trucks))
        .await
        .unwrap();
    let li = save_model_worker(&s.app, &admin_of(&wuhu), None, worker("李红", &wuhu_trucks)).await.unwrap();
    let mut city = studio("李红创新工作室", li, &wuhu_trucks);
    city.level = InnovationLevel::City;
    save_studio(&s.app, &admin_of(&wuhu), None, city).await.unwrap();

    let viewer = officer(&root, Role::Viewer);
    let participants = |f: &Figures| f.panels.contests.iter().map(|c| c.participants).sum::<i64>();
    for (org, want, provincial, city) in
        [(&root, 3, 1, 1), (&hefei, 2, 1, 0), (&feidong, 1, 0, 0), (&wuhu, 1, 0, 1)]
    {
        let fig = figures(&s.app, &viewer, org.id, None).await.unwrap();
        assert_eq!(participants(&fig), want, "{}", org.name);
        // The contest's own board is the recount.
        let board = s.store().union_board(&contest, org.id).await.unwrap().unwrap();
        assert_eq!(i64::try_from(board.node.participants).unwrap(), want, "{}", org.name);
        let i = &fig.panels.innovation;
        assert_eq!(
            (i.studios_at(InnovationLevel::Provincial), i.studios_at(InnovationLevel::City)),
            (provincial, city),
            "{}",
            org.name
        );
    }
    // A county officer sees their own participants only.
    let county = officer(&feidong, Role::Viewer);
    let own = figures(&s.app, &county, feidong.id, None).await.unwrap();
    assert_eq!(participants(&own), 1);
    assert_eq!(own.panels.contests[0].name, contest.name);
    assert!(figures(&s.app, &county, wuhu.id, None).await.is_err());
});
