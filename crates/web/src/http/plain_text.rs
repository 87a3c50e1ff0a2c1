//! The door every request passes before a handler runs: each path parameter, query
//! field, form field and JSON string must be [`PlainText`] (no control characters, the
//! core's rule). Anything else is answered 422 naming the first such field — a page in
//! the visitor's language, or the API's `validation_failed` with
//! `<field>.control_character` — so no handler, and neither database, ever sees a NUL.
//!
//! One layer over every route, rather than a check in each handler, so a new route or
//! field cannot forget it. The exception is a file upload (`multipart/form-data`): its
//! bytes are data, and the one upload route checks its text fields itself.

use askama::Template;
use axum::RequestPartsExt;
use axum::body::Body;
use axum::extract::{RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use huiji_core::PlainText;
use serde_json::Value;

use crate::WebError;
use crate::api::{ApiError, FieldProblem};
use crate::http::i18n::Lang;

/// Where the refused field was.
enum Place {
    Path,
    Query,
    Body,
}

/// The first field that is not plain text.
struct Refused {
    field: String,
    place: Place,
}

/// A field's name as shown: a name with control characters of its own is escaped.
fn shown(name: &str) -> String {
    match PlainText::parse(name) {
        Ok(_) => name.to_owned(),
        Err(_) => name.escape_debug().to_string(),
    }
}

/// The form fields written as paragraphs, by the path their form is posted to: their
/// values may break lines ([`PlainText::parse_lines`]); the core's parser of each keeps
/// the breaks it wants. Only form bodies: no query field or API string is a paragraph.
const PARAGRAPHS: &[(&str, &str)] = &[("/legal", "description"), ("/console/campaigns", "text")];

/// The first `name=value` pair (form or query encoding) whose name or value is not plain;
/// the fields named in `paragraphs` may hold line breaks.
fn first_in_pairs(encoded: &[u8], place: Place, paragraphs: &[&str]) -> Option<Refused> {
    form_urlencoded::parse(encoded)
        .find(|(name, value)| {
            let value_ok = if paragraphs.contains(&name.as_ref()) {
                PlainText::parse_lines(value).is_ok()
            } else {
                PlainText::parse(value).is_ok()
            };
            PlainText::parse(name).is_err() || !value_ok
        })
        .map(|(name, _)| Refused { field: shown(&name), place })
}

/// The first string of a JSON value (object keys included) that is not plain, by its
/// dotted path (`employer.name`, `items[2]`).
fn first_in_json(value: &Value, path: &str) -> Option<String> {
    let join = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    match value {
        Value::String(text) => PlainText::parse(text).is_err().then(|| path.to_owned()),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| first_in_json(item, &format!("{path}[{i}]")))
        }
        Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            if PlainText::parse(name).is_err() {
                Some(join(&shown(name)))
            } else {
                first_in_json(item, &join(name))
            }
        }),
        _ => None,
    }
}

/// The first refused field of a body: JSON when it says so (or says nothing and is
/// JSON, as the API allows), form encoding otherwise.
fn first_in_body(parts: &Parts, body: &[u8]) -> Option<Refused> {
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = content_type.map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let may_be_json = essence.as_deref().is_none_or(|e| e == "application/json");
    if may_be_json && let Ok(value) = serde_json::from_slice::<Value>(body) {
        return first_in_json(&value, "").map(|field| Refused { field, place: Place::Body });
    }
    let paragraphs: Vec<&str> =
        PARAGRAPHS.iter().filter(|(path, _)| *path == parts.uri.path()).map(|(_, field)| *field).collect();
    first_in_pairs(body, Place::Body, &paragraphs)
}

#[derive(Template)]
#[template(path = "control_character.html")]
struct RefusedPage<'a> {
    lang: Lang,
    field: &'a str,
    back: &'a str,
}

/// The 422 answer naming the field.
fn refusal(parts: &Parts, refused: &Refused) -> Response {
    tracing::info!(field = %refused.field, path = parts.uri.path(), "control character refused");
    if parts.uri.path().starts_with("/api/") {
        let problem = FieldProblem {
            field: refused.field.clone(),
            code: format!("{}.control_character", refused.field),
        };
        return ApiError::invalid(vec![problem]).into_response();
    }
    let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = Lang::negotiate(parts.uri.query(), accept);
    // Back to the form for a field of the query or body; a path that is not plain is no
    // page to go back to.
    let back = match refused.place {
        Place::Path => "/",
        Place::Query | Place::Body => parts.uri.path(),
    };
    match (RefusedPage { lang, field: &refused.field, back }).render() {
        Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response(),
        Err(error) => WebError::from(error).into_response(),
    }
}

