//! huiji's HTTP surface. Each area owns its `router()`; [`app`] mounts them all behind
//! the shared layers (tracing, security headers, metrics, timeouts, body limits, the
//! control-character door).

pub mod abuse;
pub mod api;
mod card;
pub mod client;
pub mod console;
mod error;
mod health;
mod home;
mod i18n;
pub mod jobs;
pub mod join;
pub mod limits;
mod metrics;
mod plain_text;
mod poster;
mod security;
mod status;
pub mod webhooks;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use huiji_app::keys::Keys;
use huiji_app::ports::{OsRandomness, Randomness};
use huiji_app::real_name::RealNameProvider;
use huiji_app::sms::{OutboxSms, SmsSender};
use huiji_core::rate_limit::Rate;
use huiji_core::{Clock, RegionTable};
use huiji_store::Store;
use huiji_vault::Keyring;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use abuse::PublicLimits;
pub use error::WebError;
use limits::Limiter;
pub use metrics::Metrics;
pub use security::CONTENT_SECURITY_POLICY;

/// Largest request body any route accepts; forms and API bodies are a few KB.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// How long a request may take before the client gets a 408 instead of waiting forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests a second each platform API key may make, with bursts of twice that: enough
/// for a platform enrolling a large fleet, little enough that a leaked key is noticed.
pub const DEFAULT_API_RATE: Rate = Rate::per_second(50, 100);

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
    /// Encryption, blind-index and card-signing keys (replaceable: key rotation).
    pub keyring: Arc<Keys>,
    /// Where SMS go.
    pub sms: Arc<dyn SmsSender>,
    /// The real-name check (运营商三要素), when one is configured.
    pub real_name: Option<Arc<dyn RealNameProvider>>,
    /// Random numbers (SMS codes, nonces).
    pub random: Arc<dyn Randomness>,
    /// The public base URL (no trailing slash) that QR codes and card links use.
    pub public_url: String,
    /// Whether cookies carry `Secure` (the app is served over TLS, directly or behind a
    /// proxy).
    pub secure_cookies: bool,
    /// Whether responses carry `Strict-Transport-Security` (served over TLS).
    pub hsts: bool,
    /// Whether the last `X-Forwarded-For` entry names the client (behind a reverse proxy
    /// that appends it); otherwise the TCP peer does.
    pub trust_proxy: bool,
    /// Rate limits of the public forms.
    pub limits: Arc<PublicLimits>,
    /// Each platform API key's token bucket.
    pub api_limiter: Arc<Limiter<i64>>,
}

impl AppState {
    /// State over a store, a clock and keys, with OS randomness, the outbox SMS provider,
    /// no real-name check and fresh metrics; replace parts with the `with_*` methods.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        keyring: Arc<Keyring>,
        public_url: &str,
    ) -> AppState {
        let random: Arc<dyn Randomness> = Arc::new(OsRandomness);
        let keyring = Arc::new(Keys::new(Keyring::clone(&keyring)));
        let sms = Arc::new(OutboxSms::new(store.clone(), keyring.clone(), clock.clone(), random.clone()));
        AppState {
            store,
            clock,
            metrics: Arc::new(Metrics::default()),
            regions: RegionTable::national(),
            keyring,
            sms,
            real_name: None,
            random,
            secure_cookies: public_url.starts_with("https://"),
            hsts: public_url.starts_with("https://"),
            trust_proxy: false,
            limits: Arc::new(PublicLimits::default()),
            api_limiter: Arc::new(Limiter::new(DEFAULT_API_RATE)),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Uses another SMS provider.
    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> AppState {
        self.sms = sms;
        self
    }

    /// Checks applicants' name, ID number and mobile with a real-name provider: then
    /// `all_verified` approves only those who match.
    pub fn with_real_name(mut self, provider: Arc<dyn RealNameProvider>) -> AppState {
        self.real_name = Some(provider);
        self
    }

    /// Sets whether cookies are `Secure` and HSTS is sent: the app is served over TLS
    /// (by default: when the public URL is https).
    pub fn with_tls(mut self, secure_cookies: bool, hsts: bool) -> AppState {
        self.secure_cookies = secure_cookies;
        self.hsts = hsts;
        self
    }

    /// Trusts the last `X-Forwarded-For` entry as the client address.
    pub fn with_trust_proxy(mut self, trust: bool) -> AppState {
        self.trust_proxy = trust;
        self
    }

    /// Uses other rate limits for the public forms.
    pub fn with_limits(mut self, limits: PublicLimits) -> AppState {
        self.limits = Arc::new(limits);
        self
    }

    /// Allows each API key `rate` (the default is [`DEFAULT_API_RATE`]).
    pub fn with_api_rate(mut self, rate: Rate) -> AppState {
        self.api_limiter = Arc::new(Limiter::new(rate));
        self
    }

    /// Uses another source of randomness (the outbox provider keeps the one it had).
    pub fn with_random(mut self, random: Arc<dyn Randomness>) -> AppState {
        self.random = random;
        self
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(health::router())
        .merge(
            join::router()
                .merge(status::router())
                .route_layer(axum::middleware::from_fn_with_state(state.clone(), abuse::per_ip)),
        )
        .merge(card::router())
        .merge(poster::router())
        .merge(console::router())
        .merge(api::router())
        // Innermost first: the door refuses control characters before any handler runs.
        .layer(axum::middleware::from_fn(plain_text::door))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(api::json_errors))
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
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
