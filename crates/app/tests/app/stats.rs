//! Statistics: every figure against a recount from the base tables on a dataset with
//! joins, leavings, transfers across subtrees and dates; members on a past date across a
//! transfer and a withdrawal; scoping (a county never sees a sibling; a parent's members
//! are its own and its children's); targets (admins only, audited, with progress).

use std::collections::BTreeMap;

use huiji_app::stats::targets::{progress, set};
use huiji_app::stats::{StatsError, figures};
use huiji_core::joining::Landing;
use huiji_core::{
    Channel, CivilDate, Decision, LifecycleAction, MembershipStatus, Occupation, Org, Role, Timestamp,
    TransferStatus,
};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, Sealed, SubmitOutcome, both_databases};

use crate::contest_support::{NOW, Setup, officer};

const DAY: i64 = 86_400_000;

/// A member of `org` who joined `days_ago` days before [`NOW`] through `channel`.
async fn joined(
    s: &Setup,
    org: &Org,
    tag: &str,
    occupation: Occupation,
    channel: Channel,
    days_ago: i64,
) -> i64 {
    let sealed = |v: String| Sealed { ciphertext: v.clone().into_bytes(), blind_index: v };
    let at = Timestamp(NOW.0 - days_ago * DAY);
    let new = NewApplication {
        channel,
        source: org.join_code.clone(),
        receiving_org: org.id,
        landing: Some(Landing::Union(org.id)),
        name: "王晓明".to_owned(),
        id_number: sealed(format!("id-{tag}")),
        mobile: sealed(format!("m-{tag}")),
        sex: huiji_core::Sex::Male,
        occupation,
        region_code: org.region.to_string(),
        employer_name: None,
        employer_credit_code: None,
        consent_version: "1".to_owned(),
        mobile_verified: true,
        decision: Decision::Approve,
        review_deadline: Timestamp(at.0 + 3 * DAY),
        mobile_bound_elsewhere: false,
        real_name: huiji_core::RealNameCheck::NotConfigured,
        consent_at: at,
        platform_id: None,
        external_ref: None,
    };
    match s.store().submit_application(&new, at).await.unwrap() {
        SubmitOutcome::Approved { membership_id, .. } => membership_id,
        other => panic!("expected an approval, got {other:?}"),
    }
}

/// Members held within `org`'s subtree at the end of `date`, recounted from every
/// membership's own events: where it lived and whether it was held then.
async fn recount_on(s: &Setup, ids: &[i64], org: &Org, date: CivilDate) -> BTreeMap<Occupation, i64> {
    let end = Timestamp::china_day_start(date).0 + DAY;
    let mut out = BTreeMap::new();
    for id in ids {
        let m = s.store().membership(*id).await.unwrap().unwrap();
        let mut home: Option<i64> = None;
        for e in s.store().membership_events(*id).await.unwrap().into_iter().filter(|e| e.at < end) {
            match e.kind.code() {
                "joined" => home = e.to_org_id,
                "withdraw" | "expel" | "deceased" => home = None,
                _ if e.from_org_id.is_some() && e.from_org_id != e.to_org_id => home = e.to_org_id,
                _ => {}
            }
        }
        if let Some(home) = home {
            let union = s.store().org(huiji_core::OrgId(home)).await.unwrap().unwrap();
            if org.path.contains(&union.path) {
                *out.entry(m.occupation).or_default() += 1;
            }
        }
    }
    out
}

struct Data {
    ids: Vec<i64>,
    /// The member moved 肥东 → 芜湖 40 days ago and withdrawn 10 days ago.
    mover: i64,
}

async fn dataset(s: &Setup) -> Data {
    let (feidong, hefei_trucks, wuhu_trucks) =
        (s.org("340122T").await, s.org("3401T").await, s.org("3402T").await);
    let mut ids = Vec::new();
    let occupations = [Occupation::TruckDriver, Occupation::Courier];
    let channels = [Channel::Qr, Channel::Portal, Channel::Offline];
    for i in 0..18i64 {
        let org = [&feidong, &hefei_trucks, &wuhu_trucks][usize::try_from(i % 3).unwrap()];
        let occupation = occupations[usize::try_from(i % 2).unwrap()];
        let channel = channels[usize::try_from(i % 3).unwrap()];
        ids.push(joined(s, org, &format!("s{i}"), occupation, channel, 200 - i * 9).await);
    }
    let mover = ids[0];
    let store = s.store();
    let moved = Timestamp(NOW.0 - 40 * DAY);
    let t = store.request_transfer(mover, wuhu_trucks.id, "member", "工作调动", moved).await.unwrap();
    assert!(store.answer_transfer(t, TransferStatus::Requested, true, "user:w", moved).await.unwrap());
    let left = Timestamp(NOW.0 - 10 * DAY);
    assert!(store.apply_lifecycle(mover, LifecycleAction::Withdraw, "user:w", "退会", left).await.unwrap());
    assert!(store.apply_lifecycle(ids[4], LifecycleAction::Retain, "user:h", "失业", left).await.unwrap());
    assert!(store.apply_lifecycle(ids[5], LifecycleAction::Deceased, "user:h", "去世", left).await.unwrap());
    Data { ids, mover }
}

