//! Applications, memberships and SMS challenges on both databases.

use huiji_core::joining::Landing;
use huiji_core::org::Level;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Decision, OrgKind, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, NewOrg, OrgFilter, SubmitOutcome, both_databases};

use crate::fixtures::{AT, application, sealed, seeded};

both_databases!(join_codes_and_consent_are_seeded, |db: TestDb| async move {
    let store = db.dyn_store();
    seeded(&store).await;
    let org = store.org_by_join_code("3401T").await.unwrap().unwrap();
    assert_eq!(org.name, "合肥市货车司机工会联合会");
    assert_eq!(org.kind, OrgKind::IndustryFederation(Level::City));
    assert_eq!(org.auto_approval, huiji_core::AutoApproval::AllVerified);
    assert_eq!(org.review_days, 3);
    assert!(store.org_by_join_code("nope").await.unwrap().is_none());
    let versions = store.consent_versions().await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(), ["1"]);
    assert!(versions[0].text_zh.contains("敏感个人信息"));
    let hefei = "3401".parse().unwrap();
    assert!(store.enterprise_unions(None, "", hefei).await.unwrap().is_empty());
    assert!(store.enterprise_unions(Some("9144030071526726XG"), "x", hefei).await.unwrap().is_empty());
});

both_databases!(an_approved_application_makes_a_member_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let new = application(
        "id-1",
        "m-1",
        receiving,
        Landing::Union(huiji_core::OrgId(receiving)),
        Decision::Approve,
    );
    let SubmitOutcome::Approved { application_id, membership_id, member_number } =
        store.submit_application(&new, AT).await.unwrap()
    else {
        panic!("expected approval")
    };
    assert!(member_number.as_str().starts_with("3425"), "province 34, joined in 2025");
    let membership = store.membership_by_number(member_number.as_str()).await.unwrap().unwrap();
    assert_eq!(
        (membership.id, membership.home_org_id, membership.status.as_str()),
        (membership_id, receiving, "active")
    );
    let app = store.application(application_id).await.unwrap().unwrap();
    assert_eq!((app.status.as_str(), app.membership_id), ("approved", Some(membership_id)));
    assert_eq!(app.decided_at, Some(AT.0));

    // Again, with the same mobile: a member, and nothing new stored.
    let again = store.submit_application(&new, AT).await.unwrap();
    assert_eq!(again, SubmitOutcome::AlreadyMember { same_mobile: true });
    let other_mobile = application(
        "id-1",
        "m-2",
        receiving,
        Landing::Union(huiji_core::OrgId(receiving)),
        Decision::Approve,
    );
    assert_eq!(
        store.submit_application(&other_mobile, AT).await.unwrap(),
        SubmitOutcome::AlreadyMember { same_mobile: false }
    );
    assert_eq!(store.applications_by_mobile("bidx:m-1").await.unwrap().len(), 1);
    assert_eq!(store.memberships_by_mobile("bidx:m-1").await.unwrap().len(), 1);

    // Asked to, it queues a review for an officer instead.
    let flagged = NewApplication { holds_membership: true, ..other_mobile };
    let SubmitOutcome::Pending { existing: false, application_id } =
        store.submit_application(&flagged, AT).await.unwrap()
    else {
        panic!("expected a review")
    };
    assert_eq!(store.application(application_id).await.unwrap().unwrap().status, "pending_review");
});

both_databases!(a_pending_application_is_found_again, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, pool) = seeded(&store).await;
    let new = application("id-2", "m-2", receiving, Landing::Pool(huiji_core::OrgId(pool)), Decision::Review);
    let SubmitOutcome::Pending { application_id, existing: false } =
        store.submit_application(&new, AT).await.unwrap()
    else {
        panic!("expected pending")
    };
    let app = store.application(application_id).await.unwrap().unwrap();
    assert_eq!(app.status, "pending_review");
    assert_eq!(app.review_deadline, Some(AT.0 + 3 * 86_400_000));
    assert!(app.landing_in_pool);
    assert_eq!(
        store.submit_application(&new, AT).await.unwrap(),
        SubmitOutcome::Pending { application_id, existing: true }
    );
});

both_databases!(fifty_concurrent_submissions_of_one_id_make_one_member, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        let new = application(
            "id-3",
            &format!("m-{i}"),
            receiving,
            Landing::Union(huiji_core::OrgId(receiving)),
            Decision::Approve,
        );
        tasks.push(tokio::spawn(async move { store.submit_application(&new, AT).await.unwrap() }));
    }
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap() {
            SubmitOutcome::Approved { .. } => approved += 1,
            SubmitOutcome::AlreadyMember { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(approved, 1);
    let members: usize = {
        let mut n = 0;
        for i in 0..50 {
            n += store.memberships_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len();
        }
        n
    };
    assert_eq!(members, 1);
    assert_eq!(store.count_orgs(&OrgFilter::default()).await.unwrap(), 1985);
});

