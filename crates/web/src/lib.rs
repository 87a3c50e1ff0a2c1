//! huiji's HTTP surface. Each area owns its `router()`; [`app`] mounts them all behind
//! the shared layers (tracing, metrics, timeouts, body limits).

mod error;
mod health;
mod home;
mod i18n;
mod metrics;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use huiji_core::{Clock, RegionTable};
use huiji_store::Store;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;
pub use metrics::Metrics;

/// Largest request body any route accepts; forms and API bodies are a few KB.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// How long a request may take before the client gets a 408 instead of waiting forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The current time (a fixed clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The national division table.
    pub regions: &'static RegionTable,
}

impl AppState {
    /// State over a store and a clock, with fresh metrics.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            store,
            clock,
            metrics: Arc::new(Metrics::default()),
            regions: RegionTable::national(),
        }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(health::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
