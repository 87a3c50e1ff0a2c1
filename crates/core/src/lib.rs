//! The pure domain of huiji (会籍): regions, occupations, unions, the people who join them
//! and the rules about them.
//!
//! Nothing here does I/O, reads a clock or draws randomness: time and keys are passed in,
//! so every rule can be tested exhaustively and shared by every door into the system (the
//! H5 form, the console, the platform API).

pub mod civil_date;
pub mod credit_code;
pub mod id_number;
pub mod joining;
pub mod member_number;
pub mod membership;
pub mod mobile;
pub mod occupation;
pub mod org;
pub mod person_name;
pub mod rate_limit;
pub mod region;
pub mod sms;
pub mod synthetic;
pub mod time;
pub mod tree_plan;
pub mod verification;
pub mod webhook;

pub use civil_date::CivilDate;
pub use credit_code::CreditCode;
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use member_number::MemberNumber;
pub use membership::{
    ApplicationStatus, AutoApproval, Channel, Decision, LifecycleAction, MembershipStatus, Role,
};
pub use mobile::{Mobile, MobileError};
pub use occupation::Occupation;
pub use org::{Level, Org, OrgId, OrgKind, OrgKindCode, OrgPath};
pub use person_name::{NameError, PersonName};
pub use region::{Region, RegionCode, RegionLevel, RegionTable};
pub use time::{Clock, Timestamp};
pub use verification::{RealNameCheck, Verification};
