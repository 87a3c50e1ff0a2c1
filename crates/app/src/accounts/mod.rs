//! Officer accounts: passwords, sessions and logging in.

pub mod passwords;
pub mod sessions;