both_databases!(
    every_figure_equals_a_recount_and_members_on_a_date_follow_the_events,
    |db: TestDb| async move {
        let s = Setup::new(db).await;
        let data = dataset(&s).await;
        let (root, hefei, feidong, wuhu) =
            (s.root().await, s.org("3401").await, s.org("340122").await, s.org("3402").await);
        let admin = officer(&root, Role::Admin);
        for org in [&root, &hefei, &feidong, &wuhu] {
            let f = figures(&s.app, &admin, org.id, None).await.unwrap();
            let today = NOW.china_date();
            let now: BTreeMap<_, _> = f.by_occupation.iter().copied().collect();
            assert_eq!(now, recount_on(&s, &data.ids, org, today).await, "now, {}", org.name);
            assert_eq!(f.held, i64::try_from(s.store().count_members(&org.path).await.unwrap()).unwrap());
            assert_eq!(f.by_channel.iter().map(|c| c.members).sum::<i64>(), f.held);
            let statuses: i64 = f.by_status.iter().map(|(_, n)| n).sum();
            assert!(statuses >= f.held);
            // A parent's members are its own and its children's (none of these holds its own).
            assert_eq!(f.by_child.iter().map(|c| c.held).sum::<i64>(), f.held, "{}", org.name);
            // Members on each date: before the move, between the move and the withdrawal, after.
            for days_ago in [800, 400, 334, 190, 100, 41, 40, 39, 11, 10, 9, 0] {
                let date = Timestamp(NOW.0 - days_ago * DAY).china_date();
                let on = figures(&s.app, &admin, org.id, Some(date)).await.unwrap().on.unwrap();
                let recount = recount_on(&s, &data.ids, org, date).await;
                let got: BTreeMap<_, _> = on.by_occupation.iter().copied().collect();
                assert_eq!(got, recount, "{} on {date}", org.name);
                assert_eq!(on.held, recount.values().sum::<i64>());
            }
            // Months: the joins shown are the joins of those months, the net the change.
            let joins: i64 = f.months.iter().map(|m| m.flows.joined).sum();
            let first = f.months.first().unwrap().key;
            let recount_joins = {
                let mut n = 0;
                for id in &data.ids {
                    let m = s.store().membership(*id).await.unwrap().unwrap();
                    let e = s.store().membership_events(*id).await.unwrap().remove(0);
                    let union =
                        s.store().org(huiji_core::OrgId(e.to_org_id.unwrap())).await.unwrap().unwrap();
                    let month = huiji_core::stats::month_key(Timestamp(m.joined_at).china_date());
                    n += i64::from(month >= first && org.path.contains(&union.path));
                }
                n
            };
            assert_eq!(joins, recount_joins, "joins, {}", org.name);
            let start = huiji_core::stats::date_of_day_key(first * 100 + 1).unwrap().plus_days(-1).unwrap();
            let before = figures(&s.app, &admin, org.id, Some(start)).await.unwrap().on.unwrap().held;
            assert_eq!(before + f.months.iter().map(|m| m.flows.net()).sum::<i64>(), f.held, "{}", org.name);
        }
        // The mover: counted in 肥东 before the move, in 芜湖 after, nowhere after leaving.
        let on = |org: Org, days_ago: i64| {
            let (s, admin) = (&s, admin.clone());
            async move {
                let date = Timestamp(NOW.0 - days_ago * DAY).china_date();
                figures(&s.app, &admin, org.id, Some(date)).await.unwrap().on.unwrap().held
            }
        };
        assert_eq!(on(feidong.clone(), 41).await - on(feidong.clone(), 40).await, 1);
        assert_eq!(on(wuhu.clone(), 40).await - on(wuhu.clone(), 41).await, 1);
        // That day the mover withdrew and another of 芜湖's members died.
        assert_eq!(on(wuhu.clone(), 11).await - on(wuhu.clone(), 10).await, 2);
        assert_eq!(
            on(root.clone(), 41).await,
            on(root.clone(), 40).await,
            "a move within the province changes nothing"
        );
        let m = s.store().membership(data.mover).await.unwrap().unwrap();
        assert_eq!(m.status, MembershipStatus::Withdrawn);
        // Transfers show only across an edge: out of 合肥 and into 芜湖, not at the province.
        let moved_out =
            |f: &huiji_app::stats::Figures| f.months.iter().map(|m| m.flows.moved_out).sum::<i64>();
        let moved_in = |f: &huiji_app::stats::Figures| f.months.iter().map(|m| m.flows.moved_in).sum::<i64>();
        let hefei_f = figures(&s.app, &admin, hefei.id, None).await.unwrap();
        let wuhu_f = figures(&s.app, &admin, wuhu.id, None).await.unwrap();
        let root_f = figures(&s.app, &admin, root.id, None).await.unwrap();
        assert_eq!((moved_out(&hefei_f), moved_in(&wuhu_f)), (1, 1));
        assert_eq!((moved_out(&root_f), moved_in(&root_f)), (0, 0));
        assert_eq!(root_f.months.iter().map(|m| m.flows.deceased).sum::<i64>(), 1);
        assert!(root_f.busiest_day.is_some());
    }
);

