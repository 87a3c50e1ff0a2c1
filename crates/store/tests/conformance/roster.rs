//! Real-name rosters on both databases: imports and their counts; entries unique per
//! source (a second import adds nothing, changes only a given new mobile or employer);
//! states computed on import and kept current by submission, approval and rejection;
//! the matches `roster_only` reads; coverage and the non-members by subtree; the purge.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::roster::RosterState::{Member, NotMember, Pending};
use huiji_core::{Decision, Occupation, Org, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Conflict, CoverageRow, EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterImportStatus,
    Store, StoreError, both_databases,
};

use crate::fixtures::{AT, DAY, member, pending, sealed, to_org, tree};

fn entry(id: &str, mobile: Option<&str>, employer: Option<&str>, occupation: Occupation) -> NewRosterEntry {
    NewRosterEntry {
        name: Some("王晓明".to_owned()),
        id_number: sealed(id),
        mobile: mobile.map(sealed),
        occupation,
        region: "340104".parse().ok(),
        employer_name: employer.map(str::to_owned),
        employer_credit_code: None,
    }
}

async fn start(store: &Arc<dyn Store>, org: &Org, source: &str) -> i64 {
    let new = NewRosterImport {
        org: org.id,
        source: source.to_owned(),
        file_name: "roster.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    store.start_roster_import(&new, AT).await.unwrap()
}

fn new_state(outcome: &EntryOutcome) -> huiji_core::roster::RosterState {
    match outcome {
        EntryOutcome::New(state) | EntryOutcome::Existing { state, .. } => *state,
    }
}

both_databases!(entries_are_unique_per_source_and_updated_only_by_changes, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let first = start(&store, &t.hefei, "交通运输局").await;
    let rows = [
        entry("id-a", Some("m-a"), Some("顺丰"), Occupation::TruckDriver),
        entry("id-b", None, None, Occupation::Courier),
    ];
    let outcomes = store.add_roster_entries(first, &rows, AT).await.unwrap();
    assert_eq!(outcomes, [EntryOutcome::New(NotMember), EntryOutcome::New(NotMember)]);

    // The same rows again: nothing changes.
    let again = start(&store, &t.hefei, "交通运输局").await;
    let outcomes = store.add_roster_entries(again, &rows, AT).await.unwrap();
    let unchanged = EntryOutcome::Existing { state: NotMember, mobile: false, employer: false };
    assert_eq!(outcomes, [unchanged, unchanged]);

    // A new mobile and a new employer are taken; a row without them keeps the stored ones.
    let changed = [
        entry("id-a", Some("m-a2"), Some("顺丰"), Occupation::TruckDriver),
        entry("id-b", None, Some("京东"), Occupation::Courier),
        entry("id-a", None, None, Occupation::TruckDriver),
    ];
    let outcomes = store.add_roster_entries(again, &changed, AT).await.unwrap();
    assert_eq!(
        outcomes,
        [
            EntryOutcome::Existing { state: NotMember, mobile: true, employer: false },
            EntryOutcome::Existing { state: NotMember, mobile: false, employer: true },
            unchanged,
        ]
    );

    // Another source lists the same person anew.
    let platform = start(&store, &t.root, "美团").await;
    let outcomes = store.add_roster_entries(platform, &rows[..1], AT).await.unwrap();
    assert_eq!(outcomes, [EntryOutcome::New(NotMember)]);
    let matches = store.roster_matches("bidx:id-a").await.unwrap();
    let sources: Vec<_> = matches.iter().map(|m| (m.source.as_str(), &m.org_path, m.imported_at)).collect();
    assert_eq!(sources, [("交通运输局", &t.hefei.path, AT), ("美团", &t.root.path, AT)]);
    assert!(store.roster_matches("bidx:id-z").await.unwrap().is_empty());

    // The import's counts are what the app records.
    let counts = RosterCounts {
        rows: 3,
        imported: 0,
        already_on_roster: 3,
        updated: 2,
        not_members: 3,
        ..Default::default()
    };
    store
        .update_roster_import(again, RosterImportStatus::Done, &counts, Some("r.report.csv"), AT)
        .await
        .unwrap();
    let record = store.roster_import(again).await.unwrap().unwrap();
    assert_eq!(
        (record.status, record.counts, record.report.as_deref()),
        (RosterImportStatus::Done, counts, Some("r.report.csv"))
    );
    assert_eq!(
        (record.org, &record.source, &record.actor, record.finished_at),
        (t.hefei.id, &"交通运输局".to_owned(), &"operator".to_owned(), Some(AT))
    );
    let listed: Vec<i64> =
        store.roster_imports(&t.hefei.path, 10).await.unwrap().iter().map(|i| i.id).collect();
    assert_eq!(listed, [again, first], "newest first, the root's import is above the subtree");
    assert_eq!(store.roster_imports(&t.root.path, 10).await.unwrap().len(), 3);
    assert!(store.roster_imports(&t.wuhu.path, 10).await.unwrap().is_empty());
});

