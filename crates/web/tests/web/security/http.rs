//! HTTP hardening: security headers on every response, HSTS and Secure cookies behind
//! TLS, no inline script or style, the body size limit, and the abuse limits of the
//! public forms (per address, per mobile, per ID number) with their 429 page.

use huiji_core::Role;
use huiji_core::rate_limit::Rate;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_web::PublicLimits;

use crate::support::{TestApp, code_request, form, id_number};

const PAGES: [&str; 8] = [
    "/",
    "/join",
    "/j/340122T",
    "/status",
    "/console/login",
    "/qr/340122T/poster",
    "/no/such/page",
    "/healthz",
];

both_databases!(every_response_carries_the_security_headers, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    for path in PAGES {
        let response = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_security_headers(response.headers(), path);
        assert!(
            response.headers().get("strict-transport-security").is_none(),
            "no HSTS over plain http: {path}"
        );
    }
    // A refused body (413) carries them too.
    let big = "x".repeat(100 * 1024);
    let response =
        app.http.post(format!("{}/join", app.base)).form(&[("name", big.as_str())]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
});

/// The headers every response carries.
pub fn assert_security_headers(h: &reqwest::header::HeaderMap, what: &str) {
    let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap()).unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{what}: {csp:?}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}");
    assert_eq!(h.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
    assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
    assert_eq!(h.get("referrer-policy").map(|v| v.to_str().unwrap()), Some("no-referrer"), "{what}");
}

both_databases!(metrics_labels_stay_bounded, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    for i in 0..40 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let response = app.http.request(method, format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405);
        let method = reqwest::Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.http.request(method, format!("{}/nope/{i}", app.base)).send().await.unwrap();
        assert_eq!(app.get(&format!("/nope/{i}?x={i}")).await.0, 404);
    }
    let (_, _, body) = app.get("/metrics").await;
    assert!(!body.contains("INVENTED") && !body.contains("PROBE") && !body.contains("/nope"), "{body}");
    assert!(
        body.contains("huiji_http_requests_total{method=\"other\",route=\"/healthz\",status=\"405\"} 40"),
        "{body}"
    );
    assert!(
        body.contains("huiji_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 40"),
        "{body}"
    );
    assert!(
        body.contains("huiji_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 40"),
        "{body}"
    );
    // Eighty more invented methods and paths add no series.
    let lines = app.get("/metrics").await.2.lines().count();
    for i in 40..120 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        app.http.request(method, format!("{}/nope/{i}", app.base)).send().await.unwrap();
    }
    let (_, _, body) = app.get("/metrics").await;
    assert_eq!(body.lines().count(), lines, "{body}");
});

both_databases!(pages_have_no_inline_script_or_style, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let officer = app.officer("anhui", None, Role::Admin).await;
    let mut pages = Vec::new();
    for path in PAGES {
        pages.push((path.to_owned(), app.get(path).await.2));
    }
    for path in ["/console/applications", "/console/members", "/console/orgs", "/console/audit"] {
        pages.push((path.to_owned(), officer.get(path).await.1));
    }
    for (path, page) in pages {
        let lower = page.to_lowercase();
        for (at, _) in lower.match_indices("<script") {
            let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |end| at + end)];
            assert!(tag.contains(" src="), "{path}: inline script {tag}");
        }
        assert!(!lower.contains("<style") && !lower.contains(" style="), "{path}: inline style");
        assert!(!lower.contains("javascript:"), "{path}");
        let handler = regex_free_on_attribute(&lower);
        assert!(handler.is_none(), "{path}: inline handler {handler:?}");
    }
});

/// An ` on…=` event-handler attribute inside a tag, if any.
fn regex_free_on_attribute(html: &str) -> Option<String> {
    let mut in_tag = false;
    let bytes = html.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b' ' if in_tag && html[i + 1..].starts_with("on") => {
                let name: String = html[i + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                if name.len() > 2 && html[i + 1 + name.len()..].starts_with('=') {
                    return Some(name);
                }
            }
            _ => {}
        }
    }
    None
}

