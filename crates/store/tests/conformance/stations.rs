//! Service stations on both databases: add, change, close and delete with the typed
//! name conflict; imports that report duplicates and add nothing the second time; the
//! box query the nearest search grows; subtree pages; visits counted per day (also under
//! concurrency) and the figures.

use std::sync::Arc;

use huiji_core::geo::Gcj02;
use huiji_core::stations::{SearchBox, StationCells, StationDraft, StationId, StationKind, parse_station};
use huiji_core::{Org, RegionTable};
use huiji_store::testing::TestDb;
use huiji_store::{Conflict, Imported, StationQuery, Store, StoreError, both_databases};

use crate::fixtures::{AT, DAY, tree};

/// A station draft as the import would parse it.
pub(crate) fn draft(name: &str, kind: &str, county: &str, lng: f64, lat: f64) -> StationDraft {
    let (lng, lat) = (format!("{lng}"), format!("{lat}"));
    parse_station(
        &StationCells {
            name,
            kind,
            address: "合肥市某路 1 号",
            county,
            lng: &lng,
            lat: &lat,
            phone: "0551-12351",
            hours: "8:00-20:00",
            amenities: "休息、饮水",
        },
        RegionTable::national(),
    )
    .unwrap()
}

fn query(within: &Org) -> StationQuery {
    StationQuery {
        within: Some(within.path.clone()),
        region: None,
        kind: None,
        open_only: false,
        after: None,
        limit: 100,
    }
}

async fn names(store: &Arc<dyn Store>, q: &StationQuery) -> Vec<String> {
    store.stations(q).await.unwrap().into_iter().map(|s| s.name).collect()
}

both_databases!(stations_are_added_changed_closed_and_deleted, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let first = draft("蜀山区户外劳动者服务站", "户外劳动者驿站", "340104", 117.227, 31.820);
    let id = store.create_station(t.hefei.id, &first, AT).await.unwrap();
    let got = store.station(id).await.unwrap().unwrap();
    assert_eq!((got.org, &got.org_path, &got.name), (t.hefei.id, &t.hefei.path, &first.name));
    assert_eq!(
        (got.kind, got.county, got.location),
        (StationKind::OutdoorRestStop, first.county, first.location)
    );
    assert_eq!((&got.phone, &got.hours, got.amenities), (&first.phone, &first.hours, first.amenities));
    assert!(!got.closed && got.created_at == AT && got.updated_at == AT);

    // The same name in the same union is refused, typed; another union may use it.
    let again = store.create_station(t.hefei.id, &first, AT).await;
    assert!(matches!(again, Err(StoreError::Conflict(Conflict::StationNameTaken))), "{again:?}");
    store.create_station(t.wuhu.id, &first, AT).await.unwrap();
    let missing = store.create_station(huiji_core::OrgId(999_999), &first, AT).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");

    let changed =
        StationDraft {
            name: "蜀山区司机之家".to_owned(), kind: StationKind::DriverHome, ..first.clone()
        };
    let later = AT.plus_days(1);
    assert!(store.update_station(id, &changed, later).await.unwrap());
    let got = store.station(id).await.unwrap().unwrap();
    assert_eq!(
        (got.name.as_str(), got.kind, got.updated_at),
        ("蜀山区司机之家", StationKind::DriverHome, later)
    );
    let other = store.create_station(t.hefei.id, &first, AT).await.unwrap();
    let clash = store.update_station(other, &changed, later).await;
    assert!(matches!(clash, Err(StoreError::Conflict(Conflict::StationNameTaken))), "{clash:?}");

    assert!(store.set_station_closed(id, true, later).await.unwrap());
    assert!(store.station(id).await.unwrap().unwrap().closed);
    assert!(store.set_station_closed(id, false, later).await.unwrap());
    assert!(!store.station(id).await.unwrap().unwrap().closed);

    store.record_visit(id, AT.china_date(), true).await.unwrap();
    assert!(store.delete_station(id).await.unwrap());
    assert!(store.station(id).await.unwrap().is_none());
    assert!(!store.delete_station(id).await.unwrap());
    assert!(!store.update_station(id, &changed, later).await.unwrap());
    assert!(!store.set_station_closed(id, true, later).await.unwrap());
});

