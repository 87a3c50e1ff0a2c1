//! Keeping the registry: admins act within their subtree only (another city's records
//! are not found), other roles may not change it, every change is audited, and the
//! figures are any subtree's.

use huiji_app::innovation::registry::{
    delete, save_mentorship, save_model_worker, save_project, save_studio,
};
use huiji_app::innovation::{InnovationError, figures};
use huiji_core::innovation::{Honour, HonourKind, InnovationLevel, ModelWorkerId, ProjectStatus, StudioKind};
use huiji_core::money::Amount;
use huiji_core::{Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{
    NewMentorship, NewModelWorker, NewProject, NewStudio, RegistryConflict, RegistryRef, both_databases,
};

use crate::support::World;

pub fn worker(name: &str, org: &Org) -> NewModelWorker {
    NewModelWorker {
        name: name.to_owned(),
        honour: Honour { kind: HonourKind::Craftsman, level: InnovationLevel::Provincial },
        org: org.id,
        specialty: "焊接".to_owned(),
    }
}

pub fn studio(name: &str, leader: ModelWorkerId, org: &Org) -> NewStudio {
    NewStudio {
        name: name.to_owned(),
        kind: StudioKind::Craftsman,
        level: InnovationLevel::Provincial,
        leader,
        org: org.id,
        fields: vec!["焊接".to_owned()],
        members: 9,
        founded: None,
        published: true,
    }
}

both_databases!(admins_keep_their_own_subtree_and_every_change_is_audited, |db: TestDb| async move {
    let w = World::new(db).await;
    let hefei = w.officer("hf-admin", &w.hefei, Role::Admin).await;
    let hefei_reviewer = w.officer("hf-rev", &w.hefei, Role::Reviewer).await;
    let wuhu = w.officer("wh-admin", &w.wuhu, Role::Admin).await;
    let app = &w.app;

    let zhang = save_model_worker(app, &hefei, None, worker(" 张建国 ", &w.hefei_firm)).await.unwrap();
    assert_eq!(app.store().model_worker(zhang).await.unwrap().unwrap().worker.name, "张建国", "trimmed");
    let refused = save_model_worker(app, &wuhu, None, worker("李红", &w.hefei_firm)).await;
    assert!(
        matches!(refused, Err(InnovationError::NotFound)),
        "another city's union is not found: {refused:?}"
    );
    let refused = save_model_worker(app, &hefei_reviewer, None, worker("李红", &w.hefei_firm)).await;
    assert!(matches!(refused, Err(InnovationError::Forbidden)), "{refused:?}");
    let refused = save_model_worker(app, &hefei, None, worker("张3", &w.hefei_firm)).await;
    assert!(matches!(refused, Err(InnovationError::Invalid("name"))), "{refused:?}");
    let again = save_model_worker(app, &hefei, None, worker("张建国", &w.hefei_firm)).await;
    assert!(matches!(again, Err(InnovationError::Conflict(RegistryConflict::Duplicate))), "{again:?}");

    let s =
        save_studio(app, &hefei, None, studio("张建国工匠创新工作室", zhang, &w.hefei_firm)).await.unwrap();
    let li = save_model_worker(app, &wuhu, None, worker("李红", &w.wuhu_firm)).await.unwrap();
    let refused = save_studio(app, &hefei, None, studio("借来的领办人", li, &w.hefei_firm)).await;
    assert!(matches!(refused, Err(InnovationError::NotFound)), "a leader from Wuhu: {refused:?}");
    let refused = save_studio(app, &wuhu, Some(s), studio("改名", li, &w.wuhu_firm)).await;
    assert!(matches!(refused, Err(InnovationError::NotFound)), "Hefei's studio for Wuhu: {refused:?}");

    let project = |granted| NewProject {
        studio: s,
        title: "机器人焊接工艺".to_owned(),
        status: ProjectStatus::Ongoing,
        patents_filed: 2,
        patents_granted: granted,
        benefit: Amount::from_yuan(300_000).unwrap(),
        participants: 5,
    };
    let refused = save_project(app, &hefei, None, project(3)).await;
    assert!(matches!(refused, Err(InnovationError::Invalid("patents"))), "{refused:?}");
    let p = save_project(app, &hefei, None, project(1)).await.unwrap();
    let mentorship = NewMentorship {
        studio: s,
        mentor: zhang,
        apprentice: "王小明".to_owned(),
        membership: None,
        skill: "氩弧焊".to_owned(),
        started: None,
        certificate: None,
    };
    save_mentorship(app, &hefei, None, mentorship.clone(), None).await.unwrap();
    let refused = save_mentorship(app, &hefei, None, mentorship, Some("340100000001")).await;
    assert!(matches!(refused, Err(InnovationError::Invalid("member_number"))), "no such member: {refused:?}");

    let refused = delete(app, &hefei, RegistryRef::ModelWorker(zhang)).await;
    assert!(matches!(refused, Err(InnovationError::Conflict(RegistryConflict::InUse))), "{refused:?}");
    let refused = delete(app, &wuhu, RegistryRef::Project(p)).await;
    assert!(matches!(refused, Err(InnovationError::NotFound)), "{refused:?}");
    delete(app, &hefei, RegistryRef::Project(p)).await.unwrap();

    let created = w.audit("innovation.create").await;
    let subjects: Vec<_> = created.iter().map(|r| r.subject.clone().unwrap()).collect();
    assert_eq!(
        subjects,
        [
            format!("model_worker:{zhang}"),
            format!("studio:{s}"),
            format!("model_worker:{li}"),
            format!("project:{p}"),
            "mentorship:1".to_owned()
        ]
    );
    assert!(
        created.iter().all(|r| r.actor_kind == "officer" && r.client_addr.as_deref() == Some("127.0.0.1"))
    );
    assert_eq!(created[1].scope_path, w.hefei_firm.path.as_str(), "scoped to the studio's union");
    let deleted = w.audit("innovation.delete").await;
    assert_eq!((deleted.len(), deleted[0].actor_name.as_str()), (1, "hf-admin"));

    // Figures: any role, any union of the subtree, none outside it.
    let viewer = w.officer("hf-view", &w.hefei, Role::Viewer).await;
    let (org, mine) = figures::figures(app, &viewer, None).await.unwrap();
    assert_eq!(
        (org.id, mine.studios_total(), mine.apprentices, mine.model_workers_total()),
        (w.hefei.id, 1, 1, 1)
    );
    let (_, firm) = figures::figures(app, &viewer, Some(w.hefei_firm.id)).await.unwrap();
    assert_eq!(firm, mine);
    assert!(matches!(figures::figures(app, &viewer, Some(w.wuhu.id)).await, Err(InnovationError::NotFound)));
    let province = w.officer("prov", &w.root, Role::Viewer).await;
    let (_, all) = figures::figures(app, &province, None).await.unwrap();
    assert_eq!(all.model_workers_total(), 2);
});
