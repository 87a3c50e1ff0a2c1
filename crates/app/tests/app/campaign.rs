//! Campaigns on both databases: targeting and scoping, suppression by every reply
//! keyword and by the link, quiet hours and the 7-day cap with the injected clock,
//! receipts duplicated and out of order, invite links (expired, unknown, attribution)
//! and the funnel counts.

use std::sync::atomic::Ordering;

use huiji_app::actor::Actor;
use huiji_app::campaign::deliver::deliver_due;
use huiji_app::campaign::funnel::ScanVisitor;
use huiji_app::campaign::invite::{self, InviteError};
use huiji_app::campaign::{self, CampaignError, CreateRequest, callbacks};
use huiji_app::joining::{JoinOutcome, MobileProof};
use huiji_core::campaign::{MessageState, Receipt};
use huiji_core::joining::JoinForm;
use huiji_core::{AutoApproval, Channel, Org, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{Funnel, both_databases};

use crate::roster_support::{csv, id, import_as};
use crate::support::{World, truckers};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Lists people (ID number n, mobile, occupation label, county) for `by`.
async fn list(world: &World, by: &Org, source: &str, people: &[(u32, &str, &str, &str)]) {
    let mut rows: Vec<Vec<String>> =
        vec![vec!["姓名".into(), "身份证号".into(), "手机号".into(), "从业类型".into(), "区县代码".into()]];
    for (n, mobile, occupation, county) in people {
        rows.push(vec!["张三".into(), id(*n), (*mobile).into(), (*occupation).into(), (*county).into()]);
    }
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (result, _) =
        import_as(world, &Actor::Operator, by, source, csv(&rows, ",").into_bytes(), None).await;
    assert_eq!(result.unwrap().counts.rejected, 0);
}

fn request(org: &Org) -> CreateRequest {
    CreateRequest {
        org: Some(org.id),
        name: "货车司机入会邀请".to_owned(),
        text: "{surname}师傅您好，诚邀您加入工会：{link}".to_owned(),
        ..CreateRequest::default()
    }
}

async fn show(world: &World, id: i64) -> Funnel {
    campaign::funnel(&world.app, &Actor::Operator, id).await.unwrap().total
}

fn set_clock(world: &World, at: Timestamp) {
    world.clock.0.store(at.millis(), Ordering::SeqCst);
}

/// The outbox's texts, oldest first.
async fn outbox(world: &World) -> Vec<String> {
    let mut texts: Vec<String> =
        world.app.store().sms_outbox(1_000).await.unwrap().into_iter().map(|m| m.body).collect();
    texts.reverse();
    texts
}

/// The invite code in a campaign text.
fn code_in(text: &str) -> String {
    let start = text.find("/i/").unwrap() + 3;
    text[start..start + 13].to_owned()
}

both_databases!(campaigns_target_the_subtree_and_its_filters, |db: TestDb| async move {
    let world = World::new(db).await;
    list(
        &world,
        &world.hefei,
        "交通运输局",
        &[
            (1, "13800138001", "货车司机", "340104"),
            (2, "13800138002", "快递员", "340104"),
            (3, "", "货车司机", "340104"),
            // The same mobile twice: one message.
            (4, "13800138001", "货车司机", "340111"),
        ],
    )
    .await;
    list(&world, &world.wuhu, "芜湖交通", &[(5, "13800138005", "货车司机", "340202")]).await;

    // The whole province: everyone with a mobile, once per mobile.
    let all = campaign::create(&world.app, &Actor::Operator, &request(&world.root)).await.unwrap();
    let queued = campaign::queue(&world.app, &Actor::Operator, all).await.unwrap();
    assert_eq!((queued.added, queued.funnel.targeted, queued.funnel.queued), (3, 3, 3));
    // Queueing again adds nothing.
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, all).await.unwrap().added, 0);

    // Hefei's truck drivers only.
    let filtered = CreateRequest { occupation: Some("truck_driver".into()), ..request(&world.hefei) };
    let hefei = campaign::create(&world.app, &Actor::Operator, &filtered).await.unwrap();
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, hefei).await.unwrap().funnel.targeted, 1);
    let by_region = CreateRequest { region: Some("340111".into()), ..request(&world.root) };
    let region = campaign::create(&world.app, &Actor::Operator, &by_region).await.unwrap();
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, region).await.unwrap().funnel.targeted, 1);
    let by_source = CreateRequest { source: Some("芜湖交通".into()), ..request(&world.root) };
    let source = campaign::create(&world.app, &Actor::Operator, &by_source).await.unwrap();
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, source).await.unwrap().funnel.targeted, 1);

    // An officer of Hefei works within Hefei only.
    let officer = Actor::Officer(Box::new(world.officer("hf", &world.hefei, Role::Admin).await));
    let own = campaign::create(&world.app, &officer, &request(&world.hefei)).await.unwrap();
    let summary = campaign::queue(&world.app, &officer, own).await.unwrap();
    assert_eq!(summary.funnel.targeted, 2, "Hefei's two mobiles, not Wuhu's");
    for outside in [&world.wuhu, &world.root] {
        let refused = campaign::create(&world.app, &officer, &request(outside)).await;
        assert!(matches!(refused, Err(CampaignError::NotFound)), "{refused:?}");
    }
    assert!(matches!(campaign::queue(&world.app, &officer, source).await, Err(CampaignError::NotFound)));
    assert!(matches!(campaign::funnel(&world.app, &officer, all).await, Err(CampaignError::NotFound)));
    let viewer = Actor::Officer(Box::new(world.officer("hfv", &world.hefei, Role::Viewer).await));
    assert!(matches!(
        campaign::create(&world.app, &viewer, &request(&world.hefei)).await,
        Err(CampaignError::Forbidden)
    ));
    let listed = campaign::list(&world.app, &officer, 50).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [own, hefei]);

    // Texts and filters are checked.
    let no_link = CreateRequest { text: "欢迎入会".into(), ..request(&world.hefei) };
    assert!(matches!(campaign::create(&world.app, &officer, &no_link).await, Err(CampaignError::Text(_))));
    let bad = CreateRequest { occupation: Some("pilot".into()), ..request(&world.hefei) };
    assert!(matches!(
        campaign::create(&world.app, &officer, &bad).await,
        Err(CampaignError::InvalidFilter(_))
    ));
    assert_eq!(world.audit("campaign.create").await.len(), 5);
    assert_eq!(world.audit("campaign.send").await.len(), 6);
});

