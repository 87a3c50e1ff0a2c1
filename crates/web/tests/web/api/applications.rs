//! The platform API v1 contract (DESIGN.md "Platform API v1"), endpoint by endpoint and
//! error code by error code, on both databases.

use huiji_core::rate_limit::Rate;
use huiji_core::{AutoApproval, OrgId};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::api::{application, identity};
use crate::support::{NOW, TestApp, id_number};

async fn hefei_truckers(app: &TestApp) -> OrgId {
    app.store().org_by_join_code("3401T").await.unwrap().unwrap().id
}

both_databases!(a_verified_worker_becomes_a_member_through_the_api, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(1);
    let answer = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.body["status"], "approved");
    assert_eq!(answer.body["receiving_org"]["name"], "合肥市货车司机工会联合会");
    assert_eq!(answer.body["landing_org"]["name"], "合肥市货车司机工会联合会");
    let number = answer.body["member_number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("3426"), "{number}");
    let application_id = answer.body["application_id"].as_i64().unwrap();

    let stored = app.store().application(application_id).await.unwrap().unwrap();
    assert_eq!(
        (stored.channel.code(), stored.external_ref.as_deref()),
        ("platform", Some(&*format!("driver-{id}")))
    );
    let read = app.api_get(&format!("/api/v1/applications/{application_id}"), &platform.key).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["status"], "approved");
    assert_eq!(read.body["member_number"], number.as_str());
    assert_eq!(read.body["external_ref"], format!("driver-{id}"));
    assert_eq!(read.body["created_at"], "2026-11-30T10:00:00+08:00");
    assert!(read.body.get("reason").is_none());
});

both_databases!(unverified_mobiles_and_reviewing_unions_wait_for_an_officer, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(2);
    let mut body = application(&id, &mobile);
    body["mobile_verified"] = json!(false);
    let answer = app.api_apply(&platform.key, &body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.body["status"], "pending_review");
    assert!(answer.body.get("member_number").is_none());
    let application_id = answer.body["application_id"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{application_id}");
    assert_eq!(app.api_get(&path, &platform.key).await.body["status"], "pending_review");

    app.store().reject_application(application_id, "officer", "不在本市从业", NOW).await.unwrap();
    let read = app.api_get(&path, &platform.key).await;
    assert_eq!(
        (read.body["status"].as_str(), read.body["reason"].as_str()),
        (Some("rejected"), Some("不在本市从业"))
    );

    // A union that reviews everyone keeps even attested mobiles for review.
    let org = hefei_truckers(&app).await;
    app.store().set_review_policy(org, AutoApproval::Off, 3).await.unwrap();
    let (id, mobile) = identity(3);
    let answer = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    assert_eq!(answer.body["status"], "pending_review", "{}", answer.text);
    let application_id = answer.body["application_id"].as_i64().unwrap();
    app.store().approve_application(application_id, "officer", NOW).await.unwrap();
    let read = app.api_get(&format!("/api/v1/applications/{application_id}"), &platform.key).await;
    assert_eq!(read.body["status"], "approved");
    assert!(read.body["member_number"].is_string());
});

