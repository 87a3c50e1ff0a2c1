//! Members in the console: search within the subtree, every filter, keyset paging, the
//! detail with its history, lifecycle changes and the masked exports.

use huiji_app::joining::{self, JoinOutcome, MobileProof};
use huiji_core::joining::JoinForm;
use huiji_core::{Channel, MemberNumber, Role};
use huiji_store::testing::TestDb;
use huiji_store::{MembershipRecord, both_databases};

use crate::support::console::{Console, PASSWORD};
use crate::support::{TestApp, form, id_number, main_of, with};

const DAY: i64 = 86_400_000;

/// A member made through the H5 portal, with the identifiers it was made with.
struct Made {
    record: MembershipRecord,
    id_number: String,
    mobile: String,
}

impl Made {
    fn number(&self) -> MemberNumber {
        MemberNumber::parse(self.record.member_number.as_deref().unwrap()).unwrap()
    }
}

/// Joins through the portal as `name`, working in `region` as `occupation`.
async fn member(app: &TestApp, name: &str, occupation: &str, region: &str, seq: u32) -> Made {
    let id = id_number(region, "19900101", seq);
    let mobile = format!("1381234{seq:04}");
    let fields = with(
        with(with(with(form(&id, &mobile), "name", name), "occupation", occupation), "city", &region[..4]),
        "region_code",
        region,
    );
    let (status, body) = app.join("/join", &fields).await;
    assert!(body.contains("入会成功"), "{status}: {}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    let record = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    Made { record, id_number: id, mobile }
}

/// Ids of the members a list page links to, in page order.
fn listed(page: &str) -> Vec<i64> {
    let marker = "href=\"/console/members/";
    page.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (rest[digits.len()..].starts_with('"') && !digits.is_empty()).then(|| digits.parse().unwrap())
        })
        .collect()
}

/// The ids a search finds, asserting the page rendered.
async fn search(console: &Console, query: &str) -> Vec<i64> {
    let (status, page) = console.get(&format!("/console/members?{query}")).await;
    assert_eq!(status, 200, "{query}: {}", main_of(&page));
    let mut ids = listed(&page);
    ids.sort_unstable();
    ids
}

/// The ids a posted search finds, asserting the page rendered.
async fn posted(console: &Console, fields: &[(&str, &str)]) -> Vec<i64> {
    let (status, page) = console.post("/console/members", fields).await;
    assert_eq!(status, 200, "{fields:?}: {}", main_of(&page));
    let mut ids = listed(&page);
    ids.sort_unstable();
    ids
}

fn ids(members: &[&Made]) -> Vec<i64> {
    let mut ids: Vec<i64> = members.iter().map(|m| m.record.id).collect();
    ids.sort_unstable();
    ids
}

fn encode(value: &str) -> String {
    serde_html_form::to_string([("v", value)]).unwrap()[2..].to_owned()
}