both_databases!(
    messages_go_out_with_signature_link_and_opt_out_outside_quiet_hours,
    |db: TestDb| async move {
        let world = World::new(db).await;
        list(&world, &world.hefei, "交通运输局", &[(1, "13800138001", "货车司机", "340104")]).await;
        // 22:00 China time: queued, held until 08:00.
        let evening = Timestamp(world.app.now().millis() + 10 * HOUR);
        set_clock(&world, evening);
        let id = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
        campaign::queue(&world.app, &Actor::Operator, id).await.unwrap();
        assert_eq!(deliver_due(&world.app).await.unwrap().sent, 0);
        set_clock(&world, Timestamp(evening.millis() + 9 * HOUR + 59 * 60_000));
        assert_eq!(deliver_due(&world.app).await.unwrap().sent, 0, "07:59 is still quiet");
        set_clock(&world, Timestamp(evening.millis() + 10 * HOUR));
        assert_eq!(deliver_due(&world.app).await.unwrap().sent, 1, "08:00");
        assert_eq!(deliver_due(&world.app).await.unwrap().claimed, 0, "sent once");
        let texts = outbox(&world).await;
        assert_eq!(texts.len(), 1);
        let code = code_in(&texts[0]);
        assert_eq!(
            texts[0],
            format!("【合肥市总工会】张师傅您好，诚邀您加入工会：http://localhost/i/{code} 回T退订")
        );
        let funnel = show(&world, id).await;
        assert_eq!((funnel.targeted, funnel.queued, funnel.sent), (1, 0, 1));
    }
);