both_databases!(every_field_error_of_the_contract_has_its_code, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (good_id, mobile) = identity(4);
    let wrong_check = format!("{}{}", &good_id[..17], if good_id.ends_with('0') { '1' } else { '0' });
    let cases: Vec<(Value, &str)> = vec![
        (json!({"id_number": wrong_check}), "id_number.checksum"),
        (json!({"id_number": id_number("340104", "19901331", 1)}), "id_number.date"),
        (json!({"id_number": id_number("990104", "19900101", 1)}), "id_number.region"),
        (json!({"id_number": id_number("340104", "20150101", 1)}), "id_number.age"),
        (json!({"mobile": "12345"}), "mobile.format"),
        (json!({"occupation": "pilot"}), "occupation.unknown"),
        (json!({"region_code": "349999"}), "region_code.unknown"),
        (json!({"consent": null}), "consent.missing"),
        (json!({"consent": {"version": "9", "accepted_at": "2026-11-30T09:58:00+08:00"}}), "consent.version"),
        (json!({"consent": {"version": "1", "accepted_at": "yesterday"}}), "consent.accepted_at"),
        (
            json!({"consent": {"version": "1", "accepted_at": "2026-12-30T09:58:00+08:00"}}),
            "consent.accepted_at",
        ),
        (json!({"name": 42}), "name.type"),
        (json!({"mobile_verified": "yes"}), "mobile_verified.type"),
        (json!({"employer": {"credit_code": ["x"]}}), "employer.credit_code.type"),
        (json!({"employer": {"credit_code": "9144030071526726X"}}), "employer.credit_code.format"),
        (json!({"external_ref": "x".repeat(129)}), "external_ref.length"),
    ];
    for (change, code) in cases {
        let mut body = application(&good_id, &mobile);
        for (field, value) in change.as_object().unwrap() {
            body[field] = value.clone();
        }
        let answer = app.api_apply(&platform.key, &body).await;
        assert_eq!(answer.status, 422, "{code}: {}", answer.text);
        assert_eq!(answer.code(), "validation_failed", "{code}");
        assert!(answer.field_codes().iter().any(|c| c == code), "{code}: {}", answer.text);
        assert_eq!(answer.body["error"]["message"].as_str().map(str::is_empty), Some(false));
    }
    // Several problems at once are all reported.
    let answer = app
        .api_apply(&platform.key, &json!({"mobile": "1", "occupation": "pilot", "region_code": "x"}))
        .await;
    let codes = answer.field_codes();
    for code in [
        "name.missing",
        "id_number.missing",
        "mobile.format",
        "occupation.unknown",
        "region_code.unknown",
        "consent.missing",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} missing from {codes:?}");
    }
    let mobile_bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    assert!(app.store().applications_by_mobile(&mobile_bidx).await.unwrap().is_empty(), "nothing stored");
});

both_databases!(a_member_is_a_409_without_details, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(5);
    assert_eq!(app.api_apply(&platform.key, &application(&id, &mobile)).await.status, 201);
    let mut again = application(&id, &mobile);
    again["external_ref"] = json!("second-try");
    let answer = app.api_apply(&platform.key, &again).await;
    assert_eq!(answer.status, 409, "{}", answer.text);
    assert_eq!(answer.code(), "already_member");
    assert_eq!(
        answer.body,
        json!({"error": {"code": "already_member", "message": "the worker is already a member"}})
    );
    // Someone with another mobile gets what any newcomer to a reviewing union gets, and
    // an officer looks at it: the API is no oracle either.
    let mut other = application(&id, "13900000999");
    other["external_ref"] = json!("third-try");
    let answer = app.api_apply(&platform.key, &other).await;
    assert_eq!(
        (answer.status, answer.body["status"].as_str()),
        (201, Some("pending_review")),
        "{}",
        answer.text
    );
});

