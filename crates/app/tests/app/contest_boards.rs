//! The leaderboards through the use cases: unions by participation rate and average
//! score against a recount, drill-down within the contest only, people by best score
//! then time with shared ranks, and the close that finishes what was left and freezes.

use huiji_app::contest::ContestError;
use huiji_app::contest::boards::{people, settle, unions};
use huiji_app::contest::taking::{Step, answer, start};
use huiji_core::contest::{LetterSet, UnionOrder};
use huiji_core::{MembershipId, OrgId};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::contest_support::Setup;
use crate::contest_taking::{asked, bank, contest};

/// Takes an attempt answering `right` of its 5 questions, `seconds` apart.
async fn take(s: &Setup, contest: &huiji_store::ContestRecord, m: MembershipId, right: usize, seconds: i64) {
    let mut step = start(&s.app, contest, m).await.unwrap();
    for position in 0..5u32 {
        s.advance(seconds * 1000);
        let letters = if (position as usize) < right { "B" } else { "C" };
        step = answer(&s.app, m, asked(step).attempt.id, position, LetterSet::parse(letters)).await.unwrap();
    }
    assert!(matches!(step, Step::Done(_)));
}

both_databases!(boards_match_a_recount_and_freeze_when_the_window_closes, |db: TestDb| async move {
    let s = Setup::new(db).await;
    bank(&s).await;
    let root = s.root().await;
    let contest = contest(&s, &root, 3, 2).await;
    let (hefei_trucks, feidong_trucks, wuhu_trucks) =
        (s.org("3401T").await, s.org("340122T").await, s.org("3402T").await);
    let h: Vec<MembershipId> = [
        s.member(&hefei_trucks, "h0").await,
        s.member(&hefei_trucks, "h1").await,
        s.member(&hefei_trucks, "h2").await,
    ]
    .to_vec();
    let f = [s.member(&feidong_trucks, "f0").await, s.member(&feidong_trucks, "f1").await];
    let w = [
        s.member(&wuhu_trucks, "w0").await,
        s.member(&wuhu_trucks, "w1").await,
        s.member(&wuhu_trucks, "w2").await,
        s.member(&wuhu_trucks, "w3").await,
    ];

    take(&s, &contest, h[0], 4, 10).await; // 4 right in 50 s
    take(&s, &contest, h[0], 5, 20).await; // better: 5 in 100 s
    take(&s, &contest, h[0], 3, 2).await; // worse: stays 5
    take(&s, &contest, h[1], 4, 10).await; // 4 in 50 s
    take(&s, &contest, f[0], 4, 10).await; // ties h[1]
    take(&s, &contest, f[1], 2, 5).await;
    take(&s, &contest, w[0], 5, 30).await; // 5 in 150 s
    // h[2], w[1..] do not take part.

    // 合肥: 5 members (3 + 2), 4 took part, 5 + 4 + 4 + 2 = 15 right; 芜湖: 4 members, 1, 5.
    let board = unions(&s.app, &contest, None, UnionOrder::Participation).await.unwrap();
    let node = &board.node;
    assert_eq!((node.members, node.participants, node.correct_sum, board.frozen), (9, 5, 20, false));
    let rows: Vec<_> = board
        .children
        .iter()
        .map(|r| {
            (r.rank, r.item.union.name.as_str(), r.item.members, r.item.participants, r.item.correct_sum)
        })
        .collect();
    assert_eq!(rows, [(1, "合肥市总工会", 5, 4, 15), (2, "芜湖市总工会", 4, 1, 5)]);
    assert_eq!(board.children[0].item.participation().per_mille(), 800);
    assert_eq!(board.children[0].item.average(5).per_mille(), 750);
    let by_score = unions(&s.app, &contest, None, UnionOrder::AverageScore).await.unwrap();
    let names: Vec<_> = by_score.children.iter().map(|r| r.item.union.name.as_str()).collect();
    assert_eq!(names, ["芜湖市总工会", "合肥市总工会"], "芜湖's one participant scored 100 %");

    // Drill down into 合肥: its county and its industry federation, each its own subtree.
    let hefei = s.org("3401").await;
    let down = unions(&s.app, &contest, Some(hefei.id), UnionOrder::Participation).await.unwrap();
    let rows: Vec<_> = down
        .children
        .iter()
        .map(|r| (r.item.union.org, r.item.members, r.item.participants, r.item.correct_sum))
        .collect();
    let feidong = s.org("340122").await;
    assert!(rows.contains(&(feidong.id, 2, 2, 6)), "{rows:?}");
    assert!(rows.contains(&(hefei_trucks.id, 3, 2, 9)), "{rows:?}");
    assert_eq!(rows.len(), 2, "unions without members are left out");
    assert!(matches!(
        unions(&s.app, &contest, Some(OrgId(999_999)), UnionOrder::Participation).await,
        Err(ContestError::NotFound)
    ));

    // People: most right, then fastest; h[1] and f[0] tie and share a rank.
    let top = people(&s.app, &contest, None, 100).await.unwrap();
    let places: Vec<_> = top.iter().map(|r| (r.rank, r.item.membership, r.item.correct)).collect();
    let (first, second) = (h[0], w[0]);
    assert_eq!(places[..2], [(1, first, 5), (2, second, 5)]);
    assert_eq!(places[2].0, 3);
    assert_eq!(places[3].0, 3);
    assert_eq!(places[4], (5, f[1], 2));
    let in_wuhu = people(&s.app, &contest, Some(&s.org("3402").await.path), 100).await.unwrap();
    assert_eq!(in_wuhu.iter().map(|r| (r.rank, r.item.membership)).collect::<Vec<_>>(), [(1, w[0])]);

    // The last evening: w[1] starts and walks away. The window closes; the first board
    // after it finishes that attempt and freezes the figures.
    let closes = contest.window.closes_at();
    s.advance(closes.0 - s.app.now().0 - 120_000);
    asked(start(&s.app, &contest, w[1]).await.unwrap());
    s.advance(10 * 60_000);
    let closed = unions(&s.app, &contest, None, UnionOrder::Participation).await.unwrap();
    assert!(closed.frozen);
    assert_eq!((closed.node.members, closed.node.participants, closed.node.correct_sum), (9, 6, 20));
    s.member(&wuhu_trucks, "late").await;
    let later = unions(&s.app, &contest, None, UnionOrder::Participation).await.unwrap();
    assert_eq!((later.node.members, later.node.participants), (9, 6), "frozen at the close");
    let settled = settle(&s.app, &contest).await.unwrap();
    assert!(settled.frozen_at.is_some());
    assert!(s.store().expired_attempts(Some(contest.id), s.app.now(), 10).await.unwrap().is_empty());
});
