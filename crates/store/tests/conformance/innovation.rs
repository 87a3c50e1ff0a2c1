//! The innovation registry on both databases: records saved, read back, updated and
//! deleted with typed conflicts; lists scoped to a subtree; the figures against a
//! recount of the records; the public listing (published studios only, its filters).

use std::sync::Arc;

use huiji_core::innovation::{
    ActivityKind, CertificateLevel, Honour, HonourKind, InnovationLevel, ModelWorkerId, ProjectStatus,
    StudioId, StudioKind,
};
use huiji_core::money::Amount;
use huiji_core::org::Level;
use huiji_core::{AutoApproval, CivilDate, Org, OrgId, OrgKind, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    InnovationFigures, NewActivity, NewMentorship, NewModelWorker, NewOrg, NewProject, NewStudio,
    PublicStudioQuery, RegistryConflict, RegistryPage, RegistryRef, Store, both_databases,
};

use crate::fixtures::AT;

/// A small tree: the province, two cities, an enterprise union in each.
pub(crate) struct Orgs {
    pub(crate) root: Org,
    pub(crate) hefei: Org,
    pub(crate) hefei_firm: Org,
    pub(crate) wuhu: Org,
    pub(crate) wuhu_firm: Org,
}

async fn org(store: &Arc<dyn Store>, parent: Option<OrgId>, kind: OrgKind, name: &str, region: &str) -> Org {
    let new = NewOrg {
        parent,
        kind,
        name: name.to_owned(),
        region: region.parse().unwrap(),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: 3,
    };
    store.create_org(&new, AT).await.unwrap()
}

pub(crate) async fn orgs(store: &Arc<dyn Store>) -> Orgs {
    let root = org(store, None, OrgKind::Federation(Level::Province), "安徽省总工会", "34").await;
    let hefei = org(store, Some(root.id), OrgKind::Federation(Level::City), "合肥市总工会", "3401").await;
    let wuhu = org(store, Some(root.id), OrgKind::Federation(Level::City), "芜湖市总工会", "3402").await;
    let hefei_firm =
        org(store, Some(hefei.id), OrgKind::Enterprise, "合肥示例机械有限公司工会", "340104").await;
    let wuhu_firm =
        org(store, Some(wuhu.id), OrgKind::Enterprise, "芜湖示例汽车有限公司工会", "340202").await;
    Orgs { root, hefei, hefei_firm, wuhu, wuhu_firm }
}

pub(crate) fn worker(name: &str, org: &Org) -> NewModelWorker {
    NewModelWorker {
        name: name.to_owned(),
        honour: Honour { kind: HonourKind::ModelWorker, level: InnovationLevel::Provincial },
        org: org.id,
        specialty: "数控加工".to_owned(),
    }
}

pub(crate) fn studio(name: &str, leader: ModelWorkerId, org: &Org, level: InnovationLevel) -> NewStudio {
    NewStudio {
        name: name.to_owned(),
        kind: StudioKind::ModelWorker,
        level,
        leader,
        org: org.id,
        fields: vec!["数控加工".to_owned(), "焊接".to_owned()],
        members: 12,
        founded: CivilDate::new(2019, 5, 1),
        published: true,
    }
}

fn project(
    studio: StudioId,
    title: &str,
    status: ProjectStatus,
    filed: u32,
    granted: u32,
    yuan: i64,
) -> NewProject {
    NewProject {
        studio,
        title: title.to_owned(),
        status,
        patents_filed: filed,
        patents_granted: granted,
        benefit: Amount::from_yuan(yuan).unwrap(),
        participants: 6,
    }
}

const LATER: Timestamp = Timestamp(AT.0 + 86_400_000);

