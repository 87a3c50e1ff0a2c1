//! Queueing from the roster on both databases: targets are read once in blind-index order
//! (non-members with a mobile in the subtree), and a batch names only the entry, union,
//! code and surname — the statement copies the sealed mobile, occupation and region from
//! the entry, reads the suppression list and the cap, adds nothing twice, and leaves out
//! an entry that stopped being a target since it was read.

use std::collections::HashMap;
use std::sync::Arc;

use huiji_core::campaign::{FrequencyCap, MessageState};
use huiji_core::joining::Landing;
use huiji_core::{Decision, Occupation, Org, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    NewCampaignTarget, NewRosterEntry, NewRosterImport, Store, SuppressionReason, both_databases,
};

use crate::campaign::campaign;
use crate::fixtures::{AT, DAY, member, sealed, to_org, tree};

/// Imports `(id number, mobile)` rows into `org`'s roster; returns the non-members'
/// entry ids by id number.
pub(crate) async fn roster(
    store: &Arc<dyn Store>,
    org: &Org,
    rows: &[(&str, Option<&str>)],
) -> HashMap<String, i64> {
    let import = store
        .start_roster_import(
            &NewRosterImport {
                org: org.id,
                source: "交通运输局".to_owned(),
                file_name: "roster.csv".to_owned(),
                actor: "operator".to_owned(),
            },
            AT,
        )
        .await
        .unwrap();
    let entries: Vec<NewRosterEntry> = rows
        .iter()
        .map(|(id, mobile)| NewRosterEntry {
            name: Some("王晓明".to_owned()),
            id_number: sealed(id),
            mobile: mobile.map(sealed),
            occupation: Occupation::TruckDriver,
            region: "340104".parse().ok(),
            employer_name: None,
            employer_credit_code: None,
        })
        .collect();
    store.add_roster_entries(import, &entries, AT).await.unwrap();
    let mut ids = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.roster_non_members(&org.path, after, 100).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        ids.extend(
            page.iter().map(|p| (String::from_utf8_lossy(&p.id_number_ct)["ct:".len()..].to_owned(), p.id)),
        );
    }
    ids
}

pub(crate) fn target(entry_id: i64, org: Option<&Org>, code: &str) -> NewCampaignTarget {
    NewCampaignTarget {
        entry_id,
        org: org.map(|o| o.id),
        invite_code: code.to_owned(),
        surname: Some("王".to_owned()),
    }
}