both_databases!(imports_need_a_union_and_a_source, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let mut new = NewRosterImport {
        org: huiji_core::OrgId(999_999),
        source: "交通运输局".to_owned(),
        file_name: "f.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    assert!(matches!(store.start_roster_import(&new, AT).await, Err(StoreError::NotFound(_))));
    new.org = t.hefei.id;
    new.source = " ".to_owned();
    assert!(matches!(
        store.start_roster_import(&new, AT).await,
        Err(StoreError::Conflict(Conflict::RosterSourceInvalid))
    ));
    assert!(matches!(store.add_roster_entries(424_242, &[], AT).await, Err(StoreError::NotFound(_))));
});

both_databases!(states_are_computed_on_import_and_kept_current_by_joins, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let trucks = |id: &str, decision| {
        to_org(&t.hefei_trucks, "王晓明", id, Landing::Union(t.hefei_trucks.id), decision)
    };
    // A member and an applicant before the import.
    member(&store, &trucks("id-m", Decision::Approve), AT).await;
    pending(&store, &trucks("id-p", Decision::Review), AT).await;
    let import = start(&store, &t.hefei, "交通运输局").await;
    let rows: Vec<_> = ["id-m", "id-p", "id-n", "id-later", "id-reject", "id-instant"]
        .iter()
        .map(|id| entry(id, Some("m"), None, Occupation::TruckDriver))
        .collect();
    let outcomes = store.add_roster_entries(import, &rows, AT).await.unwrap();
    let states: Vec<_> = outcomes.iter().map(new_state).collect();
    assert_eq!(states, [Member, Pending, NotMember, NotMember, NotMember, NotMember]);

    let state_of = |id: &'static str| {
        let store = store.clone();
        let path = t.hefei.path.clone();
        async move {
            let mut after = 0;
            let mut non_members = Vec::new();
            loop {
                let page = store.roster_non_members(&path, after, 2).await.unwrap();
                let Some(last) = page.last() else { break };
                after = last.id;
                non_members.extend(page.into_iter().map(|p| p.id_number_ct));
            }
            non_members.contains(&format!("ct:{id}").into_bytes())
        }
    };
    // Applying makes the entry pending; approval makes it a member; rejection undoes pending.
    let later = pending(&store, &trucks("id-later", Decision::Review), AT).await;
    let rejected = pending(&store, &trucks("id-reject", Decision::Review), AT).await;
    assert!(!state_of("id-later").await && !state_of("id-reject").await);
    let cover = store.roster_coverage(&t.hefei.path).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (6, 1, 3));
    store.approve_application(later, "user:hefei", AT).await.unwrap();
    store.reject_application(rejected, "user:hefei", "不符合条件", AT).await.unwrap();
    member(&store, &trucks("id-instant", Decision::Approve), AT).await;
    assert!(state_of("id-reject").await && state_of("id-n").await && !state_of("id-instant").await);
    let cover = store.roster_coverage(&t.hefei.path).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (6, 3, 1));
    assert_eq!(
        cover.by_occupation,
        [CoverageRow { key: Occupation::TruckDriver, entries: 6, members: 3, pending: 1 }]
    );
    assert_eq!(cover.by_org, [CoverageRow { key: t.hefei.id, entries: 6, members: 3, pending: 1 }]);
    let elsewhere = store.roster_coverage(&t.wuhu.path).await.unwrap();
    assert_eq!((elsewhere.entries, elsewhere.by_org.len()), (0, 0));
    // A re-import sees the current states.
    let again = start(&store, &t.hefei, "交通运输局").await;
    let outcomes = store.add_roster_entries(again, &rows, AT).await.unwrap();
    let states: Vec<_> = outcomes.iter().map(new_state).collect();
    assert_eq!(states, [Member, Pending, NotMember, Member, NotMember, Member]);
});

