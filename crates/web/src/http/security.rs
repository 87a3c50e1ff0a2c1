//! Security headers on every response: a content security policy without inline script
//! or style (the templates have none; `/static/join.js` and `/static/stations.js` are the
//! only scripts), no framing (clickjacking), no MIME sniffing, no referrer (card links
//! carry signed tokens), and HSTS when the app is served over TLS. Geolocation is allowed to this origin only
//! (`/stations` asks for the phone's position), camera and microphone to none.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::WebState;

/// The policy: everything from this origin only; QR codes are inline SVG elements (not
/// styles or scripts), so nothing inline needs allowing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, including subdomains: the federation's domain is served over TLS only.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Middleware adding the headers.
pub(crate) async fn headers(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(self)"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if state.http.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}
