//! The union tree: join links and their QR codes.

pub mod qr;

/// The URL a union's QR code encodes: `public_url` (no trailing slash) and its join code.
pub fn join_url(public_url: &str, code: &str) -> String {
    format!("{public_url}/j/{code}")
}