both_databases!(the_purge_removes_only_never_joined_entries_not_seen_since, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let trucks = |id: &str| {
        to_org(&t.hefei_trucks, "王晓明", id, Landing::Union(t.hefei_trucks.id), Decision::Approve)
    };
    member(&store, &trucks("id-m"), AT).await;
    let old = start(&store, &t.hefei, "交通运输局").await;
    let rows = [
        entry("id-m", None, None, Occupation::TruckDriver),
        entry("id-old", None, None, Occupation::TruckDriver),
        entry("id-seen", None, None, Occupation::TruckDriver),
    ];
    store.add_roster_entries(old, &rows, AT).await.unwrap();
    let later = Timestamp(AT.0 + 200 * DAY);
    let again = start(&store, &t.hefei, "交通运输局").await;
    store.add_roster_entries(again, &rows[2..], later).await.unwrap();
    let purged = store.purge_roster(Timestamp(AT.0 + 180 * DAY)).await.unwrap();
    assert_eq!(purged, 1, "only the entry never joined and not listed since");
    assert!(store.roster_matches("bidx:id-old").await.unwrap().is_empty());
    assert_eq!(store.roster_matches("bidx:id-m").await.unwrap().len(), 1);
    assert_eq!(store.roster_matches("bidx:id-seen").await.unwrap().len(), 1);
    assert!(store.roster_import(old).await.unwrap().is_some(), "the import and its counts stay");
    // The coverage rollup follows the purge: two entries left, one of them a member.
    let cover = store.roster_coverage(&t.hefei.path).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (2, 1, 0));
    assert_eq!(cover.by_org.len(), 1);
});

both_databases!(key_rotation_reseals_entries_with_and_without_a_mobile, |db: TestDb| async move {
    use huiji_store::{Resealed, SealedRow, SealedTable};
    let store = db.dyn_store();
    let t = tree(&store).await;
    let import = start(&store, &t.hefei, "交通运输局").await;
    let rows = [
        entry("id-a", Some("m-a"), None, Occupation::TruckDriver),
        entry("id-b", None, None, Occupation::Courier),
    ];
    store.add_roster_entries(import, &rows, AT).await.unwrap();
    let batch = store.sealed_batch(SealedTable::Roster, 0, 10).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(
        (batch[0].id_number_ct.as_deref(), batch[0].value_ct.as_slice()),
        (Some(&b"ct:id-a"[..]), &b"ct:m-a"[..])
    );
    assert!(batch[1].value_ct.is_empty(), "no mobile reads as an empty value");
    let resealed: Vec<Resealed> = batch
        .iter()
        .map(|old| Resealed {
            old: old.clone(),
            new: SealedRow {
                id: old.id,
                id_number_ct: Some(b"new-id".to_vec()),
                value_ct: if old.value_ct.is_empty() { Vec::new() } else { b"new-m".to_vec() },
            },
        })
        .collect();
    assert_eq!(store.reseal(SealedTable::Roster, &resealed, None).await.unwrap(), 2);
    assert_eq!(store.reseal(SealedTable::Roster, &resealed, None).await.unwrap(), 0, "changed since read");
    let after = store.sealed_batch(SealedTable::Roster, 0, 10).await.unwrap();
    assert_eq!(
        (after[0].id_number_ct.as_deref(), after[0].value_ct.as_slice()),
        (Some(&b"new-id"[..]), &b"new-m"[..])
    );
    assert!(after[1].value_ct.is_empty(), "an entry without a mobile keeps none");
    assert_eq!(SealedTable::Roster.name(), "roster_entries");
});