both_databases!(registry_records_save_read_update_and_delete, |db: TestDb| async move {
    let store = db.dyn_store();
    let o = orgs(&store).await;
    let zhang = store.save_model_worker(None, &worker("张建国", &o.hefei_firm), AT).await.unwrap().unwrap();
    let read = store.model_worker(zhang).await.unwrap().unwrap();
    assert_eq!(read.worker, worker("张建国", &o.hefei_firm));
    assert_eq!((read.org_name.as_str(), &read.org_path), ("合肥示例机械有限公司工会", &o.hefei_firm.path));

    // A second 张建国 in the same union is a duplicate; in another union he is someone else.
    let again = store.save_model_worker(None, &worker("张建国", &o.hefei_firm), AT).await.unwrap();
    assert_eq!(again, Err(RegistryConflict::Duplicate));
    assert!(store.save_model_worker(None, &worker("张建国", &o.wuhu_firm), AT).await.unwrap().is_ok());
    let nowhere = NewModelWorker { org: OrgId(9_999), ..worker("李四", &o.hefei_firm) };
    assert_eq!(store.save_model_worker(None, &nowhere, AT).await.unwrap(), Err(RegistryConflict::Missing));
    let long = worker(&"长".repeat(41), &o.hefei_firm);
    assert_eq!(store.save_model_worker(None, &long, AT).await.unwrap(), Err(RegistryConflict::Invalid));

    let new = studio("张建国劳模创新工作室", zhang, &o.hefei_firm, InnovationLevel::Provincial);
    let s = store.save_studio(None, &new, AT).await.unwrap().unwrap();
    let bad_leader = NewStudio {
        leader: ModelWorkerId(9_999),
        ..studio("别的工作室", zhang, &o.hefei_firm, InnovationLevel::City)
    };
    assert_eq!(store.save_studio(None, &bad_leader, AT).await.unwrap(), Err(RegistryConflict::Missing));
    let p = store
        .save_project(None, &project(s, "高精度夹具研发", ProjectStatus::Ongoing, 3, 1, 1_200_000), AT)
        .await
        .unwrap()
        .unwrap();
    let mentorship = NewMentorship {
        studio: s,
        mentor: zhang,
        apprentice: "王小明".to_owned(),
        membership: None,
        skill: "数控车工".to_owned(),
        started: CivilDate::new(2024, 3, 1),
        certificate: Some(CertificateLevel::Technician),
    };
    let m = store.save_mentorship(None, &mentorship, AT).await.unwrap().unwrap();
    let activity = NewActivity {
        studio: s,
        kind: ActivityKind::EnterpriseVisit,
        title: "走进中小企业解决技术难题".to_owned(),
        held: CivilDate::new(2025, 4, 18),
        smes_helped: 3,
    };
    let a = store.save_activity(None, &activity, AT).await.unwrap().unwrap();

    let read = store.studio(s).await.unwrap().unwrap();
    assert_eq!(read.studio, new);
    assert_eq!((read.leader_name.as_str(), read.leader_honour.title_zh()), ("张建国", "省劳动模范"));
    assert_eq!((read.projects, read.mentorships), (1, 1));
    assert_eq!(
        store.project(p).await.unwrap().unwrap().project.benefit,
        Amount::from_yuan(1_200_000).unwrap()
    );
    assert_eq!(store.mentorship(m).await.unwrap().unwrap().mentorship, mentorship);
    assert_eq!(store.mentorship(m).await.unwrap().unwrap().mentor_name, "张建国");
    assert_eq!(store.activity(a).await.unwrap().unwrap().activity, activity);

    // Updates replace the values; a studio moved to another union moves its scope.
    let moved = NewStudio { members: 20, published: false, org: o.wuhu_firm.id, ..new.clone() };
    assert_eq!(store.save_studio(Some(s), &moved, LATER).await.unwrap(), Ok(s));
    let read = store.studio(s).await.unwrap().unwrap();
    assert_eq!((read.studio.members, read.studio.published, &read.org_path), (20, false, &o.wuhu_firm.path));
    assert_eq!(store.project(p).await.unwrap().unwrap().org_path, o.wuhu_firm.path);
    let done = project(s, "高精度夹具研发", ProjectStatus::Done, 3, 2, 1_500_000);
    assert_eq!(store.save_project(Some(p), &done, LATER).await.unwrap(), Ok(p));
    assert_eq!(store.project(p).await.unwrap().unwrap().project, done);
    let gone =
        store.save_project(Some(huiji_core::innovation::ProjectId(9_999)), &done, LATER).await.unwrap();
    assert_eq!(gone, Err(RegistryConflict::Missing));

    // Deleting what others refer to is refused until they go.
    assert_eq!(
        store.delete_registry_record(RegistryRef::ModelWorker(zhang)).await.unwrap(),
        Err(RegistryConflict::InUse)
    );
    assert_eq!(
        store.delete_registry_record(RegistryRef::Studio(s)).await.unwrap(),
        Err(RegistryConflict::InUse)
    );
    for record in [
        RegistryRef::Project(p),
        RegistryRef::Mentorship(m),
        RegistryRef::Activity(a),
        RegistryRef::Studio(s),
    ] {
        assert_eq!(store.delete_registry_record(record).await.unwrap(), Ok(()), "{record:?}");
    }
    assert_eq!(store.delete_registry_record(RegistryRef::ModelWorker(zhang)).await.unwrap(), Ok(()));
    assert_eq!(
        store.delete_registry_record(RegistryRef::ModelWorker(zhang)).await.unwrap(),
        Err(RegistryConflict::Missing)
    );
    assert!(store.model_worker(zhang).await.unwrap().is_none());
    assert!(store.studio(s).await.unwrap().is_none());
});

