//! The pure domain of huiji (会籍): regions, occupations, unions, the people who join them
//! and the rules about them.
//!
//! Nothing here does I/O, reads a clock or draws randomness: time and keys are passed in,
//! so every rule can be tested exhaustively and shared by every door into the system (the
//! H5 form, the console, the platform API).

pub mod account;
pub mod address;
pub mod audit;
pub mod benefit;
pub mod calendar;
pub mod campaign;
pub mod case;
pub mod civil_date;
pub mod contest;
pub mod credit_code;
pub mod geo;
pub mod id_number;
pub mod ids;
pub mod innovation;
pub mod joining;
mod labelled;
pub mod member_number;
pub mod membership;
pub mod mobile;
pub mod money;
pub mod notice;
pub mod occupation;
pub mod org;
pub mod person_name;
pub mod platform;
pub mod ranking;
pub mod rate_limit;
pub mod region;
pub mod review;
pub mod roster;
pub mod sms;
pub mod spreadsheet;
pub mod stations;
pub mod stats;
pub mod text;
pub mod time;
pub mod transfer;
pub mod verification;
pub mod webhook;
pub mod width;

pub use civil_date::CivilDate;
pub use credit_code::CreditCode;
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use ids::{
    ApiKeyId, ApplicationId, AuditId, MembershipId, PlatformId, TransferId, UserId, WebhookEventId,
};
pub use labelled::{Labelled, UnknownCode};
pub use member_number::MemberNumber;
pub use membership::{
    Actor, ApplicationStatus, AutoApproval, Channel, Decision, EventKind, LifecycleAction, MembershipStatus,
    Role,
};
pub use mobile::{Mobile, MobileError};
pub use occupation::Occupation;
pub use org::{
    ChildError, ChildRequest, ChildUnion, Level, Org, OrgId, OrgKind, OrgKindCode, OrgPath, PlannedOrg,
    TreePlan, UnionName, child_kinds,
};
pub use person_name::{NameError, PersonName};
pub use region::{Region, RegionCode, RegionLevel, RegionTable};
pub use text::{ControlCharacter, PlainText};
pub use time::Timestamp;
pub use transfer::{MemberRef, Side, Standing, TransferStatus};
pub use verification::{RealNameCheck, Verification};
