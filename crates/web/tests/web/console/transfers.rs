//! Transfers (接转) started by officers: the receiving side asks, and the transfer takes
//! effect only when the outgoing side agrees — an officer whose subtree holds the
//! membership (not the one who asked), or the member (see `worker::status`). Until
//! then the asking side sees what it typed and a masked name, nothing of the membership.

use huiji_core::{AutoApproval, Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{MembershipRecord, both_databases};

use crate::console::pool::post_for_location;
use crate::support::{TestApp, form, id_number, main_of, with};

/// A truck driver of `county` joined through its truck-driver federation's code.
pub async fn county_member(app: &TestApp, county: &str, seq: u32) -> (MembershipRecord, String, String) {
    let id = id_number(county, "19850505", seq);
    let mobile = format!("1365555{seq:04}");
    let fields = with(form(&id, &mobile), "region_code", county);
    let (status, body) = app.join(&format!("/j/{county}T"), &fields).await;
    assert!(body.contains("入会成功"), "{status}: {}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    let membership = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    (membership, id, mobile)
}

pub async fn org(app: &TestApp, code: &str) -> Org {
    app.store().org_by_join_code(code).await.unwrap().unwrap()
}

/// The id of the newest transfer whose receiving union is `to`.
pub async fn newest_into(app: &TestApp, to: &Org) -> i64 {
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let transfers = app.store().transfers(&root.path, 100).await.unwrap();
    transfers.iter().find(|t| t.to_org_id == to.id.0).expect("a transfer into the union").id
}

/// The section of the transfers page between two headings.
fn section<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let start = page.find(from).unwrap();
    let end = page[start..].find(to).map_or(page.len(), |e| start + e);
    &page[start..end]
}

pub fn incoming(page: &str) -> &str {
    section(page, "转入本会", "从本会转出")
}

pub fn outgoing(page: &str) -> &str {
    section(page, "从本会转出", "</main>")
}

/// One transfer's row of a transfers page.
pub fn row(page: &str, transfer: i64) -> &str {
    section(page, &format!("<tr id=\"transfer-{transfer}\">"), "</tr>")
}

both_databases!(a_receiving_officer_alone_cannot_pull_a_member, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, id, _) = county_member(&app, "340123", 1).await;
    let feixi_trucks = org(&app, "340123T").await;
    let feidong = org(&app, "340122").await;
    // The probe's officer: 肥东县's admin, even with the reveal permission.
    let intruder = app.officer("fd_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("fd_admin", true).await.unwrap();
    let number = membership.member_number.clone().unwrap();
    let to = feidong.id.0.to_string();

    let (status, location) = post_for_location(
        &intruder,
        "/console/transfers",
        &[("member", &number), ("name", "王晓明"), ("to", &to), ("reason", "来肥东跑车")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = intruder.get(&location).await;
    assert!(page.contains("已发出接转请求"), "{}", main_of(&page));
    let transfer = newest_into(&app, &feidong).await;

    // They see what they typed and a masked name; nothing of the membership's union.
    let mine = row(&page, transfer);
    assert!(mine.contains(&number) && mine.contains("王**") && mine.contains("待转出方同意"), "{mine}");
    assert!(!page.contains(&feixi_trucks.name) && !page.contains("肥西"), "{}", main_of(&page));
    assert!(!mine.contains("/accept\""), "no accept button for the asking side: {mine}");

    // Accepting it themselves is refused, and so is everything about the member.
    for decision in ["accept", "reject"] {
        let (status, _) = intruder.post(&format!("/console/transfers/{transfer}/{decision}"), &[]).await;
        assert_eq!(status, 404, "{decision}");
    }
    let reveal = format!("/console/members/{}/reveal", membership.id);
    assert_eq!(intruder.post(&reveal, &[("field", "id_number"), ("reason", "核实")]).await.0, 404);
    assert_eq!(intruder.get(&format!("/console/members/{}", membership.id)).await.0, 404);
    let held = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!(held.home_org_id, feixi_trucks.id.0, "the member stays in 肥西");
    assert_eq!(app.store().transfer(transfer).await.unwrap().unwrap().status.code(), "awaiting_consent");

    // The same by ID number.
    let (status, _) = post_for_location(
        &intruder,
        "/console/transfers",
        &[("member", &id), ("name", "王晓明"), ("to", &to), ("reason", "")],
    )
    .await;
    assert_eq!(status, 303);
    let by_id = newest_into(&app, &feidong).await;
    assert_ne!(by_id, transfer);
    let (_, page) = intruder.get("/console/transfers").await;
    let masked = huiji_core::id_number::mask(&id);
    assert!(row(&page, by_id).contains(&masked) && !page.contains(&id), "{}", row(&page, by_id));
    assert_eq!(intruder.post(&format!("/console/transfers/{by_id}/accept"), &[]).await.0, 404);
    let held = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!(held.home_org_id, feixi_trucks.id.0);
});

both_databases!(the_outgoing_side_agrees_and_the_membership_moves, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, id, _) = county_member(&app, "340122", 2).await;
    let (feidong_trucks, wuhu_trucks) = (org(&app, "340122T").await, org(&app, "3402T").await);
    assert_eq!(membership.home_org_id, feidong_trucks.id.0);
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let wuhu_colleague = app.officer("wh2", Some("3402T"), Role::Reviewer).await;
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let to = wuhu_trucks.id.0.to_string();

    // 芜湖 asks by ID number, typed in lower case with spaces.
    let typed = format!(" {} ", id.to_lowercase());
    let fields = [("member", typed.as_str()), ("name", " 王晓明 "), ("to", &to), ("reason", "搬到芜湖跑车")];
    let (status, _) = post_for_location(&wuhu, "/console/transfers", &fields).await;
    assert_eq!(status, 303);
    let transfer = newest_into(&app, &wuhu_trucks).await;

    // 肥东县 sees the request going out, with the member, the asking union and its
    // officer, and may agree or refuse.
    let (_, page) = feidong.get("/console/transfers").await;
    let out = outgoing(&page);
    let theirs = row(out, transfer);
    assert!(theirs.contains("王**") && theirs.contains(&wuhu_trucks.name), "{theirs}");
    assert!(theirs.contains(&feidong_trucks.name) && theirs.contains("待转出方同意"));
    assert!(theirs.contains(r#"data-label="发起人">wh</td>"#) && theirs.contains("搬到芜湖跑车"));
    assert!(theirs.contains(&format!("/console/transfers/{transfer}/accept")), "{theirs}");
    assert!(theirs.contains("同意转出"));
    // The holding side sees whom exactly: member number and masked ID number.
    let grouped =
        huiji_core::MemberNumber::parse(membership.member_number.as_deref().unwrap()).unwrap().grouped();
    assert!(theirs.contains(&grouped) && theirs.contains(&huiji_core::id_number::mask(&id)), "{theirs}");

    // 芜湖 sees only what it typed; neither its asker nor a colleague can accept.
    let (_, page) = wuhu_colleague.get("/console/transfers").await;
    let ours = row(incoming(&page), transfer);
    assert!(ours.contains(&huiji_core::id_number::mask(&id)) && ours.contains("王**"), "{ours}");
    assert!(!page.contains(&feidong_trucks.name) && !ours.contains("/accept\""), "{ours}");
    assert!(!ours.contains(&grouped), "no member number before the outgoing side agrees: {ours}");
    assert!(ours.contains(&format!("/console/transfers/{transfer}/cancel")), "the asking side may withdraw");
    for officer in [&wuhu, &wuhu_colleague] {
        assert_eq!(officer.post(&format!("/console/transfers/{transfer}/accept"), &[]).await.0, 404);
    }

    // 肥东 agrees: the membership moves, keeping its seniority.
    let (status, location) =
        post_for_location(&feidong, &format!("/console/transfers/{transfer}/accept"), &[]).await;
    assert_eq!(status, 303);
    assert!(feidong.get(&location).await.1.contains("已同意转出"), "{location}");
    let moved = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!((moved.home_org_id, moved.joined_at), (wuhu_trucks.id.0, membership.joined_at));
    let events = app.store().membership_events(membership.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.code(), last.actor.as_str()), ("transferred", "user:fd"));
    assert_eq!((last.from_org_id, last.to_org_id), (Some(feidong_trucks.id.0), Some(wuhu_trucks.id.0)));
    let stored = app.store().transfer(transfer).await.unwrap().unwrap();
    assert_eq!((stored.status.code(), stored.decided_by.as_deref()), ("accepted", Some("user:fd")));

    // Now the member is 芜湖's, and 芜湖 sees where they came from.
    let (_, page) = wuhu.get("/console/transfers").await;
    let ours = row(incoming(&page), transfer);
    assert!(ours.contains("已接收") && ours.contains(&feidong_trucks.name), "{ours}");
    assert_eq!(wuhu.get(&format!("/console/members/{}", membership.id)).await.0, 200);
    // Deciding twice changes nothing.
    let (_, location) =
        post_for_location(&feidong, &format!("/console/transfers/{transfer}/reject"), &[]).await;
    assert!(feidong.get(&location).await.1.contains("该接转已处理"));

    // 肥东 refuses the next one: nothing moves, and the asking side learns only that.
    let number = moved.member_number.clone().unwrap();
    let back = org(&app, "340122T").await.id.0.to_string();
    let fields = [("member", number.as_str()), ("name", "王晓明"), ("to", back.as_str())];
    assert_eq!(post_for_location(&feidong, "/console/transfers", &fields).await.0, 303);
    let again = newest_into(&app, &feidong_trucks).await;
    let (status, location) =
        post_for_location(&wuhu_colleague, &format!("/console/transfers/{again}/reject"), &[]).await;
    assert_eq!(status, 303);
    assert!(wuhu_colleague.get(&location).await.1.contains("已拒绝转出"));
    let (_, page) = feidong.get("/console/transfers").await;
    let ours = row(incoming(&page), again);
    assert!(ours.contains("转出方不同意") && !ours.contains(&wuhu_trucks.name), "{ours}");
    let stayed = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!(stayed.home_org_id, wuhu_trucks.id.0);
});

both_databases!(an_officer_cannot_accept_a_transfer_they_started, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = county_member(&app, "340122", 3).await;
    let feidong = org(&app, "340122").await;
    let number = membership.member_number.clone().unwrap();
    // The county's admin holds both sides: the member's union and the county federation.
    let admin = app.officer("fd_admin", Some("340122"), Role::Admin).await;
    let fields = [("member", number.as_str()), ("name", "王晓明"), ("to_id", &feidong.id.0.to_string())];
    assert_eq!(post_for_location(&admin, "/console/transfers", &fields).await.0, 303);
    let transfer = newest_into(&app, &feidong).await;
    let (_, page) = admin.get("/console/transfers").await;
    assert!(!row(&page, transfer).contains("/accept\""), "{}", row(&page, transfer));
    assert_eq!(admin.post(&format!("/console/transfers/{transfer}/accept"), &[]).await.0, 403);
    assert_eq!(admin.post(&format!("/console/transfers/{transfer}/reject"), &[]).await.0, 403);
    let held = app.store().membership(membership.id).await.unwrap().unwrap();
    assert_eq!(held.home_org_id, org(&app, "340122T").await.id.0);
    assert_eq!(app.store().transfer(transfer).await.unwrap().unwrap().status.code(), "awaiting_consent");

    // Another officer of the outgoing side may agree.
    let colleague = app.officer("fdt", Some("340122T"), Role::Reviewer).await;
    let (status, _) =
        post_for_location(&colleague, &format!("/console/transfers/{transfer}/accept"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(app.store().membership(membership.id).await.unwrap().unwrap().home_org_id, feidong.id.0);

    // The member already in the union asked for: said so, since the officer sees it.
    let (status, page) = admin.post("/console/transfers", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("该会员已在此工会"), "{}", main_of(&page));
});

both_databases!(unknown_people_non_members_and_members_look_alike, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, member_id, _) = county_member(&app, "340123", 4).await;
    // A person who applied (pending review) but is not a member.
    let hefei_trucks = org(&app, "3401T").await;
    app.store().set_review_policy(hefei_trucks.id, AutoApproval::Off, 3).await.unwrap();
    let applicant = id_number("340104", "19880808", 7);
    let fields = with(with(form(&applicant, "13655550007"), "city", "3401"), "region_code", "340104");
    let (_, body) = app.join("/j/3401T", &fields).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));
    let stranger = id_number("340104", "19880808", 9);
    let number = member.member_number.clone().unwrap();
    let unknown = huiji_core::MemberNumber::new("34", 2026, 99_999).unwrap().as_str().to_owned();
    let last = unknown.chars().last().unwrap().to_digit(10).unwrap();
    let mistyped = format!("{}{}", &unknown[..12], (last + 1) % 10);

    let wuhu_trucks = org(&app, "3402T").await;
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let to = wuhu_trucks.id.0.to_string();
    let typed = [
        (member_id.as_str(), "王晓明"),
        (number.as_str(), "王晓明"),
        (member_id.as_str(), "王小明"),
        (applicant.as_str(), "王晓明"),
        (stranger.as_str(), "王晓明"),
        (unknown.as_str(), "王晓明"),
    ];
    let mut answers = Vec::new();
    let mut shown = Vec::new();
    for (member, name) in typed {
        let response = wuhu
            .http
            .post(format!("{}/console/transfers", app.base))
            .form(&[("member", member), ("name", name), ("to", &to), ("csrf", &wuhu.csrf)])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        answers.push((status, location, response.text().await.unwrap()));
        if status == 303 {
            let display =
                if member.len() == 18 { huiji_core::id_number::mask(member) } else { member.to_owned() };
            shown.push((newest_into(&app, &wuhu_trucks).await, display));
        }
    }
    assert!(answers.iter().all(|a| a.0 == 303), "{answers:?}");
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "the same answer whoever was typed");

    // The asking side's rows differ only in what was typed.
    let (_, page) = wuhu.get("/console/transfers").await;
    let rows: Vec<String> = shown
        .iter()
        .map(|(id, typed)| {
            row(&page, *id)
                .replace(typed, "TYPED")
                .replace(&format!("transfer-{id}\""), "transfer-ID\"")
                .replace(&format!("/transfers/{id}/"), "/transfers/ID/")
        })
        .collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.windows(2).all(|w| w[0] == w[1]), "{rows:#?}");

    // Only the member with the right name was matched; 肥西 sees that one request only.
    let feixi = app.officer("fx", Some("340123"), Role::Reviewer).await;
    let (_, page) = feixi.get("/console/transfers").await;
    assert_eq!(outgoing(&page).matches("同意转出").count(), 2, "{}", main_of(&page));

    // Malformed input is a form error, whoever it might name.
    for member in ["not a number", mistyped.as_str(), &member_id[..17]] {
        let (status, page) =
            wuhu.post("/console/transfers", &[("member", member), ("name", "王晓明"), ("to", &to)]).await;
        assert_eq!(status, 422, "{member}");
        assert!(page.contains("请填写正确的会员号或身份证号"), "{}", main_of(&page));
    }
    let (status, page) =
        wuhu.post("/console/transfers", &[("member", &number), ("name", ""), ("to", &to)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请填写会员姓名"), "{}", main_of(&page));
});