both_databases!(
    targets_come_in_blind_index_order_and_are_completed_from_the_roster,
    |db: TestDb| async move {
        let store = db.dyn_store();
        let t = tree(&store).await;
        // 合肥: three with a mobile, one without, one who
        // is already a member; 芜湖: one outside the subtree.
        member(
            &store,
            &to_org(&t.hefei_trucks, "王晓明", "id-m", Landing::Union(t.hefei_trucks.id), Decision::Approve),
            AT,
        )
        .await;
        let ids = roster(
            &store,
            &t.hefei,
            &[
                ("id-1", Some("m-c")),
                ("id-3", Some("m-a")),
                ("id-none", None),
                ("id-2", Some("m-b")),
                ("id-m", Some("m-m")),
            ],
        )
        .await;
        // Entries are numbered in the import's order, the reverse of their mobiles'.
        let (a, b, c) = (ids["id-3"], ids["id-2"], ids["id-1"]);
        assert!(c < b && b < a);
        assert_eq!(ids.len(), 4, "the member is not a non-member");
        roster(&store, &t.wuhu, &[("id-w", Some("m-w"))]).await;
        let targets = store.campaign_targets(&t.hefei.path).await.unwrap();
        assert_eq!(targets.iter().map(|p| p.entry_id).collect::<Vec<_>>(), [a, b, c], "m-a, m-b, m-c");
        assert_eq!(targets[0].source, "交通运输局");
        assert_eq!(targets[0].name.as_deref(), Some("王晓明"));
        assert_eq!(
            (targets[0].occupation, targets[0].region),
            (Occupation::TruckDriver, "340104".parse().ok())
        );
        assert_eq!(store.campaign_targets(&t.wuhu.path).await.unwrap().len(), 1);

        // m-b opted out; m-c had a message from an earlier campaign a day ago.
        store.suppress_mobile("bidx:m-b", SuppressionReason::Reply, AT).await.unwrap();
        let earlier = campaign(&store, &t.hefei).await;
        let cap = FrequencyCap::DEFAULT;
        assert_eq!(
            store.add_campaign_targets(earlier, &[target(c, None, "early0000001")], AT, cap).await.unwrap(),
            1
        );
        let early = store.claim_campaign_messages(AT, Timestamp(AT.millis() + 1), 1).await.unwrap();
        assert_eq!(
            (early[0].mobile_bidx.as_str(), early[0].mobile_ct.as_slice()),
            ("bidx:m-c", &b"ct:m-c"[..])
        );
        let sent = Timestamp(AT.millis() - DAY);
        store.mark_campaign_sent(early[0].id, sent).await.unwrap();

        let id = campaign(&store, &t.hefei).await;
        let batch = [
            target(a, Some(&t.hefei_trucks), "code000000001"),
            target(b, Some(&t.hefei_trucks), "code000000002"),
            target(c, None, "code000000003"),
        ];
        assert_eq!(store.add_campaign_targets(id, &batch, AT, cap).await.unwrap(), 3);
        assert_eq!(
            store.add_campaign_targets(id, &batch, AT, cap).await.unwrap(),
            0,
            "one message per mobile"
        );
        let messages = store.campaign_messages(id, 0, 10).await.unwrap();
        let summary: Vec<_> =
            messages.iter().map(|m| (m.org, m.mobile_ct.clone(), m.state, m.due_at)).collect();
        assert_eq!(
            summary,
            [
                (Some(t.hefei_trucks.id), b"ct:m-a".to_vec(), MessageState::Queued, AT),
                (Some(t.hefei_trucks.id), b"ct:m-b".to_vec(), MessageState::Suppressed, AT),
                (None, b"ct:m-c".to_vec(), MessageState::Queued, cap.next_allowed(&[sent], AT)),
            ]
        );
        assert!(cap.next_allowed(&[sent], AT) > AT, "the cap holds m-c back");
        let invite = store.invite("code000000001").await.unwrap().unwrap();
        assert_eq!(
            (invite.campaign_id, invite.occupation, invite.region),
            (id, Occupation::TruckDriver, "340104".parse().ok())
        );
        let due = store.claim_campaign_messages(AT, Timestamp(AT.millis() + 1), 10).await.unwrap();
        assert_eq!(
            due.iter().map(|m| (m.surname.as_deref(), m.invite_code.as_str())).collect::<Vec<_>>(),
            [(Some("王"), "code000000001")]
        );
        let funnel = store.campaign_funnel(id).await.unwrap();
        let trucks = &funnel.iter().find(|(o, _)| *o == Some(t.hefei_trucks.id)).unwrap().1;
        assert_eq!((trucks.targeted, trucks.suppressed, trucks.queued), (2, 1, 1));
        let whole = store.subtree_campaign_funnel(&t.hefei.path).await.unwrap();
        assert_eq!((whole.targeted, whole.suppressed), (4, 1), "both campaigns");

        // m-a joins after the targets were read: a later campaign's batch leaves the entry out.
        member(
            &store,
            &to_org(&t.hefei_trucks, "王晓明", "id-3", Landing::Union(t.hefei_trucks.id), Decision::Approve),
            AT,
        )
        .await;
        let later = campaign(&store, &t.hefei).await;
        assert_eq!(
            store.add_campaign_targets(later, &[target(a, None, "late00000001")], AT, cap).await.unwrap(),
            0
        );
        assert_eq!(store.add_campaign_targets(later, &[], AT, cap).await.unwrap(), 0);
        assert_eq!(store.campaign_targets(&t.hefei.path).await.unwrap().len(), 2);
    }
);

both_databases!(a_batch_larger_than_a_statement_is_queued_whole, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let rows: Vec<(String, String)> = (0..9_000).map(|n| (format!("id-{n}"), format!("m-{n:05}"))).collect();
    let rows: Vec<(&str, Option<&str>)> = rows.iter().map(|(i, m)| (i.as_str(), Some(m.as_str()))).collect();
    roster(&store, &t.hefei, &rows).await;
    let targets = store.campaign_targets(&t.hefei.path).await.unwrap();
    assert_eq!(targets.len(), 9_000);
    let id = campaign(&store, &t.hefei).await;
    let batch: Vec<NewCampaignTarget> =
        targets.iter().enumerate().map(|(n, p)| target(p.entry_id, None, &format!("c{n:012}"))).collect();
    assert_eq!(store.add_campaign_targets(id, &batch, AT, FrequencyCap::DEFAULT).await.unwrap(), 9_000);
    let whole = store.subtree_campaign_funnel(&t.hefei.path).await.unwrap();
    assert_eq!((whole.targeted, whole.queued), (9_000, 9_000));
});