both_databases!(lists_keep_to_their_subtree, |db: TestDb| async move {
    let store = db.dyn_store();
    let o = orgs(&store).await;
    let zhang = store.save_model_worker(None, &worker("张建国", &o.hefei_firm), AT).await.unwrap().unwrap();
    let li = store.save_model_worker(None, &worker("李红", &o.wuhu_firm), AT).await.unwrap().unwrap();
    let s1 = store
        .save_studio(None, &studio("甲工作室", zhang, &o.hefei_firm, InnovationLevel::City), AT)
        .await
        .unwrap()
        .unwrap();
    let s2 = store
        .save_studio(None, &studio("乙工作室", li, &o.wuhu_firm, InnovationLevel::City), AT)
        .await
        .unwrap()
        .unwrap();
    let p1 = store
        .save_project(None, &project(s1, "甲项目", ProjectStatus::Planned, 0, 0, 0), AT)
        .await
        .unwrap()
        .unwrap();
    let p2 = store
        .save_project(None, &project(s2, "乙项目", ProjectStatus::Planned, 0, 0, 0), AT)
        .await
        .unwrap()
        .unwrap();

    let names = |w: Vec<huiji_store::ModelWorker>| w.into_iter().map(|w| w.worker.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.model_workers(&o.root.path, RegistryPage::first(100)).await.unwrap()),
        ["张建国", "李红"]
    );
    assert_eq!(
        names(store.model_workers(&o.hefei.path, RegistryPage::first(100)).await.unwrap()),
        ["张建国"]
    );
    assert_eq!(
        names(store.model_workers(&o.wuhu_firm.path, RegistryPage::first(100)).await.unwrap()),
        ["李红"]
    );
    assert_eq!(
        names(store.model_workers(&o.root.path, RegistryPage::first(1)).await.unwrap()),
        ["张建国"],
        "the limit"
    );
    let first = store.model_workers(&o.root.path, RegistryPage::first(1)).await.unwrap();
    let next = RegistryPage { after: first[0].id.0, limit: 1 };
    assert_eq!(names(store.model_workers(&o.root.path, next).await.unwrap()), ["李红"], "the next page");
    let last = RegistryPage { after: i64::MAX, limit: 1 };
    assert!(store.projects(&o.root.path, None, last).await.unwrap().is_empty(), "past the last page");
    let studio_ids = |list: Vec<huiji_store::Studio>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(studio_ids(store.studios(&o.wuhu.path, RegistryPage::first(100)).await.unwrap()), [s2]);
    let project_ids = |list: Vec<huiji_store::Project>| list.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(
        project_ids(store.projects(&o.root.path, None, RegistryPage::first(100)).await.unwrap()),
        [p1, p2]
    );
    assert_eq!(
        project_ids(store.projects(&o.root.path, Some(s2), RegistryPage::first(100)).await.unwrap()),
        [p2]
    );
    assert_eq!(
        project_ids(store.projects(&o.hefei.path, Some(s2), RegistryPage::first(100)).await.unwrap()),
        [],
        "not in Hefei"
    );
    assert!(store.mentorships(&o.hefei.path, RegistryPage::first(100)).await.unwrap().is_empty());
    assert!(store.activities(&o.hefei.path, RegistryPage::first(100)).await.unwrap().is_empty());
});