both_databases!(a_batch_larger_than_sqlites_bind_limit_is_written_whole, |db: TestDb| async move {
    // 5,000 rows bind 45,000 values: more than SQLite's 32,766 in one statement, so its
    // INSERT is split; PostgreSQL takes them as arrays in one. Some are listed already
    // (a fifth, in the middle), one new person is a member, one has applied.
    let store = db.dyn_store();
    let t = tree(&store).await;
    let trucks = |id: &str, decision| {
        to_org(&t.hefei_trucks, "王晓明", id, Landing::Union(t.hefei_trucks.id), decision)
    };
    member(&store, &trucks("big-4321", Decision::Approve), AT).await;
    pending(&store, &trucks("big-4999", Decision::Review), AT).await;
    let ids: Vec<String> = (0..5_000).map(|n| format!("big-{n}")).collect();
    let rows: Vec<_> = ids.iter().map(|id| entry(id, Some("m"), None, Occupation::TruckDriver)).collect();
    let first = start(&store, &t.hefei, "交通运输局").await;
    let outcomes = store.add_roster_entries(first, &rows[2_000..3_000], AT).await.unwrap();
    assert!(outcomes.iter().all(|o| *o == EntryOutcome::New(NotMember)));

    let again = start(&store, &t.hefei, "交通运输局").await;
    let mut changed = rows.clone();
    changed[2_500].mobile = Some(sealed("m-new"));
    let later = Timestamp(AT.millis() + DAY);
    let outcomes = store.add_roster_entries(again, &changed, later).await.unwrap();
    assert_eq!(outcomes.len(), 5_000, "one outcome per entry, in order");
    for (n, outcome) in outcomes.iter().enumerate() {
        let expected = match n {
            2_500 => EntryOutcome::Existing { state: NotMember, mobile: true, employer: false },
            2_000..3_000 => EntryOutcome::Existing { state: NotMember, mobile: false, employer: false },
            4_321 => EntryOutcome::New(Member),
            4_999 => EntryOutcome::New(Pending),
            _ => EntryOutcome::New(NotMember),
        };
        assert_eq!(*outcome, expected, "row {n}");
    }
    let cover = store.roster_coverage(&t.hefei.path).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (5_000, 1, 1));
    // Every entry was seen by the second import: none of them is old enough to purge
    // at a cutoff between the two imports.
    assert_eq!(store.purge_roster(Timestamp(AT.millis() + 1)).await.unwrap(), 0);
    assert_eq!(store.purge_roster(Timestamp(later.millis() + 1)).await.unwrap(), 4_998);
});

/// Runs `sql` on the database at `url` behind the store's back (either backend): the
/// damage a repair outside huiji could do.
async fn behind_the_back(url: &str, sql: &'static str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

both_databases!(stats_verify_recounts_the_coverage_rollup_and_rebuild_repairs_it, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let trucks = |id: &str| {
        to_org(&t.hefei_trucks, "王晓明", id, Landing::Union(t.hefei_trucks.id), Decision::Approve)
    };
    member(&store, &trucks("id-m"), AT).await;
    let import = start(&store, &t.hefei, "交通运输局").await;
    let rows: Vec<_> =
        ["id-m", "id-a", "id-b"].iter().map(|id| entry(id, Some("m"), None, Occupation::Courier)).collect();
    store.add_roster_entries(import, &rows, AT).await.unwrap();
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollup equals a recount");

    // A count drifted and an entry's state went stale, both behind huiji's back: the
    // not_member count is 5 too high, and a member's entry says not_member (its trigger
    // moved one count, and the repair moved it back, as a careless script would).
    behind_the_back(&db.url, "UPDATE roster_counts SET entries = entries + 5 WHERE state = 'not_member'")
        .await;
    behind_the_back(
        &db.url,
        "UPDATE roster_entries SET state = 'not_member' WHERE state = 'member'; \
         UPDATE roster_counts SET entries = entries + 1 WHERE state = 'member'; \
         UPDATE roster_counts SET entries = entries - 1 WHERE state = 'not_member'",
    )
    .await;
    let diffs = store.verify_stats().await.unwrap();
    let tables: Vec<_> = diffs.iter().map(|d| (d.table, d.stored.as_str(), d.recounted.as_str())).collect();
    assert_eq!(
        tables,
        [
            ("roster_counts", "7", "3"),
            ("roster_counts", "1", "0"),
            ("roster_entries.state", "1 entries not_member", "1 entries member"),
        ],
        "{diffs:#?}"
    );

    store.rebuild_stats().await.unwrap();
    assert!(store.verify_stats().await.unwrap().is_empty(), "rebuilt from the entries, states first");
    let cover = store.roster_coverage(&t.hefei.path).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (3, 1, 0));
});
