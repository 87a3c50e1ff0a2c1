//! The use cases against a real store, on SQLite and PostgreSQL: who may do what, what
//! is audited, and the rules the doors rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod benefits;
// Outreach: campaigns.
mod campaign;
// The campaign sender's pace.
mod campaign_sending;
// Federations' SMS signatures.
mod campaign_signatures;
mod cases;
mod contest_boards;
mod contest_questions;
mod contest_support;
mod contest_taking;
mod innovation;
mod innovation_evaluation;
mod innovation_import;
mod joining;
// The write path: joining's cached reads (issue 14).
mod joining_cache;
mod orgs;
// Outreach: real-name rosters.
mod roster_generations;
mod roster_import;
mod roster_matching;
mod roster_support;
mod stations;
mod stats;
mod stats_panels;
// Legal-aid cases in the statistics page.
mod stats_cases;
mod support;
