//! Background jobs' periods on both databases: one claim per job and period, however many
//! instances ask at once.

use huiji_core::Timestamp;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

both_databases!(a_period_is_claimed_once_among_racing_instances, |db: TestDb| async move {
    let store = db.dyn_store();
    let at = Timestamp(1_700_000_000_000);
    // Eight instances race for one period: one gets it.
    let racers = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.claim_job_period("escalation", 42, at).await.unwrap() })
    });
    let mut won = 0;
    for racer in racers {
        won += usize::from(racer.await.unwrap());
    }
    assert_eq!(won, 1);
    assert!(!store.claim_job_period("escalation", 42, at).await.unwrap(), "a round later: still taken");
    // Another job, or the next period, is free.
    assert!(store.claim_job_period("retention", 42, at).await.unwrap());
    assert!(store.claim_job_period("escalation", 43, at).await.unwrap());
    // Old periods are forgotten: a clock set far back could claim one again (harmless).
    assert!(store.claim_job_period("escalation", 500, at).await.unwrap());
    assert!(store.claim_job_period("escalation", 42, at).await.unwrap());
});
