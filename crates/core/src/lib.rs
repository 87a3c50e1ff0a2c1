//! The pure domain of huiji (会籍): regions, occupations, unions and the rules about them.
//!
//! Nothing here does I/O, reads a clock or draws randomness: time and keys are passed in,
//! so every rule can be tested exhaustively and shared by every door into the system (the
//! H5 form, the console, the platform API).

pub mod occupation;
pub mod org;
pub mod region;
pub mod time;
pub mod tree_plan;

pub use occupation::Occupation;
pub use org::{Level, Org, OrgId, OrgKind, OrgKindCode, OrgPath};
pub use region::{Region, RegionCode, RegionLevel, RegionTable};
pub use time::{Clock, Timestamp};
