//! Outgoing HTTP (SMS gateways, the real-name service, webhooks).

use std::time::Duration;

/// An HTTP client for outgoing calls: rustls with the ring provider and the system's root
/// certificates, so nothing is downloaded at build or run time.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    install_crypto_provider();
    reqwest::Client::builder().timeout(timeout).build()
}

/// Makes ring the process's TLS crypto provider (reqwest is built without one, to avoid
/// compiling aws-lc). Installing twice is harmless: the first provider stays.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
