//! Stations in the console: admins add one from Amap's picker text (with every bad field
//! said), change, close, reopen and delete it; staff count anonymous visits; the figures;
//! viewers and other unions' officers kept out; every change in the audit log.

use huiji_core::Role;
use huiji_core::stations::{StationId, StationKind};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, StationQuery, both_databases};

use crate::support::TestApp;
use crate::support::main_of;

fn fields<'a>(name: &'a str, location: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("kind", "driver_home"),
        ("address", "肥东县店埠镇物流园 1 号"),
        ("county", "肥东县"),
        ("location", location),
        ("phone", "0551-12351"),
        ("hours", "24小时"),
        ("amenities", "休息、淋浴、货车停车"),
    ]
}

async fn only_station(app: &TestApp) -> StationId {
    let query =
        StationQuery { within: None, region: None, kind: None, open_only: false, after: None, limit: 10 };
    let all = app.store().stations(&query).await.unwrap();
    assert_eq!(all.len(), 1);
    all[0].id
}

both_databases!(admins_manage_stations_and_staff_count_visits, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (status, page) = admin.get("/console/stations").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("新增站点"));

    // Swapped coordinates and a bad phone: said, nothing stored.
    let mut bad = fields("肥东县司机之家", "31.88,117.47");
    bad[5].1 = "call";
    let (status, page) = admin.post("/console/stations", &bad).await;
    assert_eq!(status, 422, "{}", main_of(&page));
    assert!(page.contains("坐标格式应为") && page.contains("电话格式不对"), "{}", main_of(&page));
    assert!(page.contains("value=\"肥东县司机之家\""), "the form keeps what was typed");

    let (status, _) = admin.post("/console/stations", &fields("肥东县司机之家", "117.47,31.88")).await;
    assert_eq!(status, 303);
    let id = only_station(&app).await;
    let stored = app.store().station(id).await.unwrap().unwrap();
    assert_eq!((stored.kind, stored.county.to_string()), (StationKind::DriverHome, "340122".to_owned()));
    let (status, _) = admin.post("/console/stations", &fields("肥东县司机之家", "117.47,31.88")).await;
    assert_eq!(status, 422, "a second station of the name is refused");

    let (status, page) = admin.get(&format!("/console/stations/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("117.470000,31.880000") && page.contains("休息、淋浴、货车停车"));
    let (status, _) = admin
        .post(&format!("/console/stations/{id}"), &fields("肥东县司机之家（合肥港）", "117.48,31.89"))
        .await;
    assert_eq!(status, 303);
    assert_eq!(app.store().station(id).await.unwrap().unwrap().name, "肥东县司机之家（合肥港）");
    let (status, _) = admin.post(&format!("/console/stations/{id}/closed"), &[("closed", "1")]).await;
    assert_eq!(status, 303);
    assert!(app.store().station(id).await.unwrap().unwrap().closed);
    admin.post(&format!("/console/stations/{id}/closed"), &[("closed", "0")]).await;
    assert!(!app.store().station(id).await.unwrap().unwrap().closed);

    // A reviewer counts visits but changes nothing; a viewer neither.
    let reviewer = app.officer("hefei-reviewer", Some("3401"), Role::Reviewer).await;
    assert_eq!(reviewer.post(&format!("/console/stations/{id}/visit"), &[]).await.0, 303);
    assert_eq!(reviewer.post(&format!("/console/stations/{id}/visit"), &[]).await.0, 303);
    assert_eq!(reviewer.post(&format!("/console/stations/{id}/closed"), &[("closed", "1")]).await.0, 403);
    let viewer = app.officer("hefei-viewer", Some("3401"), Role::Viewer).await;
    assert_eq!(viewer.post(&format!("/console/stations/{id}/visit"), &[]).await.0, 403);
    let (_, page) = admin.get(&format!("/console/stations/{id}")).await;
    assert!(page.contains("<td>0</td><td>2</td>"), "{}", main_of(&page));
    let (_, page) = admin.get("/console/stations").await;
    assert!(page.contains("司机之家 <b>1</b>") && page.contains("肥东县 1"), "{}", main_of(&page));

    // Another city's admin finds nothing.
    let wuhu = app.officer("wuhu-admin", Some("3402"), Role::Admin).await;
    assert_eq!(wuhu.get(&format!("/console/stations/{id}")).await.0, 404);
    assert_eq!(wuhu.post(&format!("/console/stations/{id}/delete"), &[]).await.0, 404);
    let (_, page) = wuhu.get("/console/stations").await;
    assert!(!page.contains("肥东县司机之家"));
    // Without the CSRF token nothing happens.
    assert_eq!(admin.post_raw(&format!("/console/stations/{id}/delete"), &[]).await.0, 403);

    assert_eq!(admin.post(&format!("/console/stations/{id}/delete"), &[]).await.0, 303);
    assert!(app.store().station(id).await.unwrap().is_none());
    let query = AuditQuery {
        within: app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap().path,
        action: None,
        actor_name: Some("hefei-admin".to_owned()),
        from: None,
        to: None,
        before_id: None,
        limit: 100,
    };
    let mut actions: Vec<String> =
        app.store().audit_records(&query).await.unwrap().into_iter().map(|r| r.action).collect();
    actions.reverse();
    assert_eq!(
        actions,
        ["station.create", "station.update", "station.update", "station.update", "station.delete"]
    );
});
