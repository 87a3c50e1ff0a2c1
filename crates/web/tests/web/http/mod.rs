//! The plumbing every door shares, seen from outside.

mod error_pages;