both_databases!(the_asking_side_withdraws_a_request, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = county_member(&app, "340122", 5).await;
    let wuhu_trucks = org(&app, "3402T").await;
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let number = membership.member_number.clone().unwrap();
    let to = wuhu_trucks.id.0.to_string();
    let fields = [("member", number.as_str()), ("name", "王晓明"), ("to", to.as_str())];
    assert_eq!(post_for_location(&wuhu, "/console/transfers", &fields).await.0, 303);
    let transfer = newest_into(&app, &wuhu_trucks).await;
    // Only the asking side withdraws.
    assert_eq!(feidong.post(&format!("/console/transfers/{transfer}/cancel"), &[]).await.0, 404);
    let (status, location) =
        post_for_location(&wuhu, &format!("/console/transfers/{transfer}/cancel"), &[]).await;
    assert_eq!(status, 303);
    assert!(wuhu.get(&location).await.1.contains("已撤回该接转请求"));
    assert_eq!(app.store().transfer(transfer).await.unwrap().unwrap().status.code(), "cancelled");
    // Withdrawn, it cannot be agreed to.
    let (_, location) =
        post_for_location(&feidong, &format!("/console/transfers/{transfer}/accept"), &[]).await;
    assert!(feidong.get(&location).await.1.contains("该接转已处理"));
    assert_eq!(
        app.store().membership(membership.id).await.unwrap().unwrap().home_org_id,
        membership.home_org_id
    );
});

