//! The officer console, area by area.

mod cases;
mod contest;
mod members;
mod orgs;
mod permissions;
pub(crate) mod pool;
mod review;
pub(crate) mod transfers;
