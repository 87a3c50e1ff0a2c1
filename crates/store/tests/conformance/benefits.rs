//! Benefit programmes on both databases: programmes read back as written, one grant per
//! member and never over quota under concurrency (total and child-union shares), grants
//! made inside the approval's transaction (and none by a refused approval), revocation
//! giving the place back, events, the enrolment lookup, the export's scope and the SMS
//! notices taken once.

use std::sync::Arc;

use huiji_core::benefit::{
    Eligibility, GrantAction, GrantMode, GrantStatus, Period, PolicyNumber, ProgrammeDraft, ProgrammeId,
    ProgrammeKind, ProgrammeRules, RevocationReason,
};
use huiji_core::joining::Landing;
use huiji_core::notice::NoticeKind;
use huiji_core::{CivilDate, Decision, Occupation, Org, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    GrantChange, Granted, MembershipRecord, NewGrant, NewProgramme, NoticeAbout, ReviewOutcome, Store,
    both_databases,
};

use crate::fixtures::{AT, DAY, member, pending, to_org, tree};

fn draft(name: &str, mode: GrantMode, quota: u32) -> ProgrammeDraft {
    ProgrammeDraft {
        kind: ProgrammeKind::InsuranceGift,
        name: name.to_owned(),
        provider: Some("中国人寿".to_owned()),
        hotline: Some("95519".to_owned()),
        rules: ProgrammeRules {
            mode,
            period: Period::new(CivilDate::new(2025, 1, 1), CivilDate::new(2026, 12, 31)).unwrap(),
            eligibility: Eligibility::default(),
        },
        quota,
        valid_days: Some(365),
    }
}

async fn programme(
    store: &Arc<dyn Store>,
    org: &Org,
    draft: ProgrammeDraft,
    shares: Vec<(OrgId, u32)>,
) -> ProgrammeId {
    let new = NewProgramme { org: org.id, draft, shares, created_by: "user:anhui".to_owned() };
    store.create_programme(&new, AT).await.unwrap().unwrap()
}

/// `n` members landed at `org`, tagged so tests do not share people.
async fn members(store: &Arc<dyn Store>, org: &Org, tag: &str, n: usize) -> Vec<MembershipRecord> {
    let mut made = Vec::new();
    for i in 0..n {
        let new = to_org(org, "王晓明", &format!("{tag}-{i}"), Landing::Union(org.id), Decision::Approve);
        made.push(member(store, &new, AT).await);
    }
    made
}

fn grant(programme: ProgrammeId, membership: i64, via: GrantMode) -> NewGrant {
    NewGrant {
        programme,
        membership,
        via,
        valid_until: CivilDate::new(2026, 11, 29),
        actor: "member".to_owned(),
        at: Timestamp(AT.0 + DAY),
    }
}

both_databases!(a_programme_reads_back_as_written, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let mut d = draft("卡友保", GrantMode::Claim, 20_000);
    d.rules.eligibility = Eligibility {
        occupations: vec![Occupation::TruckDriver, Occupation::Courier],
        regions: vec!["3401".parse().unwrap()],
        active_only: true,
        joined: Period::new(CivilDate::new(2025, 6, 1), None).unwrap(),
        joined_via: Some(huiji_core::benefit::JoinedVia::Platform("卡友地带".to_owned())),
        sex: Some(huiji_core::Sex::Female),
        age: huiji_core::benefit::AgeRange::new(Some(18), Some(60)).unwrap(),
    };
    let id = programme(&store, &t.hefei, d.clone(), vec![(t.feidong.id, 500)]).await;
    let read = store.programme(id).await.unwrap().unwrap();
    assert_eq!(
        (read.kind, read.name.as_str(), read.org),
        (ProgrammeKind::InsuranceGift, "卡友保", t.hefei.id)
    );
    assert_eq!(read.rules, d.rules);
    assert_eq!((read.quota.total, read.quota.granted, read.valid_days), (20_000, 0, Some(365)));
    let shares = store.programme_shares(id).await.unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(
        (shares[0].org, shares[0].quota.total, shares[0].org_name.as_str()),
        (t.feidong.id, 500, "肥东县总工会")
    );
    // The same name under the same sponsor is refused; another sponsor may use it.
    let again =
        NewProgramme { org: t.hefei.id, draft: d.clone(), shares: vec![], created_by: "x".to_owned() };
    assert_eq!(store.create_programme(&again, AT).await.unwrap(), None);
    let elsewhere = NewProgramme { org: t.wuhu.id, ..again };
    assert!(store.create_programme(&elsewhere, AT).await.unwrap().is_some());
    // Officers see their subtree's programmes and those above them, not a sibling's.
    let names = |list: Vec<huiji_store::ProgrammeRecord>| list.into_iter().map(|p| p.org).collect::<Vec<_>>();
    assert_eq!(names(store.programmes_for(&t.feidong.path, 50).await.unwrap()), vec![t.hefei.id]);
    assert_eq!(names(store.programmes_for(&t.root.path, 50).await.unwrap()).len(), 2);
    assert_eq!(names(store.programmes_above(&t.feidong_trucks.path).await.unwrap()), vec![t.hefei.id]);
});

