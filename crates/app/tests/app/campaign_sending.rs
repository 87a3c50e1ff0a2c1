//! The campaign sender's pace on both databases, with the outbox provider and the test
//! clock: a round hands at most the configured rate to the provider in each second of
//! the clock (a second round in the same second sends nothing more), and N queued
//! messages at rate R go out in ceil(N/R) rounds, each message once. In quiet hours the
//! sender claims nothing (no round of put-backs).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use huiji_app::actor::Actor;
use huiji_app::campaign::deliver::{Round, deliver_due};
use huiji_app::campaign::{self, CampaignSettings, CreateRequest};
use huiji_store::testing::TestDb;
use huiji_store::{Funnel, both_databases};

use crate::roster_support::{csv, id, import_as};
use crate::support::World;

/// Queued messages, and the rate: not a multiple of it, so the last round is partial.
const N: u32 = 100;
const RATE: u32 = 40;
const HOUR: i64 = 3_600_000;

/// Lists `n` people with mobiles for Hefei and queues a campaign to them (at 12:00 China
/// time: due at once); its id.
async fn queue_people(world: &World, n: u32) -> i64 {
    let mut rows: Vec<Vec<String>> =
        vec![vec!["姓名".into(), "身份证号".into(), "手机号".into(), "从业类型".into(), "区县代码".into()]];
    for k in 1..=n {
        rows.push(vec!["张三".into(), id(k), format!("1380013{k:04}"), "货车司机".into(), "340104".into()]);
    }
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (imported, _) =
        import_as(world, &Actor::Operator, &world.hefei, "交通运输局", csv(&rows, ",").into_bytes(), None)
            .await;
    assert_eq!(imported.unwrap().counts.rejected, 0);
    let request = CreateRequest {
        org: Some(world.hefei.id),
        name: "货车司机入会邀请".to_owned(),
        text: "{surname}师傅您好，诚邀您加入工会：{link}".to_owned(),
        ..CreateRequest::default()
    };
    let id = campaign::create(&world.app, &Actor::Operator, &request).await.unwrap();
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, id).await.unwrap().funnel.queued, u64::from(n));
    id
}

both_databases!(the_sender_drains_at_the_configured_rate_and_no_faster, |db: TestDb| async move {
    let mut world = World::new(db).await;
    world.app = world
        .app
        .clone()
        .with_campaigns(CampaignSettings { rate_per_second: RATE, ..CampaignSettings::default() });
    let id = queue_people(&world, N).await;

    // 12:00:00.250 China time: rounds at a quarter past each second.
    let mut now = world.app.now().millis() + 250;
    let mut rounds = 0;
    let mut sent = 0;
    while sent < N as usize {
        world.clock.0.store(now, Ordering::SeqCst);
        let round = deliver_due(&world.app).await.unwrap();
        assert_eq!(round.sent, (N as usize - sent).min(RATE as usize), "round {rounds}: {round:?}");
        assert_eq!((round.held, round.ended), (0, 0));
        sent += round.sent;
        rounds += 1;
        // The second's allowance is spent: later in the same second nothing more goes out.
        world.clock.0.store(now + 700, Ordering::SeqCst);
        let again = deliver_due(&world.app).await.unwrap();
        if round.sent == RATE as usize {
            assert_eq!((again.claimed, again.sent), (0, 0), "the rate bound, round {rounds}");
        } else {
            assert_eq!(again.claimed, 0, "nothing left");
        }
        now += 1_000;
        assert!(rounds <= N.div_ceil(RATE) as usize, "more rounds than ceil(N/R)");
    }
    assert_eq!(rounds, N.div_ceil(RATE) as usize);

    // Each message went out once, with its own link.
    let outbox = world.app.store().sms_outbox(1_000).await.unwrap();
    assert_eq!(outbox.len(), N as usize);
    let codes: HashSet<&str> =
        outbox.iter().map(|m| &m.body[m.body.find("/i/").unwrap() + 3..][..13]).collect();
    assert_eq!(codes.len(), N as usize);
    let funnel = campaign::funnel(&world.app, &Actor::Operator, id).await.unwrap().total;
    assert_eq!(funnel, Funnel { targeted: u64::from(N), sent: u64::from(N), ..Funnel::default() });
    // The next second finds nothing due.
    world.clock.0.store(now, Ordering::SeqCst);
    assert_eq!(deliver_due(&world.app).await.unwrap().claimed, 0);
});

both_databases!(quiet_hours_claim_nothing_and_the_morning_sends_what_waited, |db: TestDb| async move {
    let world = World::new(db).await;
    let id = queue_people(&world, 3).await;
    // Due at 12:00, not sent before 21:00: at 22:00 the sender does not even claim them.
    let noon = world.app.now().millis();
    world.clock.0.store(noon + 10 * HOUR, Ordering::SeqCst);
    assert_eq!(deliver_due(&world.app).await.unwrap(), Round::default());
    world.clock.0.store(noon + 19 * HOUR + 59 * 60_000, Ordering::SeqCst);
    assert_eq!(deliver_due(&world.app).await.unwrap().claimed, 0, "07:59");
    world.clock.0.store(noon + 20 * HOUR, Ordering::SeqCst);
    let round = deliver_due(&world.app).await.unwrap();
    assert_eq!((round.claimed, round.sent, round.held), (3, 3, 0), "08:00");
    let funnel = campaign::funnel(&world.app, &Actor::Operator, id).await.unwrap().total;
    assert_eq!((funnel.queued, funnel.sent), (0, 3));
});