both_databases!(keys_are_checked_and_revocable, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    for key in [
        None,
        Some("nonsense"),
        Some("hj_000000000000_0000000000000000000000000000000000000000000000000000000000000000"),
    ] {
        let answer = app.api_raw(Method::GET, "/api/v1/orgs", key, &[], None).await;
        assert_eq!(answer.status, 401, "{key:?}");
        assert_eq!(answer.code(), "unauthorized");
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
    }
    // The right prefix with another secret is no key.
    let forged = format!("{}{}", &platform.key[..16], "0".repeat(64));
    assert_eq!(app.api_get("/api/v1/orgs", &forged).await.status, 401);
    assert_eq!(app.api_get("/api/v1/orgs", &platform.key).await.status, 200);
    let prefix = &platform.key[3..15];
    // Revoked on this instance: refused at once, though the key was just read.
    assert!(huiji_app::platform::api_keys::revoke(&app.state.app, prefix).await.unwrap());
    assert_eq!(app.api_get("/api/v1/orgs", &platform.key).await.code(), "unauthorized");

    // Revoked elsewhere (the command line, another instance): refused within the cache's
    // second.
    let other = app.platform_with_scopes("other", "orgs").await;
    assert_eq!(app.api_get("/api/v1/orgs", &other.key).await.status, 200);
    assert!(app.store().revoke_api_key(&other.key[3..15], NOW).await.unwrap());
    let revoked_at = std::time::Instant::now();
    while app.api_get("/api/v1/orgs", &other.key).await.status == 200 {
        assert!(revoked_at.elapsed() < std::time::Duration::from_secs(3), "still served after 3 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.api_get("/api/v1/orgs", &other.key).await.code(), "unauthorized");
});

both_databases!(keys_only_reach_their_scopes, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let orgs_only = app.platform_with_scopes("maps", "orgs").await;
    let (id, mobile) = identity(6);
    let answer = app.api_apply(&orgs_only.key, &application(&id, &mobile)).await;
    assert_eq!((answer.status, answer.code()), (403, "forbidden"));
    let verify = json!({"id_number": id, "name": "王晓明"});
    let answer = app.api_post("/api/v1/memberships/verify", &orgs_only.key, "v", &verify).await;
    assert_eq!((answer.status, answer.code()), (403, "forbidden"));
    assert_eq!(app.api_get("/api/v1/applications/1", &orgs_only.key).await.code(), "forbidden");
    assert_eq!(app.api_get("/api/v1/orgs", &orgs_only.key).await.status, 200);
});

both_databases!(platforms_see_only_their_own_applications, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (a, b) = (app.platform("huolala").await, app.platform("meituan").await);
    let (id, mobile) = identity(7);
    let created = app.api_apply(&a.key, &application(&id, &mobile)).await;
    let path = format!("/api/v1/applications/{}", created.body["application_id"]);
    assert_eq!(app.api_get(&path, &a.key).await.status, 200);
    let answer = app.api_get(&path, &b.key).await;
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    // Exactly what an id that does not exist answers.
    let missing = app.api_get("/api/v1/applications/999999", &b.key).await;
    assert_eq!((missing.status, missing.text), (answer.status, answer.text.clone()));
    assert_eq!(app.api_get("/api/v1/applications/abc", &a.key).await.code(), "not_found");

    // B never recorded this worker's consent, so it cannot ask about them.
    let verify = json!({"id_number": id, "name": "王晓明"});
    let answer = app.api_post("/api/v1/memberships/verify", &b.key, "v", &verify).await;
    assert_eq!((answer.status, answer.code()), (403, "consent_required"));
    let answer = app.api_post("/api/v1/memberships/verify", &a.key, "v", &verify).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body, json!({"member": true, "since": "2026-11-30"}));
    // Idempotency keys are per platform: B's "same" key is its own.
    let (id2, mobile2) = identity(8);
    let first = app.api_post("/api/v1/applications", &a.key, "shared", &application(&id2, &mobile2)).await;
    let (id3, mobile3) = identity(9);
    let second = app.api_post("/api/v1/applications", &b.key, "shared", &application(&id3, &mobile3)).await;
    assert_eq!((first.status, second.status), (201, 201), "{} {}", first.text, second.text);
});

both_databases!(verification_needs_the_right_name_and_a_held_membership, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(10);
    app.api_apply(&platform.key, &application(&id, &mobile)).await;
    let ask = |name: &str| json!({"id_number": id.to_lowercase(), "name": name});
    let verify = |body: Value| {
        let app = &app;
        let key = platform.key.clone();
        async move { app.api_post("/api/v1/memberships/verify", &key, "unused", &body).await }
    };
    assert_eq!(verify(ask(" 王晓明 ")).await.body["member"], true);
    assert_eq!(verify(ask("王小明")).await.body, json!({"member": false}));
    let bad = verify(json!({"id_number": "123", "name": ""})).await;
    assert_eq!(bad.code(), "validation_failed");
    assert_eq!(bad.field_codes(), vec!["id_number.length".to_owned(), "name.missing".to_owned()]);
    // A consented applicant still under review is not a member yet.
    let (id, mobile) = identity(11);
    let mut pending = application(&id, &mobile);
    pending["mobile_verified"] = json!(false);
    app.api_apply(&platform.key, &pending).await;
    assert_eq!(verify(json!({"id_number": id, "name": "王晓明"})).await.body, json!({"member": false}));
});