both_databases!(viewers_cannot_start_or_decide_transfers, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = county_member(&app, "340122", 6).await;
    let wuhu_trucks = org(&app, "3402T").await;
    let to = wuhu_trucks.id.0.to_string();
    let number = membership.member_number.clone().unwrap();
    let viewer = app.officer("whv", Some("3402T"), Role::Viewer).await;
    let (status, page) = viewer.get("/console/transfers").await;
    assert_eq!(status, 200);
    assert!(!page.contains("name=\"member\""), "no form for viewers");
    let fields = [("member", number.as_str()), ("name", "王晓明"), ("to", to.as_str())];
    assert_eq!(viewer.post("/console/transfers", &fields).await.0, 403);
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    assert_eq!(post_for_location(&wuhu, "/console/transfers", &fields).await.0, 303);
    let transfer = newest_into(&app, &wuhu_trucks).await;
    let feidong_viewer = app.officer("fdv", Some("340122"), Role::Viewer).await;
    let (_, page) = feidong_viewer.get("/console/transfers").await;
    assert!(row(outgoing(&page), transfer).contains("王**") && !page.contains("/accept\""));
    for path in ["accept", "reject"] {
        assert_eq!(feidong_viewer.post(&format!("/console/transfers/{transfer}/{path}"), &[]).await.0, 403);
    }
    assert_eq!(viewer.post(&format!("/console/transfers/{transfer}/cancel"), &[]).await.0, 403);
    assert_eq!(app.store().transfer(transfer).await.unwrap().unwrap().status.code(), "awaiting_consent");
});