/// A registry with a spread of every kind across two cities, made by a fixed rule.
async fn spread(store: &Arc<dyn Store>, o: &Orgs) {
    let levels = [InnovationLevel::National, InnovationLevel::Provincial, InnovationLevel::City];
    let statuses = [ProjectStatus::Planned, ProjectStatus::Ongoing, ProjectStatus::Done];
    for i in 0..9u32 {
        let union = if i % 3 == 0 { &o.wuhu_firm } else { &o.hefei_firm };
        let kind =
            [HonourKind::ModelWorker, HonourKind::Craftsman, HonourKind::MayDayMedal][(i % 3) as usize];
        let w = NewModelWorker {
            honour: Honour { kind, level: levels[(i % 2) as usize] },
            ..worker(&format!("劳模{i}"), union)
        };
        let leader = store.save_model_worker(None, &w, AT).await.unwrap().unwrap();
        if i % 4 == 3 {
            continue; // Not every model worker leads a studio.
        }
        let mut new = studio(&format!("工作室{i}"), leader, union, levels[(i % 3) as usize]);
        new.kind = if i % 2 == 0 { StudioKind::ModelWorker } else { StudioKind::Craftsman };
        new.members = 5 + i;
        let s = store.save_studio(None, &new, AT).await.unwrap().unwrap();
        for j in 0..i % 4 {
            let p = project(
                s,
                &format!("项目{i}-{j}"),
                statuses[((i + j) % 3) as usize],
                i + j,
                j,
                i64::from(i * 10_000 + j),
            );
            store.save_project(None, &p, AT).await.unwrap().unwrap();
        }
        for j in 0..(i % 3) * 2 {
            let m = NewMentorship {
                studio: s,
                mentor: leader,
                apprentice: format!("徒弟{i}-{j}"),
                membership: None,
                skill: "钳工".to_owned(),
                started: None,
                certificate: (j % 2 == 0).then_some(CertificateLevel::Senior),
            };
            store.save_mentorship(None, &m, AT).await.unwrap().unwrap();
        }
        let kind = if i % 2 == 0 { ActivityKind::Lecture } else { ActivityKind::EnterpriseVisit };
        let a = NewActivity { studio: s, kind, title: format!("活动{i}"), held: None, smes_helped: i % 5 };
        store.save_activity(None, &a, AT).await.unwrap().unwrap();
    }
}

/// Counts one more of `key`.
fn bump<K: PartialEq>(list: &mut Vec<(K, u64)>, key: K) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

/// The figures recounted from the records themselves.
async fn recount(store: &Arc<dyn Store>, within: &huiji_core::OrgPath) -> InnovationFigures {
    let mut f = InnovationFigures::default();
    for w in store.model_workers(within, RegistryPage::first(10_000)).await.unwrap() {
        bump(&mut f.model_workers, w.worker.honour);
    }
    f.model_workers.sort_by_key(|(h, _)| (h.kind, h.level));
    let mut studios: Vec<((StudioKind, InnovationLevel), u64)> = Vec::new();
    for s in store.studios(within, RegistryPage::first(10_000)).await.unwrap() {
        bump(&mut studios, (s.studio.kind, s.studio.level));
        f.studio_members += u64::from(s.studio.members);
    }
    studios.sort();
    f.studios = studios.into_iter().map(|((k, l), n)| (k, l, n)).collect();
    let mut fen = 0;
    for p in store.projects(within, None, RegistryPage::first(10_000)).await.unwrap() {
        bump(&mut f.projects, p.project.status);
        f.patents_filed += u64::from(p.project.patents_filed);
        f.patents_granted += u64::from(p.project.patents_granted);
        fen += p.project.benefit.fen();
    }
    f.projects.sort();
    f.benefit = Amount::from_fen(fen).unwrap();
    let mentorships = store.mentorships(within, RegistryPage::first(10_000)).await.unwrap();
    let mut mentors: Vec<_> = mentorships.iter().map(|m| m.mentorship.mentor).collect();
    mentors.sort();
    mentors.dedup();
    f.mentors = mentors.len() as u64;
    f.apprentices = mentorships.len() as u64;
    f.certified = mentorships.iter().filter(|m| m.mentorship.certificate.is_some()).count() as u64;
    for a in store.activities(within, RegistryPage::first(10_000)).await.unwrap() {
        bump(&mut f.activities, a.activity.kind);
        f.smes_helped += u64::from(a.activity.smes_helped);
    }
    f.activities.sort();
    f
}

