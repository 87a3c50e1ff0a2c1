//! Stations: who may manage which (audited), the import's rejected rows, owners and
//! duplicates, the nearest search from a WGS-84 position, and visits at a station.

use std::io::Cursor;

use huiji_app::actor::Actor;
use huiji_app::joining::card_token;
use huiji_app::stations::import::{Duplicate, Rejected, import};
use huiji_app::stations::visits::{Counted, Visitor, recent, record};
use huiji_app::stations::{StationError, figures::figures, manage, nearest, nearest::in_region};
use huiji_core::geo::{Gcj02, Wgs84};
use huiji_core::stations::{StationCells, StationId, StationKind};
use huiji_core::{Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, StationQuery, both_databases};
use huiji_tabular::{Limits, Table};

use crate::contest_support::{NOW, Setup, officer};

fn cells<'a>(name: &'a str, kind: &'a str, county: &'a str, picker: &'a str) -> StationCells<'a> {
    StationCells {
        name,
        kind,
        address: "合肥市某路 1 号",
        county,
        lng: picker,
        lat: "",
        phone: "0551-12351",
        hours: "24小时",
        amenities: "休息、饮水、充电",
    }
}

async fn actions(s: &Setup, action: &str) -> Vec<String> {
    let root = s.root().await;
    let query = AuditQuery {
        within: root.path,
        action: Some(action.to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 100,
    };
    s.store().audit_records(&query).await.unwrap().into_iter().filter_map(|r| r.subject).collect()
}

async fn add(s: &Setup, org: &Org, name: &str, kind: &str, picker: &str) -> StationId {
    manage::create(&s.app, &officer(org, Role::Admin), org.id, &cells(name, kind, "340104", picker))
        .await
        .unwrap()
}

both_databases!(admins_of_the_owning_subtree_manage_stations_audited, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let (hefei, feidong, wuhu) = (s.org("3401").await, s.org("340122").await, s.org("3402").await);
    let station = cells("蜀山区户外劳动者服务站", "户外劳动者驿站", "340104", "117.227,31.820");
    let id = manage::create(&s.app, &officer(&hefei, Role::Admin), feidong.id, &station).await.unwrap();
    let got = s.store().station(id).await.unwrap().unwrap();
    assert_eq!((got.org, got.kind), (feidong.id, StationKind::OutdoorRestStop));
    assert_eq!(got.location, Gcj02::parse_amap("117.227,31.820").unwrap());

    let viewer = manage::create(&s.app, &officer(&hefei, Role::Viewer), feidong.id, &station).await;
    assert!(matches!(viewer, Err(StationError::Forbidden)), "{viewer:?}");
    let outside = manage::create(&s.app, &officer(&wuhu, Role::Admin), feidong.id, &station).await;
    assert!(matches!(outside, Err(StationError::NotFound)), "{outside:?}");
    let again = manage::create(&s.app, &officer(&feidong, Role::Admin), feidong.id, &station).await;
    assert!(matches!(again, Err(StationError::NameTaken)), "{again:?}");
    let swapped = cells("反了", "工会驿站", "340104", "31.820,117.227");
    match manage::create(&s.app, &Actor::Operator, feidong.id, &swapped).await {
        Err(StationError::Invalid(errors)) => assert_eq!(errors[0].code, "location.latitude"),
        other => panic!("{other:?}"),
    }

    // A wuhu admin cannot see it; a feidong admin changes, closes and deletes it.
    assert!(matches!(
        manage::set_closed(&s.app, &officer(&wuhu, Role::Admin), id, true).await,
        Err(StationError::NotFound)
    ));
    assert!(matches!(
        manage::delete(&s.app, &officer(&feidong, Role::Reviewer), id).await,
        Err(StationError::Forbidden)
    ));
    let admin = officer(&feidong, Role::Admin);
    let renamed = cells("肥东县司机之家", "司机之家", "340122", "117.47,31.88");
    manage::update(&s.app, &admin, id, &renamed).await.unwrap();
    manage::set_closed(&s.app, &admin, id, true).await.unwrap();
    let got = s.store().station(id).await.unwrap().unwrap();
    assert_eq!((got.name.as_str(), got.kind, got.closed), ("肥东县司机之家", StationKind::DriverHome, true));
    let listed = manage::list(
        &s.app,
        &officer(&wuhu, Role::Admin),
        StationQuery { within: None, region: None, kind: None, open_only: false, after: None, limit: 10 },
    )
    .await
    .unwrap();
    assert!(listed.is_empty());
    manage::delete(&s.app, &admin, id).await.unwrap();
    assert!(s.store().station(id).await.unwrap().is_none());

    assert_eq!(actions(&s, "station.create").await, [format!("station:{id} 蜀山区户外劳动者服务站")]);
    assert_eq!(
        actions(&s, "station.update").await,
        [format!("station:{id} 肥东县司机之家 closed"), format!("station:{id} 肥东县司机之家")]
    );
    assert_eq!(actions(&s, "station.delete").await, [format!("station:{id} 肥东县司机之家")]);
});