both_databases!(a_hundred_concurrent_grants_on_a_quota_of_ten_make_ten, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = programme(&store, &t.hefei, draft("住院险", GrantMode::Claim, 10), vec![]).await;
    let people = members(&store, &t.hefei_trucks, "q", 100).await;
    let tasks: Vec<_> = people
        .iter()
        .map(|m| {
            let (store, new) = (store.clone(), grant(id, m.id, GrantMode::Claim));
            tokio::spawn(async move { store.grant_benefit(&new).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let done = outcomes.iter().filter(|o| matches!(o, Granted::Done(_))).count();
    let refused = outcomes.iter().filter(|o| **o == Granted::QuotaExhausted).count();
    assert_eq!((done, refused), (10, 90));
    let read = store.programme(id).await.unwrap().unwrap();
    assert_eq!((read.quota.granted, read.quota.remaining()), (10, 0));
    assert_eq!(store.programme_grants(id, &t.root.path, 0, 500).await.unwrap().len(), 10);
});

both_databases!(a_member_claiming_twice_at_once_gets_one_grant, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = programme(&store, &t.hefei, draft("体检", GrantMode::Claim, 100), vec![]).await;
    let m = members(&store, &t.hefei_trucks, "twice", 1).await.remove(0);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, new) = (store.clone(), grant(id, m.id, GrantMode::Claim));
            tokio::spawn(async move { store.grant_benefit(&new).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Granted::Done(_))).count(), 1);
    assert!(outcomes.iter().all(|o| matches!(o, Granted::Done(_) | Granted::AlreadyGranted)));
    assert_eq!(
        store.programme(id).await.unwrap().unwrap().quota.granted,
        1,
        "refusals give their count back"
    );
    let grants = store.member_grants(m.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].programme_name.as_str(), grants[0].hotline.as_deref()), ("体检", Some("95519")));
});

both_databases!(a_child_unions_share_is_enforced_too, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = programme(&store, &t.root, draft("四季送", GrantMode::Officer, 10), vec![(t.hefei.id, 1)]).await;
    let hefei = members(&store, &t.hefei_trucks, "hf", 2).await;
    let wuhu = members(&store, &t.wuhu_trucks, "wh", 1).await;
    assert!(matches!(
        store.grant_benefit(&grant(id, hefei[0].id, GrantMode::Officer)).await.unwrap(),
        Granted::Done(_)
    ));
    assert_eq!(
        store.grant_benefit(&grant(id, hefei[1].id, GrantMode::Officer)).await.unwrap(),
        Granted::ShareExhausted
    );
    assert!(matches!(
        store.grant_benefit(&grant(id, wuhu[0].id, GrantMode::Officer)).await.unwrap(),
        Granted::Done(_)
    ));
    assert_eq!(store.programme(id).await.unwrap().unwrap().quota.granted, 2);
    assert_eq!(store.programme_shares(id).await.unwrap()[0].quota.granted, 1);
    // Counted within a subtree: Hefei's officers see their one grant.
    let counts = store.grant_counts(id, &t.hefei.path).await.unwrap();
    assert_eq!(counts, vec![(GrantStatus::Granted, 1)]);
    // A membership no longer held, or a missing programme, is gone.
    assert_eq!(
        store.grant_benefit(&grant(ProgrammeId(999_999), wuhu[0].id, GrantMode::Officer)).await.unwrap(),
        Granted::Gone
    );
    assert_eq!(store.grant_benefit(&grant(id, 999_999, GrantMode::Officer)).await.unwrap(), Granted::Gone);
});