both_databases!(sms_codes_expire_and_allow_five_tries, |db: TestDb| async move {
    let store = db.dyn_store();
    let bidx = "bidx:m-9";
    assert_eq!(store.check_sms_challenge(bidx, SmsPurpose::Join, "h", AT).await.unwrap(), SmsCheck::NoCode);
    store.create_sms_challenge(bidx, SmsPurpose::Join, "right", AT).await.unwrap();
    assert_eq!(store.sms_challenges_since(bidx, AT).await.unwrap(), 1);
    // A status code does not answer a join challenge.
    assert_eq!(
        store.check_sms_challenge(bidx, SmsPurpose::Status, "right", AT).await.unwrap(),
        SmsCheck::NoCode
    );
    for left in (0..5).rev() {
        let check = store.check_sms_challenge(bidx, SmsPurpose::Join, "wrong", AT).await.unwrap();
        assert_eq!(check, SmsCheck::Wrong { attempts_left: left });
    }
    assert_eq!(
        store.check_sms_challenge(bidx, SmsPurpose::Join, "right", AT).await.unwrap(),
        SmsCheck::Exhausted
    );

    store.create_sms_challenge(bidx, SmsPurpose::Join, "again", AT).await.unwrap();
    let late = Timestamp(AT.0 + 5 * 60 * 1000);
    assert_eq!(
        store.check_sms_challenge(bidx, SmsPurpose::Join, "again", late).await.unwrap(),
        SmsCheck::Expired
    );
    store.create_sms_challenge(bidx, SmsPurpose::Join, "third", AT).await.unwrap();
    assert_eq!(
        store.check_sms_challenge(bidx, SmsPurpose::Join, "third", AT).await.unwrap(),
        SmsCheck::Verified
    );
    // Used up.
    assert_eq!(
        store.check_sms_challenge(bidx, SmsPurpose::Join, "third", AT).await.unwrap(),
        SmsCheck::NoCode
    );

    store.push_sms_outbox(&sealed("13800138000"), "138****8000", "验证码 123456", AT).await.unwrap();
    let outbox = store.sms_outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].mobile_masked, "138****8000");
});

/// An enterprise union under an org.
fn enterprise(parent: &huiji_core::Org, name: &str, credit_code: Option<huiji_core::CreditCode>) -> NewOrg {
    NewOrg {
        parent: Some(parent.id),
        kind: OrgKind::Enterprise,
        name: name.to_owned(),
        region: parent.region,
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code,
        auto_approval: huiji_core::AutoApproval::Off,
        review_days: 3,
    }
}

both_databases!(enterprise_unions_are_found_within_a_city, |db: TestDb| async move {
    let store = db.dyn_store();
    seeded(&store).await;
    let code = huiji_core::CreditCode::parse("914403001922038216").unwrap();
    let mut made = Vec::new();
    for (join_code, credit_code) in [("340122", None), ("3401", Some(code.clone())), ("3402", None)] {
        let parent = store.org_by_join_code(join_code).await.unwrap().unwrap();
        made.push(
            store.create_org(&enterprise(&parent, "顺丰速运有限公司", credit_code), AT).await.unwrap().id,
        );
    }
    let (hefei, wuhu) = ("3401".parse().unwrap(), "3402".parse().unwrap());
    let found = |orgs: Vec<huiji_core::Org>| orgs.into_iter().map(|o| o.id).collect::<Vec<_>>();
    let by_name = store.enterprise_unions(None, "顺丰速运有限公司", hefei).await.unwrap();
    assert_eq!(found(by_name), [made[0], made[1]], "the city's and its county's, not 芜湖's");
    assert_eq!(found(store.enterprise_unions(None, "顺丰速运有限公司", wuhu).await.unwrap()), [made[2]]);
    let by_code = store.enterprise_unions(Some(code.as_str()), "x", hefei).await.unwrap();
    assert_eq!(by_code[0].credit_code.as_deref(), Some(code.as_str()));
    assert_eq!(found(by_code), [made[1]]);
    assert!(store.enterprise_unions(Some(code.as_str()), "", wuhu).await.unwrap().is_empty());
    // A credit code is registered once in the whole tree.
    let wuhu_federation = store.org_by_join_code("3402").await.unwrap().unwrap();
    let error =
        store.create_org(&enterprise(&wuhu_federation, "另一个工会", Some(code)), AT).await.unwrap_err();
    assert!(matches!(error, huiji_store::StoreError::Constraint("orgs_credit_code_key")), "{error:?}");
});
