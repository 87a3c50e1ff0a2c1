//! The officer console, area by area.

mod benefits;
mod cases;
mod contest;
mod members;
mod orgs;
mod permissions;
pub(crate) mod pool;
mod review;
mod stations;
mod stats;
pub(crate) mod transfers;