both_databases!(approval_grants_on_approval_programmes_in_its_transaction, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let gift = programme(&store, &t.hefei, draft("意外险", GrantMode::OnApproval, 2), vec![]).await;
    let mut couriers = draft("快递员专享", GrantMode::OnApproval, 10);
    couriers.rules.eligibility.occupations = vec![Occupation::Courier];
    let couriers = programme(&store, &t.hefei, couriers, vec![]).await;
    let wuhu_gift = programme(&store, &t.wuhu, draft("芜湖意外险", GrantMode::OnApproval, 10), vec![]).await;
    let claimed = programme(&store, &t.hefei, draft("申领险", GrantMode::Claim, 10), vec![]).await;
    // Instant approvals: the first two truck drivers of Hefei get the gift, the third
    // is approved without one (quota used up); none gets the couriers', Wuhu's or the
    // claimed programme.
    let people = members(&store, &t.hefei_trucks, "inst", 3).await;
    let held: Vec<usize> = {
        let mut held = Vec::new();
        for m in &people {
            held.push(store.member_grants(m.id).await.unwrap().len());
        }
        held
    };
    assert_eq!(held, vec![1, 1, 0]);
    let first = &store.member_grants(people[0].id).await.unwrap()[0];
    assert_eq!(
        (first.grant.programme, first.grant.via, first.grant.granted_by.as_str()),
        (gift, GrantMode::OnApproval, "instant")
    );
    assert_eq!(first.grant.valid_until, AT.china_date().plus_days(364));
    for id in [couriers, wuhu_gift, claimed] {
        assert_eq!(store.programme(id).await.unwrap().unwrap().quota.granted, 0);
    }
    // An officer's approval grants too, within its transaction; a refused approval
    // (decided meanwhile) grants nothing.
    let second = programme(&store, &t.hefei, draft("第二份礼包", GrantMode::OnApproval, 5), vec![]).await;
    let waiting =
        to_org(&t.hefei_trucks, "李娜", "rev-1", Landing::Union(t.hefei_trucks.id), Decision::Review);
    let a = pending(&store, &waiting, AT).await;
    let rejected =
        to_org(&t.hefei_trucks, "赵强", "rev-2", Landing::Union(t.hefei_trucks.id), Decision::Review);
    let r = pending(&store, &rejected, AT).await;
    store.reject_application(r, "user:li", "材料不符", AT).await.unwrap();
    assert_eq!(store.approve_application(r, "user:li", AT).await.unwrap(), ReviewOutcome::NotPending);
    assert_eq!(store.programme(second).await.unwrap().unwrap().quota.granted, 0);
    assert!(matches!(
        store.approve_application(a, "user:li", AT).await.unwrap(),
        ReviewOutcome::Approved { .. }
    ));
    let approved = store.application(a).await.unwrap().unwrap().membership_id.unwrap();
    let grants = store.member_grants(approved).await.unwrap();
    assert_eq!(grants.len(), 1, "the gift's quota is used up; the second programme grants");
    assert_eq!((grants[0].grant.programme, grants[0].grant.granted_by.as_str()), (second, "user:li"));
    assert_eq!(store.programme(second).await.unwrap().unwrap().quota.granted, 1);
    // Each grant queued its SMS in the decision outbox, in the approval's transaction;
    // the refused approval queued none.
    let queued = store.claim_notices(AT, Timestamp(AT.0 + 60_000), 50, None).await.unwrap();
    let grants: Vec<_> = queued.iter().filter(|n| n.kind == NoticeKind::BenefitGranted).collect();
    assert_eq!(grants.len(), 3);
    assert!(grants.iter().all(|n| n.benefit_status.as_deref() == Some("granted")));
});

