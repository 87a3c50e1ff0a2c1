//! The worker's pages (the H5 side): the home page, joining, the status page, the member
//! card, the poster, the public innovation pages, the 安康杯 contest, the service stations
//! and legal aid. Each page owns its `router()`.

pub(crate) mod benefits;
pub(crate) mod card;
pub mod contest;
pub(crate) mod home;
pub mod innovation;
pub mod joining;
pub mod legal;
pub(crate) mod poster;
pub mod stations;
pub(crate) mod status;