both_databases!(an_officers_transfer_reason_is_limited_like_a_members, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = county_member(&app, "340123", 41).await;
    let feidong = org(&app, "340122").await;
    let officer = app.officer("fd_reasons", Some("340122"), Role::Admin).await;
    let number = membership.member_number.clone().unwrap();
    let to = feidong.id.0.to_string();
    // One core rule for both sides: 200 characters kept, 201 refused (not cut).
    let long = "理".repeat(huiji_core::transfer::MAX_REASON_CHARS + 1);
    let (status, page) = officer
        .post(
            "/console/transfers",
            &[("member", &number), ("name", "王晓明"), ("to", &to), ("reason", &long)],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("接转原因不超过200字"), "{}", main_of(&page));
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    assert!(app.store().transfers(&root.path, 100).await.unwrap().is_empty(), "nothing stored");
    let fits = "理".repeat(huiji_core::transfer::MAX_REASON_CHARS);
    let (status, _) = post_for_location(
        &officer,
        "/console/transfers",
        &[("member", &number), ("name", "王晓明"), ("to", &to), ("reason", &fits)],
    )
    .await;
    assert_eq!(status, 303);
    let stored = app.store().transfer(newest_into(&app, &feidong).await).await.unwrap().unwrap();
    assert_eq!(stored.reason.as_deref(), Some(fits.as_str()));
});