const CSV: &str = "\u{feff}名称,类型,地址,区县/行政区划代码,经度,纬度,电话,开放时间,服务项目,备注\n\
肥东县户外劳动者服务站（示例）,户外劳动者驿站,肥东县店埠镇 1 号,340122,117.47,31.88,0551-12351,24小时,休息、饮水、图书角,\n\
,加油站,,鼓楼区,31.82,117.227,call,周一至周五,,\n\
蜀山区司机之家,司机之家,合肥市蜀山区 2 号,合肥市蜀山区,117.227,31.820,,8:00-20:00,淋浴,\n\
肥东县户外劳动者服务站（示例）,户外劳动者驿站,肥东县店埠镇 1 号,340122,117.47,31.88,0551-12351,24小时,休息,\n\
芜湖市驿站,工会驿站,芜湖市 3 号,340202,118.38,31.33,,9-17,,\n";

fn table(text: &str) -> Table {
    Table::from_reader(Cursor::new(text.as_bytes().to_vec()), None, Limits::default()).unwrap()
}

both_databases!(imports_report_rejects_duplicates_and_owners, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let hefei = s.org("3401").await;
    let report = import(&s.app, &officer(&hefei, Role::Admin), None, table(CSV)).await.unwrap();
    assert_eq!((report.rows, report.added), (5, 2));
    assert_eq!(report.unused_headers, ["备注"]);
    assert_eq!(
        report.rejected,
        [
            Rejected {
                row: 3,
                problems: vec![
                    "name.missing",
                    "kind.unknown",
                    "address.missing",
                    "county.ambiguous",
                    "location.latitude",
                    "phone.format",
                    "hours.format"
                ],
            },
            Rejected { row: 6, problems: vec!["owner.forbidden"] },
        ]
    );
    assert_eq!(report.duplicates.len(), 1);
    let Duplicate { row, of } = report.duplicates[0];
    assert_eq!(row, 5);
    let first = s.store().station(of).await.unwrap().unwrap();
    // Owned by the county's federation.
    assert_eq!(first.org, s.org("340122").await.id);
    assert_eq!(report.unrecognised, [(2, vec!["图书角".to_owned()])]);

    // The operator imports everything; a second run adds nothing.
    let all = import(&s.app, &Actor::Operator, None, table(CSV)).await.unwrap();
    assert_eq!((all.added, all.duplicates.len(), all.rejected.len()), (1, 3, 1));
    let again = import(&s.app, &Actor::Operator, None, table(CSV)).await.unwrap();
    assert_eq!((again.added, again.duplicates.len()), (0, 4));
    // With a named owner, every station is that union's.
    let feidong = s.org("340122").await;
    let owned = import(&s.app, &officer(&feidong, Role::Admin), Some(feidong.id), table(CSV)).await.unwrap();
    assert_eq!((owned.added, owned.duplicates.len()), (2, 2));
    let outside = import(&s.app, &officer(&feidong, Role::Admin), Some(hefei.id), table(CSV)).await;
    assert!(matches!(outside, Err(StationError::NotFound)), "{outside:?}");
    let headless = import(&s.app, &Actor::Operator, None, table("甲,乙\n1,2\n")).await;
    assert!(matches!(headless, Err(StationError::File(_))), "{headless:?}");
    assert_eq!(actions(&s, "station.import").await.len(), 4);
});

