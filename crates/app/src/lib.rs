//! huiji's use cases and the ports to the outside, between the doors (the web pages, the
//! console, the platform API, the command line) and the store. Nothing here speaks HTTP
//! to a caller; every outside effect — the time, randomness, the keys, SMS, the
//! real-name check, outgoing HTTP — goes through a port, so tests control it.

pub mod accounts;
pub mod audit;
pub mod keys;
pub mod orgs;
pub mod outbound;
pub mod platform;
pub mod ports;
pub mod privacy;
pub mod real_name;
pub mod sms;
pub mod webhooks;
