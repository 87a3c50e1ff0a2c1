//! The second step before a change with consequences (退会, 除名, 去世, a batch
//! approval): a page that names what will happen, with the same form again and
//! `confirm=yes`, so a slip of the finger changes nothing and it works without JS.

use askama::Template;
use axum::response::Response;

use super::{Frame, page};
use crate::WebError;

/// What the officer is asked to confirm.
pub(crate) struct Confirmation {
    /// The change, in one sentence naming whom it concerns.
    pub what: String,
    /// What follows from it.
    pub consequence: &'static str,
    /// The reason as typed, shown back (empty: none asked).
    pub reason: String,
    /// Where the confirmed form posts.
    pub action: String,
    /// The form's fields to send again.
    pub fields: Vec<(&'static str, String)>,
    /// Where "cancel" leads.
    pub back: String,
    /// The confirming button's label.
    pub button: &'static str,
}

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage<'a> {
    frame: Frame<'a>,
    confirm: Confirmation,
}

/// Whether a posted form carries the confirmation.
pub(crate) fn confirmed(field: &str) -> bool {
    field == "yes"
}

/// The confirmation page.
pub(crate) fn ask(frame: Frame<'_>, confirm: Confirmation) -> Result<Response, WebError> {
    page(&ConfirmPage { frame, confirm })
}
