//! The worker's pages (the H5 side): the home page, joining, the status page, the member
//! card and the poster. Each page owns its `router()`.

pub(crate) mod card;
pub(crate) mod home;
pub mod joining;
pub(crate) mod poster;
pub(crate) mod status;
