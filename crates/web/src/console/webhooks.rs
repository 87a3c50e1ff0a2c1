//! The webhook delivery log: every event the platforms were sent, its state and each
//! attempt with the receiver's answer. Platforms are not part of the union tree, so like
//! the SMS outbox only admins of a root union see it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use huiji_app::webhooks::event_id;
use huiji_core::Timestamp;

use super::outbox::may_read;
use super::{Frame, Officer, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Events shown, newest first.
const NEWEST: u32 = 100;

pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/webhooks", get(log))
}

struct Attempt {
    attempt: i32,
    at: String,
    answer: String,
    duration_ms: i64,
}

struct Row {
    event: String,
    platform: String,
    kind: String,
    occurred: String,
    delivery: String,
    next_attempt: Option<String>,
    attempts: Vec<Attempt>,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct LogPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
}

fn time(millis: i64) -> String {
    // "2026-11-30T10:00:00+08:00" → "2026-11-30 10:00:00"
    let text = Timestamp(millis).to_rfc3339_china();
    text.get(..19).unwrap_or(&text).replace('T', " ")
}

async fn log(State(state): State<WebState>, lang: Lang, officer: Officer) -> Result<Response, WebError> {
    if !may_read(&officer) {
        return Err(WebError::Forbidden);
    }
    let mut rows = Vec::new();
    for event in state.store.webhook_events(NEWEST).await? {
        let attempts = state
            .store
            .webhook_deliveries(event.id)
            .await?
            .into_iter()
            .map(|d| Attempt {
                attempt: d.attempt,
                at: time(d.at),
                answer: match (d.status_code, d.error) {
                    (Some(code), None) => format!("HTTP {code}"),
                    (_, Some(error)) => error,
                    (None, None) => String::new(),
                },
                duration_ms: d.duration_ms,
            })
            .collect();
        rows.push(Row {
            event: event_id(&event),
            next_attempt: (event.delivery == "pending").then(|| time(event.next_attempt_at)),
            platform: event.platform_name,
            kind: event.kind.code().to_owned(),
            occurred: time(event.occurred_at),
            delivery: event.delivery,
            attempts,
        });
    }
    page(&LogPage { frame: Frame { lang, officer: &officer, section: "webhooks" }, rows })
}
