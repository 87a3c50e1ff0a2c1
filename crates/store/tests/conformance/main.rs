//! The store conformance suite: every test runs against SQLite and PostgreSQL, so the
//! two adapters cannot drift apart. One module per area of the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod benefits;
// Outreach: campaigns.
mod campaign;
// Queueing from the roster in blind-index order (issue 15, figure K).
mod campaign_targets;
// Campaign funnel rollup (migration 0074) on a database made before it.
mod campaign_upgrade;
mod cases;
// SQLite's CHECK constraints as OR chains (migration 0085).
mod check_constraints;
// SQLite's WAL checkpoints beside the writer.
mod checkpoint;
// Legal-aid case SMS through the notices outbox.
mod case_notices;
mod contest;
mod fixtures;
// Group commit (issue 14 item 2).
mod group_commit;
mod innovation;
mod innovation_evaluation;
// Instant approvals in few database calls (issue 14 item 3).
mod instant;
// Two instances, one database: background jobs once per period.
mod jobs;
mod joining;
// SQLite: keyed instant joins waiting for the writer in one statement (migration 0087).
mod joins_together;
// PostgreSQL: keyed instant joins arriving together in one statement (issue 14, J).
mod join_batches;
// SQLite's join tail as one trigger (migration 0086).
mod join_tail;
// The write path: a join and its idempotent answer in one transaction (issue 14).
mod keyed;
// Keyed joins through the group-commit writer (issue 14, figure J).
mod keyed_batched;
mod logins;
mod members;
// Decision SMS and union contacts (issue 13).
mod notices;
// Accounts in the console.
mod officers;
// A keyed join on PostgreSQL in one statement (issue 14, J on PostgreSQL).
mod one_statement;
mod orgs;
mod pool;
mod privacy;
mod review;
// Outreach: real-name rosters.
mod roster;
mod stations;
mod stats;
mod stats_review;
mod transfers;
mod upgrade;
// Migrations 0052, 0053, 0064 and 0065 on a database made before them.
mod upgrade_gaps;
// The roster coverage rollup (issue 17).
mod upgrade_roster_counts;
// One unique key for roster entries (migration 0081, issue 15 figure R).
mod upgrade_roster_key;
// One index for the ID number of memberships (migration 0090).
mod upgrade_held_key;
