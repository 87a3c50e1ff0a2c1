//! The platform API v1: its contract, its OpenAPI document, fuzzing, webhooks.

mod applications;
mod binding;
mod fuzz;
mod openapi;
mod webhooks;
// Outreach: campaigns.
mod sms;
