//! The SMS provider's callbacks on both databases: only the configured bearer token
//! opens them; replies opt out by keyword, receipts update messages; both repeat
//! harmlessly.

use huiji_app::campaign::CampaignSettings;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_vault::Field;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::worker::invite::{roster, sent_campaign};

async fn call(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app.http.post(format!("{}{path}", app.base)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

both_databases!(callbacks_need_the_token_and_are_idempotent, |db: TestDb| async move {
    let app = TestApp::seeded_with(db, |mut state| {
        let settings = CampaignSettings {
            callback_token: Some("provider-secret".to_owned()),
            ..CampaignSettings::default()
        };
        state.app = state.app.with_campaigns(settings);
        state
    })
    .await;
    roster(&app, &[(1, "13800138001"), (2, "13800138002")]).await;
    let (id, _) = sent_campaign(&app).await;
    let reply = json!({"mobile": "13800138001", "text": "ＴＤ"});
    for token in [None, Some("wrong")] {
        let (status, body) = call(&app, "/api/sms/replies", token, &reply).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    for _ in 0..2 {
        let (status, body) = call(&app, "/api/sms/replies", Some("provider-secret"), &reply).await;
        assert_eq!((status, body), (200, json!({"suppressed": true})));
    }
    let bidx = app.state.app.keys().blind_index(Field::Mobile, "13800138001").to_hex();
    assert!(app.store().is_suppressed(&bidx).await.unwrap());
    let (_, body) = call(
        &app,
        "/api/sms/replies",
        Some("provider-secret"),
        &json!({"mobile": "13800138002", "text": "好"}),
    )
    .await;
    assert_eq!(body, json!({"suppressed": false}));

    let page = app.store().campaign_messages(id, 0, 10).await.unwrap();
    let reference = format!("cm-{}", page[0].id);
    for _ in 0..2 {
        let receipt = json!({"reference": reference, "status": "DELIVRD"});
        let (status, body) = call(&app, "/api/sms/receipts", Some("provider-secret"), &receipt).await;
        assert_eq!((status, body), (200, json!({"state": "delivered"})));
    }
    let late = json!({"reference": reference, "status": "failed"});
    assert_eq!(
        call(&app, "/api/sms/receipts", Some("provider-secret"), &late).await.1,
        json!({"state": "delivered"})
    );
    let unknown = json!({"reference": "cm-0", "status": "delivered"});
    assert_eq!(
        call(&app, "/api/sms/receipts", Some("provider-secret"), &unknown).await.1,
        json!({"state": "unknown"})
    );
    let (status, _) = call(
        &app,
        "/api/sms/receipts",
        Some("provider-secret"),
        &json!({"reference": reference, "status": "maybe"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(&app, "/api/sms/receipts", Some("provider-secret"), &json!({"nonsense": 1})).await;
    assert_eq!(status, 400);
});

both_databases!(callbacks_are_closed_without_a_token, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (status, _) =
        call(&app, "/api/sms/replies", Some(""), &json!({"mobile": "13800138001", "text": "T"})).await;
    assert_eq!(status, 401);
});
