//! Platform companies and their access to the API.

pub mod api_keys;
pub mod idempotency;
