//! Joining through the H5 pages, on both databases.

use huiji_core::{AutoApproval, OrgId, OrgKind, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewOrg, OrgFilter, both_databases};

use crate::support::{TestApp, code_request, form, id_number, main_of, with};

fn without<'a>(mut form: Vec<(&'static str, &'a str)>, key: &str) -> Vec<(&'static str, &'a str)> {
    form.retain(|(k, _)| *k != key);
    form
}

/// The card token in a result page.
fn card_link(body: &str) -> String {
    let start = body.find("/card/").expect("a card link") + "/card/".len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect()
}

both_databases!(a_driver_joins_by_qr_and_shows_a_valid_card, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, _, page) = app.get("/j/3401T").await;
    assert_eq!(status, 200);
    assert!(page.contains("合肥市货车司机工会联合会"), "the form names its union");
    assert!(page.contains("value=\"3401\" selected"), "the union's city is preset");

    let id = id_number("340104", "19850312", 31);
    let (status, body) = app.join("/j/3401T", &form(&id, "13912345678")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    assert!(body.contains("肥东县货车司机工会联合会"), "lands in the county truck federation");
    assert!(!body.contains(&id), "the page never shows the full ID number");

    let token = card_link(&body);
    let (status, _, card) = app.get(&format!("/card/{token}")).await;
    assert_eq!(status, 200);
    assert!(card.contains("王**") && !card.contains("王晓明"), "the card masks the name");
    assert!(card.contains("<svg"), "the card carries its QR code");
    let verify_qr = huiji_app::orgs::qr::svg(&format!("{}/verify/{token}", app.base), 4).unwrap();
    assert!(card.contains(&verify_qr), "the QR encodes the verify URL");
    let (status, _, verify) = app.get(&format!("/verify/{token}")).await;
    assert_eq!(status, 200);
    assert!(verify.contains("有效会员"));

    // A forged or altered token shows nothing.
    let forged = format!("{}0", &token[..token.len() - 1]);
    assert_eq!(app.get(&format!("/card/{forged}")).await.0, 404);
    let (_, _, verify) = app.get(&format!("/verify/{forged}")).await;
    assert!(verify.contains("此会员卡无效") && !verify.contains("王**"));

    // One member number format for people: grouped on the result page, the card and the
    // welcome SMS, which leads to the card through the fixed /status page.
    let grouped = huiji_core::MemberNumber::parse(&token[..13]).unwrap().grouped();
    assert!(body.contains(&grouped) && card.contains(&grouped), "{grouped}");
    let outbox = app.store().sms_outbox(10).await.unwrap();
    let welcome = outbox.iter().find(|m| m.body.contains("欢迎加入工会")).expect("a welcome SMS");
    assert!(welcome.body.contains(&format!("会员号是{grouped}")), "{}", welcome.body);
    assert!(welcome.body.ends_with(&format!("{}/status", app.base)), "{}", welcome.body);

    // The application records how it came.
    let membership = app.store().membership_by_number(&token[..13]).await.unwrap().unwrap();
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912345678").to_hex();
    let applications = app.store().applications_by_mobile(&bidx).await.unwrap();
    assert_eq!(applications.len(), 1);
    assert_eq!(applications[0].channel.code(), "qr");
    assert_eq!(applications[0].consent_version, "1");
    assert_eq!(applications[0].created_at, app.state.app.now().0, "recorded with the time it arrived");
    assert_eq!(applications[0].membership_id, Some(membership.id));
});