both_databases!(one_campaign_message_per_mobile_in_seven_days, |db: TestDb| async move {
    let world = World::new(db).await;
    list(&world, &world.hefei, "交通运输局", &[(1, "13800138001", "货车司机", "340104")]).await;
    let first = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    campaign::queue(&world.app, &Actor::Operator, first).await.unwrap();
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 1);
    let sent_at = world.app.now();
    set_clock(&world, Timestamp(sent_at.millis() + DAY));
    let second = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    campaign::queue(&world.app, &Actor::Operator, second).await.unwrap();
    // Capped when queued (in the same statement): due when the week is over, so the
    // sender does not even claim it before.
    let round = deliver_due(&world.app).await.unwrap();
    assert_eq!((round.claimed, round.sent), (0, 0), "capped");
    set_clock(&world, Timestamp(sent_at.millis() + 7 * DAY - 60_000));
    assert_eq!(deliver_due(&world.app).await.unwrap().claimed, 0, "held until the week is over");
    set_clock(&world, Timestamp(sent_at.millis() + 7 * DAY));
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 1);
    assert_eq!(outbox(&world).await.len(), 2);
});

both_databases!(the_sender_holds_a_message_the_cap_forbids_since_it_was_queued, |db: TestDb| async move {
    let world = World::new(db).await;
    list(&world, &world.hefei, "交通运输局", &[(1, "13800138001", "货车司机", "340104")]).await;
    // Two campaigns queued before either is sent: both are due now.
    for _ in 0..2 {
        let id = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
        campaign::queue(&world.app, &Actor::Operator, id).await.unwrap();
    }
    let sent_at = world.app.now();
    let round = deliver_due(&world.app).await.unwrap();
    assert_eq!((round.claimed, round.sent, round.held), (2, 1, 1), "the second waits for the week");
    set_clock(&world, Timestamp(sent_at.millis() + 7 * DAY - 60_000));
    assert_eq!(deliver_due(&world.app).await.unwrap().claimed, 0);
    set_clock(&world, Timestamp(sent_at.millis() + 7 * DAY));
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 1);
    assert_eq!(outbox(&world).await.len(), 2);
});

both_databases!(opt_outs_by_every_reply_keyword_and_by_link_are_never_sent_again, |db: TestDb| async move {
    let world = World::new(db).await;
    let replies = ["退订", "T", "td", "Ｒ", "ＴＤ", " t。", "我要退订"];
    let mut people = Vec::new();
    let mobiles: Vec<String> = (0..10).map(|n| format!("138001380{n:02}")).collect();
    for (n, mobile) in mobiles.iter().enumerate() {
        people.push((u32::try_from(n).unwrap() + 1, mobile.as_str(), "货车司机", "340104"));
    }
    list(&world, &world.hefei, "交通运输局", &people).await;
    for (reply, mobile) in replies.iter().zip(&mobiles) {
        assert!(callbacks::reply(&world.app, mobile, reply).await.unwrap(), "{reply}");
        // Providers repeat callbacks.
        assert!(callbacks::reply(&world.app, mobile, reply).await.unwrap(), "{reply}");
    }
    assert!(!callbacks::reply(&world.app, &mobiles[7], "好的，谢谢").await.unwrap());
    assert!(!callbacks::reply(&world.app, "not a mobile", "T").await.unwrap());

    let id = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    let funnel = campaign::queue(&world.app, &Actor::Operator, id).await.unwrap().funnel;
    assert_eq!((funnel.targeted, funnel.suppressed, funnel.queued), (10, 7, 3));
    let page = campaign::funnel::messages(&world.app, &Actor::Operator, id, 0, 100).await.unwrap();
    assert!(page.iter().all(|m| m.mobile.contains("****")));
    // One more opts out while its message waits: it is not sent when its turn comes.
    assert!(callbacks::reply(&world.app, &mobiles[7], "T").await.unwrap());
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 2);
    let funnel = show(&world, id).await;
    assert_eq!((funnel.suppressed, funnel.sent), (8, 2));
    // One more by the link in the SMS (twice: idempotent).
    let code = code_in(&outbox(&world).await[0]);
    invite::unsubscribe(&world.app, &code).await.unwrap();
    invite::unsubscribe(&world.app, &code).await.unwrap();
    assert!(matches!(invite::unsubscribe(&world.app, "zzzzzzzzzzzzz").await, Err(InviteError::Unknown)));
    // A later campaign excludes them all.
    set_clock(&world, Timestamp(world.app.now().millis() + 8 * DAY));
    let later = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    let funnel = campaign::queue(&world.app, &Actor::Operator, later).await.unwrap().funnel;
    assert_eq!((funnel.targeted, funnel.suppressed, funnel.queued), (10, 9, 1));
});

