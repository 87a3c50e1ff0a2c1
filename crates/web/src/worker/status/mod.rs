//! `/status`: an applicant sees their applications and membership after proving their
//! mobile with an SMS code. The answer for a mobile with nothing on record differs from
//! one with records only after that proof, so the page is no oracle.
//!
//! A verified member may also ask to move a held membership to another union (接转), and
//! answer unions' requests to take it over (`transfer.rs`).

mod page;
mod records;
mod transfer;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// The status routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/status", get(records::form).post(records::submit))
        .route("/status/transfer", post(transfer::request))
        .route("/status/transfer/answer", post(transfer::answer))
}
