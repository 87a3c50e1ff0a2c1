//! The officer console, area by area.

mod cases;
mod contest;
mod members;
mod orgs;
mod permissions;
pub(crate) mod pool;
mod review;
// Outreach: real-name rosters.
mod roster;
mod stations;
pub(crate) mod transfers;