both_databases!(imports_report_duplicates_and_add_nothing_twice, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let rows = vec![
        (t.hefei.id, draft("甲站", "工会驿站", "340104", 117.20, 31.80)),
        (t.wuhu.id, draft("甲站", "工会驿站", "340202", 118.38, 31.33)),
        (t.hefei.id, draft("乙站", "司机之家", "340122", 117.47, 31.88)),
        (t.hefei.id, draft("甲站", "司机之家", "340122", 117.47, 31.88)),
    ];
    let first = store.import_stations(&rows, AT).await.unwrap();
    let [Imported::New(a), Imported::New(_), Imported::New(_), Imported::Duplicate(dup)] = first[..] else {
        panic!("{first:?}");
    };
    assert_eq!(dup, a);
    let second = store.import_stations(&rows, AT).await.unwrap();
    assert!(second.iter().all(|o| matches!(o, Imported::Duplicate(_))), "{second:?}");
    assert_eq!(store.stations(&query(&t.root)).await.unwrap().len(), 3);
    // The duplicate row did not change the stored station.
    assert_eq!(store.station(a).await.unwrap().unwrap().kind, StationKind::ServiceStation);
});

both_databases!(the_box_query_returns_open_stations_inside_it, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let center = Gcj02::new(31.820, 117.227).unwrap();
    let near = store
        .create_station(t.hefei.id, &draft("近站", "工会驿站", "340104", 117.228, 31.821), AT)
        .await
        .unwrap();
    let home = store
        .create_station(t.hefei.id, &draft("司机之家", "司机之家", "340104", 117.230, 31.815), AT)
        .await
        .unwrap();
    let closed = store
        .create_station(t.hefei.id, &draft("闭站", "工会驿站", "340104", 117.226, 31.819), AT)
        .await
        .unwrap();
    let far = store
        .create_station(t.wuhu.id, &draft("远站", "工会驿站", "340202", 118.38, 31.33), AT)
        .await
        .unwrap();
    store.set_station_closed(closed, true, AT).await.unwrap();

    store.analyze_stations().await.unwrap();
    let small = SearchBox::around(center, 2_000.0);
    let ids = |v: Vec<(StationId, Gcj02)>| v.into_iter().map(|s| s.0).collect::<Vec<StationId>>();
    assert_eq!(ids(store.open_stations_in(&small, None).await.unwrap()), [near, home]);
    assert_eq!(ids(store.open_stations_in(&small, Some(StationKind::DriverHome)).await.unwrap()), [home]);
    let large = SearchBox::around(center, 128_000.0);
    let found = store.open_stations_in(&large, None).await.unwrap();
    assert_eq!(found[0], (near, Gcj02::new(31.821, 117.228).unwrap()));
    assert_eq!(ids(found), [near, home, far]);
    let whole = store.stations_by_id(&[far, closed, near, StationId(999_999)]).await.unwrap();
    assert_eq!(whole.iter().map(|s| s.id).collect::<Vec<_>>(), [near, closed, far]);
    assert!(store.stations_by_id(&[]).await.unwrap().is_empty());
});

both_databases!(pages_are_scoped_by_subtree_region_kind_and_state, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    store.create_station(t.hefei.id, &draft("合肥一", "工会驿站", "340104", 117.2, 31.8), AT).await.unwrap();
    let f = store
        .create_station(t.feidong.id, &draft("肥东一", "司机之家", "340122", 117.4, 31.8), AT)
        .await
        .unwrap();
    store
        .create_station(t.feidong_trucks.id, &draft("肥东二", "户外劳动者驿站", "340122", 117.5, 31.9), AT)
        .await
        .unwrap();
    store.create_station(t.wuhu.id, &draft("芜湖一", "工会驿站", "340202", 118.3, 31.3), AT).await.unwrap();

    assert_eq!(names(&store, &query(&t.root)).await, ["合肥一", "肥东一", "肥东二", "芜湖一"]);
    assert_eq!(names(&store, &query(&t.feidong)).await, ["肥东一", "肥东二"]);
    assert_eq!(names(&store, &query(&t.wuhu_trucks)).await, Vec::<String>::new());
    let city = StationQuery { region: Some("3401".parse().unwrap()), ..query(&t.root) };
    assert_eq!(names(&store, &city).await, ["合肥一", "肥东一", "肥东二"]);
    let county = StationQuery { region: Some("340104".parse().unwrap()), ..query(&t.root) };
    assert_eq!(names(&store, &county).await, ["合肥一"]);
    let homes = StationQuery { kind: Some(StationKind::DriverHome), ..query(&t.root) };
    assert_eq!(names(&store, &homes).await, ["肥东一"]);
    store.set_station_closed(f, true, AT).await.unwrap();
    let open = StationQuery { open_only: true, ..query(&t.root) };
    assert_eq!(names(&store, &open).await, ["合肥一", "肥东二", "芜湖一"]);
    let page = StationQuery { limit: 2, ..query(&t.root) };
    let first = store.stations(&page).await.unwrap();
    assert_eq!(first.len(), 2);
    let next = StationQuery { after: Some(first[1].id), ..page };
    assert_eq!(names(&store, &next).await, ["肥东二", "芜湖一"]);
});