both_databases!(each_landing_rule, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let store = app.store();
    // An enterprise union with a credit code under 蜀山区总工会.
    let shushan = store
        .orgs(&OrgFilter { region: Some("340104".parse().unwrap()), ..OrgFilter::default() })
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "合肥市蜀山区总工会")
        .unwrap();
    let enterprise = NewOrg {
        parent: Some(shushan.id),
        kind: OrgKind::Enterprise,
        name: "安徽顺达物流有限公司工会".to_owned(),
        region: "340104".parse().unwrap(),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: Some(huiji_core::CreditCode::parse("9144030071526726XG").unwrap()),
        auto_approval: AutoApproval::Off,
        review_days: 3,
    };
    store.create_org(&enterprise, Timestamp(0)).await.unwrap();

    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, bool);
    let cases: Vec<Case> = vec![
        // 1. The employer's enterprise union in the work region, by credit code.
        (
            vec![("employer_credit_code", "9144030071526726xg"), ("region_code", "340104")],
            "安徽顺达物流有限公司工会",
            false,
        ),
        // 1b. ... or by exact name.
        (
            vec![("employer_name", "安徽顺达物流有限公司工会"), ("region_code", "340104")],
            "安徽顺达物流有限公司工会",
            false,
        ),
        // 1c. Not for someone working in another county, by name or by code.
        (vec![("employer_name", "安徽顺达物流有限公司工会")], "肥东县货车司机工会联合会", false),
        (vec![("employer_credit_code", "9144030071526726XG")], "肥东县货车司机工会联合会", false),
        // 2. The county's industry federation for the occupation.
        (vec![], "肥东县货车司机工会联合会", false),
        // 2b. The city's, where the county has none.
        (vec![("region_code", "340104")], "合肥市货车司机工会联合会", false),
        // 3. The city's turnover pool: no delivery-rider federation covers 黄山区.
        (
            vec![("occupation", "delivery_rider"), ("city", "3410"), ("region_code", "341003")],
            "黄山市总工会",
            true,
        ),
    ];
    for (i, (changes, landing, pool)) in cases.into_iter().enumerate() {
        let id = id_number("340104", "19800101", 100 + i as u32);
        let mobile = format!("1391000000{i}");
        let mut fields = form(&id, &mobile);
        for (key, value) in changes {
            fields = with(fields, key, value);
        }
        let (status, body) = app.join("/join", &fields).await;
        assert_eq!(status, 200, "case {i}: {}", main_of(&body));
        assert!(body.contains(landing), "case {i}: expected {landing}: {}", main_of(&body));
        let enterprise = landing == "安徽顺达物流有限公司工会";
        assert_eq!(body.contains("安徽顺达物流有限公司工会"), enterprise, "case {i}: {}", main_of(&body));
        assert_eq!(body.contains("周转池"), pool, "case {i}");
    }
});

both_databases!(each_auto_approval_policy, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let store = app.store();
    let receiving = store.org_by_join_code("340122T").await.unwrap().unwrap();
    for (i, (policy, approved)) in
        [(AutoApproval::AllVerified, true), (AutoApproval::RosterOnly, false), (AutoApproval::Off, false)]
            .into_iter()
            .enumerate()
    {
        store.set_review_policy(receiving.id, policy, 5).await.unwrap();
        let id = id_number("340122", "19900101", 200 + i as u32);
        let mobile = format!("1381000000{i}");
        let (status, body) = app.join("/j/340122T", &form(&id, &mobile)).await;
        assert_eq!(status, 200);
        assert_eq!(body.contains("入会成功"), approved, "{policy}: {}", main_of(&body));
        if !approved {
            assert!(body.contains("申请已提交"), "{policy}");
            // 5 days after 2026-11-30.
            assert!(body.contains("2026-12-05"), "{policy}: deadline shown: {}", main_of(&body));
        }
    }
});

both_databases!(validation_errors_rerender_the_form_with_the_values, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let adult = id_number("340104", "19850312", 1);
    let minor = id_number("340104", "20101201", 2); // 16 tomorrow
    let exactly16 = id_number("340104", "20101130", 3);
    let future = id_number("340104", "20991231", 4);
    let bad_check = format!("{}{}", &adult[..17], if adult.ends_with('0') { '1' } else { '0' });
    let cases: Vec<(&str, &str, &str)> = vec![
        ("name", "", "请填写姓名"),
        ("name", "王2明", "姓名"),
        ("name", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "姓名"),
        ("name", "<script>", "姓名"),
        ("id_number", "", "身份证"),
        ("id_number", "11010519491231002", "18"),
        ("id_number", "1101051949123100211", "18"),
        ("id_number", "11010519491231002Y", "身份证"),
        ("id_number", "11010519491231003X", "校验位"),
        ("id_number", "110105194912310021", "校验位"),
        ("id_number", &bad_check, "校验位"),
        ("id_number", "990105194912310021", "地区"),
        ("id_number", "110105194902300026", "出生日期"),
        ("id_number", &future, "出生日期"),
        ("id_number", &minor, "16"),
        ("id_number", "11010518991231002X", "出生日期"),
        ("id_number", "ABCDEFGHIJKLMNOPQR", "身份证"),
        ("mobile", "", "手机号"),
        ("mobile", "12800138000", "手机号"),
        ("mobile", "1380013800", "手机号"),
        ("mobile", "138001380001", "手机号"),
        ("mobile", "+1 650 555 0100", "手机号"),
        ("occupation", "", "从业类型"),
        ("occupation", "astronaut", "从业类型"),
        ("region_code", "", "工作所在地"),
        ("region_code", "3401", "工作所在地"),
        ("region_code", "349999", "工作所在地"),
        ("employer_credit_code", "9144030071526726XH", "统一社会信用代码校验位"),
        ("employer_credit_code", "123", "统一社会信用代码"),
        ("consent_version", "7", "同意书版本"),
    ];
    assert!(cases.len() >= 25);
    for (field, value, message) in &cases {
        let mut fields = with(form(&adult, "13700001111"), field, value);
        fields.push(("sms_code", "000000"));
        fields.push(("action", "submit"));
        let (status, body) = app.post("/join", &fields).await;
        assert_eq!(status, 422, "{field}={value}");
        assert!(body.contains(message), "{field}={value}: expected {message:?} in {}", main_of(&body));
        assert!(body.contains("class=\"err\""), "{field}={value}");
        let text_input = ["name", "id_number", "mobile", "employer_credit_code"].contains(field);
        if text_input && !value.is_empty() && !value.contains('<') {
            assert!(body.contains(&format!("value=\"{value}\"")), "{field}={value} is kept in the form");
        }
        assert!(!body.contains("<script>"), "input is escaped");
    }
    // No consent at all.
    let mut fields = without(form(&adult, "13700001111"), "consent");
    fields.push(("action", "submit"));
    let (status, body) = app.post("/join", &fields).await;
    assert_eq!(status, 422);
    assert!(body.contains("请阅读并同意"));
    // The reference number of the standard is valid, and 16 today is old enough: with a
    // wrong SMS code only the code is refused.
    for valid in [
        "11010519491231002X",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        exactly16.as_str(),
    ] {
        let mut fields = with(form(valid, "13700001111"), "id_number", valid);
        fields.push(("sms_code", "000000"));
        fields.push(("action", "submit"));
        let (status, body) = app.post("/join", &fields).await;
        assert_eq!(status, 422);
        assert!(body.contains("请先获取验证码"), "{valid}: {}", main_of(&body));
        assert!(!body.contains("身份证号校验位"), "{valid}");
    }
});