both_databases!(receipts_are_idempotent_and_order_free, |db: TestDb| async move {
    let world = World::new(db).await;
    list(
        &world,
        &world.hefei,
        "交通运输局",
        &[
            (1, "13800138001", "货车司机", "340104"),
            (2, "13800138002", "货车司机", "340104"),
            (3, "13800138003", "货车司机", "340104"),
        ],
    )
    .await;
    let id = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    campaign::queue(&world.app, &Actor::Operator, id).await.unwrap();
    let messages = campaign::funnel::messages(&world.app, &Actor::Operator, id, 0, 10).await.unwrap();
    let refs: Vec<String> = messages.iter().map(|m| format!("cm-{}", m.id)).collect();
    // A receipt before the send was recorded still counts (and proves the provider had
    // the message: it is not sent again).
    let early = callbacks::receipt(&world.app, &refs[0], Receipt::Delivered).await.unwrap();
    assert_eq!(early, Some(MessageState::Delivered));
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 2);
    for _ in 0..2 {
        assert_eq!(
            callbacks::receipt(&world.app, &refs[1], Receipt::Delivered).await.unwrap(),
            Some(MessageState::Delivered)
        );
    }
    // A late contradiction changes nothing; a failure is final too.
    assert_eq!(
        callbacks::receipt(&world.app, &refs[1], Receipt::Failed).await.unwrap(),
        Some(MessageState::Delivered)
    );
    assert_eq!(
        callbacks::receipt(&world.app, &refs[2], Receipt::Failed).await.unwrap(),
        Some(MessageState::Failed)
    );
    assert_eq!(
        callbacks::receipt(&world.app, &refs[2], Receipt::Delivered).await.unwrap(),
        Some(MessageState::Failed)
    );
    assert_eq!(callbacks::receipt(&world.app, "cm-999999", Receipt::Delivered).await.unwrap(), None);
    assert_eq!(callbacks::receipt(&world.app, "nonsense", Receipt::Delivered).await.unwrap(), None);
    let funnel = show(&world, id).await;
    assert_eq!((funnel.sent, funnel.delivered, funnel.failed), (3, 2, 1));
});

fn form<'a>(id_number: &'a str, mobile: &'a str) -> JoinForm<'a> {
    JoinForm {
        name: "张三",
        id_number,
        mobile,
        occupation: "truck_driver",
        region_code: "340104",
        employer_name: "",
        employer_credit_code: "",
        consent_version: Some("1"),
    }
}

both_databases!(invite_links_attribute_joins_and_the_funnel_counts_them, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::RosterOnly).await;
    list(
        &world,
        &world.hefei,
        "交通运输局",
        &[(1, "13800138001", "货车司机", "340104"), (2, "13800138002", "货车司机", "340104")],
    )
    .await;
    let cid = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    campaign::queue(&world.app, &Actor::Operator, cid).await.unwrap();
    deliver_due(&world.app).await.unwrap();
    let texts = outbox(&world).await;
    let (first, second) = (code_in(&texts[0]), code_in(&texts[1]));

    // The link leads to the union the rules pick, region preset, nothing personal.
    let opened = invite::open(&world.app, &first).await.unwrap();
    assert_eq!(opened.union.as_ref().map(|u| u.id), Some(trucks.id));
    assert_eq!(opened.region.map(|r| r.to_string()).as_deref(), Some("340104"));
    invite::open(&world.app, &first.to_uppercase()).await.unwrap();
    invite::open(&world.app, &second).await.unwrap();
    assert!(matches!(invite::open(&world.app, "zzzzzzzzzzzzz").await, Err(InviteError::Unknown)));
    assert!(matches!(invite::open(&world.app, "short").await, Err(InviteError::Unknown)));
    let funnel = show(&world, cid).await;
    assert_eq!(funnel.clicked, 2, "a click counts once per message");

    // Joining through it: channel invite, the code as attribution; on the roster, so the
    // roster-only union approves at once.
    let outcome =
        invite::join(&world.app, &opened, &form(&id(1), "13800138001"), MobileProof::Attested).await.unwrap();
    let JoinOutcome::Approved { application_id, .. } = outcome else { panic!("{outcome:?}") };
    let application = world.app.store().application(application_id.0).await.unwrap().unwrap();
    assert_eq!(application.channel, Channel::Invite);
    // The second applies but is not approved (an unproven mobile waits for review).
    let second_invite = invite::open(&world.app, &second).await.unwrap();
    let outcome = invite::join(&world.app, &second_invite, &form(&id(2), "13800138002"), MobileProof::None)
        .await
        .unwrap();
    assert!(matches!(outcome, JoinOutcome::Pending { .. }), "{outcome:?}");
    let view = campaign::funnel(&world.app, &Actor::Operator, cid).await.unwrap();
    let funnel = view.total;
    assert_eq!(
        (funnel.targeted, funnel.sent, funnel.clicked, funnel.applied, funnel.approved),
        (2, 2, 2, 2, 1)
    );
    assert_eq!(view.by_union.len(), 1);
    assert_eq!(view.by_union[0].0, Some(trucks.id));
    let subtree = campaign::subtree_funnel(&world.app, &world.root.path).await.unwrap();
    assert_eq!(subtree, funnel);
    assert_eq!(campaign::subtree_funnel(&world.app, &world.wuhu.path).await.unwrap(), Funnel::default());

    // Expired: 30 days on, the link is dead (and nothing is counted).
    set_clock(&world, Timestamp(world.app.now().millis() + 30 * DAY));
    assert!(matches!(invite::open(&world.app, &first).await, Err(InviteError::Expired)));
});

