//! The worker's pages (the H5 side): the home page, joining, the status page, the member
//! card, the poster, and the public innovation pages. Each page owns its `router()`.

pub(crate) mod card;
pub(crate) mod home;
pub mod innovation;
pub mod joining;
pub(crate) mod poster;
pub(crate) mod status;