both_databases!(join_targets_are_listed_with_their_urls, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let answer = app.api_get("/api/v1/orgs?region_code=340104&occupation=truck_driver", &platform.key).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let orgs = answer.body["orgs"].as_array().unwrap();
    assert_eq!(orgs[0]["join_code"], "3401T");
    assert_eq!(orgs[0]["recommended"], true);
    assert_eq!(orgs[0]["join_url"], format!("{}/j/3401T", app.base));
    assert!(orgs.iter().any(|o| o["join_code"] == "340104"));
    assert!(orgs[1..].iter().all(|o| o["recommended"] == false));
    // Couriers are not sent to the truck drivers' federation.
    let couriers = app.api_get("/api/v1/orgs?region_code=340104&occupation=courier", &platform.key).await;
    assert!(couriers.body["orgs"].as_array().unwrap().iter().all(|o| o["join_code"] != "3401T"));
    let all = app.api_get("/api/v1/orgs", &platform.key).await;
    assert!(all.body["orgs"].as_array().unwrap().len() > orgs.len());
    let bad = app.api_get("/api/v1/orgs?region_code=999999&occupation=pilot", &platform.key).await;
    assert_eq!(bad.field_codes(), vec!["region_code.unknown".to_owned(), "occupation.unknown".to_owned()]);
});

both_databases!(replays_return_the_first_answer_and_mismatches_are_refused, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(12);
    let body = application(&id, &mobile);
    let first = app.api_post("/api/v1/applications", &platform.key, "order-1", &body).await;
    assert_eq!(first.status, 201);
    assert!(first.headers.get("idempotent-replayed").is_none());
    // The same request again, even with other whitespace and key order.
    let mut reordered: Vec<(String, Value)> = body.as_object().unwrap().clone().into_iter().collect();
    reordered.reverse();
    let text = format!(
        "{{ {} }}",
        reordered.iter().map(|(k, v)| format!("{k:?} : {v}")).collect::<Vec<_>>().join(" ,\n ")
    );
    let headers = [("content-type", "application/json"), ("idempotency-key", "order-1")];
    let replay = app
        .api_raw(Method::POST, "/api/v1/applications", Some(&platform.key), &headers, Some(text.into_bytes()))
        .await;
    assert_eq!((replay.status, &replay.text), (201, &first.text));
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    // Another body under the same key.
    let mut changed = body.clone();
    changed["external_ref"] = json!("other");
    let mismatch = app.api_post("/api/v1/applications", &platform.key, "order-1", &changed).await;
    assert_eq!((mismatch.status, mismatch.code()), (422, "idempotency_mismatch"));
    // Errors replay too: a 422 stays that 422.
    let invalid = json!({"name": "王晓明"});
    let once = app.api_post("/api/v1/applications", &platform.key, "order-2", &invalid).await;
    let twice = app.api_post("/api/v1/applications", &platform.key, "order-2", &invalid).await;
    assert_eq!((once.status, &once.text), (twice.status, &twice.text));
    // The key is required and must be sane.
    for headers in [
        vec![("content-type", "application/json")],
        vec![("content-type", "application/json"), ("idempotency-key", "")],
    ] {
        let answer = app
            .api_raw(
                Method::POST,
                "/api/v1/applications",
                Some(&platform.key),
                &headers,
                Some(body.to_string().into_bytes()),
            )
            .await;
        assert_eq!((answer.status, answer.code()), (400, "idempotency_key_required"));
    }
    // After 24 hours a key is forgotten and may name a new request.
    app.advance(24 * 3_600_000 + 1);
    let (id, mobile) = identity(13);
    let fresh =
        app.api_post("/api/v1/applications", &platform.key, "order-1", &application(&id, &mobile)).await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    assert_ne!(fresh.body["application_id"], first.body["application_id"]);
    // "order-2" expired untouched and is purged; the reused "order-1" lives a day more.
    assert_eq!(app.store().purge_idempotency(app.state.app.now()).await.unwrap(), 1);
    app.advance(24 * 3_600_000 + 1);
    assert_eq!(app.store().purge_idempotency(app.state.app.now()).await.unwrap(), 1);
});

