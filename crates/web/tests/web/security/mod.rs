//! What an auditor checks: audit log, HTTP hardening, hostile input, logins, oracles,
//! privacy, key rotation, control characters.

pub(crate) mod audit;
pub(crate) mod http;
mod input;
mod login;
mod oracle;
mod privacy;
mod rotation;
mod text;
