//! Applications, memberships and SMS challenges on both databases.

use huiji_core::joining::Landing;
use huiji_core::org::Level;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Decision, OrgKind, RealNameCheck, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, NewOrg, OrgFilter, ReviewOutcome, SubmitOutcome, both_databases};

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
        (membership.id, membership.home_org_id, membership.status.code()),
        (membership_id, receiving, "active")
    );
    let app = store.application(application_id).await.unwrap().unwrap();
    assert_eq!((app.status.code(), app.membership_id), ("approved", Some(membership_id)));
    assert_eq!(app.decided_at, Some(AT.0));

    // Again, with the same mobile proven: a member, and nothing new stored.
    let again = store.submit_application(&new, AT).await.unwrap();
    assert_eq!(again, SubmitOutcome::AlreadyMember);
    assert_eq!(store.applications_by_mobile("bidx:m-1").await.unwrap().len(), 1);
    assert_eq!(store.memberships_by_mobile("bidx:m-1").await.unwrap().len(), 1);

    // Anyone else — another mobile, or the membership's own without proof — is queued for
    // an officer, flagged, in the same call: nothing about the membership is answered.
    let other_mobile = application(
        "id-1",
        "m-2",
        receiving,
        Landing::Union(huiji_core::OrgId(receiving)),
        Decision::Approve,
    );
    let unproven = NewApplication { mobile_verified: false, ..new.clone() };
    for flagged in [other_mobile, unproven] {
        let SubmitOutcome::Pending { existing: false, application_id } =
            store.submit_application(&flagged, AT).await.unwrap()
        else {
            panic!("expected a review")
        };
        let detail = store.application_detail(application_id).await.unwrap().unwrap();
        assert_eq!(detail.item.application.status.code(), "pending_review");
        assert!(detail.item.holds_membership && detail.item.flagged());
    }
    assert_eq!(store.memberships_by_mobile("bidx:m-2").await.unwrap().len(), 0);
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
    assert_eq!(app.status.code(), "pending_review");
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
    let racing = (0..50).map(|i| {
        application(
            "id-3",
            &format!("m-{i}"),
            receiving,
            Landing::Union(huiji_core::OrgId(receiving)),
            Decision::Approve,
        )
    });
    let mut approved = 0;
    for outcome in all_at_once(&store, racing).await {
        match outcome {
            SubmitOutcome::Approved { .. } => approved += 1,
            // The others proved mobiles that are not the new membership's: reviews, flagged.
            SubmitOutcome::Pending { application_id, existing: false } => {
                let detail = store.application_detail(application_id).await.unwrap().unwrap();
                assert!(detail.item.holds_membership);
            }
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

/// Submits every application at once; the outcomes in order.
async fn all_at_once(
    store: &std::sync::Arc<dyn huiji_store::Store>,
    applications: impl Iterator<Item = NewApplication>,
) -> Vec<SubmitOutcome> {
    let tasks: Vec<_> = applications
        .map(|new| {
            let store = store.clone();
            tokio::spawn(async move { store.submit_application(&new, AT).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

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
    assert!(
        matches!(error, huiji_store::StoreError::Conflict(huiji_store::Conflict::CreditCodeTaken)),
        "{error:?}"
    );
});

both_databases!(a_code_verifies_one_request_however_many_race, |db: TestDb| async move {
    let store = db.dyn_store();
    let bidx = "bidx:m-race";
    store.create_sms_challenge(bidx, SmsPurpose::Join, "right", AT).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.check_sms_challenge(bidx, SmsPurpose::Join, "right", AT).await.unwrap()
        }));
    }
    let mut verified = 0;
    for task in tasks {
        match task.await.unwrap() {
            SmsCheck::Verified => verified += 1,
            other => assert_eq!(other, SmsCheck::NoCode, "a used code is no code"),
        }
    }
    assert_eq!(verified, 1, "one code proves the mobile once");

    // Wrong guesses racing the right one: the right one counts only among the first five.
    store.create_sms_challenge(bidx, SmsPurpose::Join, "right", AT).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        let hash = if i == 29 { "right" } else { "wrong" };
        tasks.push(tokio::spawn(async move {
            (i, store.check_sms_challenge(bidx, SmsPurpose::Join, hash, AT).await.unwrap())
        }));
    }
    let mut wrong = 0;
    let mut right = None;
    for task in tasks {
        match task.await.unwrap() {
            (29, check) => right = Some(check),
            (_, SmsCheck::Wrong { .. }) => wrong += 1,
            (_, check) => assert!(matches!(check, SmsCheck::Exhausted | SmsCheck::NoCode), "{check:?}"),
        }
    }
    assert!(wrong <= 5, "at most five tries are judged: {wrong}");
    if right == Some(SmsCheck::Verified) {
        assert!(wrong < 5, "the right code came too late to count");
    }
});