both_databases!(search_stays_in_the_subtree_and_every_filter_narrows, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // Day 0 (2026-11-30): two truck drivers, one in 肥东, one in 芜湖.
    let a = member(&app, "王晓明", "truck_driver", "340122", 1).await;
    let wuhu = member(&app, "王芳", "truck_driver", "340202", 2).await;
    app.advance(2 * DAY);
    // Day 2 (2026-12-02): another in 肥东, and a courier of 肥东 whose union is the city's.
    let b = member(&app, "李建国", "truck_driver", "340122", 3).await;
    let courier = member(&app, "王强", "courier", "340122", 4).await;

    let county = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let city = app.officer("hf", Some("3401"), Role::Viewer).await;

    // The county sees only its subtree, newest first, masked, with the count held.
    let (status, page) = county.get("/console/members").await;
    assert_eq!(status, 200);
    assert_eq!(listed(&page), [b.record.id, a.record.id], "{}", main_of(&page));
    assert!(page.contains("本级及下级在册 2"), "{}", main_of(&page));
    assert!(page.contains("王**") && page.contains("李**") && !page.contains("王晓明"));
    assert!(page.contains(&a.number().grouped()) && page.contains("肥东县货车司机工会联合会"));
    assert!(page.contains("货车司机") && page.contains("在册") && page.contains("2026-11-30"));
    assert_eq!(search(&city, "").await, ids(&[&a, &b, &courier]));

    // Name prefix.
    assert_eq!(search(&county, &format!("name={}", encode("王"))).await, ids(&[&a]));
    assert_eq!(search(&city, &format!("name={}", encode("王"))).await, ids(&[&a, &courier]));
    assert_eq!(search(&city, &format!("name={}", encode("王强"))).await, ids(&[&courier]));

    // Member number as printed, with spaces; one from another subtree finds nothing.
    let grouped = encode(&b.number().grouped());
    assert_eq!(search(&county, &format!("number={grouped}")).await, ids(&[&b]));
    assert_eq!(search(&county, &format!("number={}", wuhu.number())).await, ids(&[]));
    let (status, page) = county.get("/console/members?number=123").await;
    assert_eq!(status, 422);
    assert!(page.contains("会员号无效") && listed(&page).is_empty());

    // A full ID number and a full mobile, posted (never in a URL) and looked up through
    // their blind indexes; the page never shows them in full, not even in its links.
    let (status, page) = county.post("/console/members", &[("id_number", &b.id_number.to_lowercase())]).await;
    assert_eq!(status, 200);
    assert_eq!(listed(&page), [b.record.id]);
    assert!(!page.contains(&b.id_number) && page.contains("按身份证号筛选"), "{}", main_of(&page));
    assert_eq!(posted(&county, &[("id_number", &wuhu.id_number)]).await, ids(&[]));
    let wrong = format!("{}{}", &a.id_number[..17], if a.id_number.ends_with('1') { '2' } else { '1' });
    let (status, page) = county.post("/console/members", &[("id_number", &wrong)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("身份证号：") && listed(&page).is_empty(), "{}", main_of(&page));
    assert!(!page.contains(&wrong));
    let (status, page) = county.post("/console/members", &[("mobile", &a.mobile)]).await;
    assert_eq!(status, 200);
    assert_eq!(listed(&page), [a.record.id]);
    assert!(!page.contains(&a.mobile) && page.contains("138****0001"));
    let (status, page) = county.post("/console/members", &[("mobile", "12345")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("手机号：") && listed(&page).is_empty());
    // The blind index carries the filter to the next page and the exports.
    let key = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &a.mobile).to_hex();
    let (_, page) = county.post("/console/members", &[("mobile", &a.mobile)]).await;
    assert!(page.contains(&format!("export.csv?mobile_key={key}")));
    assert_eq!(search(&county, &format!("mobile_key={key}")).await, ids(&[&a]));
    let id_key = app.state.app.keys().blind_index(huiji_vault::Field::IdNumber, &b.id_number).to_hex();
    assert_eq!(search(&county, &format!("id_key={id_key}")).await, ids(&[&b]));

    // A full ID number or mobile in a URL is not honoured: the list and the exports
    // refuse it and find no one.
    for query in [
        format!("id_number={}", b.id_number),
        format!("mobile={}", a.mobile),
        format!("name={}&id_number={}", encode("李"), b.id_number),
    ] {
        let (status, page) = county.get(&format!("/console/members?{query}")).await;
        assert_eq!(status, 422, "{query}");
        assert!(page.contains("只能通过查询表单") && listed(&page).is_empty(), "{query}: {}", main_of(&page));
        assert!(!page.contains("export.csv?"), "{query}: no export link");
        for export in ["export.csv", "export.xlsx"] {
            let (status, body) = county.get(&format!("/console/members/{export}?{query}")).await;
            assert_eq!(status, 400, "{export}?{query}");
            assert!(!body.contains("李**"), "{export}?{query}");
        }
    }

    // An org inside the scope narrows; one outside is a 404.
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let trucks = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    let wuhu_city = app.store().org_by_join_code("3402").await.unwrap().unwrap();
    assert_eq!(search(&city, &format!("org={}", feidong.id.0)).await, ids(&[&a, &b]));
    assert_eq!(search(&county, &format!("org={}", trucks.id.0)).await, ids(&[&a, &b]));
    assert_eq!(county.get(&format!("/console/members?org={}", wuhu_city.id.0)).await.0, 404);
    assert_eq!(county.get(&format!("/console/members/export.csv?org={}", wuhu_city.id.0)).await.0, 404);
    assert_eq!(county.get("/console/members?org=999999").await.0, 404);

    // Occupation.
    assert_eq!(search(&city, "occupation=courier").await, ids(&[&courier]));
    assert_eq!(search(&city, "occupation=truck_driver").await, ids(&[&a, &b]));
    assert_eq!(county.get("/console/members?occupation=pilot").await.0, 422);

    // Status, after a lifecycle change.
    let (status, _) = county
        .post(
            &format!("/console/members/{}/lifecycle", b.record.id),
            &[("action", "retain"), ("reason", "失业")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(search(&county, "status=retained").await, ids(&[&b]));
    assert_eq!(search(&county, "status=active").await, ids(&[&a]));
    assert_eq!(search(&county, "status=withdrawn").await, ids(&[]));
    let (_, page) = county.get("/console/members").await;
    assert!(
        page.contains("保留会籍") && page.contains("本级及下级在册 2"),
        "retained members are still held"
    );

    // Joined dates in China, both ends inclusive of their day.
    assert_eq!(search(&county, "joined_from=2026-12-01").await, ids(&[&b]));
    assert_eq!(search(&county, "joined_to=2026-11-30").await, ids(&[&a]));
    assert_eq!(search(&county, "joined_from=2026-12-02&joined_to=2026-12-02").await, ids(&[&b]));
    assert_eq!(search(&county, "joined_from=2026-11-30&joined_to=2026-12-02").await, ids(&[&a, &b]));
    assert_eq!(search(&county, "joined_to=2026-11-29").await, ids(&[]));
    assert_eq!(county.get("/console/members?joined_from=30.11.2026").await.0, 422);

    // Filters combine.
    assert_eq!(search(&city, &format!("name={}&occupation=truck_driver", encode("王"))).await, ids(&[&a]));
});

/// Makes `count` truck drivers of 肥东 straight through the join service.
async fn many(app: &TestApp, count: u32) {
    for seq in 0..count {
        let id = id_number("340122", "19850101", 100 + seq);
        let mobile = format!("1390000{:04}", seq);
        let form = JoinForm {
            name: "赵磊",
            id_number: &id,
            mobile: &mobile,
            occupation: "truck_driver",
            region_code: "340122",
            employer_name: "",
            employer_credit_code: "",
            consent_version: Some("1"),
        };
        let outcome =
            joining::join(&app.state.app, &form, Channel::Portal, None, None, MobileProof::Attested, None)
                .await
                .unwrap();
        assert!(matches!(outcome, JoinOutcome::Approved { .. }), "{outcome:?}");
    }
}

both_databases!(keyset_pages_walk_every_member_once, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    many(&app, 61).await;
    let other = member(&app, "王芳", "truck_driver", "340202", 1).await;
    let county = app.officer("fd", Some("340122"), Role::Viewer).await;

    let mut seen = Vec::new();
    let mut path = "/console/members?occupation=truck_driver".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = county.get(&path).await;
        assert_eq!(status, 200);
        pages += 1;
        let ids = listed(&page);
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first within a page");
        if let Some(last) = seen.last() {
            assert!(
                ids.first().unwrap() < last,
                "pages continue where the last ended: {last} {ids:?} {path}"
            );
        }
        seen.extend(ids);
        let marker = "class=\"pager\"><a href=\"";
        let Some(at) = page.find(marker) else { break };
        let href: String = page[at + marker.len()..].chars().take_while(|c| *c != '"').collect();
        let href = href.replace("&#38;", "&").replace("&amp;", "&");
        assert!(href.contains("occupation=truck_driver") && href.contains("before="), "{href}");
        path = href;
    }
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), 61);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 61, "no member twice");
    assert!(!seen.contains(&other.record.id));

    // The export holds the whole result, not a page.
    let (status, _, bytes) = download(&county, "/console/members/export.csv?occupation=truck_driver").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 62, "a header and every member");
});

