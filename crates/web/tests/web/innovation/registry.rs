//! The innovation registry over HTTP: the public page shows published studios and public
//! fields only; admins keep their own subtree's records in the console, other cities'
//! are answered 404, viewers may not change them.

use huiji_core::innovation::{
    CertificateLevel, Honour, HonourKind, InnovationLevel, ProjectStatus, StudioKind,
};
use huiji_core::money::Amount;
use huiji_core::{Org, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewMentorship, NewModelWorker, NewProject, NewStudio, both_databases};

use crate::support::{TestApp, main_of};

pub(crate) async fn union(app: &TestApp, code: &str) -> Org {
    app.store().org_by_join_code(code).await.unwrap().unwrap()
}

/// A published studio led by 张建国 with a project and an apprentice, and an unpublished
/// one; returns the published studio's id.
pub(crate) async fn registry(app: &TestApp) -> huiji_core::innovation::StudioId {
    let store = app.store();
    let hefei = union(app, "3401").await;
    let at = Timestamp(0);
    let worker = |name: &str, kind| NewModelWorker {
        name: name.to_owned(),
        honour: Honour { kind, level: InnovationLevel::National },
        org: hefei.id,
        specialty: String::new(),
    };
    let zhang =
        store.save_model_worker(None, &worker("张建国", HonourKind::ModelWorker), at).await.unwrap().unwrap();
    let li =
        store.save_model_worker(None, &worker("李秘密", HonourKind::Craftsman), at).await.unwrap().unwrap();
    let studio = |name: &str, leader, published| NewStudio {
        name: name.to_owned(),
        kind: StudioKind::ModelWorker,
        level: InnovationLevel::Provincial,
        leader,
        org: hefei.id,
        fields: vec!["电力抢修".to_owned()],
        members: 15,
        founded: None,
        published,
    };
    let s = store.save_studio(None, &studio("张建国劳模创新工作室", zhang, true), at).await.unwrap().unwrap();
    store.save_studio(None, &studio("尚未公开的工作室", li, false), at).await.unwrap().unwrap();
    let project = NewProject {
        studio: s,
        title: "带电作业机器人".to_owned(),
        status: ProjectStatus::Done,
        patents_filed: 4,
        patents_granted: 3,
        benefit: Amount::from_yuan(2_000_000).unwrap(),
        participants: 8,
    };
    store.save_project(None, &project, at).await.unwrap().unwrap();
    let mentorship = NewMentorship {
        studio: s,
        mentor: zhang,
        apprentice: "王徒弟".to_owned(),
        membership: None,
        skill: "带电作业".to_owned(),
        started: None,
        certificate: Some(CertificateLevel::Technician),
    };
    store.save_mentorship(None, &mentorship, at).await.unwrap().unwrap();
    s
}

both_databases!(the_public_page_shows_published_studios_and_public_fields_only, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    registry(&app).await;
    let (status, content_type, body) = app.get("/innovation").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    let page = main_of(&body);
    for shown in [
        "张建国劳模创新工作室",
        "省级示范性劳模创新工作室",
        "张建国",
        "全国劳动模范",
        "合肥市总工会",
        "带电作业机器人",
        "电力抢修",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    for hidden in ["尚未公开的工作室", "李秘密", "王徒弟", "2000000"] {
        assert!(!page.contains(hidden), "{hidden} shown: {page}");
    }
    assert!(page.contains("名师带徒 1"), "the mentorship count: {page}");
    assert!(body.len() < 30 * 1024, "worker pages stay small: {}", body.len());

    let (_, _, city) = app.get("/innovation?level=city").await;
    assert!(!main_of(&city).contains("张建国劳模创新工作室"));
    let (_, _, field) = app.get("/innovation?field=%E7%94%B5%E5%8A%9B%E6%8A%A2%E4%BF%AE").await;
    assert!(main_of(&field).contains("张建国劳模创新工作室"));
    let (_, _, none) = app.get("/innovation?q=%25").await;
    assert!(!main_of(&none).contains("张建国劳模创新工作室"), "a % is text");
    let (_, _, en) = app.get("/innovation?lang=en").await;
    assert!(
        en.contains("National model worker") && en.contains("Model worker innovation studio (Provincial)")
    );
    assert_eq!(app.get("/innovation/results/1").await.0, 404);
});

