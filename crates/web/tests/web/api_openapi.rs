//! The OpenAPI document: valid OpenAPI 3.1 (checked against the OpenAPI Initiative's
//! schema, `openapi-3.1-schema.json`, version 2022-10-07, Apache-2.0), complete, and
//! true to what the API answers.

use huiji_store::testing::TestDb;
use serde_json::{Value, json};

use crate::api_support::{APPLICATION_FIELDS, application, identity};
use crate::support::TestApp;

const OAS_31_SCHEMA: &str = include_str!("openapi-3.1-schema.json");

async fn document(app: &TestApp) -> Value {
    let (status, content_type, body) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    serde_json::from_str(&body).unwrap()
}

/// A validator for one component schema, resolving `$ref`s within the document.
fn component_validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"].clone(),
    });
    jsonschema::validator_for(&schema).unwrap()
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.1.")), Some(true), "{}", doc["openapi"]);
    let oas: Value = serde_json::from_str(OAS_31_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&oas).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A broken document is caught, so the check above means something.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/orgs"]["get"]["responses"] = json!("none");
    assert!(!validator.is_valid(&broken));

    // Every component is a valid JSON Schema and every reference resolves.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(jsonschema::meta::is_valid(schema), "{name} is not a valid schema");
    }
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {target}");
    }
}

#[tokio::test]
async fn the_document_covers_every_endpoint_and_error() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let doc = document(&app).await;
    for (path, method) in [
        ("/api/v1/applications", "post"),
        ("/api/v1/applications/{application_id}", "get"),
        ("/api/v1/memberships/verify", "post"),
        ("/api/v1/orgs", "get"),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} undocumented");
        assert_eq!(operation["security"], json!([{"api_key": []}]), "{method} {path}");
        for status in ["401", "429"] {
            assert!(operation["responses"][status].is_object(), "{method} {path} lacks {status}");
        }
    }
    assert!(
        doc["paths"]["/api/v1/applications"]["post"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
    );
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // DESIGN.md's codes, and the ones added since.
    for code in [
        "already_member",
        "validation_failed",
        "unauthorized",
        "rate_limited",
        "idempotency_mismatch",
        "not_found",
        "forbidden",
        "consent_required",
        "malformed_json",
        "idempotency_key_required",
        "idempotency_in_progress",
        "payload_too_large",
        "unsupported_media_type",
        "method_not_allowed",
        "internal",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let request = &doc["components"]["schemas"]["ApplicationRequest"]["properties"];
    for field in APPLICATION_FIELDS {
        assert!(request[field].is_object(), "request field {field} undocumented");
    }
    for schema in ["WebhookPayload", "WebhookData"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let app = TestApp::seeded(TestDb::sqlite().await).await;
    let doc = document(&app).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(40);
    let created = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    let view =
        app.api_get(&format!("/api/v1/applications/{}", created.body["application_id"]), &platform.key).await;
    let invalid = app.api_apply(&platform.key, &json!({"name": 1})).await;
    let orgs = app.api_get("/api/v1/orgs?region_code=3401", &platform.key).await;
    let verify = app
        .api_post(
            "/api/v1/memberships/verify",
            &platform.key,
            "v",
            &json!({"id_number": id, "name": "王晓明"}),
        )
        .await;
    for (schema, answer) in [
        ("ApplicationCreated", &created),
        ("ApplicationView", &view),
        ("ErrorBody", &invalid),
        ("JoinTargets", &orgs),
        ("VerifyResponse", &verify),
    ] {
        let validator = component_validator(&doc, schema);
        let errors: Vec<String> = validator.iter_errors(&answer.body).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{schema}: {errors:?} in {}", answer.text);
    }
    // And a body of the wrong shape fails, so the checks above are real.
    assert!(!component_validator(&doc, "ApplicationCreated").is_valid(&invalid.body));
}