both_databases!(behind_tls_hsts_and_secure_cookies, |db: TestDb| async move {
    let app = TestApp::seeded_with(db, |state| state.with_tls(true, true)).await;
    let (_, _, _) = app.get("/").await;
    let response = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    app.add_officer("tls", huiji_core::OrgId(1), Role::Admin).await;
    let browser = app.browser();
    let form = browser.get(format!("{}/console/login", app.base)).send().await.unwrap();
    let cookies: Vec<String> =
        form.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let page = form.text().await.unwrap();
    let token = crate::support::console::csrf_of(&page);
    let response = app.post_login(&browser, &token, "tls", crate::support::console::PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    let cookies = cookies
        .into_iter()
        .chain(response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()));
    let mut names = Vec::new();
    for cookie in cookies {
        assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
        names.push(cookie.split('=').next().unwrap().to_owned());
    }
    assert!(
        names.contains(&"huiji_login".to_owned()) && names.contains(&"huiji_session".to_owned()),
        "{names:?}"
    );
});

fn limits(per_ip: Rate, per_mobile: Rate, per_id: Rate) -> PublicLimits {
    PublicLimits::new(per_ip, per_mobile, per_id)
}

both_databases!(a_flood_from_one_address_gets_429_with_retry_after, |db: TestDb| async move {
    let roomy = Rate::per_second(1000, 10_000);
    let app = TestApp::seeded_with(db, |s| s.with_limits(limits(Rate::per_minute(2, 3), roomy, roomy))).await;
    let id = id_number("340122", "19900101", 71);
    for i in 0..3 {
        let mobile = format!("1390000000{i}");
        let (status, body) = app.post("/join", &code_request(&id, &mobile)).await;
        assert_eq!(status, 200, "{body}");
    }
    let response = app
        .http
        .post(format!("{}/status?lang=en", app.base))
        .form(&[("mobile", "13900000009"), ("action", "send_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "30");
    let body = response.text().await.unwrap();
    assert!(body.contains("Too many attempts") && body.contains("30 seconds"), "{body}");
    // The join form keeps what was typed and says how long to wait.
    let (status, body) =
        app.post("/j/340122T", &[("name", "王晓明"), ("mobile", "13900000008"), ("action", "refresh")]).await;
    assert_eq!(status, 429);
    assert!(body.contains("操作太频繁了") && body.contains("秒后再试"), "{body}");
    assert!(body.contains(r#"action="/j/340122T""#), "the form itself: {body}");
    assert!(body.contains(r#"value="王晓明""#) && body.contains(r#"value="13900000008""#), "{body}");
    // Reading pages is not limited, and the bucket refills.
    assert_eq!(app.get("/join").await.0, 200);
    app.advance(30_000);
    assert_eq!(app.post("/join", &[("action", "refresh")]).await.0, 200);
});

both_databases!(a_trusted_proxy_names_the_client, |db: TestDb| async move {
    let roomy = Rate::per_second(1000, 10_000);
    let app = TestApp::seeded_with(db, |s| {
        s.with_trust_proxy(true).with_limits(limits(Rate::per_minute(1, 1), roomy, roomy))
    })
    .await;
    let post = |client: &'static str| {
        app.http
            .post(format!("{}/join", app.base))
            .header("x-forwarded-for", format!("198.51.100.99, {client}"))
            .form(&[("action", "refresh")])
            .send()
    };
    assert_eq!(post("203.0.113.1").await.unwrap().status().as_u16(), 200);
    assert_eq!(post("203.0.113.2").await.unwrap().status().as_u16(), 200, "another client");
    assert_eq!(post("203.0.113.1").await.unwrap().status().as_u16(), 429, "the first again");
});

both_databases!(one_mobile_and_one_id_are_limited_whatever_the_address, |db: TestDb| async move {
    let roomy = Rate::per_second(1000, 10_000);
    let app = TestApp::seeded_with(db, |s| {
        s.with_limits(limits(roomy, Rate::per_minute(1, 2), Rate::per_minute(1, 2)))
    })
    .await;
    // The mobile: two sends pass this limit (the SMS rule refuses the second), the third is 429.
    let send = code_request("11010519491231002X", "13900000001");
    assert_eq!(app.post("/join", &send).await.0, 200);
    assert_eq!(app.post("/status", &send).await.0, 429, "the SMS rule: one a minute");
    let (status, body) = app.post("/join", &send).await;
    assert_eq!(status, 429);
    assert!(
        body.contains("操作太频繁了") && body.contains(r#"value="13900000001""#),
        "the form is kept: {body}"
    );
    // The ID number: each submission spends its token, whichever mobile is used.
    let id = id_number("340122", "19900101", 77);
    for (i, expected) in [(2, 422), (3, 422), (4, 429)] {
        let mobile = format!("1390000000{i}");
        let mut fields = form(&id, &mobile);
        fields.push(("sms_code", "000000"));
        fields.push(("action", "submit"));
        assert_eq!(app.post("/j/340122T", &fields).await.0, expected, "submission {i}");
    }
});