both_databases!(admins_keep_their_subtrees_registry_in_the_console, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = union(&app, "3401").await;
    let admin = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let wuhu = app.officer("wh-admin", Some("3402"), Role::Admin).await;
    let viewer = app.officer("hf-viewer", Some("3401"), Role::Viewer).await;
    let org = hefei.id.to_string();
    let worker = [
        ("name", "张建国"),
        ("honour", "craftsman:provincial"),
        ("org", org.as_str()),
        ("specialty", "焊接"),
    ];

    let (status, _) = admin.post("/console/innovation/registry/model-workers", &worker).await;
    assert_eq!(status, 303);
    let (_, list) = admin.get("/console/innovation/registry/model-workers").await;
    assert!(list.contains("张建国") && list.contains("江淮工匠"), "{list}");
    let id =
        app.store().model_workers(&hefei.path, huiji_store::RegistryPage::first(10)).await.unwrap()[0].id;
    let path = format!("/console/innovation/registry/model-workers/{id}");

    // Another city's admin: as if it did not exist; a viewer: may not change it.
    assert_eq!(wuhu.get(&path).await.0, 404);
    assert_eq!(wuhu.post(&path, &worker).await.0, 404);
    assert_eq!(wuhu.post(&format!("{path}/delete"), &[]).await.0, 404);
    assert!(!wuhu.get("/console/innovation/registry/model-workers").await.1.contains("张建国"));
    assert_eq!(viewer.post(&path, &worker).await.0, 403);
    let (status, page) = viewer.get(&path).await;
    assert_eq!(status, 200);
    assert!(!page.contains("/delete"), "no delete button for a viewer");
    let wuhu_org = union(&app, "3402").await.id.to_string();
    let elsewhere = [("name", "李红"), ("honour", "model_worker:city"), ("org", wuhu_org.as_str())];
    assert_eq!(admin.post("/console/innovation/registry/model-workers", &elsewhere).await.0, 404);

    // A studio it leads; then deleting the leader is refused with a message.
    let leader = id.to_string();
    let studio = [
        ("name", "张建国工匠创新工作室"),
        ("kind", "craftsman"),
        ("level", "city"),
        ("leader", leader.as_str()),
        ("org", org.as_str()),
        ("fields", "焊接、机器人"),
        ("members", "9"),
        ("published", "on"),
    ];
    assert_eq!(admin.post("/console/innovation/registry/studios", &studio).await.0, 303);
    let response = admin
        .http
        .post(format!("{}{path}/delete", admin.base))
        .form(&[("csrf", admin.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = admin.get(&location).await;
    assert!(page.contains("仍有记录引用它"), "{page}");
    let (_, overview) = admin.get("/console/innovation").await;
    assert!(overview.contains("合肥市总工会") && overview.contains("<dd>1（"), "{overview}");
    let audited = app
        .store()
        .audit_records(&huiji_store::AuditQuery {
            within: hefei.path.clone(),
            action: Some("innovation.create".to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
});

both_databases!(a_long_registry_list_pages_by_id, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = union(&app, "3401").await;
    let admin = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    // One page holds 200; 205 model workers make a second page of five.
    for n in 0..205 {
        let worker = NewModelWorker {
            name: format!("劳模{n:03}"),
            honour: Honour { kind: HonourKind::ModelWorker, level: InnovationLevel::City },
            org: hefei.id,
            specialty: String::new(),
        };
        app.store().save_model_worker(None, &worker, Timestamp(0)).await.unwrap().unwrap();
    }
    let (status, first) = admin.get("/console/innovation/registry/model-workers").await;
    assert_eq!(status, 200);
    assert!(first.contains("劳模000") && first.contains("劳模199") && !first.contains("劳模200"));
    let next = first
        .split("href=\"")
        .find_map(|s| s.strip_prefix("/console/innovation/registry/model-workers?after="))
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no next-page link: {first}"));
    let (status, second) =
        admin.get(&format!("/console/innovation/registry/model-workers?after={next}")).await;
    assert_eq!(status, 200);
    assert!(second.contains("劳模200") && second.contains("劳模204") && !second.contains("劳模199"));
    assert!(!second.contains("rel=\"next\""), "the last page links no further");
});