both_databases!(revocation_gives_the_place_back_and_every_step_is_an_event, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id =
        programme(&store, &t.hefei, draft("意外险", GrantMode::Officer, 1), vec![(t.feidong.id, 1)]).await;
    let people = members(&store, &t.feidong_trucks, "rv", 2).await;
    let Granted::Done(g) = store.grant_benefit(&grant(id, people[0].id, GrantMode::Officer)).await.unwrap()
    else {
        panic!("not granted")
    };
    assert_eq!(
        store.grant_benefit(&grant(id, people[1].id, GrantMode::Officer)).await.unwrap(),
        Granted::QuotaExhausted
    );
    let at = Timestamp(AT.0 + 2 * DAY);
    let change = |from, action| GrantChange { grant: g, from, action, actor: "user:li".to_owned(), at };
    let revoke = GrantAction::Revoke(RevocationReason::parse("已离职").unwrap());
    assert!(store.change_grant(&change(GrantStatus::Granted, revoke.clone())).await.unwrap());
    assert!(!store.change_grant(&change(GrantStatus::Granted, revoke)).await.unwrap(), "stale");
    let read = store.grant(g).await.unwrap().unwrap();
    assert_eq!((read.status, read.revoke_reason.as_deref()), (GrantStatus::Revoked, Some("已离职")));
    assert_eq!(store.programme(id).await.unwrap().unwrap().quota.granted, 0);
    assert_eq!(store.programme_shares(id).await.unwrap()[0].quota.granted, 0);
    // The place is free again; the revoked member still cannot hold a second grant.
    assert_eq!(
        store.grant_benefit(&grant(id, people[0].id, GrantMode::Officer)).await.unwrap(),
        Granted::AlreadyGranted
    );
    let Granted::Done(g2) = store.grant_benefit(&grant(id, people[1].id, GrantMode::Officer)).await.unwrap()
    else {
        panic!("the freed place was not granted")
    };
    let change2 = |from, action| GrantChange { grant: g2, from, action, actor: "user:li".to_owned(), at };
    let policy = PolicyNumber::parse("PA-2026-0001").unwrap();
    assert!(store.change_grant(&change2(GrantStatus::Granted, GrantAction::Enrol(policy))).await.unwrap());
    assert!(store.change_grant(&change2(GrantStatus::Enrolled, GrantAction::Use)).await.unwrap());
    assert!(store.change_grant(&change2(GrantStatus::Used, GrantAction::Close)).await.unwrap());
    let read = store.grant(g2).await.unwrap().unwrap();
    assert_eq!((read.status, read.policy_number.as_deref()), (GrantStatus::Closed, Some("PA-2026-0001")));
    assert_eq!(
        store.programme(id).await.unwrap().unwrap().quota.granted,
        1,
        "a closed grant keeps its place"
    );
    let kinds: Vec<_> = store.grant_events(g2).await.unwrap().into_iter().map(|e| (e.kind, e.note)).collect();
    assert_eq!(
        kinds,
        vec![
            ("grant".to_owned(), None),
            ("enrol".to_owned(), Some("PA-2026-0001".to_owned())),
            ("use".to_owned(), None),
            ("close".to_owned(), None)
        ]
    );
    let revoked: Vec<_> = store.grant_events(g).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(revoked, vec!["grant".to_owned(), "revoke".to_owned()]);
});

both_databases!(lookup_export_and_notices, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = programme(&store, &t.root, draft("住院险", GrantMode::Officer, 10), vec![]).await;
    let hefei = members(&store, &t.hefei_trucks, "ex", 1).await.remove(0);
    let wuhu = members(&store, &t.wuhu_trucks, "ew", 1).await.remove(0);
    for m in [&hefei, &wuhu] {
        assert!(matches!(
            store.grant_benefit(&grant(id, m.id, GrantMode::Officer)).await.unwrap(),
            Granted::Done(_)
        ));
    }
    // The fixtures' blind index of the ID number "ex-0" is "bidx:ex-0".
    let found = store.grant_by_id_number(id, "bidx:ex-0").await.unwrap().unwrap();
    assert_eq!(found.membership, hefei.id);
    assert_eq!(store.grant_by_id_number(id, "bidx:nobody").await.unwrap(), None);
    let rows = store.export_rows(id, &t.hefei.path).await.unwrap();
    assert_eq!(rows.len(), 1, "only the subtree's grants");
    assert_eq!(
        (rows[0].union.as_str(), rows[0].id_number_ct.as_slice()),
        ("合肥市货车司机工会联合会", b"ct:ex-0".as_slice())
    );
    assert_eq!(store.export_rows(id, &t.root.path).await.unwrap().len(), 2);
    // Each grant queued one notice in the outbox, naming the grant and reading the
    // programme's facts at delivery; a claimed notice is not claimed again.
    let first = store.grant_by_id_number(id, "bidx:ex-0").await.unwrap().unwrap().id;
    let about = NoticeAbout { grant: Some(first.0), ..NoticeAbout::default() };
    // Due from the grant's own time (a day after AT here).
    let (now, lease) = (Timestamp(AT.0 + DAY), Timestamp(AT.0 + DAY + 60_000));
    assert!(store.claim_notices(AT, lease, 10, Some(about)).await.unwrap().is_empty(), "not due before");
    let notices = store.claim_notices(now, lease, 10, Some(about)).await.unwrap();
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert_eq!(
        (n.kind, n.grant_id, n.membership_id),
        (NoticeKind::BenefitGranted, Some(first.0), Some(hefei.id))
    );
    assert_eq!((n.benefit_name.as_deref(), n.benefit_hotline.as_deref()), (Some("住院险"), Some("95519")));
    assert_eq!(
        n.mobile_ct.as_deref(),
        Some(b"ct:m-ex-0".as_slice()),
        "the member's mobile, read at delivery"
    );
    assert!(store.claim_notices(now, lease, 10, Some(about)).await.unwrap().is_empty(), "taken once");
    let rest = store.claim_notices(now, lease, 10, None).await.unwrap();
    let rest: Vec<_> = rest.iter().filter(|n| n.kind == NoticeKind::BenefitGranted).collect();
    assert_eq!(rest.len(), 1, "Wuhu's is still due");
    assert_eq!(rest[0].membership_id, Some(wuhu.id));
    let member = store.benefit_member(hefei.id).await.unwrap().unwrap();
    assert_eq!((member.channel, member.occupation), (huiji_core::Channel::Qr, Occupation::TruckDriver));
    assert!(member.snapshot(None).is_some());
});

