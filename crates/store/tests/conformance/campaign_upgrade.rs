//! Migration 0074 on a database made before it: the campaign funnel rollup starts from a
//! recount of the messages and applications already there, and keeps counting after.

use huiji_core::Timestamp;
use huiji_core::campaign::Receipt;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{Funnel, SqlStore, both_databases};

use crate::upgrade::older_database;

/// The last migration before the rollup.
const BEFORE: i64 = 73;

/// A union, a queued campaign with five messages (queued, suppressed, sent, delivered with
/// a click, failed), one of them with two applications (one approved), another with one
/// rejected application.
const OLD_ROWS: [&str; 9] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO campaigns (id, org_id, org_path, name, template, signature, opt_out_text, actor, status, \
     created_at, queued_at, expires_at) VALUES (1, 1, '/1/', 'old', '{link}', '安徽工会', '回T退订', 'operator', \
     'queued', 0, 0, 9000000000000)",
    "INSERT INTO campaign_messages (campaign_id, org_id, occupation, mobile_ct, mobile_bidx, invite_code, state, \
     due_at) VALUES (1, 1, 'truck_driver', $1, 'm1', 'code1', 'queued', 0)",
    "INSERT INTO campaign_messages (campaign_id, org_id, occupation, mobile_ct, mobile_bidx, invite_code, state, \
     due_at) VALUES (1, 1, 'truck_driver', $1, 'm2', 'code2', 'suppressed', 0)",
    "INSERT INTO campaign_messages (campaign_id, org_id, occupation, mobile_ct, mobile_bidx, invite_code, state, \
     due_at, sent_at) VALUES (1, 1, 'truck_driver', $1, 'm3', 'code3', 'sent', 0, 5)",
    "INSERT INTO campaign_messages (campaign_id, org_id, occupation, mobile_ct, mobile_bidx, invite_code, state, \
     due_at, sent_at, receipt_at, clicked_at) VALUES (1, NULL, 'truck_driver', $1, 'm4', 'code4', 'delivered', 0, \
     5, 6, 7)",
    "INSERT INTO campaign_messages (campaign_id, org_id, occupation, mobile_ct, mobile_bidx, invite_code, state, \
     due_at, receipt_at) VALUES (1, 1, 'truck_driver', $1, 'm5', 'code5', 'failed', 0, 6)",
    "INSERT INTO applications (status, channel, source, receiving_org_id, name, id_number_ct, id_number_bidx, \
     mobile_ct, mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, \
     holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path) \
     VALUES ('approved', 'invite', 'code4', 1, '王晓明', $1, 'bidx:id-a', $1, 'bidx:m-a', 'male', 'truck_driver', \
     '340104', '1', 0, TRUE, FALSE, 86400000, 0, 1, '/1/'), \
     ('rejected', 'invite', 'code4', 1, '王晓明', $1, 'bidx:id-a', $1, 'bidx:m-a', 'male', 'truck_driver', \
     '340104', '1', 0, TRUE, FALSE, 86400000, 0, 1, '/1/')",
    "INSERT INTO applications (status, channel, source, receiving_org_id, name, id_number_ct, id_number_bidx, \
     mobile_ct, mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, \
     holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path) \
     VALUES ('rejected', 'invite', 'code3', 1, '李四', $1, 'bidx:id-b', $1, 'bidx:m-b', 'male', 'truck_driver', \
     '340104', '1', 0, TRUE, FALSE, 86400000, 0, 1, '/1/')",
];

fn total(groups: &[(Option<huiji_core::OrgId>, Funnel)]) -> Funnel {
    let mut total = Funnel::default();
    for (_, funnel) in groups {
        total.add(funnel);
    }
    total
}

both_databases!(the_campaign_funnel_rollup_is_backfilled_and_kept, |db: TestDb| async move {
    let url = older_database(&db, "funnel", |version| version <= BEFORE, &OLD_ROWS).await;
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();

    let rollup = store.campaign_funnel(1).await.unwrap();
    assert_eq!(rollup, store.campaign_funnel_recount(1).await.unwrap());
    assert_eq!(rollup.len(), 2, "union 1 and the message no union served");
    let expected = Funnel {
        targeted: 5,
        suppressed: 1,
        queued: 1,
        sent: 3,
        delivered: 1,
        failed: 1,
        clicked: 1,
        applied: 2,
        approved: 1,
    };
    assert_eq!(total(&rollup), expected);

    // It keeps counting: the queued one is sent and delivered, a receipt for it repeated.
    store.mark_campaign_sent(1, Timestamp(10)).await.unwrap();
    store.mark_campaign_sent(1, Timestamp(11)).await.unwrap();
    store.apply_campaign_receipt(1, Receipt::Delivered, Timestamp(12)).await.unwrap();
    store.apply_campaign_receipt(1, Receipt::Delivered, Timestamp(13)).await.unwrap();
    store.record_campaign_click(1, Timestamp(14)).await.unwrap();
    store.record_campaign_click(1, Timestamp(15)).await.unwrap();
    let rollup = store.campaign_funnel(1).await.unwrap();
    assert_eq!(rollup, store.campaign_funnel_recount(1).await.unwrap());
    assert_eq!(total(&rollup), Funnel { queued: 0, sent: 4, delivered: 2, clicked: 2, ..expected });
    store.close().await;
    if url != db.url {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
        }
    }
});
