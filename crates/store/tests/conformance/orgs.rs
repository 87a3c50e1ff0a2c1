//! The union tree on both databases: creating orgs and whole trees, sibling names,
//! subtree and filtered listings, migrations, and renaming.

use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{AutoApproval, Occupation, Org, OrgId, OrgKind, RegionCode, RegionTable, Timestamp};
use huiji_fixtures::tree;
use huiji_store::testing::TestDb;
use huiji_store::{Conflict, NewOrg, OrgFilter, StoreError, both_databases};

use crate::fixtures::tree;

const AT: Timestamp = Timestamp(1_764_460_800_000);

fn region(code: &str) -> RegionCode {
    code.parse().unwrap()
}

fn new_org(parent: Option<OrgId>, kind: OrgKind, name: &str, code: &str) -> NewOrg {
    NewOrg {
        parent,
        kind,
        name: name.to_owned(),
        region: region(code),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: 3,
    }
}

both_databases!(creates_and_reads_back_an_org_tree, |db: TestDb| async move {
    let store = db.dyn_store();
    let province = store
        .create_org(&new_org(None, OrgKind::Federation(Level::Province), "安徽省总工会", "34"), AT)
        .await
        .unwrap();
    assert_eq!(province.path.as_str(), format!("/{}/", province.id));
    assert_eq!(province.parent, None);
    assert_eq!(province.created_at, AT);

    let mut truckers = new_org(
        Some(province.id),
        OrgKind::IndustryFederation(Level::City),
        "合肥市货车司机工会联合会",
        "3401",
    );
    truckers.occupations = vec![Occupation::TruckDriver, Occupation::Courier];
    truckers.turnover_pool = true;
    let created = store.create_org(&truckers, AT).await.unwrap();
    assert_eq!(created.path, province.path.child(created.id));
    assert_eq!(created.occupations, truckers.occupations);
    assert!(created.turnover_pool);
    assert_eq!(created.kind, OrgKind::IndustryFederation(Level::City));
    assert_eq!(created.region, region("3401"));
    assert_eq!(store.org(created.id).await.unwrap(), Some(created));
    assert_eq!(store.org(OrgId(999_999)).await.unwrap(), None);
});

both_databases!(sibling_names_are_unique_by_a_named_constraint, |db: TestDb| async move {
    let store = db.dyn_store();
    let root = store
        .create_org(&new_org(None, OrgKind::Federation(Level::Province), "安徽省总工会", "34"), AT)
        .await
        .unwrap();
    let city = new_org(Some(root.id), OrgKind::Federation(Level::City), "合肥市总工会", "3401");
    store.create_org(&city, AT).await.unwrap();
    let error = store.create_org(&city, AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::NameTaken)), "{error:?}");
    // The same name elsewhere in the tree is fine.
    let other = store
        .create_org(&new_org(None, OrgKind::Federation(Level::Province), "江苏省总工会", "32"), AT)
        .await
        .unwrap();
    let mut elsewhere = city.clone();
    elsewhere.parent = Some(other.id);
    store.create_org(&elsewhere, AT).await.unwrap();
});

both_databases!(blank_names_and_missing_parents_are_refused, |db: TestDb| async move {
    let store = db.dyn_store();
    let blank = new_org(None, OrgKind::Township, "   ", "340104001");
    let error = store.create_org(&blank, AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::OrgNameLength)), "{error:?}");
    let orphan = new_org(Some(OrgId(4242)), OrgKind::Township, "三孝口街道工会", "340104001");
    let error = store.create_org(&orphan, AT).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
    assert_eq!(store.count_orgs(&OrgFilter::default()).await.unwrap(), 0);
});

both_databases!(seeds_the_anhui_tree_with_the_published_counts, |db: TestDb| async move {
    let store = db.dyn_store();
    let plan = tree::anhui(RegionTable::national()).unwrap();
    let ids = store.create_tree(&plan, AT).await.unwrap();
    assert_eq!(ids.len(), plan.orgs.len());

    let count = |kind: OrgKindCode, level: Option<Level>| {
        let store = store.clone();
        async move {
            let filter = OrgFilter { kind: Some(kind), level, ..OrgFilter::default() };
            store.count_orgs(&filter).await.unwrap()
        }
    };
    assert_eq!(count(OrgKindCode::Federation, Some(Level::Province)).await, 1);
    assert_eq!(count(OrgKindCode::Federation, Some(Level::City)).await, 16);
    assert_eq!(count(OrgKindCode::Federation, Some(Level::County)).await, 119);
    assert_eq!(count(OrgKindCode::IndustryFederation, Some(Level::City)).await, 44);
    assert_eq!(count(OrgKindCode::IndustryFederation, Some(Level::County)).await, 120);
    assert_eq!(count(OrgKindCode::Township, None).await, 1685);

    // Every planned org is stored with its parent and a path through it.
    for (index, planned) in plan.orgs.iter().enumerate() {
        if index % 97 != 0 {
            continue; // a spread sample keeps the test quick on PostgreSQL
        }
        let org = store.org(ids[index]).await.unwrap().unwrap();
        assert_eq!(org.name, planned.name);
        assert_eq!(org.parent, planned.parent.map(|p| ids[p]));
        if let Some(parent) = org.parent {
            let parent = store.org(parent).await.unwrap().unwrap();
            assert_eq!(org.path, parent.path.child(org.id));
        }
    }
});

