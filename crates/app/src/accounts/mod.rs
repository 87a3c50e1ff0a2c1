//! Officer accounts: passwords, sessions and logging in, and accounts the operator makes.

pub mod digest;
pub mod manage;
pub mod passwords;
pub mod sessions;