both_databases!(visits_are_counted_per_day_and_in_the_figures, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let a = store
        .create_station(t.feidong.id, &draft("肥东一", "司机之家", "340122", 117.4, 31.8), AT)
        .await
        .unwrap();
    let b = store
        .create_station(t.wuhu.id, &draft("芜湖一", "工会驿站", "340202", 118.3, 31.3), AT)
        .await
        .unwrap();
    store
        .create_station(t.feidong.id, &draft("肥东二", "工会驿站", "340122", 117.5, 31.9), AT)
        .await
        .unwrap();
    let (today, tomorrow) = (AT.china_date(), huiji_core::Timestamp(AT.0 + DAY).china_date());
    // Concurrent taps: none is lost.
    let taps = (0..10).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.record_visit(a, today, i % 2 == 0).await.unwrap() })
    });
    for tap in taps {
        tap.await.unwrap();
    }
    store.record_visit(a, tomorrow, true).await.unwrap();
    store.record_visit(b, today, false).await.unwrap();
    let days = store.station_visits(a, today, tomorrow).await.unwrap();
    assert_eq!(
        days.iter().map(|d| (d.day, d.members, d.anonymous)).collect::<Vec<_>>(),
        [(today, 5, 5), (tomorrow, 1, 0)]
    );
    assert_eq!(store.station_visits(a, tomorrow, tomorrow).await.unwrap().len(), 1);

    let figures = store.station_figures(&t.feidong.path, today, tomorrow).await.unwrap();
    assert_eq!(figures.by_kind, [(StationKind::ServiceStation, 1), (StationKind::DriverHome, 1)]);
    assert_eq!(figures.by_county, [("340122".parse().unwrap(), 2)]);
    assert_eq!((figures.member_visits, figures.anonymous_visits, figures.closed), (6, 5, 0));
    let all = store.station_figures(&t.root.path, today, today).await.unwrap();
    assert_eq!((all.member_visits, all.anonymous_visits), (5, 6));
    assert_eq!(all.by_county.len(), 2);
    assert_eq!(all.by_county[0], ("340122".parse().unwrap(), 2));
});

both_databases!(a_card_counts_once_per_station_and_day_even_scanned_at_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let a = store
        .create_station(t.feidong.id, &draft("肥东一", "司机之家", "340122", 117.4, 31.8), AT)
        .await
        .unwrap();
    let b = store
        .create_station(t.feidong.id, &draft("肥东二", "工会驿站", "340122", 117.5, 31.9), AT)
        .await
        .unwrap();
    let (today, tomorrow) = (AT.china_date(), huiji_core::Timestamp(AT.0 + DAY).china_date());
    // The same card scanned ten times at once: counted once.
    let scans = (0..10).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.record_member_visit(a, today, "mark-1").await.unwrap() })
    });
    let mut counted = 0;
    for scan in scans {
        counted += usize::from(scan.await.unwrap());
    }
    assert_eq!(counted, 1);
    // Another card, the same card at another station: each counts.
    assert!(store.record_member_visit(a, today, "mark-2").await.unwrap());
    assert!(store.record_member_visit(b, today, "mark-1").await.unwrap());
    // The anonymous counter is unchanged: every press.
    store.record_visit(a, today, false).await.unwrap();
    store.record_visit(a, today, false).await.unwrap();
    // Tomorrow the card counts again (its mark names the day), and today's marks go.
    assert!(store.record_member_visit(a, tomorrow, "mark-1").await.unwrap());
    assert!(!store.record_member_visit(a, tomorrow, "mark-1").await.unwrap());
    let days = store.station_visits(a, today, tomorrow).await.unwrap();
    assert_eq!(
        days.iter().map(|d| (d.day, d.members, d.anonymous)).collect::<Vec<_>>(),
        [(today, 2, 2), (tomorrow, 1, 0)]
    );
    assert!(
        store.record_member_visit(a, today, "mark-1").await.unwrap(),
        "yesterday's marks are forgotten (the store is not asked about past days)"
    );
    // Deleting a station deletes its marks with its counters.
    assert!(store.delete_station(b).await.unwrap());
});