/// A file upload: its file is no text field (the importer checks every cell it reads) and
/// its one text field, the CSRF token, is compared with the session's by the handler.
fn is_multipart(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Middleware: refuses a request with a control character in any field, else passes it
/// on unchanged (the body, read here, is handed on as it came).
pub(crate) async fn door(request: Request, next: Next) -> Response {
    check(request, next, false).await
}

/// The door of the file uploads: the same, except that a multipart body passes unread.
pub(crate) async fn upload_door(request: Request, next: Next) -> Response {
    check(request, next, true).await
}

async fn check(request: Request, next: Next, uploads: bool) -> Response {
    let (mut parts, body) = request.into_parts();
    let in_path = match parts.extract::<RawPathParams>().await {
        Ok(params) => params
            .iter()
            .find(|(_, value)| PlainText::parse(value).is_err())
            .map(|(name, _)| Refused { field: shown(name), place: Place::Path }),
        // No parameters (or not UTF-8, which the route's own extractor refuses).
        Err(_) => None,
    };
    let in_query = || parts.uri.query().and_then(|q| first_in_pairs(q.as_bytes(), Place::Query, &[]));
    if let Some(refused) = in_path.or_else(in_query) {
        return refusal(&parts, &refused);
    }
    if matches!(parts.method, Method::GET | Method::HEAD) || (uploads && is_multipart(&parts)) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    // The body limit outside this door already bounds what is read here.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        // Too large (413) or broken off (400): what the handler would have answered.
        Err(error) => {
            let too_large = error.into_inner().downcast_ref::<http_body_util::LengthLimitError>().is_some();
            return if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST }
                .into_response();
        }
    };
    // A file upload carries bytes, not text; its one route checks its text fields itself.
    if is_multipart(&parts) {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    }
    if let Some(refused) = first_in_body(&parts, &bytes) {
        return refusal(&parts, &refused);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_the_first_field_that_is_not_plain() {
        let found = |encoded: &str| first_in_pairs(encoded.as_bytes(), Place::Body, &[]).map(|r| r.field);
        assert_eq!(found("name=%E7%8E%8B&reason=a%00b"), Some("reason".to_owned()));
        assert_eq!(found("a=1&b=x%09y&c=%00"), Some("b".to_owned()));
        assert_eq!(found("we%00ird=1"), Some("we\\0ird".to_owned()));
        assert_eq!(found("name=%E7%8E%8B+%E6%99%93&ok=%C2%A0"), None, "spaces, even non-breaking, are text");
        assert_eq!(found("bad=%FF%FE"), None, "not UTF-8 is the route's own concern");
    }

    #[test]
    fn only_a_paragraph_field_may_break_lines() {
        let found = |encoded: &str| {
            first_in_pairs(encoded.as_bytes(), Place::Body, &["description"]).map(|r| r.field)
        };
        assert_eq!(found("description=a%0D%0Ab&mobile=1"), None);
        assert_eq!(found("description=a%0Ab&name=x%0Ay"), Some("name".to_owned()));
        assert_eq!(found("description=a%09b"), Some("description".to_owned()), "a tab is still refused");
    }

    #[test]
    fn walks_json_by_dotted_paths() {
        let found = |value: Value| first_in_json(&value, "");
        assert_eq!(found(json!({"name": "王", "external_ref": "a\u{0}"})), Some("external_ref".to_owned()));
        assert_eq!(found(json!({"employer": {"name": "顺丰\u{1b}"}})), Some("employer.name".to_owned()));
        assert_eq!(found(json!({"ids": [1, "ok", "x\u{7f}"]})), Some("ids[2]".to_owned()));
        assert_eq!(found(json!({"a\u{0}": 1})), Some("a\\0".to_owned()));
        assert_eq!(found(json!({"name": "王晓明", "n": 1, "b": true, "z": null})), None);
    }
}