/// Fetches a download: status, content type and body.
async fn download(console: &Console, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = console.http.get(format!("{}{path}", console.base)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

both_databases!(detail_history_and_lifecycle, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let a = member(&app, "王晓明", "truck_driver", "340122", 1).await;
    let wuhu = member(&app, "王芳", "truck_driver", "340202", 2).await;
    let county = app.officer("fd", Some("340122"), Role::Reviewer).await;
    // A colleague who acts later (the account, logged in when needed).
    app.officer("fd2", Some("340122"), Role::Admin).await;
    let viewer = app.officer("fdv", Some("340122"), Role::Viewer).await;
    let path = format!("/console/members/{}", a.record.id);
    let lifecycle = format!("{path}/lifecycle");

    let (status, page) = county.get(&path).await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains("王**") && !main.contains("王晓明"), "{main}");
    assert!(main.contains(&format!("{}**********{}", &a.id_number[..4], &a.id_number[14..])), "{main}");
    assert!(main.contains("138****0001") && !main.contains(&a.mobile) && !main.contains(&a.id_number));
    assert!(main.contains("男") && main.contains("货车司机") && main.contains("在册"));
    assert!(main.contains("安徽省 / 合肥市 / 肥东县"), "{main}");
    assert!(main.contains(&a.number().grouped()) && main.contains("肥东县货车司机工会联合会"));
    assert!(main.contains("入会") && main.contains("系统（马上入会）") && main.contains("2026-11-30"));
    assert!(main.contains(&format!("action=\"{lifecycle}\"")));
    assert!(main.contains("value=\"retain\"") && !main.contains("value=\"reactivate\""));

    // Another county's member is not there at all.
    let other = format!("/console/members/{}", wuhu.record.id);
    assert_eq!(county.get(&other).await.0, 404);
    assert_eq!(
        county.post(&format!("{other}/lifecycle"), &[("action", "retain"), ("reason", "x")]).await.0,
        404
    );
    assert_eq!(county.get("/console/members/999999").await.0, 404);

    // A viewer reads without the form and may not change anything.
    let (status, page) = viewer.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("王**") && !page.contains("/lifecycle"));
    assert_eq!(viewer.post(&lifecycle, &[("action", "retain"), ("reason", "失业")]).await.0, 403);
    // A forged form is refused.
    assert_eq!(
        county.post_raw(&lifecycle, &[("action", "retain"), ("reason", "失业"), ("csrf", "x")]).await.0,
        403
    );

    // Refusals keep the membership as it was.
    let (status, page) = county.post(&lifecycle, &[("action", "retain"), ("reason", "  ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请填写理由"));
    let (status, page) = county.post(&lifecycle, &[("action", "reactivate"), ("reason", "再就业")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("该操作不适用于当前会籍状态"));
    let (status, page) = county.post(&lifecycle, &[("action", "resign"), ("reason", "再就业")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("该操作不适用于当前会籍状态"));
    let long = "长".repeat(201);
    let (status, page) = county.post(&lifecycle, &[("action", "retain"), ("reason", &long)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("理由不能超过200字"));
    assert_eq!(app.store().membership_events(a.record.id).await.unwrap().len(), 1);

    // Retain → reactivate → withdraw a day apart (logging in again each day), each an
    // event with who and why.
    app.advance(DAY);
    let county = app.login("fd", PASSWORD).await.unwrap();
    let (status, page) = county.post(&lifecycle, &[("action", "retain"), ("reason", "失业")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("已办理：保留会籍") && page.contains("value=\"reactivate\""));
    app.advance(DAY);
    let colleague = app.login("fd2", PASSWORD).await.unwrap();
    let (status, page) = colleague.post(&lifecycle, &[("action", "reactivate"), ("reason", "再就业")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("已办理：恢复会籍"));
    app.advance(DAY);
    let county = app.login("fd", PASSWORD).await.unwrap();
    // Withdrawal ends the membership: the first post only asks to confirm, naming whom,
    // what and what follows, with the same fields and `confirm=yes`.
    let (status, page) = county.post(&lifecycle, &[("action", "withdraw"), ("reason", "本人申请")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let main = main_of(&page);
    assert!(
        main.contains("请确认") && main.contains("王**") && main.contains(&a.number().grouped()),
        "{main}"
    );
    assert!(main.contains("退会") && main.contains("不能恢复") && main.contains("本人申请"), "{main}");
    assert!(main.contains(r#"name="confirm" value="yes""#) && main.contains(r#"value="withdraw""#), "{main}");
    assert!(main.contains(&format!(r#"href="{path}""#)), "cancel leads back: {main}");
    assert_eq!(app.store().membership_events(a.record.id).await.unwrap().len(), 3, "nothing changed yet");
    // A refused reason is said at once, before any confirmation.
    let (status, page) = county.post(&lifecycle, &[("action", "withdraw"), ("reason", " ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请填写理由") && !page.contains("请确认"));
    let (status, page) =
        county.post(&lifecycle, &[("action", "withdraw"), ("reason", "本人申请"), ("confirm", "yes")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("已办理：退会") && page.contains("已退会"));
    assert!(!page.contains("name=\"action\""), "nothing applies to a withdrawn membership");
    assert!(page.contains("本人如需再入会，须重新申请"), "and the page says why");
    // Once ended, no change applies.
    let (status, _) = county.post(&lifecycle, &[("action", "reactivate"), ("reason", "再就业")]).await;
    assert_eq!(status, 422);

    let (_, page) = county.get(&path).await;
    let rows: Vec<&str> = page.split("<tr class=\"event\">").skip(1).collect();
    assert_eq!(rows.len(), 4, "{}", main_of(&page));
    let expected = [
        ("入会", "系统（马上入会）", "<a href=\"/console/applications/", "2026-11-30"),
        ("保留会籍", "fd", "失业", "2026-12-01"),
        ("恢复会籍", "fd2", "再就业", "2026-12-02"),
        ("退会", "fd", "本人申请", "2026-12-03"),
    ];
    for (row, (what, actor, reason, day)) in rows.iter().zip(expected) {
        let cells: Vec<&str> = row.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap()).collect();
        assert!(cells[0].starts_with(day), "{row}");
        assert_eq!(cells[1], what, "{row}");
        assert_eq!(cells[4], actor, "{row}");
        assert!(cells[5].starts_with(reason), "{row}");
    }
    assert!(rows[1].contains("肥东县货车司机工会联合会"), "from and to");

    // In English too.
    let (_, page) = county.get(&format!("{path}?lang=en")).await;
    assert!(
        page.contains("Retain membership")
            && page.contains("Withdrawn")
            && page.contains("System (instant approval)")
    );
});

both_databases!(exports_hold_the_list_masked, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let a = member(&app, "王晓明", "truck_driver", "340122", 1).await;
    let b = member(&app, "李建国", "truck_driver", "340122", 2).await;
    let wuhu = member(&app, "王芳", "truck_driver", "340202", 3).await;
    let viewer = app.officer("fdv", Some("340122"), Role::Viewer).await;

    // The list links to exports of the same filters.
    let (_, page) = viewer.get(&format!("/console/members?name={}", encode("王"))).await;
    assert!(
        page.contains(&format!("/console/members/export.csv?name={}\"", encode("王"))),
        "{}",
        main_of(&page)
    );
    assert!(page.contains(&format!("/console/members/export.xlsx?name={}\"", encode("王"))));

    let (status, headers, bytes) = download(&viewer, "/console/members/export.csv").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(headers["content-disposition"], "attachment; filename=\"members-2026-11-30.csv\"");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "会员号,姓名,从业类型,所在工会,会籍状态,入会日期");
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[1],
        format!("{},李**,货车司机,肥东县货车司机工会联合会,在册,2026-11-30", b.number().grouped())
    );
    assert!(lines[2].starts_with(&format!("{},王**,", a.number().grouped())));
    for made in [&a, &b, &wuhu] {
        assert!(!text.contains(&made.id_number) && !text.contains(&made.mobile), "no full identifier");
    }
    assert!(!text.contains("王晓明") && !text.contains("李建国") && !text.contains(",王*,"));
    assert!(!text.contains(&wuhu.number().grouped()), "only the subtree");

    // The filters apply; English headers follow the page language.
    let (_, _, bytes) =
        download(&viewer, &format!("/console/members/export.csv?name={}&lang=en", encode("王"))).await;
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("Member number,Name,Occupation,Home union,Status,Joined"));
    assert!(text.contains("王**") && text.contains("Truck driver") && text.contains("Active"));
    // Invalid filters export nothing.
    assert_eq!(download(&viewer, "/console/members/export.csv?number=123").await.0, 400);

    let (status, headers, bytes) = download(&viewer, "/console/members/export.xlsx").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"members-2026-11-30.xlsx\"");
    assert!(bytes.starts_with(b"PK"), "an XLSX is a ZIP");
    assert!(bytes.len() > 1000);
});

both_databases!(the_search_form_posts_identifiers_out_of_the_url, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = id_number("340122", "19860606", 71);
    let (_, body) = app.join("/j/340122T", &form(&id, "13988887777")).await;
    assert!(body.contains("入会成功"));
    let officer = app.officer("poster", Some("340122"), Role::Viewer).await;
    let (status, page) = officer.post("/console/members", &[("id_number", &id)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("/console/members/") && page.contains("王*"), "found by the posted ID number");
    assert!(!page.contains(&id), "the full ID number is not echoed");
    assert!(page.contains("method=\"post\" action=\"/console/members\""), "the form posts");
    let (status, _) = officer.post_raw("/console/members", &[("id_number", &id)]).await;
    assert_eq!(status, 403, "the search form carries the CSRF token");
});