both_databases!(a_mobile_is_bound_to_the_identities_it_was_proven_with, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let bound = |mobile: &'static str, id: &'static str| {
        let store = store.clone();
        async move {
            store.mobile_bound_elsewhere(&format!("bidx:{mobile}"), &format!("bidx:{id}")).await.unwrap()
        }
    };
    let to_review = |id: &str, mobile: &str| {
        application(id, mobile, receiving, Landing::Union(huiji_core::OrgId(receiving)), Decision::Review)
    };
    assert!(!bound("m-a", "id-a").await, "a new mobile is no one's");
    // An application whose mobile was not proven binds nothing.
    let unproven = NewApplication { mobile_verified: false, ..to_review("id-x", "m-a") };
    store.submit_application(&unproven, AT).await.unwrap();
    assert!(!bound("m-a", "id-a").await);
    // A proven one binds the mobile to its ID, pending or decided.
    let SubmitOutcome::Pending { application_id, .. } =
        store.submit_application(&to_review("id-b", "m-a"), AT).await.unwrap()
    else {
        panic!("expected pending")
    };
    assert!(bound("m-a", "id-a").await);
    assert!(!bound("m-a", "id-b").await, "its own identity's");
    // So does a membership, however it was made.
    let joined = application(
        "id-c",
        "m-c",
        receiving,
        Landing::Union(huiji_core::OrgId(receiving)),
        Decision::Approve,
    );
    assert!(matches!(store.submit_application(&joined, AT).await.unwrap(), SubmitOutcome::Approved { .. }));
    assert!(bound("m-c", "id-d").await && !bound("m-c", "id-c").await);
    // Retention ends the binding with the personal data.
    store.reject_application(application_id, "officer", "无法核实", AT).await.unwrap();
    let day = 86_400_000;
    store.purge_personal_data(Timestamp(AT.0 + day), Timestamp(AT.0 + 2 * day)).await.unwrap();
    assert!(!bound("m-a", "id-a").await);
});

both_databases!(open_applications_are_per_submitter, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let (p1, p2) = (
        store.ensure_platform("huolala", AT).await.unwrap().id,
        store.ensure_platform("meituan", AT).await.unwrap().id,
    );
    let submit = |mobile: &str, platform: Option<i64>| NewApplication {
        platform_id: platform,
        ..application(
            "id-o",
            mobile,
            receiving,
            Landing::Union(huiji_core::OrgId(receiving)),
            Decision::Review,
        )
    };
    let outcome = |new: NewApplication| {
        let store = store.clone();
        async move {
            match store.submit_application(&new, AT).await.unwrap() {
                SubmitOutcome::Pending { application_id, existing } => (application_id, existing),
                other => panic!("expected pending, got {other:?}"),
            }
        }
    };
    // The H5 form: per proven mobile.
    let (h1, new) = outcome(submit("m-1", None)).await;
    assert!(!new);
    assert_eq!(outcome(submit("m-1", None)).await, (h1, true), "the same mobile finds its own");
    let (h2, existing) = outcome(submit("m-2", None)).await;
    assert!(h2 != h1 && !existing, "another mobile gets its own");
    // A platform: per platform, whatever the mobile.
    let (a1, existing) = outcome(submit("m-1", Some(p1))).await;
    assert!(a1 != h1 && !existing, "the H5 form's application is not the platform's");
    assert_eq!(outcome(submit("m-3", Some(p1))).await, (a1, true));
    let (b1, existing) = outcome(submit("m-1", Some(p2))).await;
    assert!(b1 != a1 && !existing);
    // One becomes a member; the others cannot.
    assert!(matches!(
        store.approve_application(h1, "officer", AT).await.unwrap(),
        ReviewOutcome::Approved { .. }
    ));
    assert_eq!(store.approve_application(a1, "officer", AT).await.unwrap(), ReviewOutcome::AlreadyMember);

    // Racing submissions of one submitter still make one application.
    let racing = (0..20).map(|i| NewApplication {
        platform_id: Some(p1),
        ..application(
            "id-r",
            &format!("m-r{i}"),
            receiving,
            Landing::Union(huiji_core::OrgId(receiving)),
            Decision::Review,
        )
    });
    let mut ids = Vec::new();
    for outcome in all_at_once(&store, racing).await {
        match outcome {
            SubmitOutcome::Pending { application_id, .. } => ids.push(application_id),
            other => panic!("{other:?}"),
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
});

both_databases!(why_an_application_waits_is_kept_for_the_officer, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let landing = Landing::Union(huiji_core::OrgId(receiving));
    let cases = [
        (false, RealNameCheck::Mismatched, Some("mismatched"), true),
        (false, RealNameCheck::Unavailable, Some("unavailable"), true),
        (true, RealNameCheck::NotAsked, None, true),
        (false, RealNameCheck::Matched, Some("matched"), false),
        (false, RealNameCheck::NotConfigured, None, false),
    ];
    for (i, (bound, real_name, code, flagged)) in cases.into_iter().enumerate() {
        let new = NewApplication {
            mobile_bound_elsewhere: bound,
            real_name,
            ..application(&format!("id-w{i}"), &format!("m-w{i}"), receiving, landing, Decision::Review)
        };
        let SubmitOutcome::Pending { application_id, .. } = store.submit_application(&new, AT).await.unwrap()
        else {
            panic!("expected pending")
        };
        let detail = store.application_detail(application_id).await.unwrap().unwrap();
        assert_eq!(
            (detail.item.mobile_bound_elsewhere, detail.item.real_name_check.code(), detail.item.flagged()),
            (bound, code, flagged),
            "case {i}"
        );
    }
});
