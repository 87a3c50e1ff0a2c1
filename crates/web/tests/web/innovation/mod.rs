//! 跟着劳模去创新 over HTTP: the public page, the console's registry, and the blind
//! evaluation with its judge-only accounts.

mod judging;
mod registry;