both_databases!(the_nearest_open_stations_from_a_phone_position, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let hefei = s.org("3401").await;
    // The phone reports Tiananmen in WGS-84; its GCJ-02 is 39.910123,116.403724.
    let phone = Wgs84::new(39.90872, 116.39748).unwrap();
    let gcj = phone.to_gcj02();
    assert!(gcj.distance_m(Gcj02::new(39.910123, 116.403724).unwrap()) < 0.5);
    let at_gcj = add(&s, &hefei, "天安门站", "工会驿站", "116.403724,39.910123").await;
    let at_wgs = add(&s, &hefei, "原始坐标站", "司机之家", "116.39748,39.90872").await;
    let closed = add(&s, &hefei, "闭站", "工会驿站", "116.4037,39.9101").await;
    let far = add(&s, &hefei, "合肥站", "工会驿站", "117.227,31.820").await;
    manage::set_closed(&s.app, &officer(&hefei, Role::Admin), closed, true).await.unwrap();

    let found = nearest(&s.app, phone, 10, None).await.unwrap();
    let ids: Vec<StationId> = found.iter().map(|n| n.station.id).collect();
    assert_eq!(ids, [at_gcj, at_wgs, far]);
    assert!(found[0].distance_m < 0.5, "{}", found[0].distance_m);
    // The unconverted point is the offset away: several hundred metres.
    assert!((500.0..700.0).contains(&found[1].distance_m), "{}", found[1].distance_m);
    assert!(found[2].distance_m > 800_000.0);
    let one = nearest(&s.app, phone, 1, None).await.unwrap();
    assert_eq!(one.len(), 1);
    let homes = nearest(&s.app, phone, 10, Some(StationKind::DriverHome)).await.unwrap();
    assert_eq!(homes.iter().map(|n| n.station.id).collect::<Vec<_>>(), [at_wgs]);
    // From Hefei the Beijing stations are further than the Hefei one.
    let hefei_phone = Gcj02::new(31.820, 117.227).unwrap().to_wgs84();
    let from_hefei = nearest(&s.app, hefei_phone, 2, None).await.unwrap();
    assert_eq!(from_hefei[0].station.id, far);
    // Without a position: a county's open stations, nearest first to the county's centre
    // (the mean of its open stations: two in Beijing, one in Hefei, so a third of the way
    // south from Beijing's pair — the southern of the two, `at_wgs`, is the nearer).
    let county = in_region(&s.app, "340104".parse().unwrap(), 10, None).await.unwrap();
    assert_eq!(county.iter().map(|r| r.station.id).collect::<Vec<_>>(), [at_wgs, at_gcj, far]);
    let centre =
        Gcj02::new((39.910123 + 39.90872 + 31.820) / 3.0, (116.403724 + 116.39748 + 117.227) / 3.0).unwrap();
    for n in &county {
        assert!((n.distance_m - centre.distance_m(n.station.location)).abs() < 1.0, "{}", n.distance_m);
    }
    assert!((county[0].distance_m - 300_733.0).abs() < 5.0, "{}", county[0].distance_m);
    assert!(county[2].distance_m > county[1].distance_m + 200_000.0);
    // A kind narrows the list, not the centre.
    let homes =
        in_region(&s.app, "340104".parse().unwrap(), 10, Some(StationKind::DriverHome)).await.unwrap();
    assert_eq!(homes.iter().map(|r| r.station.id).collect::<Vec<_>>(), [at_wgs]);
    assert!((homes[0].distance_m - county[0].distance_m).abs() < 0.01);
    assert!(in_region(&s.app, "340122".parse().unwrap(), 10, None).await.unwrap().is_empty());
});

both_databases!(staff_count_member_and_anonymous_visits, |db: TestDb| async move {
    let s = Setup::new(db).await;
    let (hefei, wuhu) = (s.org("3401").await, s.org("3402").await);
    let station = add(&s, &hefei, "蜀山区驿站", "工会驿站", "117.227,31.820").await;
    let member = s.member(&s.org("3401T").await, "visitor").await;
    let number = s.store().membership(member.0).await.unwrap().unwrap().member_number.unwrap();
    let token = card_token(s.app.keys(), &number);
    let staff = officer(&hefei, Role::Reviewer);
    assert_eq!(record(&s.app, &staff, station, Visitor::Member(&token)).await.unwrap(), Counted::Yes);
    // The same card again today (a double tap, back after lunch): said, not counted.
    let again = record(&s.app, &staff, station, Visitor::Member(&token)).await.unwrap();
    assert_eq!(again, Counted::AlreadyToday);
    record(&s.app, &staff, station, Visitor::Anonymous).await.unwrap();
    record(&s.app, &staff, station, Visitor::Anonymous).await.unwrap();
    let forged = record(&s.app, &staff, station, Visitor::Member("not-a-card")).await;
    assert!(matches!(forged, Err(StationError::NotFound)), "{forged:?}");
    let viewer = record(&s.app, &officer(&hefei, Role::Viewer), station, Visitor::Anonymous).await;
    assert!(matches!(viewer, Err(StationError::Forbidden)), "{viewer:?}");
    let elsewhere = record(&s.app, &officer(&wuhu, Role::Admin), station, Visitor::Anonymous).await;
    assert!(matches!(elsewhere, Err(StationError::NotFound)), "{elsewhere:?}");
    s.advance(86_400_000);
    record(&s.app, &staff, station, Visitor::Anonymous).await.unwrap();
    let days = recent(&s.app, &staff, station, 7).await.unwrap();
    assert_eq!(
        days.iter().map(|d| (d.day, d.members, d.anonymous)).collect::<Vec<_>>(),
        [(NOW.china_date(), 1, 2), (NOW.plus_days(1).china_date(), 0, 1)]
    );
    let today = NOW.plus_days(1).china_date();
    let f = figures(&s.app, &staff, hefei.id, NOW.china_date(), today).await.unwrap();
    assert_eq!((f.member_visits, f.anonymous_visits), (1, 3));
    assert_eq!(f.by_kind, [(StationKind::ServiceStation, 1)]);
    assert!(matches!(figures(&s.app, &staff, wuhu.id, today, today).await, Err(StationError::NotFound)));
    // The next day the card counts again, once.
    assert_eq!(record(&s.app, &staff, station, Visitor::Member(&token)).await.unwrap(), Counted::Yes);
    assert_eq!(
        record(&s.app, &staff, station, Visitor::Member(&token)).await.unwrap(),
        Counted::AlreadyToday
    );
    let days = recent(&s.app, &staff, station, 1).await.unwrap();
    assert_eq!(days.iter().map(|d| (d.members, d.anonymous)).collect::<Vec<_>>(), [(1, 1)]);
});
