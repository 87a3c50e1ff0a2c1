//! Campaigns on both databases: queueing is idempotent per campaign and mobile and reads
//! the suppression list; claims lease messages so two senders never both get one; sends,
//! receipts, clicks and suppressions repeat harmlessly; funnels per union and subtree.

use std::sync::Arc;

use huiji_core::campaign::{FrequencyCap, MessageState, Receipt};
use huiji_core::{Org, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewCampaign, Settled, Store, SuppressionReason, both_databases};

use crate::campaign_targets::{roster, target};
use crate::fixtures::{AT, DAY, tree};

/// A campaign of `org` with no filters, created at [`AT`].
pub(crate) async fn campaign(store: &Arc<dyn Store>, org: &Org) -> i64 {
    let new = NewCampaign {
        org: org.id,
        name: "邀请".to_owned(),
        template: "您好 {link}".to_owned(),
        signature: "合肥市总工会".to_owned(),
        opt_out_text: "回T退订".to_owned(),
        occupation: None,
        region: None,
        source: None,
        actor: "operator".to_owned(),
        expires_at: Timestamp(AT.millis() + 30 * DAY),
    };
    store.create_campaign(&new, AT).await.unwrap()
}

both_databases!(queueing_claiming_and_sending_are_idempotent, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let id = campaign(&store, &t.hefei).await;
    assert!(store.suppress_mobile("bidx:m3", SuppressionReason::Reply, AT).await.unwrap());
    assert!(
        !store.suppress_mobile("bidx:m3", SuppressionReason::Link, AT).await.unwrap(),
        "already on the list"
    );
    let entries =
        roster(&store, &t.hefei, &[("p1", Some("m1")), ("p2", Some("m2")), ("p3", Some("m3"))]).await;
    let batch = [
        target(entries["p1"], Some(&t.hefei_trucks), "code000000001"),
        target(entries["p2"], Some(&t.hefei_trucks), "code000000002"),
        target(entries["p3"], Some(&t.hefei), "code000000003"),
    ];
    assert_eq!(store.add_campaign_targets(id, &batch, AT, FrequencyCap::DEFAULT).await.unwrap(), 3);
    assert_eq!(
        store.add_campaign_targets(id, &batch, AT, FrequencyCap::DEFAULT).await.unwrap(),
        0,
        "one message per mobile"
    );
    store.mark_campaign_queued(id, AT).await.unwrap();
    store.mark_campaign_queued(id, Timestamp(AT.millis() + 1)).await.unwrap();
    assert_eq!(store.campaign(id).await.unwrap().unwrap().queued_at, Some(AT), "the first time stands");

    // Two senders: the second gets nothing while the lease holds, everything after.
    let lease = Timestamp(AT.millis() + 60_000);
    let first = store.claim_campaign_messages(AT, lease, 10).await.unwrap();
    assert_eq!(
        first.iter().map(|m| m.invite_code.as_str()).collect::<Vec<_>>(),
        ["code000000001", "code000000002"]
    );
    assert!(store.claim_campaign_messages(AT, lease, 10).await.unwrap().is_empty());
    assert_eq!(
        store.claim_campaign_messages(lease, Timestamp(lease.millis() + 1), 10).await.unwrap().len(),
        2
    );

    // Sent twice, a receipt twice, a click twice: each counts once.
    for _ in 0..2 {
        store.mark_campaign_sent(first[0].id, AT).await.unwrap();
        let state = store.apply_campaign_receipt(first[0].id, Receipt::Delivered, AT).await.unwrap();
        assert_eq!(state, Some(MessageState::Delivered));
        store.record_campaign_click(first[0].id, AT).await.unwrap();
    }
    assert_eq!(store.campaign_sends_since("bidx:m1", Timestamp(AT.millis() - DAY)).await.unwrap(), [AT]);
    // The second opts out before its turn: no longer sendable.
    store.suppress_mobile("bidx:m2", SuppressionReason::Link, AT).await.unwrap();
    assert!(store.is_suppressed("bidx:m2").await.unwrap());
    store.mark_campaign_sent(first[1].id, AT).await.unwrap();
    assert_eq!(
        store.apply_campaign_receipt(first[1].id, Receipt::Delivered, AT).await.unwrap(),
        Some(MessageState::Suppressed)
    );
    let invite = store.invite("code000000001").await.unwrap().unwrap();
    assert_eq!((invite.campaign_id, invite.org), (id, Some(t.hefei_trucks.id)));
    assert!(store.invite("nope").await.unwrap().is_none());

    let groups = store.campaign_funnel(id).await.unwrap();
    assert_eq!(groups.len(), 2);
    let trucks = &groups.iter().find(|(o, _)| *o == Some(t.hefei_trucks.id)).unwrap().1;
    assert_eq!(
        (trucks.targeted, trucks.suppressed, trucks.sent, trucks.delivered, trucks.clicked),
        (2, 1, 1, 1, 1)
    );
    let whole = store.subtree_campaign_funnel(&t.hefei.path).await.unwrap();
    assert_eq!((whole.targeted, whole.suppressed, whole.queued), (3, 2, 0));
    assert_eq!(store.subtree_campaign_funnel(&t.wuhu.path).await.unwrap().targeted, 0);
    assert_eq!(store.campaigns(&t.hefei.path, 10).await.unwrap().len(), 1);
    assert!(store.campaigns(&t.wuhu.path, 10).await.unwrap().is_empty());
    let page = store.campaign_messages(id, 0, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(store.campaign_messages(id, page[1].id, 2).await.unwrap().len(), 1);
});

