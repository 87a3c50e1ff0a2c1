//! Memberships as other doors ask about them: a platform verifying that a worker it
//! sent holds a membership ([`verify`]).

pub mod verify;

pub use verify::{PlatformCaller, VerifyAnswer, VerifyError, verify};
