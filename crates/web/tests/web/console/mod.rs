//! The officer console, area by area.

mod benefit_admin;
// Accounts in the console.
mod accounts;
mod benefits;
mod cases;
mod contest;
// Decision SMS and union contacts (issue 13).
mod contacts;
mod decisions;
mod members;
mod orgs;
mod permissions;
pub(crate) mod pool;
mod review;
// Outreach: real-name rosters.
mod roster;
mod stations;
mod stats;
pub(crate) mod transfers;
// Codes shown as words (issue 13 item 6).
mod words;
// Outreach: campaigns.
mod campaigns;