both_databases!(fifty_concurrent_submissions_of_one_id_make_one_member, |db: TestDb| async move {
    let app = std::sync::Arc::new(TestApp::seeded(db).await);
    let id = id_number("340122", "19880808", 55);
    let mobiles: Vec<String> = (0..50).map(|i| format!("135{:08}", 10_000 + i)).collect();
    // Each phone gets its code first; then all fifty submit at once.
    let mut forms = Vec::new();
    for mobile in &mobiles {
        let (status, _) = app.post("/join", &code_request(&id, mobile)).await;
        assert_eq!(status, 200);
        let code = app.sms_code(mobile).await;
        forms.push((mobile.clone(), code));
    }
    let mut tasks = Vec::new();
    for (mobile, code) in forms {
        let app = app.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut fields = form(&id, &mobile);
            fields.push(("sms_code", &code));
            fields.push(("action", "submit"));
            app.post("/j/340122T", &fields).await
        }));
    }
    let mut approved = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{}", main_of(&body));
        if body.contains("入会成功") {
            approved += 1;
        }
    }
    assert_eq!(approved, 1);
    let store = app.store();
    let mut members = 0;
    for mobile in &mobiles {
        let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
        members += store.memberships_by_mobile(&bidx).await.unwrap().len();
    }
    assert_eq!(members, 1);
});

both_databases!(an_existing_member_learns_nothing_new_from_the_form, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let store = app.store();
    let member_id = id_number("340122", "19750505", 7);
    let (_, first) = app.join("/j/340122T", &form(&member_id, "13611112222")).await;
    assert!(first.contains("入会成功"));
    let home = "肥东县货车司机工会联合会";

    // The owner of the membership's mobile may learn they are a member (and see the card).
    let (status, again) = app.join("/j/3401T", &form(&member_id, "13611112222")).await;
    assert_eq!(status, 200);
    assert!(again.contains("您已是工会会员") && again.contains("/card/"));
    assert!(!main_of(&again).contains(home), "not even the owner is told where, on this page");

    // Anyone else gets exactly what a new applicant to a reviewing union gets.
    let receiving = store.org_by_join_code("3402T").await.unwrap().unwrap();
    store.set_review_policy(receiving.id, AutoApproval::Off, 3).await.unwrap();
    let stranger = form(&member_id, "13633334444");
    let stranger = with(with(with(stranger, "city", "3402"), "region_code", "340202"), "province", "34");
    let (status, probe) = app.join("/j/3402T", &stranger).await;
    assert_eq!(status, 200);
    let fresh_id = id_number("340122", "19750505", 8);
    let newcomer = with(with(form(&fresh_id, "13655556666"), "city", "3402"), "region_code", "340202");
    let (_, baseline) = app.join("/j/3402T", &newcomer).await;
    assert_eq!(main_of(&probe), main_of(&baseline), "a member's ID answers like anyone's");
    assert!(!probe.contains(home) && !probe.contains("会员号") && !probe.contains("已是"));
    let _ = OrgId(0);
});