both_databases!(figures_match_a_recount_for_every_subtree, |db: TestDb| async move {
    let store = db.dyn_store();
    let o = orgs(&store).await;
    spread(&store, &o).await;
    for org in [&o.root, &o.hefei, &o.wuhu, &o.hefei_firm, &o.wuhu_firm] {
        let figures = store.innovation_figures(&org.path).await.unwrap();
        assert_eq!(figures, recount(&store, &org.path).await, "{}", org.name);
    }
    let all = store.innovation_figures(&o.root.path).await.unwrap();
    // The spread is not empty anywhere it matters, so the comparison above means something.
    assert_eq!((all.model_workers_total(), all.studios_total()), (9, 7));
    assert!(
        all.projects_total() > 5 && all.mentors > 2 && all.apprentices > all.mentors && all.smes_helped > 0
    );
    let hefei = store.innovation_figures(&o.hefei.path).await.unwrap();
    let wuhu = store.innovation_figures(&o.wuhu.path).await.unwrap();
    assert_eq!(hefei.studios_total() + wuhu.studios_total(), all.studios_total());
    assert_eq!(hefei.benefit.fen() + wuhu.benefit.fen(), all.benefit.fen());
    let empty = store.innovation_figures(&o.root.path.child(OrgId(9_999))).await.unwrap();
    assert_eq!(empty, InnovationFigures::default());
});

both_databases!(the_public_listing_shows_published_studios_and_filters, |db: TestDb| async move {
    let store = db.dyn_store();
    let o = orgs(&store).await;
    let zhang = store.save_model_worker(None, &worker("张建国", &o.hefei_firm), AT).await.unwrap().unwrap();
    let li = store.save_model_worker(None, &worker("李红", &o.wuhu_firm), AT).await.unwrap().unwrap();
    let mut city = studio("张建国劳模创新工作室", zhang, &o.hefei_firm, InnovationLevel::City);
    city.fields = vec!["电力抢修".to_owned()];
    let city = store.save_studio(None, &city, AT).await.unwrap().unwrap();
    let national = store
        .save_studio(None, &studio("李红工匠创新工作室", li, &o.wuhu_firm, InnovationLevel::National), AT)
        .await
        .unwrap()
        .unwrap();
    let hidden = NewStudio {
        published: false,
        ..studio("未公开工作室", li, &o.wuhu_firm, InnovationLevel::National)
    };
    store.save_studio(None, &hidden, AT).await.unwrap().unwrap();

    let list = |level: Option<InnovationLevel>, field: &str, text: &str| {
        let store = store.clone();
        let query =
            PublicStudioQuery { level, field: field.to_owned(), text: text.to_owned(), limit: 10, offset: 0 };
        async move {
            let (studios, total) = store.public_studios(&query).await.unwrap();
            assert_eq!(total as usize, studios.len());
            studios.into_iter().map(|s| s.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(None, "", "").await, [national, city], "national first; the unpublished one never");
    assert_eq!(list(Some(InnovationLevel::City), "", "").await, [city]);
    assert_eq!(list(None, "电力抢修", "").await, [city]);
    assert_eq!(list(None, "电力", "").await, [], "a field is matched whole");
    assert_eq!(list(None, "", "李红").await, [national], "by the leader's name");
    assert_eq!(list(None, "", "芜湖示例").await, [national], "by the host union");
    assert_eq!(list(None, "", "抢修").await, [city], "by a field");
    assert_eq!(list(None, "", "%").await, [], "wildcards are text");
    assert_eq!(list(None, "", "_").await, []);
    let page = PublicStudioQuery { limit: 1, offset: 1, ..PublicStudioQuery::default() };
    let (second, total) = store.public_studios(&page).await.unwrap();
    assert_eq!((second.into_iter().map(|s| s.id).collect::<Vec<_>>(), total), (vec![city], 2));
    assert_eq!(store.public_fields().await.unwrap(), ["数控加工", "焊接", "电力抢修"]);
});
