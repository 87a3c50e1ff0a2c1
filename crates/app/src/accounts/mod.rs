//! Officer accounts.

pub mod passwords;
