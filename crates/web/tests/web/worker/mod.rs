//! The worker's H5 pages: joining (with the SMS and real-name providers) and `/status`.

mod benefits;
pub(crate) mod contest;
mod joining;
pub(crate) mod legal;
mod real_name;
mod sms;
mod stations;
mod status;
// Outreach: campaigns.
pub(crate) mod invite;