both_databases!(subtree_queries_return_exactly_the_subtree, |db: TestDb| async move {
    let store = db.dyn_store();
    let plan = tree::anhui(RegionTable::national()).unwrap();
    let ids = store.create_tree(&plan, AT).await.unwrap();
    let everything = store.orgs(&OrgFilter::default()).await.unwrap();
    assert_eq!(everything.len(), plan.orgs.len());

    let hefei_index = plan.orgs.iter().position(|o| o.name == "合肥市总工会").unwrap();
    let hefei = store.org(ids[hefei_index]).await.unwrap().unwrap();
    let within = OrgFilter { within: Some(hefei.path.clone()), ..OrgFilter::default() };
    let subtree = store.orgs(&within).await.unwrap();
    // The expected subtree, computed from the plan by walking parents.
    let in_hefei = |mut index: usize| loop {
        if index == hefei_index {
            return true;
        }
        match plan.orgs[index].parent {
            Some(parent) => index = parent,
            None => return false,
        }
    };
    let expected: Vec<OrgId> = (0..plan.orgs.len()).filter(|i| in_hefei(*i)).map(|i| ids[i]).collect();
    let mut got: Vec<OrgId> = subtree.iter().map(|o| o.id).collect();
    got.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(got, expected_sorted);
    assert!(subtree.iter().all(|o| region("3401").contains(o.region)));
    assert_eq!(store.count_orgs(&within).await.unwrap(), expected.len() as u64);

    // A leaf's subtree is itself; the root's is everything.
    let leaf = subtree.iter().find(|o| o.kind == OrgKind::Township).unwrap();
    let leaf_only = OrgFilter { within: Some(leaf.path.clone()), ..OrgFilter::default() };
    assert_eq!(store.orgs(&leaf_only).await.unwrap(), vec![leaf.clone()]);
    let root = store.org(ids[0]).await.unwrap().unwrap();
    let all = OrgFilter { within: Some(root.path), ..OrgFilter::default() };
    assert_eq!(store.count_orgs(&all).await.unwrap(), plan.orgs.len() as u64);
});

both_databases!(filters_by_region_kind_and_pages_by_id, |db: TestDb| async move {
    let store = db.dyn_store();
    let plan = tree::anhui(RegionTable::national()).unwrap();
    store.create_tree(&plan, AT).await.unwrap();

    let shushan = OrgFilter { region: Some(region("340104")), ..OrgFilter::default() };
    let orgs = store.orgs(&shushan).await.unwrap();
    let expected = plan.orgs.iter().filter(|o| region("340104").contains(o.region)).count();
    assert_eq!(orgs.len(), expected);
    assert!(orgs.iter().any(|o| o.name == "合肥市蜀山区总工会"));

    let industry_in_hefei = OrgFilter {
        region: Some(region("3401")),
        kind: Some(OrgKindCode::IndustryFederation),
        ..OrgFilter::default()
    };
    let industry = store.orgs(&industry_in_hefei).await.unwrap();
    assert!(!industry.is_empty());
    assert!(industry.iter().all(|o| matches!(o.kind, OrgKind::IndustryFederation(_))));
    assert!(industry.iter().all(|o| !o.occupations.is_empty()));

    // Keyset pages of 500 add up to the whole, in id order, without overlap.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = OrgFilter { after, limit: Some(500), ..OrgFilter::default() };
        let orgs = store.orgs(&page).await.unwrap();
        if orgs.is_empty() {
            break;
        }
        after = orgs.last().map(|o| o.id);
        seen.extend(orgs.into_iter().map(|o| o.id));
    }
    assert_eq!(seen.len(), plan.orgs.len());
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
});

both_databases!(a_failed_tree_leaves_nothing_behind, |db: TestDb| async move {
    let store = db.dyn_store();
    let mut plan = tree::anhui(RegionTable::national()).unwrap();
    // A duplicate sibling at the end makes the last insert fail.
    let last = plan.orgs.last().unwrap().clone();
    plan.orgs.push(last);
    let error = store.create_tree(&plan, AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::NameTaken)), "{error:?}");
    assert_eq!(store.count_orgs(&OrgFilter::default()).await.unwrap(), 0);
});

both_databases!(migrations_are_idempotent_and_ping_answers, |db: TestDb| async move {
    let store = db.dyn_store();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
});

// ---------------------------------------------------------------------------------------
// Renaming
// ---------------------------------------------------------------------------------------

both_databases!(orgs_are_renamed_unless_a_sibling_has_the_name, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let siblings: Vec<Org> = store
        .orgs(&OrgFilter { within: Some(t.feidong.path.clone()), ..OrgFilter::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.parent == Some(t.feidong.id) && o.id != t.feidong_trucks.id)
        .collect();
    let sibling = siblings.first().unwrap();

    store.rename_org(t.feidong_trucks.id, "肥东县货车司机工会").await.unwrap();
    let renamed = store.org(t.feidong_trucks.id).await.unwrap().unwrap();
    assert_eq!(renamed.name, "肥东县货车司机工会");
    assert_eq!(renamed, Org { name: "肥东县货车司机工会".to_owned(), ..t.feidong_trucks.clone() });
    assert_eq!(store.org_by_join_code("340122T").await.unwrap().unwrap().name, "肥东县货车司机工会");
    // Keeping its own name is no conflict.
    store.rename_org(t.feidong_trucks.id, "肥东县货车司机工会").await.unwrap();

    let error = store.rename_org(t.feidong_trucks.id, &sibling.name).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::NameTaken)), "{error:?}");
    assert_eq!(store.org(t.feidong_trucks.id).await.unwrap().unwrap().name, "肥东县货车司机工会");
    // A name used elsewhere in the tree is fine.
    store.rename_org(t.feidong_trucks.id, &t.hefei_trucks.name).await.unwrap();
    assert_eq!(store.org(t.feidong_trucks.id).await.unwrap().unwrap().name, t.hefei_trucks.name);

    let error = store.rename_org(t.feidong_trucks.id, "  ").await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::OrgNameLength)), "{error:?}");
    let error = store.rename_org(OrgId(999_999), "无名工会").await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
});