both_databases!(join_codes_count_scans_applications_and_approvals, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::RosterOnly).await;
    list(&world, &world.hefei, "交通运输局", &[(1, "13800138001", "货车司机", "340104")]).await;
    // Three visitors (an address with two browsers is two), the first reloading: three scans.
    let scan = |address: &'static str, agent: &'static str| {
        let app = world.app.clone();
        async move {
            let visitor = ScanVisitor { address: Some(address), user_agent: Some(agent) };
            campaign::funnel::count_scan(&app, "3401T", visitor).await.unwrap()
        }
    };
    let counted = [scan("10.0.0.1", "A").await, scan("10.0.0.2", "A").await, scan("10.0.0.1", "B").await];
    assert_eq!(counted, [true, true, true]);
    assert!(!scan("10.0.0.1", "A").await, "the same visitor the same day counts once");
    let qr = huiji_app::joining::join(
        &world.app,
        &form(&id(1), "13800138001"),
        Channel::Qr,
        Some(&trucks),
        trucks.join_code.clone(),
        MobileProof::Attested,
        None,
    )
    .await
    .unwrap();
    assert!(matches!(qr, JoinOutcome::Approved { .. }));
    let codes = campaign::funnel::join_codes(&world.app, &world.root.path, 10).await.unwrap();
    let row = codes.iter().find(|c| c.join_code == "3401T").unwrap();
    assert_eq!((row.org, row.scans, row.applications, row.approvals), (trucks.id, 3, 1, 1));
    assert!(campaign::funnel::join_codes(&world.app, &world.wuhu.path, 10).await.unwrap().is_empty());
    // The next day the same visitor counts again; yesterday's visitors are forgotten.
    set_clock(&world, Timestamp(world.app.now().millis() + DAY));
    assert!(scan("10.0.0.1", "A").await);
    let codes = campaign::funnel::join_codes(&world.app, &world.root.path, 10).await.unwrap();
    assert_eq!(codes.iter().find(|c| c.join_code == "3401T").unwrap().scans, 4);
});