both_databases!(a_county_never_sees_a_sibling, |db: TestDb| async move {
    let s = Setup::new(db).await;
    dataset(&s).await;
    let (feidong, wuhu, hefei) = (s.org("340122").await, s.org("3402").await, s.org("3401").await);
    let county = officer(&feidong, Role::Viewer);
    assert!(matches!(figures(&s.app, &county, wuhu.id, None).await, Err(StatsError::NotFound)));
    assert!(matches!(figures(&s.app, &county, hefei.id, None).await, Err(StatsError::NotFound)));
    let own = figures(&s.app, &county, feidong.id, None).await.unwrap();
    assert_eq!(own.held, i64::try_from(s.store().count_members(&feidong.path).await.unwrap()).unwrap());
    assert!(matches!(progress(&s.app, &county, wuhu.id, 2026).await, Err(StatsError::NotFound)));
});

both_databases!(admins_set_targets_audited_and_see_progress, |db: TestDb| async move {
    let s = Setup::new(db).await;
    dataset(&s).await;
    let (root, hefei, wuhu) = (s.root().await, s.org("3401").await, s.org("3402").await);
    let trucks = Some(Occupation::TruckDriver);
    for role in [Role::Viewer, Role::Reviewer] {
        let refused = set(&s.app, &officer(&hefei, role), hefei.id, trucks, 2026, 560_000).await;
        assert!(matches!(refused, Err(StatsError::Forbidden)), "{refused:?}");
    }
    let outside = set(&s.app, &officer(&wuhu, Role::Admin), hefei.id, trucks, 2026, 10).await;
    assert!(matches!(outside, Err(StatsError::NotFound)));
    for (members, year) in [(0, 2026), (100_000_001, 2026), (10, 1999)] {
        let bad = set(&s.app, &officer(&root, Role::Admin), hefei.id, trucks, year, members).await;
        assert!(matches!(bad, Err(StatsError::InvalidTarget)), "{members} {year}");
    }
    let admin = officer(&hefei, Role::Admin);
    set(&s.app, &admin, hefei.id, trucks, 2026, 100).await.unwrap();
    set(&s.app, &admin, hefei.id, trucks, 2026, 50).await.unwrap();
    set(&s.app, &admin, hefei.id, None, 2026, 40).await.unwrap();
    let lines = progress(&s.app, &officer(&root, Role::Viewer), root.id, 2026).await.unwrap();
    assert_eq!(lines.len(), 2, "a second target for the same union, occupation and year replaces the first");
    let by_occupation = s.store().count_members_by_occupation(&hefei.path).await.unwrap();
    let trucks_now = by_occupation.iter().find(|(c, _)| c == "truck_driver").map_or(0, |(_, n)| *n);
    let all_now = s.store().count_members(&hefei.path).await.unwrap();
    for line in &lines {
        assert_eq!(line.target.org, hefei.id);
        match line.target.occupation {
            Some(Occupation::TruckDriver) => {
                assert_eq!((line.target.members, line.members), (50, i64::try_from(trucks_now).unwrap()));
            }
            None => assert_eq!((line.target.members, line.members), (40, i64::try_from(all_now).unwrap())),
            other => panic!("{other:?}"),
        }
    }
    assert!(progress(&s.app, &admin, hefei.id, 2025).await.unwrap().is_empty());
    assert!(progress(&s.app, &officer(&wuhu, Role::Admin), wuhu.id, 2026).await.unwrap().is_empty());
    let audited: Vec<_> = s
        .store()
        .audit_records(&huiji_store::AuditQuery {
            within: root.path.clone(),
            action: Some("stats.target".to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 3);
    assert!(audited.iter().all(|r| r.scope_path == hefei.path.as_str()));
});
