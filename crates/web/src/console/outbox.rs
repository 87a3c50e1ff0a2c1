//! The SMS outbox (issue 3): what the outbox provider queued instead of sending, so an
//! operator running without an SMS gateway can read the codes and notices. The outbox is
//! not scoped to a subtree, so only admins of a root union (the province) see it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::{Frame, Officer, page};
use crate::http::format::date;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Messages shown, newest first.
const NEWEST: u32 = 100;

pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/sms-outbox", get(outbox))
}

/// Whether an officer may read the whole outbox: an admin whose subtree is the whole tree.
pub(crate) fn may_read(officer: &Officer) -> bool {
    officer.role.is_admin() && officer.org.parent.is_none()
}

struct Row {
    mobile: String,
    date: String,
    body: String,
}

#[derive(Template)]
#[template(path = "console/outbox.html")]
struct OutboxPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
}

async fn outbox(State(state): State<WebState>, lang: Lang, officer: Officer) -> Result<Response, WebError> {
    if !may_read(&officer) {
        return Err(WebError::Forbidden);
    }
    let rows = state
        .store
        .sms_outbox(NEWEST)
        .await?
        .into_iter()
        .map(|m| Row { mobile: m.mobile_masked, date: date(m.created_at), body: m.body })
        .collect();
    page(&OutboxPage { frame: Frame { lang, officer: &officer, section: "outbox" }, rows })
}
