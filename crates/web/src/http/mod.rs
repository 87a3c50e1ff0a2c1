//! HTTP plumbing every area shares: the error type and the error pages, rate limits, metrics, security headers,
//! the control-character door, the page language, the client's address and the health check.
//! No page of its own lives here.

pub mod abuse;
pub mod client;
pub(crate) mod cookies;
pub(crate) mod error;
pub(crate) mod error_pages;
pub(crate) mod format;
pub(crate) mod health;
pub(crate) mod i18n;
pub mod limits;
pub(crate) mod metrics;
pub(crate) mod plain_text;
pub(crate) mod security;