both_databases!(concurrent_retries_with_one_key_make_one_application, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(14);
    let body = application(&id, &mobile);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (http, base, key, body) =
            (app.http.clone(), app.base.clone(), platform.key.clone(), body.to_string());
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(key)
                .header("content-type", "application/json")
                .header("idempotency-key", "retry-storm")
                .body(body)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }));
    }
    // The key's row commits with the join, so every caller gets that join's 201: the
    // first as made, the others replayed (never `idempotency_in_progress`).
    let mut created = Vec::new();
    for task in tasks {
        let (status, text) = task.await.unwrap();
        assert_eq!(status, 201, "{text}");
        created.push(text);
    }
    assert!(created.windows(2).all(|w| w[0] == w[1]), "{created:?}");
    let memberships = app
        .store()
        .memberships_by_mobile(
            &app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex(),
        )
        .await
        .unwrap();
    assert_eq!(memberships.len(), 1);
});

both_databases!(each_key_has_its_own_rate_limit, |db: TestDb| async move {
    let mut app = TestApp::seeded(db).await;
    app.state = app.state.clone().with_api_rate(Rate::per_second(1, 3));
    let app = app.restart().await;
    let (a, b) = (app.platform("huolala").await, app.platform("meituan").await);
    for _ in 0..3 {
        assert_eq!(app.api_get("/api/v1/orgs?region_code=3401", &a.key).await.status, 200);
    }
    let limited = app.api_get("/api/v1/orgs?region_code=3401", &a.key).await;
    assert_eq!((limited.status, limited.code()), (429, "rate_limited"));
    assert_eq!(limited.headers["retry-after"], "1");
    assert_eq!(app.api_get("/api/v1/orgs?region_code=3401", &b.key).await.status, 200);
    app.advance(1_000);
    assert_eq!(app.api_get("/api/v1/orgs?region_code=3401", &a.key).await.status, 200);
});

both_databases!(transport_errors_keep_the_error_shape, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let key = Some(platform.key.as_str());
    let json_headers = [("content-type", "application/json"), ("idempotency-key", "t")];
    /// Method, path, headers, body, and the status and code expected.
    type Case<'a> = (Method, &'a str, Vec<(&'a str, &'a str)>, Option<Vec<u8>>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (Method::GET, "/api/v1/nothing", vec![], None, 404, "not_found"),
        (Method::DELETE, "/api/v1/orgs", vec![], None, 405, "method_not_allowed"),
        (
            Method::POST,
            "/api/v1/applications",
            json_headers.to_vec(),
            Some(b"{not json".to_vec()),
            400,
            "malformed_json",
        ),
        (
            Method::POST,
            "/api/v1/applications",
            json_headers.to_vec(),
            Some(b"[1,2]".to_vec()),
            400,
            "malformed_json",
        ),
        (
            Method::POST,
            "/api/v1/applications",
            json_headers.to_vec(),
            Some(vec![b' '; 70 * 1024]),
            413,
            "payload_too_large",
        ),
        (
            Method::POST,
            "/api/v1/applications",
            vec![("content-type", "application/x-www-form-urlencoded"), ("idempotency-key", "t")],
            Some(b"name=x".to_vec()),
            415,
            "unsupported_media_type",
        ),
    ];
    for (method, path, headers, body, status, code) in cases {
        let answer = app.api_raw(method.clone(), path, key, &headers, body).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{method} {path}: {}", answer.text);
        assert!(answer.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        // Rebuilt as JSON or not, every answer carries the security headers.
        crate::security::http::assert_security_headers(&answer.headers, &format!("{method} {path}"));
        if status == 405 {
            assert_eq!(answer.headers["allow"], "GET,HEAD", "the 405 still says what is allowed");
        }
    }
});

