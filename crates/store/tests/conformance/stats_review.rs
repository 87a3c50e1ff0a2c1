//! The review rollup on both databases: received, escalated (once, however often a
//! review moves up), decided, instant and the histogram of officers' times to decision,
//! each against what the scenario did and against a recount from the applications
//! (`verify_stats`, and after `rebuild_stats` the same figures); the buckets the SQL
//! computes are `huiji_core::stats::review`'s; a sibling's applications are not counted.

use huiji_core::joining::Landing;
use huiji_core::stats::review::review_bucket;
use huiji_core::{Decision, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, ReviewOutcome, both_databases};

use crate::fixtures::{AT, DAY, member, pending, to_org, tree};

const MINUTE: i64 = 60_000;

both_databases!(review_figures_come_from_a_rollup_equal_to_a_recount, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let trucks = |name: &str, id: &str, decision| {
        to_org(&t.feidong_trucks, name, id, Landing::Union(t.feidong_trucks.id), decision)
    };
    // One instant approval, three officers' decisions after 5 minutes, 2½ hours, 3 days.
    member(&store, &trucks("王一", "r-instant", Decision::Approve), Timestamp(AT.0 - 2 * DAY)).await;
    let quick =
        pending(&store, &trucks("王二", "r-quick", Decision::Review), Timestamp(AT.0 - 3 * DAY)).await;
    let outcome = store.approve_application(quick, "user:r", Timestamp(AT.0 - 3 * DAY + 5 * MINUTE)).await;
    assert!(matches!(outcome.unwrap(), ReviewOutcome::Approved { .. }));
    let refused =
        pending(&store, &trucks("王三", "r-refused", Decision::Review), Timestamp(AT.0 - 3 * DAY)).await;
    let at = Timestamp(AT.0 - 3 * DAY + 150 * MINUTE);
    assert_eq!(
        store.reject_application(refused, "user:r", "材料不符", at).await.unwrap(),
        ReviewOutcome::Rejected
    );
    let slow = pending(&store, &trucks("王四", "r-slow", Decision::Review), Timestamp(AT.0 - 10 * DAY)).await;
    let outcome = store.approve_application(slow, "user:r", Timestamp(AT.0 - 7 * DAY)).await.unwrap();
    assert!(matches!(outcome, ReviewOutcome::Approved { .. }));
    // One left waiting past its deadline: moved up twice, counted once.
    let late = NewApplication {
        review_deadline: Timestamp(AT.0 - 4 * DAY),
        ..trucks("王五", "r-late", Decision::Review)
    };
    pending(&store, &late, Timestamp(AT.0 - 5 * DAY)).await;
    assert_eq!(store.escalate_overdue(Timestamp(AT.0 - 4 * DAY + 1)).await.unwrap(), 1);
    assert_eq!(store.escalate_overdue(Timestamp(AT.0 + 30 * DAY)).await.unwrap(), 1);
    // A sibling city's application.
    let wuhu = to_org(&t.wuhu_trucks, "李六", "r-wuhu", Landing::Union(t.wuhu_trucks.id), Decision::Approve);
    member(&store, &wuhu, Timestamp(AT.0 - DAY)).await;

    let (from, until) = (Timestamp(AT.0 - 30 * DAY).china_date(), AT.china_date());
    let now = Timestamp(AT.0 + 30 * DAY);
    let tally = store.review_tally(&t.hefei.path, from, until, now).await.unwrap();
    assert_eq!((tally.received, tally.escalated, tally.decided, tally.instant), (5, 1, 4, 1));
    let mut want =
        vec![(review_bucket(5 * MINUTE), 1), (review_bucket(150 * MINUTE), 1), (review_bucket(3 * DAY), 1)];
    want.sort_unstable();
    assert_eq!(tally.officer_times, want);
    assert_eq!(want.iter().map(|(b, _)| *b).collect::<Vec<_>>(), [0, 7, 37]);
    assert_eq!(tally.pending, 1, "the late one waits with 合肥, in its own subtree");
    // A range of days counts only its days: the slow one was received 10 days ago.
    let recent = store.review_tally(&t.hefei.path, Timestamp(AT.0 - 6 * DAY).china_date(), until, now).await;
    let recent = recent.unwrap();
    assert_eq!((recent.received, recent.decided, recent.officer_times.len()), (4, 3, 2));
    let sibling = store.review_tally(&t.wuhu.path, from, until, now).await.unwrap();
    assert_eq!((sibling.received, sibling.decided, sibling.instant, sibling.escalated), (1, 1, 1, 0));
    let root = store.review_tally(&t.root.path, from, until, now).await.unwrap();
    assert_eq!((root.received, root.decided), (6, 5), "a parent's figures hold its children's");

    let diffs = store.verify_stats().await.unwrap();
    assert!(diffs.is_empty(), "{diffs:#?}");
    store.rebuild_stats().await.unwrap();
    assert!(store.verify_stats().await.unwrap().is_empty());
    assert_eq!(store.review_tally(&t.hefei.path, from, until, now).await.unwrap(), tally);
});