both_databases!(the_funnel_rollup_matches_a_recount_after_a_full_scenario, |db: TestDb| async move {
    let world = World::new(db).await;
    let trucks = truckers(&world, AutoApproval::RosterOnly).await;
    let mobiles: Vec<String> = (1..=6).map(|n| format!("138001380{n:02}")).collect();
    let mut people: Vec<(u32, &str, &str, &str)> = Vec::new();
    for (n, mobile) in (1..).zip(&mobiles) {
        // The last one has no union serving their occupation there: the "none" group.
        let occupation = if n == 6 { "外卖骑手" } else { "货车司机" };
        people.push((n, mobile.as_str(), occupation, "340104"));
    }
    list(&world, &world.hefei, "交通运输局", &people).await;
    assert!(callbacks::reply(&world.app, &mobiles[4], "T").await.unwrap());
    let cid = campaign::create(&world.app, &Actor::Operator, &request(&world.hefei)).await.unwrap();
    let queued = campaign::queue(&world.app, &Actor::Operator, cid).await.unwrap();
    assert_eq!((queued.funnel.targeted, queued.funnel.suppressed, queued.funnel.queued), (6, 1, 5));
    // Queueing again adds nothing and counts nothing twice.
    assert_eq!(campaign::queue(&world.app, &Actor::Operator, cid).await.unwrap().added, 0);

    let messages = campaign::funnel::messages(&world.app, &Actor::Operator, cid, 0, 10).await.unwrap();
    // Message ids follow the roster's insertion order, which is not the file's (the import
    // writes a batch in blind-index order): pick the messages by their masked mobiles
    // (138****8001 …), leaving out the one that opts out below, so the receipts go to
    // messages that are sent.
    let opting_out = &mobiles[3][mobiles[3].len() - 4..];
    let mut queued: Vec<(String, String)> = messages
        .iter()
        .filter(|m| m.state == MessageState::Queued)
        .map(|m| (m.mobile.clone(), format!("cm-{}", m.id)))
        .collect();
    queued.sort();
    let refs: Vec<String> =
        queued.into_iter().filter(|(masked, _)| !masked.ends_with(opting_out)).map(|(_, r)| r).collect();
    assert_eq!(refs.len(), 4);
    // A receipt before the send; then the sends; then receipts repeated and contradicted.
    callbacks::receipt(&world.app, &refs[0], Receipt::Delivered).await.unwrap();
    // One opts out while waiting: never sent.
    assert!(callbacks::reply(&world.app, &mobiles[3], "退订").await.unwrap());
    assert_eq!(deliver_due(&world.app).await.unwrap().sent, 3);
    for receipt in [Receipt::Delivered, Receipt::Delivered, Receipt::Failed] {
        callbacks::receipt(&world.app, &refs[1], receipt).await.unwrap();
    }
    for receipt in [Receipt::Failed, Receipt::Delivered, Receipt::Failed] {
        callbacks::receipt(&world.app, &refs[2], receipt).await.unwrap();
    }
    // Clicks (twice on one), a join approved at once, one reviewed and approved, one
    // rejected.
    let codes: Vec<String> = outbox(&world).await.iter().map(|t| code_in(t)).collect();
    assert_eq!(codes.len(), 3);
    let opened: Vec<_> = {
        let mut opened = Vec::new();
        for code in &codes {
            opened.push(invite::open(&world.app, code).await.unwrap());
        }
        opened
    };
    invite::open(&world.app, &codes[0]).await.unwrap();
    let outcome = invite::join(&world.app, &opened[0], &form(&id(2), "13800138002"), MobileProof::Attested)
        .await
        .unwrap();
    assert!(matches!(outcome, JoinOutcome::Approved { .. }), "{outcome:?}");
    let reviewer = Actor::Officer(Box::new(world.officer("r", &world.hefei, Role::Reviewer).await));
    let outcome =
        invite::join(&world.app, &opened[1], &form(&id(3), "13800138003"), MobileProof::None).await.unwrap();
    let JoinOutcome::Pending { application_id, .. } = outcome else { panic!("{outcome:?}") };
    huiji_app::review::approve(&world.app, &reviewer, application_id.0).await.unwrap();
    let outcome =
        invite::join(&world.app, &opened[2], &form(&id(6), "13800138006"), MobileProof::None).await.unwrap();
    let JoinOutcome::Pending { application_id, .. } = outcome else { panic!("{outcome:?}") };
    huiji_app::review::reject(&world.app, &reviewer, application_id.0, "不符合条件").await.unwrap();

    let rollup = world.app.store().campaign_funnel(cid).await.unwrap();
    let recount = world.app.store().campaign_funnel_recount(cid).await.unwrap();
    assert_eq!(rollup, recount);
    let mut total = Funnel::default();
    for (_, funnel) in &rollup {
        total.add(funnel);
    }
    assert_eq!(
        (total.targeted, total.suppressed, total.queued, total.sent, total.delivered, total.failed),
        (6, 2, 0, 4, 2, 1)
    );
    assert_eq!((total.clicked, total.applied, total.approved), (3, 3, 2));
    assert!(rollup.iter().any(|(org, _)| *org == Some(trucks.id)));
    assert_eq!(campaign::subtree_funnel(&world.app, &world.root.path).await.unwrap(), total);
});
