//! Operational endpoints: `/healthz` for load balancers and `/metrics` for Prometheus.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::{WebError, WebState};

/// The operational routes.
pub fn router() -> Router<WebState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// Healthy means the database answers: an instance that cannot reach it must leave the
/// load balancer's rotation.
async fn healthz(State(state): State<WebState>) -> Result<Json<Health>, WebError> {
    state.store.ping().await.map_err(|e| WebError::Unavailable(e.to_string()))?;
    Ok(Json(Health { status: "ok", database: state.store.backend().name() }))
}

async fn metrics(State(state): State<WebState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    text.push_str(&super::metrics::render_write_batches(&state.store.write_batches()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