both_databases!(status_shows_records_only_after_the_sms_code, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = id_number("340122", "19820202", 9);
    app.join("/j/340122T", &form(&id, "13522223333")).await;

    let (status, _, page) = app.get("/status").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"mobile\""));
    // Asking for a code answers the same for a known and an unknown mobile.
    app.advance(61_000);
    let (s1, known) = app.post("/status", &[("mobile", "13522223333"), ("action", "send_code")]).await;
    let (s2, unknown) = app.post("/status", &[("mobile", "13522224444"), ("action", "send_code")]).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(main_of(&known).replace("13522223333", ""), main_of(&unknown).replace("13522224444", ""));
    let (status, wrong) =
        app.post("/status", &[("mobile", "13522223333"), ("sms_code", "000000"), ("action", "check")]).await;
    assert_eq!(status, 422);
    assert!(!wrong.contains("肥东县"));
    let code = app.sms_code("13522223333").await;
    let (status, shown) =
        app.post("/status", &[("mobile", "13522223333"), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200);
    assert!(shown.contains("肥东县货车司机工会联合会") && shown.contains("王**") && shown.contains("/card/"));
});

both_databases!(qr_codes_and_posters, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, content_type, svg) = app.get("/qr/3401T/svg").await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert!(svg.starts_with("<svg"));
    let response = app.http.get(format!("{}/qr/3401T/png", app.base)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let (status, _, poster) = app.get("/qr/3401T/poster").await;
    assert_eq!(status, 200);
    assert!(poster.contains("合肥市货车司机工会联合会") && poster.contains(&format!("{}/j/3401T", app.base)));
    assert!(poster.contains("<svg") && poster.contains("入会好处"));
    for missing in ["/qr/nope/svg", "/qr/nope/poster", "/j/nope"] {
        assert_eq!(app.get(missing).await.0, 404, "{missing}");
    }
    let (status, _, regions) = app.get("/regions/3401").await;
    assert_eq!(status, 200);
    assert!(regions.contains("\"code\":\"340104\",\"name\":\"蜀山区\""));
    assert_eq!(app.get("/regions/99").await.0, 404);
});

both_databases!(worker_pages_stay_under_30_kb, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (_, _, css) = app.get("/static/site.css").await;
    let (_, _, js) = app.get("/static/join.js").await;
    // The heaviest variant of the form: a union's, with the cities and counties listed
    // and every field in error.
    let mut fields = form("x", "1");
    fields.push(("action", "submit"));
    let (_, errors) = app.post("/j/3401T", &fields).await;
    let (_, _, portal) = app.get("/join?lang=en").await;
    let (_, _, status) = app.get("/status").await;
    for (name, html) in [("form with errors", errors), ("portal", portal), ("status", status)] {
        let total = html.len() + css.len() + js.len();
        assert!(total < 30 * 1024, "{name}: {total} bytes");
    }
});

both_databases!(no_code_is_spent_on_a_form_that_cannot_pass, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let sent = |app: &TestApp| {
        let store = app.store();
        async move { store.sms_outbox(100).await.unwrap().len() }
    };
    // A wrong check character and a missing name: refused before any SMS goes out.
    let mut bad = with(code_request("110105194912310021", "13700002222"), "name", "");
    bad.retain(|(k, _)| *k != "action");
    bad.push(("action", "send_code"));
    let (status, body) = app.post("/j/340122T", &bad).await;
    assert_eq!(status, 422, "{}", main_of(&body));
    assert!(body.contains("请先修改标红的内容，再获取验证码"), "{}", main_of(&body));
    assert!(body.contains("身份证号") && body.contains(r#"value="13700002222""#), "{}", main_of(&body));
    assert_eq!(sent(&app).await, 0, "no SMS for a form that cannot pass");

    // The same person with a valid ID gets a code.
    let id = id_number("340122", "19900101", 41);
    let (status, body) = app.post("/j/340122T", &code_request(&id, "13700002222")).await;
    assert_eq!(status, 200, "{}", main_of(&body));
    assert_eq!(sent(&app).await, 1);

    // Submitting without typing the code: "get a code first", and no try is spent.
    let mut fields = form(&id, "13700002222");
    fields.push(("action", "submit"));
    let (status, body) = app.post("/j/340122T", &fields).await;
    assert_eq!(status, 422);
    assert!(body.contains("请先获取验证码") && !body.contains("验证码不正确"), "{}", main_of(&body));
    // A wrong code says how many tries are left: all five were still there.
    let code = app.sms_code("13700002222").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    fields.push(("sms_code", wrong));
    let (_, body) = app.post("/j/340122T", &fields).await;
    assert!(body.contains("验证码不正确，还可以再试4次"), "{}", main_of(&body));
});