/// A grant row as the version before 0076 wrote it: `notified_at` says whether its SMS
/// went out.
const OLD_GRANT: &str = "INSERT INTO benefit_grants (programme_id, membership_id, home_path, status, via, \
    granted_at, granted_by, updated_at, notified_at, revoke_reason) \
    VALUES ($1, $2, $3, $4, 'officer', 7, 'user:li', 7, $5, CASE WHEN $4 = 'revoked' THEN '重复发放' END)";

/// Writes [`OLD_GRANT`] on the database at `url` (either backend).
async fn old_grant(
    url: &str,
    programme: i64,
    membership: i64,
    home: &str,
    status: &str,
    notified: Option<i64>,
) {
    macro_rules! run {
        ($pool:expr) => {{
            let pool = $pool;
            sqlx::query(OLD_GRANT)
                .bind(programme)
                .bind(membership)
                .bind(home)
                .bind(status)
                .bind(notified)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }};
    }
    if url.starts_with("sqlite:") {
        run!(sqlx::SqlitePool::connect(url).await.unwrap())
    } else {
        run!(sqlx::PgPool::connect(url).await.unwrap())
    }
}

/// Creates (or drops) SQLite's `join_tail` trigger and its view in an older database.
async fn join_tail_lent(url: &str, lent: bool) {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let sql = if lent {
        include_str!("../../migrations/sqlite/0086_join_tail_trigger.sql")
    } else {
        "DROP TRIGGER join_tail; DROP VIEW join_tails"
    };
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

both_databases!(grants_not_yet_texted_before_0076_are_queued_by_it, |db: TestDb| async move {
    // A database of the version before 0076: grants texted or not by `notified_at`.
    let url = crate::upgrade::older_database(&db, "grants", |version| version < 76, &[]).await;
    let old = huiji_store::SqlStore::connect(&url).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(old.clone());
    let t = tree(&store).await;
    let id = programme(&store, &t.root, draft("意外险", GrantMode::Officer, 10), vec![]).await;
    // Today's store makes the members, and on SQLite its joins need migration 0086's
    // trigger: lent for them and taken away again, so the upgrade meets the old schema.
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        join_tail_lent(&url, true).await;
    }
    let people = members(&store, &t.hefei_trucks, "up", 3).await;
    if sqlite {
        join_tail_lent(&url, false).await;
    }
    let home = t.hefei_trucks.path.as_str();
    for (m, status, notified) in
        [(&people[0], "granted", None), (&people[1], "granted", Some(5)), (&people[2], "revoked", None)]
    {
        old_grant(&url, id.0, m.id, home, status, notified).await;
    }
    {
        use huiji_store::prelude::*;
        old.migrate().await.unwrap();
    }
    // Only the grant never texted and still held is queued, due from its grant time.
    let queued = store.claim_notices(Timestamp(7), Timestamp(60_007), 50, None).await.unwrap();
    let grants: Vec<_> = queued.iter().filter(|n| n.kind == NoticeKind::BenefitGranted).collect();
    assert_eq!(grants.len(), 1, "{queued:?}");
    assert_eq!((grants[0].membership_id, grants[0].org_id), (Some(people[0].id), t.root.id.0));
    assert_eq!(grants[0].benefit_name.as_deref(), Some("意外险"));
    old.close().await;
});