both_databases!(the_auth_scheme_is_case_insensitive, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    // RFC 9110 §11.1: the scheme is case-insensitive.
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let authorization = format!("{scheme} {}", platform.key);
        let answer = app
            .api_raw(Method::GET, "/api/v1/orgs", None, &[("authorization", authorization.as_str())], None)
            .await;
        assert_eq!(answer.status, 200, "{scheme}: {}", answer.text);
    }
    for authorization in
        [format!("Basic {}", platform.key), format!("Bearer{}", platform.key), platform.key.clone()]
    {
        let answer = app
            .api_raw(Method::GET, "/api/v1/orgs", None, &[("authorization", authorization.as_str())], None)
            .await;
        assert_eq!(answer.status, 401, "{authorization}");
    }
});

both_databases!(every_verification_is_audited_where_its_officers_see_it, |db: TestDb| async move {
    use huiji_store::AuditQuery;
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(15);
    let created = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    let number = created.body["member_number"].as_str().unwrap();
    let membership = app.store().membership_by_number(number).await.unwrap().unwrap();
    for name in ["王晓明", "李四"] {
        let body = json!({"id_number": id, "name": name});
        assert_eq!(app.api_post("/api/v1/memberships/verify", &platform.key, "v", &body).await.status, 200);
    }
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let query = |within: huiji_core::OrgPath| AuditQuery {
        within,
        action: Some("membership.verify".to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    // The member's union's city sees the positive answer about its member…
    let in_hefei = app.store().audit_records(&query(hefei.path.clone())).await.unwrap();
    assert_eq!(in_hefei.len(), 1, "{in_hefei:?}");
    let record = &in_hefei[0];
    assert_eq!(
        (record.actor_kind.as_str(), record.actor_id, record.actor_name.as_str()),
        ("platform", Some(platform.id), "huolala")
    );
    assert_eq!(record.subject.as_deref(), Some(&*format!("membership:{}", membership.id)));
    assert_eq!(record.reason.as_deref(), Some("answered member=true"));
    assert!(record.client_addr.as_deref().is_some_and(|a| a.starts_with("127.0.0.1")), "{record:?}");
    // …and the province sees both, the negative one naming nobody in the clear.
    let root =
        app.store().orgs(&huiji_store::OrgFilter { limit: Some(1), ..Default::default() }).await.unwrap();
    let everywhere = app.store().audit_records(&query(root[0].path.clone())).await.unwrap();
    assert_eq!(everywhere.len(), 2);
    let negative = everywhere.iter().find(|r| r.reason.as_deref() == Some("answered member=false")).unwrap();
    assert!(negative.subject.as_deref().unwrap().starts_with("person:"));
    assert!(!format!("{negative:?}").contains(&id), "no ID number in the audit trail");
});

both_databases!(a_retry_after_a_lost_answer_gets_the_original_201, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(16);
    let body = application(&id, &mobile);
    // The join committed; its answer was lost with the connection (a kill -9 after the
    // commit). The retry gets that 201 again — not `already_member` for its own join.
    let first = app.api_post("/api/v1/applications", &platform.key, "crash-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = app.api_post("/api/v1/applications", &platform.key, "crash-1", &body).await;
    assert_eq!((retry.status, &retry.text), (201, &first.text));
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    // Even long after any request's lifetime, until the key expires.
    app.advance(huiji_store::ABANDONED_AFTER_MILLIS * 10);
    let later = app.api_post("/api/v1/applications", &platform.key, "crash-1", &body).await;
    assert_eq!((later.status, &later.text), (201, &first.text));
    // Another key for the same person meets the membership.
    let other = app.api_post("/api/v1/applications", &platform.key, "crash-2", &body).await;
    assert_eq!((other.status, other.code()), (409, "already_member"), "{}", other.text);
});