both_databases!(the_ask_form_starts_empty_and_keeps_what_was_typed, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (membership, _, _) = county_member(&app, "340122", 9).await;
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;

    // No union is chosen for the officer: the list starts with "choose".
    let (_, page) = feidong.get("/console/transfers").await;
    let select = section(&page, r#"<select name="to">"#, "</select>");
    assert!(
        select
            .trim_start_matches(r#"<select name="to">"#)
            .trim_start()
            .starts_with(r#"<option value="">请选择</option>"#),
        "{select}"
    );
    assert!(!select.contains("selected"), "{select}");

    // The member page's button brings the member number along.
    let number = membership.member_number.clone().unwrap();
    let (_, page) = feidong.get(&format!("/console/members/{}", membership.id)).await;
    let link = format!("/console/transfers?member={number}#ask");
    assert!(page.contains(&link) && page.contains("接转到其他工会"), "{}", main_of(&page));
    let (_, page) = feidong.get(&format!("/console/transfers?member={number}")).await;
    assert!(page.contains(&format!(r#"name="member" value="{number}""#)), "{}", main_of(&page));

    // A refusal keeps every field as typed.
    let to = org(&app, "340122").await.id.0.to_string();
    let fields = [("member", number.as_str()), ("name", ""), ("to", to.as_str()), ("reason", "搬家")];
    let (status, page) = feidong.post("/console/transfers", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("请填写会员姓名"), "{}", main_of(&page));
    assert!(page.contains(&format!(r#"name="member" value="{number}""#)) && page.contains(r#"value="搬家""#));
    assert!(page.contains(&format!(r#"<option value="{to}" selected>"#)), "{}", main_of(&page));
});