both_databases!(a_round_is_claimed_to_its_limit_checked_and_settled_at_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    // An earlier campaign's message to m2, claimed first (sent a day before, below).
    let people: Vec<(String, String)> = (0..30).map(|n| (format!("p{n}"), format!("m{n}"))).collect();
    let rows: Vec<(&str, Option<&str>)> =
        people.iter().map(|(p, m)| (p.as_str(), Some(m.as_str()))).collect();
    let entries = roster(&store, &t.hefei, &rows).await;
    let earlier = campaign(&store, &t.hefei).await;
    let early_target = [target(entries["p2"], Some(&t.hefei_trucks), "early0000002")];
    store.add_campaign_targets(earlier, &early_target, AT, FrequencyCap::DEFAULT).await.unwrap();
    let lease = Timestamp(AT.millis() + 60_000);
    let early = store.claim_campaign_messages(AT, lease, 1).await.unwrap();
    let id = campaign(&store, &t.hefei).await;
    let batch: Vec<_> = (0..30)
        .map(|n| target(entries[&format!("p{n}")], Some(&t.hefei_trucks), &format!("code{n:09}")))
        .collect();
    assert_eq!(store.add_campaign_targets(id, &batch, AT, FrequencyCap::DEFAULT).await.unwrap(), 30);
    // A claim takes no more than its limit, however the planner runs it (PostgreSQL once
    // took every due message through a rescanned locking subquery).
    let claimed = store.claim_campaign_messages(AT, lease, 12).await.unwrap();
    assert_eq!(claimed.len(), 12);
    assert_eq!(store.claim_campaign_messages(AT, lease, 100).await.unwrap().len(), 18);

    // The checks of a round: one mobile opted out, one had a message a day ago.
    store.suppress_mobile("bidx:m1", SuppressionReason::Reply, AT).await.unwrap();
    store.mark_campaign_sent(early[0].id, Timestamp(AT.millis() - DAY)).await.unwrap();
    let bidxs: Vec<String> = claimed.iter().map(|m| m.mobile_bidx.clone()).collect();
    let checks = store.campaign_send_checks(&bidxs, Timestamp(AT.millis() - 7 * DAY)).await.unwrap();
    assert_eq!(checks.suppressed.iter().collect::<Vec<_>>(), ["bidx:m1"]);
    assert_eq!(checks.sends.len(), 1);
    assert_eq!(checks.sends["bidx:m2"], [Timestamp(AT.millis() - DAY)]);
    assert!(store.campaign_send_checks(&[], AT).await.unwrap().suppressed.is_empty());

    // Settled at once: sent, ended, put back (one a failed attempt); repeated harmlessly.
    let later = Timestamp(AT.millis() + 7 * DAY);
    let mut settled: Vec<(i64, Settled)> = Vec::new();
    for (n, m) in claimed.iter().enumerate() {
        let outcome = match n {
            0 => Settled::Rescheduled { due_at: Timestamp(AT.millis() + 1_000), failed_attempt: true },
            1 => Settled::Ended(MessageState::Suppressed),
            2 => Settled::Rescheduled { due_at: later, failed_attempt: false },
            3 => Settled::Ended(MessageState::Failed),
            _ => Settled::Sent(AT),
        };
        settled.push((m.id, outcome));
    }
    for _ in 0..2 {
        store.settle_campaign_messages(&settled).await.unwrap();
    }
    let funnel = store.campaign_funnel(id).await.unwrap();
    let total = &funnel[0].1;
    assert_eq!(
        (total.targeted, total.suppressed, total.sent, total.failed, total.queued),
        (30, 1, 8, 1, 20),
        "{total:?}"
    );
    assert_eq!(store.campaign_sends_since("bidx:m4", Timestamp(AT.millis() - DAY)).await.unwrap(), [AT]);
    // The put-back ones are due again when settled, their leases gone.
    let due = store.claim_campaign_messages(Timestamp(AT.millis() + 1_000), lease, 100).await.unwrap();
    assert_eq!(due.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(claimed[0].id, 2)]);
    let week = store.claim_campaign_messages(later, Timestamp(later.millis() + 1), 100).await.unwrap();
    assert!(week.iter().any(|m| m.id == claimed[2].id && m.attempts == 0));
    store.settle_campaign_messages(&[]).await.unwrap();
});
