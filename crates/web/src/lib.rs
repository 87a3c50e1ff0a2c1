//! huiji's HTTP surface. Each area owns its `router()`; [`app`] mounts them all behind
//! the shared layers (tracing, security headers, metrics, timeouts, body limits, the
//! control-character door).

pub mod api;
pub mod console;
pub mod http;
pub mod worker;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use huiji_app::App;
use huiji_core::rate_limit::Rate;
use huiji_store::Store;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use http::abuse::PublicLimits;
pub use http::error::WebError;
use http::limits::Limiter;
pub use http::metrics::Metrics;
pub use http::security::CONTENT_SECURITY_POLICY;
use http::{abuse, health, metrics, plain_text, security};
use worker::{card, home, joining, poster, status};

/// Largest request body any route accepts; forms and API bodies are a few KB.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Largest upload of an innovation entry's attachment: a 5 MB file and its form around it.
pub const ATTACHMENT_LIMIT_BYTES: usize = 5 * 1024 * 1024 + 64 * 1024;

/// Largest upload of a question bank (an XLSX of several thousand questions) or of an
/// insurer's workbook of policy numbers.
const QUESTION_BANK_LIMIT_BYTES: usize = 8 * 1024 * 1024;

// Outreach: real-name rosters.
/// The largest roster upload: a 200 MB CSV or XLSX file and its form.
pub const ROSTER_UPLOAD_LIMIT_BYTES: usize = 256 * 1024 * 1024;

/// How long a request may take before the client gets a 408 instead of waiting forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests a second each platform API key may make, with bursts of twice that: enough
/// for a platform enrolling a large fleet, little enough that a leaked key is noticed.
pub const DEFAULT_API_RATE: Rate = Rate::per_second(50, 100);

/// What every handler can reach: the app, the pages' store and what only HTTP needs.
#[derive(Clone, Debug)]
pub struct WebState {
    /// The ports every use case reaches: clock, keys, randomness, SMS, real-name check.
    pub app: App,
    /// The database, for the pages' queries.
    pub store: Arc<dyn Store>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Rate limits of the public forms.
    pub limits: Arc<PublicLimits>,
    /// Each platform API key's token bucket.
    pub api_limiter: Arc<Limiter<i64>>,
    /// How the app is reached: TLS and proxy.
    pub http: HttpSettings,
}

/// How the app is reached over HTTP.
#[derive(Clone, Copy, Debug)]
pub struct HttpSettings {
    /// Whether cookies carry `Secure` (the app is served over TLS, directly or behind a
    /// proxy).
    pub secure_cookies: bool,
    /// Whether responses carry `Strict-Transport-Security` (served over TLS).
    pub hsts: bool,
    /// Whether the last `X-Forwarded-For` entry names the client (behind a reverse proxy
    /// that appends it); otherwise the TCP peer does.
    pub trust_proxy: bool,
}

impl WebState {
    /// State over an app, with TLS settings taken from its public URL, no trusted proxy,
    /// the default rate limits and fresh metrics; replace parts with the `with_*` methods.
    pub fn new(app: App) -> WebState {
        let tls = app.public_url().starts_with("https://");
        WebState {
            store: app.store().clone(),
            app,
            metrics: Arc::new(Metrics::default()),
            limits: Arc::new(PublicLimits::default()),
            api_limiter: Arc::new(Limiter::new("api", DEFAULT_API_RATE)),
            http: HttpSettings { secure_cookies: tls, hsts: tls, trust_proxy: false },
        }
    }

    /// Sets whether cookies are `Secure` and HSTS is sent: the app is served over TLS
    /// (by default: when the public URL is https).
    pub fn with_tls(mut self, secure_cookies: bool, hsts: bool) -> WebState {
        self.http.secure_cookies = secure_cookies;
        self.http.hsts = hsts;
        self
    }

    /// Trusts the last `X-Forwarded-For` entry as the client address.
    pub fn with_trust_proxy(mut self, trust: bool) -> WebState {
        self.http.trust_proxy = trust;
        self
    }

    /// Uses other rate limits for the public forms.
    pub fn with_limits(mut self, limits: PublicLimits) -> WebState {
        self.limits = Arc::new(limits);
        self
    }

    /// Allows each API key `rate` (the default is [`DEFAULT_API_RATE`]).
    pub fn with_api_rate(mut self, rate: Rate) -> WebState {
        self.api_limiter = Arc::new(Limiter::new("api", rate));
        self
    }
}

/// The whole application.
pub fn app(state: WebState) -> Router {
    let pages = Router::new()
        .merge(home::router())
        .merge(health::router())
        .merge(
            joining::router()
                .merge(status::router())
                .merge(worker::contest::entry_router())
                .merge(worker::legal::router())
                .merge(worker::benefits::router())
                .route_layer(axum::middleware::from_fn_with_state(state.clone(), abuse::per_ip)),
        )
        .merge(card::router())
        .merge(worker::contest::router())
        .merge(worker::innovation::router())
        .merge(worker::stations::router())
        .merge(poster::router())
        .merge(console::router())
        .merge(api::router());
    // The door refuses control characters before any handler runs; the body limit sits
    // outside it (it reads the body), one limit for the pages and one for the uploads.
    let upload_door = || axum::middleware::from_fn(plain_text::upload_door);
    let uploads = console::contest_uploads()
        .layer(upload_door())
        .layer(RequestBodyLimitLayer::new(QUESTION_BANK_LIMIT_BYTES))
        .merge(
            console::innovation_uploads()
                .layer(upload_door())
                .layer(RequestBodyLimitLayer::new(ATTACHMENT_LIMIT_BYTES)),
        )
        .merge(
            console::benefit_uploads()
                .layer(upload_door())
                .layer(RequestBodyLimitLayer::new(QUESTION_BANK_LIMIT_BYTES)),
        )
        // Outreach: real-name rosters.
        .merge(
            console::roster_uploads()
                .layer(upload_door())
                .layer(RequestBodyLimitLayer::new(ROSTER_UPLOAD_LIMIT_BYTES)),
        );
    Router::new()
        .merge(
            pages
                .layer(axum::middleware::from_fn(plain_text::door))
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES)),
        )
        .merge(uploads)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn(http::error_pages::html_errors))
        // Outside everything that makes or remakes a response, so every response has them.
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish. Each request carries its peer's address (`ConnectInfo`), for the rate
/// limits and the audit log.
pub async fn serve(
    listener: TcpListener,
    state: WebState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
