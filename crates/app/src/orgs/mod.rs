//! The union tree: join links and their QR codes, the unions a platform may send workers
//! to ([`join_targets`]), and admins' changes to the tree ([`manage`]).

pub mod contact;
pub mod join_targets;
pub mod manage;
pub mod qr;

pub use join_targets::{JoinTarget, join_targets};

/// The URL a union's QR code encodes: `public_url` (no trailing slash) and its join code.
pub fn join_url(public_url: &str, code: &str) -> String {
    format!("{public_url}/j/{code}")
}
