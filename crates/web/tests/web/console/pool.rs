//! The turnover pool: who sees whom, and distributing members to a union near them.

use huiji_core::{OrgKindCode, Role};
use huiji_store::testing::TestDb;
use huiji_store::{MembershipRecord, OrgFilter, both_databases};

use crate::support::console::Console;
use crate::support::{TestApp, form, id_number, main_of, with};

/// Makes a member through the portal working in `region` as `occupation`; returns the
/// membership.
pub async fn member(app: &TestApp, occupation: &str, region: &str, seq: u32) -> MembershipRecord {
    let id = id_number(region, "19900101", seq);
    let mobile = format!("1391234{seq:04}");
    let fields = with(
        with(with(form(&id, &mobile), "occupation", occupation), "city", &region[..4]),
        "region_code",
        region,
    );
    let (status, body) = app.join("/join", &fields).await;
    assert!(body.contains("入会成功"), "{status}: {}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0)
}

/// Posts a form (with the CSRF token) and returns the status and the redirect target.
pub async fn post_for_location(console: &Console, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let fields = [fields, &[("csrf", console.csrf.as_str())]].concat();
    let response = console.http.post(format!("{}{path}", console.base)).form(&fields).send().await.unwrap();
    let location =
        response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (response.status().as_u16(), location)
}

async fn township_of(app: &TestApp, county: &str) -> huiji_core::Org {
    let filter = OrgFilter {
        kind: Some(OrgKindCode::Township),
        region: Some(county.parse().unwrap()),
        limit: Some(1),
        ..OrgFilter::default()
    };
    app.store().orgs(&filter).await.unwrap().remove(0)
}

both_databases!(pool_members_are_distributed_within_scope, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let rider = member(&app, "delivery_rider", "341003", 1).await;
    let huangshan = app.store().org_by_join_code("3410").await.unwrap().unwrap();
    assert_eq!((rider.home_org_id, rider.in_pool), (huangshan.id.0, true), "lands in 黄山市总工会's pool");
    let other = member(&app, "other", "340104", 2).await;
    assert!(other.in_pool, "合肥's pool");

    let city = app.officer("hs", Some("3410"), Role::Reviewer).await;
    let hefei = app.officer("hf", Some("3401"), Role::Reviewer).await;
    let checkbox = |m: &MembershipRecord| format!("name=\"ids\" value=\"{}\"", m.id);
    let (status, page) = city.get("/console/pool").await;
    assert_eq!(status, 200);
    assert!(page.contains(&checkbox(&rider)) && page.contains("王*"), "{}", main_of(&page));
    assert!(page.contains("黄山区") && page.contains("网约配送员"));
    assert!(!page.contains(&checkbox(&other)), "another city's pool stays hidden");
    let (_, page) = hefei.get("/console/pool").await;
    assert!(page.contains(&checkbox(&other)) && !page.contains(&checkbox(&rider)));

    // The target list defaults to the first member's county.
    let township = township_of(&app, "341003").await;
    assert!(page_offers(&city.get("/console/pool").await.1, township.id.0));

    // Out of scope: 404; a county federation: 422; nothing moved.
    let hefei_township = township_of(&app, "340104").await;
    let rider_id = rider.id.to_string();
    let (status, _) = city
        .post("/console/pool/distribute", &[("ids", &rider_id), ("to", &hefei_township.id.0.to_string())])
        .await;
    assert_eq!(status, 404);
    let county = app.store().org_by_join_code("341003").await.unwrap().unwrap();
    let (status, page) =
        city.post("/console/pool/distribute", &[("ids", &rider_id), ("to", &county.id.0.to_string())]).await;
    assert_eq!(status, 422);
    assert!(page.contains("只能分流到乡镇（街道）、村（社区）工会或行业工会联合会"), "{}", main_of(&page));
    assert_eq!(app.store().membership(rider.id).await.unwrap().unwrap(), rider);

    // Ids out of scope are skipped without a word about why.
    let other_id = other.id.to_string();
    let to = township.id.0.to_string();
    let (status, location) = post_for_location(
        &city,
        "/console/pool/distribute",
        &[("ids", &rider_id), ("ids", &other_id), ("to", &to)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = city.get(&location).await;
    assert!(page.contains("已分流 1 · 未处理 1"), "{}", main_of(&page));
    assert!(!page.contains(&checkbox(&rider)), "no longer in the pool");
    assert_eq!(app.store().membership(other.id).await.unwrap().unwrap(), other);

    let moved = app.store().membership(rider.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.in_pool), (township.id.0, false));
    assert_eq!(moved.joined_at, rider.joined_at, "seniority is kept");
    let events = app.store().membership_events(rider.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind.code(), "distributed");
    assert_eq!((last.from_org_id, last.to_org_id), (Some(huangshan.id.0), Some(township.id.0)));
    assert_eq!(last.actor, "user:hs");

    // A second distribution of the same member is a skip: it is no longer in a pool.
    let (_, location) =
        post_for_location(&city, "/console/pool/distribute", &[("ids", &rider_id), ("to", &to)]).await;
    assert!(city.get(&location).await.1.contains("已分流 0 · 未处理 1"));
});

fn page_offers(page: &str, org: i64) -> bool {
    page.contains(&format!("<option value=\"{org}\">"))
}

/// How many unions the distribute select offers.
fn targets_offered(page: &str) -> usize {
    let select = &page[page.find("<select name=\"to\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    select.matches("<option value=\"").count() - select.matches("<option value=\"\"").count()
}

both_databases!(a_province_officer_narrows_targets_by_region, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    member(&app, "delivery_rider", "341003", 3).await;
    let root = app.officer("ah", None, Role::Admin).await;
    let township = township_of(&app, "341003").await;
    let elsewhere = township_of(&app, "340104").await;
    let (_, page) = root.get("/console/pool").await;
    assert!(page_offers(&page, township.id.0) && !page_offers(&page, elsewhere.id.0), "{}", main_of(&page));
    assert!(page.contains("<option value=\"341003\" selected>"));
    let (_, page) = root.get("/console/pool?region=340104").await;
    assert!(page_offers(&page, elsewhere.id.0) && !page_offers(&page, township.id.0));
    // 合肥's city-level industry federations serve its counties too.
    let hefei_riders = app.store().org_by_join_code("3401D").await.unwrap().unwrap();
    assert!(page_offers(&page, hefei_riders.id.0));
    // Everywhere: capped at 300 unions.
    let (_, page) = root.get("/console/pool?region=").await;
    assert_eq!(targets_offered(&page), 300);
    assert!(page.contains("只列出前300个工会"));
});

both_databases!(viewers_see_the_pool_but_cannot_distribute, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let rider = member(&app, "delivery_rider", "341003", 4).await;
    let township = township_of(&app, "341003").await;
    let viewer = app.officer("hsv", Some("3410"), Role::Viewer).await;
    let (status, page) = viewer.get("/console/pool").await;
    assert_eq!(status, 200);
    assert!(page.contains("王*") && !page.contains("name=\"ids\""), "{}", main_of(&page));
    let (status, _) = viewer
        .post(
            "/console/pool/distribute",
            &[("ids", &rider.id.to_string()), ("to", &township.id.0.to_string())],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(app.store().membership(rider.id).await.unwrap().unwrap(), rider);
});
