//! The OpenAPI document: valid OpenAPI 3.1 (checked against the OpenAPI Initiative's
//! schema, `openapi-3.1-schema.json`, version 2022-10-07, Apache-2.0), complete, and
//! true to what the API answers.

use huiji_core::rate_limit::Rate;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::api::{APPLICATION_FIELDS, application, identity};

const OAS_31_SCHEMA: &str = include_str!("openapi-3.1-schema.json");

async fn document(app: &TestApp) -> Value {
    let (status, content_type, body) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    serde_json::from_str(&body).unwrap()
}

/// A validator for one component schema, resolving `$ref`s within the document.
fn component_validator(doc: &Value, name: &str) -> jsonschema::Validator {
    validator_at(doc, &format!("/components/schemas/{name}"))
}

/// A validator for the schema at `pointer` inside the document (`$ref`s resolved).
fn validator_at(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#{pointer}"),
        "components": doc["components"].clone(),
        "paths": doc["paths"].clone(),
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

/// Sets a dotted field (`employer.name`) of a request body.
fn set(body: &mut Value, field: &str, value: &Value) {
    match field.split_once('.') {
        Some((outer, inner)) => {
            if !body[outer].is_object() {
                body[outer] = json!({});
            }
            body[outer][inner] = value.clone();
        }
        None => body[field] = value.clone(),
    }
}

both_databases!(the_document_describes_what_the_server_accepts, |db: TestDb| async move {
    let app = TestApp::seeded_with(db, |s| s.with_api_rate(Rate::per_second(1000, 10_000))).await;
    let doc = document(&app).await;
    let request = &doc["components"]["schemas"]["ApplicationRequest"];
    let required: Vec<&str> =
        request["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for field in ["name", "id_number", "mobile", "occupation", "region_code", "consent"] {
        assert!(required.contains(&field), "{field} is required: {required:?}");
    }
    assert!(!request["properties"]["consent"].to_string().contains("null"), "consent is not nullable");
    let platform = app.platform("huolala").await;

    // Each field's schema and the server agree: what the schema refuses, the server
    // refuses; what the server accepts, the schema allows (checksums and existence
    // are beyond a pattern, so the schema may allow what the server then refuses).
    // An ID number whose check character is X, to try its lower-case form.
    let id = (60..).map(|n| identity(n).0).find(|id| id.ends_with('X')).unwrap();
    let x_variant = id.replace('X', "x");
    let full_width: String =
        id.chars().map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0xFF10 + d).unwrap())).collect();
    let spaced = format!(" {} {} ", &id[..6], &id[6..]);
    let long_ref = "r".repeat(128);
    let too_long_ref = "r".repeat(129);
    let employer_100 = format!("  {}  ", "公".repeat(100));
    let employer_101 = "公".repeat(101);
    let cases: Vec<(&str, Value)> = vec![
        ("name", json!("王晓明")),
        ("name", json!("")),
        ("name", json!("   ")),
        ("name", json!("王\u{7}明")),
        ("id_number", json!(id)),
        ("id_number", json!(x_variant)),
        ("id_number", json!(full_width)),
        ("id_number", json!(spaced)),
        ("id_number", json!("12345")),
        ("id_number", json!(format!("{}Y", &id[..17]))),
        ("id_number", json!("")),
        ("mobile", json!("13800138000")),
        ("mobile", json!("+86 138-0013-8000")),
        ("mobile", json!("８６１３８００１３８０００")),
        ("mobile", json!("0086 13800138000")),
        ("mobile", json!("12800138000")),
        ("mobile", json!("1380013800")),
        ("mobile", json!("+1 13800138000")),
        ("occupation", json!("truck_driver")),
        ("occupation", json!(" courier ")),
        ("occupation", json!("TRUCK_DRIVER")),
        ("occupation", json!("pilot")),
        ("occupation", json!("")),
        ("region_code", json!("340104")),
        ("region_code", json!(" 340104 ")),
        ("region_code", json!("3401")),
        ("region_code", json!("034010")),
        ("region_code", json!("34010a")),
        ("region_code", json!("999999")),
        ("external_ref", json!(long_ref)),
        ("external_ref", json!(too_long_ref)),
        ("external_ref", json!("driver\u{0}1")),
        ("external_ref", Value::Null),
        ("employer.name", json!(employer_100)),
        ("employer.name", json!(employer_101)),
        ("employer.credit_code", json!("9144030071526726XG")),
        ("employer.credit_code", json!(" 9144 0300 7152 6726 xg ")),
        ("employer.credit_code", json!("9144030071526726XH")),
        ("employer.credit_code", json!("91440300715267")),
        ("employer.credit_code", json!("9144030071526726IO")),
        ("consent.version", json!("1")),
        ("consent.version", json!(" 1 ")),
        ("consent.version", json!("v1")),
        ("consent.version", json!("")),
        ("consent", Value::Null),
        ("mobile_verified", json!("yes")),
        ("mobile_verified", Value::Null),
    ];
    for (n, (field, value)) in cases.iter().enumerate() {
        let pointer = match field.split_once('.') {
            Some(("employer", inner)) => format!("/components/schemas/Employer/properties/{inner}"),
            Some(("consent", inner)) => format!("/components/schemas/Consent/properties/{inner}"),
            _ => format!("/components/schemas/ApplicationRequest/properties/{field}"),
        };
        let schema_allows = if value.is_null() && !field.contains('.') && required.contains(field) {
            false
        } else {
            validator_at(&doc, &pointer).is_valid(value)
        };
        let (other_id, mobile) = identity(600 + n as u32);
        let mut body = application(&other_id, &mobile);
        set(&mut body, field, value);
        let answer = app.api_apply(&platform.key, &body).await;
        // A problem of the field itself, inside it (`consent.version`) or around it
        // (`consent` when its version is missing).
        let concerns = |other: &str| {
            other == *field
                || other.starts_with(&format!("{field}."))
                || field.starts_with(&format!("{other}."))
        };
        let server_refuses = answer.status == 422
            && answer.body["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| concerns(f["field"].as_str().unwrap()));
        if !schema_allows {
            assert!(
                server_refuses,
                "{field} = {value}: the schema refuses it, the server took it: {}",
                answer.text
            );
        }
        if !server_refuses {
            assert!(
                schema_allows,
                "{field} = {value}: the server takes it, the schema refuses it: {}",
                answer.text
            );
        }
    }

    // The Idempotency-Key header likewise.
    let parameter = doc["paths"]["/api/v1/applications"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["name"] == "Idempotency-Key")
        .unwrap();
    let header = &doc["paths"]["/api/v1/applications"]["post"]["parameters"][parameter];
    assert_eq!(header["required"], true);
    let key_schema =
        validator_at(&doc, &format!("/paths/~1api~1v1~1applications/post/parameters/{parameter}/schema"));
    for (n, key) in
        ["k", &"k".repeat(255), &"k".repeat(256), "with space", "tab\tkey", "ключ", "a~!@#$%^&*()_+{}|:<>?"]
            .iter()
            .enumerate()
    {
        let (other_id, mobile) = identity(700 + n as u32);
        let headers = [("content-type", "application/json"), ("idempotency-key", *key)];
        let body = Some(application(&other_id, &mobile).to_string().into_bytes());
        let answer = match reqwest::header::HeaderValue::from_str(key) {
            Ok(_) => {
                app.api_raw(
                    reqwest::Method::POST,
                    "/api/v1/applications",
                    Some(&platform.key),
                    &headers,
                    body,
                )
                .await
            }
            Err(_) => continue,
        };
        let server_refuses = answer.status == 400 && answer.code() == "idempotency_key_required";
        assert_eq!(
            key_schema.is_valid(&json!(key)),
            !server_refuses,
            "Idempotency-Key {key:?}: {}",
            answer.text
        );
    }

    // The other requests' fields carry their constraints too.
    for (pointer, what) in [
        ("/components/schemas/VerifyRequest/properties/id_number/pattern", "verify id_number"),
        ("/components/schemas/VerifyRequest/properties/name/pattern", "verify name"),
    ] {
        assert!(doc.pointer(pointer).is_some_and(Value::is_string), "{what}");
    }
    let orgs = doc["paths"]["/api/v1/orgs"]["get"]["parameters"].as_array().unwrap();
    for name in ["region_code", "occupation"] {
        let parameter = orgs.iter().find(|p| p["name"] == name).unwrap();
        assert!(parameter["schema"]["pattern"].is_string(), "orgs {name}: {parameter}");
    }
});
