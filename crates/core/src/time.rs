//! Time as the domain sees it: a value passed in, never read from a clock here, so tests
//! decide what "now" is.

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }
}

/// A source of the current time. The binary uses the system clock; tests use a fixed or
/// stepping one.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}
